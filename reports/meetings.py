"""The record of one meeting of a body, the protocol the body files: which
body met, when and where, who attended in which capacity (counts per
capacity and names), the items discussed, their outcomes with the tallies
from the ledger (LEDGER-1, LEDGER-2), and the minutes.

An item counts as discussed at a meeting when a show of hands was recorded
for it at that meeting, or when its vote closed into the ledger on the day
the meeting was held. Its outcomes are the ledger entries of that day, and
the entry of the round whose hands were recorded there.

Names come from the seat holders as they are now, so a person erased since
reads as "anonymised member". No contact details of anyone appear here.
Five queries, whatever the size of the body or the number of items."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from boards.composition import NON_PROFESSIONAL
from boards.models import (
    AgendaItem,
    Attendance,
    DecisionEntry,
    Meeting,
    MeetingStatus,
    Outcome,
    Vote,
    VoteChoice,
)
from boards.selectors_decisions import person_label, tally_text
from projects.models import Project
from reports.evidence import url_template
from stakeholders.models import Capacity


@dataclass
class CapacityGroup:
    capacity: str
    label: str
    non_professional: bool
    attended: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)


@dataclass
class OutcomeRow:
    sequence: int
    outcome: str
    outcome_label: str
    tally: dict[str, int]
    round: int | None
    quorum: dict[str, Any]
    recorded_at: datetime.datetime
    entry_hash: str
    url: str

    @property
    def tally_text(self) -> str:
        return tally_text(self.tally)

    @property
    def quorum_text(self) -> str:
        if not self.quorum or not self.quorum.get("applies"):
            return ""
        return (
            f"{self.quorum.get('non_professional_cast', 0)} of {self.quorum.get('votes_cast', 0)} votes cast "
            f"non-professional; {self.quorum.get('required_non_professional', 0)} needed "
            f"({self.quorum.get('rule', 'LEDGER-2')})"
        )


@dataclass
class ItemRow:
    pk: int
    title: str
    kind_label: str
    status_label: str
    hands_recorded: bool
    url: str
    outcomes: list[OutcomeRow] = field(default_factory=list)


@dataclass
class MeetingRecord:
    project: Project
    meeting: Meeting
    groups: list[CapacityGroup]
    items: list[ItemRow]
    generated_at: datetime.datetime
    meeting_url: str
    ledger_url: str

    @property
    def body(self) -> Any:
        return self.meeting.body

    @property
    def is_held(self) -> bool:
        return self.meeting.status == MeetingStatus.HELD

    @property
    def day(self) -> datetime.date:
        return self.meeting.held_on or timezone.localdate(self.meeting.scheduled_at)

    @property
    def attended_count(self) -> int:
        return sum(len(group.attended) for group in self.groups)

    @property
    def absent_count(self) -> int:
        return sum(len(group.absent) for group in self.groups)

    @property
    def non_professional_attended(self) -> int:
        return sum(len(group.attended) for group in self.groups if group.non_professional)

    def as_dict(self) -> dict[str, Any]:
        """The record as plain data (the API's answer)."""
        meeting = self.meeting
        return {
            "organisation": self.project.organisation.slug,
            "project": self.project.slug,
            "body": meeting.body.kind,
            "meeting": meeting.pk,
            "status": meeting.status,
            "scheduled_at": meeting.scheduled_at.isoformat(),
            "held_on": meeting.held_on.isoformat() if meeting.held_on else None,
            "place": meeting.place,
            "generated_at": self.generated_at.isoformat(),
            "attendance": {
                "attended": self.attended_count,
                "absent": self.absent_count,
                "non_professional_attended": self.non_professional_attended,
                "by_capacity": [
                    {
                        "capacity": group.capacity,
                        "label": group.label,
                        "non_professional": group.non_professional,
                        "attended": len(group.attended),
                        "absent": len(group.absent),
                        "attended_names": group.attended,
                        "absent_names": group.absent,
                    }
                    for group in self.groups
                ],
            },
            "items": [
                {
                    "id": item.pk,
                    "title": item.title,
                    "kind": item.kind_label,
                    "status": item.status_label,
                    "hands_recorded_here": item.hands_recorded,
                    "url": item.url,
                    "outcomes": [
                        {
                            "sequence": row.sequence,
                            "outcome": row.outcome,
                            "round": row.round,
                            "tally": row.tally,
                            "quorum": row.quorum,
                            "recorded_at": row.recorded_at.isoformat(),
                            "hash": row.entry_hash,
                            "url": row.url,
                        }
                        for row in item.outcomes
                    ],
                }
                for item in self.items
            ],
            "minutes": meeting.minutes,
        }


def meeting_of(project: Project, pk: int) -> Meeting:
    """One meeting of one of the project's bodies, or 404 (TENANT-1)."""
    return get_object_or_404(
        Meeting.objects.select_related("body").prefetch_related(
            Prefetch("attendance", queryset=Attendance.objects.select_related("seat__person").order_by("pk"))
        ),
        body__project=project,
        pk=pk,
    )


def _payload(entry: DecisionEntry) -> dict[str, Any]:
    try:
        parsed = json.loads(entry.payload)
    except ValueError:
        return {}  # a damaged payload is what the verifier reports; the row still shows
    return parsed if isinstance(parsed, dict) else {}


def _tally(payload: dict[str, Any]) -> dict[str, int]:
    raw = payload.get("tally") or {}
    return (
        {choice: int(raw.get(choice, 0) or 0) for choice in VoteChoice.values}
        if isinstance(raw, dict)
        else {}
    )


def _attendance(meeting: Meeting) -> list[CapacityGroup]:
    groups = {
        value: CapacityGroup(capacity=value, label=str(label), non_professional=value in NON_PROFESSIONAL)
        for value, label in Capacity.choices
    }
    rows = sorted(meeting.attendance.all(), key=lambda row: (row.seat.person.name.lower(), row.pk))
    for row in rows:
        group = groups.get(row.seat.capacity)
        if group is None:
            continue
        # The name only (the capacity is the row); an erased person reads as "anonymised member".
        name = person_label(row.seat.person.name, row.seat.person.erased_at is not None, None)
        (group.attended if row.attended else group.absent).append(name)
    return [group for group in groups.values() if group.attended or group.absent]


def build_meeting_record(project: Project, meeting: Meeting) -> MeetingRecord:
    """The protocol of one meeting (see the module docstring)."""
    body = meeting.body
    body.project = project
    kwargs = {"org": project.organisation.slug, "project": project.slug}
    hands = set(
        Vote.objects.filter(recorded_at_meeting=meeting, item__body=body).values_list("item_id", "round")
    )
    decided_here = Q(pk__in=[])
    if meeting.status == MeetingStatus.HELD and meeting.held_on:
        decided_here = Q(body=body, recorded_at__date=meeting.held_on)
    entries = list(
        DecisionEntry.objects.filter(
            decided_here | Q(body=body, item_id__in={item for item, _ in hands})
        ).order_by("sequence")
    )
    hand_items = {item for item, _ in hands}
    item_ids = hand_items | {entry.item_id for entry in entries}
    items = {item.pk: item for item in AgendaItem.objects.filter(body=body, pk__in=item_ids)}
    entry_url = url_template("boards:ledger_entry", **kwargs)
    item_url = url_template("boards:item_detail", kind=body.kind, **kwargs)
    rows = {
        pk: ItemRow(
            pk=pk,
            title=item.title,
            kind_label=item.get_kind_display(),
            status_label=item.get_status_display(),
            hands_recorded=pk in hand_items,
            url=item_url.fill(pk),
        )
        for pk, item in items.items()
    }
    for entry in entries:
        payload = _payload(entry)
        recorded_day = timezone.localdate(entry.recorded_at)
        from_here = (entry.item_id, payload.get("round")) in hands
        if not from_here and recorded_day != meeting.held_on:
            continue  # a later or earlier round of an item whose hands were recorded here
        row = rows.get(entry.item_id)
        if row is None:
            continue
        row.outcomes.append(
            OutcomeRow(
                sequence=entry.sequence,
                outcome=entry.outcome,
                outcome_label=Outcome(entry.outcome).label
                if entry.outcome in Outcome.values
                else entry.outcome,
                tally=_tally(payload),
                round=payload.get("round") if isinstance(payload.get("round"), int) else None,
                quorum=payload.get("quorum") if isinstance(payload.get("quorum"), dict) else {},
                recorded_at=entry.recorded_at,
                entry_hash=entry.entry_hash,
                url=entry_url.fill(entry.pk),
            )
        )
    ordered = sorted(
        rows.values(), key=lambda row: (row.outcomes[0].sequence if row.outcomes else 10**9, row.pk)
    )
    return MeetingRecord(
        project=project,
        meeting=meeting,
        groups=_attendance(meeting),
        items=ordered,
        generated_at=timezone.now(),
        meeting_url=reverse("boards:meeting_detail", kwargs={**kwargs, "kind": body.kind, "pk": meeting.pk}),
        ledger_url=reverse("boards:ledger", kwargs=kwargs),
    )
