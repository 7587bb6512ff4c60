"""REST API for the governing bodies: bodies, seats, meetings and the term
timeline.

Each rule that blocks (BOARD-2, BOARD-4, GROUP-1, GROUP-3, BOARD-10, GROUP-9)
is proven over HTTP: the refusal names the rule with evidence, nothing is
written, and the attempt is in the audit log; the allowed path makes the
change. Then the doors: anonymous 401, another organisation 404, roles that
may not write 403, and bad input 400 (never 500)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from boards.models import Attendance, Body, Meeting, Seat
from projects.models import AuditEvent
from stakeholders.models import StakeholderGroup
from tests.boards.conftest import START, activate_directly, board_of, fill, seat_directly
from tests.conftest import Tenant
from tests.factories import PersonFactory, PhaseFactory, ProjectFactory, StakeholderGroupFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


# --- Helpers ---------------------------------------------------------------------------


def url(name: str, tenant: Tenant, kind: str | None = "board", **kwargs: Any) -> str:
    kwargs = {"org": tenant.organisation.slug, "project": tenant.project.slug, **kwargs}
    if kind is not None:
        kwargs["kind"] = kind
    return reverse(name, kwargs=kwargs)


def seat_count(body: Body | None = None) -> int:
    with scopes_disabled():
        seats = Seat.objects.all() if body is None else Seat.objects.filter(body=body)
        return seats.count()


def open_seats(body: Body) -> int:
    with scopes_disabled():
        return Seat.objects.filter(body=body, is_open=True).count()


def reload(obj: Any) -> Any:
    with scopes_disabled():
        return type(obj).objects.get(pk=obj.pk)


def refusals(rule: str) -> list[AuditEvent]:
    with scopes_disabled():
        return list(AuditEvent.objects.filter(action__startswith="refused.", rule=rule))


def audit(action: str) -> list[AuditEvent]:
    with scopes_disabled():
        return list(AuditEvent.objects.filter(action=action))


def person_of(tenant: Tenant) -> int:
    with scopes_disabled():
        return PersonFactory(organisation=tenant.organisation).pk


def group_of(tenant: Tenant) -> int:
    with scopes_disabled():
        return StakeholderGroup.objects.filter(project=tenant.project).order_by("pk").first().pk


def new_seat(tenant: Tenant, capacity: str, **extra: Any) -> dict[str, Any]:
    return {
        "person": person_of(tenant),
        "capacity": capacity,
        "stakeholder_group": group_of(tenant),
        "term_start": "2026-03-02",
        **extra,
    }


def meeting_of(body: Body, when: datetime.datetime) -> Meeting:
    with scopes_disabled():
        return Meeting.objects.create(body=body, scheduled_at=when, place="Town hall, room 2")


# --- Reading bodies and their composition ------------------------------------------------


@pytest.mark.rule("BOARD-4")
@pytest.mark.rule("GROUP-3")
def test_members_read_both_bodies_with_their_composition(tenant_a: Tenant, board: Body, api_as) -> None:
    fill(board, "NNPPPPPPPP")
    response = api_as(tenant_a.member).get(url("api-body-list", tenant_a, kind=None))
    assert response.status_code == 200
    bodies = {body["kind"]: body for body in response.json()}
    assert set(bodies) == {"board", "overview"}

    composition = bodies["board"]["composition"]
    assert bodies["board"]["status"] == "forming"
    assert {k: composition[k] for k in ("total", "non_professional", "project_team")} == {
        "total": 10,
        "non_professional": 2,
        "project_team": 0,
    }
    assert composition["share_percent"] == 20
    assert composition["threshold_percent"] == 30
    assert composition["required_non_professional"] == 3
    [violation] = composition["violations"]
    assert violation["rule"] == "BOARD-4"
    assert violation["fix"] == "Add 2 non-professional seats."

    overview = bodies["overview"]["composition"]
    assert overview["total"] == 0
    assert overview["threshold_percent"] == 60
    assert [v["rule"] for v in overview["violations"]] == ["GROUP-3"]


@pytest.mark.rule("BOARD-4")
@pytest.mark.rule("TEAM-1")
def test_body_shows_the_term_ends_ahead_that_will_break_it(tenant_a: Tenant, board: Body, api_as) -> None:
    fill(board, "NNPPPPPPP")
    seat_directly(board, "carer", term_end=datetime.date(2026, 5, 1))  # 3 of 10 until 1 May
    response = api_as(tenant_a.auditor).get(url("api-body-detail", tenant_a))
    assert response.status_code == 200
    composition = response.json()["composition"]
    assert composition["violations"] == []
    [breach] = composition["upcoming_breaches"]
    assert breach["date"] == "2026-05-01"
    assert breach["rule"] == "BOARD-4"
    assert breach["fix"]


@pytest.mark.parametrize("kind", ["committee", "BOARD", "boards", "1"])
def test_unknown_body_kind_is_404(tenant_a: Tenant, api_as, kind: str) -> None:
    api = api_as(tenant_a.admin)
    assert api.get(url("api-body-detail", tenant_a, kind=kind)).status_code == 404
    assert api.get(url("api-seat-list", tenant_a, kind=kind)).status_code == 404
    assert api.post(url("api-body-activate", tenant_a, kind=kind)).status_code == 404


@pytest.mark.rule("BOARD-1")
def test_facilitator_changes_remit_and_cadence(tenant_a: Tenant, board: Body, api_as) -> None:
    response = api_as(tenant_a.facilitator).patch(
        url("api-body-detail", tenant_a),
        {"remit_finance": False, "remit_notes": "Finance sits with the trust.", "meeting_cadence_days": 28},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["remit_finance"] is False
    assert response.json()["meeting_cadence_days"] == 28
    board = reload(board)
    assert (board.remit_finance, board.meeting_cadence_days) == (False, 28)
    [event] = audit("boards.body.updated")
    assert event.rule == "BOARD-1"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"meeting_cadence_days": 0}, "meeting_cadence_days"),
        ({"meeting_cadence_days": 367}, "meeting_cadence_days"),
        ({"meeting_cadence_days": "weekly"}, "meeting_cadence_days"),
        ({"meeting_cadence_days": 10**30}, "meeting_cadence_days"),
        ({"remit_finance": "perhaps"}, "remit_finance"),
        ({"remit_notes": "x" * 5001}, "remit_notes"),
    ],
)
def test_bad_body_changes_are_400(tenant_a: Tenant, board: Body, api_as, data: dict, field: str) -> None:
    response = api_as(tenant_a.facilitator).patch(url("api-body-detail", tenant_a), data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert reload(board).meeting_cadence_days == 42
    assert audit("boards.body.updated") == []


# --- Activation: BOARD-2, BOARD-4, GROUP-1, GROUP-3 ------------------------------------------


@pytest.mark.rule("BOARD-4")
def test_board_below_share_is_not_activated(tenant_a: Tenant, board: Body, api_as) -> None:
    fill(board, "NNPPPPPPPP")
    response = api_as(tenant_a.facilitator).post(url("api-body-activate", tenant_a))
    assert response.status_code == 409
    body = response.json()
    assert body["rule"] == "BOARD-4"
    assert "Add 2 non-professional seats" in body["detail"]
    assert body["evidence"] == [
        {
            "rule": "BOARD-4",
            "problem": "2 of 10 seats are non-professional; at least 30% (3) are needed.",
            "fix": "Add 2 non-professional seats.",
        }
    ]
    assert reload(board).status == Body.Status.FORMING
    assert seat_count(board) == 10
    assert len(refusals("BOARD-4")) == 1
    assert audit("boards.body.activated") == []


@pytest.mark.rule("BOARD-4")
@pytest.mark.rule("BOARD-2")
def test_compliant_board_is_activated(tenant_a: Tenant, board: Body, api_as) -> None:
    fill(board, "NNNPPPPPPP")
    response = api_as(tenant_a.facilitator).post(url("api-body-activate", tenant_a))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "active"
    assert response.json()["composition"]["violations"] == []
    assert reload(board).status == Body.Status.ACTIVE
    assert len(audit("boards.body.activated")) == 1


@pytest.mark.rule("BOARD-2")
def test_board_without_a_seat_for_every_group_is_not_activated(tenant_a: Tenant, board: Body, api_as) -> None:
    with scopes_disabled():
        StakeholderGroupFactory(project=tenant_a.project, name="Carers")
    fill(board, "NNNP")  # every seat for "Service users"
    response = api_as(tenant_a.facilitator).post(url("api-body-activate", tenant_a))
    assert response.status_code == 409
    assert response.json()["rule"] == "BOARD-2"
    assert "Carers" in response.json()["detail"]
    assert [e["rule"] for e in response.json()["evidence"]] == ["BOARD-2"]
    assert reload(board).status == Body.Status.FORMING
    assert len(refusals("BOARD-2")) == 1

    # Seating someone for the carers makes it pass.
    with scopes_disabled():
        carers = StakeholderGroup.objects.get(project=tenant_a.project, name="Carers")
    seat_directly(board, "carer", group=carers)
    assert api_as(tenant_a.facilitator).post(url("api-body-activate", tenant_a)).status_code == 200


@pytest.mark.rule("GROUP-1")
def test_overview_group_with_three_project_team_seats_is_not_activated(
    tenant_a: Tenant, overview: Body, api_as
) -> None:
    fill(overview, "NNNNNNNTTT")  # 70% non-professional, but three project-team seats
    response = api_as(tenant_a.facilitator).post(url("api-body-activate", tenant_a, kind="overview"))
    assert response.status_code == 409
    assert response.json()["rule"] == "GROUP-1"
    assert response.json()["evidence"][0]["fix"] == "End 1 project-team seat."
    assert reload(overview).status == Body.Status.FORMING
    assert len(refusals("GROUP-1")) == 1


@pytest.mark.rule("GROUP-3")
def test_overview_group_below_sixty_percent_is_not_activated(
    tenant_a: Tenant, overview: Body, api_as
) -> None:
    fill(overview, "NNPP")
    response = api_as(tenant_a.admin).post(url("api-body-activate", tenant_a, kind="overview"))
    assert response.status_code == 409
    assert response.json()["rule"] == "GROUP-3"
    assert response.json()["evidence"]
    assert reload(overview).status == Body.Status.FORMING
    assert len(refusals("GROUP-3")) == 1

    fill(overview, "N")  # 3 of 5: exactly 60%
    response = api_as(tenant_a.admin).post(url("api-body-activate", tenant_a, kind="overview"))
    assert response.status_code == 200
    assert reload(overview).status == Body.Status.ACTIVE


# --- Seats on an active body ------------------------------------------------------------------


@pytest.mark.rule("BOARD-4")
def test_professional_seat_that_breaks_the_board_share_is_refused(
    tenant_a: Tenant, board: Body, api_as
) -> None:
    fill(board, "NNNPPPPPPP")
    activate_directly(board)
    api = api_as(tenant_a.facilitator)
    response = api.post(url("api-seat-list", tenant_a), new_seat(tenant_a, "professional"), format="json")
    assert response.status_code == 409
    assert response.json()["rule"] == "BOARD-4"
    assert response.json()["evidence"][0]["date"] == TODAY.isoformat()
    assert seat_count(board) == 10
    assert len(refusals("BOARD-4")) == 1
    assert audit("boards.seat.added") == []

    response = api.post(url("api-seat-list", tenant_a), new_seat(tenant_a, "carer"), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["capacity"] == "carer"
    assert response.json()["non_professional"] is True
    assert response.json()["current"] is True
    assert seat_count(board) == 11
    assert len(audit("boards.seat.added")) == 1


@pytest.mark.rule("GROUP-1")
def test_third_project_team_seat_on_the_group_is_refused(tenant_a: Tenant, overview: Body, api_as) -> None:
    fill(overview, "NNNNNNNNTT")
    activate_directly(overview)
    api = api_as(tenant_a.facilitator)
    path = url("api-seat-list", tenant_a, kind="overview")
    response = api.post(path, new_seat(tenant_a, "project_team"), format="json")
    assert response.status_code == 409
    assert response.json()["rule"] == "GROUP-1"
    assert response.json()["evidence"]
    assert seat_count(overview) == 10
    assert len(refusals("GROUP-1")) == 1

    assert api.post(path, new_seat(tenant_a, "service_user"), format="json").status_code == 201
    assert seat_count(overview) == 11


@pytest.mark.rule("GROUP-3")
def test_seat_that_breaks_the_group_share_is_refused(tenant_a: Tenant, overview: Body, api_as) -> None:
    fill(overview, "NNNPP")
    activate_directly(overview)
    api = api_as(tenant_a.facilitator)
    path = url("api-seat-list", tenant_a, kind="overview")
    response = api.post(path, new_seat(tenant_a, "staff"), format="json")
    assert response.status_code == 409
    assert response.json()["rule"] == "GROUP-3"
    assert response.json()["evidence"]
    assert seat_count(overview) == 5
    assert len(refusals("GROUP-3")) == 1

    response = api.post(path, new_seat(tenant_a, "public"), format="json")
    assert response.status_code == 201
    assert seat_count(overview) == 6


@pytest.mark.rule("BOARD-4")
@pytest.mark.rule("TEAM-1")
def test_term_end_that_breaks_the_share_next_month_is_refused_naming_the_date(
    tenant_a: Tenant, board: Body, api_as
) -> None:
    seats = fill(board, "NNNPPPPPPP")
    activate_directly(board)
    response = api_as(tenant_a.facilitator).patch(
        url("api-seat-detail", tenant_a, pk=seats[0].pk), {"term_end": "2026-04-01"}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["rule"] == "BOARD-4"
    assert "1 April 2026" in body["detail"]
    assert body["evidence"][0]["date"] == "2026-04-01"
    assert reload(seats[0]).term_end is None
    assert len(refusals("BOARD-4")) == 1

    # A professional's term may end: the share only grows.
    response = api_as(tenant_a.facilitator).patch(
        url("api-seat-detail", tenant_a, pk=seats[-1].pk), {"term_end": "2026-04-01"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["term_end"] == "2026-04-01"
    assert reload(seats[-1]).term_end == datetime.date(2026, 4, 1)


@pytest.mark.rule("BOARD-4")
def test_changing_a_needed_seat_to_professional_is_refused(tenant_a: Tenant, board: Body, api_as) -> None:
    seats = fill(board, "NNNPPPPPPP")
    activate_directly(board)
    response = api_as(tenant_a.facilitator).patch(
        url("api-seat-detail", tenant_a, pk=seats[0].pk), {"capacity": "staff"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["rule"] == "BOARD-4"
    assert reload(seats[0]).capacity == "service_user"


@pytest.mark.rule("BOARD-4")
def test_resignation_is_never_refused_and_suspends_until_restored(
    tenant_a: Tenant, board: Body, api_as
) -> None:
    seats = fill(board, "NNNPPPPPPP")
    activate_directly(board)
    api = api_as(tenant_a.facilitator)
    response = api.post(
        url("api-seat-end", tenant_a, pk=seats[0].pk),
        {"reason": "resigned", "note": "Moving away."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["is_open"] is False
    assert response.json()["end_reason"] == "resigned"
    assert refusals("BOARD-4") == []

    shown = api_as(tenant_a.member).get(url("api-body-detail", tenant_a)).json()
    assert shown["status"] == "suspended"
    assert "resigned" in shown["status_reason"]
    assert shown["status_since"]
    assert [v["rule"] for v in shown["composition"]["violations"]] == ["BOARD-4"]
    assert len(audit("boards.body.suspended")) == 1

    # A new non-professional seat restores the share and the board's decisions.
    response = api.post(url("api-seat-list", tenant_a), new_seat(tenant_a, "carer"), format="json")
    assert response.status_code == 201, response.json()
    shown = api.get(url("api-body-detail", tenant_a)).json()
    assert shown["status"] == "active"
    assert shown["composition"]["violations"] == []
    assert reload(board).status == Body.Status.ACTIVE


@pytest.mark.rule("GROUP-3")
def test_seat_holder_records_their_own_resignation(tenant_a: Tenant, overview: Body, api_as) -> None:
    seats = fill(overview, "NNNPP")
    activate_directly(overview)
    with scopes_disabled():
        seats[0].person.user = tenant_a.member
        seats[0].person.save(update_fields=["user"])
    response = api_as(tenant_a.member).post(
        url("api-seat-end", tenant_a, kind="overview", pk=seats[0].pk), {"reason": "resigned"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert reload(overview).status == Body.Status.SUSPENDED
    # Someone else's seat is not theirs to end.
    response = api_as(tenant_a.member).post(
        url("api-seat-end", tenant_a, kind="overview", pk=seats[1].pk), {"reason": "resigned"}, format="json"
    )
    assert response.status_code == 403
    assert reload(seats[1]).is_open


@pytest.mark.rule("BOARD-4")
def test_removing_a_needed_seat_is_refused(tenant_a: Tenant, board: Body, api_as) -> None:
    seats = fill(board, "NNNPPPPPPP")
    activate_directly(board)
    response = api_as(tenant_a.facilitator).post(
        url("api-seat-end", tenant_a, pk=seats[0].pk), {"reason": "removed"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["rule"] == "BOARD-4"
    assert reload(seats[0]).is_open
    assert open_seats(board) == 10
    assert len(refusals("BOARD-4")) == 1


def test_ended_seat_cannot_be_ended_or_changed_again(tenant_a: Tenant, board: Body, api_as) -> None:
    [seat] = fill(board, "P")
    api = api_as(tenant_a.facilitator)
    assert (
        api.post(url("api-seat-end", tenant_a, pk=seat.pk), {"reason": "died"}, format="json").status_code
        == 200
    )
    again = api.post(url("api-seat-end", tenant_a, pk=seat.pk), {"reason": "died"}, format="json")
    assert again.status_code == 409
    change = api.patch(url("api-seat-detail", tenant_a, pk=seat.pk), {"capacity": "carer"}, format="json")
    assert change.status_code == 409
    assert reload(seat).capacity == "professional"


# --- Closing: BOARD-10, GROUP-9 -----------------------------------------------------------------


@pytest.mark.rule("BOARD-10")
@pytest.mark.rule("GROUP-9")
@pytest.mark.parametrize(("kind", "rule"), [("board", "BOARD-10"), ("overview", "GROUP-9")])
def test_bodies_cannot_be_closed_while_the_project_is_open(
    tenant_a: Tenant, board: Body, api_as, kind: str, rule: str
) -> None:
    body = board_of(tenant_a, kind)
    fill(body, "NNNNNN")
    activate_directly(body)
    response = api_as(tenant_a.admin).post(url("api-body-close", tenant_a, kind=kind))
    assert response.status_code == 403
    assert response.json()["rule"] == rule
    assert response.json()["detail"]
    assert reload(body).status == Body.Status.ACTIVE
    assert len(refusals(rule)) == 1


# --- Meetings -------------------------------------------------------------------------------------


def test_schedule_hold_with_attendance_and_cancel_meetings(tenant_a: Tenant, board: Body, api_as) -> None:
    seats = fill(board, "NNP")
    api = api_as(tenant_a.facilitator)
    response = api.post(
        url("api-meeting-list", tenant_a),
        {
            "scheduled_at": "2026-02-20T18:00:00Z",
            "place": "Community centre",
            "online_link": "https://meet.example.org/board",
            "accessibility": "Step-free access; hearing loop.",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    meeting_id = response.json()["id"]
    assert response.json()["status"] == "scheduled"
    assert response.json()["duration_minutes"] == 120
    assert len(audit("boards.meeting.scheduled")) == 1

    response = api.post(
        url("api-meeting-held", tenant_a, pk=meeting_id),
        {"attended": [seats[0].pk, seats[2].pk], "minutes": "Agreed the terms of reference."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "held"
    assert response.json()["held_on"] == "2026-02-20"
    attendance = {row["seat"]: row["attended"] for row in response.json()["attendance"]}
    assert attendance == {seats[0].pk: True, seats[1].pk: False, seats[2].pk: True}

    detail = api_as(tenant_a.member).get(url("api-meeting-detail", tenant_a, pk=meeting_id))
    assert detail.status_code == 200
    assert {row["person_name"] for row in detail.json()["attendance"]} == {s.person.name for s in seats}
    assert api.post(url("api-meeting-held", tenant_a, pk=meeting_id), {}, format="json").status_code == 409

    later = api.post(
        url("api-meeting-list", tenant_a),
        {"scheduled_at": "2026-04-01T18:00:00Z", "place": "Hall"},
        format="json",
    ).json()["id"]
    blank = api.post(url("api-meeting-cancel", tenant_a, pk=later), {"reason": "  "}, format="json")
    assert blank.status_code == 400
    assert "reason" in blank.json()
    response = api.post(
        url("api-meeting-cancel", tenant_a, pk=later), {"reason": "Venue flooded."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert "Venue flooded." in response.json()["minutes"]

    listed = api_as(tenant_a.auditor).get(url("api-meeting-list", tenant_a)).json()["results"]
    assert [m["id"] for m in listed] == [later, meeting_id]  # newest first


@pytest.mark.parametrize("held_on", [None, "2026-03-03"])
def test_meeting_cannot_be_recorded_as_held_in_the_future(
    tenant_a: Tenant, board: Body, api_as, held_on: str | None
) -> None:
    fill(board, "NNP")
    meeting = meeting_of(board, datetime.datetime(2026, 3, 10, 18, 0, tzinfo=datetime.UTC))
    data = {"held_on": held_on} if held_on else {}
    response = api_as(tenant_a.facilitator).post(
        url("api-meeting-held", tenant_a, pk=meeting.pk), data, format="json"
    )
    assert response.status_code == 400
    assert "held_on" in response.json()
    assert reload(meeting).status == Meeting.Status.SCHEDULED
    with scopes_disabled():
        assert Attendance.objects.count() == 0


def test_attendance_names_only_this_bodys_seats(
    tenant_a: Tenant, board: Body, overview: Body, api_as
) -> None:
    fill(board, "NNP")
    [other] = fill(overview, "N")
    meeting = meeting_of(board, datetime.datetime(2026, 2, 20, 18, 0, tzinfo=datetime.UTC))
    response = api_as(tenant_a.facilitator).post(
        url("api-meeting-held", tenant_a, pk=meeting.pk), {"attended": [other.pk]}, format="json"
    )
    assert response.status_code == 400
    assert "attended" in response.json()
    assert reload(meeting).status == Meeting.Status.SCHEDULED


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"place": "Hall"}, "scheduled_at"),
        ({"scheduled_at": "next tuesday", "place": "Hall"}, "scheduled_at"),
        ({"scheduled_at": "2026-04-01T18:00:00Z"}, "place"),
        ({"scheduled_at": "2026-04-01T18:00:00Z", "place": "x" * 301}, "place"),
        ({"scheduled_at": "2026-04-01T18:00:00Z", "online_link": "not a link"}, "online_link"),
        (
            {"scheduled_at": "2026-04-01T18:00:00Z", "place": "Hall", "duration_minutes": 5},
            "duration_minutes",
        ),
        (
            {"scheduled_at": "2026-04-01T18:00:00Z", "place": "Hall", "accessibility": "x" * 2001},
            "accessibility",
        ),
    ],
)
def test_bad_meeting_input_is_400(tenant_a: Tenant, board: Body, api_as, data: dict, field: str) -> None:
    response = api_as(tenant_a.facilitator).post(url("api-meeting-list", tenant_a), data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    with scopes_disabled():
        assert Meeting.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"attended": "everyone"}, "attended"),
        ({"attended": ["one"]}, "attended"),
        ({"attended": [10**30]}, "attended"),
        ({"minutes": "x" * 50_001}, "minutes"),
        ({"held_on": "yesterday"}, "held_on"),
    ],
)
def test_bad_held_meeting_input_is_400(tenant_a: Tenant, board: Body, api_as, data: dict, field: str) -> None:
    meeting = meeting_of(board, datetime.datetime(2026, 2, 20, 18, 0, tzinfo=datetime.UTC))
    response = api_as(tenant_a.facilitator).post(
        url("api-meeting-held", tenant_a, pk=meeting.pk), data, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert reload(meeting).status == Meeting.Status.SCHEDULED


# --- Seats: reading and filtering --------------------------------------------------------------


@pytest.mark.rule("TEAM-1")
def test_seat_list_includes_past_seats_and_filters_current(tenant_a: Tenant, board: Body, api_as) -> None:
    [now] = fill(board, "N")
    ended = seat_directly(
        board, "professional", term_end=datetime.date(2026, 2, 1), is_open=False, end_reason="term_ended"
    )
    planned = seat_directly(board, "carer", term_start=datetime.date(2026, 6, 1))
    api = api_as(tenant_a.member)

    every = api.get(url("api-seat-list", tenant_a)).json()["results"]
    assert {s["id"] for s in every} == {now.pk, ended.pk, planned.pk}
    row = next(s for s in every if s["id"] == ended.pk)
    assert row["is_open"] is False
    assert row["end_reason"] == "term_ended"
    assert row["current"] is False
    assert row["stakeholder_group_name"] == "Service users"

    current = api.get(url("api-seat-list", tenant_a), {"current": "true"}).json()["results"]
    assert [s["id"] for s in current] == [now.pk]
    others = api.get(url("api-seat-list", tenant_a), {"current": "false"}).json()["results"]
    assert {s["id"] for s in others} == {ended.pk, planned.pk}
    assert api.get(url("api-seat-list", tenant_a), {"current": "maybe"}).status_code == 400


def test_seat_detail_only_within_its_body(tenant_a: Tenant, board: Body, overview: Body, api_as) -> None:
    [seat] = fill(board, "N")
    api = api_as(tenant_a.member)
    response = api.get(url("api-seat-detail", tenant_a, pk=seat.pk))
    assert response.status_code == 200
    assert response.json()["person_name"] == seat.person.name
    assert response.json()["capacity_label"] == "Service user"
    assert "email" not in response.json()
    assert api.get(url("api-seat-detail", tenant_a, kind="overview", pk=seat.pk)).status_code == 404
    assert api.get(url("api-seat-detail", tenant_a, pk=999_999)).status_code == 404


@pytest.mark.rule("TEAM-1")
@pytest.mark.rule("TEAM-3")
def test_timeline_lists_seats_per_phase_and_group(
    tenant_a: Tenant, board: Body, overview: Body, api_as
) -> None:
    with scopes_disabled():
        design = PhaseFactory(
            project=tenant_a.project,
            name="Design",
            order=1,
            starts_on=START,
            ends_on=datetime.date(2026, 4, 30),
        )
        pilot = PhaseFactory(
            project=tenant_a.project,
            name="Pilot",
            order=2,
            starts_on=datetime.date(2026, 5, 1),
            ends_on=datetime.date(2026, 9, 30),
        )
        carers = StakeholderGroupFactory(project=tenant_a.project, name="Carers")
    early = seat_directly(board, "service_user", term_end=datetime.date(2026, 5, 1))
    throughout = seat_directly(overview, "service_user")
    response = api_as(tenant_a.member).get(url("api-term-timeline", tenant_a, kind=None))
    assert response.status_code == 200
    data = response.json()
    assert [p["id"] for p in data["phases"]] == [design.pk, pilot.pk]
    rows = {row["name"]: row for row in data["rows"]}
    assert rows["Carers"]["stakeholder_group"] == carers.pk
    assert [cell["seats"] for cell in rows["Carers"]["cells"]] == [[], []]
    cells = rows["Service users"]["cells"]
    assert [cell["phase"] for cell in cells] == [design.pk, pilot.pk]
    assert sorted(cells[0]["seats"]) == sorted([early.pk, throughout.pk])
    assert cells[1]["seats"] == [throughout.pk]


# --- Who may write ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "auditor"])
def test_members_and_auditors_change_nothing(tenant_a: Tenant, board: Body, api_as, role: str) -> None:
    seats = fill(board, "NNNPPPPPPP")
    meeting = meeting_of(board, datetime.datetime(2026, 2, 20, 18, 0, tzinfo=datetime.UTC))
    api = api_as(getattr(tenant_a, role))
    with scopes_disabled():
        events_before = AuditEvent.objects.filter(action__startswith="boards.").count()
    attempts = [
        api.patch(url("api-body-detail", tenant_a), {"meeting_cadence_days": 7}, format="json"),
        api.post(url("api-body-activate", tenant_a)),
        api.post(url("api-seat-list", tenant_a), new_seat(tenant_a, "carer"), format="json"),
        api.patch(url("api-seat-detail", tenant_a, pk=seats[3].pk), {"capacity": "staff"}, format="json"),
        api.post(url("api-seat-end", tenant_a, pk=seats[3].pk), {"reason": "removed"}, format="json"),
        api.post(url("api-seat-end", tenant_a, pk=seats[3].pk), {"reason": "resigned"}, format="json"),
        api.post(
            url("api-meeting-list", tenant_a),
            {"scheduled_at": "2026-04-01T18:00:00Z", "place": "Hall"},
            format="json",
        ),
        api.post(
            url("api-meeting-held", tenant_a, pk=meeting.pk), {"attended": [seats[0].pk]}, format="json"
        ),
        api.post(url("api-meeting-cancel", tenant_a, pk=meeting.pk), {"reason": "No."}, format="json"),
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts)
    assert all("detail" in r.json() for r in attempts)
    board = reload(board)
    assert (board.status, board.meeting_cadence_days) == (Body.Status.FORMING, 42)
    assert seat_count(board) == 10
    assert reload(seats[3]).capacity == "professional"
    assert reload(seats[3]).is_open
    assert reload(meeting).status == Meeting.Status.SCHEDULED
    with scopes_disabled():
        assert AuditEvent.objects.filter(action__startswith="boards.").count() == events_before
        assert Meeting.objects.count() == 1
    # Reading is fine.
    assert api.get(url("api-seat-list", tenant_a)).status_code == 200
    assert api.get(url("api-meeting-detail", tenant_a, pk=meeting.pk)).status_code == 200


def test_anonymous_callers_get_401(tenant_a: Tenant, board: Body) -> None:
    from rest_framework.test import APIClient

    [seat] = fill(board, "N")
    client = APIClient()
    assert client.get(url("api-body-list", tenant_a, kind=None)).status_code == 401
    assert client.get(url("api-body-detail", tenant_a)).status_code == 401
    assert client.get(url("api-term-timeline", tenant_a, kind=None)).status_code == 401
    assert client.post(url("api-body-activate", tenant_a)).status_code == 401
    assert client.post(url("api-seat-end", tenant_a, pk=seat.pk), {"reason": "resigned"}).status_code == 401
    assert reload(seat).is_open


@pytest.mark.rule("TENANT-1")
def test_another_organisation_sees_and_changes_nothing(
    tenant_a: Tenant, tenant_b: Tenant, board: Body, api_as
) -> None:
    [seat] = fill(board, "N")
    meeting = meeting_of(board, datetime.datetime(2026, 2, 20, 18, 0, tzinfo=datetime.UTC))
    outsider = api_as(tenant_b.admin)
    for path in (
        url("api-body-list", tenant_a, kind=None),
        url("api-body-detail", tenant_a),
        url("api-seat-list", tenant_a),
        url("api-seat-detail", tenant_a, pk=seat.pk),
        url("api-meeting-detail", tenant_a, pk=meeting.pk),
        url("api-term-timeline", tenant_a, kind=None),
    ):
        assert outsider.get(path).status_code == 404, path
    assert outsider.post(url("api-body-activate", tenant_a)).status_code == 404
    assert (
        outsider.post(
            url("api-seat-end", tenant_a, pk=seat.pk), {"reason": "died"}, format="json"
        ).status_code
        == 404
    )
    # Organisation A's ids under organisation B's own URLs (same project slug) are not found either.
    api_b = api_as(tenant_b.facilitator)
    assert api_b.get(url("api-seat-detail", tenant_b, pk=seat.pk)).status_code == 404
    assert (
        api_b.patch(
            url("api-seat-detail", tenant_b, pk=seat.pk), {"capacity": "staff"}, format="json"
        ).status_code
        == 404
    )
    assert (
        api_b.post(
            url("api-meeting-cancel", tenant_b, pk=meeting.pk), {"reason": "x"}, format="json"
        ).status_code
        == 404
    )
    assert reload(seat).is_open
    assert reload(seat).capacity == "service_user"
    assert reload(meeting).status == Meeting.Status.SCHEDULED


@pytest.mark.rule("TENANT-1")
@pytest.mark.parametrize("field", ["person", "stakeholder_group", "phase"])
def test_ids_of_another_organisation_or_project_are_400_like_missing_ones(
    tenant_a: Tenant, tenant_b: Tenant, board: Body, api_as, field: str
) -> None:
    with scopes_disabled():
        other_project = ProjectFactory(organisation=tenant_a.organisation, slug="other-project")
        foreign = {
            "person": [PersonFactory(organisation=tenant_b.organisation).pk],
            "stakeholder_group": [
                StakeholderGroup.objects.filter(project=tenant_b.project).first().pk,
                StakeholderGroupFactory(project=other_project).pk,
            ],
            "phase": [PhaseFactory(project=tenant_b.project).pk, PhaseFactory(project=other_project).pk],
        }[field]
    api = api_as(tenant_a.facilitator)
    path = url("api-seat-list", tenant_a)
    missing = api.post(path, new_seat(tenant_a, "carer", **{field: 999_999}), format="json")
    assert missing.status_code == 400
    for foreign_id in foreign:
        response = api.post(path, new_seat(tenant_a, "carer", **{field: foreign_id}), format="json")
        assert response.status_code == 400
        # The same words as for an id that exists nowhere: nothing is revealed.
        assert response.json() == missing.json()
    assert seat_count() == 0

    if field != "person":
        [seat] = fill(board, "N")
        for foreign_id in foreign:
            response = api.patch(
                url("api-seat-detail", tenant_a, pk=seat.pk), {field: foreign_id}, format="json"
            )
            assert response.status_code == 400
            assert field in response.json()
        assert getattr(reload(seat), f"{field}_id") != foreign[0]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"capacity": "wizard"}, "capacity"),
        ({"capacity": ""}, "capacity"),
        ({"person": "someone"}, "person"),
        ({"person": True}, "person"),
        ({"person": 10**30}, "person"),
        ({"person": None}, "person"),
        ({"stakeholder_group": [1]}, "stakeholder_group"),
        ({"term_start": "soon"}, "term_start"),
        ({"term_start": None}, "term_start"),
        ({"term_start": "2026-03-02", "term_end": "2026-03-01"}, "term_end"),
        ({"term_start": "2026-03-02", "term_end": "2026-03-02"}, "term_end"),
        ({"term_end": "x" * 100_000}, "term_end"),
    ],
)
def test_bad_seat_input_is_400(tenant_a: Tenant, board: Body, api_as, data: dict, field: str) -> None:
    response = api_as(tenant_a.facilitator).post(
        url("api-seat-list", tenant_a), {**new_seat(tenant_a, "carer"), **data}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert seat_count() == 0


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("api-seat-list", ["not", "an", "object"]),
        ("api-seat-end", ["resigned"]),
        ("api-seat-end", {"reason": "bored"}),
        ("api-seat-end", {"reason": "resigned", "note": "x" * 2001}),
        ("api-seat-end", {"reason": "resigned", "on": "someday"}),
        ("api-seat-detail", ["capacity"]),
        ("api-seat-detail", {"term_end": "2026-01-01"}),  # before the seat's own start
        ("api-seat-detail", {"capacity": 7}),
        ("api-body-detail", [1, 2]),
        ("api-meeting-list", "just a string"),
    ],
)
def test_malformed_bodies_are_400_never_500(
    tenant_a: Tenant, board: Body, api_as, name: str, data: Any
) -> None:
    [seat] = fill(board, "N")
    kwargs = {"pk": seat.pk} if name in ("api-seat-end", "api-seat-detail") else {}
    method = "patch" if name in ("api-seat-detail", "api-body-detail") else "post"
    response = getattr(api_as(tenant_a.facilitator), method)(
        url(name, tenant_a, **kwargs), data, format="json"
    )
    assert response.status_code == 400, response.content
    seat = reload(seat)
    assert (seat.is_open, seat.capacity, seat.term_end) == (True, "service_user", None)
    assert seat_count() == 1


def test_a_person_holds_one_open_seat_per_body(tenant_a: Tenant, board: Body, api_as) -> None:
    [seat] = fill(board, "N")
    response = api_as(tenant_a.facilitator).post(
        url("api-seat-list", tenant_a),
        {**new_seat(tenant_a, "carer"), "person": seat.person_id},
        format="json",
    )
    assert response.status_code == 400
    assert "person" in response.json()
    assert seat_count() == 1


# --- Query counts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["api-seat-list", "api-body-detail", "api-body-list"])
def test_reads_cost_the_same_for_5_and_50_seats(tenant_a: Tenant, board: Body, api_as, name: str) -> None:
    with scopes_disabled():
        phase = PhaseFactory(project=tenant_a.project)
    kind = None if name == "api-body-list" else "board"

    def queries() -> int:
        # A fresh user object each time: the role is cached on the instance.
        api = api_as(reload(tenant_a.member))
        with CaptureQueriesContext(connection) as captured:
            assert api.get(url(name, tenant_a, kind=kind)).status_code == 200
        return len(captured)

    for _ in range(5):
        seat_directly(board, "service_user", phase=phase)
    few = queries()
    for index in range(45):
        seat_directly(board, "carer" if index % 2 else "professional", phase=phase)
    assert seat_count(board) == 50
    assert queries() == few
