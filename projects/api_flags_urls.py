"""REST API routes of the cadence monitoring, mounted at `/api/v1/orgs/<slug:org>/`.
Explicit paths whose parameters are only `org` and `project`, as in
`projects/api_urls.py`."""

from django.urls import path

from projects import api_flags

urlpatterns = [
    path("flags/", api_flags.FlagListView.as_view(), name="api-flag-list"),
    path(
        "projects/<slug:project>/flags/",
        api_flags.ProjectFlagListView.as_view(),
        name="api-project-flag-list",
    ),
    path("notifications/", api_flags.NotificationView.as_view(), name="api-notifications"),
]
