from .views import casefile, followup, lifecycle, signals, work

app_name = "cases"

urlpatterns = [
    *signals.urlpatterns,
    *casefile.urlpatterns,
    *followup.urlpatterns,
    *lifecycle.urlpatterns,
    *work.urlpatterns,
]
