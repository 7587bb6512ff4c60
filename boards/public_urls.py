"""Public pages of the governing bodies, under `/p/<org>/<project>/`."""

from django.urls import include, path

app_name = "public_boards"

urlpatterns = [
    path("", include("boards.urls_public_bodies")),
]
