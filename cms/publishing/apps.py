from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "cms.publishing"
    label = "publishing"
    verbose_name = "网站发布"

    def ready(self):
        from . import signals

        signals.connect()
