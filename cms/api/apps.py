from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The HTTP layer: the public content API on Wagtail's v3 API, and what anonymous routes may show."""

    name = "cms.api"
    label = "jiceng_api"
    verbose_name = "接口"
