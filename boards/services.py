"""Writes for bodies, seats and meetings. Composition rules come from
`boards.composition` (one source of truth); every change to an active body
is checked today and on every later day a term starts or ends, under a lock
on the body row so that two facilitators changing seats at once cannot
together break a rule that each change alone keeps."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from boards import permissions
from boards.composition import SeatFacts, compose, first_new_violation, violations
from boards.models import Body, BodyStatus, Meeting, MeetingStatus, Seat, SeatEndReason
from coprod.audit import audit_record, refusals_audited
from coprod.errors import Conflict, Refusal, RuleViolation
from coprod.rulebook import Rule
from coprod.services import apply_changes, require
from projects.models import Phase
from stakeholders.models import Capacity, Person, StakeholderGroup


def _today() -> datetime.date:
    return timezone.localdate()


def _lock(body: Body) -> Body:
    """Lock the body row for the rest of the transaction (serialises seat
    changes of one body)."""
    return (
        Body.objects.select_for_update(of=("self",)).select_related("project__organisation").get(pk=body.pk)
    )


def _open_seat_facts(body: Body) -> list[SeatFacts]:
    return [seat.facts for seat in Seat.objects.filter(body=body, is_open=True)]


def group_names(body: Body) -> dict[int, str]:
    return dict(StakeholderGroup.objects.filter(project=body.project).values_list("pk", "name"))


def _evidence(violation_list: list[Any]) -> list[dict[str, Any]]:
    return [{"rule": v.rule.value, "problem": v.message, "fix": v.fix} for v in violation_list]


def _refuse_if_breaks(
    body: Body, before: list[SeatFacts], after: list[SeatFacts], actor: AbstractBaseUser, action: str
) -> None:
    """Refuse a facilitator's change to an active or suspended body that
    would break (or worsen) its policy today or on a later day."""
    if body.status not in (BodyStatus.ACTIVE, BodyStatus.SUSPENDED):
        return
    today = _today()
    breach = first_new_violation(body.policy, before, after, today, group_names(body))
    if breach is None:
        return
    day, violation = breach
    when = "today" if day == today else f"on {day:%-d %B %Y}, when a term starts or ends"
    message = (
        f"This change would break the {body.policy.label}'s rules {when}: {violation.message} {violation.fix}"
    )
    raise RuleViolation(
        violation.rule,
        message,
        evidence=[
            {
                "rule": violation.rule.value,
                "date": day.isoformat(),
                "problem": violation.message,
                "fix": violation.fix,
            }
        ],
    )


def refresh_status(body: Body, *, actor: AbstractBaseUser | None, reason: str = "") -> Body:
    """Suspend an active body that fell below its policy today, or reactivate
    a suspended one whose composition is restored (BOARD-4, GROUP-3). Call
    inside a transaction holding the body lock."""
    found = violations(body.policy, compose(_open_seat_facts(body), _today()), group_names(body))
    new_status = None
    if body.status == BodyStatus.ACTIVE and found:
        new_status = BodyStatus.SUSPENDED
        why = reason or found[0].message
    elif body.status == BodyStatus.SUSPENDED and not found:
        new_status = BodyStatus.ACTIVE
        why = "Composition restored."
    if new_status is None:
        return body
    old = body.status
    body.status = new_status
    body.status_since = timezone.now()
    body.status_reason = why
    body.save(update_fields=["status", "status_since", "status_reason"])
    audit_record(
        organisation=body.project.organisation,
        project=body.project,
        actor=actor,
        action="boards.body.suspended" if new_status == BodyStatus.SUSPENDED else "boards.body.restored",
        obj=body,
        rule=found[0].rule if found else body.policy.share_rule,
        data={"status": [old, new_status], "reason": why, "violations": _evidence(found)},
    )
    return body


@refusals_audited
@transaction.atomic
def body_activate(*, body: Body, actor: AbstractBaseUser) -> Body:
    """BOARD-2, BOARD-4, GROUP-1, GROUP-3: a body becomes active only when its
    composition passes its policy."""
    require(permissions.can_manage_body(actor, body), "You cannot activate this body.")
    body = _lock(body)
    if body.status == BodyStatus.ACTIVE:
        return body
    if body.status == BodyStatus.CLOSED:
        raise Conflict("This body is closed.")
    if not body.project.is_open:
        raise Conflict("This project is closed.")
    found = violations(body.policy, compose(_open_seat_facts(body), _today()), group_names(body))
    if found:
        summary = " ".join(f"{v.message} {v.fix}" for v in found)
        raise RuleViolation(
            found[0].rule,
            f"The {body.policy.label} cannot become active yet. {summary}",
            evidence=_evidence(found),
        )
    old = body.status
    body.status = BodyStatus.ACTIVE
    body.status_since = timezone.now()
    body.status_reason = "Activated: composition meets the policy."
    body.save(update_fields=["status", "status_since", "status_reason"])
    audit_record(
        organisation=body.project.organisation,
        project=body.project,
        actor=actor,
        action="boards.body.activated",
        obj=body,
        rule=body.policy.share_rule,
        data={"status": [old, BodyStatus.ACTIVE]},
    )
    return body


BODY_FIELDS = {
    "remit_equal_status",
    "remit_finance",
    "remit_quality",
    "remit_plan",
    "remit_notes",
    "meeting_cadence_days",
    "votes_must_meet_share",
}


@transaction.atomic
def body_update(*, body: Body, actor: AbstractBaseUser, **changes: Any) -> Body:
    """BOARD-1: the remit is recorded on the body; BOARD-9/GROUP-8: its
    meeting cadence; LEDGER-2: whether votes must meet the share."""
    require(permissions.can_manage_body(actor, body), "You cannot change this body.")
    body = _lock(body)
    diff = apply_changes(body, changes, BODY_FIELDS)
    if diff:
        body.full_clean()
        body.save()
        audit_record(
            organisation=body.project.organisation,
            project=body.project,
            actor=actor,
            action="boards.body.updated",
            obj=body,
            rule=Rule.BOARD_1 if any(f.startswith("remit") for f in diff) else None,
            data=diff,
        )
    return body


@refusals_audited
def body_close(*, body: Body, actor: AbstractBaseUser) -> None:
    """BOARD-10, GROUP-9: a body stays in control until its project finishes.
    Closing happens only as part of the board's decision to close the
    project; this direct path always refuses while the project is open."""
    rule = Rule.BOARD_10 if body.kind == "board" else Rule.GROUP_9
    if body.project.is_open:
        raise RuleViolation(
            rule,
            f"The {body.policy.label} cannot be closed or dissolved while the project is open.",
            refusal=Refusal.ACTOR,
        )
    raise Conflict("This body closes with its project.")


def _validate_seat(
    body: Body,
    person: Person,
    capacity: str,
    group: StakeholderGroup | None,
    phase: Phase | None,
    term_start: datetime.date,
    term_end: datetime.date | None,
) -> None:
    errors: dict[str, str] = {}
    if person.organisation_id != body.project.organisation_id:
        errors["person"] = "Choose someone from this organisation's directory."
    if capacity not in Capacity.values:
        errors["capacity"] = "Choose a valid capacity."
    if group is not None and group.project_id != body.project_id:
        errors["stakeholder_group"] = "Choose a stakeholder group of this project."
    if phase is not None and phase.project_id != body.project_id:
        errors["phase"] = "Choose a phase of this project."
    if term_end is not None and term_end <= term_start:
        errors["term_end"] = "The term must end after it starts."
    if errors:
        raise ValidationError(errors)


@refusals_audited
def seat_add(
    *,
    body: Body,
    person: Person,
    capacity: str,
    term_start: datetime.date,
    actor: AbstractBaseUser,
    stakeholder_group: StakeholderGroup | None = None,
    phase: Phase | None = None,
    term_end: datetime.date | None = None,
) -> Seat:
    """BOARD-4, GROUP-1, GROUP-3 (checked ahead over terms); TEAM-1 (terms and
    phases). Adding to a suspended body may restore it."""
    require(permissions.can_manage_body(actor, body), "You cannot change the seats of this body.")
    with transaction.atomic():
        body = _lock(body)
        if body.status == BodyStatus.CLOSED or not body.project.is_open:
            raise Conflict("This body is closed.")
        _validate_seat(body, person, capacity, stakeholder_group, phase, term_start, term_end)
        if Seat.objects.filter(body=body, person=person, is_open=True).exists():
            raise ValidationError({"person": "This person already has a seat on this body."})
        before = _open_seat_facts(body)
        new = SeatFacts(
            seat_id=None,
            capacity=capacity,
            group_id=stakeholder_group.pk if stakeholder_group else None,
            term_start=term_start,
            term_end=term_end,
        )
        _refuse_if_breaks(body, before, [*before, new], actor, "seat_add")
        seat = Seat(
            body=body,
            person=person,
            capacity=capacity,
            stakeholder_group=stakeholder_group,
            phase=phase,
            term_start=term_start,
            term_end=term_end,
        )
        seat.full_clean()
        seat.save()
        audit_record(
            organisation=body.project.organisation,
            project=body.project,
            actor=actor,
            action="boards.seat.added",
            obj=seat,
            data={
                "body": body.kind,
                "capacity": capacity,
                "group": seat.stakeholder_group_id,
                "term_start": term_start.isoformat(),
                "term_end": term_end.isoformat() if term_end else None,
            },
        )
        refresh_status(body, actor=actor)
    return seat


def _seat_for_update(seat: Seat) -> tuple[Body, Seat]:
    body = _lock(seat.body)
    # `of=("self",)`: the body lock above is what serialises changes; do not
    # also lock the joined person, project and organisation rows.
    return body, Seat.objects.select_for_update(of=("self",)).select_related("person").get(pk=seat.pk)


@refusals_audited
@transaction.atomic
def seat_change(
    *,
    seat: Seat,
    actor: AbstractBaseUser,
    **changes: Any,
) -> Seat:
    """Change a seat's capacity, group, phase or term (BOARD-4, GROUP-1,
    GROUP-3 checked ahead). Setting a term end that breaks the policy on that
    date is refused now, naming the date."""
    require(permissions.can_manage_body(actor, seat.body), "You cannot change the seats of this body.")
    body, seat = _seat_for_update(seat)
    if not seat.is_open:
        raise Conflict("This seat has ended; past seats stay as they were for the record.")
    before = _open_seat_facts(body)
    diff = apply_changes(seat, changes, {"capacity", "stakeholder_group", "phase", "term_start", "term_end"})
    if not diff:
        return seat
    _validate_seat(
        body, seat.person, seat.capacity, seat.stakeholder_group, seat.phase, seat.term_start, seat.term_end
    )
    after = [facts for facts in before if facts.seat_id != seat.pk] + [seat.facts]
    _refuse_if_breaks(body, before, after, actor, "seat_change")
    seat.full_clean()
    seat.save()
    audit_record(
        organisation=body.project.organisation,
        project=body.project,
        actor=actor,
        action="boards.seat.changed",
        obj=seat,
        data=diff,
    )
    refresh_status(body, actor=actor)
    return seat


@refusals_audited
@transaction.atomic
def seat_end(
    *,
    seat: Seat,
    reason: str,
    actor: AbstractBaseUser,
    note: str = "",
    on: datetime.date | None = None,
) -> Seat:
    """End a seat. People can always leave: a resignation, a death or a term
    that ended is recorded, never refused, and suspends the body at once if
    it falls below its policy (BOARD-4, GROUP-3). A facilitator *removing*
    someone is a change like any other and is refused if it would break the
    policy."""
    if reason not in SeatEndReason.values:
        raise ValidationError({"reason": "Choose why the seat ends."})
    if reason == SeatEndReason.RESIGNED:
        require(permissions.can_record_departure(actor, seat), "You cannot record this departure.")
    else:
        # Only the person can resign; a death, a term's end or a removal is
        # recorded by those who manage the body.
        require(permissions.can_manage_body(actor, seat.body), "You cannot change the seats of this body.")
    body, seat = _seat_for_update(seat)
    if not seat.is_open:
        raise Conflict("This seat has already ended.")
    day = on or _today()
    if day < seat.term_start:
        # A seat that never started simply ends before its first day.
        day = seat.term_start
    before = _open_seat_facts(body)
    if reason == SeatEndReason.REMOVED:
        ended = SeatFacts(seat.pk, seat.capacity, seat.stakeholder_group_id, seat.term_start, day)
        after = [facts for facts in before if facts.seat_id != seat.pk] + (
            [ended] if day > seat.term_start else []
        )
        _refuse_if_breaks(body, before, after, actor, "seat_end")
    seat.term_end = day if (seat.term_end is None or day < seat.term_end) else seat.term_end
    if seat.term_end <= seat.term_start:
        # Never started: keep the check constraint (end after start) true.
        seat.term_end = seat.term_start + datetime.timedelta(days=1)
    seat.is_open = False
    seat.end_reason = reason
    seat.end_note = note
    seat.ended_by = actor if getattr(actor, "is_authenticated", False) else None
    seat.save(update_fields=["term_end", "is_open", "end_reason", "end_note", "ended_by"])
    audit_record(
        organisation=body.project.organisation,
        project=body.project,
        actor=actor,
        action="boards.seat.ended",
        obj=seat,
        rule=body.policy.share_rule,
        data={"reason": reason, "on": day.isoformat(), "body": body.kind},
    )
    label = SeatEndReason(reason).label.lower()
    refresh_status(body, actor=actor, reason=f"A seat ended ({label}) and the body fell below its rules.")
    return seat


def expire_ended_terms(*, body: Body, today: datetime.date | None = None) -> int:
    """Close the open seats whose term has run out and refresh the body's
    status (a term that ends unreplaced suspends the body). Run daily."""
    day = today or _today()
    with transaction.atomic():
        body = _lock(body)
        expired = list(Seat.objects.filter(body=body, is_open=True, term_end__lte=day))
        for seat in expired:
            seat.is_open = False
            seat.end_reason = SeatEndReason.TERM_ENDED
            seat.save(update_fields=["is_open", "end_reason"])
            audit_record(
                organisation=body.project.organisation,
                project=body.project,
                actor=None,
                action="boards.seat.term_ended",
                obj=seat,
                data={"on": seat.term_end.isoformat() if seat.term_end else None},
            )
        refresh_status(body, actor=None, reason="A term ended unreplaced and the body fell below its rules.")
    return len(expired)


# --- Meetings ------------------------------------------------------------------


def meeting_schedule(
    *,
    body: Body,
    scheduled_at: datetime.datetime,
    actor: AbstractBaseUser,
    place: str = "",
    online_link: str = "",
    accessibility: str = "",
    duration_minutes: int = 120,
) -> Meeting:
    """BOARD-9, GROUP-8: meetings are scheduled so bodies meet often enough."""
    require(permissions.can_manage_body(actor, body), "You cannot schedule meetings of this body.")
    if not place.strip() and not online_link.strip():
        raise ValidationError({"place": "Say where the meeting is, or give the link to join online."})
    with transaction.atomic():
        meeting = Meeting(
            body=body,
            scheduled_at=scheduled_at,
            place=place.strip(),
            online_link=online_link.strip(),
            accessibility=accessibility,
            duration_minutes=duration_minutes,
        )
        meeting.full_clean()
        meeting.save()
        audit_record(
            organisation=body.project.organisation,
            project=body.project,
            actor=actor,
            action="boards.meeting.scheduled",
            obj=meeting,
            data={"scheduled_at": scheduled_at.isoformat()},
        )
    return meeting


@transaction.atomic
def meeting_record_held(
    *,
    meeting: Meeting,
    attended_seat_ids: list[int],
    actor: AbstractBaseUser,
    minutes: str = "",
    held_on: datetime.date | None = None,
) -> Meeting:
    """Record that a meeting was held, who of the seat holders attended, and
    the minutes. Attendance names seats of this body active that day."""
    from boards.models import Attendance

    require(permissions.can_manage_body(actor, meeting.body), "You cannot record meetings of this body.")
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("body__project__organisation")
        .get(pk=meeting.pk)
    )
    if meeting.status != MeetingStatus.SCHEDULED:
        raise Conflict(f"This meeting is already {meeting.get_status_display().lower()}.")
    day = held_on or timezone.localdate(meeting.scheduled_at)
    if day > _today():
        raise ValidationError({"held_on": "A meeting cannot be recorded as held in the future."})
    seats = [seat for seat in Seat.objects.filter(body=meeting.body) if seat.active_on(day)]
    valid_ids = {seat.pk for seat in seats}
    unknown = set(attended_seat_ids) - valid_ids
    if unknown:
        raise ValidationError({"attended": "Attendance can only name seats of this body active on the day."})
    meeting.status = MeetingStatus.HELD
    meeting.held_on = day
    meeting.minutes = minutes
    meeting.full_clean()
    meeting.save(update_fields=["status", "held_on", "minutes"])
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, seat=seat, attended=seat.pk in set(attended_seat_ids)) for seat in seats]
    )
    audit_record(
        organisation=meeting.body.project.organisation,
        project=meeting.body.project,
        actor=actor,
        action="boards.meeting.held",
        obj=meeting,
        data={"held_on": day.isoformat(), "attended": sorted(set(attended_seat_ids)), "seats": len(seats)},
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, reason: str, actor: AbstractBaseUser) -> Meeting:
    require(permissions.can_manage_body(actor, meeting.body), "You cannot cancel meetings of this body.")
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("body__project__organisation")
        .get(pk=meeting.pk)
    )
    if meeting.status != MeetingStatus.SCHEDULED:
        raise Conflict(f"This meeting is already {meeting.get_status_display().lower()}.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the meeting is cancelled: members will see it."})
    meeting.status = MeetingStatus.CANCELLED
    meeting.minutes = f"Cancelled: {reason.strip()}"
    meeting.save(update_fields=["status", "minutes"])
    audit_record(
        organisation=meeting.body.project.organisation,
        project=meeting.body.project,
        actor=actor,
        action="boards.meeting.cancelled",
        obj=meeting,
        data={"reason": reason.strip()},
    )
    return meeting
