from django.urls import path

from . import views_installation as views

app_name = "installation"

urlpatterns = [
    path("", views.cells, name="cells"),
    path("cells/<int:pk>/", views.cell_detail, name="cell"),
    path("users/<int:pk>/mfa-reset/", views.mfa_reset, name="mfa_reset"),
    path("requests/<int:pk>/", views.decide_chair_request, name="decide_chair_request"),
]
