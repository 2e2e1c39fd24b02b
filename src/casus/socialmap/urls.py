from django.urls import URLPattern

app_name = "socialmap"

urlpatterns: list[URLPattern] = []
