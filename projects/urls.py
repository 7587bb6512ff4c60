"""Staff and member pages of an organisation, under `/o/<org>/`. URL kwargs
are `org`, `project` (the project's slug) and `pk`: the tenant-isolation test
walks every pattern with those names."""

from django.urls import include, path

from projects import views

app_name = "projects"

_project = "projects/<slug:project>/"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("projects/", views.project_list, name="project_list"),
    # Before the project pattern: "new" is a reserved project slug.
    path("projects/new/", views.project_create, name="project_create"),
    path(_project, views.project_detail, name="project_detail"),
    path(_project + "edit/", views.project_edit, name="project_edit"),
    path(_project + "status/", views.project_status, name="project_status"),
    path(_project + "phases/", views.phase_list, name="phase_list"),
    path(_project + "phases/<int:pk>/edit/", views.phase_edit, name="phase_edit"),
    path(_project + "phases/<int:pk>/delete/", views.phase_delete, name="phase_delete"),
    path(_project + "milestones/", views.milestone_list, name="milestone_list"),
    path(_project + "milestones/<int:pk>/edit/", views.milestone_edit, name="milestone_edit"),
    path(_project + "milestones/<int:pk>/delete/", views.milestone_delete, name="milestone_delete"),
    path(_project + "budget/", views.budget, name="budget"),
    path(_project + "roles/", views.project_roles, name="project_roles"),
    path(_project + "roles/revoke/", views.project_role_revoke, name="project_role_revoke"),
    path("members/", views.member_list, name="member_list"),
    path("members/<int:pk>/", views.member_edit, name="member_edit"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("proposals/", views.proposal_list, name="proposal_list"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("audit/", views.audit_log, name="audit_log"),
    # Flags of the cadence monitoring and how members hear about them.
    path("", include("projects.flag_urls")),
]
