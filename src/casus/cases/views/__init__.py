"""Case pages, one module per part of the lifecycle; each module lists its ``urlpatterns``."""
