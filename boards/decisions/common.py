"""Shared helpers of the decision services."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from boards.models import (
    AgendaItem,
    Body,
    ItemKind,
    Seat,
)
from boards.selectors import own_open_seat
from coprod.audit import audit_record
from coprod.rulebook import Rule

BOARD_ONLY_KINDS = {ItemKind.BUDGET_CHANGE, ItemKind.PERSONNEL, ItemKind.PLAN_CHANGE, ItemKind.CLOSE_PROJECT}


def today() -> datetime.date:
    return timezone.localdate()


def seat_of(user: Any, body: Body, day: datetime.date | None = None) -> Seat | None:
    """The user's own open seat on the body, active on `day` (today)."""
    return own_open_seat(Seat.objects.filter(body=body), user, day)


def audit_item(item: AgendaItem, actor: Any, action: str, rule: Rule | None = None, **data: Any) -> None:
    audit_record(
        organisation=item.body.project.organisation,
        project=item.body.project,
        actor=actor,
        action=action,
        obj=item,
        rule=rule,
        data=data,
    )
