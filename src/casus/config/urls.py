from django.urls import include, path

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("installation/regional/", include("casus.monitoring.urls_installation")),
    path("installation/", include("casus.access.urls_installation")),
    path("audit/", include("casus.audit.urls")),
    path("", include("casus.access.urls")),
    path("", include("casus.cases.urls")),
    path("", include("casus.meetings.urls")),
    path("", include("casus.privacy.urls")),
    path("retention/", include("casus.retention.urls")),
    path("strategy/", include("casus.strategy.urls")),
    path("monitoring/", include("casus.monitoring.urls")),
    path("knowledge/", include("casus.knowledge.urls")),
    path("social-map/", include("casus.socialmap.urls")),
    path("", include("casus.core.urls")),
]
