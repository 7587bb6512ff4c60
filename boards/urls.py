"""Staff and member pages of the governing bodies, under `/o/<org>/`."""

from django.urls import include, path

app_name = "boards"

urlpatterns = [
    path("", include("boards.urls_bodies")),
    path("", include("boards.urls_decisions")),
    path("", include("boards.urls_participation")),
]
