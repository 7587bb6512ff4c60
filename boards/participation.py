"""Routing public input to a body (TEAM-9): a facilitator turns something a
member of the public said into an agenda item of the project's Project Board
or Overview Group, so it is discussed and decided where decisions are taken.

The item is a general discussion item that names its input
(`AgendaItem.source_input`); the input shows that it was routed, and to
which item, through `PublicInput.agenda_items`; the public page says so
beside the project's answer. The input is acknowledged if it was new. This
module lives in boards because stakeholders never imports boards."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.defaultfilters import truncatechars
from django.utils import formats
from django.utils.translation import gettext as _

from boards.decisions.common import audit_item
from boards.models import AgendaItem, Body, BodyStatus, ItemKind
from boards.rules import rules_for
from coprod.audit import refusals_audited
from coprod.errors import Conflict, RuleViolation
from coprod.rulebook import Rule
from coprod.services import require
from projects.permissions import can_edit_project
from stakeholders.models import PublicInput
from stakeholders.participation import input_acknowledge

TITLE_MAX = 200


def default_title(public_input: PublicInput) -> str:
    """A title for the item taken from the input's own words."""
    return truncatechars(
        _("Public input #%(pk)s: %(message)s")
        % {"pk": public_input.pk, "message": " ".join(public_input.message.split())},
        120,
    )


def _description(public_input: PublicInput, note: str) -> str:
    """What the body reads: the input's words and where it came from, never
    the name or contact of the person who gave it."""
    received = formats.date_format(public_input.received_at, "j F Y")
    lines = [
        _("Public input #%(pk)s, received on %(date)s (%(channel)s).")
        % {"pk": public_input.pk, "date": received, "channel": public_input.get_channel_display()},
    ]
    if public_input.stakeholder_group_id:
        lines.append(_("Speaks for: %(group)s.") % {"group": public_input.stakeholder_group})
    lines += ["", _("What they said:"), public_input.message.strip()]
    if note.strip():
        lines += ["", _("From the facilitator:"), note.strip()]
    return "\n".join(lines)


def _require_body_takes_items(body: Body) -> None:
    """Only a body that takes decisions gets routed input: a forming or
    suspended body could not decide it (BOARD-4, GROUP-3: the share rule is
    what suspends a body), and a closed one never will."""
    if body.status == BodyStatus.CLOSED or not body.project.is_open:
        raise Conflict(_("This body is closed: it no longer takes items."))
    if body.status != BodyStatus.ACTIVE:
        rules = rules_for(body.kind)
        why = body.status_reason or _("it is %(status)s") % {"status": body.get_status_display().lower()}
        raise RuleViolation(
            rules.share,
            _(
                "The %(body)s takes no decisions while it is %(status)s (%(why)s), so input cannot be put "
                "to it now. Put it to the other body, or once this one is active again."
            )
            % {"body": body.get_kind_display(), "status": body.get_status_display().lower(), "why": why},
            evidence=[{"body": body.kind, "status": body.status}],
            field="body",
        )


@refusals_audited
def input_route_to_body(
    *,
    public_input: PublicInput,
    body: Body,
    actor: AbstractBaseUser,
    title: str = "",
    note: str = "",
    deadline: datetime.date | None = None,
) -> AgendaItem:
    """TEAM-9: put a public input to the Project Board or the Overview Group
    as a general agenda item that links back to it. The project's
    facilitators only (403 otherwise). Refused while the body takes no
    decisions (BOARD-4 / GROUP-3: forming or suspended; 409), when it is
    closed, and when the input is already on that body's agenda (409). A new
    input is acknowledged by the routing."""
    project = body.project
    require(
        can_edit_project(actor, project), _("Only the project's facilitators put public input to a body.")
    )
    if public_input.project_id != project.pk:
        raise ValidationError({"public_input": _("Choose an input of this project.")})
    _require_body_takes_items(body)
    title = (title or "").strip() or default_title(public_input)
    if len(title) > TITLE_MAX:
        raise ValidationError({"title": _("Keep the title to %(max)s characters.") % {"max": TITLE_MAX}})
    with transaction.atomic():
        # The lock makes two facilitators routing the same input queue up.
        public_input = (
            PublicInput.objects.select_for_update(of=("self",))
            .select_related("stakeholder_group")
            .get(pk=public_input.pk)
        )
        existing = AgendaItem.objects.filter(body=body, source_input=public_input).first()
        if existing is not None:
            raise Conflict(
                _("This input is already on the agenda of the %(body)s, as “%(title)s”.")
                % {"body": body.get_kind_display(), "title": existing.title}
            )
        item = AgendaItem(
            body=body,
            kind=ItemKind.GENERAL,
            title=title,
            description=_description(public_input, note),
            deadline=deadline,
            proposed_by=actor,
            source_input=public_input,
        )
        item.full_clean()
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError:
            # The unique constraint backs the check above against a race.
            raise Conflict(_("This input is already on the agenda of that body.")) from None
        # Routing it is a sign of hearing it (TEAM-9): a new input is acknowledged.
        input_acknowledge(item=public_input, actor=actor)
        item.body = body
        audit_item(item, actor, "boards.item.routed_from_input", Rule.TEAM_9, input=public_input.pk)
    return item
