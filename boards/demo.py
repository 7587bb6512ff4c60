"""Demo governance for the seeded Beacon Street project: an active board and
Overview Group, a past seat, meetings, decided items (tie procedure, chair,
budget change), a decision returned with what the group needs, an agreed
dispute procedure and a dispute in mediation. Called by `seed_demo`; written
through the services, so it obeys every rule it shows. Idempotent: each step
looks for what it would create first."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from boards import decisions
from boards import services as body_services
from boards.models import AgendaItem, Body, BodyKind, BodyStatus, DecisionEntry, Meeting, Seat
from projects.models import Project
from stakeholders.models import Capacity, Person, StakeholderGroup

OVERVIEW_SEATS: list[tuple[str, str, str | None]] = [
    ("Lucy Brennan", Capacity.SERVICE_USER, "People who use the day service"),
    ("Sofia Novak", Capacity.SERVICE_USER, "People who use the day service"),
    ("David Okafor", Capacity.CARER, "Family carers"),
    ("Graham Pike", Capacity.CARER, "Family carers"),
    ("Margaret Ellis", Capacity.PUBLIC, "Local residents near the site"),
    ("Imran Qureshi", Capacity.COMMUNITY_REP, "Local residents near the site"),
    ("Rachel Green", Capacity.STAFF, "Support workers at Harbourside Care"),
    ("Priya Shah", Capacity.PROJECT_TEAM, None),
]
# One member who served and resigned: past seats stay for the record.
PAST_OVERVIEW_SEAT = ("Beth Carver", Capacity.COMMUNITY_REP, "Local residents near the site")
TERMS_START = datetime.date(2026, 1, 12)
TERMS_END = datetime.date(2027, 12, 17)  # the end of the roll-out phase


def seed_governance(project: Project, facilitator: AbstractBaseUser) -> None:
    board = Body.objects.get(project=project, kind=BodyKind.BOARD)
    overview = Body.objects.get(project=project, kind=BodyKind.OVERVIEW)
    groups = {group.name: group for group in StakeholderGroup.objects.filter(project=project)}
    people = {person.name: person for person in Person.objects.filter(organisation=project.organisation)}
    _seat_overview(overview, groups, people, facilitator)
    for body in (board, overview):
        if body.status == BodyStatus.FORMING:
            body_services.body_activate(body=body, actor=facilitator)
    today = timezone.localdate()
    board_meeting = _held_meeting(board, today - datetime.timedelta(days=14), facilitator)
    group_meeting = _held_meeting(overview, today - datetime.timedelta(days=10), facilitator)
    _upcoming_meeting(board, today + datetime.timedelta(days=28), facilitator)
    _upcoming_meeting(overview, today + datetime.timedelta(days=21), facilitator)

    board_seats = list(Seat.objects.filter(body=board, is_open=True).select_related("person"))
    group_seats = list(Seat.objects.filter(body=overview, is_open=True).select_related("person"))
    maya = next(seat for seat in board_seats if seat.person.name == "Maya Thompson")
    _decide(
        board,
        board_meeting,
        board_seats,
        facilitator,
        title="Appoint Maya Thompson as chair of the board",
        kind="chair_appointment",
        proposal={
            "seat": maya.pk,
            "merit": "Maya has used the day service for nine years, chaired its user forum since 2022 and is "
            "trusted by members and staff alike.",
        },
    )
    _decide(
        board,
        board_meeting,
        board_seats,
        facilitator,
        title="Ties are settled by our dispute procedure",
        kind="tie_procedure",
        proposal={"procedure": "dispute"},
    )
    _decide(
        board,
        board_meeting,
        board_seats,
        facilitator,
        title="Fund peer-support sessions during the pilot",
        kind="budget_change",
        proposal={
            "changes": [
                {
                    "action": "add",
                    "partner": "Northmoor Council",
                    "purpose": "Peer-support sessions",
                    "amount": "6000",
                }
            ]
        },
        description="Two peer-support sessions a week, led by people with lived experience.",
    )
    lucy = next(seat for seat in group_seats if seat.person.name == "Lucy Brennan")
    _decide(
        overview,
        group_meeting,
        group_seats,
        facilitator,
        title="Appoint Lucy Brennan as chair of the Overview Group",
        kind="chair_appointment",
        proposal={
            "seat": lucy.pk,
            "merit": "Lucy set up the day service's peer-support group and has spoken for members at every "
            "scoping workshop; members asked her to stand.",
        },
    )
    for body, meeting, seats in ((board, board_meeting, board_seats), (overview, group_meeting, group_seats)):
        _decide(
            body,
            meeting,
            seats,
            facilitator,
            title="Adopt the default dispute procedure",
            kind="dispute_procedure",
            proposal={"template": "default"},
        )
    weekend = _decide(
        overview,
        group_meeting,
        group_seats,
        facilitator,
        title="Open a weekend drop-in at Beacon Street",
        description="Members asked for somewhere to go on Saturdays, when isolation is worst.",
    )
    if weekend is not None and not AgendaItem.objects.filter(returns_entry=weekend).exists():
        decisions.implementation_update(
            entry=weekend,
            status="cannot",
            note="The building is let to another charity at weekends until March.",
            return_reason="The Beacon Street building is not available at weekends until March.",
            return_information="The lease terms and the list of other venues within a mile, with costs.",
            return_resources="Two facilitated workshops and up to £1,500 for venue hire in the pilot.",
            return_skills="Time with the council's community buildings officer and the provider's rota planner.",
            actor=facilitator,
        )
    _dispute_in_mediation(overview, group_seats, facilitator, people)


def _seat_overview(
    overview: Body, groups: dict[str, StakeholderGroup], people: dict[str, Person], actor: AbstractBaseUser
) -> None:
    name, capacity, group_name = PAST_OVERVIEW_SEAT
    past = people[name]
    if not Seat.objects.filter(body=overview, person=past).exists():
        seat = body_services.seat_add(
            body=overview,
            person=past,
            capacity=capacity,
            stakeholder_group=groups[group_name],
            term_start=TERMS_START,
            actor=actor,
        )
        body_services.seat_end(
            seat=seat,
            reason="resigned",
            note="Moved away from Northmoor.",
            on=datetime.date(2026, 6, 30),
            actor=actor,
        )
    for name, capacity, group_name in OVERVIEW_SEATS:
        person = people[name]
        if Seat.objects.filter(body=overview, person=person, is_open=True).exists():
            continue
        body_services.seat_add(
            body=overview,
            person=person,
            capacity=capacity,
            stakeholder_group=groups[group_name] if group_name else None,
            term_start=TERMS_START,
            term_end=TERMS_END,
            actor=actor,
        )


def _held_meeting(body: Body, day: datetime.date, actor: AbstractBaseUser) -> Meeting:
    existing = Meeting.objects.filter(body=body, status=Meeting.Status.HELD).first()
    if existing is not None:
        return existing
    when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(14, 0)))
    meeting = body_services.meeting_schedule(
        body=body,
        scheduled_at=when,
        place="Beacon Street community room, 14 Beacon Street",
        accessibility="Step-free access, hearing loop, BSL interpreter booked, easy-read papers sent a week ahead.",
        actor=actor,
    )
    attended = [seat.pk for seat in Seat.objects.filter(body=body, is_open=True) if seat.active_on(day)]
    return body_services.meeting_record_held(
        meeting=meeting,
        attended_seat_ids=attended,
        minutes="Members discussed and voted on the items on the agenda by a show of hands.",
        held_on=day,
        actor=actor,
    )


def _upcoming_meeting(body: Body, day: datetime.date, actor: AbstractBaseUser) -> None:
    if Meeting.objects.filter(body=body, status=Meeting.Status.SCHEDULED).exists():
        return
    body_services.meeting_schedule(
        body=body,
        scheduled_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(14, 0))),
        place="Beacon Street community room, 14 Beacon Street",
        accessibility="Step-free access, hearing loop, easy-read papers.",
        actor=actor,
    )


def _decide(
    body: Body,
    meeting: Meeting,
    seats: list[Seat],
    actor: AbstractBaseUser,
    *,
    title: str,
    kind: str = "general",
    proposal: dict[str, Any] | None = None,
    description: str = "",
) -> DecisionEntry | None:
    """Put an item, record the show of hands at the held meeting, close it."""
    existing = AgendaItem.objects.filter(body=body, title=title).first()
    if existing is not None:
        return DecisionEntry.objects.filter(item=existing).order_by("-sequence").first()
    item = decisions.item_propose(
        body=body, title=title, kind=kind, proposal=proposal, description=description, actor=actor
    )
    decisions.voting_open(item=item, actor=actor)
    for seat in seats:
        decisions.vote_cast(item=item, seat=seat, choice="for", actor=actor, meeting=meeting)
    return decisions.voting_close(item=item, actor=actor)


def _dispute_in_mediation(
    overview: Body, seats: list[Seat], facilitator: AbstractBaseUser, people: dict[str, Person]
) -> None:
    from disputes import services as dispute_services
    from disputes.models import Dispute

    if Dispute.objects.filter(body=overview).exists():
        return
    carer = next(seat for seat in seats if seat.person.name == "David Okafor")
    staff = next(seat for seat in seats if seat.person.name == "Rachel Green")
    returned = AgendaItem.objects.filter(body=overview, kind="return").first()
    entry = returned.returns_entry if returned else None
    dispute = dispute_services.dispute_raise(
        body=overview,
        subject="decision" if entry else "conduct",
        entry=entry,
        summary="Carers were not asked before the weekend drop-in was put off until March. Saturdays are when "
        "the people we care for are most alone.",
        outcome_sought="A Saturday session somewhere else from January, even if it is only a few hours.",
        respondents=[staff],
        actor=carer.person.user,
    )
    dispute_services.stage_record(
        dispute=dispute,
        notes="Met in the community room with a facilitator. Both sides explained their views.",
        result="No agreement yet: agreed to try mediation.",
        actor=facilitator,
    )
    dispute_services.stage_advance(dispute=dispute, actor=facilitator)
    dispute_services.stage_record(
        dispute=dispute,
        mediator=people["Dr Nadia Haddad"],
        notes="Mediator appointed; first session booked.",
        actor=facilitator,
    )
