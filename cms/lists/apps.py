from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "cms.lists"
    label = "lists"
    verbose_name = "清单"

    def ready(self):
        from cms.core.kinds import register

        from .kinds import DutyListKind

        register(DutyListKind())
