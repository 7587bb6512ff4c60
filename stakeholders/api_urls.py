"""REST API routes for people and stakeholder groups, mounted at
`/api/v1/orgs/<slug:org>/`. Explicit paths whose parameters are only `org`,
`project` and `pk` (see `projects/api_urls.py`)."""

from django.urls import path

from stakeholders import api

urlpatterns = [
    path("people/", api.PersonListView.as_view(), name="api-person-list"),
    path("people/<int:pk>/", api.PersonDetailView.as_view(), name="api-person-detail"),
    path(
        "projects/<slug:project>/stakeholder-groups/",
        api.StakeholderGroupListView.as_view(),
        name="api-stakeholder-group-list",
    ),
    path(
        "projects/<slug:project>/stakeholder-groups/<int:pk>/",
        api.StakeholderGroupDetailView.as_view(),
        name="api-stakeholder-group-detail",
    ),
]
