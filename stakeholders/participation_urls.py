"""Staff pages of public participation, under `/o/<org>/` (namespace
"participation"): input triage (TEAM-9), scoping and the scope document
(SCOPE-2, SCOPE-3) and group invitations with their involvement replies
(TEAM-7, TEAM-8)."""

from django.urls import path

from stakeholders import participation_views as views

app_name = "participation"

_project = "projects/<slug:project>/"

urlpatterns = [
    path(_project + "inputs/", views.input_list, name="input_list"),
    path(_project + "inputs/new/", views.input_record, name="input_record"),
    path(_project + "inputs/<int:pk>/", views.input_detail, name="input_detail"),
    path(_project + "inputs/<int:pk>/acknowledge/", views.input_acknowledge, name="input_acknowledge"),
    path(_project + "inputs/<int:pk>/scope-part/", views.input_scope_part, name="input_scope_part"),
    path(_project + "scoping/", views.scoping, name="scoping"),
    path(_project + "scoping/finalise/", views.scoping_finalise, name="scoping_finalise"),
    path(_project + "scoping/document/", views.scope_document_page, name="scope_document"),
    path(_project + "group-invitations/", views.group_invitations, name="group_invitations"),
    path(_project + "group-invitations/<int:pk>/", views.group_invitation_edit, name="group_invitation_edit"),
    path(
        _project + "group-invitations/<int:pk>/email/",
        views.group_invitation_email,
        name="group_invitation_email",
    ),
]
