from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.events, name="events"),
    path("case/", views.case_trail, name="case_trail"),
    path("person/", views.person_trail, name="person_trail"),
    path("unusual/", views.unusual, name="unusual"),
]
