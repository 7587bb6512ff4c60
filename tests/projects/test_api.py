"""REST API for organisations, members, invitations, proposals, the audit log,
projects, phases, milestones, budget lines and project roles.

Each endpoint: the allowed path (status, body, database change, audit record)
and the refused ones (anonymous 401, another organisation 404, roles that may
not write 403, bad input 400 with field errors and nothing written)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.core import mail
from django.urls import reverse
from django_scopes import scopes_disabled
from guardian.shortcuts import assign_perm
from rest_framework.test import APIClient

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
from tests.conftest import Tenant
from tests.factories import PASSWORD, MemberFactory, PhaseFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

PROJECT = "day-service"  # the slug of each tenant's project (the same in both on purpose)


def url(name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs=kwargs)


def audit(action: str, **filters: Any) -> list[AuditEvent]:
    with scopes_disabled():
        return list(AuditEvent.objects.filter(action=action, **filters))


def count(model: type) -> int:
    with scopes_disabled():
        return model.objects.count()


def reload(obj: Any) -> Any:
    with scopes_disabled():
        return type(obj).objects.get(pk=obj.pk)


def proposal_for(tenant: Tenant, **kwargs: Any) -> ProjectProposal:
    with scopes_disabled():
        return ProjectProposal.objects.create(
            organisation=tenant.organisation,
            title=kwargs.pop("title", "A community garden"),
            summary="Grow food together on the old car park.",
            initiator_type=kwargs.pop("initiator_type", "public"),
            **kwargs,
        )


def phase_for(tenant: Tenant, **kwargs: Any) -> Phase:
    with scopes_disabled():
        return PhaseFactory(project=tenant.project, **kwargs)


def milestone_for(tenant: Tenant, **kwargs: Any) -> Milestone:
    with scopes_disabled():
        return Milestone.objects.create(
            project=tenant.project, title="Pilot opens", due_on=datetime.date(2026, 9, 1), **kwargs
        )


def budget_line_for(tenant: Tenant) -> BudgetLine:
    with scopes_disabled():
        return BudgetLine.objects.create(
            project=tenant.project, partner="NHS", purpose="Room hire", amount=Decimal("1200.00")
        )


# --- Authentication ------------------------------------------------------------------


def test_token_auth_works_end_to_end(tenant_a: Tenant) -> None:
    client = APIClient()
    response = client.post(
        url("api-token"), {"username": tenant_a.admin.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert token

    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get(url("api-project-list", org=tenant_a.organisation.slug))
    assert response.status_code == 200
    assert [p["slug"] for p in response.json()["results"]] == [PROJECT]

    # A token someone made up does not work.
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get(url("api-organisation-list")).status_code == 401


def test_token_refuses_a_wrong_password(tenant_a: Tenant) -> None:
    response = APIClient().post(
        url("api-token"), {"username": tenant_a.admin.username, "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    assert "token" not in response.json()
    assert "non_field_errors" in response.json()


@pytest.mark.parametrize(
    "body",
    [
        ["not", "an", "object"],
        {"username": "x" * 100_000, "password": "x"},
        {"username": {"a": 1}, "password": "x"},
        {},
    ],
)
def test_token_bad_input_is_400(tenant_a: Tenant, body: Any) -> None:
    response = APIClient().post(url("api-token"), body, format="json")
    assert response.status_code == 400


def test_token_malformed_json_is_400(tenant_a: Tenant) -> None:
    response = APIClient().post(url("api-token"), '{"username": ', content_type="application/json")
    assert response.status_code == 400


def test_anonymous_gets_401_with_a_challenge(tenant_a: Tenant, api_as) -> None:
    for path in (url("api-organisation-list"), url("api-project-list", org=tenant_a.organisation.slug)):
        response = api_as(None).get(path)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Token"


# --- Organisations -----------------------------------------------------------------


def test_organisation_list_shows_only_mine_with_my_role(tenant_a: Tenant, tenant_b: Tenant, api_as) -> None:
    # Someone who is an auditor here and a member there sees both, each with its role.
    user = UserFactory(username="both@example.org")
    with scopes_disabled():
        MemberFactory(organisation=tenant_a.organisation, user=user, role=Role.AUDITOR)
        MemberFactory(organisation=tenant_b.organisation, user=user, role=Role.MEMBER)
    response = api_as(user).get(url("api-organisation-list"))
    assert response.status_code == 200
    rows = {row["slug"]: row["role"] for row in response.json()["results"]}
    assert rows == {"riverside": "auditor", "hillview": "member"}

    response = api_as(tenant_a.facilitator).get(url("api-organisation-list"))
    assert [(row["slug"], row["role"]) for row in response.json()["results"]] == [
        ("riverside", "facilitator")
    ]


def test_organisation_detail(tenant_a: Tenant, api_as) -> None:
    response = api_as(tenant_a.member).get(url("api-organisation-detail", org="riverside"))
    assert response.status_code == 200
    assert response.json()["name"] == "Riverside Council"
    assert response.json()["role"] == "member"


@pytest.mark.rule("TENANT-1")
def test_organisation_detail_of_another_organisation_is_404(tenant_a: Tenant, outsider, api_as) -> None:
    assert api_as(outsider).get(url("api-organisation-detail", org="riverside")).status_code == 404
    assert api_as(outsider).get(url("api-organisation-detail", org="no-such-org")).status_code == 404
    assert api_as(None).get(url("api-organisation-detail", org="riverside")).status_code == 401


# --- Members -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"), [("admin", 200), ("auditor", 200), ("facilitator", 403), ("member", 403)]
)
def test_member_list_by_role(tenant_a: Tenant, api_as, role: str, expected: int) -> None:
    response = api_as(getattr(tenant_a, role)).get(url("api-member-list", org="riverside"))
    assert response.status_code == expected
    if expected == 200:
        usernames = {row["username"] for row in response.json()["results"]}
        assert usernames == {
            f"{r}@riverside.example.org" for r in ("admin", "facilitator", "auditor", "member")
        }
    else:
        assert "detail" in response.json()


def _membership(tenant: Tenant, user: AbstractBaseUser) -> OrganisationMember:
    with scopes_disabled():
        return OrganisationMember.objects.get(organisation=tenant.organisation, user=user)


def test_member_detail_and_role_change_by_admin(tenant_a: Tenant, api_as) -> None:
    membership = _membership(tenant_a, tenant_a.member)
    path = url("api-member-detail", org="riverside", pk=membership.pk)
    assert api_as(tenant_a.auditor).get(path).json()["role"] == "member"

    response = api_as(tenant_a.admin).patch(path, {"role": "facilitator"}, format="json")
    assert response.status_code == 200
    assert response.json()["role"] == "facilitator"
    assert reload(membership).role == Role.FACILITATOR
    [event] = audit("projects.member.role_changed")
    assert event.data == {"role": ["member", "facilitator"]}
    assert event.actor == tenant_a.admin


@pytest.mark.parametrize("role", ["facilitator", "auditor", "member"])
def test_only_admins_change_roles_or_remove_members(tenant_a: Tenant, api_as, role: str) -> None:
    membership = _membership(tenant_a, tenant_a.member)
    path = url("api-member-detail", org="riverside", pk=membership.pk)
    api = api_as(getattr(tenant_a, role))
    assert api.patch(path, {"role": "admin"}, format="json").status_code == 403
    assert api.delete(path).status_code == 403
    assert reload(membership).role == Role.MEMBER
    assert audit("projects.member.role_changed") == []
    assert audit("projects.member.removed") == []


@pytest.mark.parametrize("body", [{"role": "owner"}, {"role": ""}, {}, ["admin"], {"role": ["admin"]}])
def test_member_role_change_bad_input_is_400(tenant_a: Tenant, api_as, body: Any) -> None:
    membership = _membership(tenant_a, tenant_a.member)
    response = api_as(tenant_a.admin).patch(
        url("api-member-detail", org="riverside", pk=membership.pk), body, format="json"
    )
    assert response.status_code == 400
    assert reload(membership).role == Role.MEMBER


def test_the_last_admin_cannot_be_demoted_or_removed(tenant_a: Tenant, api_as) -> None:
    membership = _membership(tenant_a, tenant_a.admin)
    path = url("api-member-detail", org="riverside", pk=membership.pk)
    api = api_as(tenant_a.admin)
    response = api.patch(path, {"role": "member"}, format="json")
    assert response.status_code == 409
    assert "admin" in response.json()["detail"]
    assert api.delete(path).status_code == 409
    assert reload(membership).role == Role.ADMIN


def test_admin_removes_a_member(tenant_a: Tenant, api_as) -> None:
    membership = _membership(tenant_a, tenant_a.member)
    response = api_as(tenant_a.admin).delete(url("api-member-detail", org="riverside", pk=membership.pk))
    assert response.status_code == 204
    with scopes_disabled():
        assert not OrganisationMember.objects.filter(pk=membership.pk).exists()
    [event] = audit("projects.member.removed")
    assert event.data["user"] == tenant_a.member.pk


@pytest.mark.rule("TENANT-1")
def test_membership_of_another_organisation_is_404(tenant_a: Tenant, tenant_b: Tenant, api_as) -> None:
    theirs = _membership(tenant_b, tenant_b.member)
    path = url("api-member-detail", org="riverside", pk=theirs.pk)
    api = api_as(tenant_a.admin)
    assert api.get(path).status_code == 404
    assert api.patch(path, {"role": "admin"}, format="json").status_code == 404
    assert api.delete(path).status_code == 404
    assert reload(theirs).role == Role.MEMBER
    # A huge id is "not found" too, never a crash.
    assert api.get(url("api-member-detail", org="riverside", pk=10**30)).status_code == 404


# --- Invitations -------------------------------------------------------------------


def test_admin_invites_by_email(tenant_a: Tenant, api_as, django_capture_on_commit_callbacks) -> None:
    # The email goes out after commit.
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(tenant_a.admin).post(
            url("api-invitation-list", org="riverside"),
            {"email": "New.Person@Example.org", "role": "auditor"},
            format="json",
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["email"] == "new.person@example.org"
    assert body["role"] == "auditor"
    assert body["status"] == "pending"
    with scopes_disabled():
        invitation = OrganisationInvitation.objects.get(pk=body["id"])
    assert invitation.organisation == tenant_a.organisation
    assert invitation.invited_by == tenant_a.admin
    [event] = audit("projects.invitation.created")
    assert event.data == {"email": "new.person@example.org", "role": "auditor"}
    [message] = mail.outbox
    assert message.to == ["new.person@example.org"]
    # The link is absolute, built from the request's host.
    assert "http://testserver/invite/" in message.body

    listed = api_as(tenant_a.auditor).get(url("api-invitation-list", org="riverside")).json()["results"]
    assert [row["email"] for row in listed] == ["new.person@example.org"]


@pytest.mark.parametrize("role", ["facilitator", "auditor", "member"])
def test_only_admins_invite(tenant_a: Tenant, api_as, role: str) -> None:
    response = api_as(getattr(tenant_a, role)).post(
        url("api-invitation-list", org="riverside"),
        {"email": "x@example.org", "role": "member"},
        format="json",
    )
    assert response.status_code == 403
    assert count(OrganisationInvitation) == 0
    assert mail.outbox == []


@pytest.mark.parametrize("role", ["facilitator", "member"])
def test_pending_invitations_are_hidden_from_others(tenant_a: Tenant, api_as, role: str) -> None:
    assert api_as(getattr(tenant_a, role)).get(url("api-invitation-list", org="riverside")).status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email", "role": "member"}, "email"),
        ({"email": "a@example.org", "role": "boss"}, "role"),
        ({"email": "a@example.org"}, "role"),
        ({"email": ("x" * 300) + "@example.org", "role": "member"}, "email"),
        ({"email": "member@riverside.example.org", "role": "member"}, "email"),  # already a member
    ],
)
def test_invitation_bad_input_is_400(tenant_a: Tenant, api_as, body: dict, field: str) -> None:
    response = api_as(tenant_a.admin).post(url("api-invitation-list", org="riverside"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert count(OrganisationInvitation) == 0


def test_admin_revokes_an_invitation(tenant_a: Tenant, api_as) -> None:
    with scopes_disabled():
        invitation = OrganisationInvitation.objects.create(
            organisation=tenant_a.organisation, email="a@example.org"
        )
    path = url("api-invitation-revoke", org="riverside", pk=invitation.pk)
    assert api_as(tenant_a.auditor).post(path).status_code == 403
    assert reload(invitation).status == "pending"

    response = api_as(tenant_a.admin).post(path)
    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    assert reload(invitation).status == "revoked"
    assert len(audit("projects.invitation.revoked")) == 1
    # Revoking twice says why it cannot.
    assert api_as(tenant_a.admin).post(path).status_code == 409


@pytest.mark.rule("TENANT-1")
def test_invitation_of_another_organisation_is_404(tenant_a: Tenant, tenant_b: Tenant, api_as) -> None:
    with scopes_disabled():
        theirs = OrganisationInvitation.objects.create(
            organisation=tenant_b.organisation, email="b@example.org"
        )
    response = api_as(tenant_a.admin).post(url("api-invitation-revoke", org="riverside", pk=theirs.pk))
    assert response.status_code == 404
    assert reload(theirs).status == "pending"


# --- Proposals (SCOPE-1) -------------------------------------------------------------


@pytest.mark.rule("SCOPE-1")
@pytest.mark.parametrize(
    ("role", "expected"), [("admin", 200), ("facilitator", 200), ("auditor", 200), ("member", 403)]
)
def test_proposal_list_by_role(tenant_a: Tenant, api_as, role: str, expected: int) -> None:
    proposal_for(tenant_a)
    response = api_as(getattr(tenant_a, role)).get(url("api-proposal-list", org="riverside"))
    assert response.status_code == expected
    if expected == 200:
        assert [row["title"] for row in response.json()["results"]] == ["A community garden"]


@pytest.mark.rule("SCOPE-1")
def test_proposal_list_filters_by_status(tenant_a: Tenant, tenant_b: Tenant, api_as) -> None:
    proposal_for(tenant_a, title="Pending one")
    proposal_for(tenant_a, title="Declined one", status="declined", decision_reason="Out of our remit.")
    proposal_for(tenant_b, title="Someone else's")
    api = api_as(tenant_a.facilitator)
    titles = [row["title"] for row in api.get(url("api-proposal-list", org="riverside")).json()["results"]]
    assert sorted(titles) == ["Declined one", "Pending one"]
    declined = api.get(url("api-proposal-list", org="riverside"), {"status": "declined"}).json()["results"]
    assert [row["title"] for row in declined] == ["Declined one"]
    assert declined[0]["decision_reason"] == "Out of our remit."
    response = api.get(url("api-proposal-list", org="riverside"), {"status": "maybe"})
    assert response.status_code == 400
    assert "status" in response.json()


@pytest.mark.rule("SCOPE-1")
def test_accepting_a_proposal_creates_the_project_in_scoping(tenant_a: Tenant, api_as) -> None:
    proposal = proposal_for(tenant_a, initiator_type="service_user")
    api = api_as(tenant_a.facilitator)
    assert api.get(url("api-proposal-detail", org="riverside", pk=proposal.pk)).json()["status"] == "pending"
    response = api.post(
        url("api-proposal-accept", org="riverside", pk=proposal.pk),
        {"slug": "community-garden", "reason": "A good fit."},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["slug"] == "community-garden"
    assert body["status"] == "scoping"
    assert body["initiator_type"] == "service_user"
    proposal = reload(proposal)
    assert proposal.status == "accepted"
    assert proposal.project.slug == "community-garden"
    assert proposal.decided_by == tenant_a.facilitator
    [event] = audit("projects.proposal.accepted")
    assert event.rule == "SCOPE-1"
    # Decided once: a second decision is a conflict.
    again = api.post(
        url("api-proposal-accept", org="riverside", pk=proposal.pk), {"slug": "again"}, format="json"
    )
    assert again.status_code == 409
    assert count(Project) == 2


@pytest.mark.rule("SCOPE-1")
@pytest.mark.parametrize("role", ["auditor", "member"])
def test_only_facilitators_and_admins_decide_proposals(tenant_a: Tenant, api_as, role: str) -> None:
    proposal = proposal_for(tenant_a)
    api = api_as(getattr(tenant_a, role))
    accept = api.post(
        url("api-proposal-accept", org="riverside", pk=proposal.pk), {"slug": "garden"}, format="json"
    )
    decline = api.post(
        url("api-proposal-decline", org="riverside", pk=proposal.pk), {"reason": "No."}, format="json"
    )
    assert (accept.status_code, decline.status_code) == (403, 403)
    assert reload(proposal).status == "pending"
    assert count(Project) == 1


@pytest.mark.rule("SCOPE-1")
@pytest.mark.parametrize(
    "body",
    [
        {"slug": "not a slug"},
        {"slug": ""},
        {},
        {"slug": "x" * 61},
        {"slug": "new"},  # reserved
        {"slug": PROJECT},  # taken in this organisation
        {"slug": "garden", "reason": "x" * 5001},
        ["garden"],
    ],
)
def test_accept_bad_input_is_400(tenant_a: Tenant, api_as, body: Any) -> None:
    proposal = proposal_for(tenant_a)
    response = api_as(tenant_a.admin).post(
        url("api-proposal-accept", org="riverside", pk=proposal.pk), body, format="json"
    )
    assert response.status_code == 400
    assert reload(proposal).status == "pending"
    assert count(Project) == 1


@pytest.mark.rule("SCOPE-1")
def test_declining_needs_a_published_reason(tenant_a: Tenant, api_as) -> None:
    proposal = proposal_for(tenant_a)
    path = url("api-proposal-decline", org="riverside", pk=proposal.pk)
    api = api_as(tenant_a.facilitator)

    response = api.post(path, {"reason": "   "}, format="json")
    assert response.status_code == 409
    assert response.json()["rule"] == "SCOPE-1"
    assert reload(proposal).status == "pending"
    assert api.post(path, {}, format="json").status_code == 400

    response = api.post(path, {"reason": "We do not run gardens."}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    assert response.json()["decision_reason"] == "We do not run gardens."
    assert reload(proposal).status == "declined"
    [event] = audit("projects.proposal.declined")
    assert event.rule == "SCOPE-1"


@pytest.mark.rule("TENANT-1")
def test_proposal_of_another_organisation_is_404(tenant_a: Tenant, tenant_b: Tenant, api_as) -> None:
    theirs = proposal_for(tenant_b)
    api = api_as(tenant_a.admin)
    assert api.get(url("api-proposal-detail", org="riverside", pk=theirs.pk)).status_code == 404
    accept = api.post(url("api-proposal-accept", org="riverside", pk=theirs.pk), {"slug": "x"}, format="json")
    decline = api.post(
        url("api-proposal-decline", org="riverside", pk=theirs.pk), {"reason": "x"}, format="json"
    )
    assert (accept.status_code, decline.status_code) == (404, 404)
    assert reload(theirs).status == "pending"


# --- Audit log ---------------------------------------------------------------------


def _seed_events(tenant_a: Tenant, tenant_b: Tenant) -> None:
    with scopes_disabled():
        other = ProjectFactory(organisation=tenant_a.organisation, slug="other")
        AuditEvent.objects.create(
            organisation=tenant_a.organisation, project=tenant_a.project, action="projects.phase.created"
        )
        AuditEvent.objects.create(
            organisation=tenant_a.organisation, project=other, action="projects.phase.created"
        )
        AuditEvent.objects.create(organisation=tenant_a.organisation, action="stakeholders.person.created")
        AuditEvent.objects.create(
            organisation=tenant_b.organisation, project=tenant_b.project, action="projects.phase.created"
        )


@pytest.mark.parametrize(
    ("role", "expected"), [("admin", 200), ("auditor", 200), ("facilitator", 403), ("member", 403)]
)
def test_audit_log_by_role(tenant_a: Tenant, tenant_b: Tenant, api_as, role: str, expected: int) -> None:
    _seed_events(tenant_a, tenant_b)
    response = api_as(getattr(tenant_a, role)).get(url("api-audit-event-list", org="riverside"))
    assert response.status_code == expected
    if expected == 200:
        # TENANT-1: organisation B's event is not here.
        assert response.json()["count"] == 3
    else:
        assert "audit log" in response.json()["detail"]


def test_audit_log_filters(tenant_a: Tenant, tenant_b: Tenant, api_as) -> None:
    _seed_events(tenant_a, tenant_b)
    api = api_as(tenant_a.auditor)
    path = url("api-audit-event-list", org="riverside")
    rows = api.get(path, {"project": PROJECT}).json()["results"]
    assert [(row["project"], row["action"]) for row in rows] == [(PROJECT, "projects.phase.created")]
    rows = api.get(path, {"action": "stakeholders."}).json()["results"]
    assert [row["action"] for row in rows] == ["stakeholders.person.created"]
    rows = api.get(path, {"action": "projects.", "project": "other"}).json()["results"]
    assert [row["project"] for row in rows] == ["other"]


@pytest.mark.parametrize(
    "params",
    [{"project": "no-such-project"}, {"project": "not a slug"}, {"action": "x" * 101}, {"action": "a\x00b"}],
)
def test_audit_log_bad_filters_are_400(tenant_a: Tenant, api_as, params: dict) -> None:
    response = api_as(tenant_a.admin).get(url("api-audit-event-list", org="riverside"), params)
    assert response.status_code == 400
    assert set(response.json()) <= {"project", "action"}


# --- Projects (SCOPE-1, BOARD-10) --------------------------------------------------


def _new_project(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "Respite care",
        "slug": "respite-care",
        "summary": "Short breaks for carers.",
        "initiator_type": "staff",
        **overrides,
    }


def test_project_list_shows_only_this_organisation(tenant_a: Tenant, tenant_b: Tenant, api_as) -> None:
    response = api_as(tenant_a.member).get(url("api-project-list", org="riverside"))
    assert response.status_code == 200
    assert [row["title"] for row in response.json()["results"]] == ["Day service riverside"]


@pytest.mark.rule("SCOPE-1")
@pytest.mark.parametrize("role", ["admin", "facilitator"])
def test_create_project(tenant_a: Tenant, api_as, role: str) -> None:
    response = api_as(getattr(tenant_a, role)).post(
        url("api-project-list", org="riverside"), _new_project(), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["slug"], body["status"], body["initiator_type"]) == ("respite-care", "proposed", "staff")
    with scopes_disabled():
        project = Project.objects.get(organisation=tenant_a.organisation, slug="respite-care")
    assert project.initiator_type == "staff"
    [event] = audit("projects.project.created", project=project)
    assert event.rule == "SCOPE-1"


def test_create_project_in_scoping(tenant_a: Tenant, api_as) -> None:
    response = api_as(tenant_a.admin).post(
        url("api-project-list", org="riverside"), _new_project(status="scoping"), format="json"
    )
    assert response.status_code == 201
    assert response.json()["status"] == "scoping"


@pytest.mark.rule("TENANT-1")
def test_same_project_slug_in_both_organisations(tenant_a: Tenant, tenant_b: Tenant, api_as) -> None:
    for tenant in (tenant_a, tenant_b):
        response = api_as(tenant.facilitator).post(
            url("api-project-list", org=tenant.organisation.slug), _new_project(), format="json"
        )
        assert response.status_code == 201
    # Each organisation's slug names its own project.
    a = api_as(tenant_a.member).get(url("api-project-detail", org="riverside", project=PROJECT)).json()
    b = api_as(tenant_b.member).get(url("api-project-detail", org="hillview", project=PROJECT)).json()
    assert (a["title"], b["title"]) == ("Day service riverside", "Day service hillview")


@pytest.mark.rule("SCOPE-1")
def test_create_project_without_initiator_is_refused(tenant_a: Tenant, api_as) -> None:
    body = _new_project()
    del body["initiator_type"]
    response = api_as(tenant_a.admin).post(url("api-project-list", org="riverside"), body, format="json")
    assert response.status_code == 400
    assert "initiator_type" in response.json()
    assert count(Project) == 1
    assert audit("projects.project.created") == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"initiator_type": "alien"}, "initiator_type"),
        ({"initiator_type": ""}, "initiator_type"),
        ({"slug": "Not a slug!"}, "slug"),
        ({"slug": "x" * 61}, "slug"),
        ({"slug": PROJECT}, "slug"),  # taken in this organisation
        ({"slug": "new"}, "slug"),  # reserved
        ({"title": "x" * 201}, "title"),
        ({"title": ""}, "title"),
        ({"title": "a\x00b"}, "title"),
        ({"title": ["a list"]}, "title"),
        ({"summary": "x" * 100_000}, "summary"),
        ({"status": "delivery"}, "status"),
        ({"status": "closed"}, "status"),
    ],
)
def test_create_project_bad_input_is_400(tenant_a: Tenant, api_as, overrides: dict, field: str) -> None:
    response = api_as(tenant_a.admin).post(
        url("api-project-list", org="riverside"), _new_project(**overrides), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert count(Project) == 1


@pytest.mark.parametrize("raw", ['["title"]', '"just a string"', "{not json", "null", "12"])
def test_create_project_with_a_body_that_is_not_an_object_is_400(tenant_a: Tenant, api_as, raw: str) -> None:
    response = api_as(tenant_a.admin).post(
        url("api-project-list", org="riverside"), raw, content_type="application/json"
    )
    assert response.status_code == 400
    assert count(Project) == 1


@pytest.mark.parametrize("role", ["auditor", "member"])
def test_create_project_refused_for_readers(tenant_a: Tenant, api_as, role: str) -> None:
    response = api_as(getattr(tenant_a, role)).post(
        url("api-project-list", org="riverside"), _new_project(), format="json"
    )
    assert response.status_code == 403
    assert count(Project) == 1


def test_project_detail_and_edit(tenant_a: Tenant, api_as) -> None:
    path = url("api-project-detail", org="riverside", project=PROJECT)
    assert api_as(tenant_a.member).get(path).json()["slug"] == PROJECT
    response = api_as(tenant_a.facilitator).patch(
        path, {"title": "Day opportunities", "initiator_type": "public"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Day opportunities"
    project = reload(tenant_a.project)
    assert (project.title, project.initiator_type) == ("Day opportunities", "public")
    [event] = audit("projects.project.updated")
    assert event.data["title"] == ["Day service riverside", "Day opportunities"]


def test_project_slug_change_moves_the_url(tenant_a: Tenant, api_as) -> None:
    api = api_as(tenant_a.admin)
    response = api.patch(
        url("api-project-detail", org="riverside", project=PROJECT), {"slug": "day-care"}, format="json"
    )
    assert response.status_code == 200
    assert api.get(url("api-project-detail", org="riverside", project="day-care")).status_code == 200
    assert api.get(url("api-project-detail", org="riverside", project=PROJECT)).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"slug": "bad slug"}, "slug"),
        ({"title": "x" * 201}, "title"),
        ({"initiator_type": "alien"}, "initiator_type"),
        ({"initiator_type": None}, "initiator_type"),
    ],
)
def test_project_edit_bad_input_is_400(tenant_a: Tenant, api_as, body: dict, field: str) -> None:
    response = api_as(tenant_a.admin).patch(
        url("api-project-detail", org="riverside", project=PROJECT), body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert reload(tenant_a.project).title == "Day service riverside"


@pytest.mark.parametrize("role", ["auditor", "member"])
def test_project_edit_refused_for_readers(tenant_a: Tenant, api_as, role: str) -> None:
    response = api_as(getattr(tenant_a, role)).patch(
        url("api-project-detail", org="riverside", project=PROJECT), {"title": "Mine now"}, format="json"
    )
    assert response.status_code == 403
    assert reload(tenant_a.project).title == "Day service riverside"


def test_project_manager_grant_allows_editing(tenant_a: Tenant, api_as) -> None:
    with scopes_disabled():
        assign_perm("projects.manage_project", tenant_a.member, tenant_a.project)
    response = api_as(tenant_a.member).patch(
        url("api-project-detail", org="riverside", project=PROJECT), {"summary": "New words."}, format="json"
    )
    assert response.status_code == 200
    assert reload(tenant_a.project).summary == "New words."


@pytest.mark.rule("BOARD-10")
@pytest.mark.parametrize("body", [{"status": "closed"}, {"status": "delivery", "title": "Also this"}])
def test_status_in_a_project_edit_is_refused_not_ignored(tenant_a: Tenant, api_as, body: dict) -> None:
    response = api_as(tenant_a.admin).patch(
        url("api-project-detail", org="riverside", project=PROJECT), body, format="json"
    )
    assert response.status_code == 403
    assert response.json()["rule"] == "BOARD-10"
    project = reload(tenant_a.project)
    assert (project.status, project.title) == ("scoping", "Day service riverside")
    assert audit("projects.project.updated") == []


@pytest.mark.rule("BOARD-10")
def test_status_moves_forward_one_step(tenant_a: Tenant, api_as) -> None:
    path = url("api-project-status", org="riverside", project=PROJECT)
    response = api_as(tenant_a.facilitator).post(path, {"status": "delivery"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "delivery"
    assert reload(tenant_a.project).status == "delivery"
    [event] = audit("projects.project.status_changed")
    assert event.data == {"status": ["scoping", "delivery"]}
    # Backwards is a conflict.
    response = api_as(tenant_a.facilitator).post(path, {"status": "scoping"}, format="json")
    assert response.status_code == 409
    assert reload(tenant_a.project).status == "delivery"


@pytest.mark.rule("BOARD-10")
@pytest.mark.parametrize("role", ["admin", "facilitator"])
def test_nobody_closes_a_project_by_hand(tenant_a: Tenant, api_as, role: str) -> None:
    response = api_as(getattr(tenant_a, role)).post(
        url("api-project-status", org="riverside", project=PROJECT), {"status": "closed"}, format="json"
    )
    assert response.status_code == 403
    body = response.json()
    assert body["rule"] == "BOARD-10"
    assert set(body) == {"rule", "detail", "evidence"}
    assert reload(tenant_a.project).status == "scoping"
    assert audit("projects.project.status_changed") == []


@pytest.mark.rule("BOARD-10")
@pytest.mark.parametrize(
    "body", [{"status": "proposed"}, {"status": "finished"}, {}, {"status": None}, ["closed"]]
)
def test_status_bad_input_is_400(tenant_a: Tenant, api_as, body: Any) -> None:
    response = api_as(tenant_a.admin).post(
        url("api-project-status", org="riverside", project=PROJECT), body, format="json"
    )
    assert response.status_code == 400
    assert reload(tenant_a.project).status == "scoping"


@pytest.mark.parametrize("role", ["auditor", "member"])
def test_status_change_refused_for_readers(tenant_a: Tenant, api_as, role: str) -> None:
    response = api_as(getattr(tenant_a, role)).post(
        url("api-project-status", org="riverside", project=PROJECT), {"status": "delivery"}, format="json"
    )
    assert response.status_code == 403
    assert reload(tenant_a.project).status == "scoping"


@pytest.mark.rule("TENANT-1")
def test_project_of_another_organisation_is_404(tenant_a: Tenant, tenant_b: Tenant, api_as) -> None:
    with scopes_disabled():
        ProjectFactory(organisation=tenant_b.organisation, slug="only-in-hillview")
    api = api_as(tenant_a.admin)
    path = url("api-project-detail", org="riverside", project="only-in-hillview")
    assert api.get(path).status_code == 404
    assert api.patch(path, {"title": "x"}, format="json").status_code == 404
    assert (
        api.post(
            url("api-project-status", org="riverside", project="only-in-hillview"),
            {"status": "delivery"},
            format="json",
        ).status_code
        == 404
    )
    # Organisation B's slug in organisation A's URL, as an outsider: 404 too.
    assert (
        api_as(tenant_b.admin).get(url("api-project-detail", org="riverside", project=PROJECT)).status_code
        == 404
    )


# --- Phases --------------------------------------------------------------------------


def test_phases_list_add_edit_remove(tenant_a: Tenant, api_as) -> None:
    api = api_as(tenant_a.facilitator)
    path = url("api-phase-list", org="riverside", project=PROJECT)
    response = api.post(
        path, {"name": "Design", "starts_on": "2026-01-01", "ends_on": "2026-03-31"}, format="json"
    )
    assert response.status_code == 201, response.json()
    phase_id = response.json()["id"]
    assert response.json()["order"] == 1
    assert len(audit("projects.phase.created")) == 1
    assert [row["name"] for row in api_as(tenant_a.member).get(path).json()["results"]] == ["Design"]

    detail = url("api-phase-detail", org="riverside", project=PROJECT, pk=phase_id)
    response = api.patch(detail, {"name": "Co-design", "ends_on": "2026-04-30"}, format="json")
    assert response.status_code == 200
    assert response.json()["name"] == "Co-design"
    with scopes_disabled():
        assert Phase.objects.get(pk=phase_id).ends_on == datetime.date(2026, 4, 30)
    assert len(audit("projects.phase.updated")) == 1

    assert api.delete(detail).status_code == 204
    assert count(Phase) == 0
    assert len(audit("projects.phase.removed")) == 1
    assert api.get(detail).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Pilot", "starts_on": "2026-05-01", "ends_on": "2026-04-01"}, "ends_on"),
        ({"name": "Pilot", "starts_on": "2026-13-01", "ends_on": "2026-04-01"}, "starts_on"),
        ({"name": "Pilot", "starts_on": "tomorrow", "ends_on": "2026-04-01"}, "starts_on"),
        ({"name": "Pilot", "starts_on": "2026-01-01"}, "ends_on"),
        ({"name": "x" * 121, "starts_on": "2026-01-01", "ends_on": "2026-04-01"}, "name"),
        ({"name": "Pilot", "starts_on": "2026-01-01", "ends_on": "2026-04-01", "order": -1}, "order"),
        ({"name": "Pilot", "starts_on": "2026-01-01", "ends_on": "2026-04-01", "order": 10**30}, "order"),
        ({"name": "Pilot", "starts_on": "2026-01-01", "ends_on": "2026-04-01", "order": "first"}, "order"),
    ],
)
def test_phase_bad_input_is_400(tenant_a: Tenant, api_as, body: dict, field: str) -> None:
    response = api_as(tenant_a.admin).post(
        url("api-phase-list", org="riverside", project=PROJECT), body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert count(Phase) == 0


@pytest.mark.parametrize("role", ["auditor", "member"])
def test_phase_writes_refused_for_readers(tenant_a: Tenant, api_as, role: str) -> None:
    phase = phase_for(tenant_a)
    api = api_as(getattr(tenant_a, role))
    body = {"name": "Pilot", "starts_on": "2026-01-01", "ends_on": "2026-04-01"}
    assert (
        api.post(url("api-phase-list", org="riverside", project=PROJECT), body, format="json").status_code
        == 403
    )
    detail = url("api-phase-detail", org="riverside", project=PROJECT, pk=phase.pk)
    assert api.patch(detail, {"name": "Mine"}, format="json").status_code == 403
    assert api.delete(detail).status_code == 403
    assert count(Phase) == 1
    assert reload(phase).name == phase.name


def test_closed_project_plan_cannot_change(tenant_a: Tenant, api_as) -> None:
    with scopes_disabled():
        Project.objects.filter(pk=tenant_a.project.pk).update(status=Project.Status.CLOSED)
    body = {"name": "Pilot", "starts_on": "2026-01-01", "ends_on": "2026-04-01"}
    response = api_as(tenant_a.admin).post(
        url("api-phase-list", org="riverside", project=PROJECT), body, format="json"
    )
    assert response.status_code == 409
    assert count(Phase) == 0


@pytest.mark.rule("TENANT-1")
def test_phase_of_another_project_is_404(tenant_a: Tenant, tenant_b: Tenant, api_as) -> None:
    theirs = phase_for(tenant_b)
    with scopes_disabled():
        sibling = PhaseFactory(project=ProjectFactory(organisation=tenant_a.organisation))
    api = api_as(tenant_a.admin)
    for phase in (theirs, sibling):
        detail = url("api-phase-detail", org="riverside", project=PROJECT, pk=phase.pk)
        assert api.get(detail).status_code == 404
        assert api.patch(detail, {"name": "Taken"}, format="json").status_code == 404
        assert api.delete(detail).status_code == 404
        assert reload(phase).name == phase.name


# --- Milestones ------------------------------------------------------------------------


def test_milestones_list_add_edit_remove(tenant_a: Tenant, api_as) -> None:
    phase = phase_for(tenant_a)
    api = api_as(tenant_a.facilitator)
    path = url("api-milestone-list", org="riverside", project=PROJECT)
    response = api.post(
        path, {"title": "Pilot opens", "due_on": "2026-06-01", "phase": phase.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["phase"], body["completed_on"]) == (phase.pk, None)
    assert len(audit("projects.milestone.created")) == 1
    assert [row["title"] for row in api_as(tenant_a.member).get(path).json()["results"]] == ["Pilot opens"]

    detail = url("api-milestone-detail", org="riverside", project=PROJECT, pk=body["id"])
    response = api.patch(detail, {"phase": None, "due_on": "2026-07-01"}, format="json")
    assert response.status_code == 200
    with scopes_disabled():
        milestone = Milestone.objects.get(pk=body["id"])
    assert (milestone.phase, milestone.due_on) == (None, datetime.date(2026, 7, 1))
    assert len(audit("projects.milestone.updated")) == 1

    assert api.delete(detail).status_code == 204
    assert count(Milestone) == 0
    assert len(audit("projects.milestone.removed")) == 1


@pytest.mark.rule("TENANT-1")
def test_milestone_phase_must_belong_to_this_project(tenant_a: Tenant, tenant_b: Tenant, api_as) -> None:
    theirs = phase_for(tenant_b)
    with scopes_disabled():
        sibling = PhaseFactory(project=ProjectFactory(organisation=tenant_a.organisation))
    api = api_as(tenant_a.admin)
    path = url("api-milestone-list", org="riverside", project=PROJECT)
    messages = set()
    for phase_id in (theirs.pk, sibling.pk, 999_999):
        response = api.post(
            path, {"title": "Pilot", "due_on": "2026-06-01", "phase": phase_id}, format="json"
        )
        assert response.status_code == 400
        messages.add(tuple(response.json()["phase"]))
    # The same words whether the phase exists elsewhere or not at all.
    assert messages == {("Choose a phase of this project.",)}
    assert count(Milestone) == 0

    milestone = milestone_for(tenant_a)
    detail = url("api-milestone-detail", org="riverside", project=PROJECT, pk=milestone.pk)
    assert api.patch(detail, {"phase": theirs.pk}, format="json").status_code == 400
    assert reload(milestone).phase is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "Pilot", "due_on": "2026-06-01", "phase": "first"}, "phase"),
        ({"title": "Pilot", "due_on": "2026-06-01", "phase": 10**30}, "phase"),
        ({"title": "Pilot", "due_on": "2026-06-01", "phase": {"id": 1}}, "phase"),
        ({"title": "Pilot", "due_on": "2026-06-01", "phase": True}, "phase"),
        ({"title": "Pilot"}, "due_on"),
        ({"title": "x" * 201, "due_on": "2026-06-01"}, "title"),
        ({"title": "Pilot", "due_on": "2026-06-01", "description": "x" * 2001}, "description"),
    ],
)
def test_milestone_bad_input_is_400(tenant_a: Tenant, api_as, body: dict, field: str) -> None:
    response = api_as(tenant_a.admin).post(
        url("api-milestone-list", org="riverside", project=PROJECT), body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert count(Milestone) == 0


def test_milestone_completion_is_not_writable(tenant_a: Tenant, api_as) -> None:
    milestone = milestone_for(tenant_a)
    api_as(tenant_a.admin).patch(
        url("api-milestone-detail", org="riverside", project=PROJECT, pk=milestone.pk),
        {"completed_on": "2026-01-01"},
        format="json",
    )
    # GROUP-8: the Overview Group reviews a milestone before it completes.
    assert reload(milestone).completed_on is None


@pytest.mark.parametrize("role", ["auditor", "member"])
def test_milestone_writes_refused_for_readers(tenant_a: Tenant, api_as, role: str) -> None:
    milestone = milestone_for(tenant_a)
    api = api_as(getattr(tenant_a, role))
    body = {"title": "Pilot", "due_on": "2026-06-01"}
    assert (
        api.post(url("api-milestone-list", org="riverside", project=PROJECT), body, format="json").status_code
        == 403
    )
    detail = url("api-milestone-detail", org="riverside", project=PROJECT, pk=milestone.pk)
    assert api.patch(detail, {"title": "Mine"}, format="json").status_code == 403
    assert api.delete(detail).status_code == 403
    assert count(Milestone) == 1
    assert reload(milestone).title == "Pilot opens"


@pytest.mark.rule("TENANT-1")
def test_milestone_of_another_organisation_is_404(tenant_a: Tenant, tenant_b: Tenant, api_as) -> None:
    theirs = milestone_for(tenant_b)
    api = api_as(tenant_a.admin)
    detail = url("api-milestone-detail", org="riverside", project=PROJECT, pk=theirs.pk)
    assert api.get(detail).status_code == 404
    assert api.patch(detail, {"title": "Taken"}, format="json").status_code == 404
    assert api.delete(detail).status_code == 404
    assert reload(theirs).title == "Pilot opens"


# --- Budget lines (BOARD-7) ------------------------------------------------------------


@pytest.mark.rule("BOARD-7")
def test_budget_lines_are_readable(tenant_a: Tenant, api_as) -> None:
    line = budget_line_for(tenant_a)
    api = api_as(tenant_a.member)
    rows = api.get(url("api-budget-line-list", org="riverside", project=PROJECT)).json()["results"]
    assert [(row["partner"], row["amount"]) for row in rows] == [("NHS", "1200.00")]
    detail = api.get(url("api-budget-line-detail", org="riverside", project=PROJECT, pk=line.pk))
    assert detail.status_code == 200
    assert detail.json()["purpose"] == "Room hire"


@pytest.mark.rule("BOARD-7")
@pytest.mark.parametrize("role", ["admin", "facilitator"])
def test_budget_lines_cannot_be_changed_through_the_api(tenant_a: Tenant, api_as, role: str) -> None:
    line = budget_line_for(tenant_a)
    api = api_as(getattr(tenant_a, role))
    body = {"partner": "Council", "purpose": "Staff", "amount": "50000.00"}
    list_path = url("api-budget-line-list", org="riverside", project=PROJECT)
    detail = url("api-budget-line-detail", org="riverside", project=PROJECT, pk=line.pk)
    attempts = [
        api.post(list_path, body, format="json"),
        api.put(detail, body, format="json"),
        api.patch(detail, {"amount": "1.00"}, format="json"),
        api.delete(detail),
    ]
    # A refusal that names the rule and the way to do it (a board item), not a 405.
    assert [r.status_code for r in attempts] == [403] * 4
    assert {r.json()["rule"] for r in attempts} == {"BOARD-7"}
    assert all("bodies/board/items/" in r.json()["detail"] for r in attempts)
    assert len(audit("refused.projects.budget_write_refused", rule="BOARD-7")) == 4
    assert count(BudgetLine) == 1
    assert reload(line).amount == Decimal("1200.00")


@pytest.mark.rule("TENANT-1")
def test_budget_line_of_another_organisation_is_404(tenant_a: Tenant, tenant_b: Tenant, api_as) -> None:
    theirs = budget_line_for(tenant_b)
    response = api_as(tenant_a.admin).get(
        url("api-budget-line-detail", org="riverside", project=PROJECT, pk=theirs.pk)
    )
    assert response.status_code == 404


# --- Per-project roles -----------------------------------------------------------------


def test_grant_list_and_revoke_a_project_role(tenant_a: Tenant, api_as) -> None:
    api = api_as(tenant_a.facilitator)
    path = url("api-project-role-list", org="riverside", project=PROJECT)
    response = api.post(path, {"user": tenant_a.member.pk, "grant": "manage_project"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["grants"] == ["manage_project"]
    with scopes_disabled():
        assert tenant_a.member.has_perm("projects.manage_project", tenant_a.project)
    [event] = audit("projects.project_role.granted")
    assert event.data == {"user": tenant_a.member.pk, "grant": "manage_project", "authority": ""}

    rows = api_as(tenant_a.member).get(path).json()["results"]
    assert rows == [
        {
            "user": tenant_a.member.pk,
            "username": tenant_a.member.username,
            "name": tenant_a.member.get_full_name(),
            "grants": ["manage_project"],
        }
    ]

    response = api.post(
        url("api-project-role-revoke", org="riverside", project=PROJECT),
        {"user": tenant_a.member.pk, "grant": "manage_project"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["grants"] == []
    with scopes_disabled():
        fresh = type(tenant_a.member).objects.get(pk=tenant_a.member.pk)
        assert not fresh.has_perm("projects.manage_project", tenant_a.project)
    assert len(audit("projects.project_role.revoked")) == 1
    assert api.get(path).json()["results"] == []


@pytest.mark.rule("TENANT-1")
def test_project_role_for_a_user_of_another_organisation_is_400_without_a_hint(
    tenant_a: Tenant, tenant_b: Tenant, api_as
) -> None:
    api = api_as(tenant_a.admin)
    path = url("api-project-role-list", org="riverside", project=PROJECT)
    theirs = api.post(path, {"user": tenant_b.member.pk, "grant": "team_project"}, format="json")
    nobody = api.post(path, {"user": 999_999, "grant": "team_project"}, format="json")
    assert theirs.status_code == nobody.status_code == 400
    # Same answer whether the account exists elsewhere or not at all.
    assert theirs.json() == nobody.json() == {"user": ["Choose a member of this organisation."]}
    with scopes_disabled():
        assert not tenant_b.member.has_perm("projects.team_project", tenant_a.project)
    assert audit("projects.project_role.granted") == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"user": "someone", "grant": "team_project"}, "user"),
        ({"user": 10**30, "grant": "team_project"}, "user"),
        ({"user": None, "grant": "team_project"}, "user"),
        ({"grant": "team_project"}, "user"),
        ({"user": 1, "grant": "superuser"}, "grant"),
        ({"user": 1}, "grant"),
    ],
)
def test_project_role_bad_input_is_400(tenant_a: Tenant, api_as, body: dict, field: str) -> None:
    response = api_as(tenant_a.admin).post(
        url("api-project-role-list", org="riverside", project=PROJECT), body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("role", ["auditor", "member"])
def test_project_roles_given_only_by_admins_and_facilitators(tenant_a: Tenant, api_as, role: str) -> None:
    response = api_as(getattr(tenant_a, role)).post(
        url("api-project-role-list", org="riverside", project=PROJECT),
        {"user": tenant_a.member.pk, "grant": "manage_project"},
        format="json",
    )
    assert response.status_code == 403
    with scopes_disabled():
        assert not tenant_a.member.has_perm("projects.manage_project", tenant_a.project)


# --- Refusals common to every endpoint ---------------------------------------------------


def _every_tenant_path(tenant: Tenant) -> list[str]:
    """One URL per API view under orgs/<org>/, with real ids of `tenant`."""
    phase = phase_for(tenant)
    milestone = milestone_for(tenant)
    line = budget_line_for(tenant)
    proposal = proposal_for(tenant)
    with scopes_disabled():
        invitation = OrganisationInvitation.objects.create(
            organisation=tenant.organisation, email="z@example.org"
        )
    membership = _membership(tenant, tenant.member)
    org = tenant.organisation.slug
    return [
        url("api-organisation-detail", org=org),
        url("api-member-list", org=org),
        url("api-member-detail", org=org, pk=membership.pk),
        url("api-invitation-list", org=org),
        url("api-invitation-revoke", org=org, pk=invitation.pk),
        url("api-proposal-list", org=org),
        url("api-proposal-detail", org=org, pk=proposal.pk),
        url("api-proposal-accept", org=org, pk=proposal.pk),
        url("api-proposal-decline", org=org, pk=proposal.pk),
        url("api-audit-event-list", org=org),
        url("api-project-list", org=org),
        url("api-project-detail", org=org, project=PROJECT),
        url("api-project-status", org=org, project=PROJECT),
        url("api-phase-list", org=org, project=PROJECT),
        url("api-phase-detail", org=org, project=PROJECT, pk=phase.pk),
        url("api-milestone-list", org=org, project=PROJECT),
        url("api-milestone-detail", org=org, project=PROJECT, pk=milestone.pk),
        url("api-budget-line-list", org=org, project=PROJECT),
        url("api-budget-line-detail", org=org, project=PROJECT, pk=line.pk),
        url("api-project-role-list", org=org, project=PROJECT),
        url("api-project-role-revoke", org=org, project=PROJECT),
    ]


@pytest.mark.rule("TENANT-1")
def test_every_endpoint_refuses_anonymous_and_outsiders(tenant_a: Tenant, tenant_b: Tenant, api_as) -> None:
    paths = _every_tenant_path(tenant_a)
    with scopes_disabled():
        before = (Project.objects.count(), Phase.objects.count(), AuditEvent.objects.count())
    for path in paths:
        for method in ("get", "post", "patch", "delete"):
            anonymous = getattr(api_as(None), method)(path, {"title": "x"}, format="json")
            assert anonymous.status_code == 401, f"{method} {path}"
            outsider = getattr(api_as(tenant_b.admin), method)(path, {"title": "x"}, format="json")
            assert outsider.status_code == 404, f"{method} {path}"
            assert outsider.json() == {"detail": "Not found."}
    with scopes_disabled():
        assert (Project.objects.count(), Phase.objects.count(), AuditEvent.objects.count()) == before


def test_no_such_organisation_or_project_is_404(tenant_a: Tenant, api_as) -> None:
    api = api_as(tenant_a.admin)
    assert api.get(url("api-project-list", org="nowhere")).status_code == 404
    assert api.get(url("api-phase-list", org="riverside", project="nothing-here")).status_code == 404
    assert api.get(url("api-phase-detail", org="riverside", project=PROJECT, pk=10**30)).status_code == 404
