"""Every URL pattern of the project, found from the resolver (not a hand
list), with its kwargs filled from real objects of one organisation. Used by
the tenancy tests so that a new endpoint is covered the moment it exists."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver
from django_scopes import scopes_disabled

from boards.models import AgendaItem, Body, DecisionEntry, ImplementationUpdate, Meeting, Seat
from disputes.models import Dispute, StageRecord
from projects.models import (
    AuditEvent,
    BudgetLine,
    Milestone,
    OrganisationInvitation,
    OrganisationMember,
    ProjectProposal,
)
from stakeholders.models import GroupInvitation, Person, PublicInput, StakeholderGroup
from tests.conftest import Tenant
from tests.factories import PersonFactory, PhaseFactory

# The path segment before `<int:pk>` says which kind of object the id names.
# A new kind of endpoint fails the walk until it is added here, on purpose.
PK_MODELS: dict[str, type[models.Model]] = {
    "phases": PhaseFactory._meta.model,
    "milestones": Milestone,
    "budget-lines": BudgetLine,
    "stakeholders": StakeholderGroup,
    "stakeholder-groups": StakeholderGroup,
    "people": Person,
    "members": OrganisationMember,
    "invitations": OrganisationInvitation,
    "proposals": ProjectProposal,
    "audit-events": AuditEvent,
    "propose": ProjectProposal,
    "seats": Seat,
    "meetings": Meeting,
    "items": AgendaItem,
    "ledger": DecisionEntry,
    "decisions": DecisionEntry,
    "entries": DecisionEntry,
    "implementation": ImplementationUpdate,
    "disputes": Dispute,
    "stages": StageRecord,
    "inputs": PublicInput,
    "group-invitations": GroupInvitation,
}

# URL names that anyone may open without an account.
PUBLIC_NAMES = {
    "home",
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "invitation_accept",
    "api-token",
    "api-schema",
    "api-docs",
}
PUBLIC_NAMESPACES = {"public", "public_boards", "public_project"}

_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Route:
    route: str
    name: str
    namespace: str

    @property
    def qualified_name(self) -> str:
        return f"{self.namespace}:{self.name}" if self.namespace else self.name

    @property
    def is_public(self) -> bool:
        return self.namespace in PUBLIC_NAMESPACES or self.name in PUBLIC_NAMES

    @property
    def is_tenant(self) -> bool:
        return "<slug:org>" in self.route

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")


def all_routes() -> Iterator[Route]:
    """Every routed pattern except Django admin (support staff only; covered
    by its own test) and regex patterns of third-party apps."""

    def walk(patterns: list, prefix: str, namespace: str) -> Iterator[Route]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue
                ns = pattern.namespace or namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if route.startswith("^") or "(?P" in route:
                    # Regex patterns: DRF format suffixes and the like.
                    continue
                yield Route(route=route, name=pattern.name or "", namespace=namespace)

    yield from walk(get_resolver().url_patterns, "", "")


@dataclass
class TenantObjects:
    """At least one object of every kind a URL can name, in one organisation."""

    ids: dict[type[models.Model], int]


def build_objects(tenant: Tenant) -> TenantObjects:
    with scopes_disabled():
        project = tenant.project
        organisation = tenant.organisation
        phase = PhaseFactory(project=project)
        milestone = Milestone.objects.create(
            project=project, title="Pilot opens", due_on=datetime.date(2026, 9, 1)
        )
        line = BudgetLine.objects.create(
            project=project, partner="NHS", purpose="Rent", amount=Decimal("1000")
        )
        person = PersonFactory(organisation=organisation)
        invitation = OrganisationInvitation.objects.create(
            organisation=organisation, email=f"new@{organisation.slug}.example.org"
        )
        proposal = ProjectProposal.objects.create(
            organisation=organisation, title="A garden", summary="Grow food together", initiator_type="public"
        )
        membership = OrganisationMember.objects.filter(organisation=organisation, user=tenant.member).get()
        group = StakeholderGroup.objects.filter(project=project).first()
        event = AuditEvent.objects.create(organisation=organisation, project=project, action="tests.seeded")
        board = Body.objects.get(project=project, kind="board")
        seat = Seat.objects.create(
            body=board,
            person=person,
            capacity="carer",
            stakeholder_group=group,
            term_start=datetime.date(2026, 1, 1),
        )
        meeting = Meeting.objects.create(
            body=board,
            scheduled_at=datetime.datetime(2026, 2, 1, 18, 0, tzinfo=datetime.UTC),
            place="Library",
        )
        item = AgendaItem.objects.create(body=board, title="Open on Saturdays")
        from django.db import transaction

        from boards.ledger import ledger_append

        with transaction.atomic():
            entry = ledger_append(item=item, outcome="agreed", content={"tally": {"for": 1}})
        update = ImplementationUpdate.objects.create(entry=entry, status="in_progress")
        dispute = Dispute.objects.create(body=board, subject="conduct", summary="How meetings are run")
        stage = StageRecord.objects.create(
            dispute=dispute,
            order=1,
            kind="facilitated_discussion",
            started_on=datetime.date(2026, 2, 1),
            due_on=datetime.date(2026, 2, 15),
        )
        public_input = PublicInput.objects.filter(project=project).first()
        group_invitation = GroupInvitation.objects.create(
            project=project, stakeholder_group=group, channel="letter", sent_on=datetime.date(2026, 1, 5)
        )
        return TenantObjects(
            ids={
                phase._meta.model: phase.pk,
                Milestone: milestone.pk,
                BudgetLine: line.pk,
                Person: person.pk,
                OrganisationInvitation: invitation.pk,
                ProjectProposal: proposal.pk,
                OrganisationMember: membership.pk,
                StakeholderGroup: group.pk,
                AuditEvent: event.pk,
                Seat: seat.pk,
                Meeting: meeting.pk,
                AgendaItem: item.pk,
                DecisionEntry: entry.pk,
                ImplementationUpdate: update.pk,
                Dispute: dispute.pk,
                StageRecord: stage.pk,
                PublicInput: public_input.pk,
                GroupInvitation: group_invitation.pk,
            }
        )


def fill(route: Route, tenant: Tenant, objects: TenantObjects) -> str:
    """The concrete path for a route, naming the tenant's own objects."""
    segments = route.route.split("/")
    path_parts: list[str] = []
    for index, segment in enumerate(segments):
        match = _PARAM.fullmatch(segment)
        if not match:
            path_parts.append(segment)
            continue
        name = match.group("name")
        if name == "org":
            path_parts.append(tenant.organisation.slug)
        elif name == "project":
            path_parts.append(tenant.project.slug)
        elif name == "pk":
            # The nearest literal segment before the id names its kind.
            kind = next(seg for seg in reversed(segments[:index]) if not _PARAM.fullmatch(seg))
            if kind not in PK_MODELS:
                raise AssertionError(
                    f"{route.qualified_name} ({route.route}): add `{kind}` to PK_MODELS so the "
                    "tenancy walk can name a real object"
                )
            path_parts.append(str(objects.ids[PK_MODELS[kind]]))
        elif name == "kind":
            path_parts.append("board")
        elif name == "sequence":
            path_parts.append("1")
        elif name == "token":
            path_parts.append("not-a-valid-token")
        else:
            raise AssertionError(f"{route.qualified_name}: unknown URL parameter <{name}>")
    return "/" + "/".join(path_parts)


def snapshot() -> dict[str, int]:
    """Row counts of every model: a cheap 'nothing changed' check."""
    from django.apps import apps

    counts: dict[str, int] = {}
    with scopes_disabled():
        for model in apps.get_models():
            counts[model._meta.label] = model._base_manager.count()
    return counts
