from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cms.cases"
    label = "cases"
    verbose_name = "经验案例"

    def ready(self):
        from cms.core.kinds import register

        from .kinds import CaseKind, CollectionKind

        register(CaseKind())
        register(CollectionKind())
