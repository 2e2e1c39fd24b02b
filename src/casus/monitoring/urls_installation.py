from django.urls import URLPattern

app_name = "regional_bodies"

urlpatterns: list[URLPattern] = []
