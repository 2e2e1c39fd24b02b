from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "casus.access"
    label = "access"

    def ready(self) -> None:
        from . import receivers  # noqa: F401
