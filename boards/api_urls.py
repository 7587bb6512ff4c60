"""REST API routes for the governing bodies, mounted at
`/api/v1/orgs/<slug:org>/`. Explicit paths whose parameters are only `org`,
`project` (a project's slug), `kind` (`board` or `overview`; anything else is
a 404) and `pk` (an integer id), as in `projects/api_urls.py`."""

from django.urls import include, path

from boards import api

body_urls = [
    path("", api.BodyDetailView.as_view(), name="api-body-detail"),
    path("activate/", api.BodyActivateView.as_view(), name="api-body-activate"),
    path("close/", api.BodyCloseView.as_view(), name="api-body-close"),
    path("seats/", api.SeatListView.as_view(), name="api-seat-list"),
    path("seats/<int:pk>/", api.SeatDetailView.as_view(), name="api-seat-detail"),
    path("seats/<int:pk>/end/", api.SeatEndView.as_view(), name="api-seat-end"),
    path("meetings/", api.MeetingListView.as_view(), name="api-meeting-list"),
    path("meetings/<int:pk>/", api.MeetingDetailView.as_view(), name="api-meeting-detail"),
    path("meetings/<int:pk>/held/", api.MeetingHeldView.as_view(), name="api-meeting-held"),
    path("meetings/<int:pk>/cancel/", api.MeetingCancelView.as_view(), name="api-meeting-cancel"),
]

urlpatterns = [
    path("projects/<slug:project>/bodies/", api.BodyListView.as_view(), name="api-body-list"),
    path("projects/<slug:project>/bodies/<slug:kind>/", include(body_urls)),
    path("projects/<slug:project>/timeline/", api.TimelineView.as_view(), name="api-term-timeline"),
]
