"""Evaluators of listening and reaching out: SCOPE-2, SCOPE-3, SCOPE-4,
TEAM-7, TEAM-9. Three queries for the whole set."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from coprod.rulebook import Rule
from projects.compliance import Evidence, ProjectContext, RuleResult, Status, choice_label, evaluator
from stakeholders.models import GroupInvitation, InputChannel, PublicInput, StakeholderGroup


@dataclass(frozen=True)
class InputRow:
    """What the evaluators need of one public input, as plain values."""

    pk: int
    stakeholder_group_id: int | None
    during_scoping: bool
    channel: str
    received_at: datetime.datetime
    answered: bool


@dataclass
class ParticipationData:
    groups: list[StakeholderGroup]
    inputs: list[InputRow]
    invitations: list[GroupInvitation]


def _data(context: ProjectContext) -> ParticipationData:
    """Groups, inputs (with whether each was answered by the report's date)
    and invitations: three queries; inputs are read as plain values because
    a project can have thousands."""
    if "stakeholders" not in context.cache:
        project = context.project
        day_end = context.as_of
        inputs = [
            InputRow(
                pk=row["pk"],
                stakeholder_group_id=row["stakeholder_group_id"],
                during_scoping=row["during_scoping"],
                channel=row["channel"],
                received_at=row["received_at"],
                answered=context.on_or_before(row["response__responded_at"]),
            )
            for row in PublicInput.objects.filter(project=project)
            .order_by("received_at", "pk")
            .values(
                "pk",
                "stakeholder_group_id",
                "during_scoping",
                "channel",
                "received_at",
                "response__responded_at",
            )
            if context.on_or_before(row["received_at"])
        ]
        context.cache["stakeholders"] = ParticipationData(
            groups=list(StakeholderGroup.objects.filter(project=project, created_at__date__lte=day_end)),
            inputs=inputs,
            invitations=list(GroupInvitation.objects.filter(project=project, sent_on__lte=day_end)),
        )
    return context.cache["stakeholders"]


def _answered(item: InputRow) -> bool:
    return item.answered


def _group(group: StakeholderGroup) -> Evidence:
    return Evidence(kind="stakeholder_group", id=group.pk, label=group.name)


def _input(item: InputRow) -> Evidence:
    return Evidence(
        kind="input", id=item.pk, label=f"Input #{item.pk} ({choice_label(InputChannel, item.channel)})"
    )


@evaluator(Rule.SCOPE_1)
def initiator_recorded(context: ProjectContext) -> RuleResult:
    project = context.project
    return RuleResult(
        Rule.SCOPE_1,
        Status.PASS,
        f"Initiated by: {project.get_initiator_type_display()}.",
        [Evidence(kind="project", id=project.pk, label=project.title)],
    )


@evaluator(Rule.SCOPE_2)
def views_gathered_and_answered(context: ProjectContext) -> RuleResult:
    data = _data(context)
    scoping = [item for item in data.inputs if item.during_scoping]
    heard = {item.stakeholder_group_id for item in scoping}
    unheard = [group for group in data.groups if group.pk not in heard]
    unanswered = [item for item in scoping if not _answered(item)]
    if not data.groups:
        return RuleResult(Rule.SCOPE_2, Status.NA, "No stakeholder groups are identified yet.")
    if unheard or unanswered:
        parts = []
        if unheard:
            parts.append("no views from " + ", ".join(group.name for group in unheard))
        if unanswered:
            parts.append(f"{len(unanswered)} scoping input(s) without a recorded response")
        status = Status.FAIL if context.project.status not in ("proposed", "scoping") else Status.WARN
        return RuleResult(
            Rule.SCOPE_2,
            status,
            "Scoping has not listened to everyone yet: " + "; ".join(parts) + ".",
            [_group(group) for group in unheard] + [_input(item) for item in unanswered],
        )
    return RuleResult(
        Rule.SCOPE_2,
        Status.PASS,
        f"Views gathered from all {len(data.groups)} groups; all {len(scoping)} scoping inputs answered.",
        [_input(item) for item in scoping[:50]],
    )


@evaluator(Rule.SCOPE_3)
def negatively_affected_consulted(context: ProjectContext) -> RuleResult:
    data = _data(context)
    at_risk = [group for group in data.groups if group.may_be_negatively_affected]
    heard = {item.stakeholder_group_id for item in data.inputs if item.during_scoping}
    consulted = [group for group in at_risk if group.pk in heard]
    if consulted:
        return RuleResult(
            Rule.SCOPE_3,
            Status.PASS,
            "Consulted groups that may be negatively affected: "
            + ", ".join(group.name for group in consulted)
            + ".",
            [_group(group) for group in consulted],
        )
    reason = context.project.no_negative_impact_reason.strip()
    if reason and not at_risk:
        return RuleResult(
            Rule.SCOPE_3, Status.PASS, f"Recorded why no group could be negatively affected: {reason}"
        )
    return RuleResult(
        Rule.SCOPE_3,
        Status.FAIL,
        "No group that may be negatively affected has been identified and consulted.",
        [_group(group) for group in at_risk],
    )


@evaluator(Rule.SCOPE_4)
def directly_and_indirectly_affected(context: ProjectContext) -> RuleResult:
    groups = _data(context).groups
    direct = [group for group in groups if group.affected == StakeholderGroup.Affected.DIRECTLY]
    indirect = [group for group in groups if group.affected == StakeholderGroup.Affected.INDIRECTLY]
    lay = [group for group in groups if not group.is_professional]
    evidence = [_group(group) for group in groups]
    if not groups:
        return RuleResult(Rule.SCOPE_4, Status.FAIL, "No stakeholder groups are identified.")
    missing = []
    if not direct:
        missing.append("no directly affected group")
    if not indirect:
        missing.append("no indirectly affected group (such as carers)")
    if not lay:
        missing.append("no group of non-professionals")
    if missing:
        return RuleResult(Rule.SCOPE_4, Status.WARN, "The register has " + ", ".join(missing) + ".", evidence)
    return RuleResult(
        Rule.SCOPE_4,
        Status.PASS,
        f"{len(direct)} directly and {len(indirect)} indirectly affected groups, {len(lay)} of non-professionals.",
        evidence,
    )


@evaluator(Rule.TEAM_7)
def every_group_invited(context: ProjectContext) -> RuleResult:
    data = _data(context)
    if not data.groups:
        return RuleResult(Rule.TEAM_7, Status.NA, "No stakeholder groups are identified yet.")
    invited = {invitation.stakeholder_group_id for invitation in data.invitations}
    missing = [group for group in data.groups if group.pk not in invited]
    if missing:
        return RuleResult(
            Rule.TEAM_7,
            Status.FAIL,
            "Not specially invited yet: " + ", ".join(group.name for group in missing) + ".",
            [_group(group) for group in missing],
        )
    no_formats = [invitation for invitation in data.invitations if not invitation.formats_offered]
    evidence = [
        Evidence(
            kind="group_invitation",
            id=invitation.pk,
            label=f"{invitation.get_channel_display()} {invitation.sent_on}",
        )
        for invitation in data.invitations
    ]
    if no_formats:
        return RuleResult(
            Rule.TEAM_7,
            Status.WARN,
            f"Every group was invited, but {len(no_formats)} invitation(s) offered no accessible format.",
            evidence,
        )
    return RuleResult(
        Rule.TEAM_7, Status.PASS, "Every group was specially invited, with accessible formats.", evidence
    )


@evaluator(Rule.TEAM_9)
def input_open_and_answered(context: ProjectContext) -> RuleResult:
    data = _data(context)
    if not data.inputs:
        return RuleResult(
            Rule.TEAM_9,
            Status.PASS if context.project.is_open else Status.NA,
            "The public input form is open; no input has been received yet.",
        )
    unanswered = [item for item in data.inputs if not _answered(item)]
    days = context.project.input_answer_days
    late = [item for item in unanswered if (context.as_of - timezone.localdate(item.received_at)).days > days]
    if late:
        return RuleResult(
            Rule.TEAM_9,
            Status.FAIL,
            f"{len(late)} input(s) not answered within {days} days.",
            [_input(item) for item in late],
        )
    if unanswered:
        return RuleResult(
            Rule.TEAM_9,
            Status.WARN,
            f"{len(unanswered)} input(s) waiting for an answer (within {days} days).",
            [_input(item) for item in unanswered],
        )
    return RuleResult(Rule.TEAM_9, Status.PASS, f"All {len(data.inputs)} inputs answered.")
