"""Browser pages of how a body decides and of the decision ledger: the seat
holder comments and votes, nobody votes for another (BOARD-5, GROUP-4), a
show of hands is recorded at a held meeting, closing writes the ledger
(LEDGER-1), a vote that is not quorate says why (LEDGER-2), decided items
can't be edited (BOARD-8, GROUP-7), returns carry what the group needs
(GROUP-6), the exports verify, a budget change becomes a proposal
(BOARD-7), query counts stay flat, and nothing a form sends is a 500."""

from __future__ import annotations

import csv
import datetime
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from guardian.shortcuts import assign_perm

from boards import decisions
from boards import selectors as body_selectors
from boards import services as body_services
from boards.forms.decisions import FORMS
from boards.models import AgendaItem, Body, DecisionEntry, Seat, Vote
from projects.models import AuditEvent, BudgetLine, Role
from stakeholders.models import ANONYMISED_NAME, Person
from tests.boards.conftest import activate_directly, voters
from tests.conftest import Tenant
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


# --- Helpers -----------------------------------------------------------------------------


def item_url(name: str, tenant: Tenant, item: AgendaItem | None = None, kind: str = "board") -> str:
    kwargs = {"org": tenant.organisation.slug, "project": tenant.project.slug, "kind": kind}
    if item is not None:
        kwargs["pk"] = item.pk
    return reverse(f"boards:{name}", kwargs=kwargs)


def ledger_url(name: str, tenant: Tenant, **kwargs) -> str:
    return reverse(
        f"boards:{name}", kwargs={"org": tenant.organisation.slug, "project": tenant.project.slug, **kwargs}
    )


def verify_with_tool(export: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the standalone verifier as an outsider would."""
    tool = ROOT / "tools" / "verify_ledger.py"
    command = [sys.executable, str(tool), str(export), *args]
    return subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - our own interpreter and tool


def user_of(seat: Seat):
    return seat.person.user


def html(response) -> str:
    return response.content.decode()


def propose(tenant: Tenant, body: Body, title: str = "Open on Saturdays", **kwargs) -> AgendaItem:
    with scope(organisation=tenant.organisation):
        return decisions.item_propose(body=body, title=title, actor=tenant.facilitator, **kwargs)


def open_vote(tenant: Tenant, item: AgendaItem) -> None:
    with scope(organisation=tenant.organisation):
        decisions.voting_open(item=item, actor=tenant.facilitator)


@pytest.fixture
def first_voter(client_as, tenant_a: Tenant, active_board) -> tuple[AgendaItem, list[Seat], object]:
    """An item of the active board open for voting, the board's seats, and a
    client signed in as the holder of the first seat."""
    board, seats = active_board
    item = propose(tenant_a, board)
    open_vote(tenant_a, item)
    return item, seats, client_as(user_of(seats[0]))


def cast(tenant: Tenant, item: AgendaItem, seats: list[Seat], choices: str) -> None:
    """choices: one letter per seat: f(or), a(gainst), s (abstain), - (no vote)."""
    with scope(organisation=tenant.organisation):
        for seat, letter in zip(seats, choices, strict=False):
            if letter != "-":
                choice = {"f": "for", "a": "against", "s": "abstain"}[letter]
                decisions.vote_cast(item=item, seat=seat, choice=choice, actor=user_of(seat))


def decide(tenant: Tenant, item: AgendaItem, seats: list[Seat], choices: str) -> DecisionEntry:
    open_vote(tenant, item)
    cast(tenant, item, seats, choices)
    with scope(organisation=tenant.organisation):
        return decisions.voting_close(item=item, actor=tenant.facilitator)


def refusals(rule: str) -> int:
    with scopes_disabled():
        return AuditEvent.objects.filter(action__startswith="refused.", rule=rule).count()


def project_manager(tenant: Tenant):
    """A member of the organisation holding the manage_project grant, set up
    directly (once the board governs, only a board decision appoints one)."""
    with scopes_disabled():
        user = UserFactory(username=f"pm@{tenant.organisation.slug}.example.org")
        MemberFactory(organisation=tenant.organisation, user=user, role=Role.MEMBER)
        assign_perm("projects.manage_project", user, tenant.project)
    return user


@pytest.fixture
def active_overview(tenant_a: Tenant, overview: Body) -> tuple[Body, list[Seat]]:
    seats = voters(overview, "NNNP")
    activate_directly(overview)
    return overview, seats


# --- Reading ---------------------------------------------------------------------------------


def test_members_read_items_and_the_ledger(client_as, tenant_a: Tenant, active_board) -> None:
    board, seats = active_board
    open_item = propose(tenant_a, board, "Easy-read papers")
    decided = propose(tenant_a, board, "Weekend opening")
    decide(tenant_a, decided, seats, "ffffffffff")
    for user in (tenant_a.member, tenant_a.auditor, user_of(seats[0]), tenant_a.admin):
        client = client_as(user)
        page = html(client.get(item_url("item_list", tenant_a)))
        assert "Easy-read papers" in page and "Weekend opening" in page
        assert client.get(item_url("item_detail", tenant_a, open_item)).status_code == 200
        assert "Weekend opening" in html(client.get(ledger_url("ledger", tenant_a)))
    # The Overview Group has its own list; any other kind is a 404.
    client = client_as(tenant_a.member)
    assert "Easy-read papers" not in html(client.get(item_url("item_list", tenant_a, kind="overview")))
    assert client.get(item_url("item_list", tenant_a, kind="council")).status_code == 404


@pytest.mark.rule("TENANT-1")
def test_ids_of_another_body_or_organisation_are_404(
    client_as, tenant_a: Tenant, tenant_b: Tenant, active_board, overview: Body
) -> None:
    _board, _seats = active_board
    group_item = propose(tenant_a, overview, "Quiet room")
    with scopes_disabled():
        board_b = Body.objects.get(project=tenant_b.project, kind="board")
        activate_directly(board_b)
        seats_b = voters(board_b, "NNNP")
    item_b = propose(tenant_b, board_b, "Their item")
    entry_b = decide(tenant_b, item_b, seats_b, "ffff")
    client = client_as(tenant_a.facilitator)
    # An item of the Overview Group named under the board, an item of another organisation.
    assert client.get(item_url("item_detail", tenant_a, group_item, kind="board")).status_code == 404
    assert client.get(item_url("item_detail", tenant_a, item_b)).status_code == 404
    assert client.post(item_url("item_vote", tenant_a, item_b), {"choice": "for"}).status_code == 404
    assert client.get(ledger_url("ledger_entry", tenant_a, pk=entry_b.pk)).status_code == 404
    assert client.get(item_url("item_detail", tenant_a, group_item, kind="overview")).status_code == 200


# --- Discussion and votes (BOARD-5, GROUP-4) -------------------------------------------------


@pytest.mark.rule("BOARD-5")
def test_seat_holder_comments_and_votes_and_can_change_the_vote(
    client_as, tenant_a: Tenant, active_board
) -> None:
    board, seats = active_board
    item = propose(tenant_a, board)
    member = client_as(user_of(seats[0]))
    response = member.post(item_url("item_comment", tenant_a, item), {"text": "Saturdays suit carers best."})
    assert response.status_code == 302
    page = html(member.get(response["Location"]))
    assert "Saturdays suit carers best." in page and "Service user" in page
    # Before voting opens the vote is refused, with the reason on the page.
    response = member.post(item_url("item_vote", tenant_a, item), {"choice": "for"})
    assert response.status_code == 409 and "Voting is not open" in html(response)
    # The facilitator opens the vote through the page.
    facilitator = client_as(tenant_a.facilitator)
    assert facilitator.post(item_url("item_open_voting", tenant_a, item)).status_code == 302
    member = client_as(user_of(seats[0]))
    page = html(member.get(item_url("item_detail", tenant_a, item)))
    assert 'name="choice" value="for"' in page and "You have not voted yet" in page
    assert member.post(item_url("item_vote", tenant_a, item), {"choice": "for"}).status_code == 302
    response = member.post(item_url("item_vote", tenant_a, item), {"choice": "against"}, follow=True)
    page = html(response)
    assert "You voted <strong>Against</strong>" in page and "change your vote until voting closes" in page
    with scopes_disabled():
        assert list(Vote.objects.filter(item=item).values_list("seat", "choice")) == [
            (seats[0].pk, "against")
        ]
    tally = html(member.get(item_url("item_tally", tenant_a, item)))
    assert "1 of 10 members has voted" in tally and 'hx-trigger="every 5s"' in tally
    # Once the vote closes, a polling page reloads itself to show the outcome.
    with scope(organisation=tenant_a.organisation):
        decisions.voting_close(item=item, actor=tenant_a.facilitator)
    response = member.get(item_url("item_tally", tenant_a, item), HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true" and "hx-trigger" not in html(response)


@pytest.mark.rule("TENANT-1")
def test_a_vote_names_an_item_of_this_body_or_gets_a_404(tenant_a: Tenant, first_voter) -> None:
    item, _seats, member = first_voter
    # The item of the board posted to the Overview Group's address, and an id nobody has.
    wrong_body = item_url("item_vote", tenant_a, item, kind="overview")
    assert member.post(wrong_body, {"choice": "for"}).status_code == 404
    missing = item_url("item_vote", tenant_a, item).replace(f"/{item.pk}/", "/987654/")
    assert member.post(missing, {"choice": "for"}).status_code == 404
    # Any other method: 405 for an item that exists, 404 for one that does not.
    assert member.get(item_url("item_vote", tenant_a, item)).status_code == 405
    assert member.get(missing).status_code == 404
    with scopes_disabled():
        assert not Vote.objects.filter(item=item).exists()
    # A form error re-shows the whole item page.
    response = member.post(item_url("item_vote", tenant_a, item), {"choice": "maybe"})
    assert response.status_code == 400 and item.title in html(response)
    assert member.post(item_url("item_vote", tenant_a, item), {"choice": "for"}).status_code == 302


@pytest.mark.rule("TENANT-1")
def test_own_seat_in_finds_the_seat_with_its_body_in_one_query(
    tenant_a: Tenant, tenant_b: Tenant, active_board, overview: Body
) -> None:
    board, seats = active_board
    holder = user_of(seats[0])
    with scope(organisation=tenant_a.organisation), CaptureQueriesContext(connection) as captured:
        seat = body_selectors.own_seat_in(
            user=holder, organisation=tenant_a.organisation, project_slug=tenant_a.project.slug, kind="board"
        )
        assert seat is not None and seat.pk == seats[0].pk
        assert seat.body.pk == board.pk and seat.body.project.pk == tenant_a.project.pk
        assert seat.body.project.organisation == tenant_a.organisation and seat.person.user_id == holder.pk
    assert len(captured) == 1
    with scope(organisation=tenant_a.organisation):
        # No seat on the other body; none for a non-member of the board or an
        # anonymous visitor; none once the seat is closed.
        lookup = {"organisation": tenant_a.organisation, "project_slug": tenant_a.project.slug}
        assert body_selectors.own_seat_in(user=holder, kind="overview", **lookup) is None
        assert body_selectors.own_seat_in(user=tenant_a.member, kind="board", **lookup) is None
        assert body_selectors.own_seat_in(user=AnonymousUser(), kind="board", **lookup) is None
        Seat.objects.filter(pk=seats[0].pk).update(is_open=False)
        assert body_selectors.own_seat_in(user=holder, kind="board", **lookup) is None
    # The other organisation has a project with the same slug: its body is
    # not found through this organisation, seat holder or not.
    with scopes_disabled():
        board_b = Body.objects.get(project=tenant_b.project, kind="board")
        seat_b = voters(board_b, "N")[0]
    with scope(organisation=tenant_a.organisation):
        assert (
            body_selectors.own_seat_in(
                user=user_of(seat_b),
                organisation=tenant_a.organisation,
                project_slug=tenant_b.project.slug,
                kind="board",
            )
            is None
        )


@pytest.mark.rule("BOARD-5")
def test_a_seat_holders_vote_reads_seat_and_body_together(tenant_a: Tenant, first_voter) -> None:
    item, seats, member = first_voter
    with CaptureQueriesContext(connection) as captured:
        assert member.post(item_url("item_vote", tenant_a, item), {"choice": "for"}).status_code == 302
    selects = [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith("SELECT")]
    # One read finds the voter's seat and its body; no other read of either.
    seat_reads = [sql for sql in selects if 'FROM "boards_seat"' in sql]
    assert len(seat_reads) == 1 and 'JOIN "boards_body"' in seat_reads[0]
    # Sorted by term only, not by the model's ordering (project title first).
    assert 'ORDER BY "boards_seat"."term_start" ASC, "boards_seat"."id" ASC' in seat_reads[0]
    assert not [sql for sql in selects if 'FROM "boards_body"' in sql]
    with scopes_disabled():
        assert list(Vote.objects.filter(item=item).values_list("seat", "choice")) == [(seats[0].pk, "for")]


@pytest.mark.rule("BOARD-5")
def test_proxy_votes_are_refused(client_as, tenant_a: Tenant, active_board) -> None:
    board, seats = active_board
    item = propose(tenant_a, board)
    open_vote(tenant_a, item)
    before = refusals("BOARD-5")
    # A member names another member's seat.
    client = client_as(user_of(seats[0]))
    response = client.post(item_url("item_vote", tenant_a, item), {"choice": "for", "seat": seats[1].pk})
    assert response.status_code == 403
    assert "BOARD-5" in html(response) and "no proxies" in html(response)
    # A facilitator outside a held meeting cannot vote for anyone either.
    client = client_as(tenant_a.facilitator)
    response = client.post(item_url("item_vote", tenant_a, item), {"choice": "for", "seat": seats[1].pk})
    assert response.status_code == 403 and "BOARD-5" in html(response)
    # Someone without a seat has no vote.
    response = client_as(tenant_a.member).post(item_url("item_vote", tenant_a, item), {"choice": "for"})
    assert response.status_code == 403 and "BOARD-5" in html(response)
    with scopes_disabled():
        assert not Vote.objects.filter(item=item).exists()
    assert refusals("BOARD-5") == before + 2


@pytest.mark.rule("GROUP-4")
def test_group_members_speak_and_vote_for_themselves_only(
    client_as, tenant_a: Tenant, active_overview
) -> None:
    overview, seats = active_overview
    item = propose(tenant_a, overview, "Easy-read papers")
    for seat in seats:
        client = client_as(user_of(seat))
        assert (
            client.post(item_url("item_comment", tenant_a, item, "overview"), {"text": "My view"}).status_code
            == 302
        )
    open_vote(tenant_a, item)
    client = client_as(user_of(seats[0]))
    response = client.post(
        item_url("item_vote", tenant_a, item, "overview"), {"choice": "for", "seat": seats[3].pk}
    )
    assert response.status_code == 403 and "GROUP-4" in html(response)
    with scopes_disabled():
        assert item.comments.count() == 4 and not Vote.objects.filter(item=item).exists()


@pytest.mark.rule("BOARD-5")
def test_show_of_hands_recorded_at_a_held_meeting(client_as, tenant_a: Tenant, active_board) -> None:
    board, seats = active_board
    with scope(organisation=tenant_a.organisation):
        held = body_services.meeting_schedule(
            body=board,
            scheduled_at=datetime.datetime(2026, 1, 20, 18, 0, tzinfo=datetime.UTC),
            place="Library",
            actor=tenant_a.facilitator,
        )
        body_services.meeting_record_held(
            meeting=held, attended_seat_ids=[s.pk for s in seats], actor=tenant_a.facilitator
        )
        scheduled = body_services.meeting_schedule(
            body=board,
            scheduled_at=datetime.datetime(2027, 1, 20, 18, 0, tzinfo=datetime.UTC),
            place="Town hall",
            actor=tenant_a.facilitator,
        )
    item = propose(tenant_a, board, "Room hire")
    open_vote(tenant_a, item)
    client = client_as(tenant_a.facilitator)
    page = html(client.get(item_url("item_detail", tenant_a, item)))
    assert "Record a show of hands" in page and "20 January 2026, Library" in page
    url = item_url("item_record_hands", tenant_a, item)
    # Only a held meeting of this body.
    response = client.post(url, {"hands-meeting": scheduled.pk, f"hands-seat_{seats[2].pk}": "for"})
    assert response.status_code == 400 and "Choose a held meeting" in html(response)
    # Nothing chosen: nothing to record.
    response = client.post(url, {"hands-meeting": held.pk})
    assert response.status_code == 400 and "Record at least one vote" in html(response)
    response = client.post(
        url,
        {
            "hands-meeting": held.pk,
            f"hands-seat_{seats[2].pk}": "for",
            f"hands-seat_{seats[3].pk}": "against",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "recorded by the facilitator from a show of hands at the meeting on 20 Jan 2026" in html(response)
    with scopes_disabled():
        votes = {v.seat_id: v for v in Vote.objects.filter(item=item)}
    assert votes[seats[2].pk].recorded_by == tenant_a.facilitator
    assert votes[seats[2].pk].recorded_at_meeting == held
    # The member sees it was recorded for them, and corrects it.
    member = client_as(user_of(seats[2]))
    assert "recorded it from your show of hands" in html(member.get(item_url("item_detail", tenant_a, item)))
    member.post(item_url("item_vote", tenant_a, item), {"choice": "abstain"})
    with scopes_disabled():
        vote = Vote.objects.get(item=item, seat=seats[2])
    assert vote.choice == "abstain" and vote.recorded_by is None
    # A member cannot record hands.
    response = client_as(user_of(seats[0])).post(
        url, {"hands-meeting": held.pk, f"hands-seat_{seats[4].pk}": "for"}
    )
    assert response.status_code == 403


# --- Closing into the ledger (LEDGER-1, LEDGER-2) ----------------------------------------------


@pytest.mark.rule("LEDGER-1")
def test_closing_the_vote_gives_an_entry_shown_in_the_ledger(
    client_as, tenant_a: Tenant, active_board
) -> None:
    board, seats = active_board
    item = propose(tenant_a, board, "Weekend opening")
    open_vote(tenant_a, item)
    cast(tenant_a, item, seats, "fffffffaas")
    # A member cannot close the vote.
    response = client_as(user_of(seats[0])).post(item_url("item_close_voting", tenant_a, item))
    assert response.status_code == 403
    client = client_as(tenant_a.facilitator)
    response = client.post(item_url("item_close_voting", tenant_a, item), follow=True)
    page = html(response)
    assert "Voting closed: agreed. The decision is entry 1 of the ledger." in page
    assert "The body decided: <strong>Agreed</strong>" in page and "See ledger entry 1" in page
    with scopes_disabled():
        entry = DecisionEntry.objects.get(item=item)
    # The member reads the outcome in the ledger.
    member = client_as(user_of(seats[0]))
    page = html(member.get(ledger_url("ledger", tenant_a)))
    assert "Weekend opening" in page and "Agreed" in page and "for 7, against 2, abstain 1" in page
    assert "Chain verified." in page and entry.entry_hash in page
    page = html(member.get(ledger_url("ledger_entry", tenant_a, pk=entry.pk)))
    assert entry.entry_hash in page and entry.prev_hash in page
    assert "Service user" in page and "Against" in page


@pytest.mark.rule("LEDGER-2")
def test_a_vote_that_is_not_quorate_says_why(client_as, tenant_a: Tenant, active_board) -> None:
    board, seats = active_board
    item = propose(tenant_a, board, "Cut opening hours")
    open_vote(tenant_a, item)
    cast(tenant_a, item, seats, "----ffffff")
    client = client_as(tenant_a.facilitator)
    page = html(client.get(item_url("item_detail", tenant_a, item)))
    assert "the votes cast must include at least 2 non-professional members; 0 have voted" in page
    assert "would not be quorate" in page
    response = client.post(item_url("item_close_voting", tenant_a, item), follow=True)
    page = html(response)
    assert "not quorate (LEDGER-2)" in page
    assert "Round 1 was not quorate: the votes cast must include at least 2 non-professional members" in page
    assert "Round 2" in page
    with scopes_disabled():
        item.refresh_from_db()
    assert item.status == "open" and item.round == 2
    ledger_page = html(client.get(ledger_url("ledger", tenant_a)))
    assert "Not quorate" in ledger_page and "needed 2 non-professional votes, had 0" in ledger_page
    list_page = html(client.get(item_url("item_list", tenant_a)))
    assert "carried over: 1 earlier vote was not quorate" in list_page


@pytest.mark.rule("BOARD-4")
def test_a_suspended_board_cannot_open_a_vote(client_as, tenant_a: Tenant, active_board) -> None:
    board, _seats = active_board
    item = propose(tenant_a, board)
    with scopes_disabled():
        Body.objects.filter(pk=board.pk).update(status="suspended", status_reason="A carer resigned")
    response = client_as(tenant_a.facilitator).post(item_url("item_open_voting", tenant_a, item))
    assert response.status_code == 409
    assert "BOARD-4" in html(response) and "A carer resigned" in html(response)


# --- No overrides (BOARD-8, GROUP-7) ------------------------------------------------------


@pytest.mark.rule("BOARD-8")
def test_editing_or_deleting_an_agreed_item_is_refused_and_logged(
    client_as, tenant_a: Tenant, active_board
) -> None:
    board, seats = active_board
    item = propose(tenant_a, board, "Weekend opening")
    decide(tenant_a, item, seats, "ffffffffff")
    manager = project_manager(tenant_a)
    client = client_as(manager)
    before = refusals("BOARD-8")
    response = client.get(item_url("item_edit", tenant_a, item))
    assert response.status_code == 403
    assert "BOARD-8" in html(response) and "cannot be edited" in html(response)
    response = client.post(item_url("item_edit", tenant_a, item), {"title": "Weekday opening"})
    assert response.status_code == 403 and "BOARD-8" in html(response)
    response = client.post(item_url("item_delete", tenant_a, item))
    assert response.status_code == 403 and "cannot be deleted" in html(response)
    assert refusals("BOARD-8") == before + 3
    with scopes_disabled():
        assert (
            AuditEvent.objects.filter(action__startswith="refused.", rule="BOARD-8", actor=manager).count()
            == 3
        )
        item.refresh_from_db()
    assert item.title == "Weekend opening"
    # The decided item offers no edit link.
    assert "Edit the item" not in html(
        client_as(tenant_a.facilitator).get(item_url("item_detail", tenant_a, item))
    )


@pytest.mark.rule("GROUP-7")
def test_an_agreed_group_item_cannot_be_edited(client_as, tenant_a: Tenant, active_overview) -> None:
    overview, seats = active_overview
    item = propose(tenant_a, overview, "Quiet room")
    decide(tenant_a, item, seats, "ffff")
    response = client_as(tenant_a.facilitator).get(item_url("item_edit", tenant_a, item, "overview"))
    assert response.status_code == 403 and "GROUP-7" in html(response)


def test_an_open_item_is_edited_until_voting_starts(client_as, tenant_a: Tenant, active_board) -> None:
    board, seats = active_board
    item = propose(tenant_a, board, "Open on Saturdays", deadline=datetime.date(2026, 12, 1))
    client = client_as(tenant_a.facilitator)
    page = html(client.get(item_url("item_edit", tenant_a, item)))
    assert 'value="Open on Saturdays"' in page and 'value="2026-12-01"' in page
    response = client.post(item_url("item_edit", tenant_a, item), {"title": "", "description": "Kept"})
    assert response.status_code == 400 and "Enter a title for the item." in html(response)
    assert "Kept" in html(response)
    response = client.post(
        item_url("item_edit", tenant_a, item), {"title": "Open on Sundays", "description": ""}
    )
    assert response.status_code == 302
    with scopes_disabled():
        item.refresh_from_db()
    assert item.title == "Open on Sundays" and item.deadline is None
    # Another member who did not propose it cannot edit it.
    assert client_as(user_of(seats[0])).get(item_url("item_edit", tenant_a, item)).status_code == 403
    open_vote(tenant_a, item)
    response = client_as(tenant_a.facilitator).get(item_url("item_edit", tenant_a, item))
    assert response.status_code == 409 and "Voting has started" in html(response)


# --- Implementation and returns (GROUP-6, BOARD-8) -------------------------------------------------


@pytest.mark.rule("GROUP-6")
def test_a_group_return_needs_information_resources_and_skills(
    client_as, tenant_a: Tenant, active_overview
) -> None:
    overview, seats = active_overview
    item = propose(tenant_a, overview, "Peer mentors")
    entry = decide(tenant_a, item, seats, "ffff")
    client = client_as(tenant_a.facilitator)
    url = item_url("item_implementation", tenant_a, item, "overview")
    page = html(client.get(item_url("item_detail", tenant_a, item, "overview")))
    assert "Report progress" in page and "Access to skills" in page
    before = refusals("GROUP-6")
    response = client.post(
        url, {"status": "cannot", "note": "No money", "return_reason": "No funding this year"}
    )
    assert response.status_code == 409
    page = html(response)
    assert "GROUP-6" in page and "No funding this year" in page  # what was typed stays
    assert refusals("GROUP-6") == before + 1
    with scopes_disabled():
        assert not AgendaItem.objects.filter(kind="return").exists()
    response = client.post(
        url,
        {
            "status": "cannot",
            "note": "No money",
            "return_reason": "No funding this year",
            "return_information": "Budget report for 2026/27",
            "return_resources": "Two facilitated workshops",
            "return_skills": "The trust's volunteer coordinator",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        returned = AgendaItem.objects.get(kind="return")
        assert DecisionEntry.objects.get(pk=entry.pk).outcome == "agreed"
    page = html(client.get(item_url("item_detail", tenant_a, returned, "overview")))
    for text in (
        "Budget report for 2026/27",
        "Two facilitated workshops",
        "volunteer coordinator",
        "Peer mentors",
    ):
        assert text in page
    assert f"ledger entry {entry.sequence}" in page
    # Members report nothing; the state shows on the ledger.
    member = client_as(user_of(seats[0]))
    assert member.post(url, {"status": "done"}).status_code == 403
    assert "Cannot be carried out" in html(member.get(ledger_url("ledger", tenant_a)))


@pytest.mark.rule("BOARD-8")
def test_progress_on_a_board_decision(client_as, tenant_a: Tenant, active_board) -> None:
    board, seats = active_board
    item = propose(tenant_a, board, "Rent the church hall")
    decide(tenant_a, item, seats, "ffffffffff")
    client = client_as(tenant_a.facilitator)
    url = item_url("item_implementation", tenant_a, item)
    page = html(client.get(item_url("item_detail", tenant_a, item)))
    assert "Access to skills" not in page  # asked of the Overview Group only
    assert client.post(url, {"status": "in_progress", "note": "Asked the parish"}).status_code == 302
    response = client.post(url, {"status": "cannot"})
    assert response.status_code == 400 and "Say why it cannot be carried out." in html(response)
    response = client.post(
        url, {"status": "cannot", "return_reason": "The parish sold the hall."}, follow=True
    )
    assert "returns to the Project Board as a new item" in html(response)
    assert "Returned: Rent the church hall" in html(response)
    response = client.post(url, {"status": "done"})
    assert response.status_code == 409


# --- The ledger: verified, exports (LEDGER-1) --------------------------------------------


@pytest.mark.rule("LEDGER-1")
def test_ledger_page_shows_the_head_and_verified(client_as, tenant_a: Tenant, active_board) -> None:
    board, seats = active_board
    client = client_as(tenant_a.auditor)
    page = html(client.get(ledger_url("ledger", tenant_a)))
    assert "No decisions have been recorded yet." in page and "Chain verified." in page
    entries = [decide(tenant_a, propose(tenant_a, board, f"Item {n}"), seats, "ffffffffff") for n in range(3)]
    page = html(client.get(ledger_url("ledger", tenant_a)))
    assert "Chain verified." in page and "3 entries checked today" in page
    head = entries[-1]
    assert f"<dd>{head.sequence}</dd>" in page and f'<code class="hash">{head.entry_hash}</code>' in page
    # Newest first, and each hash shortened with the full one available.
    assert page.index("Item 2") < page.index("Item 0")
    assert f'title="{entries[0].entry_hash}"' in page


@pytest.mark.rule("LEDGER-1")
def test_a_broken_chain_is_shown_with_its_first_bad_entry(
    client_as, tenant_a: Tenant, active_board, monkeypatch
) -> None:
    board, seats = active_board
    for n in range(2):
        decide(tenant_a, propose(tenant_a, board, f"Item {n}"), seats, "ffffffffff")
    # The database refuses to change an entry (triggers), so the tampering is
    # simulated where the verifier reads the stored entries.
    from boards import ledger as ledger_module

    original = ledger_module.export_entries

    def tampered(project):
        rows = original(project)
        rows[0] = {**rows[0], "payload": rows[0]["payload"].replace("Item 0", "Item X")}
        return rows

    monkeypatch.setattr(ledger_module, "export_entries", tampered)
    page = html(client_as(tenant_a.member).get(ledger_url("ledger", tenant_a)))
    assert "The chain does not verify." in page and "The first entry that does not match is entry 1." in page


@pytest.mark.rule("LEDGER-1")
def test_json_export_verifies_with_the_standalone_tool(
    client_as, tenant_a: Tenant, active_board, tmp_path
) -> None:
    board, seats = active_board
    for n in range(3):
        decide(tenant_a, propose(tenant_a, board, f"Décision {n}"), seats, "ffffffffff")
    response = client_as(tenant_a.member).get(ledger_url("ledger_export_json", tenant_a))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"].startswith("application/json")
    document = json.loads(response.content)
    assert document["head"]["sequence"] == 3
    export = tmp_path / "ledger.json"
    export.write_bytes(response.content)
    head = f"{document['head']['sequence']}:{document['head']['hash']}"
    result = verify_with_tool(export, "--head", head)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("VERIFIED")
    # The tool does fail on an edited export: the check can fail.
    document["entries"][1]["payload"] = document["entries"][1]["payload"].replace("Décision 1", "Decision 1")
    export.write_text(json.dumps(document))
    result = verify_with_tool(export)
    assert result.returncode == 1 and "first bad entry: 2" in result.stdout


@pytest.mark.rule("LEDGER-1")
def test_csv_export_neutralises_formulas(client_as, tenant_a: Tenant, active_board) -> None:
    board, seats = active_board
    decide(tenant_a, propose(tenant_a, board, "=SUM(1)"), seats, "ffffffffff")
    decide(tenant_a, propose(tenant_a, board, "Plain title"), seats, "aaaaaaaaaa")
    response = client_as(tenant_a.member).get(ledger_url("ledger_export_csv", tenant_a))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["sequence", "recorded_at", "body", "item", "outcome", "tally", "hash", "prev_hash"]
    assert rows[1][3] == "'=SUM(1)" and rows[1][4] == "Agreed" and rows[1][2] == "Project Board"
    assert rows[2][3] == "Plain title" and rows[2][4] == "Not agreed"
    with scopes_disabled():
        entries = list(DecisionEntry.objects.order_by("sequence"))
    assert rows[1][6] == entries[0].entry_hash and rows[2][7] == entries[0].entry_hash
    assert rows[1][7] == "0" * 64
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


@pytest.mark.rule("LEDGER-1")
def test_anonymised_voters_show_as_anonymised_members(client_as, tenant_a: Tenant, active_board) -> None:
    board, seats = active_board
    entry = decide(tenant_a, propose(tenant_a, board, "Weekend opening"), seats, "ffffffffff")
    with scopes_disabled():
        Person.objects.filter(pk=seats[0].person_id).update(
            name=ANONYMISED_NAME, erased_at=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
        )
        other = Person.objects.get(pk=seats[1].person_id)
    page = html(client_as(tenant_a.member).get(ledger_url("ledger_entry", tenant_a, pk=entry.pk)))
    assert "anonymised member (service user): <strong>For</strong>" in page
    assert f"{other.name} (Service user)" in page


# --- Proposing items ------------------------------------------------------------------------


@pytest.mark.rule("BOARD-7")
@pytest.mark.rule("BOARD-10")
def test_structured_items_become_the_proposal_the_service_expects(
    client_as, tenant_a: Tenant, active_board
) -> None:
    _board, seats = active_board
    with scopes_disabled():
        line = BudgetLine.objects.create(
            project=tenant_a.project, partner="Council", purpose="Venue", amount=100
        )
    client = client_as(user_of(seats[0]))
    url = item_url("item_create", tenant_a)
    page = html(client.get(url))
    assert "Budget change" in page and "Close the project" in page and "returned" not in page
    cases = [
        (
            "budget_change",
            {"action": "change", "line": line.pk, "amount": "150.50"},
            {"changes": [{"action": "change", "id": line.pk, "amount": "150.50"}]},
        ),
        (
            "personnel",
            {"action": "appoint", "user": tenant_a.member.pk, "role": "team_project"},
            {
                "action": "appoint",
                "role": "team_project",
                "role_label": "Project team",
                "user": tenant_a.member.pk,
            },
        ),
        (
            "plan_change",
            {"change": "add_milestone", "milestone_title": "Opening day", "due_on": "2026-09-01"},
            {"phases": [], "milestones": [{"action": "add", "title": "Opening day", "due_on": "2026-09-01"}]},
        ),
        (
            "chair_appointment",
            {"seat": seats[1].pk, "merit": "Ran the service users' forum for six years."},
            {
                "seat": seats[1].pk,
                "capacity": "service_user",
                "merit": "Ran the service users' forum for six years.",
            },
        ),
        ("tie_procedure", {"procedure": "dispute"}, {"procedure": "dispute"}),
        ("close_project", {}, {}),
        ("general", {}, {}),
    ]
    for kind, fields, expected in cases:
        assert client.get(url, {"kind": kind}).status_code == 200, kind
        response = client.post(url, {"kind": kind, "title": f"A {kind} item", **fields})
        assert response.status_code == 302, (kind, html(response))
        with scopes_disabled():
            item = AgendaItem.objects.get(title=f"A {kind} item")
        assert item.kind == kind and item.proposal == expected
        assert item.proposed_by == user_of(seats[0])
    # The proposal reads as plain language on the item page.
    with scopes_disabled():
        budget_item = AgendaItem.objects.get(kind="budget_change")
    page = html(client.get(item_url("item_detail", tenant_a, budget_item)))
    assert "Change the budget line “Venue” (Council, now £100.00): the amount to £150.50." in page
    with scopes_disabled():
        assert BudgetLine.objects.get(pk=line.pk).amount == Decimal("100")


def test_the_error_summary_links_a_choice_to_its_first_option(
    client_as, tenant_a: Tenant, active_board
) -> None:
    response = client_as(tenant_a.facilitator).get(item_url("item_create", tenant_a), {"kind": "nonsense"})
    assert response.status_code == 400
    page = html(response)
    summary = page.split('class="error-summary"')[1].split("</div>")[0]
    # A group of radio buttons has no id of its own: the link goes to the first option.
    assert 'href="#id_kind_0"' in summary and 'id="id_kind_0"' in page


def test_errors_keep_what_was_typed(client_as, tenant_a: Tenant, active_board) -> None:
    _board, seats = active_board
    client = client_as(tenant_a.facilitator)
    url = item_url("item_create", tenant_a)
    response = client.post(
        url,
        {
            "kind": "budget_change",
            "title": "",
            "description": "Why we need it",
            "action": "add",
            "partner": "Trust",
        },
    )
    assert response.status_code == 400
    page = html(response)
    assert "Why we need it" in page and 'value="Trust"' in page
    assert "Enter a title for the item." in page and "Enter the amount." in page
    response = client.post(
        url, {"kind": "chair_appointment", "title": "Chair", "seat": seats[0].pk, "merit": "short"}
    )
    assert response.status_code == 400 and "at least 20 characters" in html(response)
    response = client.post(
        url, {"kind": "plan_change", "title": "Plan", "change": "add_phase", "name": "Pilot"}
    )
    assert response.status_code == 400 and "Enter the start date." in html(response)
    with scopes_disabled():
        assert not AgendaItem.objects.exists()


def test_the_overview_group_is_not_offered_board_only_kinds(
    client_as, tenant_a: Tenant, active_overview
) -> None:
    client = client_as(tenant_a.facilitator)
    url = item_url("item_create", tenant_a, kind="overview")
    page = html(client.get(url))
    assert (
        "Appointment of the chair" in page and "Budget change" not in page and "Close the project" not in page
    )
    response = client.post(url, {"kind": "budget_change", "title": "Money", "action": "add"})
    assert response.status_code == 400
    with scopes_disabled():
        assert not AgendaItem.objects.exists()


def test_who_may_propose_and_comment(client_as, tenant_a: Tenant, active_board) -> None:
    board, _seats = active_board
    item = propose(tenant_a, board)
    for user in (tenant_a.member, tenant_a.auditor):
        client = client_as(user)
        assert client.get(item_url("item_create", tenant_a)).status_code == 403
        assert client.post(item_url("item_comment", tenant_a, item), {"text": "Hello"}).status_code == 403
        assert "Add your comment" not in html(client.get(item_url("item_detail", tenant_a, item)))
    with scopes_disabled():
        assert not item.comments.exists()
    # GET on a POST endpoint is 405, after the look-up.
    assert client_as(tenant_a.facilitator).get(item_url("item_vote", tenant_a, item)).status_code == 405


# --- Budget (BOARD-7) ---------------------------------------------------------------------


@pytest.mark.rule("BOARD-7")
def test_a_budget_change_becomes_a_board_proposal(client_as, tenant_a: Tenant, active_board) -> None:
    board, _seats = active_board
    with scopes_disabled():
        BudgetLine.objects.create(project=tenant_a.project, partner="Council", purpose="Venue", amount=1000)
    budget = reverse(
        "projects:budget", kwargs={"org": tenant_a.organisation.slug, "project": tenant_a.project.slug}
    )
    manager = project_manager(tenant_a)
    client = client_as(manager)
    page = html(client.get(budget))
    assert "Propose a budget change" in page
    response = client.post(
        ledger_url("budget_propose", tenant_a),
        {
            "budget-action": "add",
            "budget-partner": "Trust",
            "budget-purpose": "Minibus",
            "budget-amount": "4200",
        },
        follow=True,
    )
    assert response.status_code == 200
    page = html(response)
    assert "Your change was put to the Project Board as a proposal" in page and "(BOARD-7)" in page
    with scopes_disabled():
        item = AgendaItem.objects.get(body=board)
        assert list(BudgetLine.objects.values_list("purpose", flat=True)) == ["Venue"]
    assert item.kind == "budget_change" and item.title == "Budget: add £4,200.00 for Minibus (Trust)"
    assert item.proposal == {
        "changes": [{"action": "add", "partner": "Trust", "purpose": "Minibus", "amount": "4200.00"}]
    }
    # Bad input re-shows the budget page with the error and what was typed.
    response = client.post(
        ledger_url("budget_propose", tenant_a), {"budget-action": "add", "budget-purpose": "Van"}
    )
    assert response.status_code == 400
    assert "Enter the partner." in html(response) and 'value="Van"' in html(response)
    # Members and auditors see the budget read-only.
    for user in (tenant_a.member, tenant_a.auditor):
        page = html(client_as(user).get(budget))
        assert "Propose a budget change" not in page and "<form" not in page.split('id="main"')[1]
    response = client_as(tenant_a.auditor).post(
        ledger_url("budget_propose", tenant_a),
        {"budget-action": "add", "budget-partner": "A", "budget-purpose": "B", "budget-amount": "1"},
    )
    assert response.status_code == 403
    response = client_as(tenant_a.member).post(
        ledger_url("budget_propose", tenant_a),
        {"budget-action": "add", "budget-partner": "A", "budget-purpose": "B", "budget-amount": "1"},
    )
    assert response.status_code == 403
    with scopes_disabled():
        assert AgendaItem.objects.count() == 1 and BudgetLine.objects.count() == 1


@pytest.mark.rule("BOARD-7")
def test_the_budget_stays_read_only_until_the_board_governs(client_as, tenant_a: Tenant) -> None:
    budget = reverse(
        "projects:budget", kwargs={"org": tenant_a.organisation.slug, "project": tenant_a.project.slug}
    )
    page = html(client_as(tenant_a.facilitator).get(budget))
    assert "Propose a budget change" not in page


# --- Query counts --------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_item_list_and_ledger_queries_do_not_grow(client_as, tenant_a: Tenant, active_board) -> None:
    board, seats = active_board

    def add(n: int, start: int) -> None:
        for index in range(start, start + n):
            item = propose(tenant_a, board, f"Item {index}", deadline=datetime.date(2026, 12, 1))
            with scope(organisation=tenant_a.organisation):
                decisions.comment_add(item=item, text="A view", actor=user_of(seats[0]))
            if index % 3 == 0:
                decide(tenant_a, item, seats, "ffffffffff")
            elif index % 3 == 1:
                open_vote(tenant_a, item)
                cast(tenant_a, item, seats, "fa")

    client = client_as(user_of(seats[0]))
    items = item_url("item_list", tenant_a)
    ledger = ledger_url("ledger", tenant_a)
    add(5, 0)
    small = (_queries(client, items), _queries(client, ledger))
    add(25, 5)
    large = (_queries(client, items), _queries(client, ledger))
    assert large == small, f"queries grew from {small} to {large}"
    with scopes_disabled():
        entry = DecisionEntry.objects.order_by("sequence").first()
    detail_small = _queries(client, ledger_url("ledger_entry", tenant_a, pk=entry.pk))
    assert detail_small < 20


def test_item_page_queries_do_not_grow_with_votes_and_comments(
    client_as, tenant_a: Tenant, active_board
) -> None:
    board, seats = active_board
    item = propose(tenant_a, board)
    open_vote(tenant_a, item)
    client = client_as(tenant_a.facilitator)
    url = item_url("item_detail", tenant_a, item)
    cast(tenant_a, item, seats[:2], "ff")
    small = _queries(client, url)
    cast(tenant_a, item, seats, "ffffffffff")
    with scope(organisation=tenant_a.organisation):
        for seat in seats:
            decisions.comment_add(item=item, text="Agree", actor=user_of(seat))
    assert _queries(client, url) == small


# --- Nothing a form sends is a 500 ----------------------------------------------------------------


TEXT_JUNK = [{}, {"text": "x" * 10_001}, {"text": "\x00"}, {"text": "   "}]
VOTE_JUNK = [{}, {"choice": "maybe"}, {"choice": "for", "seat": "abc"}, {"choice": "for", "seat": "999999"}]
HANDS_JUNK = [{}, {"hands-meeting": "x", "hands-seat_1": "for"}, {"hands-meeting": "999999"}]
IMPLEMENTATION_JUNK = [
    {},
    {"status": "exploded"},
    {"status": "cannot", "return_reason": "x" * 10_001},
    {"status": "done", "note": "\x00"},
]
EDIT_JUNK = [{}, {"title": "x" * 201, "deadline": "31/02/2026"}, {"title": "T", "deadline": "2026-02-31"}]
CREATE_JUNK = [
    {},
    {"kind": "return", "title": "T"},
    {"kind": "budget_change", "title": "T", "action": "change", "line": "999999", "amount": "1e400"},
    {"kind": "budget_change", "title": "T", "action": "add", "partner": "P", "purpose": "Q", "amount": "NaN"},
    {"kind": "budget_change", "title": "T", "action": "add", "partner": "P", "purpose": "Q", "amount": "-5"},
    {"kind": "personnel", "title": "T", "action": "appoint", "user": "999999", "role": "king"},
    {"kind": "plan_change", "title": "T", "change": "change_phase", "phase": "x"},
    {
        "kind": "plan_change",
        "title": "T",
        "change": "add_phase",
        "name": "P",
        "starts_on": "2026-05-01",
        "ends_on": "2026-01-01",
    },
    {"kind": "plan_change", "title": "T", "change": "remove_milestone", "milestone": "999999"},
    {"kind": "chair_appointment", "title": "T", "seat": "999999", "merit": "x" * 30},
    {"kind": "tie_procedure", "title": "T", "procedure": "coin"},
    {"kind": "general", "title": "x" * 201, "description": "x" * 20_001},
]
BUDGET_JUNK = [
    {},
    {"budget-action": "remove", "budget-line": "x"},
    {
        "budget-action": "add",
        "budget-partner": "P",
        "budget-purpose": "Q",
        "budget-amount": "12345678901234567890",
    },
    {"budget-action": "change", "budget-line": "999999", "budget-amount": "1"},
]
ITEM_JUNK = {
    "item_edit": EDIT_JUNK,
    "item_delete": [{}],
    "item_comment": TEXT_JUNK,
    "item_vote": VOTE_JUNK,
    "item_open_voting": [{}],
    "item_close_voting": [{}],
    "item_record_hands": HANDS_JUNK,
    "item_implementation": IMPLEMENTATION_JUNK,
}


def test_nothing_a_form_sends_gives_a_500(client_as, tenant_a: Tenant, active_board) -> None:
    board, seats = active_board
    open_item = propose(tenant_a, board, "Open item")
    voting_item = propose(tenant_a, board, "Voting item")
    open_vote(tenant_a, voting_item)
    agreed = propose(tenant_a, board, "Agreed item")
    decide(tenant_a, agreed, seats, "ffffffffff")
    posts = [
        (item_url("item_create", tenant_a), CREATE_JUNK),
        (ledger_url("budget_propose", tenant_a), BUDGET_JUNK),
    ]
    for item in (open_item, voting_item, agreed):
        posts += [(item_url(name, tenant_a, item), junk) for name, junk in ITEM_JUNK.items()]
    # Those the views let through to the forms and services get every input;
    # the others are refused before, and get one of each.
    for user, everything in (
        (tenant_a.facilitator, True),
        (user_of(seats[0]), True),
        (tenant_a.member, False),
        (tenant_a.auditor, False),
    ):
        client = client_as(user)
        for url, junk in posts:
            for data in junk if everything else junk[-1:]:
                response = client.post(url, data)
                assert response.status_code < 500, (url, data, response.status_code)
    client = client_as(tenant_a.member)
    for query in ("?kind=x", "?kind=", "?page=x", "?page=999"):
        assert client.get(item_url("item_create", tenant_a) + query).status_code < 500
        assert client.get(ledger_url("ledger", tenant_a) + query).status_code < 500


# --- Page skeletons ------------------------------------------------------------------------


def test_every_decision_page_has_a_sound_skeleton(
    client_as, tenant_a: Tenant, active_board, active_overview
) -> None:
    """One h1, main landmark, no duplicate ids, labels pointing at fields, no
    inline script (as tests/test_pages.py checks for the other pages)."""
    from tests.test_pages import assert_page_skeleton

    board, seats = active_board
    overview, group_seats = active_overview
    with scope(organisation=tenant_a.organisation):
        meeting = body_services.meeting_schedule(
            body=board,
            scheduled_at=datetime.datetime(2026, 1, 20, 18, 0, tzinfo=datetime.UTC),
            place="Library",
            actor=tenant_a.facilitator,
        )
        body_services.meeting_record_held(meeting=meeting, attended_seat_ids=[], actor=tenant_a.facilitator)
    with scopes_disabled():
        BudgetLine.objects.create(project=tenant_a.project, partner="Council", purpose="Venue", amount=1000)
    open_item = propose(tenant_a, board, "Open item")
    voting = propose(tenant_a, board, "Voting item")
    open_vote(tenant_a, voting)
    cast(tenant_a, voting, seats, "fa")
    agreed = propose(tenant_a, board, "Agreed item")
    entry = decide(tenant_a, agreed, seats, "ffffffffff")
    group_item = propose(tenant_a, overview, "Group item")
    decide(tenant_a, group_item, group_seats, "ffff")
    with scope(organisation=tenant_a.organisation):
        decisions.comment_add(item=open_item, text="A view", actor=user_of(seats[0]))
    urls = [
        item_url("item_list", tenant_a),
        item_url("item_list", tenant_a, kind="overview"),
        item_url("item_create", tenant_a),
        item_url("item_detail", tenant_a, open_item),
        item_url("item_edit", tenant_a, open_item),
        item_url("item_detail", tenant_a, voting),
        item_url("item_detail", tenant_a, agreed),
        item_url("item_detail", tenant_a, group_item, "overview"),
        ledger_url("ledger", tenant_a),
        ledger_url("ledger_entry", tenant_a, pk=entry.pk),
        reverse(
            "projects:budget", kwargs={"org": tenant_a.organisation.slug, "project": tenant_a.project.slug}
        ),
        reverse(
            "projects:project_detail",
            kwargs={"org": tenant_a.organisation.slug, "project": tenant_a.project.slug},
        ),
    ]
    urls += [f"{item_url('item_create', tenant_a)}?kind={kind}" for kind in FORMS]
    for user in (tenant_a.facilitator, user_of(seats[0])):
        client = client_as(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 403), url
            if response.status_code == 200:
                assert_page_skeleton(html(response), url)
    # Pages showing errors too.
    client = client_as(tenant_a.facilitator)
    for url, data in (
        (item_url("item_create", tenant_a), {"kind": "budget_change", "action": "add"}),
        (item_url("item_record_hands", tenant_a, voting), {"hands-meeting": "x"}),
        (item_url("item_implementation", tenant_a, agreed), {"status": "cannot"}),
        (item_url("item_comment", tenant_a, open_item), {"text": ""}),
        (ledger_url("budget_propose", tenant_a), {"budget-action": "add"}),
    ):
        response = client.post(url, data)
        assert response.status_code == 400, url
        assert_page_skeleton(html(response), url)
