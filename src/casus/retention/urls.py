from django.urls import path

from . import views

app_name = "retention"

urlpatterns = [
    path("", views.runs, name="runs"),
    path("prepare/", views.prepare, name="prepare"),
    path("runs/<int:pk>/", views.run, name="run"),
    path("runs/<int:pk>/decide/", views.decide, name="decide"),
    path("log/", views.log, name="log"),
]
