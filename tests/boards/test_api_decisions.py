"""REST API for how bodies decide and for the decision ledger.

Each rule that blocks is proven over HTTP: the refusal names the rule, nothing
is written, and (where a service refuses) the attempt is in the audit log; the
allowed path makes the change, and effects happen only when a vote agrees
them. Then the ledger: verification that catches tampering beneath the
database triggers, an export that the standalone verifier accepts, and a CSV
that a spreadsheet cannot execute. Then the doors: anonymous 401, another
organisation 404, roles that may not write 403, bad input 400 (never 500),
and reads whose query count does not grow with the data."""

from __future__ import annotations

import csv
import datetime
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from rest_framework.test import APIClient

from boards.db import install_ledger_guard, remove_ledger_guard
from boards.ledger import ledger_append
from boards.models import AgendaItem, Body, Comment, DecisionEntry, Meeting, Seat, Vote
from projects.models import AuditEvent, BudgetLine
from stakeholders.services import person_erase
from tests.boards.conftest import activate_directly, board_of, voters
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db

VERIFIER = Path(__file__).resolve().parents[2] / "tools" / "verify_ledger.py"
ALL_FOR = "ffffffffff"


@pytest.fixture(autouse=True)
def _frozen_today():
    # Seats of the fixtures start on 5 January 2026.
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


# --- Helpers ---------------------------------------------------------------------------


def url(name: str, tenant: Tenant, kind: str | None = "board", **kwargs: Any) -> str:
    kwargs = {"org": tenant.organisation.slug, "project": tenant.project.slug, **kwargs}
    if kind is not None:
        kwargs["kind"] = kind
    return reverse(name, kwargs=kwargs)


def ledger_url(name: str, tenant: Tenant, **kwargs: Any) -> str:
    return url(name, tenant, kind=None, **kwargs)


class _As:
    """Requests as one user through a shared test client: building a client's
    handler loads every middleware (WhiteNoise scans the static files), which
    would dominate tests that make hundreds of requests as many people."""

    _shared: APIClient | None = None

    def __init__(self, user: Any) -> None:
        self.user = user

    def __getattr__(self, method: str) -> Any:
        if _As._shared is None:
            _As._shared = APIClient()
        shared = _As._shared

        def call(*args: Any, **kwargs: Any) -> Any:
            shared.force_authenticate(self.user)
            return getattr(shared, method)(*args, **kwargs)

        return call


def client(user: Any) -> Any:
    """A client authenticated as `user` (`.get`, `.post`, … as on APIClient)."""
    return _As(user)


def user_of(seat: Seat) -> Any:
    with scopes_disabled():
        return Seat.objects.select_related("person__user").get(pk=seat.pk).person.user


def reload(obj: Any) -> Any:
    with scopes_disabled():
        return type(obj).objects.get(pk=obj.pk)


def refusals(rule: str) -> list[AuditEvent]:
    with scopes_disabled():
        return list(AuditEvent.objects.filter(action__startswith="refused.", rule=rule))


def count(model: type) -> int:
    with scopes_disabled():
        return model.objects.count()


def propose(tenant: Tenant, actor: Any, body: str = "board", **data: Any) -> dict[str, Any]:
    """Put an item to the `body` (board or overview); `data` is the request (with the item's `kind`)."""
    response = client(actor).post(url("api-item-list", tenant, kind=body), data, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def vote_over_http(
    tenant: Tenant, item_id: int, seats: list[Seat], choices: str, body: str = "board"
) -> dict[str, Any]:
    """Open, let each seat vote for itself (f, a, s; - for no vote), close.
    Returns the closing answer: the ledger entry."""
    facilitator = client(tenant.facilitator)
    kind = body
    opened = facilitator.post(url("api-item-open", tenant, kind=kind, pk=item_id))
    assert opened.status_code == 200, opened.json()
    for seat, letter in zip(seats, choices, strict=False):
        if letter == "-":
            continue
        choice = {"f": "for", "a": "against", "s": "abstain"}[letter]
        cast = client(user_of(seat)).post(
            url("api-item-votes", tenant, kind=kind, pk=item_id), {"choice": choice}, format="json"
        )
        assert cast.status_code == 200, cast.json()
    closed = facilitator.post(url("api-item-close", tenant, kind=kind, pk=item_id))
    assert closed.status_code == 200, closed.json()
    return closed.json()


def decided(tenant: Tenant, seats: list[Seat], title: str, body: str = "board", **data: Any) -> dict:
    """An item put by the facilitator to the `body` and agreed by every seat."""
    item = propose(tenant, tenant.facilitator, body=body, title=title, **data)
    entry = vote_over_http(tenant, item["id"], seats, "f" * len(seats), body=body)
    assert entry["outcome"] == "agreed", entry
    return {"item": item, "entry": entry}


@pytest.fixture
def group(tenant_a: Tenant) -> tuple[Body, list[Seat]]:
    """An active Overview Group of four, three of them non-professional."""
    body = board_of(tenant_a, "overview")
    seats = voters(body, "NNNP")
    activate_directly(body)
    return body, seats


# --- Equal votes (BOARD-5, GROUP-4) ------------------------------------------------------------


@pytest.mark.rule("BOARD-5")
def test_one_seat_one_vote_that_the_member_can_change(tenant_a: Tenant, active_board) -> None:
    _board, seats = active_board
    item = propose(tenant_a, user_of(seats[0]), title="Open on Saturdays")
    assert item["proposed_by"] == user_of(seats[0]).pk
    assert client(tenant_a.facilitator).post(url("api-item-open", tenant_a, pk=item["id"])).status_code == 200

    voter = client(user_of(seats[0]))
    votes = url("api-item-votes", tenant_a, pk=item["id"])
    first = voter.post(votes, {"choice": "for"}, format="json")
    assert first.status_code == 200, first.json()
    assert first.json()["seat"] == seats[0].pk
    assert first.json()["recorded_by_facilitator"] is False
    changed = voter.post(votes, {"choice": "against"}, format="json")
    assert changed.status_code == 200
    client(user_of(seats[5])).post(votes, {"choice": "for"}, format="json")

    listed = client(tenant_a.auditor).get(votes).json()
    assert sorted((v["seat"], v["choice"]) for v in listed) == sorted(
        [(seats[0].pk, "against"), (seats[5].pk, "for")]
    )
    assert {v["capacity"] for v in listed} == {"service_user", "professional"}
    with scopes_disabled():
        assert Vote.objects.filter(item_id=item["id"]).count() == 2

    detail = voter.get(url("api-item-detail", tenant_a, pk=item["id"])).json()
    assert detail["status"] == "voting"
    assert detail["tally"]["counts"] == {"for": 1, "against": 1, "abstain": 0}
    assert detail["tally"]["cast"] == 2 and detail["tally"]["seats"] == 10
    assert detail["my_seat"] == seats[0].pk
    assert detail["my_vote"] == {"seat": seats[0].pk, "choice": "against", "recorded_by_facilitator": False}
    # Someone without a seat sees the tally but has no vote of their own.
    other = client(tenant_a.member).get(url("api-item-detail", tenant_a, pk=item["id"])).json()
    assert other["my_seat"] is None and other["my_vote"] is None


@pytest.mark.rule("BOARD-5")
@pytest.mark.rule("GROUP-4")
def test_every_member_speaks_on_every_item(tenant_a: Tenant, group) -> None:
    _body, seats = group
    item = propose(tenant_a, user_of(seats[3]), body="overview", title="Easy-read papers")
    path = url("api-item-comments", tenant_a, kind="overview", pk=item["id"])
    for seat in seats:
        response = client(user_of(seat)).post(path, {"text": f"My view, seat {seat.pk}"}, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["seat"] == seat.pk
    listed = client(tenant_a.member).get(path).json()["results"]
    assert [c["seat"] for c in listed] == [s.pk for s in seats]
    assert "Service user" in listed[0]["speaker"]
    detail = client(tenant_a.member).get(url("api-item-detail", tenant_a, kind="overview", pk=item["id"]))
    assert detail.json()["comment_count"] == 4
    # Someone who holds no seat and does not facilitate does not speak here.
    refused = client(tenant_a.member).post(path, {"text": "Me too"}, format="json")
    assert refused.status_code == 403
    assert count(Comment) == 4


@pytest.mark.rule("BOARD-5")
def test_proxy_votes_are_refused_on_the_board(tenant_a: Tenant, active_board) -> None:
    _board, seats = active_board
    item = propose(tenant_a, tenant_a.facilitator, title="Proxy test")
    client(tenant_a.facilitator).post(url("api-item-open", tenant_a, pk=item["id"]))
    votes = url("api-item-votes", tenant_a, pk=item["id"])

    proxy = client(user_of(seats[0])).post(votes, {"choice": "for", "seat": seats[1].pk}, format="json")
    assert proxy.status_code == 403
    assert proxy.json()["rule"] == "BOARD-5"
    assert "proxies" in proxy.json()["detail"]
    # A facilitator outside a held meeting cannot vote for anyone either.
    facilitated = client(tenant_a.facilitator).post(
        votes, {"choice": "for", "seat": seats[1].pk}, format="json"
    )
    assert facilitated.status_code == 403
    assert facilitated.json()["rule"] == "BOARD-5"
    # Nor can someone who holds no seat vote "for themself".
    seatless = client(tenant_a.facilitator).post(votes, {"choice": "for"}, format="json")
    assert seatless.status_code == 403
    assert seatless.json()["rule"] == "BOARD-5"
    assert count(Vote) == 0
    assert len(refusals("BOARD-5")) == 2  # the two proxies, logged by the service


@pytest.mark.rule("GROUP-4")
def test_proxy_votes_are_refused_in_the_group(tenant_a: Tenant, group) -> None:
    _body, seats = group
    item = propose(tenant_a, tenant_a.facilitator, body="overview", title="Quiet room")
    client(tenant_a.facilitator).post(url("api-item-open", tenant_a, kind="overview", pk=item["id"]))
    response = client(user_of(seats[1])).post(
        url("api-item-votes", tenant_a, kind="overview", pk=item["id"]),
        {"choice": "against", "seat": seats[0].pk},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["rule"] == "GROUP-4"
    assert count(Vote) == 0
    assert len(refusals("GROUP-4")) == 1


@pytest.mark.rule("BOARD-5")
def test_show_of_hands_recorded_at_a_held_meeting_and_corrected(tenant_a: Tenant, active_board) -> None:
    board, seats = active_board
    with scopes_disabled():
        meeting = Meeting.objects.create(
            body=board,
            scheduled_at=datetime.datetime(2026, 2, 20, 18, 0, tzinfo=datetime.UTC),
            place="Library",
            status=Meeting.Status.HELD,
            held_on=datetime.date(2026, 2, 20),
        )
        other_meeting = Meeting.objects.create(
            body=board_of(tenant_a, "overview"),
            scheduled_at=datetime.datetime(2026, 2, 20, 18, 0, tzinfo=datetime.UTC),
            status=Meeting.Status.HELD,
            held_on=datetime.date(2026, 2, 20),
        )
    item = propose(tenant_a, tenant_a.facilitator, title="Room hire")
    client(tenant_a.facilitator).post(url("api-item-open", tenant_a, pk=item["id"]))
    votes = url("api-item-votes", tenant_a, pk=item["id"])
    # A meeting of another body is not one of this body's: 400, as if it did not exist.
    wrong = client(tenant_a.facilitator).post(
        votes, {"choice": "for", "seat": seats[2].pk, "meeting": other_meeting.pk}, format="json"
    )
    assert wrong.status_code == 400
    assert "meeting" in wrong.json()
    recorded = client(tenant_a.facilitator).post(
        votes, {"choice": "for", "seat": seats[2].pk, "meeting": meeting.pk}, format="json"
    )
    assert recorded.status_code == 200, recorded.json()
    assert recorded.json()["recorded_by_facilitator"] is True
    assert recorded.json()["recorded_at_meeting"] == meeting.pk
    corrected = client(user_of(seats[2])).post(votes, {"choice": "abstain"}, format="json")
    assert corrected.json()["choice"] == "abstain"
    assert corrected.json()["recorded_by_facilitator"] is False
    with scopes_disabled():
        assert Vote.objects.get(item_id=item["id"]).choice == "abstain"


# --- Quorum (LEDGER-2) and ties (BOARD-6) ------------------------------------------------------


@pytest.mark.rule("LEDGER-2")
def test_professionals_cannot_decide_alone_over_http(tenant_a: Tenant, active_board) -> None:
    _board, seats = active_board
    item = propose(tenant_a, tenant_a.facilitator, title="Cut opening hours")
    entry = vote_over_http(tenant_a, item["id"], seats, "----ffffff")
    assert entry["outcome"] == "not_quorate"
    assert entry["item_status"] == "open" and entry["item_round"] == 2
    assert entry["quorum"] == {
        "rule": "LEDGER-2",
        "applies": True,
        "votes_cast": 6,
        "non_professional_cast": 0,
        "required_non_professional": 2,
        "share_percent": 30,
    }
    assert entry["sequence"] == 1 and len(entry["hash"]) == 64
    detail = client(tenant_a.member).get(url("api-item-detail", tenant_a, pk=item["id"])).json()
    assert detail["status"] == "open" and detail["round"] == 2
    assert [e["outcome"] for e in detail["entries"]] == ["not_quorate"]
    # Next round, three non-professionals of nine votes cast: quorate.
    entry = vote_over_http(tenant_a, item["id"], seats, "faa-ffffff")
    assert entry["outcome"] == "agreed"
    assert entry["quorum"]["non_professional_cast"] == 3


@pytest.mark.rule("BOARD-6")
def test_a_tie_fails_under_the_default_procedure(tenant_a: Tenant, active_board) -> None:
    _board, seats = active_board
    item = propose(tenant_a, tenant_a.facilitator, title="Tie")
    entry = vote_over_http(tenant_a, item["id"], seats, "ffaaffaass")
    assert entry["outcome"] == "tied"
    assert entry["tally"] == {"for": 4, "against": 4, "abstain": 2}
    assert entry["item_status"] == "rejected"
    shown = client(tenant_a.member).get(ledger_url("api-ledger-entry", tenant_a, pk=entry["id"])).json()
    assert shown["tie_settled_by"] == "fails"


@pytest.mark.rule("BOARD-6")
@pytest.mark.rule("BOARD-3")
def test_chair_casting_vote_only_for_a_non_professional_chair(tenant_a: Tenant, active_board) -> None:
    board, seats = active_board
    decided(tenant_a, seats, "Ties: the chair decides", kind="tie_procedure", proposal={"procedure": "chair"})
    # A professional chair, appointed on merit by the board, gets no casting vote.
    decided(
        tenant_a,
        seats,
        "Appoint a chair",
        kind="chair_appointment",
        proposal={"seat": seats[5].pk, "merit": "Ran the day-service user forum for six years."},
    )
    board = reload(board)
    assert board.chair_seat_id == seats[5].pk and board.tie_procedure == "chair"
    tie = propose(tenant_a, tenant_a.facilitator, title="Tie 1")
    entry = vote_over_http(tenant_a, tie["id"], seats, "ffaaffaass")  # seat 5, the chair, for
    assert entry["outcome"] == "tied"
    # A service-user chair's vote settles the tie.
    decided(
        tenant_a,
        seats,
        "Appoint a new chair",
        kind="chair_appointment",
        proposal={"seat": seats[0].pk, "merit": "Independent voice trusted by service users and staff."},
    )
    tie = propose(tenant_a, tenant_a.facilitator, title="Tie 2")
    entry = vote_over_http(tenant_a, tie["id"], seats, "ffaaffaass")  # seat 0, the chair, for
    assert entry["outcome"] == "agreed"
    shown = client(tenant_a.member).get(ledger_url("api-ledger-entry", tenant_a, pk=entry["id"])).json()
    assert shown["tie_settled_by"] == "chair"


@pytest.mark.rule("BOARD-3")
@pytest.mark.rule("GROUP-2")
@pytest.mark.parametrize(("kind", "rule"), [("board", "BOARD-3"), ("overview", "GROUP-2")])
def test_nobody_installs_a_chair_directly(
    tenant_a: Tenant, active_board, group, kind: str, rule: str
) -> None:
    _board, board_seats = active_board
    body, group_seats = (active_board[0], board_seats) if kind == "board" else group
    for user in (tenant_a.admin, tenant_a.facilitator, tenant_a.member):
        response = client(user).post(url("api-body-chair", tenant_a, kind=kind), {"seat": group_seats[0].pk})
        assert response.status_code == 403
        assert response.json()["rule"] == rule
        assert "vote" in response.json()["detail"]
    assert reload(body).chair_seat_id is None
    assert len(refusals(rule)) == 3
    # The way that works: a chair-appointment item agreed by the body's vote.
    decided(
        tenant_a,
        group_seats,
        "Appoint our chair",
        body=kind,
        kind="chair_appointment",
        proposal={"seat": group_seats[0].pk, "merit": "Chaired the carers' forum with fairness."},
    )
    assert reload(body).chair_seat_id == group_seats[0].pk


# --- Effects only through the ledger (BOARD-7, BOARD-10) -----------------------------------------


@pytest.mark.rule("BOARD-7")
def test_budget_changes_through_an_agreed_item_and_never_directly(tenant_a: Tenant, active_board) -> None:
    _board, seats = active_board
    budget = url("api-budget-line-list", tenant_a, kind=None)
    direct = client(tenant_a.admin).post(
        budget, {"partner": "Council", "purpose": "Minibus", "amount": "4200"}, format="json"
    )
    assert direct.status_code == 403
    assert direct.json()["rule"] == "BOARD-7"
    assert "bodies/board/items/" in direct.json()["detail"]
    assert count(BudgetLine) == 0
    [event] = refusals("BOARD-7")
    assert event.action == "refused.projects.budget_write_refused"

    proposal = {"changes": [{"action": "add", "partner": "Council", "purpose": "Minibus", "amount": "4200"}]}
    item = propose(
        tenant_a, user_of(seats[0]), title="Add transport budget", kind="budget_change", proposal=proposal
    )
    assert item["proposal_lines"] == ["Add a budget line: £4,200.00 to Council for Minibus."]
    assert count(BudgetLine) == 0  # proposing changes nothing
    entry = vote_over_http(tenant_a, item["id"], seats, ALL_FOR)
    assert entry["outcome"] == "agreed"
    assert entry["implementation_state"] == "done"
    rows = client(tenant_a.member).get(budget).json()["results"]
    assert [(r["purpose"], r["amount"]) for r in rows] == [("Minibus", "4200.00")]
    with scopes_disabled():
        line = BudgetLine.objects.get()
        assert AuditEvent.objects.filter(
            action="projects.budget_line.recorded", data__authority=f"board decision #{entry['sequence']}"
        ).exists()
    # And once recorded, the line is not changed or removed directly either.
    detail = url("api-budget-line-detail", tenant_a, kind=None, pk=line.pk)
    assert client(tenant_a.facilitator).patch(detail, {"amount": "1"}, format="json").status_code == 403
    assert client(tenant_a.facilitator).delete(detail).status_code == 403
    assert reload(line).amount == Decimal("4200.00")


@pytest.mark.rule("BOARD-7")
def test_budget_items_go_to_the_board_only(tenant_a: Tenant, group) -> None:
    response = client(tenant_a.facilitator).post(
        url("api-item-list", tenant_a, kind="overview"),
        {
            "title": "Budget",
            "kind": "budget_change",
            "proposal": {"changes": [{"action": "add", "partner": "A", "purpose": "B", "amount": "1"}]},
        },
        format="json",
    )
    assert response.status_code == 400
    assert "kind" in response.json()
    assert count(AgendaItem) == 0


@pytest.mark.rule("BOARD-10")
def test_only_a_board_decision_closes_the_project(tenant_a: Tenant, active_board) -> None:
    _board, seats = active_board
    direct = client(tenant_a.admin).post(
        url("api-project-status", tenant_a, kind=None), {"status": "closed"}, format="json"
    )
    assert direct.status_code == 403
    assert direct.json()["rule"] == "BOARD-10"
    assert reload(tenant_a.project).status != "closed"

    item = propose(tenant_a, tenant_a.facilitator, title="We are done", kind="close_project")
    assert reload(tenant_a.project).status != "closed"
    entry = vote_over_http(tenant_a, item["id"], seats, ALL_FOR)
    assert entry["outcome"] == "agreed"
    project = reload(tenant_a.project)
    assert project.status == "closed"
    with scopes_disabled():
        assert set(Body.objects.filter(project=project).values_list("status", flat=True)) == {"closed"}
    shown = client(tenant_a.member).get(url("api-project-detail", tenant_a, kind=None)).json()
    assert shown["status"] == "closed"


# --- No overrides (BOARD-8, GROUP-7, LEDGER-1) --------------------------------------------------


def _override_attempts(tenant: Tenant, kind: str, item_id: int, entry_id: int, user: Any) -> list:
    api = client(user)
    entry = ledger_url("api-ledger-entry", tenant, pk=entry_id)
    return [
        api.patch(
            url("api-item-detail", tenant, kind=kind, pk=item_id), {"title": "Overruled"}, format="json"
        ),
        api.patch(url("api-item-detail", tenant, kind=kind, pk=item_id), {"title": ""}, format="json"),
        api.delete(url("api-item-detail", tenant, kind=kind, pk=item_id)),
        api.patch(entry, {"outcome": "rejected"}, format="json"),
        api.put(entry, {"outcome": "rejected"}, format="json"),
        api.delete(entry),
        api.post(ledger_url("api-ledger-void", tenant, pk=entry_id)),
    ]


@pytest.mark.rule("BOARD-8")
@pytest.mark.rule("LEDGER-1")
def test_agreed_board_items_and_entries_cannot_be_edited_deleted_or_voided(
    tenant_a: Tenant, active_board
) -> None:
    _board, seats = active_board
    done = decided(tenant_a, seats, "Weekend opening")
    with scopes_disabled():
        before = DecisionEntry.objects.get(pk=done["entry"]["id"])
        events_before = AuditEvent.objects.exclude(action__startswith="refused.").count()
    for user in (tenant_a.admin, tenant_a.facilitator, user_of(seats[0])):
        attempts = _override_attempts(tenant_a, "board", done["item"]["id"], done["entry"]["id"], user)
        assert [r.status_code for r in attempts] == [403] * 7, [r.json() for r in attempts]
        assert {r.json()["rule"] for r in attempts} == {"BOARD-8"}
    events = refusals("BOARD-8")
    assert len(events) == 21
    assert {e.data["evidence"][0]["attempt"] for e in events} == {"edit", "delete", "void"}
    item = reload(AgendaItem(pk=done["item"]["id"]))
    assert (item.title, item.status) == ("Weekend opening", "agreed")
    with scopes_disabled():
        after = DecisionEntry.objects.get(pk=before.pk)
        assert AuditEvent.objects.exclude(action__startswith="refused.").count() == events_before
    assert (after.payload, after.entry_hash, after.outcome) == (before.payload, before.entry_hash, "agreed")
    verified = client(tenant_a.auditor).get(ledger_url("api-ledger-verify", tenant_a)).json()
    assert verified["verified"] is True


@pytest.mark.rule("GROUP-7")
def test_agreed_group_items_cannot_be_overruled(tenant_a: Tenant, group) -> None:
    _body, seats = group
    done = decided(tenant_a, seats, "Quiet room", body="overview")
    attempts = _override_attempts(
        tenant_a, "overview", done["item"]["id"], done["entry"]["id"], tenant_a.admin
    )
    assert [r.status_code for r in attempts] == [403] * 7
    assert {r.json()["rule"] for r in attempts} == {"GROUP-7"}
    assert len(refusals("GROUP-7")) == 7
    assert reload(AgendaItem(pk=done["item"]["id"])).title == "Quiet room"


@pytest.mark.rule("BOARD-8")
def test_open_items_are_edited_by_their_proposer_but_never_deleted(tenant_a: Tenant, active_board) -> None:
    _board, seats = active_board
    item = propose(tenant_a, user_of(seats[0]), title="Paint the lounge", deadline="2026-04-01")
    path = url("api-item-detail", tenant_a, pk=item["id"])
    edited = client(user_of(seats[0])).patch(path, {"title": "Paint the lounge green"}, format="json")
    assert edited.status_code == 200, edited.json()
    assert edited.json()["title"] == "Paint the lounge green"
    assert edited.json()["deadline"] == "2026-04-01"
    # Another member is not its proposer.
    assert client(user_of(seats[1])).patch(path, {"title": "No"}, format="json").status_code == 403
    deleted = client(tenant_a.admin).delete(path)
    assert deleted.status_code == 409
    assert "not deleted" in deleted.json()["detail"]
    assert reload(AgendaItem(pk=item["id"])).title == "Paint the lounge green"
    # Once voting opens the item is no longer edited.
    client(tenant_a.facilitator).post(url("api-item-open", tenant_a, pk=item["id"]))
    assert client(user_of(seats[0])).patch(path, {"title": "Late"}, format="json").status_code == 409


# --- Carrying decisions out (BOARD-8, GROUP-6) ---------------------------------------------------


@pytest.mark.rule("BOARD-8")
def test_cannot_be_carried_out_returns_to_the_board(tenant_a: Tenant, active_board) -> None:
    _board, seats = active_board
    done = decided(tenant_a, seats, "Rent the church hall")
    path = ledger_url("api-ledger-implementation", tenant_a, pk=done["entry"]["id"])
    api = client(tenant_a.facilitator)
    progress = api.post(path, {"status": "in_progress", "note": "Asked the parish"}, format="json")
    assert progress.status_code == 201, progress.json()
    assert progress.json()["returned_item"] is None
    no_reason = api.post(path, {"status": "cannot"}, format="json")
    assert no_reason.status_code == 400
    assert "return_reason" in no_reason.json()
    returned = api.post(
        path,
        {"status": "cannot", "note": "Hall sold", "return_reason": "The parish sold the hall."},
        format="json",
    )
    assert returned.status_code == 201, returned.json()
    back = returned.json()["returned_item"]
    assert back["body"] == "board" and back["return_reason"] == "The parish sold the hall."
    with scopes_disabled():
        item = AgendaItem.objects.get(pk=back["id"])
        assert item.kind == "return" and item.returns_entry_id == done["entry"]["id"]
        assert DecisionEntry.objects.get(pk=done["entry"]["id"]).outcome == "agreed"  # unchanged
    state = api.get(path).json()
    assert state["state"] == "cannot"
    assert [u["status"] for u in state["updates"]] == ["in_progress", "cannot"]
    assert [i["id"] for i in state["returned_items"]] == [back["id"]]
    # The board agrees the way forward as a new decision, chained to the old one.
    way_forward = vote_over_http(tenant_a, back["id"], seats, ALL_FOR)
    assert way_forward["outcome"] == "agreed"
    assert way_forward["item_kind"] == "return"
    # A decision already returned is not reported on again.
    assert api.post(path, {"status": "done"}, format="json").status_code == 409


@pytest.mark.rule("GROUP-6")
def test_group_return_needs_information_resources_and_skills(tenant_a: Tenant, group) -> None:
    _body, seats = group
    done = decided(tenant_a, seats, "Peer mentors", body="overview")
    path = ledger_url("api-ledger-implementation", tenant_a, pk=done["entry"]["id"])
    api = client(tenant_a.facilitator)
    refused = api.post(path, {"status": "cannot", "return_reason": "No funding"}, format="json")
    assert refused.status_code == 409
    body = refused.json()
    assert body["rule"] == "GROUP-6"
    assert {e["field"] for e in body["evidence"]} == {
        "return_information",
        "return_resources",
        "return_skills",
    }
    assert len(refusals("GROUP-6")) == 1
    with scopes_disabled():
        assert not AgendaItem.objects.filter(kind="return").exists()
    accepted = api.post(
        path,
        {
            "status": "cannot",
            "return_reason": "No funding this year",
            "return_information": "Budget report for 2026/27",
            "return_resources": "Two facilitated workshops",
            "return_skills": "Access to the trust's volunteer coordinator",
        },
        format="json",
    )
    assert accepted.status_code == 201, accepted.json()
    with scopes_disabled():
        returned = AgendaItem.objects.get(kind="return")
    assert returned.body.kind == "overview"
    assert returned.return_skills.startswith("Access")
    shown = client(tenant_a.member).get(url("api-item-detail", tenant_a, kind="overview", pk=returned.pk))
    assert shown.json()["return_resources"] == "Two facilitated workshops"


def test_members_do_not_report_implementation(tenant_a: Tenant, active_board) -> None:
    _board, seats = active_board
    done = decided(tenant_a, seats, "Repaint")
    path = ledger_url("api-ledger-implementation", tenant_a, pk=done["entry"]["id"])
    for user in (user_of(seats[0]), tenant_a.auditor, tenant_a.member):
        assert client(user).post(path, {"status": "done"}, format="json").status_code == 403


# --- The ledger: reading, verifying, exporting (LEDGER-1) ----------------------------------------


@pytest.mark.rule("LEDGER-1")
def test_ledger_lists_entries_newest_first_and_names_voters_now(tenant_a: Tenant, active_board) -> None:
    _board, seats = active_board
    first = decided(tenant_a, seats, "Open on Saturdays")
    second = decided(tenant_a, seats, "Hire a peer worker")
    listed = client(tenant_a.auditor).get(ledger_url("api-ledger-list", tenant_a)).json()
    rows = listed["results"]
    assert [r["sequence"] for r in rows] == [2, 1]
    assert rows[0]["title"] == "Hire a peer worker" and rows[0]["item"] == second["item"]["id"]
    assert rows[0]["body"] == "board"
    assert rows[0]["prev_hash"] == rows[1]["hash"]
    assert rows[1]["prev_hash"] == "0" * 64
    assert rows[0]["tally"] == {"for": 10, "against": 0, "abstain": 0}
    assert rows[0]["implementation_state"] is None

    # The person of seat 0 asks to be erased: the entry still verifies and reads "Anonymised member".
    with scopes_disabled():
        person = Seat.objects.get(pk=seats[0].pk).person
    with scope(organisation=tenant_a.organisation):
        person_erase(person=person, actor=tenant_a.admin)
    entry = client(tenant_a.member).get(ledger_url("api-ledger-entry", tenant_a, pk=first["entry"]["id"]))
    assert entry.status_code == 200
    shown = entry.json()
    votes = {v["seat"]: v for v in shown["votes"]}
    assert votes[seats[0].pk]["person_name"] == "Anonymised member"
    assert votes[seats[0].pk]["capacity"] == "service_user"
    assert votes[seats[1].pk]["person_name"] == seats[1].person.name
    assert votes[seats[5].pk]["non_professional"] is False
    assert {v["choice"] for v in shown["votes"]} == {"for"}
    assert json.loads(shown["payload"])["title"] == "Open on Saturdays"
    assert "Anonymised" not in shown["payload"] and seats[0].person.name not in shown["payload"]
    assert client(tenant_a.member).get(ledger_url("api-ledger-verify", tenant_a)).json()["verified"] is True


@pytest.mark.rule("LEDGER-1")
def test_verify_detects_an_entry_tampered_beneath_the_triggers(tenant_a: Tenant, active_board) -> None:
    _board, seats = active_board
    for title in ("Open on Saturdays", "Hire a peer worker", "Paint the lounge"):
        decided(tenant_a, seats, title)
    api = client(tenant_a.auditor)
    path = ledger_url("api-ledger-verify", tenant_a)
    clean = api.get(path).json()
    assert clean["verified"] is True and clean["entries"] == 3 and clean["first_bad_sequence"] is None
    head = clean["head"]
    assert head["sequence"] == 3 and len(head["hash"]) == 64
    assert api.get(path, {"head": f"{head['sequence']}:{head['hash']}"}).json()["verified"] is True
    # A head nobody recorded (the chain was rewritten) does not verify.
    unknown = api.get(path, {"head": f"2:{'a' * 64}"}).json()
    assert unknown["verified"] is False and unknown["first_bad_sequence"] == 2

    # Someone with database access changes a decided title, beneath the triggers.
    remove_ledger_guard(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE boards_decisionentry SET payload = REPLACE(payload, 'Hire a peer worker', "
                "'Fire a peer worker')"
            )
    finally:
        install_ledger_guard(connection)
    tampered = api.get(path).json()
    assert tampered["verified"] is False
    assert tampered["first_bad_sequence"] == 2
    assert "entry 2" in tampered["explanation"]


@pytest.mark.parametrize("head", ["3", "x:abc", f"3:{'g' * 64}", f"3:{'a' * 63}", "-1:" + "a" * 64])
def test_a_malformed_witnessed_head_is_400(tenant_a: Tenant, api_as, head: str) -> None:
    response = api_as(tenant_a.member).get(ledger_url("api-ledger-verify", tenant_a), {"head": head})
    assert response.status_code == 400
    assert "head" in response.json()


@pytest.mark.rule("LEDGER-1")
def test_json_export_verifies_with_the_standalone_verifier(
    tenant_a: Tenant, active_board, tmp_path: Path
) -> None:
    _board, seats = active_board
    decided(tenant_a, seats, "Open on Saturdays")
    decided(tenant_a, seats, "Hire a peer worker")
    response = client(tenant_a.auditor).get(ledger_url("api-ledger-export-json", tenant_a))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    document = response.json()
    assert document["format"] == "coprod-ledger/1"
    assert [e["sequence"] for e in document["entries"]] == [1, 2]
    export = tmp_path / "ledger.json"
    export.write_text(json.dumps(document), encoding="utf-8")
    head = f"{document['head']['sequence']}:{document['head']['hash']}"
    result = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, str(VERIFIER), str(export), "--head", head],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("VERIFIED")
    # The same export with one decision changed does not.
    document["entries"][0]["payload"] = document["entries"][0]["payload"].replace("Saturdays", "Sundays")
    export.write_text(json.dumps(document), encoding="utf-8")
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(VERIFIER), str(export)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert "first bad entry: 1" in result.stdout


@pytest.mark.rule("LEDGER-1")
def test_csv_export_neutralises_formulas(tenant_a: Tenant, active_board) -> None:
    _board, seats = active_board
    titles = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2", "@SUM(A1)", "Plain title"]
    for title in titles:
        decided(tenant_a, seats, title)
    response = client(tenant_a.auditor).get(ledger_url("api-ledger-export-csv", tenant_a))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["sequence"] for row in rows] == ["1", "2", "3", "4", "5"]
    assert [row["title"] for row in rows] == [
        '\'=HYPERLINK("http://evil.example","x")',
        "'+1+1",
        "'-2",
        "'@SUM(A1)",
        "Plain title",
    ]
    assert all(not value.startswith(("=", "+", "-", "@")) for row in rows for value in row.values())
    assert rows[0]["outcome"] == "agreed" and rows[0]["for"] == "10"
    # Asking for CSV by content negotiation works too.
    negotiated = client(tenant_a.auditor).get(
        ledger_url("api-ledger-export-csv", tenant_a), HTTP_ACCEPT="text/csv"
    )
    assert negotiated.status_code == 200


# --- Who may do what ------------------------------------------------------------------------------


def test_anonymous_callers_get_401(tenant_a: Tenant, active_board) -> None:
    _board, seats = active_board
    done = decided(tenant_a, seats, "Open on Saturdays")
    anonymous = APIClient()
    item_id, entry_id = done["item"]["id"], done["entry"]["id"]
    for path in (
        url("api-item-list", tenant_a),
        url("api-item-detail", tenant_a, pk=item_id),
        url("api-item-votes", tenant_a, pk=item_id),
        url("api-item-comments", tenant_a, pk=item_id),
        ledger_url("api-ledger-list", tenant_a),
        ledger_url("api-ledger-entry", tenant_a, pk=entry_id),
        ledger_url("api-ledger-verify", tenant_a),
        ledger_url("api-ledger-export-json", tenant_a),
        ledger_url("api-ledger-export-csv", tenant_a),
        ledger_url("api-ledger-implementation", tenant_a, pk=entry_id),
    ):
        assert anonymous.get(path).status_code == 401, path
    assert anonymous.post(url("api-item-list", tenant_a), {"title": "x"}).status_code == 401
    assert anonymous.delete(ledger_url("api-ledger-entry", tenant_a, pk=entry_id)).status_code == 401
    assert anonymous.post(url("api-body-chair", tenant_a)).status_code == 401
    assert refusals("BOARD-8") == [] and refusals("BOARD-3") == []


@pytest.mark.rule("TENANT-1")
def test_another_organisation_sees_and_changes_nothing(
    tenant_a: Tenant, tenant_b: Tenant, active_board
) -> None:
    _board, seats = active_board
    done = decided(tenant_a, seats, "Open on Saturdays")
    item_id, entry_id = done["item"]["id"], done["entry"]["id"]
    outsider = client(tenant_b.admin)
    for path in (
        url("api-item-list", tenant_a),
        url("api-item-detail", tenant_a, pk=item_id),
        url("api-item-votes", tenant_a, pk=item_id),
        ledger_url("api-ledger-list", tenant_a),
        ledger_url("api-ledger-entry", tenant_a, pk=entry_id),
        ledger_url("api-ledger-verify", tenant_a),
        ledger_url("api-ledger-export-json", tenant_a),
        ledger_url("api-ledger-export-csv", tenant_a),
    ):
        assert outsider.get(path).status_code == 404, path
    assert outsider.delete(ledger_url("api-ledger-entry", tenant_a, pk=entry_id)).status_code == 404
    assert outsider.post(ledger_url("api-ledger-void", tenant_a, pk=entry_id)).status_code == 404
    # Organisation A's ids under organisation B's own URLs (same project slug) are not found either.
    own = client(tenant_b.facilitator)
    assert own.get(url("api-item-detail", tenant_b, pk=item_id)).status_code == 404
    assert own.delete(url("api-item-detail", tenant_b, pk=item_id)).status_code == 404
    assert own.get(ledger_url("api-ledger-entry", tenant_b, pk=entry_id)).status_code == 404
    assert (
        own.patch(ledger_url("api-ledger-entry", tenant_b, pk=entry_id), {}, format="json").status_code == 404
    )
    assert (
        own.post(
            ledger_url("api-ledger-implementation", tenant_b, pk=entry_id), {"status": "done"}, format="json"
        ).status_code
        == 404
    )
    # The other project's ledger is empty and verifies on its own.
    assert own.get(ledger_url("api-ledger-list", tenant_b)).json()["results"] == []
    assert refusals("BOARD-8") == []


def test_an_item_of_one_body_is_not_found_under_the_other(tenant_a: Tenant, active_board) -> None:
    item = propose(tenant_a, tenant_a.facilitator, title="Board only")
    api = client(tenant_a.facilitator)
    assert api.get(url("api-item-detail", tenant_a, kind="overview", pk=item["id"])).status_code == 404
    assert api.post(url("api-item-open", tenant_a, kind="overview", pk=item["id"])).status_code == 404
    assert api.get(url("api-item-detail", tenant_a, kind="committee", pk=item["id"])).status_code == 404


@pytest.mark.parametrize("role", ["member", "auditor"])
def test_members_and_auditors_change_nothing(tenant_a: Tenant, active_board, role: str) -> None:
    _board, seats = active_board
    done = decided(tenant_a, seats, "Open on Saturdays")
    open_item = propose(tenant_a, tenant_a.facilitator, title="Still open")
    api = client(getattr(tenant_a, role))
    with scopes_disabled():
        counts = (AgendaItem.objects.count(), Comment.objects.count(), Vote.objects.count())
    item_id = open_item["id"]
    attempts = [
        api.post(url("api-item-list", tenant_a), {"title": "Mine"}, format="json"),
        api.patch(url("api-item-detail", tenant_a, pk=item_id), {"title": "Changed"}, format="json"),
        api.post(url("api-item-comments", tenant_a, pk=item_id), {"text": "Hello"}, format="json"),
        api.post(url("api-item-open", tenant_a, pk=item_id)),
        api.post(url("api-item-votes", tenant_a, pk=item_id), {"choice": "for"}, format="json"),
        api.post(url("api-item-close", tenant_a, pk=item_id)),
        api.post(
            ledger_url("api-ledger-implementation", tenant_a, pk=done["entry"]["id"]),
            {"status": "done"},
            format="json",
        ),
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts), [r.json() for r in attempts]
    assert all("detail" in r.json() for r in attempts)
    with scopes_disabled():
        assert (AgendaItem.objects.count(), Comment.objects.count(), Vote.objects.count()) == counts
    assert reload(AgendaItem(pk=item_id)).status == "open"
    # Reading is fine.
    assert api.get(url("api-item-detail", tenant_a, pk=item_id)).status_code == 200
    assert api.get(ledger_url("api-ledger-entry", tenant_a, pk=done["entry"]["id"])).status_code == 200


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "A", "description": "x" * 20_001}, "description"),
        ({"title": "A", "kind": "coup"}, "kind"),
        ({"title": "A", "kind": "return"}, "kind"),
        ({"title": "A", "deadline": "soon"}, "deadline"),
        ({"title": "A", "kind": "tie_procedure", "proposal": {"procedure": "coin"}}, "proposal"),
        ({"title": "A", "kind": "tie_procedure", "proposal": ["chair"]}, "proposal"),
        (
            {"title": "A", "kind": "chair_appointment", "proposal": {"seat": "x", "merit": "y" * 30}},
            "proposal",
        ),
        ({"title": "A", "kind": "budget_change", "proposal": {"changes": [{"action": "add"}]}}, "proposal"),
        (
            {
                "title": "A",
                "kind": "budget_change",
                "proposal": {
                    "changes": [{"action": "add", "partner": "P", "purpose": "Q", "amount": "1e400"}]
                },
            },
            "proposal",
        ),
        ({"title": "A", "kind": "personnel", "proposal": {"action": "appoint", "user": 10**30}}, "proposal"),
    ],
)
def test_bad_items_are_400(tenant_a: Tenant, active_board, data: dict, field: str) -> None:
    response = client(tenant_a.facilitator).post(url("api-item-list", tenant_a), data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert count(AgendaItem) == 0


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("api-item-votes", {"choice": "maybe"}),
        ("api-item-votes", {"choice": "for", "seat": "mine"}),
        ("api-item-votes", {"choice": "for", "seat": 10**30}),
        ("api-item-votes", {"choice": "for", "seat": 999_999}),
        ("api-item-votes", {"choice": "for", "meeting": [1]}),
        ("api-item-votes", ["for"]),
        ("api-item-comments", {"text": ""}),
        ("api-item-comments", {"text": "x" * 10_001}),
        ("api-item-comments", "just a string"),
        ("api-item-detail", {"status": "agreed"}),
        ("api-item-detail", {"title": "x" * 201}),
        ("api-item-detail", {}),
        ("api-item-detail", [1, 2]),
        ("api-body-chair", {"seat": "the chair"}),
    ],
)
def test_malformed_input_is_400_never_500(tenant_a: Tenant, active_board, name: str, data: Any) -> None:
    _board, seats = active_board
    item = propose(tenant_a, user_of(seats[0]), title="Open on Saturdays")
    client(tenant_a.facilitator).post(url("api-item-open", tenant_a, pk=item["id"]))
    api = client(user_of(seats[0]))
    kwargs = {} if name == "api-body-chair" else {"pk": item["id"]}
    method = "patch" if name == "api-item-detail" else "post"
    if name == "api-item-detail":
        # Editable again: back to a fresh open item.
        item = propose(tenant_a, user_of(seats[0]), title="Fresh")
        kwargs = {"pk": item["id"]}
    response = getattr(api, method)(url(name, tenant_a, **kwargs), data, format="json")
    assert response.status_code == 400, response.content
    assert count(Vote) == 0 and count(Comment) == 0
    assert reload(AgendaItem(pk=item["id"])).title in ("Open on Saturdays", "Fresh")


@pytest.mark.parametrize(
    "data",
    [
        {"status": "finished"},
        {"status": "done", "note": "x" * 10_001},
        {"status": "cannot", "return_reason": "x" * 10_001},
        ["done"],
    ],
)
def test_bad_implementation_updates_are_400(tenant_a: Tenant, active_board, data: Any) -> None:
    _board, seats = active_board
    done = decided(tenant_a, seats, "Open on Saturdays")
    response = client(tenant_a.facilitator).post(
        ledger_url("api-ledger-implementation", tenant_a, pk=done["entry"]["id"]), data, format="json"
    )
    assert response.status_code == 400
    with scopes_disabled():
        assert not DecisionEntry.objects.get(pk=done["entry"]["id"]).implementation.exists()


def test_status_filter_on_items(tenant_a: Tenant, active_board) -> None:
    _board, seats = active_board
    decided(tenant_a, seats, "Agreed one")
    still = propose(tenant_a, tenant_a.facilitator, title="Open one")
    api = client(tenant_a.member)
    listed = api.get(url("api-item-list", tenant_a), {"status": "open"}).json()["results"]
    assert [i["id"] for i in listed] == [still["id"]]
    agreed = api.get(url("api-item-list", tenant_a), {"status": "agreed"}).json()["results"]
    assert [i["title"] for i in agreed] == ["Agreed one"]
    assert agreed[0]["latest_entry"]["outcome"] == "agreed"
    assert api.get(url("api-item-list", tenant_a), {"status": "done"}).status_code == 400


# --- Query counts ----------------------------------------------------------------------------------


def _entries(tenant: Tenant, board: Body, seats: list[Seat], n: int) -> None:
    """`n` items with a ledger entry each, written directly (the HTTP path is tested above)."""
    with scopes_disabled(), transaction.atomic():
        for index in range(n):
            item = AgendaItem.objects.create(body=board, title=f"Item {index}")
            Vote.objects.create(item=item, seat=seats[index % len(seats)], choice="for")
            Comment.objects.create(item=item, text="Agreed", seat=seats[0])
            ledger_append(
                item=item,
                outcome="agreed",
                content={"tally": {"for": 1, "against": 0, "abstain": 0}, "votes": []},
            )


@pytest.mark.parametrize("name", ["api-item-list", "api-ledger-list"])
def test_list_reads_cost_the_same_for_5_and_30_rows(tenant_a: Tenant, active_board, name: str) -> None:
    board, seats = active_board
    kind = "board" if name == "api-item-list" else None

    def queries() -> int:
        api = client(reload(tenant_a.member))  # a fresh user: the role is cached on the instance
        with CaptureQueriesContext(connection) as captured:
            response = api.get(url(name, tenant_a, kind=kind))
            assert response.status_code == 200
        return len(captured), response.json()["count"]

    _entries(tenant_a, board, seats, 5)
    few, rows = queries()
    assert rows == 5
    _entries(tenant_a, board, seats, 25)
    many, rows = queries()
    assert rows == 30
    assert many == few
