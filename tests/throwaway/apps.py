from django.apps import AppConfig


class ThrowawayConfig(AppConfig):
    """A content kind that exists only in the test settings (the registry proof); its test registers it."""

    name = "tests.throwaway"
    label = "throwaway"
