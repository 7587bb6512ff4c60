"""Services for organisations, projects and proposals: the rules they enforce
and the audit trail they leave."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled
from django_scopes.exceptions import ScopeError

from coprod.errors import Conflict, NotAllowed, Refusal, RuleViolation
from coprod.rulebook import Rule
from projects import services
from projects.models import (
    AuditEvent,
    BudgetLine,
    OrganisationInvitation,
    OrganisationMember,
    Phase,
    Project,
    ProjectProposal,
    Role,
)
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db


def _events(action: str) -> int:
    with scopes_disabled():
        return AuditEvent.objects.filter(action=action).count()


# --- SCOPE-1 ------------------------------------------------------------------


@pytest.mark.rule("SCOPE-1")
def test_project_create_records_initiator_and_audits(tenant_a: Tenant, in_org_a: None) -> None:
    project = services.project_create(
        organisation=tenant_a.organisation,
        title="Community café",
        slug="community-cafe",
        initiator_type="public",
        actor=tenant_a.facilitator,
    )
    assert project.initiator_type == "public"
    assert project.status == Project.Status.PROPOSED
    event = AuditEvent.objects.get(action="projects.project.created", object_id=str(project.pk))
    assert event.actor == tenant_a.facilitator
    assert event.rule == "SCOPE-1"


@pytest.mark.rule("SCOPE-1")
@pytest.mark.parametrize("initiator", ["", "mayor", None])
def test_project_without_valid_initiator_is_refused(tenant_a: Tenant, in_org_a: None, initiator) -> None:
    before = Project.objects.count()
    with pytest.raises(RuleViolation) as refused:
        services.project_create(
            organisation=tenant_a.organisation,
            title="No initiator",
            slug="no-initiator",
            initiator_type=initiator,
            actor=tenant_a.facilitator,
        )
    assert refused.value.rule == Rule.SCOPE_1
    assert refused.value.field == "initiator_type"
    assert Project.objects.count() == before


@pytest.mark.rule("SCOPE-1")
def test_anyone_can_propose_and_facilitator_accepts_into_scoping(tenant_a: Tenant, in_org_a: None) -> None:
    proposal = services.proposal_submit(
        organisation=tenant_a.organisation,
        title="Peer support at the library",
        summary="A weekly peer-support group run by people with lived experience.",
        initiator_type="service_user",
        proposer_name="Sam",
    )
    assert proposal.status == ProjectProposal.Status.PENDING
    project = services.proposal_accept(proposal=proposal, slug="peer-support", actor=tenant_a.facilitator)
    proposal.refresh_from_db()
    assert project.status == Project.Status.SCOPING
    assert project.initiator_type == "service_user"
    assert proposal.status == ProjectProposal.Status.ACCEPTED
    assert proposal.project == project
    assert _events("projects.proposal.accepted") == 1
    with pytest.raises(Conflict):
        services.proposal_decline(proposal=proposal, reason="Too late", actor=tenant_a.facilitator)


@pytest.mark.rule("SCOPE-1")
def test_declining_needs_a_published_reason(tenant_a: Tenant, in_org_a: None) -> None:
    proposal = services.proposal_submit(
        organisation=tenant_a.organisation, title="A pool", summary="Build a pool", initiator_type="public"
    )
    with pytest.raises(RuleViolation) as refused:
        services.proposal_decline(proposal=proposal, reason="   ", actor=tenant_a.facilitator)
    assert refused.value.rule == Rule.SCOPE_1
    proposal.refresh_from_db()
    assert proposal.status == ProjectProposal.Status.PENDING
    services.proposal_decline(
        proposal=proposal, reason="The council has no land for it this year.", actor=tenant_a.facilitator
    )
    proposal.refresh_from_db()
    assert proposal.status == ProjectProposal.Status.DECLINED
    assert proposal.decision_reason == "The council has no land for it this year."


@pytest.mark.rule("SCOPE-1")
def test_members_and_auditors_cannot_decide_proposals(tenant_a: Tenant, in_org_a: None) -> None:
    proposal = services.proposal_submit(
        organisation=tenant_a.organisation, title="A bus", summary="A new bus route", initiator_type="public"
    )
    for user in (tenant_a.member, tenant_a.auditor):
        with pytest.raises(NotAllowed):
            services.proposal_accept(proposal=proposal, slug="bus", actor=user)
    assert not Project.objects.filter(slug="bus").exists()


# --- BOARD-10 and the lifecycle -----------------------------------------------


@pytest.mark.rule("BOARD-10")
def test_nobody_closes_a_project_by_hand(tenant_a: Tenant, in_org_a: None) -> None:
    for actor in (tenant_a.admin, tenant_a.facilitator):
        with pytest.raises(RuleViolation) as refused:
            services.project_change_status(project=tenant_a.project, status="closed", actor=actor)
        assert refused.value.rule == Rule.BOARD_10
        assert refused.value.refusal == Refusal.ACTOR
    tenant_a.project.refresh_from_db()
    assert tenant_a.project.status == Project.Status.SCOPING


@pytest.mark.rule("BOARD-10")
def test_status_is_not_an_ordinary_edit(tenant_a: Tenant, in_org_a: None) -> None:
    with pytest.raises(RuleViolation) as refused:
        services.project_update(project=tenant_a.project, actor=tenant_a.admin, status="closed")
    assert refused.value.rule == Rule.BOARD_10


def test_lifecycle_moves_forward_one_step(tenant_a: Tenant, in_org_a: None) -> None:
    project = services.project_change_status(
        project=tenant_a.project, status="delivery", actor=tenant_a.facilitator
    )
    assert project.status == Project.Status.DELIVERY
    with pytest.raises(Conflict):
        services.project_change_status(project=project, status="scoping", actor=tenant_a.facilitator)
    assert _events("projects.project.status_changed") == 1


def test_member_cannot_edit_project(tenant_a: Tenant, in_org_a: None) -> None:
    with pytest.raises(NotAllowed):
        services.project_update(project=tenant_a.project, actor=tenant_a.member, title="Mine now")


def test_project_manager_grant_allows_editing(tenant_a: Tenant, in_org_a: None) -> None:
    services.project_grant_role(
        project=tenant_a.project, user=tenant_a.member, grant="manage_project", actor=tenant_a.admin
    )
    services.project_update(project=tenant_a.project, actor=tenant_a.member, title="Renamed by the PM")
    tenant_a.project.refresh_from_db()
    assert tenant_a.project.title == "Renamed by the PM"
    services.project_revoke_role(
        project=tenant_a.project, user=tenant_a.member, grant="manage_project", actor=tenant_a.admin
    )
    # A fresh user object: role and permission caches live on the instance.
    with scopes_disabled():
        member = type(tenant_a.member).objects.get(pk=tenant_a.member.pk)
    with pytest.raises(NotAllowed):
        services.project_update(project=tenant_a.project, actor=member, title="Again")


def test_project_grants_count_whether_given_to_the_user_or_to_a_group(
    tenant_a: Tenant, tenant_b: Tenant, in_org_a: None
) -> None:
    from django.contrib.auth.models import Group
    from guardian.shortcuts import assign_perm

    from projects.permissions import can_edit_project, project_grants_of

    def fresh(user):  # role and grant caches live on the user object
        with scopes_disabled():
            return type(user).objects.get(pk=user.pk)

    member = tenant_a.member
    assert project_grants_of(fresh(member), tenant_a.project) == []
    # Granted the revoke-and-grant way: the same object sees the change at once.
    services.project_grant_role(
        project=tenant_a.project, user=member, grant="facilitate_project", actor=tenant_a.admin
    )
    assert can_edit_project(member, tenant_a.project)
    services.project_revoke_role(
        project=tenant_a.project, user=member, grant="facilitate_project", actor=tenant_a.admin
    )
    assert not can_edit_project(member, tenant_a.project)
    # Through a group, as django-guardian allows.
    group = Group.objects.create(name="Pilot managers")
    member.groups.add(group)
    assign_perm("projects.manage_project", group, tenant_a.project)
    assert project_grants_of(fresh(member), tenant_a.project) == ["manage_project"]
    assert can_edit_project(fresh(member), tenant_a.project)
    # A grant on another organisation's project is not one on this project.
    with scopes_disabled():
        assign_perm("projects.facilitate_project", member, tenant_b.project)
    assert project_grants_of(fresh(member), tenant_a.project) == ["manage_project"]


@pytest.mark.rule("TENANT-1")
def test_project_role_only_for_members_of_the_organisation(
    tenant_a: Tenant, tenant_b: Tenant, in_org_a: None
) -> None:
    with pytest.raises(ValidationError):
        services.project_grant_role(
            project=tenant_a.project, user=tenant_b.facilitator, grant="manage_project", actor=tenant_a.admin
        )


@pytest.mark.rule("TENANT-1")
def test_same_project_slug_allowed_in_another_organisation(tenant_a: Tenant, tenant_b: Tenant) -> None:
    # Both tenants already hold "day-service"; a second one in A is refused.
    with scope(organisation=tenant_a.organisation), pytest.raises(ValidationError) as refused:
        services.project_create(
            organisation=tenant_a.organisation,
            title="Duplicate",
            slug="day-service",
            initiator_type="staff",
            actor=tenant_a.facilitator,
        )
    assert "slug" in refused.value.message_dict
    # The error does not mention the other organisation.
    assert tenant_b.organisation.name not in str(refused.value)


# --- TEAM-1: phases; BOARD-7: budget ------------------------------------------


@pytest.mark.rule("TEAM-1")
def test_phases_are_ordered_and_dated(tenant_a: Tenant, in_org_a: None) -> None:
    first = services.phase_add(
        project=tenant_a.project,
        name="Scoping",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 3, 31),
        actor=tenant_a.facilitator,
    )
    second = services.phase_add(
        project=tenant_a.project,
        name="Co-design",
        starts_on=datetime.date(2026, 4, 1),
        ends_on=datetime.date(2026, 9, 30),
        actor=tenant_a.facilitator,
    )
    assert second.order > first.order
    assert list(Phase.objects.filter(project=tenant_a.project)) == [first, second]
    with pytest.raises(ValidationError) as refused:
        services.phase_update(phase=second, actor=tenant_a.facilitator, ends_on=datetime.date(2026, 1, 1))
    assert "ends_on" in refused.value.message_dict


def test_milestone_phase_must_belong_to_the_project(tenant_a: Tenant, tenant_b: Tenant) -> None:
    with scopes_disabled():
        foreign_phase = Phase.objects.create(
            project=tenant_b.project,
            name="Elsewhere",
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 2, 1),
        )
    with scope(organisation=tenant_a.organisation), pytest.raises(ValidationError):
        services.milestone_add(
            project=tenant_a.project,
            title="Mixed up",
            due_on=datetime.date(2026, 5, 1),
            phase=foreign_phase,
            actor=tenant_a.facilitator,
        )


@pytest.mark.rule("BOARD-7")
def test_budget_lines_are_recorded_with_their_authority(tenant_a: Tenant, in_org_a: None) -> None:
    line = services.budget_line_record(
        project=tenant_a.project,
        partner="NHS trust",
        purpose="Peer workers",
        amount=Decimal("12000.00"),
        authority="initial budget",
        actor=tenant_a.facilitator,
    )
    event = AuditEvent.objects.get(action="projects.budget_line.recorded")
    assert event.rule == "BOARD-7"
    assert event.data["authority"] == "initial budget"
    assert BudgetLine.objects.get(pk=line.pk).amount == Decimal("12000.00")
    with pytest.raises(ValidationError):
        services.budget_line_record(
            project=tenant_a.project,
            partner="NHS trust",
            purpose="Refund",
            amount=Decimal("-1"),
            authority="initial budget",
            actor=tenant_a.facilitator,
        )


# --- Members and invitations --------------------------------------------------


def test_invitation_round_trip(tenant_a: Tenant, in_org_a: None) -> None:
    invitation = services.member_invite(
        organisation=tenant_a.organisation,
        email="New.Person@Example.org",
        role="member",
        actor=tenant_a.admin,
    )
    assert invitation.email == "new.person@example.org"
    token = services.invitation_token(invitation)
    assert services.invitation_from_token(token) == invitation
    assert services.invitation_from_token(token + "x") is None
    membership = services.invitation_accept(invitation=invitation, password="a-long-passphrase-42")
    assert membership.role == Role.MEMBER
    assert membership.user.check_password("a-long-passphrase-42")
    assert services.invitation_from_token(token) is None  # used links stop working


def test_invitation_link_expires(tenant_a: Tenant, in_org_a: None, settings) -> None:
    import time_machine

    invitation = services.member_invite(
        organisation=tenant_a.organisation, email="late@example.org", role="member", actor=tenant_a.admin
    )
    token = services.invitation_token(invitation)
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(
        days=settings.INVITATION_MAX_AGE_DAYS + 1
    )
    with time_machine.travel(later):
        assert services.invitation_from_token(token) is None


def test_invitation_email_sent_after_commit(
    tenant_a: Tenant, in_org_a: None, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.member_invite(
            organisation=tenant_a.organisation,
            email="mail@example.org",
            role="facilitator",
            actor=tenant_a.admin,
        )
    assert len(mail.outbox) == 1
    assert "/invite/" in mail.outbox[0].body
    assert mail.outbox[0].to == ["mail@example.org"]


@pytest.mark.rule("TENANT-1")
def test_duplicate_checks_on_invitations_are_per_organisation(tenant_a: Tenant, tenant_b: Tenant) -> None:
    with scope(organisation=tenant_b.organisation):
        services.member_invite(
            organisation=tenant_b.organisation,
            email="shared@example.org",
            role="member",
            actor=tenant_b.admin,
        )
    with scope(organisation=tenant_a.organisation):
        invitation = services.member_invite(
            organisation=tenant_a.organisation,
            email="shared@example.org",
            role="member",
            actor=tenant_a.admin,
        )
        assert invitation.organisation == tenant_a.organisation
        with pytest.raises(ValidationError):
            services.member_invite(
                organisation=tenant_a.organisation,
                email="shared@example.org",
                role="member",
                actor=tenant_a.admin,
            )


def test_only_admins_invite(tenant_a: Tenant, in_org_a: None) -> None:
    with pytest.raises(NotAllowed):
        services.member_invite(
            organisation=tenant_a.organisation,
            email="x@example.org",
            role="admin",
            actor=tenant_a.facilitator,
        )
    assert not OrganisationInvitation.objects.exists()


def test_organisation_keeps_an_admin(tenant_a: Tenant, in_org_a: None) -> None:
    admin_membership = OrganisationMember.objects.get(organisation=tenant_a.organisation, user=tenant_a.admin)
    with pytest.raises(Conflict):
        services.member_change_role(membership=admin_membership, role="member", actor=tenant_a.admin)
    with pytest.raises(Conflict):
        services.member_remove(membership=admin_membership, actor=tenant_a.admin)


# --- TENANT-1 safety net ---------------------------------------------------------


@pytest.mark.rule("TENANT-1")
def test_queries_outside_a_scope_fail_loudly(tenant_a: Tenant) -> None:
    with pytest.raises(ScopeError):
        list(Project.objects.all())


@pytest.mark.rule("TENANT-1")
def test_scope_hides_nothing_when_filtered_but_guards_unfiltered(tenant_a: Tenant, tenant_b: Tenant) -> None:
    with scope(organisation=tenant_a.organisation):
        titles = set(
            Project.objects.filter(organisation=tenant_a.organisation).values_list("title", flat=True)
        )
    assert titles == {tenant_a.project.title}


@pytest.mark.rule("BOARD-9")
def test_cadence_thresholds_are_per_project_settings(tenant_a: Tenant, in_org_a: None) -> None:
    project = services.project_update(
        project=tenant_a.project, actor=tenant_a.facilitator, cadence_grace_days=14
    )
    assert project.cadence_grace_days == 14
    with pytest.raises(ValidationError) as refused:
        services.project_update(project=tenant_a.project, actor=tenant_a.facilitator, carry_over_limit=400)
    assert "carry_over_limit" in refused.value.message_dict
