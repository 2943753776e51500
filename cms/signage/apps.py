from django.apps import AppConfig


class SignageConfig(AppConfig):
    name = "cms.signage"
    label = "signage"
