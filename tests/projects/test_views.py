"""Browser pages of organisations, projects, plans, members, invitations,
proposals and the audit log: who may see what, every form's success path
(written through the service, audited, redirected) and error path (400,
typed values shown again with the reason, nothing written)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from guardian.shortcuts import get_perms

from projects import services
from projects.models import (
    AuditEvent,
    BudgetLine,
    Milestone,
    OrganisationInvitation,
    OrganisationMember,
    Phase,
    Project,
    ProjectProposal,
    Role,
)
from tests.factories import (
    PASSWORD,
    MemberFactory,
    PhaseFactory,
    ProjectFactory,
    StakeholderGroupFactory,
    UserFactory,
)

User = get_user_model()
LONG = "x" * 10_000
HTMX = {"HTTP_HX_REQUEST": "true"}


def org_url(name: str, tenant, **kwargs) -> str:
    return reverse(f"projects:{name}", kwargs={"org": tenant.organisation.slug, **kwargs})


def project_url(name: str, tenant, **kwargs) -> str:
    return org_url(name, tenant, project=tenant.project.slug, **kwargs)


def audited(organisation, action: str) -> int:
    with scopes_disabled():
        return AuditEvent.objects.filter(organisation=organisation, action=action).count()


def html_of(response) -> str:
    return response.content.decode()


# --- Access: anonymous, outsiders, roles ---------------------------------------------------


STAFF_PAGES = [
    ("dashboard", False),
    ("project_list", False),
    ("project_create", False),
    ("project_detail", True),
    ("project_edit", True),
    ("phase_list", True),
    ("milestone_list", True),
    ("budget", True),
    ("project_roles", True),
    ("member_list", False),
    ("proposal_list", False),
    ("audit_log", False),
]


def _page_url(name: str, with_project: bool, tenant) -> str:
    return project_url(name, tenant) if with_project else org_url(name, tenant)


@pytest.mark.rule("TENANT-1")
@pytest.mark.parametrize(("name", "with_project"), STAFF_PAGES)
def test_anonymous_is_sent_to_login(client, tenant_a, name, with_project) -> None:
    url = _page_url(name, with_project, tenant_a)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "next=" in response["Location"]


@pytest.mark.rule("TENANT-1")
@pytest.mark.parametrize(("name", "with_project"), STAFF_PAGES)
def test_outsider_gets_404(client_as, tenant_a, outsider, name, with_project) -> None:
    response = client_as(outsider).get(_page_url(name, with_project, tenant_a))
    assert response.status_code == 404


# Who may open each page: (name, with_project) -> roles answered 200; others 403.
PAGE_ROLES = {
    ("dashboard", False): {"admin", "facilitator", "auditor", "member"},
    ("project_list", False): {"admin", "facilitator", "auditor", "member"},
    ("project_create", False): {"admin", "facilitator"},
    ("project_detail", True): {"admin", "facilitator", "auditor", "member"},
    ("project_edit", True): {"admin", "facilitator"},
    ("phase_list", True): {"admin", "facilitator", "auditor", "member"},
    ("milestone_list", True): {"admin", "facilitator", "auditor", "member"},
    ("budget", True): {"admin", "facilitator", "auditor", "member"},
    ("project_roles", True): {"admin", "facilitator", "auditor", "member"},
    ("member_list", False): {"admin", "auditor"},
    ("proposal_list", False): {"admin", "facilitator", "auditor"},
    ("audit_log", False): {"admin", "auditor"},
}


@pytest.mark.parametrize("role", ["admin", "facilitator", "auditor", "member"])
def test_page_permissions_per_role(client_as, tenant_a, role) -> None:
    client = client_as(getattr(tenant_a, role))
    for (name, with_project), allowed in PAGE_ROLES.items():
        response = client.get(_page_url(name, with_project, tenant_a))
        expected = 200 if role in allowed else 403
        assert response.status_code == expected, (name, role, response.status_code)


def test_member_sees_read_only_pages(client_as, tenant_a) -> None:
    with scopes_disabled():
        PhaseFactory(project=tenant_a.project, name="Scoping")
    client = client_as(tenant_a.member)
    detail = html_of(client.get(project_url("project_detail", tenant_a)))
    assert project_url("project_edit", tenant_a) not in detail
    assert project_url("project_status", tenant_a) not in detail
    phases = html_of(client.get(project_url("phase_list", tenant_a)))
    assert "Scoping" in phases
    assert "<form" not in phases.split('id="main"')[1]
    assert "/edit/" not in phases.split('id="main"')[1]


def test_auditor_sees_read_only_pages(client_as, tenant_a) -> None:
    client = client_as(tenant_a.auditor)
    detail = html_of(client.get(project_url("project_detail", tenant_a)))
    assert project_url("project_edit", tenant_a) not in detail
    members = html_of(client.get(org_url("member_list", tenant_a)))
    assert "Invite someone" not in members
    response = client.post(org_url("member_list", tenant_a), {"email": "x@example.org", "role": "member"})
    assert response.status_code == 403
    with scopes_disabled():
        assert not OrganisationInvitation.objects.filter(email="x@example.org").exists()


def test_member_cannot_post_changes(client_as, tenant_a) -> None:
    client = client_as(tenant_a.member)
    response = client.post(
        project_url("phase_list", tenant_a),
        {"name": "Sneaky", "starts_on": "2026-01-01", "ends_on": "2026-02-01"},
    )
    assert response.status_code == 403
    response = client.post(project_url("project_status", tenant_a), {"status": "delivery"})
    assert response.status_code == 403
    with scopes_disabled():
        assert not Phase.objects.filter(name="Sneaky").exists()
        assert Project.objects.get(pk=tenant_a.project.pk).status == Project.Status.SCOPING


@pytest.mark.rule("TENANT-1")
def test_membership_look_ups_read_one_row_without_sorting(client_as, api_as, tenant_a, tenant_b) -> None:
    """Every signed-in request looks up the user's membership (the staff
    pages in the tenancy middleware, the API through the user's role). A user
    has one membership of an organisation, so neither sorts: the model's
    ordering would join the user and organisation tables on every request."""
    staff_page = reverse("projects:dashboard", kwargs={"org": tenant_a.organisation.slug})
    api_list = reverse("api-project-list", kwargs={"org": tenant_a.organisation.slug})
    with CaptureQueriesContext(connection) as captured:
        assert client_as(tenant_a.member).get(staff_page).status_code == 200
        assert api_as(tenant_a.member).get(api_list).status_code == 200
        # A member of the other organisation only: the same 404 as before.
        assert client_as(tenant_b.member).get(staff_page).status_code == 404
    lookups = [q["sql"] for q in captured if 'FROM "projects_organisationmember"' in q["sql"]]
    assert len(lookups) >= 3
    for sql in lookups:
        assert 'JOIN "auth_user"' not in sql and 'ORDER BY "projects_organisation"."name"' not in sql


@pytest.mark.rule("TENANT-1")
def test_ids_of_another_organisation_are_404(client_as, tenant_a, tenant_b) -> None:
    with scopes_disabled():
        other_phase = PhaseFactory(project=tenant_b.project)
        other_milestone = Milestone.objects.create(
            project=tenant_b.project, title="Theirs", due_on=datetime.date(2026, 1, 1)
        )
        other_proposal = ProjectProposal.objects.create(
            organisation=tenant_b.organisation, title="Theirs", summary="x", initiator_type="public"
        )
        other_member = OrganisationMember.objects.get(
            organisation=tenant_b.organisation, user=tenant_b.member
        )
        other_invitation = OrganisationInvitation.objects.create(
            organisation=tenant_b.organisation, email="theirs@example.org"
        )
    client = client_as(tenant_a.admin)
    urls = [
        project_url("phase_edit", tenant_a, pk=other_phase.pk),
        project_url("phase_delete", tenant_a, pk=other_phase.pk),
        project_url("milestone_edit", tenant_a, pk=other_milestone.pk),
        project_url("milestone_delete", tenant_a, pk=other_milestone.pk),
        org_url("proposal_detail", tenant_a, pk=other_proposal.pk),
        org_url("member_edit", tenant_a, pk=other_member.pk),
        org_url("project_detail", tenant_a, project="no-such-project"),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"action": "remove"}).status_code == 404, url
    assert client.post(org_url("invitation_revoke", tenant_a, pk=other_invitation.pk)).status_code == 404
    with scopes_disabled():
        assert Phase.objects.filter(pk=other_phase.pk).exists()
        assert OrganisationMember.objects.filter(pk=other_member.pk).exists()
        assert OrganisationInvitation.objects.get(pk=other_invitation.pk).status == "pending"


def test_home_redirects(client, client_as, tenant_a) -> None:
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    response = client_as(tenant_a.member).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == org_url("dashboard", tenant_a)


def test_home_without_organisation_explains(client_as, db) -> None:
    lonely = UserFactory(username="lonely@example.org")
    response = client_as(lonely).get(reverse("home"))
    assert response.status_code == 200
    assert "not a member of any organisation" in html_of(response)


def test_dashboard_by_role(client_as, tenant_a) -> None:
    with scopes_disabled():
        ProjectProposal.objects.create(
            organisation=tenant_a.organisation, title="Benches", summary="x", initiator_type="public"
        )
    facilitator = html_of(client_as(tenant_a.facilitator).get(org_url("dashboard", tenant_a)))
    assert "Benches" in facilitator and tenant_a.project.title in facilitator
    assert "Recent activity" not in facilitator
    member = html_of(client_as(tenant_a.member).get(org_url("dashboard", tenant_a)))
    assert "Benches" not in member and tenant_a.project.title in member
    assert "Start a new project" not in member
    auditor = html_of(client_as(tenant_a.auditor).get(org_url("dashboard", tenant_a)))
    assert "Recent activity" in auditor


# --- Query counts ----------------------------------------------------------------------------


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_project_list_queries_do_not_grow_with_rows(client_as, tenant_a) -> None:
    client = client_as(tenant_a.facilitator)
    url = org_url("project_list", tenant_a)

    def add_projects(n: int) -> None:
        with scopes_disabled():
            for _ in range(n):
                project = ProjectFactory(organisation=tenant_a.organisation)
                StakeholderGroupFactory(project=project)
                StakeholderGroupFactory(project=project)

    add_projects(2)  # 3 projects with the fixture's
    few = _count_queries(client, url)
    add_projects(27)  # 30 projects
    many = _count_queries(client, url)
    assert many == few
    assert html_of(client.get(url)).count("<tr>") == 31  # header + 30 rows


def test_dashboard_queries_do_not_grow_with_rows(client_as, tenant_a) -> None:
    client = client_as(tenant_a.admin)
    url = org_url("dashboard", tenant_a)
    few = _count_queries(client, url)
    with scopes_disabled():
        for _ in range(30):
            ProjectFactory(organisation=tenant_a.organisation)
            ProjectProposal.objects.create(
                organisation=tenant_a.organisation, title="P", summary="x", initiator_type="public"
            )
    assert _count_queries(client, url) == few


# --- Projects (SCOPE-1, BOARD-10) ------------------------------------------------------------


@pytest.mark.rule("SCOPE-1")
def test_create_project_records_initiator(client_as, tenant_a) -> None:
    client = client_as(tenant_a.facilitator)
    response = client.post(
        org_url("project_create", tenant_a),
        {"title": "Carers’ café", "slug": "", "summary": "Meet and talk.", "initiator_type": "service_user"},
    )
    with scopes_disabled():
        project = Project.objects.get(organisation=tenant_a.organisation, slug="carers-cafe")
    assert response.status_code == 302
    assert response["Location"] == project.get_absolute_url()
    assert project.initiator_type == "service_user"
    assert project.status == Project.Status.PROPOSED
    assert audited(tenant_a.organisation, "projects.project.created") == 1
    page = html_of(client.get(response["Location"]))
    assert "created" in page and "Service user" in page


@pytest.mark.rule("SCOPE-1")
def test_create_project_without_initiator_is_refused(client_as, tenant_a) -> None:
    client = client_as(tenant_a.facilitator)
    response = client.post(
        org_url("project_create", tenant_a), {"title": "Typed title", "slug": "typed-slug", "summary": "Kept"}
    )
    assert response.status_code == 400
    html = html_of(response)
    assert "Say who started this project." in html
    assert 'value="Typed title"' in html and 'value="typed-slug"' in html and "Kept" in html
    assert 'aria-invalid="true"' in html
    with scopes_disabled():
        assert not Project.objects.filter(slug="typed-slug").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "slug": "ok"}, "Enter a title for the project."),
        ({"title": "Valid", "slug": "Not a slug!"}, "Use only lower-case letters"),
        ({"title": LONG, "slug": "long"}, "at most 200 characters"),
        ({"title": "Clash", "slug": "day-service"}, "already uses this web address"),
        ({"title": "Reserved", "slug": "new"}, "reserved"),
    ],
)
def test_create_project_error_paths(client_as, tenant_a, data, message) -> None:
    client = client_as(tenant_a.facilitator)
    before = audited(tenant_a.organisation, "projects.project.created")
    response = client.post(
        org_url("project_create", tenant_a), {"initiator_type": "public", "summary": "", **data}
    )
    assert response.status_code == 400
    html = html_of(response)
    assert message in html
    assert "There is a problem" in html
    if data["title"]:
        assert data["title"] in html
    assert audited(tenant_a.organisation, "projects.project.created") == before
    with scopes_disabled():
        assert Project.objects.filter(organisation=tenant_a.organisation).count() == 1


def test_same_project_slug_in_another_organisation_is_fine(client_as, tenant_a, tenant_b) -> None:
    response = client_as(tenant_b.facilitator).post(
        org_url("project_create", tenant_b), {"title": "Carers", "slug": "carers", "initiator_type": "staff"}
    )
    assert response.status_code == 302
    response = client_as(tenant_a.facilitator).post(
        org_url("project_create", tenant_a), {"title": "Carers", "slug": "carers", "initiator_type": "staff"}
    )
    assert response.status_code == 302


def test_edit_project(client_as, tenant_a) -> None:
    client = client_as(tenant_a.facilitator)
    url = project_url("project_edit", tenant_a)
    data = {"title": "Day opportunities", "slug": "day-service", "summary": "New", "initiator_type": "staff"}
    response = client.post(url, data)
    assert response.status_code == 302
    with scopes_disabled():
        project = Project.objects.get(pk=tenant_a.project.pk)
    assert project.title == "Day opportunities" and project.initiator_type == "staff"
    assert audited(tenant_a.organisation, "projects.project.updated") == 1


def test_edit_project_errors_keep_typed_values(client_as, tenant_a) -> None:
    client = client_as(tenant_a.facilitator)
    response = client.post(
        project_url("project_edit", tenant_a),
        {"title": LONG, "slug": "Bad Slug", "summary": "Typed summary", "initiator_type": "staff"},
    )
    assert response.status_code == 400
    html = html_of(response)
    assert "at most 200 characters" in html and "Use only lower-case letters" in html
    assert "Typed summary" in html and 'value="Bad Slug"' in html
    with scopes_disabled():
        assert Project.objects.get(pk=tenant_a.project.pk).title == tenant_a.project.title
    assert audited(tenant_a.organisation, "projects.project.updated") == 0


def test_status_moves_forward(client_as, tenant_a) -> None:
    client = client_as(tenant_a.facilitator)
    detail = html_of(client.get(project_url("project_detail", tenant_a)))
    assert "Start delivery" in detail
    response = client.post(project_url("project_status", tenant_a), {"status": "delivery"})
    assert response.status_code == 302
    with scopes_disabled():
        assert Project.objects.get(pk=tenant_a.project.pk).status == Project.Status.DELIVERY
    assert audited(tenant_a.organisation, "projects.project.status_changed") == 1


@pytest.mark.rule("BOARD-10")
def test_closing_by_hand_is_refused(client_as, tenant_a) -> None:
    client = client_as(tenant_a.facilitator)
    detail = html_of(client.get(project_url("project_detail", tenant_a)))
    assert "Only the Project Board can close a project" in detail
    assert 'value="closed"' not in detail
    response = client.post(project_url("project_status", tenant_a), {"status": "closed"})
    assert response.status_code == 400
    html = html_of(response)
    assert "BOARD-10" in html and "Only an agreed Project Board decision can close a project" in html
    with scopes_disabled():
        assert Project.objects.get(pk=tenant_a.project.pk).status == Project.Status.SCOPING
    assert audited(tenant_a.organisation, "projects.project.status_changed") == 0


def test_status_cannot_skip_or_go_back(client_as, tenant_a) -> None:
    response = client_as(tenant_a.facilitator).post(
        project_url("project_status", tenant_a), {"status": "proposed"}
    )
    assert response.status_code == 400
    assert "cannot move to proposed" in html_of(response)
    response = client_as(tenant_a.facilitator).get(project_url("project_status", tenant_a))
    assert response.status_code == 405


# --- Phases and milestones -------------------------------------------------------------------


def test_add_phase(client_as, tenant_a) -> None:
    client = client_as(tenant_a.facilitator)
    url = project_url("phase_list", tenant_a)
    response = client.post(url, {"name": "Design", "starts_on": "2026-02-01", "ends_on": "2026-04-30"})
    assert response.status_code == 302 and response["Location"] == url
    with scopes_disabled():
        phase = Phase.objects.get(project=tenant_a.project, name="Design")
    assert phase.ends_on == datetime.date(2026, 4, 30)
    assert audited(tenant_a.organisation, "projects.phase.created") == 1
    assert "Phase “Design” added." in html_of(client.get(url))


def test_add_phase_with_htmx_returns_the_section(client_as, tenant_a) -> None:
    client = client_as(tenant_a.facilitator)
    url = project_url("phase_list", tenant_a)
    response = client.post(url, {"name": "Pilot", "starts_on": "2026-05-01", "ends_on": "2026-06-30"}, **HTMX)
    assert response.status_code == 200
    html = html_of(response)
    assert "<html" not in html and 'id="plan-section"' in html
    assert "Pilot" in html and "Phase “Pilot” added." in html and 'hx-swap-oob="innerHTML"' in html
    with scopes_disabled():
        assert Phase.objects.filter(project=tenant_a.project, name="Pilot").exists()
    error = client.post(url, {"name": "", "starts_on": "2026-05-01", "ends_on": "2026-06-30"}, **HTMX)
    assert error.status_code == 400
    assert "<html" not in html_of(error) and "Enter a name for the phase." in html_of(error)


def test_phase_end_before_start_is_refused(client_as, tenant_a) -> None:
    client = client_as(tenant_a.facilitator)
    response = client.post(
        project_url("phase_list", tenant_a),
        {"name": "Backwards", "starts_on": "2026-05-01", "ends_on": "2026-04-01"},
    )
    assert response.status_code == 400
    html = html_of(response)
    assert "A phase cannot end before it starts." in html
    assert 'value="Backwards"' in html and 'value="2026-05-01"' in html and 'value="2026-04-01"' in html
    assert 'aria-describedby="id_ends_on_helptext id_ends_on_error"' in html
    with scopes_disabled():
        assert not Phase.objects.filter(name="Backwards").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": LONG, "starts_on": "2026-01-01", "ends_on": "2026-02-01"}, "at most 120 characters"),
        ({"name": "Bad date", "starts_on": "2026-02-31", "ends_on": "2026-03-01"}, "Enter a real date."),
        ({"name": "No dates"}, "Enter the start date."),
    ],
)
def test_add_phase_error_paths(client_as, tenant_a, data, message) -> None:
    response = client_as(tenant_a.facilitator).post(project_url("phase_list", tenant_a), data)
    assert response.status_code == 400
    assert message in html_of(response)
    with scopes_disabled():
        assert not Phase.objects.filter(project=tenant_a.project).exists()


def test_edit_and_delete_phase(client_as, tenant_a) -> None:
    with scopes_disabled():
        phase = PhaseFactory(project=tenant_a.project, name="Scoping")
    client = client_as(tenant_a.facilitator)
    edit = project_url("phase_edit", tenant_a, pk=phase.pk)
    assert 'value="2026-01-01"' in html_of(client.get(edit))
    bad = client.post(edit, {"name": "Scoping", "starts_on": "2026-03-01", "ends_on": "2026-02-01"})
    assert bad.status_code == 400 and "cannot end before it starts" in html_of(bad)
    with scopes_disabled():
        assert Phase.objects.get(pk=phase.pk).starts_on == datetime.date(2026, 1, 1)
    good = client.post(
        edit, {"name": "Scoping and listening", "starts_on": "2026-01-01", "ends_on": "2026-03-31"}
    )
    assert good.status_code == 302
    with scopes_disabled():
        assert Phase.objects.get(pk=phase.pk).name == "Scoping and listening"
    assert audited(tenant_a.organisation, "projects.phase.updated") == 1
    delete = project_url("phase_delete", tenant_a, pk=phase.pk)
    confirm = client.get(delete)
    assert confirm.status_code == 200 and "Remove the phase" in html_of(confirm)
    assert client.post(delete).status_code == 302
    with scopes_disabled():
        assert not Phase.objects.filter(pk=phase.pk).exists()
    assert audited(tenant_a.organisation, "projects.phase.removed") == 1


def test_milestones(client_as, tenant_a, tenant_b) -> None:
    with scopes_disabled():
        phase = PhaseFactory(project=tenant_a.project, name="Scoping")
        other_phase = PhaseFactory(project=tenant_b.project, name="Not ours")
    client = client_as(tenant_a.facilitator)
    url = project_url("milestone_list", tenant_a)
    page = html_of(client.get(url))
    assert "Scoping" in page and "Not ours" not in page
    response = client.post(url, {"title": "Timetable agreed", "due_on": "2026-03-01", "phase": phase.pk})
    assert response.status_code == 302
    with scopes_disabled():
        milestone = Milestone.objects.get(project=tenant_a.project)
    assert milestone.phase == phase
    assert audited(tenant_a.organisation, "projects.milestone.created") == 1
    refused = client.post(url, {"title": "Sneaky", "due_on": "2026-03-01", "phase": other_phase.pk})
    assert refused.status_code == 400 and "Select a valid choice" in html_of(refused)
    assert 'value="Sneaky"' in html_of(refused)
    edit = project_url("milestone_edit", tenant_a, pk=milestone.pk)
    assert client.post(edit, {"title": "Timetable agreed", "due_on": "", "phase": ""}).status_code == 400
    assert (
        client.post(edit, {"title": "Timetable signed", "due_on": "2026-04-01", "phase": ""}).status_code
        == 302
    )
    with scopes_disabled():
        milestone.refresh_from_db()
    assert milestone.title == "Timetable signed" and milestone.phase is None
    assert client.post(project_url("milestone_delete", tenant_a, pk=milestone.pk)).status_code == 302
    with scopes_disabled():
        assert not Milestone.objects.filter(project=tenant_a.project).exists()
        assert not Milestone.objects.filter(title="Sneaky").exists()


def test_add_milestone_with_htmx(client_as, tenant_a) -> None:
    response = client_as(tenant_a.facilitator).post(
        project_url("milestone_list", tenant_a),
        {"title": "Launch", "due_on": "2026-09-01", "phase": ""},
        **HTMX,
    )
    assert response.status_code == 200
    assert "<html" not in html_of(response) and "Launch" in html_of(response)


# --- Budget (BOARD-7) ---------------------------------------------------------------------------


@pytest.mark.rule("BOARD-7")
def test_budget_is_read_only(client_as, tenant_a) -> None:
    with scopes_disabled():
        BudgetLine.objects.create(
            project=tenant_a.project, partner="Council", purpose="Venue", amount=Decimal("1000")
        )
        BudgetLine.objects.create(
            project=tenant_a.project, partner="Trust", purpose="Staff", amount=Decimal("250.50")
        )
    client = client_as(tenant_a.facilitator)
    url = project_url("budget", tenant_a)
    html = html_of(client.get(url))
    assert "£1,250.50" in html and "Venue" in html and "Staff" in html
    assert "BOARD-7" in html and "only through an agreed board decision" in html
    assert "<form" not in html.split('id="main"')[1]
    response = client.post(url, {"partner": "Me", "purpose": "Mine", "amount": "1"})
    assert response.status_code == 405
    with scopes_disabled():
        assert BudgetLine.objects.filter(project=tenant_a.project).count() == 2


# --- Project roles ----------------------------------------------------------------------------


def test_grant_and_revoke_project_role(client_as, tenant_a) -> None:
    client = client_as(tenant_a.facilitator)
    url = project_url("project_roles", tenant_a)
    member = tenant_a.member
    response = client.post(url, {"user": member.pk, "grant": "manage_project"})
    assert response.status_code == 302
    assert "manage_project" in get_perms(member, tenant_a.project)
    assert audited(tenant_a.organisation, "projects.project_role.granted") == 1
    html = html_of(client.get(url))
    assert "Project manager" in html and member.email in html
    response = client.post(
        project_url("project_role_revoke", tenant_a), {"user": member.pk, "grant": "manage_project"}
    )
    assert response.status_code == 302
    assert "manage_project" not in get_perms(member, tenant_a.project)
    assert audited(tenant_a.organisation, "projects.project_role.revoked") == 1


@pytest.mark.rule("TENANT-1")
def test_project_role_only_for_members_of_this_organisation(client_as, tenant_a, outsider) -> None:
    client = client_as(tenant_a.facilitator)
    url = project_url("project_roles", tenant_a)
    assert outsider.email not in html_of(client.get(url))
    response = client.post(url, {"user": outsider.pk, "grant": "manage_project"})
    assert response.status_code == 400
    assert "Select a valid choice" in html_of(response)
    assert get_perms(outsider, tenant_a.project) == []
    response = client.post(url, {"user": tenant_a.member.pk, "grant": "emperor"})
    assert response.status_code == 400


def test_member_with_project_manager_grant_can_edit(client_as, tenant_a) -> None:
    with scope(organisation=tenant_a.organisation):
        services.project_grant_role(
            project=tenant_a.project, user=tenant_a.member, grant="manage_project", actor=tenant_a.facilitator
        )
    client = client_as(tenant_a.member)
    assert client.get(project_url("project_edit", tenant_a)).status_code == 200
    assert client.get(project_url("project_roles", tenant_a)).status_code == 200
    assert (
        client.post(
            project_url("project_roles", tenant_a), {"user": tenant_a.member.pk, "grant": "team_project"}
        ).status_code
        == 403
    )


# --- Members and invitations --------------------------------------------------------------------


def _link_from_last_email() -> str:
    match = re.search(r"https?://[^\s]+(/invite/[^\s]+/)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


@pytest.mark.rule("TENANT-1")
def test_invitation_flow_end_to_end(client, client_as, tenant_a, django_capture_on_commit_callbacks) -> None:
    admin = client_as(tenant_a.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            org_url("member_list", tenant_a), {"email": "New.Person@Example.org", "role": "member"}
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new.person@example.org"]
    assert audited(tenant_a.organisation, "projects.invitation.created") == 1
    assert "new.person@example.org" in html_of(admin.get(org_url("member_list", tenant_a)))
    link = _link_from_last_email()
    admin.logout()

    page = client.get(link)
    assert page.status_code == 200
    assert "Join Riverside Council" in html_of(page) and "new.person@example.org" in html_of(page)

    mismatch = client.post(
        link,
        {"first_name": "New", "last_name": "Person", "password1": PASSWORD, "password2": "other-" + PASSWORD},
    )
    assert mismatch.status_code == 400 and "The two passwords are different." in html_of(mismatch)
    assert 'value="New"' in html_of(mismatch)
    weak = client.post(
        link, {"first_name": "New", "last_name": "Person", "password1": "password", "password2": "password"}
    )
    assert weak.status_code == 400 and "too common" in html_of(weak)
    assert not User.objects.filter(username="new.person@example.org").exists()

    joined = client.post(
        link, {"first_name": "New", "last_name": "Person", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert joined.status_code == 302 and joined["Location"] == org_url("dashboard", tenant_a)
    user = User.objects.get(username="new.person@example.org")
    with scopes_disabled():
        membership = OrganisationMember.objects.get(organisation=tenant_a.organisation, user=user)
    assert membership.role == Role.MEMBER
    dashboard = client.get(joined["Location"])
    assert dashboard.status_code == 200 and "Your account is ready" in html_of(dashboard)
    # The link works once.
    client.logout()
    assert client.get(link).status_code == 404


def test_invitation_links_that_do_not_work(client, tenant_a) -> None:
    with scope(organisation=tenant_a.organisation):
        invitation = services.member_invite(
            organisation=tenant_a.organisation, email="late@example.org", role="member", actor=tenant_a.admin
        )
    token = services.invitation_token(invitation)
    forged = client.get(reverse("invitation_accept", kwargs={"token": token[:-2] + "xx"}))
    assert forged.status_code == 404 and "This invitation link does not work" in html_of(forged)
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=15)):
        expired = client.get(reverse("invitation_accept", kwargs={"token": token}))
        assert expired.status_code == 404
        posted = client.post(
            reverse("invitation_accept", kwargs={"token": token}),
            {"first_name": "L", "last_name": "Ate", "password1": PASSWORD, "password2": PASSWORD},
        )
        assert posted.status_code == 404
    assert not User.objects.filter(username="late@example.org").exists()
    with scope(organisation=tenant_a.organisation):
        services.invitation_revoke(invitation=invitation, actor=tenant_a.admin)
    assert client.get(reverse("invitation_accept", kwargs={"token": token})).status_code == 404


def test_invitation_for_an_existing_account(client, client_as, tenant_a, tenant_b) -> None:
    existing = tenant_b.member  # has an account, not yet in organisation A
    with scope(organisation=tenant_a.organisation):
        invitation = services.member_invite(
            organisation=tenant_a.organisation, email=existing.email, role="auditor", actor=tenant_a.admin
        )
    url = reverse("invitation_accept", kwargs={"token": services.invitation_token(invitation)})
    anonymous = html_of(client.get(url))
    assert "Log in to join" in anonymous and f"{reverse('login')}?next={url}" in anonymous
    assert "password1" not in anonymous
    wrong = client_as(tenant_a.member)
    page = html_of(wrong.get(url))
    assert "logged in with another account" in page
    wrong.post(url)
    with scopes_disabled():
        assert not OrganisationMember.objects.filter(
            organisation=tenant_a.organisation, user=existing
        ).exists()
    right = client_as(existing)
    assert "Join Riverside Council" in html_of(right.get(url))
    response = right.post(url)
    assert response.status_code == 302 and response["Location"] == org_url("dashboard", tenant_a)
    with scopes_disabled():
        membership = OrganisationMember.objects.get(organisation=tenant_a.organisation, user=existing)
    assert membership.role == Role.AUDITOR


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not-an-email", "Enter an email address like name@example.org."),
        ("", "Enter the email address of the person to invite."),
        ("member@riverside.example.org", "already a member"),
    ],
)
def test_invite_error_paths(client_as, tenant_a, email, message) -> None:
    response = client_as(tenant_a.admin).post(
        org_url("member_list", tenant_a), {"email": email, "role": "auditor"}
    )
    assert response.status_code == 400
    html = html_of(response)
    assert message in html
    if email:
        assert f'value="{email}"' in html
    assert len(mail.outbox) == 0
    with scopes_disabled():
        assert not OrganisationInvitation.objects.filter(organisation=tenant_a.organisation).exists()


def test_duplicate_invitation_is_refused(client_as, tenant_a) -> None:
    client = client_as(tenant_a.admin)
    assert (
        client.post(
            org_url("member_list", tenant_a), {"email": "a@example.org", "role": "member"}
        ).status_code
        == 302
    )
    again = client.post(org_url("member_list", tenant_a), {"email": "a@example.org", "role": "member"})
    assert again.status_code == 400 and "already has an invitation waiting" in html_of(again)


def test_revoke_invitation(client_as, tenant_a) -> None:
    with scope(organisation=tenant_a.organisation):
        invitation = services.member_invite(
            organisation=tenant_a.organisation, email="gone@example.org", role="member", actor=tenant_a.admin
        )
    assert (
        client_as(tenant_a.facilitator)
        .post(org_url("invitation_revoke", tenant_a, pk=invitation.pk))
        .status_code
        == 403
    )
    response = client_as(tenant_a.admin).post(org_url("invitation_revoke", tenant_a, pk=invitation.pk))
    assert response.status_code == 302
    with scopes_disabled():
        assert OrganisationInvitation.objects.get(pk=invitation.pk).status == "revoked"
    assert audited(tenant_a.organisation, "projects.invitation.revoked") == 1


def test_change_role_and_remove_member(client_as, tenant_a) -> None:
    with scopes_disabled():
        membership = OrganisationMember.objects.get(organisation=tenant_a.organisation, user=tenant_a.member)
        admin_membership = OrganisationMember.objects.get(
            organisation=tenant_a.organisation, user=tenant_a.admin
        )
    client = client_as(tenant_a.admin)
    url = org_url("member_edit", tenant_a, pk=membership.pk)
    assert client_as(tenant_a.facilitator).get(url).status_code == 403
    client = client_as(tenant_a.admin)
    assert client.post(url, {"action": "role", "role": "facilitator"}).status_code == 302
    with scopes_disabled():
        assert OrganisationMember.objects.get(pk=membership.pk).role == Role.FACILITATOR
    assert audited(tenant_a.organisation, "projects.member.role_changed") == 1
    bad = client.post(url, {"action": "role", "role": "emperor"})
    assert bad.status_code == 400 and "Select a valid choice" in html_of(bad)
    # The last admin cannot step down: the refusal comes from the service.
    own = org_url("member_edit", tenant_a, pk=admin_membership.pk)
    last = client.post(own, {"action": "role", "role": "member"})
    assert last.status_code == 400 and "at least one admin" in html_of(last)
    with scopes_disabled():
        assert OrganisationMember.objects.get(pk=admin_membership.pk).role == Role.ADMIN
    assert client.post(url, {"action": "remove"}).status_code == 302
    with scopes_disabled():
        assert not OrganisationMember.objects.filter(pk=membership.pk).exists()
    assert audited(tenant_a.organisation, "projects.member.removed") == 1


# --- Proposals (SCOPE-1) --------------------------------------------------------------------------


@pytest.mark.rule("SCOPE-1")
def test_anyone_can_propose_a_project(client, tenant_a) -> None:
    url = reverse("public:proposal_form", kwargs={"org": tenant_a.organisation.slug})
    page = html_of(client.get(url))
    assert "Who is proposing this project?" in page and "Service user" in page
    response = client.post(
        url,
        {
            "title": "Benches at the bus stop",
            "summary": "Older people need somewhere to sit.",
            "initiator_type": "service_user",
            "proposer_name": "Mary Private",
            "proposer_contact": "mary@example.org",
        },
    )
    with scopes_disabled():
        proposal = ProjectProposal.objects.get(organisation=tenant_a.organisation)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "public:proposal_status", kwargs={"org": tenant_a.organisation.slug, "pk": proposal.pk}
    )
    assert proposal.initiator_type == "service_user" and proposal.proposer_name == "Mary Private"
    assert audited(tenant_a.organisation, "projects.proposal.submitted") == 1
    status = html_of(client.get(response["Location"]))
    assert "Benches at the bus stop" in status and "Waiting for a decision" in status
    assert "Mary Private" not in status and "mary@example.org" not in status


@pytest.mark.rule("SCOPE-1")
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "No initiator", "summary": "Typed"}, "Say who is proposing this project."),
        ({"title": LONG, "summary": "Typed", "initiator_type": "public"}, "at most 200 characters"),
        ({"title": "", "summary": "Typed", "initiator_type": "public"}, "Enter a title for your proposal."),
        ({"title": "Bad type", "summary": "Typed", "initiator_type": "king"}, "Select a valid choice"),
    ],
)
def test_proposal_form_error_paths(client, tenant_a, data, message) -> None:
    url = reverse("public:proposal_form", kwargs={"org": tenant_a.organisation.slug})
    response = client.post(url, data)
    assert response.status_code == 400
    html = html_of(response)
    assert message in html and "Typed" in html
    if data["title"]:
        assert data["title"] in html
    with scopes_disabled():
        assert not ProjectProposal.objects.exists()


def test_proposal_form_for_unknown_organisation_is_404(client, db) -> None:
    assert client.get(reverse("public:proposal_form", kwargs={"org": "nowhere"})).status_code == 404


def _proposal(tenant, **kwargs) -> ProjectProposal:
    with scopes_disabled():
        return ProjectProposal.objects.create(
            organisation=tenant.organisation,
            title=kwargs.pop("title", "Benches at the bus stop"),
            summary="Somewhere to sit.",
            initiator_type=kwargs.pop("initiator_type", "public"),
            proposer_name="Mary Private",
            proposer_contact="mary@example.org",
            **kwargs,
        )


@pytest.mark.rule("SCOPE-1")
def test_accept_proposal_creates_project_in_scoping(client_as, tenant_a) -> None:
    proposal = _proposal(tenant_a, initiator_type="service_user")
    client = client_as(tenant_a.facilitator)
    url = org_url("proposal_detail", tenant_a, pk=proposal.pk)
    page = html_of(client.get(url))
    assert 'value="benches-at-the-bus-stop"' in page  # web address pre-filled from the title
    assert "Mary Private" in page  # staff see who proposed; the public never does
    response = client.post(url, {"action": "accept", "accept-slug": "benches", "accept-reason": "Good idea."})
    with scopes_disabled():
        project = Project.objects.get(organisation=tenant_a.organisation, slug="benches")
        proposal.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    assert project.status == Project.Status.SCOPING and project.initiator_type == "service_user"
    assert proposal.status == "accepted" and proposal.project == project
    assert audited(tenant_a.organisation, "projects.proposal.accepted") == 1
    again = client.post(url, {"action": "decline", "decline-reason": "Changed my mind"})
    assert again.status_code == 400
    with scopes_disabled():
        proposal.refresh_from_db()
    assert proposal.status == "accepted"


@pytest.mark.rule("SCOPE-1")
@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("Bad slug!", "Use only lower-case letters"),
        ("day-service", "already uses this web address"),
        ("", "Enter a web address"),
    ],
)
def test_accept_proposal_error_paths(client_as, tenant_a, slug, message) -> None:
    proposal = _proposal(tenant_a)
    response = client_as(tenant_a.facilitator).post(
        org_url("proposal_detail", tenant_a, pk=proposal.pk),
        {"action": "accept", "accept-slug": slug, "accept-reason": "Typed reason"},
    )
    assert response.status_code == 400
    html = html_of(response)
    assert message in html and "Typed reason" in html
    with scopes_disabled():
        proposal.refresh_from_db()
        assert Project.objects.filter(organisation=tenant_a.organisation).count() == 1
    assert proposal.status == "pending"


@pytest.mark.rule("SCOPE-1")
def test_decline_proposal_publishes_reason(client, client_as, tenant_a) -> None:
    proposal = _proposal(tenant_a)
    facilitator = client_as(tenant_a.facilitator)
    url = org_url("proposal_detail", tenant_a, pk=proposal.pk)
    empty = facilitator.post(url, {"action": "decline", "decline-reason": "   "})
    assert empty.status_code == 400 and "Give the reason for declining" in html_of(empty)
    long = facilitator.post(url, {"action": "decline", "decline-reason": "y" * 6000})
    assert long.status_code == 400 and "at most 5000 characters" in html_of(long)
    with scopes_disabled():
        proposal.refresh_from_db()
    assert proposal.status == "pending"
    response = facilitator.post(
        url, {"action": "decline", "decline-reason": "The bus company owns the stops."}
    )
    assert response.status_code == 302
    with scopes_disabled():
        proposal.refresh_from_db()
    assert proposal.status == "declined"
    assert audited(tenant_a.organisation, "projects.proposal.declined") == 1
    facilitator.logout()
    public = html_of(client.get(reverse("public:proposal_form", kwargs={"org": tenant_a.organisation.slug})))
    assert "Benches at the bus stop" in public and "The bus company owns the stops." in public
    assert "Declined" in public
    assert "Mary Private" not in public and "mary@example.org" not in public


@pytest.mark.rule("SCOPE-1")
def test_proposal_pages_are_for_reviewers(client_as, tenant_a) -> None:
    proposal = _proposal(tenant_a)
    url = org_url("proposal_detail", tenant_a, pk=proposal.pk)
    auditor = html_of(client_as(tenant_a.auditor).get(url))
    assert "Benches at the bus stop" in auditor and "<textarea" not in auditor  # reads, cannot decide
    assert client_as(tenant_a.member).get(url).status_code == 403
    for user in (tenant_a.member, tenant_a.auditor):
        client = client_as(user)
        response = client.post(
            org_url("proposal_detail", tenant_a, pk=proposal.pk), {"action": "accept", "accept-slug": "x"}
        )
        assert response.status_code == 403
    with scopes_disabled():
        proposal.refresh_from_db()
    assert proposal.status == "pending"


@pytest.mark.rule("TENANT-1")
def test_public_proposal_status_of_another_organisation_is_404(client, tenant_a, tenant_b) -> None:
    proposal = _proposal(tenant_b)
    url = reverse("public:proposal_status", kwargs={"org": tenant_a.organisation.slug, "pk": proposal.pk})
    assert client.get(url).status_code == 404


# --- Audit log -----------------------------------------------------------------------------------


def test_audit_log_filters_and_pages(client_as, tenant_a) -> None:
    with scopes_disabled():
        other = ProjectFactory(organisation=tenant_a.organisation, title="Other project", slug="other")
    with scope(organisation=tenant_a.organisation):
        for number in range(55):
            services.phase_add(
                project=tenant_a.project,
                name=f"Phase {number}",
                starts_on=datetime.date(2026, 1, 1),
                ends_on=datetime.date(2026, 1, 2),
                actor=tenant_a.facilitator,
            )
        services.project_update(project=other, title="Other project renamed", actor=tenant_a.facilitator)
    client = client_as(tenant_a.auditor)
    url = org_url("audit_log", tenant_a)
    first = html_of(client.get(url))
    assert "Page 1 of 2" in first and "projects.project.updated" in first
    second = client.get(url, {"page": 2})
    assert second.status_code == 200
    only_other = html_of(client.get(url, {"project": "other"})).split("<tbody>")[1]
    assert "projects.project.updated" in only_other and "projects.phase.created" not in only_other
    assert "Phase created" in first  # readable names for action codes
    only_phases = html_of(client.get(url, {"action": "projects.phase.created"}))
    assert "projects.project.updated" not in only_phases.split("<tbody>")[1]
    assert client.get(url, {"project": "not-a-project"}).status_code == 400


def test_admin_who_steps_down_lands_on_the_dashboard(client_as, tenant_a) -> None:
    with scopes_disabled():
        MemberFactory(organisation=tenant_a.organisation, user=UserFactory(), role=Role.ADMIN)
        own = OrganisationMember.objects.get(organisation=tenant_a.organisation, user=tenant_a.admin)
    response = client_as(tenant_a.admin).post(
        org_url("member_edit", tenant_a, pk=own.pk), {"action": "role", "role": "member"}
    )
    assert response.status_code == 302 and response["Location"] == org_url("dashboard", tenant_a)
    with scopes_disabled():
        assert OrganisationMember.objects.get(pk=own.pk).role == Role.MEMBER
