"""Putting items to a body, discussing them, and refusing overrides (BOARD-3, BOARD-5, BOARD-7, BOARD-8, GROUP-2, GROUP-4, GROUP-7)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dateparse import parse_date

from boards import permissions
from boards.decisions.common import BOARD_ONLY_KINDS, audit_item, seat_of
from boards.extensions import PROPOSAL_CLEANERS
from boards.models import (
    AgendaItem,
    Body,
    BodyStatus,
    Comment,
    ItemKind,
    ItemStatus,
    Seat,
    TieProcedure,
)
from boards.rules import rules_for
from coprod.audit import refusals_audited
from coprod.errors import Conflict, NotAllowed, Refusal, RuleViolation
from projects.models import BudgetLine, Milestone, Phase
from projects.permissions import PROJECT_GRANTS, role_in

# --- Proposals -------------------------------------------------------------------


def _date(value: Any, field: str) -> str:
    parsed = parse_date(str(value)) if value not in (None, "") else None
    if parsed is None:
        raise ValidationError({"proposal": f"{field}: give a date as YYYY-MM-DD."})
    return parsed.isoformat()


def _amount(value: Any) -> str:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({"proposal": "amount: give a sum of money such as 1250.00."}) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise ValidationError({"proposal": "amount: give a sum of money from 0 up to 9,999,999,999.99."})
    return str(amount.quantize(Decimal("0.01")))


def _text(value: Any, field: str, limit: int = 300) -> str:
    text = str(value or "").strip()
    if not text or len(text) > limit:
        raise ValidationError({"proposal": f"{field}: required, at most {limit} characters."})
    return text


def _changes(raw: Any, field: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw or len(raw) > 100:
        raise ValidationError({"proposal": f"{field}: give a list of 1 to 100 changes."})
    if not all(isinstance(change, dict) for change in raw):
        raise ValidationError({"proposal": f"{field}: each change is an object."})
    return raw


def _object_id(change: dict[str, Any], model: type, project: Any, field: str) -> int:
    try:
        pk = int(change.get("id"))
    except (TypeError, ValueError):
        raise ValidationError({"proposal": f"{field}: each change or removal names an id."}) from None
    if not model.objects.filter(project=project, pk=pk).exists():
        raise ValidationError({"proposal": f"{field}: {pk} is not part of this project."})
    return pk


def clean_proposal(body: Body, kind: str, proposal: Any) -> dict[str, Any]:
    """Check and normalise the structured proposal of an item kind, so that
    what is agreed is exactly what will be applied."""
    if kind not in ItemKind.values:
        raise ValidationError({"kind": "Choose a valid kind of item."})
    if kind == ItemKind.RETURN:
        raise ValidationError(
            {"kind": "Returns come from an implementation update saying a decision cannot be carried out."}
        )
    if kind in BOARD_ONLY_KINDS and body.kind != "board":
        raise ValidationError(
            {"kind": "Only the Project Board decides this kind of item (BOARD-7, BOARD-10)."}
        )
    proposal = proposal or {}
    if not isinstance(proposal, dict):
        raise ValidationError({"proposal": "The proposal must be an object."})
    project = body.project
    if kind in (ItemKind.GENERAL, ItemKind.CLOSE_PROJECT):
        return {}
    if kind == ItemKind.BUDGET_CHANGE:
        cleaned = []
        for change in _changes(proposal.get("changes"), "changes"):
            action = change.get("action")
            if action == "add":
                cleaned.append(
                    {
                        "action": "add",
                        "partner": _text(change.get("partner"), "partner", 200),
                        "purpose": _text(change.get("purpose"), "purpose", 300),
                        "amount": _amount(change.get("amount")),
                    }
                )
            elif action == "change":
                line = _object_id(change, BudgetLine, project, "changes")
                entry: dict[str, Any] = {"action": "change", "id": line}
                if "amount" in change:
                    entry["amount"] = _amount(change["amount"])
                for name, limit in (("partner", 200), ("purpose", 300)):
                    if name in change:
                        entry[name] = _text(change[name], name, limit)
                cleaned.append(entry)
            elif action == "remove":
                cleaned.append({"action": "remove", "id": _object_id(change, BudgetLine, project, "changes")})
            else:
                raise ValidationError({"proposal": "changes: action must be add, change or remove."})
        return {"changes": cleaned}
    if kind == ItemKind.PERSONNEL:
        action = proposal.get("action")
        grant = proposal.get("role")
        if action not in ("appoint", "remove") or grant not in ("manage_project", "team_project"):
            raise ValidationError(
                {
                    "proposal": "Say whether to appoint or remove, and the role: manage_project or team_project."
                }
            )
        try:
            user_id = int(proposal.get("user"))
        except (TypeError, ValueError):
            raise ValidationError({"proposal": "user: name a member of this organisation."}) from None
        user = get_user_model().objects.filter(pk=user_id).first()
        if user is None or role_in(user, project.organisation) is None:
            raise ValidationError({"proposal": "user: name a member of this organisation."})
        return {"action": action, "role": grant, "role_label": PROJECT_GRANTS[grant], "user": user_id}
    if kind == ItemKind.PLAN_CHANGE:
        cleaned_plan: dict[str, list[dict[str, Any]]] = {"phases": [], "milestones": []}
        if not proposal.get("phases") and not proposal.get("milestones"):
            raise ValidationError({"proposal": "Give changes to phases or milestones."})
        for change in _changes(proposal.get("phases") or [{}], "phases") if proposal.get("phases") else []:
            action = change.get("action")
            if action == "add":
                cleaned_plan["phases"].append(
                    {
                        "action": "add",
                        "name": _text(change.get("name"), "name", 120),
                        "starts_on": _date(change.get("starts_on"), "starts_on"),
                        "ends_on": _date(change.get("ends_on"), "ends_on"),
                    }
                )
            elif action == "change":
                entry = {"action": "change", "id": _object_id(change, Phase, project, "phases")}
                for name in ("starts_on", "ends_on"):
                    if name in change:
                        entry[name] = _date(change[name], name)
                if "name" in change:
                    entry["name"] = _text(change["name"], "name", 120)
                cleaned_plan["phases"].append(entry)
            elif action == "remove":
                cleaned_plan["phases"].append(
                    {"action": "remove", "id": _object_id(change, Phase, project, "phases")}
                )
            else:
                raise ValidationError({"proposal": "phases: action must be add, change or remove."})
        for change in (
            _changes(proposal.get("milestones"), "milestones") if proposal.get("milestones") else []
        ):
            action = change.get("action")
            if action == "add":
                cleaned_plan["milestones"].append(
                    {
                        "action": "add",
                        "title": _text(change.get("title"), "title", 200),
                        "due_on": _date(change.get("due_on"), "due_on"),
                    }
                )
            elif action == "change":
                entry = {"action": "change", "id": _object_id(change, Milestone, project, "milestones")}
                if "due_on" in change:
                    entry["due_on"] = _date(change["due_on"], "due_on")
                if "title" in change:
                    entry["title"] = _text(change["title"], "title", 200)
                cleaned_plan["milestones"].append(entry)
            elif action == "remove":
                cleaned_plan["milestones"].append(
                    {"action": "remove", "id": _object_id(change, Milestone, project, "milestones")}
                )
            else:
                raise ValidationError({"proposal": "milestones: action must be add, change or remove."})
        return cleaned_plan
    if kind == ItemKind.CHAIR_APPOINTMENT:
        try:
            seat_id = int(proposal.get("seat"))
        except (TypeError, ValueError):
            raise ValidationError({"proposal": "seat: name the seat of the proposed chair."}) from None
        seat = Seat.objects.filter(body=body, pk=seat_id, is_open=True).first()
        if seat is None:
            raise ValidationError({"proposal": "seat: name a current seat of this body."})
        merit = str(proposal.get("merit") or "").strip()
        if len(merit) < 20 or len(merit) > 5000:
            raise ValidationError(
                {"proposal": "merit: say, in 20 to 5,000 characters, why this person is the right chair."}
            )
        return {"seat": seat.pk, "capacity": seat.capacity, "merit": merit}
    if kind == ItemKind.TIE_PROCEDURE:
        procedure = proposal.get("procedure")
        if procedure not in TieProcedure.values:
            raise ValidationError({"proposal": "procedure: fails, dispute or chair."})
        return {"procedure": procedure}
    cleaner = PROPOSAL_CLEANERS.get(kind)
    if cleaner is not None:
        return cleaner(body, proposal)
    raise ValidationError({"kind": "Choose a valid kind of item."})


def item_propose(
    *,
    body: Body,
    title: str,
    actor: AbstractBaseUser,
    kind: str = ItemKind.GENERAL,
    description: str = "",
    deadline: datetime.date | None = None,
    proposal: Any = None,
) -> AgendaItem:
    """Any seat holder or the project's facilitators put an item to the body.
    Kinds with effects (budget, personnel, plan, chair, tie procedure,
    closing) carry a structured proposal that is checked now and applied only
    if agreed (BOARD-3, BOARD-7, BOARD-10, GROUP-2)."""
    project_team = bool(getattr(actor, "is_authenticated", False)) and actor.has_perm(
        "projects.team_project", body.project
    )
    if seat_of(actor, body) is None and not permissions.can_manage_body(actor, body) and not project_team:
        raise NotAllowed(
            "Only members of this body, the project team and the project's facilitators can put items to it."
        )
    if body.status == BodyStatus.CLOSED or not body.project.is_open:
        raise Conflict("This body is closed.")
    with transaction.atomic():
        cleaned = clean_proposal(body, kind, proposal)
        item = AgendaItem(
            body=body,
            kind=kind,
            title=title.strip(),
            description=description,
            deadline=deadline,
            proposal=cleaned,
            proposed_by=actor,
        )
        item.full_clean()
        item.save()
        audit_item(item, actor, "boards.item.proposed", kind=kind, proposal=cleaned)
    return item


@refusals_audited
@transaction.atomic
def item_update(*, item: AgendaItem, actor: AbstractBaseUser, **changes: Any) -> AgendaItem:
    """Edit an item while it is open for discussion. A decided item is never
    edited: that is an override, refused (BOARD-8, GROUP-7)."""
    item = AgendaItem.objects.select_for_update(of=("self",)).select_related("body__project").get(pk=item.pk)
    if item.is_decided:
        decision_override_refused(item=item, actor=actor, attempt="edit")
    if item.proposed_by_id != getattr(actor, "pk", None) and not permissions.can_manage_body(
        actor, item.body
    ):
        raise NotAllowed("Only the proposer or a facilitator can edit this item.")
    if item.status != ItemStatus.OPEN:
        raise Conflict("Voting has started: the item can no longer be edited.")
    allowed = {"title", "description", "deadline", "proposal"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({field: "This cannot be changed." for field in unknown})
    if "proposal" in changes:
        changes["proposal"] = clean_proposal(item.body, item.kind, changes["proposal"])
    for field, value in changes.items():
        setattr(item, field, value)
    item.full_clean()
    item.save()
    audit_item(item, actor, "boards.item.updated", fields=sorted(changes))
    return item


@refusals_audited
def decision_override_refused(*, item: AgendaItem, actor: Any, attempt: str) -> None:
    """BOARD-8, GROUP-7: nobody (the project manager included) overrules,
    edits, deletes or voids an agreed item. The attempt is refused and kept
    in the audit log even though nothing else is written."""
    rules = rules_for(item.body.kind)
    raise RuleViolation(
        rules.override,
        f"“{item.title}” was decided by the {item.body.get_kind_display()} and cannot be "
        f"{'edited' if attempt == 'edit' else 'deleted' if attempt == 'delete' else 'overruled or voided'}. "
        "If it cannot be carried out, record that in its implementation: it returns to the body "
        "with the reason, and the body agrees the way forward.",
        refusal=Refusal.ACTOR,
        evidence=[{"item": item.pk, "attempt": attempt}],
    )


def comment_add(*, item: AgendaItem, text: str, actor: AbstractBaseUser) -> Comment:
    """BOARD-5, GROUP-4: every seat holder may speak on every item before and
    during the vote; facilitators too."""
    seat = seat_of(actor, item.body)
    if seat is None and not permissions.can_manage_body(actor, item.body):
        raise NotAllowed("Only members of this body and the project's facilitators can comment.")
    if item.is_decided:
        raise Conflict("This item has been decided; discussion is closed.")
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write your comment."})
    with transaction.atomic():
        comment = Comment(item=item, author=actor, seat=seat, text=text)
        comment.full_clean()
        comment.save()
        audit_item(item, actor, "boards.item.commented", comment=comment.pk)
    return comment
