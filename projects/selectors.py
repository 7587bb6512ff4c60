"""Reads for organisations and projects. Every query names its organisation
explicitly, even though the tenancy scope would catch a missing filter."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from guardian.ctypes import get_content_type
from guardian.shortcuts import get_users_with_perms
from guardian.utils import get_user_obj_perms_model

from projects.models import (
    AuditEvent,
    Flag,
    Organisation,
    OrganisationInvitation,
    OrganisationMember,
    Project,
    ProjectProposal,
)
from projects.permissions import PROJECT_GRANTS


def organisations_for_user(user: Any) -> QuerySet[Organisation]:
    """The organisations a user belongs to, for the switcher. Spans tenants on
    purpose, filtered by the user's own memberships only."""
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    return Organisation.objects.filter(members__user=user).order_by("name")


def project_list(*, organisation: Organisation) -> QuerySet[Project]:
    return (
        Project.objects.filter(organisation=organisation)
        .select_related("organisation")
        .annotate(group_count=Count("stakeholder_groups", distinct=True))
        .order_by("title")
    )


def project_get(*, organisation: Organisation, slug: str) -> Project:
    """The project, or 404 (also for another organisation's slug)."""
    return get_object_or_404(
        Project.objects.select_related("organisation"), organisation=organisation, slug=slug
    )


def proposal_list(*, organisation: Organisation, status: str | None = None) -> QuerySet[ProjectProposal]:
    proposals = ProjectProposal.objects.filter(organisation=organisation).select_related("project")
    if status:
        proposals = proposals.filter(status=status)
    return proposals.order_by("-created_at")


def published_proposal_decisions(*, organisation: Organisation) -> QuerySet[ProjectProposal]:
    """Decided proposals, for the public page: title, outcome and reason only."""
    return (
        ProjectProposal.objects.filter(organisation=organisation)
        .exclude(status=ProjectProposal.Status.PENDING)
        .select_related("project")
        .order_by("-decided_at")
    )


def member_list(*, organisation: Organisation) -> QuerySet[OrganisationMember]:
    return (
        OrganisationMember.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )


def member_users(*, organisation: Organisation) -> QuerySet:
    """The accounts of the organisation's members: whom a person record, a
    project role or an invitation may name (TENANT-1)."""
    members = OrganisationMember.objects.filter(organisation=organisation).values("user_id")
    return get_user_model().objects.filter(pk__in=members)


def project_role_holders(*, project: Project) -> list[tuple[Any, list[str]]]:
    """Everyone holding a per-project grant directly (not through a group),
    with the codenames held, ordered by username. One query whatever the
    number of holders: guardian's `get_users_with_perms(attach_perms=True)`
    would ask for each holder's permissions separately."""
    permission_model = get_user_obj_perms_model(project)
    if permission_model.objects.is_generic():
        on_project: dict[str, Any] = {"content_type": get_content_type(project), "object_pk": str(project.pk)}
    else:
        on_project = {"content_object": project}
    users: dict[int, Any] = {}
    grants: dict[int, set[str]] = {}
    for row in permission_model.objects.filter(
        **on_project, permission__codename__in=list(PROJECT_GRANTS)
    ).select_related("user", "permission"):
        users[row.user_id] = row.user
        grants.setdefault(row.user_id, set()).add(row.permission.codename)
    rows = [(users[pk], sorted(codenames)) for pk, codenames in grants.items()]
    return sorted(rows, key=lambda row: row[0].get_username())


def project_grant_users(*, project: Project) -> QuerySet:
    """Accounts whose grants on the project can be taken away: the
    organisation's members, and anyone still holding a grant there (e.g.
    someone who has since left the organisation)."""
    holders = get_users_with_perms(project, with_group_users=False).values("pk")
    members = OrganisationMember.objects.filter(organisation=project.organisation).values("user_id")
    return get_user_model().objects.filter(Q(pk__in=members) | Q(pk__in=holders))


def pending_invitations(*, organisation: Organisation) -> QuerySet[OrganisationInvitation]:
    return OrganisationInvitation.objects.filter(
        organisation=organisation, status=OrganisationInvitation.Status.PENDING
    ).select_related("invited_by")


def invitation_get(*, organisation: Organisation, pk: int) -> OrganisationInvitation:
    """Any invitation of the organisation, whatever its status (so that
    revoking a used one can say why it is refused), or 404 (TENANT-1)."""
    return get_object_or_404(
        OrganisationInvitation.objects.select_related("invited_by"), organisation=organisation, pk=pk
    )


def audit_events(
    *, organisation: Organisation, project: Project | None = None, action_prefix: str = ""
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(organisation=organisation).select_related("project")
    if project is not None:
        events = events.filter(project=project)
    if action_prefix:
        events = events.filter(action__startswith=action_prefix)
    return events.order_by("-created_at", "-pk")


def flags(
    *,
    organisation: Organisation,
    project: Project | None = None,
    kind: str = "",
    include_resolved: bool = False,
) -> QuerySet[Flag]:
    """Flags of the organisation (or one project), newest first; open ones
    unless resolved ones are asked for."""
    found = Flag.objects.filter(organisation=organisation).select_related("project")
    if project is not None:
        found = found.filter(project=project)
    if kind:
        found = found.filter(kind=kind)
    if not include_resolved:
        found = found.filter(resolved_at__isnull=True)
    return found.order_by("-opened_at", "-pk")
