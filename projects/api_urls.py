"""REST API routes for organisations and projects, mounted at `/api/v1/`.

Explicit paths (no routers) so that every URL parameter is `org`, `project`
(a project's slug) or `pk` (an integer id): the tenancy test walks these
patterns and fills those names in. Names are prefixed `api-`, no namespace.
"""

from django.urls import include, path

from projects import api, api_plans

project_urls = [
    path("", api.ProjectDetailView.as_view(), name="api-project-detail"),
    path("status/", api.ProjectStatusView.as_view(), name="api-project-status"),
    path("phases/", api_plans.PhaseListView.as_view(), name="api-phase-list"),
    path("phases/<int:pk>/", api_plans.PhaseDetailView.as_view(), name="api-phase-detail"),
    path("milestones/", api_plans.MilestoneListView.as_view(), name="api-milestone-list"),
    path("milestones/<int:pk>/", api_plans.MilestoneDetailView.as_view(), name="api-milestone-detail"),
    path("budget-lines/", api_plans.BudgetLineListView.as_view(), name="api-budget-line-list"),
    path("budget-lines/<int:pk>/", api_plans.BudgetLineDetailView.as_view(), name="api-budget-line-detail"),
    path("roles/", api_plans.ProjectRoleListView.as_view(), name="api-project-role-list"),
    path("roles/revoke/", api_plans.ProjectRoleRevokeView.as_view(), name="api-project-role-revoke"),
]

organisation_urls = [
    path("", api.OrganisationDetailView.as_view(), name="api-organisation-detail"),
    path("members/", api.MemberListView.as_view(), name="api-member-list"),
    path("members/<int:pk>/", api.MemberDetailView.as_view(), name="api-member-detail"),
    path("invitations/", api.InvitationListView.as_view(), name="api-invitation-list"),
    path("invitations/<int:pk>/revoke/", api.InvitationRevokeView.as_view(), name="api-invitation-revoke"),
    path("proposals/", api.ProposalListView.as_view(), name="api-proposal-list"),
    path("proposals/<int:pk>/", api.ProposalDetailView.as_view(), name="api-proposal-detail"),
    path("proposals/<int:pk>/accept/", api.ProposalAcceptView.as_view(), name="api-proposal-accept"),
    path("proposals/<int:pk>/decline/", api.ProposalDeclineView.as_view(), name="api-proposal-decline"),
    path("audit-events/", api.AuditEventListView.as_view(), name="api-audit-event-list"),
    path("projects/", api.ProjectListView.as_view(), name="api-project-list"),
    path("projects/<slug:project>/", include(project_urls)),
]

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    path("orgs/", api.OrganisationListView.as_view(), name="api-organisation-list"),
    path("orgs/<slug:org>/", include(organisation_urls)),
]
