from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "casus.cases"
    label = "cases"
