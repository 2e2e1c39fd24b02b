from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/", views.export, name="export"),
    path("regional-opt-in/", views.opt_in, name="opt_in"),
    path("regional/", views.regional, name="regional"),
    path("regional/export/", views.regional_export, name="regional_export"),
]
