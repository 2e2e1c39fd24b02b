from django.urls import URLPattern, path

from . import views

app_name = "socialmap"

urlpatterns: list[URLPattern] = [
    path("", views.offers, name="offers"),
    path("offers/new/", views.offer_new, name="offer_new"),
    path("offers/<int:pk>/", views.offer_detail, name="offer"),
    path("offers/<int:pk>/edit/", views.offer_edit, name="offer_edit"),
    path("offers/<int:pk>/publish/", views.offer_publish, name="offer_publish"),
    path("offers/<int:pk>/archive/", views.offer_archive, name="offer_archive"),
    path("contact-points/", views.contact_points, name="contact_points"),
    path("contact-points/new/", views.contact_point_new, name="contact_point_new"),
    path("contact-points/<int:pk>/", views.contact_point_detail, name="contact_point"),
    path("contact-points/<int:pk>/edit/", views.contact_point_edit, name="contact_point_edit"),
    path(
        "contact-points/<int:pk>/publish/",
        views.contact_point_publish,
        name="contact_point_publish",
    ),
    path(
        "contact-points/<int:pk>/archive/",
        views.contact_point_archive,
        name="contact_point_archive",
    ),
]
