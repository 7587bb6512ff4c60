"""Decisions take effect only through the ledger (BOARD-3, BOARD-7, BOARD-10, GROUP-2)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.dateparse import parse_date

from boards.extensions import EFFECT_HANDLERS
from boards.models import (
    AgendaItem,
    Body,
    BodyStatus,
    DecisionEntry,
    ImplementationStatus,
    ImplementationUpdate,
    ItemKind,
    Seat,
)
from boards.rules import rules_for
from coprod.audit import audit_record, refusals_audited
from coprod.errors import Refusal, RuleViolation
from projects import services as project_services
from projects.models import BudgetLine, Milestone, Phase

# --- Effects: decisions take effect only through the ledger --------------------------


def apply_decision(entry: DecisionEntry, item: AgendaItem, actor: Any) -> None:
    """Carry out what an agreed item decided, within the closing transaction.
    These are the only calls that change the budget, project-team roles, the
    plan, the chair, the tie procedure or the project's status once the board
    governs."""
    kind = item.kind
    proposal = item.proposal
    body = item.body
    project = body.project
    if kind == ItemKind.BUDGET_CHANGE:
        for change in proposal["changes"]:
            if change["action"] == "add":
                project_services.budget_line_record(
                    project=project,
                    partner=change["partner"],
                    purpose=change["purpose"],
                    amount=Decimal(change["amount"]),
                    authority=entry,
                    actor=actor,
                )
            else:
                line = BudgetLine.objects.get(project=project, pk=change["id"])
                if change["action"] == "remove":
                    project_services.budget_line_remove(line=line, authority=entry, actor=actor)
                else:
                    fields = {k: v for k, v in change.items() if k in ("partner", "purpose")}
                    if "amount" in change:
                        fields["amount"] = Decimal(change["amount"])
                    project_services.budget_line_change(line=line, authority=entry, actor=actor, **fields)
    elif kind == ItemKind.PERSONNEL:
        user = get_user_model().objects.get(pk=proposal["user"])
        service = (
            project_services.project_grant_role
            if proposal["action"] == "appoint"
            else project_services.project_revoke_role
        )
        service(project=project, user=user, grant=proposal["role"], actor=actor, authority=entry)
    elif kind == ItemKind.PLAN_CHANGE:
        _apply_plan(entry, project, proposal, actor)
    elif kind == ItemKind.CHAIR_APPOINTMENT:
        seat = Seat.objects.get(body=body, pk=proposal["seat"])
        Body.objects.filter(pk=body.pk).update(chair_seat=seat, chair_merit_statement=proposal["merit"])
        audit_record(
            organisation=project.organisation,
            project=project,
            actor=actor,
            action="boards.body.chair_appointed",
            obj=body,
            rule=rules_for(body.kind).chair,
            data={"seat": seat.pk, "capacity": seat.capacity, "entry": entry.sequence},
        )
    elif kind == ItemKind.TIE_PROCEDURE:
        Body.objects.filter(pk=body.pk).update(tie_procedure=proposal["procedure"])
        audit_record(
            organisation=project.organisation,
            project=project,
            actor=actor,
            action="boards.body.tie_procedure_agreed",
            obj=body,
            rule=rules_for(body.kind).ties,
            data={"procedure": proposal["procedure"], "entry": entry.sequence},
        )
    elif kind == ItemKind.CLOSE_PROJECT:
        project_services.project_close_by_decision(project=project, authority=entry, actor=actor)
        reason = f"Project closed by decision #{entry.sequence}."
        for closing in Body.objects.filter(project=project).exclude(status=BodyStatus.CLOSED):
            old_status = closing.status
            Body.objects.filter(pk=closing.pk).update(
                status=BodyStatus.CLOSED, status_since=timezone.now(), status_reason=reason
            )
            # The status history lets a report rewind a body to any date (BOARD-10, GROUP-9).
            audit_record(
                organisation=project.organisation,
                project=project,
                actor=actor,
                action="boards.body.closed",
                obj=closing,
                rule=rules_for(closing.kind).stays_in_control,
                data={"status": [old_status, BodyStatus.CLOSED], "entry": entry.sequence},
            )
    elif kind in EFFECT_HANDLERS:
        EFFECT_HANDLERS[kind](entry, item, actor)
    else:
        return
    ImplementationUpdate.objects.create(
        entry=entry,
        status=ImplementationStatus.DONE,
        note="Applied when the decision was agreed.",
        author=None,
    )


def _apply_plan(entry: DecisionEntry, project: Any, proposal: dict[str, Any], actor: Any) -> None:
    for change in proposal.get("phases", []):
        if change["action"] == "add":
            project_services.phase_add(
                project=project,
                name=change["name"],
                starts_on=parse_date(change["starts_on"]),
                ends_on=parse_date(change["ends_on"]),
                actor=actor,
                authority=entry,
            )
        else:
            phase = Phase.objects.get(project=project, pk=change["id"])
            if change["action"] == "remove":
                project_services.phase_remove(phase=phase, actor=actor, authority=entry)
            else:
                fields = {
                    k: (parse_date(v) if k.endswith("_on") else v)
                    for k, v in change.items()
                    if k in ("name", "starts_on", "ends_on")
                }
                project_services.phase_update(phase=phase, actor=actor, authority=entry, **fields)
    for change in proposal.get("milestones", []):
        if change["action"] == "add":
            project_services.milestone_add(
                project=project,
                title=change["title"],
                due_on=parse_date(change["due_on"]),
                actor=actor,
                authority=entry,
            )
        else:
            milestone = Milestone.objects.get(project=project, pk=change["id"])
            if change["action"] == "remove":
                project_services.milestone_remove(milestone=milestone, actor=actor, authority=entry)
            else:
                fields = {
                    k: (parse_date(v) if k == "due_on" else v)
                    for k, v in change.items()
                    if k in ("title", "due_on")
                }
                project_services.milestone_update(milestone=milestone, actor=actor, authority=entry, **fields)


def chair_set_directly(*, body: Body, seat: Seat, actor: Any) -> None:
    """BOARD-3, GROUP-2: nobody installs a chair; the body appoints one by an
    agreed `chair_appointment` item. Always refused, and logged."""
    _refuse_direct_chair(body=body, actor=actor)


@refusals_audited
def _refuse_direct_chair(*, body: Body, actor: Any) -> None:
    raise RuleViolation(
        rules_for(body.kind).chair,
        "The chair is appointed by a vote of the body on a chair-appointment item with a statement of merit.",
        refusal=Refusal.ACTOR,
    )
