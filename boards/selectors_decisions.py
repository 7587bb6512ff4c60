"""Reads for the decision pages: agenda items with their counts, one item
with its discussion, votes, tally and ledger entries, and the project ledger
with each decision's implementation state. Batched, so a page costs a fixed
number of queries whatever the number of items, votes or entries
(DESIGN.md: pages that matter assert their query count).

Names of people who voted are looked up when shown, never copied into the
ledger: the ledger names seats and person ids, so an erased person reads as
"anonymised member" without breaking the chain (LEDGER-1)."""

from __future__ import annotations

import datetime
import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from boards.composition import NON_PROFESSIONAL, required_non_professional
from boards.models import (
    AgendaItem,
    Body,
    Comment,
    DecisionEntry,
    ImplementationStatus,
    ImplementationUpdate,
    ItemKind,
    ItemStatus,
    Meeting,
    MeetingStatus,
    Seat,
    Vote,
    VoteChoice,
)
from boards.selectors import body_lookup
from projects.models import BudgetLine, Milestone, Organisation, Phase, Project
from stakeholders.models import Capacity, Person

ANONYMISED_LABEL = "anonymised member"


# --- People, as shown ------------------------------------------------------------------


def person_label(name: str, erased: bool, capacity: str | None) -> str:
    """ "Name (Capacity)"; an erased person shows as "anonymised member
    (service user)" so the capacity, which the ledger keeps, still reads."""
    capacity_label = Capacity(capacity).label if capacity in Capacity.values else ""
    if erased:
        return f"{ANONYMISED_LABEL} ({capacity_label.lower()})" if capacity_label else ANONYMISED_LABEL
    return f"{name} ({capacity_label})" if capacity_label else name


def people_by_id(project: Project, ids: set[int]) -> dict[int, tuple[str, bool]]:
    """{person id: (name, erased)} for people of the project's organisation.
    One query, whatever the number of ids."""
    if not ids:
        return {}
    rows = Person.objects.filter(organisation_id=project.organisation_id, pk__in=ids).values_list(
        "pk", "name", "erased_at"
    )
    return {pk: (name, erased_at is not None) for pk, name, erased_at in rows}


def seat_label(seat: Seat) -> str:
    return person_label(seat.person.name, seat.person.erased_at is not None, seat.capacity)


def speaker_label(comment: Comment) -> str:
    """Who said it: the seat holder with their capacity, or a facilitator."""
    if comment.seat is not None:
        return seat_label(comment.seat)
    if comment.author is not None:
        return f"{user_display(comment.author)} (facilitator)"
    return "a former member"


def user_display(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


# --- Agenda items ------------------------------------------------------------------------


def _count(queryset: QuerySet, group_by: str) -> Coalesce:
    """A correlated COUNT subquery, so several counts don't multiply each
    other the way joined aggregates do."""
    counted = queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def items_of(body: Body) -> QuerySet[AgendaItem]:
    """Every item of the body with its comment count, votes in the current
    round, and its latest ledger entry (sequence, outcome, id). One query."""
    latest = DecisionEntry.objects.filter(item=OuterRef("pk")).order_by("-sequence")
    return (
        AgendaItem.objects.filter(body=body)
        .annotate(
            comment_count=_count(Comment.objects.filter(item=OuterRef("pk")), "item"),
            vote_count=_count(Vote.objects.filter(item=OuterRef("pk"), round=OuterRef("round")), "item"),
            entry_id=Subquery(latest.values("pk")[:1]),
            entry_sequence=Subquery(latest.values("sequence")[:1]),
            entry_outcome=Subquery(latest.values("outcome")[:1]),
        )
        .order_by(F("deadline").asc(nulls_last=True), "-created_at", "-pk")
    )


@dataclass
class ItemGroups:
    open: list[AgendaItem]
    voting: list[AgendaItem]
    decided: list[AgendaItem]
    today: datetime.date


def item_groups(body: Body) -> ItemGroups:
    """Items by where they stand: open for discussion, being voted on,
    decided (newest decision first). Deadlines come first in the open lists
    so the most urgent item is at the top (BOARD-9)."""
    items = list(items_of(body))
    decided = [item for item in items if item.is_decided]
    decided.sort(key=lambda item: item.decided_at or item.created_at, reverse=True)
    return ItemGroups(
        open=[item for item in items if item.status == ItemStatus.OPEN],
        voting=[item for item in items if item.status == ItemStatus.VOTING],
        decided=decided,
        today=timezone.localdate(),
    )


def item_get(*, body: Body, pk: int) -> AgendaItem:
    """One item of this body, or 404 (TENANT-1), with what its page shows:
    the proposer, the decision it came back from, and the body's chair (who
    may run the vote). The body and its project are the caller's; joining
    them again made the item's query cost more to plan than to run."""
    item = get_object_or_404(
        AgendaItem.objects.select_related("proposed_by", "returns_entry__item"), body=body, pk=pk
    )
    if body.chair_seat_id is not None and not Body.chair_seat.is_cached(body):
        body.chair_seat = Seat.objects.select_related("person").get(pk=body.chair_seat_id)
    item.body = body
    return item


def item_in(*, organisation: Organisation, project_slug: str, kind: str, pk: int) -> AgendaItem:
    """One item of the body of this kind of the organisation's project with
    this slug, with its body and project, in one query, or 404 (TENANT-1):
    what a form post needs before its service runs, without the related rows
    the item page shows."""
    item = get_object_or_404(
        AgendaItem.objects.select_related("body__project"),
        pk=pk,
        **body_lookup(organisation=organisation, project_slug=project_slug, kind=kind, through="body__"),
    )
    item.body.project.organisation = organisation
    return item


def active_seats(body: Body, day: datetime.date | None = None) -> list[Seat]:
    """The seats that vote today: open and within their term, by name."""
    day = day or timezone.localdate()
    seats = (
        Seat.objects.filter(body=body, is_open=True).select_related("person").order_by("person__name", "pk")
    )
    return [seat for seat in seats if seat.active_on(day)]


def held_meetings(body: Body) -> QuerySet[Meeting]:
    """Meetings of this body that were held: a facilitator records a show of
    hands only from one of these (BOARD-5, GROUP-4)."""
    return Meeting.objects.filter(body=body, status=MeetingStatus.HELD).order_by("-held_on", "-pk")


@dataclass
class Tally:
    """The votes of the current round from seats that count today, as the
    closing of the vote will count them, and the LEDGER-2 quorum."""

    counts: dict[str, int]
    cast: int
    seats: int
    non_professional_cast: int
    share_percent: int
    applies: bool

    @property
    def required_non_professional(self) -> int:
        return required_non_professional(self.cast, self.share_percent)

    @property
    def quorate(self) -> bool:
        return self.cast > 0 and (
            not self.applies or self.non_professional_cast >= self.required_non_professional
        )

    @property
    def rows(self) -> list[tuple[str, str, int]]:
        return [(choice, label, self.counts.get(choice, 0)) for choice, label in VoteChoice.choices]


def tally_of(item: AgendaItem, votes: list[Vote], seats: list[Seat]) -> Tally:
    counted_seats = {seat.pk: seat for seat in seats}
    counted = [vote for vote in votes if vote.seat_id in counted_seats]
    counts = Counter(vote.choice for vote in counted)
    body = item.body
    return Tally(
        counts={choice: counts.get(choice, 0) for choice in VoteChoice.values},
        cast=len(counted),
        seats=len(seats),
        non_professional_cast=sum(
            1 for vote in counted if counted_seats[vote.seat_id].capacity in NON_PROFESSIONAL
        ),
        share_percent=body.policy.min_non_professional_percent,
        applies=body.votes_must_meet_share,
    )


def current_votes(item: AgendaItem) -> list[Vote]:
    return list(
        Vote.objects.filter(item=item, round=item.round)
        .select_related("seat__person", "recorded_by", "recorded_at_meeting")
        .order_by("seat__person__name", "pk")
    )


def item_tally(item: AgendaItem) -> Tally:
    """The live tally alone (two queries), for the polling partial."""
    return tally_of(item, current_votes(item), active_seats(item.body))


@dataclass
class EntryView:
    """A ledger entry with its payload read and its voters named."""

    entry: DecisionEntry
    payload: dict[str, Any]
    implementation: str | None = None
    voters: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    @property
    def tally(self) -> dict[str, int]:
        return self.payload.get("tally") or {}

    @property
    def tally_text(self) -> str:
        return tally_text(self.tally)

    @property
    def quorum(self) -> dict[str, Any]:
        return self.payload.get("quorum") or {}

    @property
    def title(self) -> str:
        return str(self.payload.get("title") or self.entry.item.title)

    @property
    def implementation_label(self) -> str:
        if self.implementation in ImplementationStatus.values:
            return ImplementationStatus(self.implementation).label
        return ""

    @property
    def pretty_payload(self) -> str:
        return json.dumps(self.payload, indent=2, sort_keys=True, ensure_ascii=False)


def tally_text(tally: dict[str, int]) -> str:
    return ", ".join(f"{label.lower()} {int(tally.get(choice, 0))}" for choice, label in VoteChoice.choices)


def _payload(entry: DecisionEntry) -> dict[str, Any]:
    try:
        parsed = json.loads(entry.payload)
    except ValueError:
        # A damaged payload is what the verifier reports; the page still shows the row.
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _name_voters(project: Project, views: list[EntryView]) -> None:
    """Fill `voters` of every entry with names, in one query."""
    ids = {
        vote["person"]
        for view in views
        for vote in view.payload.get("votes") or []
        if isinstance(vote, dict) and isinstance(vote.get("person"), int)
    }
    names = people_by_id(project, ids)
    for view in views:
        rows = []
        for vote in view.payload.get("votes") or []:
            if not isinstance(vote, dict):
                continue
            name, erased = names.get(vote.get("person"), ("", True))
            choice = vote.get("choice")
            rows.append(
                {
                    "label": person_label(name, erased, vote.get("capacity")),
                    "choice": choice,
                    "choice_label": VoteChoice(choice).label if choice in VoteChoice.values else str(choice),
                    "recorded": vote.get("recorded_by") is not None,
                    "non_professional": vote.get("capacity") in NON_PROFESSIONAL,
                }
            )
        view.voters = rows


def _latest_implementation() -> Subquery:
    latest = ImplementationUpdate.objects.filter(entry=OuterRef("pk")).order_by("-created_at", "-pk")
    return Subquery(latest.values("status")[:1])


def entries_of(project: Project) -> QuerySet[DecisionEntry]:
    """The project's ledger, newest first, with the body, item and latest
    implementation state in the same query."""
    return (
        DecisionEntry.objects.filter(project=project)
        .select_related("body", "item")
        .annotate(implementation_state=_latest_implementation())
        .order_by("-sequence")
    )


def entry_views(
    project: Project, entries: list[DecisionEntry], *, with_voters: bool = True
) -> list[EntryView]:
    views = [
        EntryView(
            entry=entry, payload=_payload(entry), implementation=getattr(entry, "implementation_state", None)
        )
        for entry in entries
    ]
    if with_voters:
        _name_voters(project, views)
    return views


def entry_get(*, project: Project, pk: int) -> DecisionEntry:
    """One entry of this project's ledger, or 404 (TENANT-1)."""
    return get_object_or_404(
        DecisionEntry.objects.select_related("body", "item", "project__organisation").annotate(
            implementation_state=_latest_implementation()
        ),
        project=project,
        pk=pk,
    )


def agreed_entry(item: AgendaItem) -> DecisionEntry | None:
    """The ledger entry that agreed the item, if it was agreed."""
    return (
        DecisionEntry.objects.filter(item=item, outcome="agreed")
        .select_related("body", "item", "project__organisation")
        .order_by("-sequence")
        .first()
    )


def implementation_history(entry: DecisionEntry) -> list[ImplementationUpdate]:
    return list(
        ImplementationUpdate.objects.filter(entry=entry).select_related("author").order_by("created_at", "pk")
    )


def returns_of(entry: DecisionEntry) -> list[AgendaItem]:
    """Items that returned this decision to its body (BOARD-8, GROUP-6)."""
    return list(AgendaItem.objects.filter(returns_entry=entry).select_related("body").order_by("pk"))


@dataclass
class ItemState:
    """Everything the item page shows, read once."""

    item: AgendaItem
    comments: list[Comment]
    votes: list[Vote]
    seats: list[Seat]
    tally: Tally
    entries: list[EntryView]
    decision: EntryView | None
    implementation: list[ImplementationUpdate]
    returned_items: list[AgendaItem]
    proposal_lines: list[str]
    meetings: list[Meeting]

    @property
    def not_quorate_rounds(self) -> list[EntryView]:
        return [view for view in self.entries if view.entry.outcome == "not_quorate"]

    @property
    def implementation_final(self) -> bool:
        latest = self.implementation[-1].status if self.implementation else None
        return latest in (ImplementationStatus.DONE, ImplementationStatus.CANNOT)


def item_state(item: AgendaItem, *, with_meetings: bool = False) -> ItemState:
    """The item page: comments, this round's votes, the seats that vote, the
    tally, every ledger entry of the item (not-quorate rounds too) with
    voters named, and for an agreed item its implementation."""
    project = item.body.project
    comments = list(
        Comment.objects.filter(item=item)
        .select_related("author", "seat__person")
        .order_by("created_at", "pk")
    )
    for comment in comments:
        comment.speaker = speaker_label(comment)  # type: ignore[attr-defined]
    votes = current_votes(item)
    for vote in votes:
        vote.voter = seat_label(vote.seat)  # type: ignore[attr-defined]
    seats = active_seats(item.body)
    entries = list(
        DecisionEntry.objects.filter(item=item)
        .select_related("body", "item")
        .annotate(implementation_state=_latest_implementation())
        .order_by("-sequence")
    )
    views = entry_views(project, entries)
    decision = next((view for view in views if view.entry.outcome != "not_quorate"), None)
    implementation: list[ImplementationUpdate] = []
    returned: list[AgendaItem] = []
    if decision is not None and decision.entry.outcome == "agreed":
        implementation = implementation_history(decision.entry)
        returned = returns_of(decision.entry)
    return ItemState(
        item=item,
        comments=comments,
        votes=votes,
        seats=seats,
        tally=tally_of(item, votes, seats),
        entries=views,
        decision=decision if item.is_decided else None,
        implementation=implementation,
        returned_items=returned,
        proposal_lines=describe_proposal(item),
        meetings=list(held_meetings(item.body)) if with_meetings else [],
    )


# --- The proposal in plain language ----------------------------------------------------------


def _money(value: Any) -> str:
    try:
        return f"£{Decimal(str(value)):,.2f}"
    except (ArithmeticError, ValueError):
        return str(value)


def _date(value: Any) -> str:
    try:
        day = datetime.date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{day.day} {day:%B %Y}"


def describe_proposal(item: AgendaItem) -> list[str]:
    """What agreeing the item would do, sentence by sentence, with the budget
    lines, phases, milestones, people and seats it names looked up (at most
    one query per kind of thing)."""
    proposal = item.proposal if isinstance(item.proposal, dict) else {}
    project = item.body.project
    kind = item.kind
    if kind == ItemKind.BUDGET_CHANGE:
        changes = [c for c in proposal.get("changes") or [] if isinstance(c, dict)]
        ids = {c.get("id") for c in changes if c.get("id")}
        lines = (
            {line.pk: line for line in BudgetLine.objects.filter(project=project, pk__in=ids)} if ids else {}
        )
        sentences = []
        for change in changes:
            action = change.get("action")
            line = lines.get(change.get("id"))
            named = (
                f"“{line.purpose}” ({line.partner}, now {_money(line.amount)})"
                if line
                else "a line no longer in the budget"
            )
            if action == "add":
                sentences.append(
                    f"Add a budget line: {_money(change.get('amount'))} to {change.get('partner')} "
                    f"for {change.get('purpose')}."
                )
            elif action == "remove":
                sentences.append(f"Remove the budget line {named}.")
            elif action == "change":
                parts = []
                if "amount" in change:
                    parts.append(f"the amount to {_money(change['amount'])}")
                if "partner" in change:
                    parts.append(f"the partner to {change['partner']}")
                if "purpose" in change:
                    parts.append(f"the purpose to “{change['purpose']}”")
                sentences.append(f"Change the budget line {named}: {', '.join(parts) or 'no change given'}.")
        return sentences
    if kind == ItemKind.PERSONNEL:
        user = get_user_model().objects.filter(pk=proposal.get("user")).first()
        who = (user.get_full_name() or user.get_username()) if user else "a former member"
        role = str(proposal.get("role_label") or proposal.get("role") or "").lower()
        if proposal.get("action") == "remove":
            return [f"Remove {who} from the role of {role} of this project."]
        return [f"Appoint {who} as {role} of this project."]
    if kind == ItemKind.PLAN_CHANGE:
        phase_changes = [c for c in proposal.get("phases") or [] if isinstance(c, dict)]
        milestone_changes = [c for c in proposal.get("milestones") or [] if isinstance(c, dict)]
        phase_ids = {c.get("id") for c in phase_changes if c.get("id")}
        milestone_ids = {c.get("id") for c in milestone_changes if c.get("id")}
        phases = (
            dict(Phase.objects.filter(project=project, pk__in=phase_ids).values_list("pk", "name"))
            if phase_ids
            else {}
        )
        milestones = (
            dict(Milestone.objects.filter(project=project, pk__in=milestone_ids).values_list("pk", "title"))
            if milestone_ids
            else {}
        )
        sentences = []
        for change in phase_changes:
            name = phases.get(change.get("id"), "a phase no longer in the plan")
            if change.get("action") == "add":
                sentences.append(
                    f"Add the phase “{change.get('name')}”, from {_date(change.get('starts_on'))} "
                    f"to {_date(change.get('ends_on'))}."
                )
            elif change.get("action") == "remove":
                sentences.append(f"Remove the phase “{name}”.")
            else:
                parts = []
                if "name" in change:
                    parts.append(f"rename it “{change['name']}”")
                if "starts_on" in change:
                    parts.append(f"start it on {_date(change['starts_on'])}")
                if "ends_on" in change:
                    parts.append(f"end it on {_date(change['ends_on'])}")
                sentences.append(f"Change the phase “{name}”: {', '.join(parts) or 'no change given'}.")
        for change in milestone_changes:
            title = milestones.get(change.get("id"), "a milestone no longer in the plan")
            if change.get("action") == "add":
                sentences.append(
                    f"Add the milestone “{change.get('title')}”, due {_date(change.get('due_on'))}."
                )
            elif change.get("action") == "remove":
                sentences.append(f"Remove the milestone “{title}”.")
            else:
                parts = []
                if "title" in change:
                    parts.append(f"call it “{change['title']}”")
                if "due_on" in change:
                    parts.append(f"make it due on {_date(change['due_on'])}")
                sentences.append(f"Change the milestone “{title}”: {', '.join(parts) or 'no change given'}.")
        return sentences
    if kind == ItemKind.CHAIR_APPOINTMENT:
        seat = Seat.objects.filter(body=item.body, pk=proposal.get("seat")).select_related("person").first()
        who = (
            person_label(seat.person.name, seat.person.erased_at is not None, seat.capacity)
            if seat
            else "a former seat holder"
        )
        return [f"Appoint {who} as chair.", f"Statement of merit: {proposal.get('merit', '')}"]
    if kind == ItemKind.TIE_PROCEDURE:
        from boards.models import TieProcedure

        procedure = proposal.get("procedure")
        label = TieProcedure(procedure).label if procedure in TieProcedure.values else str(procedure)
        return [f"From now on, when a vote is tied: {label[0].lower()}{label[1:]}."]
    if kind == ItemKind.CLOSE_PROJECT:
        return ["Close the project. Only a decision of the Project Board can close it."]
    return []


# --- The ledger ----------------------------------------------------------------------------


def budget_lines(project: Project) -> QuerySet[BudgetLine]:
    """The project's budget lines, for the "propose a budget change" form."""
    return BudgetLine.objects.filter(project=project).order_by("partner", "purpose", "pk")


def phases_of(project: Project) -> QuerySet[Phase]:
    return Phase.objects.filter(project=project).order_by("order", "starts_on", "pk")


def milestones_of(project: Project) -> QuerySet[Milestone]:
    return Milestone.objects.filter(project=project).order_by("due_on", "pk")
