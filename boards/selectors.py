"""Reads for bodies, seats and meetings, batched so that a page or a report
costs a fixed number of queries whatever the number of seats."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from boards.composition import (
    Composition,
    SeatFacts,
    Violation,
    compose,
    required_non_professional,
    upcoming_breaches,
    violations,
)
from boards.models import Attendance, Body, BodyKind, Meeting, MeetingStatus, Seat
from projects.models import Organisation, Phase, Project
from stakeholders.models import StakeholderGroup


def body_get(*, project: Project, kind: str) -> Body:
    """The project's body of this kind, or 404 (also for an unknown kind)."""
    if kind not in BodyKind.values:
        raise Http404("No such body.")
    body = get_object_or_404(Body, project=project, kind=kind)
    body.project = project  # the caller's project, organisation loaded: no second look-up
    return body


def body_lookup(
    *, organisation: Organisation, project_slug: str, kind: str, through: str = ""
) -> dict[str, Any]:
    """Filters for the body of this kind of the organisation's project with
    this slug, seen from a model that reaches it `through` a relation
    (e.g. "body__" from an item); 404 for a kind that is not a body's."""
    if kind not in BodyKind.values:
        raise Http404("No such body.")
    return {
        f"{through}project__organisation": organisation,
        f"{through}project__slug": project_slug,
        f"{through}kind": kind,
    }


def body_in(*, organisation: Organisation, project_slug: str, kind: str) -> Body:
    """The body of this kind of the organisation's project with this slug,
    with its project, in one query; 404 for anything else (TENANT-1)."""
    body = get_object_or_404(
        Body.objects.select_related("project"),
        **body_lookup(organisation=organisation, project_slug=project_slug, kind=kind),
    )
    body.project.organisation = organisation
    return body


def own_open_seat(seats: QuerySet[Seat], user: Any, day: datetime.date | None = None) -> Seat | None:
    """The user's own open seat among these seats, active on `day` (today)."""
    if not getattr(user, "is_authenticated", False):
        return None
    day = day or timezone.localdate()
    # Ordered here by term alone: the model's ordering starts with the body,
    # which sorts by project title and joins the project just for that.
    for seat in (
        seats.filter(is_open=True, person__user=user).select_related("person").order_by("term_start", "pk")
    ):
        if seat.active_on(day):
            return seat
    return None


def own_seat_in(*, user: Any, organisation: Organisation, project_slug: str, kind: str) -> Seat | None:
    """The user's own open seat on the body of this kind of the
    organisation's project with this slug, with the body and its project, in
    one query (TENANT-1); None if they hold none there. A vote starts here:
    for a seat holder this one query finds both the body and the seat."""
    seats = Seat.objects.select_related("body__project").filter(
        **body_lookup(organisation=organisation, project_slug=project_slug, kind=kind, through="body__")
    )
    seat = own_open_seat(seats, user)
    if seat is not None:
        seat.body.project.organisation = organisation
    return seat


def seats_of(body: Body) -> QuerySet[Seat]:
    return (
        Seat.objects.filter(body=body)
        .select_related("person", "stakeholder_group", "phase")
        .order_by("-is_open", "person__name", "pk")
    )


def meetings_of(body: Body) -> QuerySet[Meeting]:
    return Meeting.objects.filter(body=body).order_by("-scheduled_at", "-pk")


def upcoming_meetings(body: Body) -> QuerySet[Meeting]:
    return Meeting.objects.filter(
        body=body, status=MeetingStatus.SCHEDULED, scheduled_at__gte=timezone.now()
    ).order_by("scheduled_at")


def seat_get(*, body: Body, pk: int) -> Seat:
    return get_object_or_404(
        Seat.objects.select_related("person", "body__project__organisation"), body=body, pk=pk
    )


def meeting_get(*, body: Body, pk: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.select_related("body__project__organisation").prefetch_related(
            Prefetch(
                "attendance",
                queryset=Attendance.objects.select_related("seat__person"),
            )
        ),
        body=body,
        pk=pk,
    )


@dataclass
class BodyState:
    """Everything the body page shows about composition, computed once."""

    body: Body
    seats: list[Seat]
    today: datetime.date
    composition: Composition
    required_non_professional: int
    violations: list[Violation]
    upcoming: list[tuple[datetime.date, Violation]]
    group_names: dict[int, str]
    seats_by_capacity: dict[str, int] = field(default_factory=dict)

    @property
    def active_seats(self) -> list[Seat]:
        return [seat for seat in self.seats if seat.is_open and seat.active_on(self.today)]

    @property
    def planned_seats(self) -> list[Seat]:
        return [seat for seat in self.seats if seat.is_open and seat.term_start > self.today]

    @property
    def past_seats(self) -> list[Seat]:
        return [
            seat for seat in self.seats if not seat.is_open or (seat.term_end and seat.term_end <= self.today)
        ]

    @property
    def share_percent(self) -> int:
        return round(self.composition.non_professional_percent)

    @property
    def threshold_percent(self) -> int:
        return self.body.policy.min_non_professional_percent

    @property
    def can_activate(self) -> bool:
        return self.body.status in ("forming", "suspended") and not self.violations


def body_state(body: Body, today: datetime.date | None = None) -> BodyState:
    """Composition today, its violations with fixes, and the term ends ahead
    that would break the policy. Two queries: seats, groups."""
    day = today or timezone.localdate()
    seats = list(seats_of(body))
    names = dict(StakeholderGroup.objects.filter(project_id=body.project_id).values_list("pk", "name"))
    open_facts = [seat.facts for seat in seats if seat.is_open]
    composition = compose(open_facts, day)
    by_capacity: dict[str, int] = {}
    for seat in seats:
        if seat.is_open and seat.active_on(day):
            label = seat.get_capacity_display()
            by_capacity[label] = by_capacity.get(label, 0) + 1
    return BodyState(
        body=body,
        seats=seats,
        today=day,
        composition=composition,
        required_non_professional=required_non_professional(
            composition.total, body.policy.min_non_professional_percent
        ),
        violations=violations(body.policy, composition, names),
        upcoming=upcoming_breaches(body.policy, open_facts, day, names),
        group_names=names,
        seats_by_capacity=dict(sorted(by_capacity.items())),
    )


@dataclass
class TimelineRow:
    group: StakeholderGroup
    cells: list[list[Seat]]  # per phase: the seats whose term overlaps it


def term_timeline(project: Project) -> tuple[list[Phase], list[TimelineRow]]:
    """Who sits when: phases by stakeholder groups, each cell listing the seats
    (on either body) whose term overlaps the phase, so gaps show (TEAM-1,
    TEAM-3). Three queries."""
    phases = list(Phase.objects.filter(project=project).order_by("order", "starts_on"))
    groups = list(StakeholderGroup.objects.filter(project=project).order_by("name"))
    seats = list(
        Seat.objects.filter(body__project=project, stakeholder_group__isnull=False).select_related(
            "person", "body"
        )
    )
    rows = []
    for group in groups:
        cells = []
        for phase in phases:
            cells.append(
                [
                    seat
                    for seat in seats
                    if seat.stakeholder_group_id == group.pk
                    and _overlaps(seat.facts, phase.starts_on, phase.ends_on)
                ]
            )
        rows.append(TimelineRow(group=group, cells=cells))
    return phases, rows


def _overlaps(facts: SeatFacts, start: datetime.date, end: datetime.date) -> bool:
    """Does a seat's term share at least one day with [start, end]?"""
    return facts.term_start <= end and (facts.term_end is None or facts.term_end > start)
