"""REST API of public participation, mounted at `/api/v1/orgs/<slug:org>/`
(TEAM-7, TEAM-8, TEAM-9, SCOPE-2, SCOPE-3)."""

from django.urls import path

from stakeholders import api_participation as api

_project = "projects/<slug:project>/"

urlpatterns = [
    path(_project + "inputs/", api.InputListView.as_view(), name="api-input-list"),
    path(_project + "inputs/<int:pk>/", api.InputDetailView.as_view(), name="api-input-detail"),
    path(
        _project + "inputs/<int:pk>/acknowledge/",
        api.InputAcknowledgeView.as_view(),
        name="api-input-acknowledge",
    ),
    path(_project + "inputs/<int:pk>/response/", api.InputRespondView.as_view(), name="api-input-response"),
    path(_project + "scoping/", api.ScopingView.as_view(), name="api-scoping"),
    path(_project + "scoping/finalise/", api.ScopingFinaliseView.as_view(), name="api-scoping-finalise"),
    path(
        _project + "group-invitations/",
        api.GroupInvitationListView.as_view(),
        name="api-group-invitation-list",
    ),
    path(
        _project + "group-invitations/<int:pk>/",
        api.GroupInvitationDetailView.as_view(),
        name="api-group-invitation-detail",
    ),
    path(
        _project + "group-invitations/<int:pk>/email/",
        api.GroupInvitationEmailView.as_view(),
        name="api-group-invitation-email",
    ),
    path(
        _project + "involvement-responses/",
        api.InvolvementResponseListView.as_view(),
        name="api-involvement-response-list",
    ),
]
