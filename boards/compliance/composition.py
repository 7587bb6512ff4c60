"""Evaluators of the composition and involvement rules (BOARD-1, BOARD-2,
BOARD-4, GROUP-1, GROUP-3, TEAM-1..6). They read seat terms, so a report can
be computed "as of" any past date; a body's status on that date is rewound
from the audit log. All of them share one load of the project's bodies,
seats, groups and phases (four queries)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from boards.composition import (
    BOARD,
    OVERVIEW,
    POLICIES,
    PROJECT_TEAM,
    balance,
    compose,
    violations,
)
from boards.models import Body, BodyStatus, Seat
from coprod.rulebook import Rule
from projects.compliance import (
    Evidence,
    ProjectContext,
    RuleResult,
    Status,
    choice_label,
    evaluator,
    watch_audit_actions,
)
from projects.models import Phase
from stakeholders.models import Capacity, StakeholderGroup

STATUS_ACTIONS = (
    "boards.body.activated",
    "boards.body.suspended",
    "boards.body.restored",
    "boards.body.closed",
)
watch_audit_actions(*STATUS_ACTIONS)

FRONT_LINE = {"professional", "staff"}
IMPLEMENTERS = {"technician", PROJECT_TEAM}


@dataclass
class BoardData:
    bodies: dict[str, Body]
    seats: list[Seat]
    groups: list[StakeholderGroup]
    phases: list[Phase]

    def seats_of(self, kind: str) -> list[Seat]:
        body = self.bodies.get(kind)
        return [] if body is None else [seat for seat in self.seats if seat.body_id == body.pk]


def board_data(context: ProjectContext) -> BoardData:
    if "boards" not in context.cache:
        project = context.project
        context.cache["boards"] = BoardData(
            bodies={body.kind: body for body in Body.objects.filter(project=project)},
            seats=list(
                Seat.objects.filter(body__project=project)
                .select_related("person")
                .only(
                    "pk",
                    "body_id",
                    "capacity",
                    "stakeholder_group_id",
                    "phase_id",
                    "term_start",
                    "term_end",
                    "is_open",
                    "person__name",
                )
            ),
            groups=list(StakeholderGroup.objects.filter(project=project).order_by("name")),
            phases=list(Phase.objects.filter(project=project).order_by("order", "starts_on")),
        )
    return context.cache["boards"]


def status_changes(context: ProjectContext, body: Body) -> list[dict[str, Any]]:
    """The body's recorded status changes, oldest first, on any date (read
    from the shared audit history once per report for all bodies)."""
    if "status_changes" not in context.cache:
        by_body: dict[str, list[dict[str, Any]]] = {}
        for event in context.audit_history():
            if event["action"] in STATUS_ACTIONS and event["object_type"] == "boards.body":
                by_body.setdefault(event["object_id"], []).append(event)
        context.cache["status_changes"] = by_body
    return context.cache["status_changes"].get(str(body.pk), [])


def status_on(context: ProjectContext, body: Body) -> str:
    """The body's status on the report's date: today's status, rewound
    through the status changes recorded after that date (each records
    `[old, new]`)."""
    later = [
        event for event in status_changes(context, body) if not context.on_or_before(event["created_at"])
    ]
    if later and isinstance(later[0]["data"].get("status"), list):
        return later[0]["data"]["status"][0]
    return body.status


def active_seats(seats: list[Seat], context: ProjectContext) -> list[Seat]:
    """The seats active on the report's date (worked out once per report)."""
    if "active_seat_ids" not in context.cache:
        context.cache["active_seat_ids"] = {
            seat.pk for seat in board_data(context).seats if seat.active_on(context.as_of)
        }
    active = context.cache["active_seat_ids"]
    return [seat for seat in seats if seat.pk in active]


def seat_evidence(seat: Seat) -> Evidence:
    return Evidence(
        kind="seat",
        id=seat.pk,
        label=f"{seat.person.name} ({choice_label(Capacity, seat.capacity)}) from {seat.term_start:%-d %b %Y}",
    )


def group_evidence(group: StakeholderGroup) -> Evidence:
    return Evidence(kind="stakeholder_group", id=group.pk, label=group.name)


def body_evidence(body: Body) -> Evidence:
    return Evidence(kind="body", id=body.pk, label=f"{body.get_kind_display()} ({body.get_status_display()})")


def _share_result(context: ProjectContext, kind: str, rule: Rule) -> RuleResult:
    data = board_data(context)
    policy = POLICIES[kind]
    body = data.bodies.get(kind)
    if body is None:
        return RuleResult(rule, Status.FAIL, f"The project has no {policy.label}.")
    active = active_seats(data.seats_of(kind), context)
    composition = compose([seat.facts for seat in active], context.as_of)
    evidence = [body_evidence(body), *(seat_evidence(seat) for seat in active)]
    share = f"{composition.non_professional} of {composition.total} seats non-professional"
    found = [v for v in violations(policy, composition) if v.rule == rule]
    status = status_on(context, body)
    if status == BodyStatus.FORMING and composition.total == 0:
        return RuleResult(
            rule, Status.NA, f"The {policy.label} is still forming and has no seats yet.", evidence
        )
    if found:
        return RuleResult(rule, Status.FAIL, f"{found[0].message} {found[0].fix}", evidence)
    if status == BodyStatus.SUSPENDED:
        return RuleResult(
            rule,
            Status.WARN,
            f"{share} on {context.as_of:%-d %b %Y}, but the body was suspended on that date: its "
            "decisions wait until its composition is restored.",
            evidence,
        )
    return RuleResult(
        rule,
        Status.PASS,
        f"{share} ({round(composition.non_professional_percent)}%), at least "
        f"{policy.min_non_professional_percent}% required.",
        evidence,
    )


@evaluator(Rule.BOARD_1)
def board_remit(context: ProjectContext) -> RuleResult:
    data = board_data(context)
    board = data.bodies.get(BOARD)
    if board is None:
        return RuleResult(Rule.BOARD_1, Status.FAIL, "The project has no Project Board.")
    missing = [
        label
        for flag, label in (
            (board.remit_equal_status, "equal status of partners"),
            (board.remit_finance, "equitable control of finance"),
            (board.remit_quality, "quality of delivery"),
            (board.remit_plan, "adherence to the plan"),
        )
        if not flag
    ]
    evidence = [body_evidence(board)]
    if missing:
        return RuleResult(
            Rule.BOARD_1, Status.FAIL, f"The board's remit leaves out: {', '.join(missing)}.", evidence
        )
    status = status_on(context, board)
    if status != BodyStatus.ACTIVE:
        return RuleResult(
            Rule.BOARD_1,
            Status.WARN,
            f"The board's remit is complete, but the board was {BodyStatus(status).label.lower()} "
            f"on {context.as_of:%-d %b %Y}.",
            evidence,
        )
    return RuleResult(Rule.BOARD_1, Status.PASS, "An active board holds the full remit.", evidence)


@evaluator(Rule.BOARD_2)
def every_group_on_board(context: ProjectContext) -> RuleResult:
    data = board_data(context)
    active = active_seats(data.seats_of(BOARD), context)
    seated = {seat.stakeholder_group_id for seat in active}
    if not data.groups:
        return RuleResult(Rule.BOARD_2, Status.NA, "No stakeholder groups are identified yet.")
    unseated = [group for group in data.groups if group.pk not in seated]
    if unseated:
        names = ", ".join(group.name for group in unseated)
        return RuleResult(
            Rule.BOARD_2,
            Status.FAIL,
            f"Groups without a board seat: {names}.",
            [group_evidence(group) for group in unseated],
        )
    return RuleResult(
        Rule.BOARD_2,
        Status.PASS,
        f"All {len(data.groups)} stakeholder groups hold a board seat.",
        [seat_evidence(seat) for seat in active],
    )


@evaluator(Rule.BOARD_4)
def board_share(context: ProjectContext) -> RuleResult:
    return _share_result(context, BOARD, Rule.BOARD_4)


@evaluator(Rule.GROUP_3)
def group_share(context: ProjectContext) -> RuleResult:
    return _share_result(context, OVERVIEW, Rule.GROUP_3)


@evaluator(Rule.GROUP_1)
def overview_group_separate(context: ProjectContext) -> RuleResult:
    data = board_data(context)
    group_body = data.bodies.get(OVERVIEW)
    if group_body is None:
        return RuleResult(Rule.GROUP_1, Status.FAIL, "The project has no Overview Group.")
    active = active_seats(data.seats_of(OVERVIEW), context)
    evidence = [body_evidence(group_body)]
    team = [seat for seat in active if seat.capacity == PROJECT_TEAM]
    if len(team) > 2:
        return RuleResult(
            Rule.GROUP_1,
            Status.FAIL,
            f"{len(team)} project-team seats on the Overview Group; at most 2 are allowed.",
            evidence + [seat_evidence(seat) for seat in team],
        )
    if not active:
        return RuleResult(Rule.GROUP_1, Status.WARN, "The Overview Group has no members yet.", evidence)
    board_people = {seat.person_id for seat in active_seats(data.seats_of(BOARD), context)}
    group_people = {seat.person_id for seat in active}
    if board_people and group_people == board_people:
        return RuleResult(
            Rule.GROUP_1,
            Status.WARN,
            "The Overview Group has exactly the same members as the board: it should be a separate body.",
            evidence,
        )
    return RuleResult(
        Rule.GROUP_1,
        Status.PASS,
        f"A separate Overview Group of {len(active)} with {len(team)} project-team seat(s).",
        evidence,
    )


@evaluator(Rule.TEAM_1)
def involvement_planned_per_stage(context: ProjectContext) -> RuleResult:
    data = board_data(context)
    if not data.seats:
        return RuleResult(Rule.TEAM_1, Status.NA, "No seats yet.")
    if not data.phases:
        return RuleResult(Rule.TEAM_1, Status.FAIL, "The project has no phases to plan involvement against.")
    unplanned = [
        seat for seat in data.seats if seat.is_open and seat.phase_id is None and seat.term_end is None
    ]
    if unplanned:
        return RuleResult(
            Rule.TEAM_1,
            Status.WARN,
            f"{len(unplanned)} seat(s) have neither a phase nor a term end.",
            [seat_evidence(seat) for seat in unplanned],
        )
    return RuleResult(
        Rule.TEAM_1,
        Status.PASS,
        f"All seats have terms or phases across {len(data.phases)} phases.",
        [Evidence(kind="phase", id=phase.pk, label=phase.name) for phase in data.phases],
    )


@evaluator(Rule.TEAM_2)
def representation_balance(context: ProjectContext) -> RuleResult:
    data = board_data(context)
    if not data.groups:
        return RuleResult(Rule.TEAM_2, Status.NA, "No stakeholder groups are identified yet.")
    active = active_seats(data.seats, context)
    per_group: dict[int, int] = {}
    for seat in active:
        if seat.stakeholder_group_id is not None:
            per_group[seat.stakeholder_group_id] = per_group.get(seat.stakeholder_group_id, 0) + 1
    names = {group.pk: group for group in data.groups}
    unseated, imbalanced = balance(per_group, names)
    if unseated:
        return RuleResult(
            Rule.TEAM_2,
            Status.FAIL,
            "Groups with no seat on either body: " + ", ".join(names[g].name for g in unseated) + ".",
            [group_evidence(names[g]) for g in unseated],
        )
    if imbalanced:
        big, small = imbalanced[0]
        return RuleResult(
            Rule.TEAM_2,
            Status.WARN,
            f"“{names[big].name}” has {per_group[big]} seats, more than twice the {per_group[small]} of "
            f"“{names[small].name}”.",
            [group_evidence(names[big]), group_evidence(names[small])],
        )
    return RuleResult(
        Rule.TEAM_2,
        Status.PASS,
        "Every group holds seats in comparable numbers.",
        [group_evidence(group) for group in data.groups],
    )


@evaluator(Rule.TEAM_3)
def involved_in_every_phase(context: ProjectContext) -> RuleResult:
    data = board_data(context)
    if not data.phases or not data.groups:
        return RuleResult(Rule.TEAM_3, Status.NA, "Phases and stakeholder groups are needed first.")
    past_gaps: list[str] = []
    future_gaps: list[str] = []
    evidence: list[Evidence] = []
    for phase in data.phases:
        for group in data.groups:
            covered = any(
                seat.stakeholder_group_id == group.pk
                and seat.term_start <= phase.ends_on
                and (seat.term_end is None or seat.term_end > phase.starts_on)
                for seat in data.seats
            )
            if not covered:
                gap = f"{group.name} in {phase.name}"
                (past_gaps if phase.starts_on <= context.as_of else future_gaps).append(gap)
                evidence.append(group_evidence(group))
    if past_gaps:
        return RuleResult(Rule.TEAM_3, Status.FAIL, "Not involved: " + "; ".join(past_gaps) + ".", evidence)
    if future_gaps:
        return RuleResult(
            Rule.TEAM_3, Status.WARN, "No seats planned yet for: " + "; ".join(future_gaps) + ".", evidence
        )
    return RuleResult(Rule.TEAM_3, Status.PASS, "Every group has a seat in every phase.")


def _groups_hold_seats(
    context: ProjectContext, rule: Rule, groups: list[StakeholderGroup], *, missing: str, held: str
) -> RuleResult:
    """TEAM-4, TEAM-6: each of these groups holds an active seat on a body."""
    seated = {seat.stakeholder_group_id for seat in active_seats(board_data(context).seats, context)}
    unseated = [group for group in groups if group.pk not in seated]
    if unseated:
        return RuleResult(
            rule,
            Status.FAIL,
            f"{missing}: " + ", ".join(g.name for g in unseated) + ".",
            [group_evidence(group) for group in unseated],
        )
    return RuleResult(rule, Status.PASS, held, [group_evidence(group) for group in groups])


@evaluator(Rule.TEAM_4)
def negatively_affected_seated(context: ProjectContext) -> RuleResult:
    data = board_data(context)
    at_risk = [group for group in data.groups if group.may_be_negatively_affected]
    if not at_risk:
        return RuleResult(
            Rule.TEAM_4, Status.NA, "No group that may be negatively affected is identified (see SCOPE-3)."
        )
    return _groups_hold_seats(
        context,
        Rule.TEAM_4,
        at_risk,
        missing="May be negatively affected but hold no seat",
        held="Every group that may be negatively affected holds a seat.",
    )


@evaluator(Rule.TEAM_5)
def professionals_involved(context: ProjectContext) -> RuleResult:
    active = active_seats(board_data(context).seats, context)
    front_line = [seat for seat in active if seat.capacity in FRONT_LINE]
    implementers = [seat for seat in active if seat.capacity in IMPLEMENTERS]
    evidence = [seat_evidence(seat) for seat in front_line + implementers]
    if not front_line and not implementers:
        return RuleResult(
            Rule.TEAM_5, Status.FAIL, "No front-line professionals or implementers hold a seat.", evidence
        )
    if not front_line:
        return RuleResult(
            Rule.TEAM_5,
            Status.WARN,
            "No front-line professional or staff seat: add those who deliver it.",
            evidence,
        )
    if not implementers:
        return RuleResult(
            Rule.TEAM_5,
            Status.WARN,
            "No technician, implementer or project-team seat: add those who will implement it.",
            evidence,
        )
    return RuleResult(
        Rule.TEAM_5, Status.PASS, "Front-line professionals and implementers are involved.", evidence
    )


@evaluator(Rule.TEAM_6)
def indirectly_affected_involved(context: ProjectContext) -> RuleResult:
    data = board_data(context)
    indirect = [group for group in data.groups if group.affected == StakeholderGroup.Affected.INDIRECTLY]
    if not data.groups:
        return RuleResult(Rule.TEAM_6, Status.NA, "No stakeholder groups are identified yet.")
    if not indirect:
        return RuleResult(
            Rule.TEAM_6,
            Status.WARN,
            "No indirectly affected group (such as carers) is identified (see SCOPE-4).",
        )
    return _groups_hold_seats(
        context,
        Rule.TEAM_6,
        indirect,
        missing="Indirectly affected but not involved",
        held="Indirectly affected groups hold seats.",
    )


@evaluator(Rule.TEAM_8)
def every_group_takes_part_in_decisions(context: ProjectContext) -> RuleResult:
    """TEAM-8: each group takes part in decisions (votes cast), not only in
    meetings. Reads the votes of every closed vote in the ledger up to the
    date, by the seats' groups."""
    data = board_data(context)
    if not data.groups:
        return RuleResult(Rule.TEAM_8, Status.NA, "No stakeholder groups are identified yet.")
    # The votes recorded in the ledger up to the date, by the seats' groups.
    from boards.compliance.decisions import decision_data

    group_of = {seat.pk: seat.stakeholder_group_id for seat in data.seats}
    voted = {
        group_of.get(vote.get("seat"))
        for entry in decision_data(context).entries
        for vote in entry.content.get("votes") or ()
    }
    if not voted:
        return RuleResult(Rule.TEAM_8, Status.NA, "No votes have been cast yet.")
    silent = [group for group in data.groups if group.pk not in voted]
    if silent:
        return RuleResult(
            Rule.TEAM_8,
            Status.WARN,
            "Groups that have not yet voted on any decision: "
            + ", ".join(group.name for group in silent)
            + ".",
            [group_evidence(group) for group in silent],
        )
    return RuleResult(Rule.TEAM_8, Status.PASS, "Every group has voted on decisions.")
