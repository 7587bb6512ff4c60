"""Evaluators of how the bodies decide: chairs on merit (BOARD-3, GROUP-2),
one seat one vote (BOARD-5, GROUP-4), finance and personnel by decision
(BOARD-7) and no overruling (BOARD-8, GROUP-7); and the decision data that
the meeting and ledger evaluators (`meetings`, `ledger`) share.

Everything is read from the ledger, the items, the meetings, the
implementation reports and the audit log up to the report's date, in a fixed
number of queries shared by all of them, so a report can be asked "as of"
any past date and costs the same for a project of any size."""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from boards.compliance.composition import board_data, body_evidence, seat_evidence, status_changes, status_on
from boards.composition import BOARD, NON_PROFESSIONAL, OVERVIEW, POLICIES
from boards.db import ledger_guard_installed
from boards.models import (
    AgendaItem,
    Body,
    BodyStatus,
    DecisionEntry,
    ImplementationUpdate,
    ItemKind,
    Meeting,
    Outcome,
)
from boards.rules import rules_for
from coprod.rulebook import Rule
from projects.compliance import (
    EVIDENCE_LIMIT,
    Evidence,
    ProjectContext,
    RuleResult,
    Status,
    choice_label,
    evaluator,
    refusal_evidence,
    refusal_summary,
    watch_audit_actions,
)
from stakeholders.models import Capacity
from tools.verify_ledger import verify_chain

watch_audit_actions("boards.body.chair_appointed")

# Capacities whose chair passes BOARD-3/GROUP-2 outright: independent members
# and the people the service is for. Other non-professionals pass too; a
# professional chair appointed on merit is allowed but warned about.
PREFERRED_CHAIRS = {"independent", "service_user", "carer"}
PERSONNEL_ACTIONS = ("projects.project_role.granted", "projects.project_role.revoked")
BUDGET_ACTIONS = (
    "projects.budget_line.recorded",
    "projects.budget_line.changed",
    "projects.budget_line.removed",
)


@dataclass
class Entry:
    """A ledger entry with its payload read."""

    pk: int
    sequence: int
    body_id: int
    item_id: int
    outcome: str
    recorded_at: datetime.datetime
    entry_hash: str
    content: dict[str, Any]

    @property
    def item_kind(self) -> str:
        return self.content.get("item_kind", "")

    @property
    def proposal(self) -> dict[str, Any]:
        return self.content.get("proposal") or {}


@dataclass
class DecisionData:
    entries: list[Entry]  # up to the report's date, in sequence order
    chain_ok: bool
    chain_explanation: str
    first_bad_sequence: int | None
    items: list[dict[str, Any]]
    meetings: list[dict[str, Any]]
    latest_update: dict[int, dict[str, Any]]  # entry pk -> its latest implementation report up to the date
    returns: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # entry pk -> return items
    guard_installed: bool = False

    def of_body(self, body: Body) -> list[Entry]:
        return [entry for entry in self.entries if entry.body_id == body.pk]


def decision_data(context: ProjectContext) -> DecisionData:
    """Load the project's ledger, items, meetings and implementation reports
    once (four queries and the trigger check)."""
    if "decisions" in context.cache:
        return context.cache["decisions"]
    project = context.project
    rows = list(
        DecisionEntry.objects.filter(project=project)
        .order_by("sequence")
        .values(
            "pk",
            "sequence",
            "body_id",
            "item_id",
            "outcome",
            "payload",
            "prev_hash",
            "entry_hash",
            "recorded_at",
        )
    )
    upto = [row for row in rows if context.on_or_before(row["recorded_at"])]
    # The chain as it stood on the date is a prefix of today's chain: verify
    # it, reading each payload once.
    payloads: list[dict[str, Any]] = []
    ok, bad, explanation = verify_chain(
        (
            {
                "sequence": r["sequence"],
                "payload": r["payload"],
                "prev_hash": r["prev_hash"],
                "hash": r["entry_hash"],
            }
            for r in upto
        ),
        payloads,
        check_form=False,
    )
    entries = [
        Entry(
            pk=row["pk"],
            sequence=row["sequence"],
            body_id=row["body_id"],
            item_id=row["item_id"],
            outcome=row["outcome"],
            recorded_at=row["recorded_at"],
            entry_hash=row["entry_hash"],
            content=payloads[index] if index < len(payloads) else _read(row["payload"]),
        )
        for index, row in enumerate(upto)
    ]
    items = list(
        AgendaItem.objects.filter(body__project=project).values(
            "pk",
            "body_id",
            "kind",
            "title",
            "status",
            "deadline",
            "decided_at",
            "created_at",
            "returns_entry_id",
            "return_reason",
            "return_information",
            "return_resources",
            "return_skills",
        )
    )
    items = [item for item in items if context.on_or_before(item["created_at"])]
    meetings = list(
        Meeting.objects.filter(body__project=project).values(
            "pk", "body_id", "status", "held_on", "scheduled_at"
        )
    )
    latest: dict[int, dict[str, Any]] = {}
    for update in (
        ImplementationUpdate.objects.filter(entry__project=project)
        .order_by("created_at", "pk")
        .values("entry_id", "status", "created_at")
    ):
        if context.on_or_before(update["created_at"]):
            latest[update["entry_id"]] = update
    returns: dict[int, list[dict[str, Any]]] = {}
    for item in items:
        if item["returns_entry_id"]:
            returns.setdefault(item["returns_entry_id"], []).append(item)
    data = DecisionData(
        entries=entries,
        chain_ok=ok,
        chain_explanation=explanation,
        first_bad_sequence=bad,
        items=items,
        meetings=meetings,
        latest_update=latest,
        returns=returns,
        guard_installed=ledger_guard_installed(connection),
    )
    context.cache["decisions"] = data
    return data


def _read(payload: str) -> dict[str, Any]:
    try:
        value = json.loads(payload)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def decision_evidence(entry: Entry, what: str = "") -> Evidence:
    title = entry.content.get("title", "")
    label = f"Decision #{entry.sequence} ({entry.outcome.replace('_', ' ')})"
    if title:
        label += f": {title}"
    if what:
        label += f", {what}"
    return Evidence(kind="decision", id=entry.sequence, label=label[:300])


def item_evidence(item: dict[str, Any], what: str = "") -> Evidence:
    label = f"Item “{item['title']}”" + (f": {what}" if what else "")
    return Evidence(kind="item", id=item["pk"], label=label[:300])


def day_of(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment)


def when(day: datetime.date) -> str:
    return f"{day:%-d %b %Y}"


def missing_body(rule: Rule, kind: str) -> RuleResult:
    return RuleResult(rule, Status.FAIL, f"The project has no {POLICIES[kind].label}.")


@dataclass(frozen=True)
class BodyRule:
    """One body's rule in a report: the rule, the body, its name and the
    attempts to break the rule that were refused."""

    rule: Rule
    body: Body
    label: str
    refused: list[Evidence]


def per_body(
    which: str,
) -> Callable[
    [Callable[[ProjectContext, BodyRule], RuleResult]], Callable[[ProjectContext, str], RuleResult]
]:
    """Evaluate one of the rules that the board and the group each have
    (`which` names it in `BodyRules`): a missing body fails it, otherwise the
    evaluator gets the body and the refused attempts."""

    def wrap(
        function: Callable[[ProjectContext, BodyRule], RuleResult],
    ) -> Callable[[ProjectContext, str], RuleResult]:
        @functools.wraps(function)
        def evaluate_for(context: ProjectContext, kind: str) -> RuleResult:
            rule = getattr(rules_for(kind), which)
            body = board_data(context).bodies.get(kind)
            if body is None:
                return missing_body(rule, kind)
            return function(
                context, BodyRule(rule, body, POLICIES[kind].label, refusal_evidence(context, rule))
            )

        return evaluate_for

    return wrap


# --- BOARD-3, GROUP-2: the chair, appointed on merit by the body's vote ------------


@per_body("chair")
def _chair(context: ProjectContext, target: BodyRule) -> RuleResult:
    rule, body, label, refused = target.rule, target.body, target.label, target.refused
    data = decision_data(context)
    appointments = [
        entry
        for entry in data.of_body(body)
        if entry.item_kind == ItemKind.CHAIR_APPOINTMENT and entry.outcome == Outcome.AGREED
    ]
    if not appointments:
        if body.chair_seat_id is not None and not _appointed_ever(body):
            return RuleResult(
                rule,
                Status.FAIL,
                f"The {label} has a chair that no decision of the {label} appointed.",
                [body_evidence(body), *refused],
            )
        status = status_on(context, body)
        if status in (BodyStatus.ACTIVE, BodyStatus.SUSPENDED):
            return RuleResult(
                rule,
                Status.WARN,
                f"The {label} has not appointed a chair yet: put a chair-appointment item, with a statement "
                f"of merit, to its vote. {refusal_summary(context, rule)}",
                [body_evidence(body), *refused],
            )
        return RuleResult(
            rule, Status.NA, f"The {label} is not active yet; it appoints its chair once it is.", refused
        )
    latest = appointments[-1]
    seats = {seat.pk: seat for seat in board_data(context).seats}
    seat = seats.get(latest.proposal.get("seat"))
    merit = str(latest.proposal.get("merit", "")).strip()
    evidence = [decision_evidence(latest, "appointing the chair")]
    if seat is not None:
        evidence.append(seat_evidence(seat))
    evidence += refused
    if not merit:
        return RuleResult(
            rule,
            Status.FAIL,
            f"Decision #{latest.sequence} appointed the chair without a statement of merit.",
            evidence,
        )
    if seat is None:
        return RuleResult(
            rule,
            Status.FAIL,
            f"The seat appointed by decision #{latest.sequence} no longer exists.",
            evidence,
        )
    latest_ever = _latest_appointment_seat(body)
    if latest_ever == seat.pk and body.chair_seat_id != seat.pk:
        return RuleResult(
            rule,
            Status.FAIL,
            f"Today's chair is not the seat that decision #{latest.sequence} appointed.",
            evidence,
        )
    who = f"{seat.person.name} ({choice_label(Capacity, seat.capacity).lower()})"
    by_vote = f"appointed by the {label}'s vote in decision #{latest.sequence} with a statement of merit"
    if seat.capacity in PREFERRED_CHAIRS or seat.capacity in NON_PROFESSIONAL:
        return RuleResult(rule, Status.PASS, f"The chair, {who}, was {by_vote}.", evidence)
    return RuleResult(
        rule,
        Status.WARN,
        f"The chair, {who}, was {by_vote}, but sits in a professional capacity: an independent, service-user "
        "or carer chair keeps control with the people the service is for.",
        evidence,
    )


def _appointed_ever(body: Body) -> bool:
    return _latest_appointment_seat(body) is not None


def _latest_appointment_seat(body: Body) -> int | None:
    """The seat of the body's newest agreed chair appointment on any date
    (read from the body's items, which the chair decisions close)."""
    seat = getattr(body, "_latest_chair_seat", "unset")
    if seat == "unset":
        proposal = (
            AgendaItem.objects.filter(body=body, kind=ItemKind.CHAIR_APPOINTMENT, status="agreed")
            .order_by("-decided_at", "-pk")
            .values_list("proposal", flat=True)
            .first()
        )
        seat = (proposal or {}).get("seat") if isinstance(proposal, dict) else None
        body._latest_chair_seat = seat  # type: ignore[attr-defined]
    return seat


@evaluator(Rule.BOARD_3)
def board_chair(context: ProjectContext) -> RuleResult:
    return _chair(context, BOARD)


@evaluator(Rule.GROUP_2)
def group_chair(context: ProjectContext) -> RuleResult:
    return _chair(context, OVERVIEW)


# --- BOARD-5, GROUP-4: one seat, one vote, equal weight -------------------------


@per_body("voice")
def _equal_votes(context: ProjectContext, target: BodyRule) -> RuleResult:
    rule, body, refused = target.rule, target.body, target.refused
    data = decision_data(context)
    seat_ids = {seat.pk for seat in board_data(context).seats_of(body.kind)}
    unequal: list[Evidence] = []
    checked = votes = 0
    for entry in data.of_body(body):
        cast = entry.content.get("votes") or []
        seats = [vote.get("seat") for vote in cast]
        tally = entry.content.get("tally") or {}
        checked += 1
        votes += len(cast)
        problems = []
        if len(seats) != len(set(seats)):
            problems.append("a seat voted twice")
        if any(seat not in seat_ids for seat in seats):
            problems.append("a vote from a seat of another body")
        if tally and sum(int(n) for n in tally.values()) != len(cast):
            problems.append("the tally does not count each vote once")
        if problems:
            unequal.append(decision_evidence(entry, "; ".join(problems)))
    if unequal:
        return RuleResult(
            rule,
            Status.FAIL,
            f"{len(unequal)} decision(s) of the {target.label} did not count one vote per seat.",
            unequal[:EVIDENCE_LIMIT] + refused,
        )
    if not checked:
        return RuleResult(
            rule,
            Status.PASS,
            f"No vote has closed yet. Each seat has one vote of equal weight (one vote per seat per round is a "
            f"database constraint) and every member may comment on an item until its vote closes. "
            f"{refusal_summary(context, rule)}",
            refused,
        )
    return RuleResult(
        rule,
        Status.PASS,
        f"{checked} closed vote(s) with {votes} votes: one vote per seat, counted once each, no weights or "
        f"proxies; every member may comment on an item until its vote closes. {refusal_summary(context, rule)}",
        refused,
    )


@evaluator(Rule.BOARD_5)
def board_equal_votes(context: ProjectContext) -> RuleResult:
    return _equal_votes(context, BOARD)


@evaluator(Rule.GROUP_4)
def group_equal_votes(context: ProjectContext) -> RuleResult:
    return _equal_votes(context, OVERVIEW)


# --- BOARD-7: finance and personnel by board decision ------------------------------


def activated_at(context: ProjectContext, body: Body) -> datetime.datetime | None:
    """When the body first became active, if by the report's date (from the
    audit log; a body active today with no recorded activation counts from
    its status date)."""
    for event in status_changes(context, body):
        if event["action"] == "boards.body.activated":
            return event["created_at"] if context.on_or_before(event["created_at"]) else None
    if status_on(context, body) in (BodyStatus.ACTIVE, BodyStatus.SUSPENDED, BodyStatus.CLOSED):
        return body.status_since or body.created_at
    return None


def governing_since(context: ProjectContext, body: Body) -> datetime.date | None:
    """The first day on which the body was active, up to the report's date."""
    moment = activated_at(context, body)
    return None if moment is None else min(day_of(moment), context.as_of)


@evaluator(Rule.BOARD_7)
def finance_and_personnel_by_decision(context: ProjectContext) -> RuleResult:
    rule = Rule.BOARD_7
    board = board_data(context).bodies.get(BOARD)
    if board is None:
        return missing_body(rule, BOARD)
    refused = refusal_evidence(context, rule)
    moment = activated_at(context, board)
    since = governing_since(context, board)
    if moment is None or since is None:
        return RuleResult(
            rule,
            Status.NA,
            "The board does not govern yet: until it is active, facilitators set up the budget and the team. "
            + refusal_summary(context, rule),
            refused,
        )
    agreed_board = {
        entry.sequence: entry
        for entry in decision_data(context).entries
        if entry.body_id == board.pk and entry.outcome == Outcome.AGREED
    }
    changes = [
        event
        for event in context.audit_history()
        if (
            event["action"] in BUDGET_ACTIONS
            or (event["action"] in PERSONNEL_ACTIONS and event["rule"] == Rule.BOARD_7.value)
        )
        and context.on_or_before(event["created_at"])
        and event["created_at"] > moment
    ]
    unauthorised = []
    authorities: set[int] = set()
    for event in changes:
        sequence = decision_number(event["data"].get("authority", ""))
        if sequence is None or sequence not in agreed_board:
            unauthorised.append(event)
        else:
            authorities.add(sequence)
    if unauthorised:
        return RuleResult(
            rule,
            Status.FAIL,
            f"{len(unauthorised)} budget or project-team change(s) since the board began governing on "
            f"{when(since)} were not made by an agreed board decision.",
            [
                Evidence(
                    kind="audit_event", id=event["pk"], label=f"{event['action']}: {event['object_repr']}"
                )
                for event in unauthorised[:EVIDENCE_LIMIT]
            ]
            + refused,
        )
    budget = sum(1 for event in changes if event["action"] in BUDGET_ACTIONS)
    personnel = len(changes) - budget
    evidence = [decision_evidence(agreed_board[n]) for n in sorted(authorities)][:EVIDENCE_LIMIT] + refused
    return RuleResult(
        rule,
        Status.PASS,
        f"Since the board began governing on {when(since)}, {budget} budget change(s) and {personnel} "
        f"project-team change(s), each made by an agreed board decision. {refusal_summary(context, rule)}",
        evidence,
    )


def decision_number(authority: str) -> int | None:
    """'board decision #12' -> 12 (the label the project services record)."""
    prefix = "board decision #"
    if isinstance(authority, str) and authority.startswith(prefix) and authority[len(prefix) :].isdigit():
        return int(authority[len(prefix) :])
    return None


# --- BOARD-8, GROUP-7: agreed decisions are not overruled ----------------------------


@per_body("override")
def _not_overruled(context: ProjectContext, target: BodyRule) -> RuleResult:
    rule, body, label, refused = target.rule, target.body, target.label, target.refused
    data = decision_data(context)
    if not data.guard_installed:
        return RuleResult(
            rule,
            Status.FAIL,
            "The database guard that refuses changing or deleting ledger entries is not installed.",
            refused,
        )
    if not data.chain_ok:
        return RuleResult(
            rule,
            Status.FAIL,
            f"The ledger does not verify ({data.chain_explanation}): an agreed decision may have been edited.",
            refused,
        )
    agreed = [entry for entry in data.of_body(body) if entry.outcome == Outcome.AGREED]
    cannot = [entry for entry in agreed if data.latest_update.get(entry.pk, {}).get("status") == "cannot"]
    unreturned = [entry for entry in cannot if not data.returns.get(entry.pk)]
    if unreturned:
        return RuleResult(
            rule,
            Status.FAIL,
            f"{len(unreturned)} agreed decision(s) reported as impossible to carry out did not return to the "
            f"{label}.",
            [decision_evidence(entry, "not returned") for entry in unreturned[:EVIDENCE_LIMIT]] + refused,
        )
    returned = [item for entry in cannot for item in data.returns[entry.pk]]
    waiting = [item for item in returned if item["status"] in ("open", "voting")]
    text = (
        f"{len(agreed)} agreed decision(s) stand as recorded: the ledger verifies and its database guard refuses "
        f"changes and deletions. {refusal_summary(context, rule)}"
    )
    if returned:
        text += (
            f" {len(returned)} decision(s) that could not be carried out came back to the {label} as new items"
            + (f" ({len(waiting)} still to decide)." if waiting else ".")
        )
    return RuleResult(
        rule,
        Status.PASS,
        text,
        [item_evidence(item, "returned") for item in returned[:EVIDENCE_LIMIT]] + refused,
    )


@evaluator(Rule.BOARD_8)
def board_not_overruled(context: ProjectContext) -> RuleResult:
    return _not_overruled(context, BOARD)


@evaluator(Rule.GROUP_7)
def group_not_overruled(context: ProjectContext) -> RuleResult:
    return _not_overruled(context, OVERVIEW)
