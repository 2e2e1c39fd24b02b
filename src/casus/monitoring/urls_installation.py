from django.urls import path

from . import views_installation

app_name = "regional_bodies"

urlpatterns = [
    path("", views_installation.bodies, name="index"),
]
