"""Browser pages of the governing bodies: who may see and manage them, the
composition rules as the pages show them (BOARD-2, BOARD-4, GROUP-1,
GROUP-3: refused with the rule ID and the concrete fix, typed values kept),
departures that are never refused but suspend the body, meetings, who sits
when (TEAM-1, TEAM-3), query counts that do not grow with the seats, and
input that never gives a 500."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from boards.models import Attendance, Body, Meeting, Seat
from projects.models import AuditEvent
from stakeholders.models import StakeholderGroup
from tests.boards.conftest import activate_directly, board_of, fill, seat_directly
from tests.conftest import Tenant
from tests.factories import PersonFactory, PhaseFactory, StakeholderGroupFactory
from tests.test_pages import assert_page_skeleton

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 2)
LONG = "x" * 10_000


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def url(name: str, tenant: Tenant, kind: str | None = "board", **kwargs) -> str:
    params = {"org": tenant.organisation.slug, "project": tenant.project.slug, **kwargs}
    if kind is not None:
        params["kind"] = kind
    return reverse(f"boards:{name}", kwargs=params)


def html_of(response) -> str:
    return unescape(response.content.decode())


def text_of(response) -> str:
    """The page's text without tags, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html_of(response)))


def status_of(body: Body) -> str:
    with scopes_disabled():
        body.refresh_from_db()
    return body.status


def meeting_of(body: Body, **fields) -> Meeting:
    with scopes_disabled():
        return Meeting.objects.create(
            body=body,
            scheduled_at=fields.pop(
                "scheduled_at", datetime.datetime(2026, 2, 20, 18, 0, tzinfo=datetime.UTC)
            ),
            place=fields.pop("place", "Library"),
            **fields,
        )


def person(tenant: Tenant, name: str = "Ada Carer"):
    with scopes_disabled():
        return PersonFactory(organisation=tenant.organisation, name=name)


def named_seat(body: Body, capacity: str, name: str, **fields) -> Seat:
    with scopes_disabled():
        return Seat.objects.create(
            body=body,
            person=PersonFactory(organisation=body.project.organisation, name=name),
            capacity=capacity,
            stakeholder_group=fields.pop("group", None)
            or StakeholderGroup.objects.filter(project=body.project).order_by("pk").first(),
            term_start=fields.pop("term_start", datetime.date(2026, 1, 5)),
            **fields,
        )


def group_of(tenant: Tenant) -> StakeholderGroup:
    with scopes_disabled():
        return StakeholderGroup.objects.filter(project=tenant.project).order_by("pk").first()


# --- Who sees what -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "auditor", "facilitator", "admin"])
def test_body_page_renders_for_every_role(client_as, tenant_a, board, role) -> None:
    fill(board, "NNPPP")
    client = client_as(getattr(tenant_a, role))
    for kind in ("board", "overview"):
        response = client.get(url("body_detail", tenant_a, kind))
        assert response.status_code == 200
        assert_page_skeleton(response.content.decode(), kind)
    page = text_of(client.get(url("body_detail", tenant_a)))
    assert "Project Board" in page and "Forming" in page
    assert "2 of 5 active seats (40%) are non-professional" in page


@pytest.mark.parametrize(("role", "manages"), [("member", False), ("auditor", False), ("facilitator", True)])
def test_manage_controls_only_for_managers(client_as, tenant_a, board, role, manages) -> None:
    seat = fill(board, "N")[0]
    meeting = meeting_of(board, scheduled_at=datetime.datetime(2026, 4, 1, 18, 0, tzinfo=datetime.UTC))
    client = client_as(getattr(tenant_a, role))
    html = html_of(client.get(url("body_detail", tenant_a)))
    controls = [
        url("body_activate", tenant_a),
        url("body_edit", tenant_a),
        url("seat_add", tenant_a),
        url("seat_edit", tenant_a, pk=seat.pk),
        url("seat_end", tenant_a, pk=seat.pk),
        url("meeting_create", tenant_a),
    ]
    for control in controls:
        assert (control in html) is manages, (role, control)
    detail = html_of(client.get(url("meeting_detail", tenant_a, pk=meeting.pk)))
    assert (url("meeting_held", tenant_a, pk=meeting.pk) in detail) is manages
    assert (url("meeting_cancel", tenant_a, pk=meeting.pk) in detail) is manages
    listing = html_of(client.get(url("meeting_list", tenant_a)))
    assert ("Schedule the meeting" in listing) is manages


@pytest.mark.parametrize("role", ["member", "auditor"])
def test_others_are_refused_with_403_and_nothing_changes(client_as, tenant_a, board, role) -> None:
    seat = fill(board, "NNNPPPPPPP")[0]
    meeting = meeting_of(board)
    client = client_as(getattr(tenant_a, role))
    gets = ["body_edit", "seat_add", "meeting_create"]
    for name in gets:
        assert client.get(url(name, tenant_a)).status_code == 403, name
    for name in ("seat_edit", "seat_end"):
        assert client.get(url(name, tenant_a, pk=seat.pk)).status_code == 403, name
    for name in ("meeting_held", "meeting_cancel"):
        assert client.get(url(name, tenant_a, pk=meeting.pk)).status_code == 403, name
    posts = [
        (url("body_activate", tenant_a), {}),
        (url("body_edit", tenant_a), {"meeting_cadence_days": "7"}),
        (
            url("seat_add", tenant_a),
            {"person": person(tenant_a).pk, "capacity": "carer", "term_start": "2026-03-02"},
        ),
        (url("seat_edit", tenant_a, pk=seat.pk), {"capacity": "staff", "term_start": "2026-01-05"}),
        (url("seat_end", tenant_a, pk=seat.pk), {"reason": "resigned"}),
        (
            url("meeting_list", tenant_a),
            {"date": "2026-04-01", "time": "18:00", "duration_minutes": "60", "place": "x"},
        ),
        (url("meeting_held", tenant_a, pk=meeting.pk), {"held_on": "2026-02-20"}),
        (url("meeting_cancel", tenant_a, pk=meeting.pk), {"reason": "Snow"}),
    ]
    for path, data in posts:
        assert client.post(path, data).status_code == 403, path
    assert status_of(board) == Body.Status.FORMING
    with scopes_disabled():
        assert Seat.objects.filter(body=board).count() == 10
        assert Seat.objects.get(pk=seat.pk).is_open
        assert Meeting.objects.filter(body=board).count() == 1
        assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.SCHEDULED
        assert Body.objects.get(pk=board.pk).meeting_cadence_days == 42


@pytest.mark.rule("TENANT-1")
def test_unknown_kind_and_ids_of_elsewhere_are_404(client_as, tenant_a, tenant_b, board) -> None:
    other_board = board_of(tenant_b)
    their_seat = seat_directly(other_board, "carer")
    their_meeting = meeting_of(other_board)
    overview_seat = seat_directly(board_of(tenant_a, "overview"), "carer")
    client = client_as(tenant_a.admin)
    paths = [
        url("body_detail", tenant_a, "committee"),
        url("body_detail", tenant_a, "Board"),
        url("timeline", tenant_a, None, project="no-such-project"),
        url("seat_edit", tenant_a, pk=their_seat.pk),
        url("seat_end", tenant_a, pk=their_seat.pk),
        # A seat of the Overview Group is not a seat of the board.
        url("seat_edit", tenant_a, pk=overview_seat.pk),
        url("meeting_detail", tenant_a, pk=their_meeting.pk),
        url("meeting_held", tenant_a, pk=their_meeting.pk),
        url("meeting_cancel", tenant_a, pk=their_meeting.pk),
        url("seat_edit", tenant_a, pk=2**62),
    ]
    for path in paths:
        assert client.get(path).status_code == 404, path
        assert client.post(path, {"reason": "removed"}).status_code == 404, path
    assert client.post(url("body_activate", tenant_a, "committee")).status_code == 404
    with scopes_disabled():
        assert Seat.objects.get(pk=their_seat.pk).is_open
        assert Meeting.objects.get(pk=their_meeting.pk).status == Meeting.Status.SCHEDULED


def test_activate_takes_post_only(client_as, tenant_a, board) -> None:
    fill(board, "NNNPPPPPPP")
    response = client_as(tenant_a.facilitator).get(url("body_activate", tenant_a))
    assert response.status_code == 405
    assert status_of(board) == Body.Status.FORMING


def test_project_page_links_to_the_bodies_and_the_timeline(client_as, tenant_a) -> None:
    html = html_of(client_as(tenant_a.member).get(tenant_a.project.get_absolute_url()))
    assert url("body_detail", tenant_a, "board") in html
    assert url("body_detail", tenant_a, "overview") in html
    assert url("timeline", tenant_a, None) in html


def _page_urls(tenant: Tenant, seat: Seat, meeting: Meeting) -> list[str]:
    return [
        url("body_detail", tenant, "board"),
        url("body_detail", tenant, "overview"),
        url("body_edit", tenant, "board"),
        url("body_edit", tenant, "overview"),
        url("seat_add", tenant),
        url("seat_add", tenant) + "?q=ada",
        url("seat_edit", tenant, pk=seat.pk),
        url("seat_end", tenant, pk=seat.pk),
        url("meeting_list", tenant),
        url("meeting_create", tenant),
        url("meeting_detail", tenant, pk=meeting.pk),
        url("meeting_held", tenant, pk=meeting.pk),
        url("meeting_cancel", tenant, pk=meeting.pk),
        url("timeline", tenant, None),
    ]


def test_every_body_page_has_the_accessible_skeleton(client_as, tenant_a, board) -> None:
    """As tests/test_pages.py: one h1, main#main with a skip link, the page
    language, no inline script or style, ids unique, labels pointing at ids."""
    with scopes_disabled():
        PhaseFactory(project=tenant_a.project, name="Pilot")
    seat = fill(board, "NNNPPPPPPP")[0]
    meeting = meeting_of(board)
    client = client_as(tenant_a.facilitator)
    for path in _page_urls(tenant_a, seat, meeting):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_page_skeleton(response.content.decode(), path)
    refused = client.post(url("body_activate", tenant_a, "overview"))
    assert refused.status_code == 409
    assert_page_skeleton(refused.content.decode(), "activation refused")
    bad = client.post(url("seat_add", tenant_a), {"capacity": "nonsense"})
    assert bad.status_code == 400
    assert_page_skeleton(bad.content.decode(), "seat form errors")


# --- Activation (BOARD-2, BOARD-4, GROUP-1, GROUP-3) ------------------------------------------


@pytest.mark.rule("BOARD-4")
def test_activation_refused_below_the_share_shows_rule_and_fix(client_as, tenant_a, board) -> None:
    fill(board, "NNPPPPPPPP")
    client = client_as(tenant_a.facilitator)
    before = html_of(client.get(url("body_detail", tenant_a)))
    assert "Activate the Project Board" in before
    response = client.post(url("body_activate", tenant_a))
    assert response.status_code == 409
    page = text_of(response)
    summary = html_of(response).split('class="error-summary"')[1].split("</div>")[0]
    assert "BOARD-4" in summary and "Add 2 non-professional seats." in summary
    assert "The Project Board cannot become active yet" in page
    assert "2 of 10 active seats (20%) are non-professional" in page
    assert status_of(board) == Body.Status.FORMING
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="refused.boards.body_activate", rule="BOARD-4").count() == 1


@pytest.mark.rule("BOARD-2")
def test_activation_refused_while_a_group_has_no_board_seat(client_as, tenant_a, board) -> None:
    with scopes_disabled():
        StakeholderGroupFactory(project=tenant_a.project, name="Carers")
    fill(board, "NNNPPPPPPP")  # every seat for the first group
    client = client_as(tenant_a.facilitator)
    page = text_of(client.get(url("body_detail", tenant_a)))
    assert "The group “Carers” has no board seat." in page
    assert "Gap: nobody represents this group." in page
    response = client.post(url("body_activate", tenant_a))
    assert response.status_code == 409
    summary = html_of(response).split('class="error-summary"')[1].split("</div>")[0]
    assert "BOARD-2" in summary
    assert "The group “Carers” has no board seat." in summary
    assert "Seat someone representing “Carers”." in summary
    assert status_of(board) == Body.Status.FORMING


@pytest.mark.rule("GROUP-3")
def test_overview_group_activation_refused_below_sixty_percent(client_as, tenant_a, overview) -> None:
    fill(overview, "NNPPP")
    response = client_as(tenant_a.facilitator).post(url("body_activate", tenant_a, "overview"))
    assert response.status_code == 409
    summary = html_of(response).split('class="error-summary"')[1].split("</div>")[0]
    assert "GROUP-3" in summary and "Add 3 non-professional seats." in summary
    assert status_of(overview) == Body.Status.FORMING


@pytest.mark.rule("BOARD-4")
@pytest.mark.rule("GROUP-3")
def test_activation_allowed_when_compliant(client_as, tenant_a, board, overview) -> None:
    fill(board, "NNNPPPPPPP")
    fill(overview, "NNNPP")
    client = client_as(tenant_a.facilitator)
    for kind, body in (("board", board), ("overview", overview)):
        response = client.post(url("body_activate", tenant_a, kind))
        assert response.status_code == 302
        assert response["Location"] == url("body_detail", tenant_a, kind)
        assert status_of(body) == Body.Status.ACTIVE
    page = text_of(client.get(url("body_detail", tenant_a)))
    assert "The Project Board is now active: it can take decisions." in page
    assert "Active" in page and "Activated: composition meets the policy." in page
    assert "Activate the Project Board" not in page
    assert "Yes: today its members meet all its composition rules." in page


def test_body_page_shows_the_share_chart_with_a_text_alternative(client_as, tenant_a, board) -> None:
    fill(board, "NNPPPPPPPP")
    html = html_of(client_as(tenant_a.member).get(url("body_detail", tenant_a)))
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in svg
    assert 'aria-labelledby="share-chart-title share-chart-desc"' in svg
    assert "<title" in svg and "<desc" in svg
    description = "2 of 10 active seats (20%) are non-professional. The Project Board needs at least 30%, which is 3 of 10 seats. This is below the rule."
    assert description in svg
    # The same figures in text beside the chart, and not by colour alone.
    assert description in html.split("</svg>", 1)[1]
    assert "20% – below the rule" in svg and "30% needed" in svg


@pytest.mark.rule("BOARD-4")
@pytest.mark.rule("TEAM-1")
def test_upcoming_breach_is_shown_with_its_date(client_as, tenant_a, board) -> None:
    seats = fill(board, "NNNPPPPPPP")
    with scopes_disabled():
        Seat.objects.filter(pk=seats[0].pk).update(term_end=datetime.date(2026, 4, 15))
    page = text_of(client_as(tenant_a.member).get(url("body_detail", tenant_a)))
    assert "Coming up: terms that end unreplaced will break the rules" in page
    assert "On 15 April 2026 – BOARD-4" in page


# --- Seats ---------------------------------------------------------------------------------------


def test_seat_add_seats_a_person(client_as, tenant_a, board) -> None:
    ada = person(tenant_a)
    group = group_of(tenant_a)
    with scopes_disabled():
        phase = PhaseFactory(project=tenant_a.project, name="Pilot")
    client = client_as(tenant_a.facilitator)
    response = client.post(
        url("seat_add", tenant_a),
        {
            "person": ada.pk,
            "capacity": "carer",
            "stakeholder_group": group.pk,
            "phase": phase.pk,
            "term_start": "2026-03-02",
            "term_end": "2026-09-01",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        seat = Seat.objects.get(body=board, person=ada)
    assert (seat.capacity, seat.stakeholder_group, seat.phase) == ("carer", group, phase)
    assert (seat.term_start, seat.term_end) == (TODAY, datetime.date(2026, 9, 1))
    page = text_of(client.get(response["Location"]))
    assert "Ada Carer now has a seat on the Project Board as carer." in page
    assert "Carer Non-professional" in page


def test_seat_form_explains_capacity_and_lists_only_this_organisation(client_as, tenant_a, tenant_b) -> None:
    person(tenant_a, "Ada Local")
    person(tenant_b, "Zed Elsewhere")
    html = html_of(client_as(tenant_a.facilitator).get(url("seat_add", tenant_a)))
    assert "Ada Local" in html and "Zed Elsewhere" not in html
    assert "The capacity, not the person, decides whether the seat is professional" in html
    assert (
        "service user, carer, member of the public, community or voluntary representative, independent member"
        in html
    )
    assert '<optgroup label="Non-professional: counts towards the share">' in html


def test_person_search_narrows_the_list(client_as, tenant_a) -> None:
    person(tenant_a, "Ada Lovelace")
    person(tenant_a, "Bob Builder")
    client = client_as(tenant_a.facilitator)
    response = client.get(url("seat_add", tenant_a) + "?q=ada")
    html = html_of(response)
    assert "Ada Lovelace" in html and "Bob Builder" not in html
    assert "1 person matches “ada”." in html
    partial = client.get(url("seat_add", tenant_a) + "?q=bob", HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    body = html_of(partial)
    assert "<html" not in body and 'id="person-field"' in body
    assert "Bob Builder" in body and "Ada Lovelace" not in body
    assert 'hx-swap-oob="innerHTML"' in body
    assert client.get(url("seat_add", tenant_a) + "?q=" + "a" * 500).status_code == 400


@pytest.mark.rule("GROUP-1")
def test_third_project_team_seat_is_refused_keeping_what_was_typed(client_as, tenant_a, overview) -> None:
    fill(overview, "NNNNNNTT")
    activate_directly(overview)
    newcomer = person(tenant_a, "Pat Manager")
    group = group_of(tenant_a)
    response = client_as(tenant_a.facilitator).post(
        url("seat_add", tenant_a, "overview"),
        {
            "person": newcomer.pk,
            "capacity": "project_team",
            "stakeholder_group": group.pk,
            "term_start": "2026-03-09",
            "term_end": "2026-12-01",
        },
    )
    assert response.status_code == 409
    html = html_of(response)
    assert "GROUP-1:" in html and "at most 2 are allowed" in html
    assert f'<option value="{newcomer.pk}" selected>' in html
    assert '<option value="project_team" selected>' in html
    assert f'<option value="{group.pk}" selected>' in html
    assert 'value="2026-03-09"' in html and 'value="2026-12-01"' in html
    with scopes_disabled():
        assert not Seat.objects.filter(person=newcomer).exists()


@pytest.mark.rule("BOARD-4")
def test_professional_seat_on_active_board_is_refused(client_as, tenant_a, board) -> None:
    fill(board, "NNNPPPPPPP")
    activate_directly(board)
    newcomer = person(tenant_a, "Dr Expert")
    response = client_as(tenant_a.facilitator).post(
        url("seat_add", tenant_a),
        {"person": newcomer.pk, "capacity": "professional", "term_start": "2026-03-02"},
    )
    assert response.status_code == 409
    html = html_of(response)
    assert "BOARD-4:" in html and "Add 1 non-professional seat." in html
    assert f'<option value="{newcomer.pk}" selected>' in html
    assert '<option value="professional" selected>' in html
    with scopes_disabled():
        assert not Seat.objects.filter(person=newcomer).exists()
    assert status_of(board) == Body.Status.ACTIVE


@pytest.mark.rule("BOARD-4")
@pytest.mark.rule("TEAM-1")
def test_term_end_that_breaks_next_month_is_refused_naming_the_date(client_as, tenant_a, board) -> None:
    seats = fill(board, "NNNPPPPPPP")
    activate_directly(board)
    seat = seats[0]
    client = client_as(tenant_a.facilitator)
    form = html_of(client.get(url("seat_edit", tenant_a, pk=seat.pk)))
    assert 'value="2026-01-05"' in form and '<option value="service_user" selected>' in form
    response = client.post(
        url("seat_edit", tenant_a, pk=seat.pk),
        {
            "capacity": "service_user",
            "stakeholder_group": seat.stakeholder_group_id,
            "term_start": "2026-01-05",
            "term_end": "2026-04-15",
        },
    )
    assert response.status_code == 409
    html = html_of(response)
    assert "BOARD-4:" in html and "15 April 2026" in html
    assert 'value="2026-04-15"' in html
    with scopes_disabled():
        assert Seat.objects.get(pk=seat.pk).term_end is None


def test_seat_change_is_saved(client_as, tenant_a, board) -> None:
    seat = fill(board, "NNNPPPPPPP")[3]
    response = client_as(tenant_a.facilitator).post(
        url("seat_edit", tenant_a, pk=seat.pk),
        {"capacity": "carer", "term_start": "2026-01-05", "term_end": "2027-01-05"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        seat.refresh_from_db()
    assert (seat.capacity, seat.term_end, seat.stakeholder_group) == (
        "carer",
        datetime.date(2027, 1, 5),
        None,
    )


@pytest.mark.rule("BOARD-4")
def test_resignation_suspends_and_the_page_says_why(client_as, tenant_a, board) -> None:
    seats = fill(board, "NNNPPPPPPP")
    activate_directly(board)
    client = client_as(tenant_a.facilitator)
    form = text_of(client.get(url("seat_end", tenant_a, pk=seats[0].pk)))
    assert "People can always leave." in form
    assert "is refused if it would break the rules" in form
    response = client.post(
        url("seat_end", tenant_a, pk=seats[0].pk), {"reason": "resigned", "note": "Moving away", "on": ""}
    )
    assert response.status_code == 302
    assert status_of(board) == Body.Status.SUSPENDED
    page = text_of(client.get(response["Location"]))
    assert "Suspended" in page
    assert "A seat ended (resigned) and the body fell below its rules." in page
    assert "The Project Board is now suspended" in page
    assert "Moving away" in page  # the past seat with its note
    assert "Activate the Project Board" in page


@pytest.mark.rule("BOARD-4")
def test_facilitator_removal_that_breaks_the_share_is_refused(client_as, tenant_a, board) -> None:
    seats = fill(board, "NNNPPPPPPP")
    activate_directly(board)
    response = client_as(tenant_a.facilitator).post(
        url("seat_end", tenant_a, pk=seats[0].pk), {"reason": "removed", "note": "Typed note"}
    )
    assert response.status_code == 409
    html = html_of(response)
    assert "BOARD-4:" in html and "Typed note" in html
    assert '<input type="radio" name="reason" value="removed"' in html and "checked" in html
    with scopes_disabled():
        assert Seat.objects.get(pk=seats[0].pk).is_open
    assert status_of(board) == Body.Status.ACTIVE


@pytest.mark.rule("GROUP-3")
def test_seat_holder_resigns_their_own_seat(client_as, tenant_a, overview) -> None:
    seats = fill(overview, "NNNPP")
    activate_directly(overview)
    with scopes_disabled():
        seats[0].person.user = tenant_a.member
        seats[0].person.save(update_fields=["user"])
    client = client_as(tenant_a.member)
    body_page = html_of(client.get(url("body_detail", tenant_a, "overview")))
    assert url("seat_end", tenant_a, "overview", pk=seats[0].pk) in body_page
    assert url("seat_end", tenant_a, "overview", pk=seats[1].pk) not in body_page
    form = html_of(client.get(url("seat_end", tenant_a, "overview", pk=seats[0].pk)))
    assert "Leave the Overview Group" in form and "I resign from my seat" in form
    assert 'value="removed"' not in form
    # Only a resignation: a member cannot remove, even themselves.
    refused = client.post(url("seat_end", tenant_a, "overview", pk=seats[0].pk), {"reason": "removed"})
    assert refused.status_code == 400
    # Nor end someone else's seat.
    assert client.get(url("seat_end", tenant_a, "overview", pk=seats[1].pk)).status_code == 403
    response = client.post(url("seat_end", tenant_a, "overview", pk=seats[0].pk), {"reason": "resigned"})
    assert response.status_code == 302
    assert status_of(overview) == Body.Status.SUSPENDED
    assert "You have left the Overview Group." in text_of(client.get(response["Location"]))


def test_ended_seat_cannot_be_changed(client_as, tenant_a, board) -> None:
    seat = seat_directly(
        board, "carer", is_open=False, end_reason="resigned", term_end=datetime.date(2026, 2, 1)
    )
    client = client_as(tenant_a.facilitator)
    assert "This seat has already ended" in text_of(client.get(url("seat_end", tenant_a, pk=seat.pk)))
    assert client.post(url("seat_end", tenant_a, pk=seat.pk), {"reason": "removed"}).status_code == 409
    response = client.post(
        url("seat_edit", tenant_a, pk=seat.pk), {"capacity": "staff", "term_start": "2026-01-05"}
    )
    assert response.status_code == 409
    with scopes_disabled():
        assert Seat.objects.get(pk=seat.pk).capacity == "carer"


# --- Body settings (BOARD-1) ------------------------------------------------------------------


@pytest.mark.rule("BOARD-1")
def test_board_remit_and_settings_are_saved(client_as, tenant_a, board) -> None:
    client = client_as(tenant_a.facilitator)
    response = client.post(
        url("body_edit", tenant_a),
        {
            "remit_equal_status": "on",
            "remit_quality": "on",
            "remit_plan": "on",
            "remit_notes": "Reports to the council.",
            "meeting_cadence_days": "28",
            "votes_must_meet_share": "on",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        board.refresh_from_db()
        assert AuditEvent.objects.filter(action="boards.body.updated", rule="BOARD-1").count() == 1
    assert (board.remit_finance, board.meeting_cadence_days, board.remit_notes) == (
        False,
        28,
        "Reports to the council.",
    )
    page = text_of(client.get(url("body_detail", tenant_a)))
    assert "The remit does not yet cover: equitable control of finance." in page
    assert "28 days" in page


def test_overview_group_settings_have_no_remit(client_as, tenant_a, overview) -> None:
    client = client_as(tenant_a.facilitator)
    html = html_of(client.get(url("body_edit", tenant_a, "overview")))
    assert "remit_finance" not in html and "meeting_cadence_days" in html
    response = client.post(url("body_edit", tenant_a, "overview"), {"meeting_cadence_days": "21"})
    assert response.status_code == 302
    with scopes_disabled():
        overview.refresh_from_db()
    assert (overview.meeting_cadence_days, overview.votes_must_meet_share) == (21, False)


# --- Meetings (BOARD-9, GROUP-8) -----------------------------------------------------------------


def test_schedule_a_meeting(client_as, tenant_a, board) -> None:
    client = client_as(tenant_a.facilitator)
    response = client.post(
        url("meeting_list", tenant_a),
        {
            "date": "2026-06-01",
            "time": "18:30",
            "duration_minutes": "90",
            "place": "Library, room 2",
            "online_link": "https://meet.example.org/board",
            "accessibility": "Step-free access; hearing loop.",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        meeting = Meeting.objects.get(body=board)
    assert response["Location"] == url("meeting_detail", tenant_a, pk=meeting.pk)
    # 18:30 in London in June is 17:30 UTC.
    assert meeting.scheduled_at == datetime.datetime(2026, 6, 1, 17, 30, tzinfo=datetime.UTC)
    assert (meeting.duration_minutes, meeting.place) == (90, "Library, room 2")
    page = text_of(client.get(response["Location"]))
    assert "Monday 1 June 2026, 18:30" in page and "Step-free access; hearing loop." in page
    assert "https://meet.example.org/board" in page
    body_page = text_of(client.get(url("body_detail", tenant_a)))
    assert "Monday 1 June 2026, 18:30" in body_page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"date": "", "time": "18:00"}, "Enter the date of the meeting."),
        ({"date": "2026-02-30", "time": "18:00"}, "Enter a real date."),
        ({"date": "2026-06-01", "time": "25:00"}, "Enter a time like 18:30."),
        ({"date": "1066-10-14", "time": "09:00"}, "between the years 2000 and 2200"),
        ({"date": "2026-06-01", "time": "18:00", "place": ""}, "Say where the meeting is"),
        ({"date": "2026-06-01", "time": "18:00", "duration_minutes": "5"}, "at least 15 minutes"),
        ({"date": "2026-06-01", "time": "18:00", "duration_minutes": "9" * 40}, "at most 720 minutes"),
        ({"date": "2026-06-01", "time": "18:00", "online_link": "not a link"}, "Enter a web address"),
        ({"date": "2026-06-01", "time": "18:00", "place": LONG}, "at most 300 characters"),
        ({"date": "2026-06-01", "time": "18:00", "accessibility": LONG}, "at most 2000 characters"),
    ],
)
def test_schedule_errors_keep_what_was_typed(client_as, tenant_a, board, data, message) -> None:
    fields = {"duration_minutes": "120", "place": "Town hall", **data}
    response = client_as(tenant_a.facilitator).post(url("meeting_create", tenant_a), fields)
    assert response.status_code == 400
    html = html_of(response)
    assert message in html
    if fields["place"] and fields["place"] != LONG:
        assert f'value="{fields["place"]}"' in html
    with scopes_disabled():
        assert not Meeting.objects.filter(body=board).exists()


def test_record_a_meeting_as_held(client_as, tenant_a, board) -> None:
    seats = fill(board, "NNP")
    late = seat_directly(board, "carer", term_start=datetime.date(2026, 3, 1))
    meeting = meeting_of(board)
    client = client_as(tenant_a.facilitator)
    form = html_of(client.get(url("meeting_held", tenant_a, pk=meeting.pk)))
    # Only the seats active on the day are offered.
    assert all(f'value="{seat.pk}"' in form for seat in seats)
    assert f'value="{late.pk}"' not in form
    assert 'value="2026-02-20"' in form
    response = client.post(
        url("meeting_held", tenant_a, pk=meeting.pk),
        {"attended": [seats[0].pk, seats[2].pk], "held_on": "2026-02-20", "minutes": "Agreed the survey."},
    )
    assert response.status_code == 302
    with scopes_disabled():
        meeting.refresh_from_db()
        attended = set(
            Attendance.objects.filter(meeting=meeting, attended=True).values_list("seat_id", flat=True)
        )
    assert meeting.status == Meeting.Status.HELD and meeting.held_on == datetime.date(2026, 2, 20)
    assert attended == {seats[0].pk, seats[2].pk}
    page = text_of(client.get(response["Location"]))
    assert "Attended (2)" in page and "Did not attend (1)" in page and "Agreed the survey." in page
    # Recording it again is a conflict, shown on the page.
    again = client.post(url("meeting_held", tenant_a, pk=meeting.pk), {"held_on": "2026-02-20"})
    assert again.status_code == 409
    assert "already held" in html_of(again)


def test_held_meeting_errors(client_as, tenant_a, tenant_b, board) -> None:
    seat = fill(board, "N")[0]
    their_seat = seat_directly(board_of(tenant_b), "carer")
    meeting = meeting_of(board)
    client = client_as(tenant_a.facilitator)
    path = url("meeting_held", tenant_a, pk=meeting.pk)
    future = client.post(path, {"attended": [seat.pk], "held_on": "2026-03-10"})
    assert future.status_code == 400 and "cannot be recorded as held in the future" in html_of(future)
    foreign = client.post(path, {"attended": [their_seat.pk], "held_on": "2026-02-20"})
    assert foreign.status_code == 400 and "Tick only members of this body." in html_of(foreign)
    for bad in ("2026-13-01", "yesterday", "9" * 30):
        assert client.post(path, {"held_on": bad}).status_code == 400, bad
    huge = client.post(path, {"attended": ["9" * 30], "held_on": "2026-02-20", "minutes": "x" * 60_000})
    assert huge.status_code == 400
    with scopes_disabled():
        meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED


def test_cancel_a_meeting(client_as, tenant_a, board) -> None:
    meeting = meeting_of(board, scheduled_at=datetime.datetime(2026, 4, 1, 17, 0, tzinfo=datetime.UTC))
    client = client_as(tenant_a.facilitator)
    path = url("meeting_cancel", tenant_a, pk=meeting.pk)
    empty = client.post(path, {"reason": "  "})
    assert empty.status_code == 400 and "Say why the meeting is cancelled" in html_of(empty)
    response = client.post(path, {"reason": "Snow closed the roads."})
    assert response.status_code == 302
    with scopes_disabled():
        meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    page = text_of(client.get(response["Location"]))
    assert "Cancelled" in page and "Snow closed the roads." in page
    assert client.post(path, {"reason": "Again"}).status_code == 409


# --- Who sits when (TEAM-1, TEAM-3) ----------------------------------------------------------------


@pytest.mark.rule("TEAM-3")
@pytest.mark.rule("TEAM-1")
def test_timeline_shows_who_sits_when_and_marks_gaps(client_as, tenant_a, board) -> None:
    with scopes_disabled():
        PhaseFactory(
            project=tenant_a.project,
            name="Design",
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 3, 31),
        )
        PhaseFactory(
            project=tenant_a.project,
            name="Pilot",
            starts_on=datetime.date(2026, 4, 1),
            ends_on=datetime.date(2026, 9, 30),
        )
        carers = StakeholderGroupFactory(project=tenant_a.project, name="Carers")
    named_seat(board, "service_user", "Sam Early", term_end=datetime.date(2026, 4, 1))
    named_seat(board, "carer", "Cara Late", group=carers, term_start=datetime.date(2026, 5, 1))
    response = client_as(tenant_a.member).get(url("timeline", tenant_a, None))
    assert response.status_code == 200
    html = html_of(response)
    table = html.split("<table", 1)[1].split("</table>", 1)[0]
    assert "<caption>" in table
    assert table.count('<th scope="col">') == 3
    assert '<th scope="row"' in table
    rows = {
        name: row for name, row in re.findall(r'<th scope="row"[^>]*>([^<]+)</th>(.*?)</tr>', table, re.S)
    }
    carer_cells = re.findall(r"<td.*?</td>", rows["Carers"], re.S)
    users_cells = re.findall(r"<td.*?</td>", rows["Service users"], re.S)
    assert "Gap" in carer_cells[0] and "no seat in this phase" in carer_cells[0]
    assert "Cara Late" in carer_cells[1]
    assert "Sam Early" in users_cells[0] and "Gap" in users_cells[1]
    assert "2 gaps" in text_of(response)


def test_timeline_without_phases_says_so(client_as, tenant_a) -> None:
    page = text_of(client_as(tenant_a.member).get(url("timeline", tenant_a, None)))
    assert "No phases planned yet." in page


# --- Query counts -----------------------------------------------------------------------------------


def _count_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["facilitator", "member"])
def test_body_page_queries_do_not_grow_with_seats(client_as, tenant_a, board, role) -> None:
    client = client_as(getattr(tenant_a, role))
    path = url("body_detail", tenant_a)
    with scopes_disabled():
        groups = [StakeholderGroupFactory(project=tenant_a.project) for _ in range(3)]
        phase = PhaseFactory(project=tenant_a.project)

    def seat(n: int) -> None:
        for index in range(n):
            seat_directly(
                board,
                ["carer", "professional", "project_team"][index % 3],
                group=groups[index % 3],
                phase=phase if index % 2 else None,
                term_end=datetime.date(2026, 6, 1) if index % 4 == 0 else None,
            )
        meeting_of(board)

    seat(5)
    few = _count_queries(client, path)
    seat(45)
    many = _count_queries(client, path)
    assert many == few
    assert text_of(client.get(path)).count("Current members (50)") == 1


def test_timeline_queries_do_not_grow_with_seats(client_as, tenant_a, board) -> None:
    client = client_as(tenant_a.facilitator)
    path = url("timeline", tenant_a, None)
    with scopes_disabled():
        PhaseFactory(project=tenant_a.project)
    fill(board, "NNP")
    few = _count_queries(client, path)
    fill(board, "NNP" * 10)
    assert _count_queries(client, path) == few


# --- Nothing a form sends gives a 500 ------------------------------------------------------------------


def test_nothing_a_form_sends_gives_a_500(client_as, tenant_a, tenant_b, board) -> None:
    seat = fill(board, "NNNPPPPPPP")[0]
    meeting = meeting_of(board)
    with scopes_disabled():
        theirs = PersonFactory(organisation=tenant_b.organisation)
        their_group = StakeholderGroup.objects.filter(project=tenant_b.project).first()
        their_phase = PhaseFactory(project=tenant_b.project)
    ada = person(tenant_a)
    client = client_as(tenant_a.facilitator)
    base_seat = {"person": ada.pk, "capacity": "carer", "term_start": "2026-03-02"}
    cases = [
        (
            url("seat_add", tenant_a),
            {**base_seat, "person": theirs.pk},
            "Choose someone from this organisation",
        ),
        (
            url("seat_add", tenant_a),
            {**base_seat, "stakeholder_group": their_group.pk},
            "Select a valid choice",
        ),
        (url("seat_add", tenant_a), {**base_seat, "phase": their_phase.pk}, "Select a valid choice"),
        (url("seat_add", tenant_a), {**base_seat, "person": "9" * 40}, "Choose someone"),
        (url("seat_add", tenant_a), {**base_seat, "person": "-1"}, "Choose someone"),
        (url("seat_add", tenant_a), {**base_seat, "capacity": "king"}, "Select a valid choice"),
        (url("seat_add", tenant_a), {**base_seat, "term_start": "2026-02-30"}, "Enter a real date."),
        (url("seat_add", tenant_a), {**base_seat, "term_start": "99999-01-01"}, "Enter a real date."),
        (
            url("seat_add", tenant_a),
            {**base_seat, "term_end": "2026-03-01"},
            "The term must end after it starts.",
        ),
        (url("seat_add", tenant_a), {**base_seat, "person": seat.person_id}, "already has a seat"),
        (
            url("seat_edit", tenant_a, pk=seat.pk),
            {"capacity": "carer", "term_start": "x"},
            "Enter a real date.",
        ),
        (url("seat_end", tenant_a, pk=seat.pk), {"reason": "vanished"}, "Select a valid choice"),
        (url("seat_end", tenant_a, pk=seat.pk), {"reason": "died", "note": LONG}, "at most 2000 characters"),
        (url("seat_end", tenant_a, pk=seat.pk), {"reason": "died", "on": "0000-00-00"}, "Enter a real date."),
        (url("body_edit", tenant_a), {"meeting_cadence_days": "9" * 40}, "Enter at most 366 days."),
        (url("body_edit", tenant_a), {"meeting_cadence_days": "0"}, "Enter at least 1 day."),
        (url("body_edit", tenant_a), {"meeting_cadence_days": "often"}, "Enter a whole number of days."),
        (
            url("body_edit", tenant_a),
            {"meeting_cadence_days": "7", "remit_notes": LONG},
            "at most 5000 characters",
        ),
        (url("meeting_cancel", tenant_a, pk=meeting.pk), {"reason": LONG}, "at most 2000 characters"),
    ]
    for path, data, message in cases:
        response = client.post(path, data)
        assert response.status_code == 400, (path, data, response.status_code)
        assert message in html_of(response), (path, data)
    with scopes_disabled():
        assert Seat.objects.filter(body=board).count() == 10
        assert Seat.objects.get(pk=seat.pk).is_open
        assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.SCHEDULED
    assert status_of(board) == Body.Status.FORMING
