"""Writes for organisations, memberships, invitations, projects, their plans
and public proposals. Each service checks who is asking and the rules, writes
in one transaction with its audit record, and sends mail after commit."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from coprod.audit import audit_record, refusals_audited
from coprod.errors import Conflict, NotAllowed, Refusal, RuleViolation
from coprod.rulebook import Rule
from coprod.services import RESERVED_SLUGS, apply_changes, delete_unless_referenced, require
from projects import permissions
from projects.models import (
    BudgetLine,
    InitiatorType,
    Milestone,
    NotificationPreference,
    Organisation,
    OrganisationInvitation,
    OrganisationMember,
    Phase,
    Project,
    ProjectProposal,
    Role,
)

User = get_user_model()
INVITATION_SALT = "coprod.invitation"


# --- Organisations and members -------------------------------------------


@transaction.atomic
def organisation_create(*, name: str, slug: str, actor: AbstractBaseUser) -> Organisation:
    """Create an organisation with `actor` as its first admin."""
    organisation = Organisation(name=name, slug=slug)
    organisation.full_clean()
    organisation.save()
    OrganisationMember.objects.create(organisation=organisation, user=actor, role=Role.ADMIN)
    audit_record(
        organisation=organisation, actor=actor, action="projects.organisation.created", obj=organisation
    )
    return organisation


def invitation_token(invitation: OrganisationInvitation) -> str:
    return signing.dumps({"invitation": invitation.pk}, salt=INVITATION_SALT)


def invitation_from_token(token: str) -> OrganisationInvitation | None:
    """The pending invitation a signed link points to, or None when the link is
    forged, expired, used or revoked."""
    max_age = datetime.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    try:
        payload = signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    from django_scopes import scopes_disabled

    # The link arrives before we know the organisation: look it up by its
    # signed primary key, which only we could have issued.
    with scopes_disabled():
        return (
            OrganisationInvitation.objects.select_related("organisation")
            .filter(pk=payload.get("invitation"), status=OrganisationInvitation.Status.PENDING)
            .first()
        )


def member_invite(
    *, organisation: Organisation, email: str, role: str, actor: AbstractBaseUser, base_url: str = ""
) -> OrganisationInvitation:
    """Invite someone by email to join the organisation with a role (TENANT-1:
    duplicates are checked within this organisation only)."""
    require(
        permissions.can_manage_members(actor, organisation), "Only organisation admins can invite people."
    )
    email = email.strip().lower()
    if role not in Role.values:
        raise ValidationError({"role": "Choose a valid role."})
    with transaction.atomic():
        if OrganisationMember.objects.filter(organisation=organisation, user__email__iexact=email).exists():
            raise ValidationError({"email": "Someone with this email is already a member."})
        if OrganisationInvitation.objects.filter(
            organisation=organisation, email=email, status=OrganisationInvitation.Status.PENDING
        ).exists():
            raise ValidationError({"email": "This email already has an invitation waiting."})
        invitation = OrganisationInvitation(
            organisation=organisation, email=email, role=role, invited_by=actor
        )
        invitation.full_clean()
        invitation.save()
        audit_record(
            organisation=organisation,
            actor=actor,
            action="projects.invitation.created",
            obj=invitation,
            data={"email": email, "role": role},
        )
        link = base_url + reverse("invitation_accept", kwargs={"token": invitation_token(invitation)})
        transaction.on_commit(
            lambda: send_mail(
                subject=f"You are invited to join {organisation.name} on coprod",
                message=(
                    f"Hello,\n\n{organisation.name} has invited you to join coprod as "
                    f"{Role(role).label.lower()}.\n\nFollow this link to set your password and "
                    f"join. It works for {settings.INVITATION_MAX_AGE_DAYS} days:\n{link}\n\n"
                    "If you did not expect this, you can ignore this email.\n"
                ),
                from_email=None,
                recipient_list=[email],
            )
        )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: OrganisationInvitation, actor: AbstractBaseUser) -> None:
    require(permissions.can_manage_members(actor, invitation.organisation))
    if invitation.status != OrganisationInvitation.Status.PENDING:
        raise Conflict("Only a pending invitation can be revoked.")
    invitation.status = OrganisationInvitation.Status.REVOKED
    invitation.save(update_fields=["status"])
    audit_record(
        organisation=invitation.organisation,
        actor=actor,
        action="projects.invitation.revoked",
        obj=invitation,
    )


@transaction.atomic
def invitation_accept(
    *,
    invitation: OrganisationInvitation,
    user: AbstractBaseUser | None = None,
    first_name: str = "",
    last_name: str = "",
    password: str = "",
) -> OrganisationMember:
    """Join the organisation. With no logged-in `user`, create the account for
    the invited email with the password given."""
    invitation = OrganisationInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != OrganisationInvitation.Status.PENDING:
        raise Conflict("This invitation has already been used or was revoked.")
    if user is not None and (user.email or "").strip().lower() != invitation.email:
        raise Conflict("This invitation was sent to another email address: log in with that account.")
    if user is None:
        if User.objects.filter(
            Q(username__iexact=invitation.email) | Q(email__iexact=invitation.email)
        ).exists():
            raise Conflict("An account with this email exists: log in first, then open the link again.")
        user = User(
            username=invitation.email, email=invitation.email, first_name=first_name, last_name=last_name
        )
        user.set_password(password)
        user.save()
    membership, _ = OrganisationMember.objects.get_or_create(
        organisation=invitation.organisation, user=user, defaults={"role": invitation.role}
    )
    invitation.status = OrganisationInvitation.Status.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["status", "accepted_at", "accepted_by"])
    audit_record(
        organisation=invitation.organisation,
        actor=user,
        action="projects.invitation.accepted",
        obj=invitation,
        data={"role": membership.role},
    )
    return membership


@transaction.atomic
def member_change_role(
    *, membership: OrganisationMember, role: str, actor: AbstractBaseUser
) -> OrganisationMember:
    """Give a member another role; an organisation always keeps an admin."""
    organisation = membership.organisation
    require(permissions.can_manage_members(actor, organisation), "Only organisation admins can change roles.")
    if role not in Role.values:
        raise ValidationError({"role": "Choose a valid role."})
    # Lock the admins so two admins demoting each other at once cannot leave none.
    admins = list(
        OrganisationMember.objects.select_for_update().filter(organisation=organisation, role=Role.ADMIN)
    )
    if membership.role == Role.ADMIN and role != Role.ADMIN and len(admins) <= 1:
        raise Conflict("The organisation needs at least one admin.")
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        organisation=organisation,
        actor=actor,
        action="projects.member.role_changed",
        obj=membership,
        data={"role": [old, role]},
    )
    return membership


@transaction.atomic
def member_remove(*, membership: OrganisationMember, actor: AbstractBaseUser) -> None:
    organisation = membership.organisation
    require(
        permissions.can_manage_members(actor, organisation), "Only organisation admins can remove members."
    )
    admins = OrganisationMember.objects.select_for_update().filter(organisation=organisation, role=Role.ADMIN)
    if membership.role == Role.ADMIN and admins.count() <= 1:
        raise Conflict("The organisation needs at least one admin.")
    audit_record(
        organisation=organisation,
        actor=actor,
        action="projects.member.removed",
        obj=membership,
        data={"user": membership.user_id, "role": membership.role},
    )
    membership.delete()


# --- Projects -------------------------------------------------------------


def _validate_project_slug(organisation: Organisation, slug: str, *, exclude_pk: int | None = None) -> None:
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": f"“{slug}” is reserved; choose another web address."})
    clash = Project.objects.filter(organisation=organisation, slug=slug)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"slug": "Another project of this organisation already uses this web address."})


@refusals_audited
def project_create(
    *,
    organisation: Organisation,
    title: str,
    slug: str,
    initiator_type: str,
    summary: str = "",
    actor: AbstractBaseUser,
    status: str = Project.Status.PROPOSED,
) -> Project:
    """SCOPE-1: every project records who initiated it."""
    require(
        permissions.can_create_project(actor, organisation),
        "Only admins and facilitators can create projects.",
    )
    if initiator_type not in InitiatorType.values:
        raise RuleViolation(Rule.SCOPE_1, "Say who initiated this project.", field="initiator_type")
    if status not in {Project.Status.PROPOSED, Project.Status.SCOPING}:
        raise Conflict("A new project starts as proposed or in scoping.")
    with transaction.atomic():
        _validate_project_slug(organisation, slug)
        project = Project(
            organisation=organisation,
            title=title,
            slug=slug,
            summary=summary,
            initiator_type=initiator_type,
            status=status,
        )
        project.full_clean()
        project.save()
        audit_record(
            organisation=organisation,
            project=project,
            actor=actor,
            action="projects.project.created",
            obj=project,
            rule=Rule.SCOPE_1,
            data={"initiator_type": initiator_type, "status": status},
        )
    return project


PROJECT_THRESHOLD_FIELDS = {
    "cadence_grace_days",
    "carry_over_limit",
    "implementation_days",
    "input_answer_days",
    "term_warning_days",
}
PROJECT_EDITABLE_FIELDS = {"title", "slug", "summary", "initiator_type", *PROJECT_THRESHOLD_FIELDS}


@refusals_audited
@transaction.atomic
def project_update(*, project: Project, actor: AbstractBaseUser, **changes: Any) -> Project:
    """Edit a project's description. Its status is not an edit: see
    `project_change_status` (BOARD-10 reserves closing for the board)."""
    require(permissions.can_edit_project(actor, project), "You cannot edit this project.")
    if "status" in changes:
        raise RuleViolation(
            Rule.BOARD_10,
            "A project's status changes through its lifecycle actions; only a board decision closes it.",
            refusal=Refusal.ACTOR,
            field="status",
        )
    if "initiator_type" in changes and changes["initiator_type"] not in InitiatorType.values:
        raise RuleViolation(Rule.SCOPE_1, "Say who initiated this project.", field="initiator_type")
    # The cadence checks' thresholds (BOARD-9, GROUP-6, TEAM-3, TEAM-9).
    bad = {
        field: "Give a whole number of days from 0 to 365."
        for field in PROJECT_THRESHOLD_FIELDS & set(changes)
        if not isinstance(changes[field], int)
        or isinstance(changes[field], bool)
        or not 0 <= changes[field] <= 365
    }
    if bad:
        raise ValidationError(bad)
    if "slug" in changes and changes["slug"] != project.slug:
        _validate_project_slug(project.organisation, changes["slug"], exclude_pk=project.pk)
    diff = apply_changes(project, changes, PROJECT_EDITABLE_FIELDS)
    if diff:
        project.full_clean()
        project.save()
        audit_record(
            organisation=project.organisation,
            project=project,
            actor=actor,
            action="projects.project.updated",
            obj=project,
            data=diff,
        )
    return project


# Checks other apps add to a lifecycle step, keeping imports one-way: for
# example stakeholders adds the scoping checks (SCOPE-2, SCOPE-3) to
# scoping → delivery. A guard raises RuleViolation to refuse the step.
STATUS_GUARDS: dict[tuple[str, str], list[Callable[[Project], None]]] = {}

# Forward-only lifecycle. Closing is absent on purpose: BOARD-10.
_NEXT_STATUS = {
    Project.Status.PROPOSED: Project.Status.SCOPING,
    Project.Status.SCOPING: Project.Status.DELIVERY,
}


@refusals_audited
@transaction.atomic
def project_change_status(*, project: Project, status: str, actor: AbstractBaseUser) -> Project:
    """BOARD-10: nobody closes a project by hand; only an agreed board
    decision does. Otherwise the lifecycle moves one step forward:
    proposed → scoping → delivery."""
    require(permissions.can_edit_project(actor, project), "You cannot change this project's status.")
    project = Project.objects.select_for_update().get(pk=project.pk)
    if status == Project.Status.CLOSED:
        raise RuleViolation(
            Rule.BOARD_10,
            "Only an agreed Project Board decision can close a project: propose a "
            "“close the project” item to the board instead.",
            refusal=Refusal.ACTOR,
        )
    if status not in Project.Status.values:
        raise ValidationError({"status": "Choose a valid status."})
    if _NEXT_STATUS.get(project.status) != status:
        raise Conflict(
            f"A project in {project.get_status_display().lower()} cannot move to "
            f"{Project.Status(status).label.lower()}."
        )
    for guard in STATUS_GUARDS.get((project.status, status), []):
        guard(project)
    old = project.status
    project.status = status
    project.save(update_fields=["status", "updated_at"])
    audit_record(
        organisation=project.organisation,
        project=project,
        actor=actor,
        action="projects.project.status_changed",
        obj=project,
        data={"status": [old, status]},
    )
    return project


def _require_open(project: Project) -> None:
    if not project.is_open:
        raise Conflict("This project is closed; its plan can no longer change.")


def board_governs(project: Project) -> bool:
    """Once the Project Board is active (or suspended, waiting to be restored)
    it holds finance, personnel and the plan: nobody changes them directly."""
    return project.bodies.filter(kind="board", status__in=("active", "suspended")).exists()


def _check_authority(authority: Any, project: Project) -> None:
    """`authority` must be an agreed decision of this project's board."""
    if not (
        getattr(authority, "outcome", None) == "agreed"
        and getattr(getattr(authority, "body", None), "kind", None) == "board"
        and getattr(authority, "project_id", None) == project.pk
    ):
        raise Conflict("Only an agreed decision of this project's board can make this change.")


def _gate(project: Project, actor: Any, *, authority: Any, rule: Rule, what: str) -> None:
    """Who may change finance, personnel or the plan (BOARD-7, BOARD-1): while
    the board is forming, the project's facilitators set things up; once it
    governs, only an agreed board decision (`authority`) does."""
    if authority is not None:
        _check_authority(authority, project)
        return
    require(permissions.can_edit_project(actor, project), "You cannot change this project's plan.")
    if board_governs(project):
        raise RuleViolation(
            rule,
            f"{what} is decided by the Project Board. Propose it as a board item instead; "
            "it takes effect when the board agrees it.",
            refusal=Refusal.ACTOR,
        )


def _plan_entry_update(
    entry: Phase | Milestone,
    changes: dict[str, Any],
    fields: set[str],
    clean: Callable[[Any], None],
    actor: Any,
    authority: Any,
) -> Any:
    """Change a phase or milestone (BOARD-1 gate), audited as
    `projects.<model>.updated`."""
    project = entry.project
    _gate(project, actor, authority=authority, rule=Rule.BOARD_1, what="A change to the plan")
    _require_open(project)
    diff = apply_changes(entry, changes, fields)
    if diff:
        clean(entry)
        entry.save()
        audit_record(
            organisation=project.organisation,
            project=project,
            actor=actor,
            action=f"projects.{entry._meta.model_name}.updated",
            obj=entry,
            data=diff,
        )
    return entry


def _plan_entry_remove(entry: Phase | Milestone, data: dict[str, Any], actor: Any, authority: Any) -> None:
    """Remove a phase or milestone (BOARD-1 gate), audited as
    `projects.<model>.removed`."""
    project = entry.project
    _gate(project, actor, authority=authority, rule=Rule.BOARD_1, what="A change to the plan")
    _require_open(project)
    audit_record(
        organisation=project.organisation,
        project=project,
        actor=actor,
        action=f"projects.{entry._meta.model_name}.removed",
        obj=entry,
        data=data,
    )
    # A milestone the Overview Group has reviewed keeps its reviews (GROUP-8): refuse, not a 500.
    delete_unless_referenced(entry, f"“{entry}”")


@refusals_audited
def phase_add(
    *,
    project: Project,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    description: str = "",
    order: int | None = None,
    actor: AbstractBaseUser | None,
    authority: Any = None,
) -> Phase:
    """TEAM-1: phases are the stages against which involvement is planned.
    BOARD-1: once the board governs, the plan changes only by its decision."""
    _gate(project, actor, authority=authority, rule=Rule.BOARD_1, what="A change to the plan")
    _require_open(project)
    with transaction.atomic():
        if order is None:
            last = project.phases.order_by("-order").values_list("order", flat=True).first()
            order = (last or 0) + 1
        phase = Phase(
            project=project,
            name=name,
            description=description,
            order=order,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        _clean_phase(phase)
        phase.save()
        audit_record(
            organisation=project.organisation,
            project=project,
            actor=actor,
            action="projects.phase.created",
            obj=phase,
            data={"starts_on": str(starts_on), "ends_on": str(ends_on)},
        )
    return phase


def _clean_phase(phase: Phase) -> None:
    if phase.starts_on and phase.ends_on and phase.ends_on < phase.starts_on:
        raise ValidationError({"ends_on": "A phase cannot end before it starts."})
    phase.full_clean()


@refusals_audited
@transaction.atomic
def phase_update(
    *, phase: Phase, actor: AbstractBaseUser | None, authority: Any = None, **changes: Any
) -> Phase:
    """BOARD-1: see `phase_add`."""
    return _plan_entry_update(
        phase,
        changes,
        {"name", "description", "order", "starts_on", "ends_on"},
        _clean_phase,
        actor,
        authority,
    )


@refusals_audited
@transaction.atomic
def phase_remove(*, phase: Phase, actor: AbstractBaseUser | None, authority: Any = None) -> None:
    """BOARD-1: see `phase_add`."""
    _plan_entry_remove(phase, {"name": phase.name}, actor, authority)


def _clean_milestone(milestone: Milestone) -> None:
    if milestone.phase_id is not None and milestone.phase.project_id != milestone.project_id:
        raise ValidationError({"phase": "Choose a phase of this project."})
    milestone.full_clean()


@refusals_audited
def milestone_add(
    *,
    project: Project,
    title: str,
    due_on: datetime.date,
    phase: Phase | None = None,
    description: str = "",
    actor: AbstractBaseUser | None,
    authority: Any = None,
) -> Milestone:
    """BOARD-1: see `phase_add`."""
    _gate(project, actor, authority=authority, rule=Rule.BOARD_1, what="A change to the plan")
    _require_open(project)
    with transaction.atomic():
        milestone = Milestone(
            project=project, title=title, due_on=due_on, phase=phase, description=description
        )
        _clean_milestone(milestone)
        milestone.save()
        audit_record(
            organisation=project.organisation,
            project=project,
            actor=actor,
            action="projects.milestone.created",
            obj=milestone,
            data={"due_on": str(due_on)},
        )
    return milestone


@refusals_audited
@transaction.atomic
def milestone_update(
    *, milestone: Milestone, actor: AbstractBaseUser | None, authority: Any = None, **changes: Any
) -> Milestone:
    """BOARD-1: change a milestone's wording or date (see `phase_add`).
    Completion is not an edit: the Overview Group reviews a milestone before
    it completes (GROUP-8)."""
    return _plan_entry_update(
        milestone, changes, {"title", "description", "due_on", "phase"}, _clean_milestone, actor, authority
    )


@refusals_audited
@transaction.atomic
def milestone_remove(*, milestone: Milestone, actor: AbstractBaseUser | None, authority: Any = None) -> None:
    """BOARD-1: see `phase_add`."""
    _plan_entry_remove(milestone, {"title": milestone.title}, actor, authority)


@refusals_audited
@transaction.atomic
def budget_line_record(
    *,
    project: Project,
    partner: str,
    purpose: str,
    amount: Decimal,
    authority: Any,
    actor: AbstractBaseUser | None,
) -> BudgetLine:
    """BOARD-7: budget lines change only through an agreed board decision.
    No view calls this; it is called by the service that applies an agreed
    `budget_change` decision (`authority` is the decision) and, while the
    board is still forming, by the initial budget of a new project
    (`authority` is a text saying so, kept in the audit log)."""
    _require_open(project)
    if isinstance(authority, str):
        if board_governs(project):
            raise RuleViolation(
                Rule.BOARD_7,
                "The budget is the Project Board's: propose a budget change item.",
                refusal=Refusal.ACTOR,
            )
    else:
        _check_authority(authority, project)
    line = BudgetLine(project=project, partner=partner, purpose=purpose, amount=amount)
    line.full_clean()
    line.save()
    audit_record(
        organisation=project.organisation,
        project=project,
        actor=actor,
        action="projects.budget_line.recorded",
        obj=line,
        rule=Rule.BOARD_7,
        data={"amount": str(amount), "authority": _authority_label(authority)},
    )
    return line


def _authority_label(authority: Any) -> str:
    if isinstance(authority, str):
        return authority
    return f"board decision #{authority.sequence}"


@refusals_audited
@transaction.atomic
def budget_line_change(
    *, line: BudgetLine, authority: Any, actor: AbstractBaseUser | None, **changes: Any
) -> BudgetLine:
    """BOARD-7: only an agreed board decision changes a budget line."""
    _check_authority(authority, line.project)
    _require_open(line.project)
    diff = apply_changes(line, changes, {"partner", "purpose", "amount"})
    if diff:
        line.full_clean()
        line.save()
        audit_record(
            organisation=line.project.organisation,
            project=line.project,
            actor=actor,
            action="projects.budget_line.changed",
            obj=line,
            rule=Rule.BOARD_7,
            data={**diff, "authority": _authority_label(authority)},
        )
    return line


@refusals_audited
@transaction.atomic
def budget_line_remove(*, line: BudgetLine, authority: Any, actor: AbstractBaseUser | None) -> None:
    """BOARD-7: only an agreed board decision removes a budget line."""
    _check_authority(authority, line.project)
    _require_open(line.project)
    audit_record(
        organisation=line.project.organisation,
        project=line.project,
        actor=actor,
        action="projects.budget_line.removed",
        obj=line,
        rule=Rule.BOARD_7,
        data={"amount": str(line.amount), "authority": _authority_label(authority)},
    )
    line.delete()


@refusals_audited
@transaction.atomic
def project_close_by_decision(*, project: Project, authority: Any, actor: AbstractBaseUser | None) -> Project:
    """BOARD-10: the one way a project closes: an agreed `close_project`
    decision of its board."""
    _check_authority(authority, project)
    if getattr(authority.item, "kind", None) != "close_project":
        raise Conflict("Only a decision to close the project can close it.")
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status == Project.Status.CLOSED:
        return project
    old = project.status
    project.status = Project.Status.CLOSED
    project.save(update_fields=["status", "updated_at"])
    audit_record(
        organisation=project.organisation,
        project=project,
        actor=actor,
        action="projects.project.closed",
        obj=project,
        rule=Rule.BOARD_10,
        data={"status": [old, "closed"], "authority": _authority_label(authority)},
    )
    return project


# --- Per-project grants (django-guardian) -----------------------------------

PERSONNEL_GRANTS = {"manage_project", "team_project"}


def _personnel_gate(project: Project, actor: Any, grant: str, authority: Any) -> None:
    if authority is not None and grant in PERSONNEL_GRANTS:
        _check_authority(authority, project)
        return
    require(
        permissions.can_manage_project_roles(actor, project),
        "Only admins and facilitators can change project roles.",
    )
    if grant in PERSONNEL_GRANTS and board_governs(project):
        raise RuleViolation(
            Rule.BOARD_7,
            "Project-team appointments are decided by the Project Board. Propose a personnel item instead.",
            refusal=Refusal.ACTOR,
        )


@refusals_audited
@transaction.atomic
def project_grant_role(
    *,
    project: Project,
    user: AbstractBaseUser,
    grant: str,
    actor: AbstractBaseUser | None,
    authority: Any = None,
) -> None:
    """Give a member of the organisation a role on one project (project
    manager, project team, facilitator of this project). BOARD-7: once the
    board governs, project-team appointments take effect only through its
    decision (`authority`)."""
    if grant not in permissions.PROJECT_GRANTS:
        raise ValidationError({"grant": "Choose a valid project role."})
    _personnel_gate(project, actor, grant, authority)
    if permissions.role_in(user, project.organisation) is None:
        raise ValidationError({"user": "Only members of this organisation can hold a project role."})
    assign_perm(f"projects.{grant}", user, project)
    permissions.forget_grants(user, project)
    audit_record(
        organisation=project.organisation,
        project=project,
        actor=actor,
        action="projects.project_role.granted",
        obj=project,
        rule=Rule.BOARD_7 if grant in PERSONNEL_GRANTS else None,
        data={
            "user": user.pk,
            "grant": grant,
            "authority": _authority_label(authority) if authority is not None else "",
        },
    )


@refusals_audited
@transaction.atomic
def project_revoke_role(
    *,
    project: Project,
    user: AbstractBaseUser,
    grant: str,
    actor: AbstractBaseUser | None,
    authority: Any = None,
) -> None:
    """BOARD-7: see `project_grant_role`."""
    if grant not in permissions.PROJECT_GRANTS:
        raise ValidationError({"grant": "Choose a valid project role."})
    _personnel_gate(project, actor, grant, authority)
    remove_perm(f"projects.{grant}", user, project)
    permissions.forget_grants(user, project)
    audit_record(
        organisation=project.organisation,
        project=project,
        actor=actor,
        action="projects.project_role.revoked",
        obj=project,
        rule=Rule.BOARD_7 if grant in PERSONNEL_GRANTS else None,
        data={
            "user": user.pk,
            "grant": grant,
            "authority": _authority_label(authority) if authority is not None else "",
        },
    )


# --- Public proposals (SCOPE-1) ---------------------------------------------


@refusals_audited
@transaction.atomic
def proposal_submit(
    *,
    organisation: Organisation,
    title: str,
    summary: str,
    initiator_type: str,
    proposer_name: str = "",
    proposer_contact: str = "",
) -> ProjectProposal:
    """SCOPE-1: anyone, without an account, can propose a project; they say
    in which capacity they propose it."""
    if initiator_type not in InitiatorType.values:
        raise RuleViolation(Rule.SCOPE_1, "Say who is proposing this project.", field="initiator_type")
    proposal = ProjectProposal(
        organisation=organisation,
        title=title,
        summary=summary,
        initiator_type=initiator_type,
        proposer_name=proposer_name,
        proposer_contact=proposer_contact,
    )
    proposal.full_clean()
    proposal.save()
    audit_record(
        organisation=organisation,
        actor=None,
        action="projects.proposal.submitted",
        obj=proposal,
        rule=Rule.SCOPE_1,
        data={"initiator_type": initiator_type},
    )
    return proposal


def _lock_pending(proposal: ProjectProposal) -> ProjectProposal:
    proposal = ProjectProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != ProjectProposal.Status.PENDING:
        raise Conflict(f"This proposal was already {proposal.get_status_display().lower()}.")
    return proposal


def proposal_accept(
    *, proposal: ProjectProposal, slug: str, reason: str = "", actor: AbstractBaseUser
) -> Project:
    """SCOPE-1: accepting a proposal creates the project in scoping, keeping
    the proposer's initiator type."""
    require(
        permissions.can_review_proposals(actor, proposal.organisation),
        "Only facilitators can decide proposals.",
    )
    with transaction.atomic():
        proposal = _lock_pending(proposal)
        project = project_create(
            organisation=proposal.organisation,
            title=proposal.title,
            slug=slug,
            summary=proposal.summary,
            initiator_type=proposal.initiator_type,
            status=Project.Status.SCOPING,
            actor=actor,
        )
        proposal.status = ProjectProposal.Status.ACCEPTED
        proposal.decision_reason = reason
        proposal.decided_by = actor
        proposal.decided_at = timezone.now()
        proposal.project = project
        proposal.save()
        audit_record(
            organisation=proposal.organisation,
            project=project,
            actor=actor,
            action="projects.proposal.accepted",
            obj=proposal,
            rule=Rule.SCOPE_1,
        )
    return project


@refusals_audited
@transaction.atomic
def proposal_decline(*, proposal: ProjectProposal, reason: str, actor: AbstractBaseUser) -> ProjectProposal:
    """SCOPE-1: a declined proposal carries a reason, published on the
    organisation's proposals page."""
    require(
        permissions.can_review_proposals(actor, proposal.organisation),
        "Only facilitators can decide proposals.",
    )
    if not reason.strip():
        raise RuleViolation(Rule.SCOPE_1, "Give the reason for declining: it is published.", field="reason")
    proposal = _lock_pending(proposal)
    proposal.status = ProjectProposal.Status.DECLINED
    proposal.decision_reason = reason.strip()
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.full_clean()
    proposal.save()
    audit_record(
        organisation=proposal.organisation,
        actor=actor,
        action="projects.proposal.declined",
        obj=proposal,
        rule=Rule.SCOPE_1,
        data={"reason": proposal.decision_reason},
    )
    return proposal


@transaction.atomic
def member_set_notifications(
    *, membership: OrganisationMember, preference: str, actor: AbstractBaseUser
) -> None:
    """Each member chooses, per organisation, how they hear about flags:
    every email, a daily digest, or none (flags still show in the browser)."""
    if membership.user_id != actor.pk:
        raise NotAllowed("You can only choose your own notifications.")
    if preference not in NotificationPreference.values:
        raise ValidationError({"notifications": "Choose every email, a daily digest or none."})
    old = membership.notifications
    membership.notifications = preference
    membership.save(update_fields=["notifications"])
    audit_record(
        organisation=membership.organisation,
        actor=actor,
        action="projects.member.notifications_changed",
        obj=membership,
        data={"notifications": [old, preference]},
    )
