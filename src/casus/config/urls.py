from django.urls import include, path

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("installation/", include("casus.access.urls_installation")),
    path("audit/", include("casus.audit.urls")),
    path("", include("casus.access.urls")),
    path("", include("casus.cases.urls")),
    path("", include("casus.meetings.urls")),
    path("", include("casus.privacy.urls")),
    path("retention/", include("casus.retention.urls")),
    path("", include("casus.core.urls")),
]
