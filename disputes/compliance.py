"""Evaluators of BOARD-6 and GROUP-5: an agreed, fair dispute procedure, and
no casting vote for the project team."""

from __future__ import annotations

from boards.composition import BOARD, NON_PROFESSIONAL, OVERVIEW
from boards.models import Body, TieProcedure
from coprod.rulebook import Rule
from disputes.models import Dispute, DisputeProcedure
from projects.compliance import Evidence, ProjectContext, RuleResult, Status, evaluator


def _data(context: ProjectContext) -> dict[str, object]:
    if "disputes" not in context.cache:
        project = context.project
        bodies = {
            body.kind: body for body in Body.objects.filter(project=project).select_related("chair_seat")
        }
        procedures = {
            procedure.body_id: procedure
            for procedure in DisputeProcedure.objects.filter(
                body__project=project, is_current=True, agreed_at__date__lte=context.as_of
            ).select_related("agreed_by")
        }
        open_disputes = list(Dispute.objects.filter(body__project=project, status="open"))
        context.cache["disputes"] = {"bodies": bodies, "procedures": procedures, "open": open_disputes}
    return context.cache["disputes"]


def _evaluate(context: ProjectContext, kind: str, rule: Rule) -> RuleResult:
    data = _data(context)
    body = data["bodies"].get(kind)  # type: ignore[union-attr]
    if body is None:
        return RuleResult(rule, Status.FAIL, "The body does not exist.")
    procedure = data["procedures"].get(body.pk)  # type: ignore[union-attr]
    label = body.get_kind_display()
    if procedure is None:
        return RuleResult(
            rule,
            Status.FAIL,
            f"The {label} has not agreed a dispute procedure: put a dispute-procedure item to it "
            "(the default procedure can be adopted as it is).",
            [Evidence(kind="body", id=body.pk, label=label)],
        )
    evidence = [
        Evidence(
            kind="decision",
            id=procedure.agreed_by.sequence,
            label=f"Decision #{procedure.agreed_by.sequence}",
        )
    ]
    chair = body.chair_seat
    if body.tie_procedure == TieProcedure.CHAIR and (chair is None or chair.capacity not in NON_PROFESSIONAL):
        return RuleResult(
            rule,
            Status.WARN,
            f"The {label} agreed that the chair settles ties, but the chair is not a non-professional member: "
            "ties therefore fail (the project team never holds a casting vote).",
            evidence,
        )
    stages = ", ".join(stage["kind"].replace("_", " ") for stage in procedure.stages)
    return RuleResult(rule, Status.PASS, f"The {label} agreed its dispute procedure ({stages}).", evidence)


@evaluator(Rule.BOARD_6)
def board_disputes(context: ProjectContext) -> RuleResult:
    return _evaluate(context, BOARD, Rule.BOARD_6)


@evaluator(Rule.GROUP_5)
def group_disputes(context: ProjectContext) -> RuleResult:
    return _evaluate(context, OVERVIEW, Rule.GROUP_5)
