from django.apps import AppConfig


class SignageConfig(AppConfig):
    name = "cms.signage"
    label = "signage"
    verbose_name = "两标三牌"

    def ready(self):
        from cms.core.kinds import register

        from .kinds import NoticeKind

        register(NoticeKind())
