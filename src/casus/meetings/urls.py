from .views import meetings, minutes

app_name = "meetings"

urlpatterns = [*meetings.urlpatterns, *minutes.urlpatterns]
