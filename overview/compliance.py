"""Evaluators of what only the Overview Group has: every agreed decision
carried out or returned with what the group needs (GROUP-6), and meeting
often enough and reviewing every milestone (GROUP-8). They read the ledger,
the implementation reports, the meetings and the milestone reviews up to the
report's date (two queries of their own; the rest is shared with the board
evaluators)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from boards.compliance.composition import board_data
from boards.compliance.decisions import EVIDENCE_LIMIT, decision_data, decision_evidence, item_evidence
from boards.compliance.meetings import cadence_reading, cadence_result
from boards.composition import OVERVIEW
from boards.models import Outcome
from coprod.rulebook import Rule
from overview.models import MilestoneReview
from projects.compliance import Evidence, ProjectContext, RuleResult, Status, evaluator, refusal_evidence
from projects.models import Milestone

RETURN_NEEDS = ("return_reason", "return_information", "return_resources", "return_skills")


@evaluator(Rule.GROUP_6)
def group_decisions_carried_out(context: ProjectContext) -> RuleResult:
    rule = Rule.GROUP_6
    group = board_data(context).bodies.get(OVERVIEW)
    if group is None:
        return RuleResult(rule, Status.FAIL, "The project has no Overview Group.")
    data = decision_data(context)
    agreed = [entry for entry in data.of_body(group) if entry.outcome == Outcome.AGREED]
    refused = refusal_evidence(context, rule)
    if not agreed:
        return RuleResult(rule, Status.NA, "The Overview Group has not agreed any decision yet.", refused)
    days = context.project.implementation_days
    done: list[int] = []
    returned: list[int] = []
    in_hand: list[int] = []
    stalled: list[Evidence] = []
    incomplete_returns: list[Evidence] = []
    for entry in agreed:
        status = data.latest_update.get(entry.pk, {}).get("status")
        if status == "done":
            done.append(entry.sequence)
        elif status == "cannot":
            returned.append(entry.sequence)
            for item in data.returns.get(entry.pk, []):
                missing = [need.removeprefix("return_") for need in RETURN_NEEDS if not item[need].strip()]
                if missing:
                    incomplete_returns.append(item_evidence(item, "returned without " + ", ".join(missing)))
        else:
            due = timezone.localdate(entry.recorded_at) + datetime.timedelta(days=days)
            if context.as_of > due:
                stalled.append(
                    decision_evidence(entry, f"neither carried out nor returned by {due:%-d %b %Y}")
                )
            else:
                in_hand.append(entry.sequence)
    counts = (
        f"{len(agreed)} agreed: {len(done)} carried out, {len(returned)} returned to the group, "
        f"{len(in_hand)} in hand, {len(stalled)} stalled"
    )
    if incomplete_returns:
        return RuleResult(
            rule,
            Status.FAIL,
            "Decisions came back to the group without the reason, information, resources and skills it needs "
            f"({counts}).",
            incomplete_returns[:EVIDENCE_LIMIT] + refused,
        )
    if stalled:
        return RuleResult(
            rule,
            Status.FAIL,
            f"{len(stalled)} agreed group decision(s) were neither carried out nor returned within {days} days "
            f"({counts}).",
            stalled[:EVIDENCE_LIMIT] + refused,
        )
    return RuleResult(
        rule,
        Status.PASS,
        f"Every agreed group decision is carried out, returned with what the group needs, or within its "
        f"{days} days ({counts}).",
        refused,
    )


@evaluator(Rule.GROUP_8)
def group_meets_and_reviews_milestones(context: ProjectContext) -> RuleResult:
    rule = Rule.GROUP_8
    group = board_data(context).bodies.get(OVERVIEW)
    if group is None:
        return RuleResult(rule, Status.FAIL, "The project has no Overview Group.")
    project = context.project
    as_of = context.as_of
    milestones = list(
        Milestone.objects.filter(project=project, due_on__lte=as_of).values(
            "pk", "title", "due_on", "completed_on"
        )
    )
    reviewed = {
        review["milestone_id"]
        for review in MilestoneReview.objects.filter(milestone__project=project).values(
            "milestone_id", "recorded_at"
        )
        if context.on_or_before(review["recorded_at"])
    }
    completed_unreviewed = [
        m for m in milestones if m["completed_on"] and m["completed_on"] <= as_of and m["pk"] not in reviewed
    ]
    due_unreviewed = [m for m in milestones if m["pk"] not in reviewed and m not in completed_unreviewed]
    milestone_evidence = [
        Evidence(kind="milestone", id=m["pk"], label=f"{m['title']} (due {m['due_on']:%-d %b %Y})")
        for m in completed_unreviewed + due_unreviewed
    ][:EVIDENCE_LIMIT]
    refused = refusal_evidence(context, rule)
    if completed_unreviewed:
        return RuleResult(
            rule,
            Status.FAIL,
            f"{len(completed_unreviewed)} milestone(s) were marked complete without an Overview Group review.",
            milestone_evidence + refused,
        )
    reading = cadence_reading(context, group)
    if reading.applies and (reading.failures or reading.warnings):
        result = cadence_result(rule, "Overview Group", reading, milestone_evidence + refused)
        if due_unreviewed:
            result.explanation += f" {len(due_unreviewed)} milestone(s) due are not reviewed yet."
        return result
    if due_unreviewed:
        return RuleResult(
            rule,
            Status.WARN,
            f"{len(due_unreviewed)} milestone(s) are due without an Overview Group review; they cannot be marked "
            "complete until the group reviews them.",
            milestone_evidence + refused,
        )
    reviewed_due = sum(1 for m in milestones if m["pk"] in reviewed)
    meets = (
        f"The Overview Group meets within its cadence ({reading.summary})"
        if reading.applies
        else "The Overview Group is not active yet"
    )
    return RuleResult(
        rule,
        Status.PASS,
        f"{meets}, and all {reviewed_due} milestone(s) due by {as_of:%-d %b %Y} were reviewed by it. "
        "Completing a milestone without its review is refused.",
        refused,
    )
