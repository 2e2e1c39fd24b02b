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
    # Data-subject requests: the coordinator registers and compiles, the organisations review
    # their own entries, the chair decides, the DPO sees the decisions.
    path("privacy/requests/", views.subject_requests, name="subject_requests"),
    path("privacy/requests/new/", views.subject_request_new, name="subject_request_new"),
    path("privacy/requests/<int:pk>/", views.subject_request_detail, name="subject_request"),
    path(
        "privacy/requests/<int:pk>/compile/",
        views.subject_request_compile,
        name="subject_request_compile",
    ),
    path(
        "privacy/requests/<int:pk>/extend/",
        views.subject_request_extend,
        name="subject_request_extend",
    ),
    path(
        "privacy/requests/<int:pk>/decide/",
        views.subject_request_decide,
        name="subject_request_decide",
    ),
    path(
        "privacy/requests/<int:pk>/rectified/",
        views.subject_request_rectified,
        name="subject_request_rectified",
    ),
    path(
        "privacy/requests/<int:pk>/close/",
        views.subject_request_close,
        name="subject_request_close",
    ),
    path(
        "privacy/requests/<int:pk>/response/",
        views.subject_request_response,
        name="subject_request_response",
    ),
    path(
        "privacy/requests/decisions/",
        views.subject_request_decisions,
        name="subject_request_decisions",
    ),
    path("privacy/reviews/", views.subject_reviews, name="subject_reviews"),
    path("privacy/reviews/<int:pk>/", views.subject_review, name="subject_review"),
    # The GDPR art. 30 record of processing and the DPIA annex (``?export=pdf``).
    path("privacy/record/", views.processing_record, name="record"),
    path("privacy/record/dpia/", views.dpia_annex, name="dpia"),
]
