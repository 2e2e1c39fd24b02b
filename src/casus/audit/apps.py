from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "casus.audit"
    label = "audit"
