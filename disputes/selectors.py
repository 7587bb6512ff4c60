"""Reads for the dispute pages and the API (BOARD-6, GROUP-5): a project's
disputes, one dispute with its parties and stage record, a body's agreed
procedure, and what a decision page needs to show an open dispute.

Look-ups filter by the project of the URL, so another organisation's or
project's id is a 404 (TENANT-1). Pages cost a fixed number of queries
whatever the number of disputes, parties or stages."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from boards.models import AgendaItem, Body, DecisionEntry, ItemKind, ItemStatus, Seat
from boards.selectors_decisions import person_label
from disputes.models import (
    DEFAULT_STAGES,
    Dispute,
    DisputeParty,
    DisputeProcedure,
    DisputeStatus,
    PartySide,
    StageKind,
    StageRecord,
)
from projects.models import Project


def _parties() -> Prefetch:
    return Prefetch(
        "parties", queryset=DisputeParty.objects.select_related("seat__person").order_by("side", "pk")
    )


def _stages() -> Prefetch:
    return Prefetch(
        "stages",
        queryset=StageRecord.objects.select_related("mediator", "recorded_by").order_by("order"),
    )


def disputes_of(project: Project, body: Body | None = None, status: str | None = None) -> QuerySet[Dispute]:
    """The project's disputes (or one body's), newest first, with what a list
    shows: the body, what it is about, the parties and the stages."""
    disputes = Dispute.objects.filter(body__project=project)
    if body is not None:
        disputes = disputes.filter(body=body)
    if status:
        disputes = disputes.filter(status=status)
    return (
        disputes.select_related("body", "item", "entry__item", "raised_by")
        .prefetch_related(_parties(), _stages())
        .order_by("-opened_at", "-pk")
    )


def dispute_get(*, project: Project, pk: int) -> Dispute:
    """One dispute of this project, or 404 (TENANT-1)."""
    return get_object_or_404(
        Dispute.objects.select_related(
            "body__project__organisation",
            "body__chair_seat__person",
            "item",
            "entry__item",
            "procedure__agreed_by",
            "decision_item",
            "closing_entry",
            "raised_by",
        ).prefetch_related(_parties(), _stages()),
        body__project=project,
        pk=pk,
    )


def current_procedure(body: Body) -> DisputeProcedure | None:
    return DisputeProcedure.objects.filter(body=body, is_current=True).select_related("agreed_by").first()


def pending_procedure_items(body: Body) -> list[AgendaItem]:
    """Dispute-procedure items put to the body and not yet decided."""
    return list(
        AgendaItem.objects.filter(
            body=body, kind=ItemKind.DISPUTE_PROCEDURE, status__in=(ItemStatus.OPEN, ItemStatus.VOTING)
        ).order_by("created_at", "pk")
    )


def procedure_history(body: Body) -> list[DisputeProcedure]:
    return list(
        DisputeProcedure.objects.filter(body=body).select_related("agreed_by").order_by("-agreed_at", "-pk")
    )


@dataclass
class StageLine:
    """One stage of a procedure, as people read it."""

    order: int
    kind: str
    label: str
    days: int


def stage_lines(stages: list[dict[str, Any]] | None) -> list[StageLine]:
    lines = []
    for order, stage in enumerate(stages or [], start=1):
        kind = str(stage.get("kind", ""))
        label = StageKind(kind).label if kind in StageKind.values else kind
        lines.append(StageLine(order=order, kind=kind, label=label, days=int(stage.get("days") or 0)))
    return lines


def default_stage_lines() -> list[StageLine]:
    return stage_lines(DEFAULT_STAGES)


# --- One dispute, as its page shows it ------------------------------------------------


@dataclass
class PartyView:
    party: DisputeParty
    label: str
    own: bool


@dataclass
class StageView:
    """A stage of the dispute: the record if it has started, or the stage
    still to come from the procedure."""

    order: int
    kind: str
    label: str
    days: int
    record: StageRecord | None
    current: bool
    overdue: bool

    @property
    def started(self) -> bool:
        return self.record is not None


@dataclass
class DisputeState:
    dispute: Dispute
    today: datetime.date
    parties: list[PartyView]
    raising: list[PartyView]
    responding: list[PartyView]
    stages: list[StageView]
    chair_label: str
    my_parties: list[DisputeParty] = field(default_factory=list)

    @property
    def current(self) -> StageView | None:
        return next((stage for stage in self.stages if stage.current), None)

    @property
    def agreed_count(self) -> int:
        return sum(1 for view in self.parties if view.party.agreed_at is not None)

    @property
    def waiting_for(self) -> list[PartyView]:
        return [view for view in self.parties if view.party.agreed_at is None]

    @property
    def i_agreed(self) -> bool:
        return bool(self.my_parties) and all(party.agreed_at is not None for party in self.my_parties)

    @property
    def is_last_stage(self) -> bool:
        return bool(self.stages) and self.dispute.current_stage >= len(self.stages)


def party_label(party: DisputeParty) -> str:
    person = party.seat.person
    return person_label(person.name, person.erased_at is not None, party.seat.capacity)


def dispute_state(dispute: Dispute, user: Any, today: datetime.date | None = None) -> DisputeState:
    """Everything the dispute page shows, from the prefetched dispute: the
    parties by side, and the stage timeline (done, current with its due date
    and whether it is overdue, and the stages still to come)."""
    day = today or timezone.localdate()
    user_id = getattr(user, "pk", None)
    parties = [
        PartyView(
            party=party,
            label=party_label(party),
            own=user_id is not None and party.seat.person.user_id == user_id,
        )
        for party in dispute.parties.all()
    ]
    records = {record.order: record for record in dispute.stages.all()}
    planned = dispute.procedure.stages if dispute.procedure is not None else []
    stages = []
    for line in stage_lines(planned):
        record = records.get(line.order)
        current = dispute.is_open and line.order == dispute.current_stage
        stages.append(
            StageView(
                order=line.order,
                kind=record.kind if record else line.kind,
                label=record.get_kind_display() if record else line.label,
                days=line.days,
                record=record,
                current=current,
                overdue=bool(current and record and record.completed_at is None and record.due_on < day),
            )
        )
    # Records beyond the procedure's list (a procedure replaced mid-way) stay visible.
    for order, record in sorted(records.items()):
        if order > len(planned):
            stages.append(
                StageView(
                    order=order,
                    kind=record.kind,
                    label=record.get_kind_display(),
                    days=(record.due_on - record.started_on).days,
                    record=record,
                    current=dispute.is_open and order == dispute.current_stage,
                    overdue=dispute.is_open and record.completed_at is None and record.due_on < day,
                )
            )
    chair = dispute.body.chair_seat
    return DisputeState(
        dispute=dispute,
        today=day,
        parties=parties,
        raising=[view for view in parties if view.party.side == PartySide.RAISING],
        responding=[view for view in parties if view.party.side == PartySide.RESPONDING],
        stages=stages,
        chair_label=person_label(chair.person.name, chair.person.erased_at is not None, chair.capacity)
        if chair is not None
        else "",
        my_parties=[view.party for view in parties if view.own],
    )


# --- Raising: what a dispute can be about ---------------------------------------------


def items_to_dispute(body: Body) -> QuerySet[AgendaItem]:
    """Items of the body a dispute can be about (dispute decisions excluded:
    they are the dispute procedure's own votes)."""
    return (
        AgendaItem.objects.filter(body=body)
        .exclude(kind=ItemKind.DISPUTE_DECISION)
        .order_by("-created_at", "-pk")
    )


def decisions_to_dispute(body: Body) -> QuerySet[DecisionEntry]:
    """Ledger entries of the body: the decision, its implementation or a return."""
    return (
        DecisionEntry.objects.filter(body=body)
        .exclude(item__kind=ItemKind.DISPUTE_DECISION)
        .select_related("item")
        .order_by("-sequence")
    )


def other_seats(body: Body, exclude: Seat | None = None, day: datetime.date | None = None) -> list[Seat]:
    """Current members of the body who can be named on the other side."""
    day = day or timezone.localdate()
    seats = (
        Seat.objects.filter(body=body, is_open=True).select_related("person").order_by("person__name", "pk")
    )
    return [seat for seat in seats if seat.active_on(day) and (exclude is None or seat.pk != exclude.pk)]


def open_disputes_about(
    *, item: AgendaItem | None = None, entry: DecisionEntry | None = None
) -> list[Dispute]:
    """Open disputes about an item or a decision, for the notice on its page."""
    disputes = Dispute.objects.filter(status=DisputeStatus.OPEN)
    if entry is not None:
        disputes = disputes.filter(entry=entry)
    elif item is not None:
        disputes = disputes.filter(item=item)
    else:
        return []
    return list(disputes.order_by("opened_at", "pk"))
