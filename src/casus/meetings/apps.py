from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "casus.meetings"
    label = "meetings"
