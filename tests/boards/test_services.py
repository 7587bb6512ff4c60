"""Bodies and seats: the rules that block (BOARD-2, BOARD-4, GROUP-1, GROUP-3,
BOARD-10, GROUP-9) and the departures that are never refused."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from boards import services
from boards.models import Body, Meeting, Seat
from coprod.errors import NotAllowed, RuleViolation
from coprod.rulebook import Rule
from projects.models import AuditEvent
from tests.boards.conftest import START, activate_directly, fill, seat_directly
from tests.conftest import Tenant
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def _refusals(rule: str) -> int:
    with scopes_disabled():
        return AuditEvent.objects.filter(action__startswith="refused.", rule=rule).count()


def test_every_project_has_one_body_of_each_kind(tenant_a: Tenant) -> None:
    with scopes_disabled():
        kinds = sorted(Body.objects.filter(project=tenant_a.project).values_list("kind", flat=True))
    assert kinds == ["board", "overview"]


@pytest.mark.rule("BOARD-4")
def test_board_below_share_cannot_activate(tenant_a: Tenant, board: Body, in_org_a: None) -> None:
    fill(board, "NNPPPPPPPP")
    with pytest.raises(RuleViolation) as refused:
        services.body_activate(body=board, actor=tenant_a.facilitator)
    assert refused.value.rule == Rule.BOARD_4
    assert "Add 2 non-professional seats" in refused.value.message
    board.refresh_from_db()
    assert board.status == Body.Status.FORMING
    assert _refusals("BOARD-4") == 1


@pytest.mark.rule("BOARD-4")
@pytest.mark.rule("BOARD-2")
def test_compliant_board_activates(tenant_a: Tenant, board: Body, in_org_a: None) -> None:
    fill(board, "NNNPPPPPPP")
    services.body_activate(body=board, actor=tenant_a.facilitator)
    board.refresh_from_db()
    assert board.status == Body.Status.ACTIVE
    assert AuditEvent.objects.filter(action="boards.body.activated").count() == 1


@pytest.mark.rule("BOARD-2")
def test_board_needs_every_stakeholder_group(tenant_a: Tenant, board: Body, in_org_a: None) -> None:
    from stakeholders.services import stakeholder_group_add

    stakeholder_group_add(
        project=tenant_a.project,
        name="Carers",
        affected="indirectly",
        impact="mixed",
        actor=tenant_a.facilitator,
    )
    fill(board, "NNNP")  # all seated for "Service users" only
    with pytest.raises(RuleViolation) as refused:
        services.body_activate(body=board, actor=tenant_a.facilitator)
    assert refused.value.rule == Rule.BOARD_2
    assert "Carers" in refused.value.message
    assert any(item["rule"] == "BOARD-2" for item in refused.value.evidence)


@pytest.mark.rule("GROUP-3")
def test_group_below_sixty_percent_cannot_activate(tenant_a: Tenant, overview: Body, in_org_a: None) -> None:
    fill(overview, "NNPPP")
    with pytest.raises(RuleViolation) as refused:
        services.body_activate(body=overview, actor=tenant_a.facilitator)
    assert refused.value.rule == Rule.GROUP_3
    fill(overview, "NNN")  # 5 of 8
    services.body_activate(body=overview, actor=tenant_a.facilitator)


@pytest.mark.rule("GROUP-1")
def test_group_refuses_a_third_project_team_seat(tenant_a: Tenant, overview: Body, in_org_a: None) -> None:
    fill(overview, "NNNNNNNNTT")
    activate_directly(overview)
    person = PersonFactory(organisation=tenant_a.organisation)
    with pytest.raises(RuleViolation) as refused:
        services.seat_add(
            body=overview,
            person=person,
            capacity="project_team",
            term_start=TODAY,
            actor=tenant_a.facilitator,
        )
    assert refused.value.rule == Rule.GROUP_1
    assert Seat.objects.filter(body=overview).count() == 10
    assert _refusals("GROUP-1") == 1


@pytest.mark.rule("BOARD-4")
def test_active_board_refuses_a_professional_seat_that_breaks_the_share(
    tenant_a: Tenant, board: Body, in_org_a: None
) -> None:
    fill(board, "NNNPPPPPPP")
    activate_directly(board)
    person = PersonFactory(organisation=tenant_a.organisation)
    with pytest.raises(RuleViolation) as refused:
        services.seat_add(
            body=board, person=person, capacity="professional", term_start=TODAY, actor=tenant_a.facilitator
        )
    assert refused.value.rule == Rule.BOARD_4
    assert "today" in refused.value.message
    # A non-professional seat is fine.
    services.seat_add(
        body=board, person=person, capacity="carer", term_start=TODAY, actor=tenant_a.facilitator
    )


@pytest.mark.rule("BOARD-4")
def test_facilitator_cannot_remove_or_recapacity_a_needed_seat(
    tenant_a: Tenant, board: Body, in_org_a: None
) -> None:
    seats = fill(board, "NNNPPPPPPP")
    activate_directly(board)
    with pytest.raises(RuleViolation):
        services.seat_end(seat=seats[0], reason="removed", actor=tenant_a.facilitator)
    with pytest.raises(RuleViolation):
        services.seat_change(seat=seats[0], capacity="staff", actor=tenant_a.facilitator)
    seats[0].refresh_from_db()
    assert seats[0].is_open and seats[0].capacity == "service_user"


@pytest.mark.rule("BOARD-4")
@pytest.mark.rule("TEAM-1")
def test_term_end_that_breaks_next_month_is_refused_now_naming_the_date(
    tenant_a: Tenant, board: Body, in_org_a: None
) -> None:
    seats = fill(board, "NNNPPPPPPP")
    activate_directly(board)
    with pytest.raises(RuleViolation) as refused:
        services.seat_change(seat=seats[0], term_end=datetime.date(2026, 4, 15), actor=tenant_a.facilitator)
    assert refused.value.rule == Rule.BOARD_4
    assert "15 April 2026" in refused.value.message
    assert refused.value.evidence[0]["date"] == "2026-04-15"


@pytest.mark.rule("BOARD-4")
def test_resignation_is_never_refused_and_suspends_then_restores(
    tenant_a: Tenant, board: Body, in_org_a: None
) -> None:
    seats = fill(board, "NNNPPPPPPP")
    activate_directly(board)
    services.seat_end(seat=seats[0], reason="resigned", note="Moving away", actor=tenant_a.facilitator)
    board.refresh_from_db()
    assert board.status == Body.Status.SUSPENDED
    assert "resigned" in board.status_reason
    assert AuditEvent.objects.filter(action="boards.body.suspended").count() == 1
    assert not board.takes_decisions
    # Restoring the share reactivates it.
    person = PersonFactory(organisation=tenant_a.organisation)
    services.seat_add(
        body=board, person=person, capacity="carer", term_start=TODAY, actor=tenant_a.facilitator
    )
    board.refresh_from_db()
    assert board.status == Body.Status.ACTIVE
    assert AuditEvent.objects.filter(action="boards.body.restored").count() == 1


@pytest.mark.rule("GROUP-3")
def test_seat_holder_can_resign_themselves(tenant_a: Tenant, overview: Body, in_org_a: None) -> None:
    seats = fill(overview, "NNNPP")
    activate_directly(overview)
    with scopes_disabled():
        seats[0].person.user = tenant_a.member
        seats[0].person.save()
    services.seat_end(seat=seats[0], reason="resigned", actor=tenant_a.member)
    overview.refresh_from_db()
    assert overview.status == Body.Status.SUSPENDED
    # But a member cannot end someone else's seat.
    with pytest.raises(NotAllowed):
        services.seat_end(seat=seats[1], reason="resigned", actor=tenant_a.member)


@pytest.mark.rule("BOARD-4")
def test_term_that_ends_unreplaced_suspends(tenant_a: Tenant, board: Body, in_org_a: None) -> None:
    seats = fill(board, "NNNPPPPPPP")
    with scopes_disabled():
        Seat.objects.filter(pk=seats[0].pk).update(term_end=datetime.date(2026, 3, 10))
    activate_directly(board)
    assert services.expire_ended_terms(body=board, today=datetime.date(2026, 3, 9)) == 0
    board.refresh_from_db()
    assert board.status == Body.Status.ACTIVE
    assert services.expire_ended_terms(body=board, today=datetime.date(2026, 3, 10)) == 1
    board.refresh_from_db()
    assert board.status == Body.Status.SUSPENDED


def test_one_open_seat_per_person_per_body(tenant_a: Tenant, board: Body, in_org_a: None) -> None:
    seat = seat_directly(board, "carer")
    with pytest.raises(ValidationError):
        services.seat_add(
            body=board, person=seat.person, capacity="public", term_start=TODAY, actor=tenant_a.facilitator
        )


@pytest.mark.rule("TENANT-1")
def test_seat_refuses_people_and_groups_of_another_organisation(
    tenant_a: Tenant, tenant_b: Tenant, board: Body, in_org_a: None
) -> None:
    with scopes_disabled():
        stranger = PersonFactory(organisation=tenant_b.organisation)
        foreign_group = tenant_b.project.stakeholder_groups.first()
    with pytest.raises(ValidationError) as refused:
        services.seat_add(
            body=board, person=stranger, capacity="carer", term_start=TODAY, actor=tenant_a.facilitator
        )
    assert "person" in refused.value.message_dict
    person = PersonFactory(organisation=tenant_a.organisation)
    with pytest.raises(ValidationError) as refused:
        services.seat_add(
            body=board,
            person=person,
            capacity="carer",
            term_start=TODAY,
            stakeholder_group=foreign_group,
            actor=tenant_a.facilitator,
        )
    assert "stakeholder_group" in refused.value.message_dict


def test_members_cannot_manage_seats(tenant_a: Tenant, board: Body, in_org_a: None) -> None:
    person = PersonFactory(organisation=tenant_a.organisation)
    with pytest.raises(NotAllowed):
        services.seat_add(
            body=board, person=person, capacity="carer", term_start=TODAY, actor=tenant_a.member
        )


@pytest.mark.rule("BOARD-10")
@pytest.mark.rule("GROUP-9")
def test_bodies_cannot_be_closed_while_the_project_is_open(
    tenant_a: Tenant, board: Body, overview: Body, in_org_a: None
) -> None:
    with pytest.raises(RuleViolation) as refused:
        services.body_close(body=board, actor=tenant_a.admin)
    assert refused.value.rule == Rule.BOARD_10
    with pytest.raises(RuleViolation) as refused:
        services.body_close(body=overview, actor=tenant_a.admin)
    assert refused.value.rule == Rule.GROUP_9
    assert _refusals("GROUP-9") == 1


@pytest.mark.rule("BOARD-1")
def test_board_remit_is_recorded(tenant_a: Tenant, board: Body, in_org_a: None) -> None:
    services.body_update(
        body=board, actor=tenant_a.facilitator, remit_finance=False, remit_notes="Finance elsewhere"
    )
    event = AuditEvent.objects.get(action="boards.body.updated")
    assert event.rule == "BOARD-1"
    assert event.data["remit_finance"] == [True, False]


def test_meetings_scheduled_held_and_cancelled(tenant_a: Tenant, board: Body, in_org_a: None) -> None:
    seats = fill(board, "NNP")
    meeting = services.meeting_schedule(
        body=board,
        scheduled_at=datetime.datetime(2026, 3, 1, 14, 0, tzinfo=datetime.UTC),
        place="Beacon Street community room",
        accessibility="Step-free; hearing loop",
        actor=tenant_a.facilitator,
    )
    services.meeting_record_held(
        meeting=meeting,
        attended_seat_ids=[seats[0].pk, seats[2].pk],
        minutes="Agreed terms",
        actor=tenant_a.facilitator,
    )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    assert meeting.attendance.filter(attended=True).count() == 2
    assert meeting.attendance.count() == 3
    with pytest.raises(ValidationError):
        services.meeting_schedule(
            body=board,
            scheduled_at=datetime.datetime(2026, 4, 1, 14, 0, tzinfo=datetime.UTC),
            actor=tenant_a.facilitator,
        )
    later = services.meeting_schedule(
        body=board,
        scheduled_at=datetime.datetime(2026, 4, 1, 14, 0, tzinfo=datetime.UTC),
        online_link="https://meet.example.org/board",
        actor=tenant_a.facilitator,
    )
    with pytest.raises(ValidationError):
        services.meeting_record_held(meeting=later, attended_seat_ids=[], actor=tenant_a.facilitator)
    services.meeting_cancel(meeting=later, reason="Venue flooded", actor=tenant_a.facilitator)
    later.refresh_from_db()
    assert later.status == Meeting.Status.CANCELLED


def test_seat_start_default_constant_is_before_today() -> None:
    assert START < TODAY


@pytest.mark.rule("GROUP-3")
def test_periodic_task_expires_terms_across_organisations(
    tenant_a: Tenant, tenant_b: Tenant, overview: Body
) -> None:
    from boards.tasks import expire_ended_terms
    from tests.boards.conftest import board_of

    seats = fill(overview, "NNNPP")
    activate_directly(overview)
    other = board_of(tenant_b, "overview")
    other_seats = fill(other, "NNNNP")
    activate_directly(other)
    with scopes_disabled():
        Seat.objects.filter(pk__in=[seats[0].pk, other_seats[0].pk]).update(term_end=TODAY)
    assert expire_ended_terms() == 2
    assert expire_ended_terms() == 0  # idempotent
    with scopes_disabled():
        assert Body.objects.get(pk=overview.pk).status == Body.Status.SUSPENDED  # 2 of 4
        assert Body.objects.get(pk=other.pk).status == Body.Status.ACTIVE  # 3 of 4
