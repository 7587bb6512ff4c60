"""Evaluators of meeting and staying in control: a body meets often enough
and decides items by their deadlines (BOARD-9; the Overview Group's GROUP-8
uses the same reading in `overview.compliance`), and stays in control until
the project finishes (BOARD-10, GROUP-9). Read from the meeting record, the
items, the ledger and the audit log up to the report's date."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from boards.compliance.composition import board_data, body_evidence, status_on
from boards.compliance.decisions import (
    EVIDENCE_LIMIT,
    BodyRule,
    day_of,
    decision_data,
    decision_evidence,
    decision_number,
    governing_since,
    item_evidence,
    missing_body,
    per_body,
    when,
)
from boards.composition import BOARD, OVERVIEW
from boards.models import Body, BodyStatus, ItemKind, MeetingStatus, Outcome
from coprod.rulebook import Rule
from projects.compliance import (
    Evidence,
    ProjectContext,
    RuleResult,
    Status,
    evaluator,
    refusal_summary,
)

# --- BOARD-9 (and the cadence half of GROUP-8): meeting often enough -------------


@dataclass
class CadenceReading:
    """What the meeting record says about one body up to the report's date."""

    applies: bool
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    held: int = 0
    summary: str = ""


def cadence_reading(context: ProjectContext, body: Body) -> CadenceReading:
    """BOARD-9, GROUP-8: no gap between held meetings longer than the
    body's cadence (plus the project's grace), a meeting in the next cadence
    window, and no item undecided past its deadline, on the report's date."""
    since = governing_since(context, body)
    if since is None:
        return CadenceReading(applies=False, summary="The body is not active yet.")
    data = decision_data(context)
    as_of = context.as_of
    cadence = body.meeting_cadence_days
    allowed = cadence + context.project.cadence_grace_days
    meetings = [meeting for meeting in data.meetings if meeting["body_id"] == body.pk]
    held = sorted(
        (meeting for meeting in meetings if meeting["status"] == MeetingStatus.HELD and meeting["held_on"]),
        key=lambda meeting: meeting["held_on"],
    )
    held = [meeting for meeting in held if meeting["held_on"] <= as_of]
    reading = CadenceReading(applies=True, held=len(held))
    # Gaps in the past: between the day it began governing and each held meeting.
    previous = since
    for meeting in held:
        gap = (meeting["held_on"] - previous).days
        if gap > allowed:
            reading.warnings.append(
                f"{gap} days without a held meeting before {when(meeting['held_on'])} (cadence {cadence} days)"
            )
            reading.evidence.append(
                Evidence(kind="meeting", id=meeting["pk"], label=f"Held {when(meeting['held_on'])}")
            )
        previous = max(previous, meeting["held_on"])
    current_gap = (as_of - previous).days
    if current_gap > allowed:
        last = (
            f"the last held meeting was on {when(previous)}"
            if held
            else f"it has held none since {when(since)}"
        )
        reading.failures.append(
            f"no meeting held for {current_gap} days on {when(as_of)} ({last}; cadence {cadence} days plus "
            f"{context.project.cadence_grace_days} days' grace)"
        )
    window_end = as_of + datetime.timedelta(days=cadence)
    upcoming = [
        meeting
        for meeting in meetings
        if meeting["status"] != MeetingStatus.CANCELLED
        and as_of < day_of(meeting["scheduled_at"]) <= window_end
    ]
    if not upcoming and status_on(context, body) != BodyStatus.CLOSED:
        reading.warnings.append(f"no meeting scheduled in the {cadence} days after {when(as_of)}")
    for item in data.items:
        if item["body_id"] != body.pk or item["deadline"] is None or item["deadline"] >= as_of:
            continue
        decided = item["decided_at"]
        if decided is None or day_of(decided) > as_of:
            reading.failures.append(
                f"“{item['title']}” undecided after its deadline of {when(item['deadline'])}"
            )
            reading.evidence.append(item_evidence(item, f"deadline {when(item['deadline'])}"))
    reading.summary = f"{len(held)} held meeting(s) since {when(since)}, cadence {cadence} days"
    return reading


def cadence_result(
    rule: Rule, label: str, reading: CadenceReading, extra: list[Evidence] | None = None
) -> RuleResult:
    evidence = reading.evidence[:EVIDENCE_LIMIT] + (extra or [])
    if reading.failures:
        return RuleResult(
            rule, Status.FAIL, f"The {label}: " + "; ".join(reading.failures[:5]) + ".", evidence
        )
    if reading.warnings:
        return RuleResult(
            rule,
            Status.WARN,
            f"The {label} meets, but: " + "; ".join(reading.warnings[:5]) + f" ({reading.summary}).",
            evidence,
        )
    return RuleResult(
        rule,
        Status.PASS,
        f"The {label} meets within its cadence and decides items by their deadlines ({reading.summary}).",
        evidence,
    )


@evaluator(Rule.BOARD_9)
def board_meets_often_enough(context: ProjectContext) -> RuleResult:
    board = board_data(context).bodies.get(BOARD)
    if board is None:
        return missing_body(Rule.BOARD_9, BOARD)
    reading = cadence_reading(context, board)
    if not reading.applies:
        return RuleResult(
            Rule.BOARD_9, Status.NA, f"The Project Board is not active yet on {when(context.as_of)}."
        )
    return cadence_result(Rule.BOARD_9, "Project Board", reading)


# --- BOARD-10, GROUP-9: in control until the project finishes -------------------------


@per_body("stays_in_control")
def _in_control(context: ProjectContext, target: BodyRule) -> RuleResult:
    rule, body, label, refused = target.rule, target.body, target.label, target.refused
    closed = [
        event
        for event in context.audit_history()
        if event["action"] == "projects.project.closed" and context.on_or_before(event["created_at"])
    ]
    evidence = [body_evidence(body), *refused]
    if closed:
        number = decision_number(closed[-1]["data"].get("authority", ""))
        closing = next(
            (
                entry
                for entry in decision_data(context).entries
                if entry.sequence == number
                and entry.item_kind == ItemKind.CLOSE_PROJECT
                and entry.outcome == Outcome.AGREED
            ),
            None,
        )
        if closing is None:
            return RuleResult(
                rule, Status.FAIL, "The project was closed without an agreed board decision.", evidence
            )
        return RuleResult(
            rule,
            Status.PASS,
            f"The {label} stayed in control until the board closed the project by decision #{closing.sequence}.",
            [decision_evidence(closing), *evidence],
        )
    status = status_on(context, body)
    if status == BodyStatus.CLOSED:
        return RuleResult(
            rule, Status.FAIL, f"The {label} was dissolved while the project is still open.", evidence
        )
    if status == BodyStatus.FORMING:
        return RuleResult(
            rule,
            Status.WARN,
            f"The {label} is still forming on {when(context.as_of)}: it is not yet in control. "
            + refusal_summary(context, rule),
            evidence,
        )
    if status == BodyStatus.SUSPENDED:
        return RuleResult(
            rule,
            Status.WARN,
            f"The {label} is suspended until its non-professional share is restored; nobody else takes its "
            "decisions meanwhile. " + refusal_summary(context, rule),
            evidence,
        )
    return RuleResult(
        rule,
        Status.PASS,
        f"The {label} is active; only a board decision can close the project, and the {label} cannot be "
        f"dissolved while it is open. {refusal_summary(context, rule)}",
        evidence,
    )


@evaluator(Rule.BOARD_10)
def board_stays_in_control(context: ProjectContext) -> RuleResult:
    return _in_control(context, BOARD)


@evaluator(Rule.GROUP_9)
def group_stays_in_control(context: ProjectContext) -> RuleResult:
    return _in_control(context, OVERVIEW)
