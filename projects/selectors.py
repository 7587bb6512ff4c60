"""Reads for organisations and projects. Every query names its organisation
explicitly, even though the tenancy scope would catch a missing filter."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404
from django_scopes import scopes_disabled

from projects.models import (
    AuditEvent,
    Organisation,
    OrganisationInvitation,
    OrganisationMember,
    Project,
    ProjectProposal,
)


def organisations_for_user(user: Any) -> QuerySet[Organisation]:
    """The organisations a user belongs to, for the switcher. Spans tenants on
    purpose, filtered by the user's own memberships only."""
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    with scopes_disabled():
        ids = list(OrganisationMember.objects.filter(user=user).values_list("organisation_id", flat=True))
    return Organisation.objects.filter(pk__in=ids).order_by("name")


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


def pending_invitations(*, organisation: Organisation) -> QuerySet[OrganisationInvitation]:
    return OrganisationInvitation.objects.filter(
        organisation=organisation, status=OrganisationInvitation.Status.PENDING
    ).select_related("invited_by")


def audit_events(
    *, organisation: Organisation, project: Project | None = None, action_prefix: str = ""
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(organisation=organisation).select_related("project")
    if project is not None:
        events = events.filter(project=project)
    if action_prefix:
        events = events.filter(action__startswith=action_prefix)
    return events.order_by("-created_at", "-pk")
