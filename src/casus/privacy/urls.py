from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("cases/<int:pk>/break-glass/", views.break_glass_open, name="break_glass_open"),
    path("privacy/break-glass/", views.break_glass_list, name="break_glass_list"),
    path(
        "privacy/break-glass/<int:pk>/review/",
        views.break_glass_review,
        name="break_glass_review",
    ),
]
