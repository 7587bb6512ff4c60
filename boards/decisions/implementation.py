"""Carrying agreed decisions out, and returns (BOARD-8, GROUP-6, GROUP-7)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from boards.decisions.common import audit_item
from boards.models import (
    AgendaItem,
    DecisionEntry,
    ImplementationStatus,
    ImplementationUpdate,
    ItemKind,
    Outcome,
)
from boards.rules import rules_for
from coprod.audit import audit_record, refusals_audited
from coprod.errors import Conflict, RuleViolation
from coprod.rulebook import Rule
from coprod.services import require
from projects.permissions import can_edit_project

# --- Carrying decisions out ----------------------------------------------------------


def can_report_implementation(user: Any, entry: DecisionEntry) -> bool:
    project = entry.project
    return can_edit_project(user, project) or bool(
        getattr(user, "is_authenticated", False) and user.has_perm("projects.team_project", project)
    )


@refusals_audited
def implementation_update(
    *,
    entry: DecisionEntry,
    status: str,
    actor: AbstractBaseUser,
    note: str = "",
    return_reason: str = "",
    return_information: str = "",
    return_resources: str = "",
    return_skills: str = "",
) -> ImplementationUpdate:
    """The project team reports progress on an agreed decision (GROUP-6).
    "Cannot be carried out" never changes the decision (BOARD-8, GROUP-7):
    it creates a `return` item on the same body with the reason, and for the
    Overview Group with the information, resources and access to skills it
    needs to find a workable solution; a return without them is refused."""
    require(
        can_report_implementation(actor, entry),
        "Only the project team and facilitators report on implementation.",
    )
    if status not in ImplementationStatus.values:
        raise ValidationError({"status": "Choose a valid implementation state."})
    if entry.outcome != Outcome.AGREED:
        raise Conflict("Only agreed decisions are carried out.")
    body = entry.body
    with transaction.atomic():
        latest = ImplementationUpdate.objects.filter(entry=entry).order_by("-created_at", "-pk").first()
        if latest is not None and latest.status in (ImplementationStatus.DONE, ImplementationStatus.CANNOT):
            raise Conflict(f"This decision is already marked “{latest.get_status_display().lower()}”.")
        if status == ImplementationStatus.CANNOT:
            missing = {}
            if not return_reason.strip():
                missing["return_reason"] = "Say why it cannot be carried out."
            if body.kind == "overview":
                for field, value in (
                    ("return_information", return_information),
                    ("return_resources", return_resources),
                    ("return_skills", return_skills),
                ):
                    if not value.strip():
                        missing[field] = "Required when returning an Overview Group decision (GROUP-6)."
            if missing:
                if body.kind == "overview" and set(missing) - {"return_reason"}:
                    raise RuleViolation(
                        Rule.GROUP_6,
                        "A decision returned to the Overview Group must come with the information, the resources "
                        "and the access to skills the group needs to find a workable solution.",
                        evidence=[{"field": field, "problem": problem} for field, problem in missing.items()],
                        field=next(iter(sorted(missing))),
                    )
                raise ValidationError(missing)
        update = ImplementationUpdate.objects.create(
            entry=entry, status=status, note=note.strip(), author=actor
        )
        audit_record(
            organisation=entry.project.organisation,
            project=entry.project,
            actor=actor,
            action="boards.implementation.updated",
            obj=entry,
            rule=Rule.GROUP_6 if body.kind == "overview" else None,
            data={"status": status, "entry": entry.sequence},
        )
        if status == ImplementationStatus.CANNOT:
            returned = AgendaItem.objects.create(
                body=body,
                kind=ItemKind.RETURN,
                title=f"Returned: {entry.item.title}"[:200],
                description=note.strip(),
                proposal={"returns": entry.sequence},
                proposed_by=actor,
                returns_entry=entry,
                return_reason=return_reason.strip(),
                return_information=return_information.strip(),
                return_resources=return_resources.strip(),
                return_skills=return_skills.strip(),
            )
            audit_item(
                returned, actor, "boards.item.returned", rules_for(body.kind).override, entry=entry.sequence
            )
    return update


def implementation_state(entry: DecisionEntry) -> str | None:
    latest = ImplementationUpdate.objects.filter(entry=entry).order_by("-created_at", "-pk").first()
    return latest.status if latest else None
