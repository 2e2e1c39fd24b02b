from django.urls import path

from . import views

app_name = "knowledge"

urlpatterns = [
    path("", views.fiche_list, name="list"),
    path("new/", views.fiche_new, name="new"),
    path("<int:pk>/", views.fiche_detail, name="detail"),
    path("<int:pk>/edit/", views.fiche_edit, name="edit"),
    path("<int:pk>/publish/", views.fiche_publish, name="publish"),
    path("<int:pk>/unpublish/", views.fiche_unpublish, name="unpublish"),
    path("<int:pk>/translation/", views.fiche_translation, name="translation"),
    path("<int:pk>/translation/unlink/", views.fiche_translation_unlink, name="translation_unlink"),
]
