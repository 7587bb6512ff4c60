"""Who may change the bodies of a project and their seats and meetings."""

from __future__ import annotations

from typing import Any

from boards.models import Body, Seat
from projects.permissions import can_edit_project, can_view_project


def can_view_body(user: Any, body: Body) -> bool:
    return can_view_project(user, body.project)


def can_manage_body(user: Any, body: Body) -> bool:
    """Seats, activation, meetings: the project's facilitators and managers."""
    return can_edit_project(user, body.project)


def can_record_departure(user: Any, seat: Seat) -> bool:
    """A seat holder can always leave; facilitators record departures too."""
    if seat.person.user_id is not None and seat.person.user_id == getattr(user, "pk", None):
        return True
    return can_manage_body(user, seat.body)
