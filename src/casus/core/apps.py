from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "casus.core"
    label = "core"
