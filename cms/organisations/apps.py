from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "cms.organisations"
    label = "organisations"
    verbose_name = "机构"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from cms.core.access import register_guard

        from .models import workflow_for
        from .permissions import PlacePermissionTester, place_refusal
        from .scope import home_place

        register_guard(tester=PlacePermissionTester, refusal=place_refusal, workflow=workflow_for, home=home_place)
