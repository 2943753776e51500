from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cms.cases"
    label = "cases"
