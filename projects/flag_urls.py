"""Flag pages and flag notifications, under `/o/<org>/`. Included without a
namespace from `projects/urls.py`, so the names are `projects:flag_list`,
`projects:project_flags` (the page the flag emails link to) and so on. URL
kwargs are `org` and `project`, as the tenancy walk expects."""

from django.urls import path

from projects import flag_views

_project = "projects/<slug:project>/"

urlpatterns = [
    path("flags/", flag_views.flag_list, name="flag_list"),
    path("flags/summary/", flag_views.flag_summary, name="flag_summary"),
    path(_project + "flags/", flag_views.project_flags, name="project_flags"),
    path(_project + "flags/summary/", flag_views.project_flag_summary, name="project_flag_summary"),
    path("notifications/", flag_views.notification_settings, name="notification_settings"),
]
