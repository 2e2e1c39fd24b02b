from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "casus.demo"
    label = "demo"
