from django.urls import path

from . import views, views_notifications

app_name = "core"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cells/", views.choose_cell, name="choose_cell"),
    path("statement/", views.statement, name="statement"),
    path("language/", views.set_language, name="set_language"),
    path("notifications/", views_notifications.notifications, name="notifications"),
    path(
        "notifications/read/",
        views_notifications.notifications_read,
        name="notifications_read",
    ),
    path("healthz", views.healthz, name="healthz"),
]
