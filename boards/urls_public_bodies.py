"""Public pages of the governing bodies, under `/p/<org>/<project>/`
(included by `boards.public_urls`, app name "public_boards"): no login."""

from django.urls import path

from boards.views import bodies as views

urlpatterns = [
    path("bodies/<str:kind>/calendar.ics", views.body_calendar, name="body_calendar"),
]
