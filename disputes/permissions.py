"""Who may do what in a dispute."""

from __future__ import annotations

from typing import Any

from boards.permissions import can_manage_body, can_view_body
from disputes.models import Dispute


def can_view_dispute(user: Any, dispute: Dispute) -> bool:
    return can_view_body(user, dispute.body)


def is_party(user: Any, dispute: Dispute) -> bool:
    user_id = getattr(user, "pk", None)
    return user_id is not None and any(
        party.seat.person.user_id == user_id for party in dispute.parties.all()
    )


def can_record_stage(user: Any, dispute: Dispute) -> bool:
    """Facilitators keep the record; the parties and the named mediator of the
    current stage may add to it."""
    if can_manage_body(user, dispute.body) or is_party(user, dispute):
        return True
    stage = dispute.stages.filter(order=dispute.current_stage).select_related("mediator").first()
    return bool(stage and stage.mediator and stage.mediator.user_id == getattr(user, "pk", None))
