"""REST API for disputes (BOARD-6, GROUP-5): a body's procedure, proposing
one, raising a dispute, recording stages, agreeing, withdrawing, and the
close that is always refused.

Each blocking path is proven over HTTP: the refusal names the rule, nothing
changes, and a rule refusal is in the audit log; the allowed paths settle a
dispute by the parties' agreement or by the body's vote. Then the doors:
anonymous 401, another organisation 404, auditors 403, bad input 400 (never
500)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from boards.models import AgendaItem, Body, Seat
from disputes.models import Dispute
from tests.boards.conftest import activate_directly, board_of, voters
from tests.conftest import Tenant
from tests.disputes.test_views import (
    agree_procedure,
    decision,
    independent_person,
    project_manager,
    raise_dispute,
    refusals,
    reload,
    run_vote,
    user_of,
)
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def url(name: str, tenant: Tenant, **kwargs: Any) -> str:
    return reverse(name, kwargs={"org": tenant.organisation.slug, "project": tenant.project.slug, **kwargs})


def dispute_url(name: str, tenant: Tenant, dispute: Dispute) -> str:
    return url(name, tenant, pk=dispute.pk)


@pytest.fixture
def group(tenant_a: Tenant, overview: Body) -> tuple[Body, list[Seat]]:
    """Carer, two service users, a professional; the first service user chairs."""
    seats = voters(overview, "CNNP")
    activate_directly(overview)
    with scopes_disabled():
        overview.chair_seat = seats[1]
        overview.save(update_fields=["chair_seat"])
    return overview, seats


# --- The procedure ------------------------------------------------------------------------


@pytest.mark.rule("GROUP-5")
def test_the_procedure_is_proposed_and_agreed_by_the_body(api_as, tenant_a: Tenant, group) -> None:
    _overview, seats = group
    endpoint = url("api-dispute-procedure", tenant_a, kind="overview")
    response = api_as(tenant_a.member).get(endpoint)
    assert response.status_code == 200
    body = response.json()
    assert body["agreed"] is False and body["current"] is None and body["rule"] == "GROUP-5"
    assert [stage["kind"] for stage in body["default_stages"]] == [
        "facilitated_discussion",
        "mediation",
        "referral",
        "body_vote",
    ]
    assert body["default_stages"][1] == {
        "order": 2,
        "kind": "mediation",
        "kind_label": "Mediation by a named independent person",
        "days": 28,
    }
    # Only members of the body and facilitators propose; auditors change nothing.
    assert api_as(tenant_a.member).post(endpoint, {"template": "default"}, format="json").status_code == 403
    assert api_as(tenant_a.auditor).post(endpoint, {"template": "default"}, format="json").status_code == 403
    bad_inputs = [
        {},
        {"template": "default", "stages": [{"kind": "mediation", "days": 5}]},
        {"template": "mine"},
        {"stages": []},
        {"stages": [{"kind": "duel", "days": 5}]},
        {"stages": [{"kind": "mediation", "days": 0}]},
        {"stages": [{"kind": "mediation", "days": 121}]},
        {"stages": [{"kind": "mediation", "days": "soon"}]},
        {"stages": [{"kind": "mediation", "days": 5}] * 7},
        {"stages": "mediation"},
        {"stages": [{"kind": "mediation", "days": 5}], "title": "x" * 201},
        {"template": "default", "deadline": "tomorrow"},
    ]
    client = api_as(user_of(seats[0]))
    for bad in bad_inputs:
        response = client.post(endpoint, bad, format="json")
        assert response.status_code == 400, (bad, response.content)
    with scopes_disabled():
        assert not AgendaItem.objects.filter(kind="dispute_procedure").exists()
    response = client.post(endpoint, {"template": "default"}, format="json")
    assert response.status_code == 201
    proposed = response.json()
    assert proposed["kind"] == "dispute_procedure" and proposed["status"] == "open"
    assert len(proposed["proposal"]["stages"]) == 4
    assert api_as(tenant_a.member).get(endpoint).json()["pending_items"][0]["id"] == proposed["id"]
    with scopes_disabled():
        item = AgendaItem.objects.get(pk=proposed["id"])
    entry = run_vote(tenant_a, item, seats, "ffff")
    body = api_as(tenant_a.member).get(endpoint).json()
    assert body["agreed"] is True and body["pending_items"] == []
    assert (
        body["current"]["agreed_by"] == entry.pk and body["current"]["agreed_by_sequence"] == entry.sequence
    )
    assert len(body["current"]["stages"]) == 4
    # A procedure of the body's own.
    response = api_as(tenant_a.facilitator).post(
        endpoint,
        {"stages": [{"kind": "mediation", "days": 10}, {"kind": "body_vote", "days": 7}], "title": "Shorter"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["proposal"] == {
        "stages": [{"kind": "mediation", "days": 10}, {"kind": "body_vote", "days": 7}]
    }
    assert (
        api_as(tenant_a.member).get(url("api-dispute-procedure", tenant_a, kind="council")).status_code == 404
    )


# --- Raising ------------------------------------------------------------------------------


@pytest.mark.rule("GROUP-5")
@pytest.mark.rule("BOARD-6")
def test_no_dispute_before_a_procedure_is_agreed(api_as, tenant_a: Tenant, group, active_board) -> None:
    _overview, seats = group
    _board, board_seats = active_board
    endpoint = url("api-dispute-list", tenant_a)
    response = api_as(user_of(seats[0])).post(
        endpoint, {"body": "overview", "summary": "Meetings are rushed"}, format="json"
    )
    assert response.status_code == 409 and response.json()["rule"] == "GROUP-5"
    response = api_as(user_of(board_seats[0])).post(
        endpoint, {"body": "board", "summary": "Meetings are rushed"}, format="json"
    )
    assert response.status_code == 409 and response.json()["rule"] == "BOARD-6"
    with scopes_disabled():
        assert not Dispute.objects.exists()


@pytest.mark.rule("GROUP-5")
def test_a_seat_holder_raises_a_dispute(
    api_as, tenant_a: Tenant, group, django_capture_on_commit_callbacks
) -> None:
    overview, seats = group
    agree_procedure(tenant_a, overview, seats)
    entry = decision(tenant_a, overview, seats)
    payload = {
        "body": "overview",
        "subject": "decision",
        "entry": entry.pk,
        "respondents": [seats[3].pk],
        "summary": "Closing on Friday afternoons leaves carers without a break.",
        "outcome_sought": "Keep Friday afternoons open.",
    }
    # Nobody without a seat on the body raises; auditors change nothing.
    for user in (tenant_a.member, tenant_a.facilitator):
        assert api_as(user).post(url("api-dispute-list", tenant_a), payload, format="json").status_code == 403
    assert (
        api_as(tenant_a.auditor).post(url("api-dispute-list", tenant_a), payload, format="json").status_code
        == 403
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(user_of(seats[0])).post(url("api-dispute-list", tenant_a), payload, format="json")
    assert response.status_code == 201
    data = response.json()
    assert data["status"] == "open" and data["subject"] == "decision" and data["body"] == "overview"
    assert data["entry"] == entry.pk and data["entry_sequence"] == entry.sequence
    assert data["current_stage"] == 1 and data["raised_by_tie"] is False
    assert {(party["seat"], party["side"]) for party in data["parties"]} == {
        (seats[0].pk, "raising"),
        (seats[3].pk, "responding"),
    }
    assert data["stages"][0]["kind"] == "facilitated_discussion" and data["stages"][0]["overdue"] is False
    assert len(data["procedure_stages"]) == 4
    assert len(mail.outbox) == 1 and set(mail.outbox[0].to) == {
        seats[0].person.email,
        seats[3].person.email,
        seats[1].person.email,
    }
    # Listed and filtered.
    client = api_as(tenant_a.member)
    listed = client.get(url("api-dispute-list", tenant_a)).json()
    assert [row["id"] for row in listed["results"]] == [data["id"]]
    assert client.get(url("api-dispute-list", tenant_a) + "?body=board").json()["results"] == []
    assert client.get(url("api-dispute-list", tenant_a) + "?status=agreed").json()["results"] == []
    assert client.get(url("api-dispute-list", tenant_a) + "?body=council").status_code == 400
    assert client.get(url("api-dispute-list", tenant_a) + "?status=closed").status_code == 400
    detail = client.get(url("api-dispute-detail", tenant_a, pk=data["id"]))
    assert detail.status_code == 200 and detail.json()["summary"] == payload["summary"]


@pytest.mark.rule("GROUP-5")
def test_raising_with_bad_input_is_a_400(
    api_as, tenant_a: Tenant, tenant_b: Tenant, group, board: Body
) -> None:
    overview, seats = group
    agree_procedure(tenant_a, overview, seats)
    with scope(organisation=tenant_a.organisation):
        board_item = AgendaItem.objects.create(body=board, title="A board item")
    with scopes_disabled():
        board_b = board_of(tenant_b)
        item_b = AgendaItem.objects.create(body=board_b, title="Their item")
        seat_b = Seat.objects.create(
            body=board_b,
            person=PersonFactory(organisation=tenant_b.organisation),
            capacity="carer",
            term_start="2026-01-01",
        )
    good = {"body": "overview", "summary": "Meetings are rushed"}
    bad_inputs = [
        {"summary": ""},
        {"summary": "x" * 10_001},
        {"outcome_sought": "x" * 5_001},
        {"body": "council"},
        {"subject": "gossip"},
        {"subject": "item"},
        {"subject": "decision"},
        {"subject": "item", "item": board_item.pk},  # another body's item
        {"subject": "item", "item": item_b.pk},  # another organisation's item
        {"subject": "item", "item": "abc"},
        {"subject": "item", "item": 2**40},
        {"subject": "decision", "entry": 0},
        {"respondents": [seat_b.pk]},
        {"respondents": "everyone"},
        {"respondents": [-1]},
        {"respondents": list(range(1, 300))},
    ]
    client = api_as(user_of(seats[0]))
    for bad in bad_inputs:
        response = client.post(url("api-dispute-list", tenant_a), {**good, **bad}, format="json")
        assert response.status_code == 400, (bad, response.content)
    response = client.post(url("api-dispute-list", tenant_a), "not json", content_type="application/json")
    assert response.status_code == 400
    with scopes_disabled():
        assert not Dispute.objects.exists()


# --- Stages and mediators -----------------------------------------------------------------


@pytest.mark.rule("GROUP-5")
def test_a_party_or_the_project_team_cannot_mediate(
    api_as, tenant_a: Tenant, tenant_b: Tenant, group
) -> None:
    overview, seats = group
    agree_procedure(
        tenant_a,
        overview,
        seats,
        {"stages": [{"kind": "mediation", "days": 10}, {"kind": "body_vote", "days": 7}]},
    )
    dispute = raise_dispute(tenant_a, overview, seats[0], [seats[3]])
    manager = project_manager(tenant_a)
    with scopes_disabled():
        manager_person = manager.people.get()
        foreign = PersonFactory(organisation=tenant_b.organisation)
    endpoint = dispute_url("api-dispute-stages", tenant_a, dispute)
    client = api_as(tenant_a.facilitator)
    before = refusals("GROUP-5")
    for person in (seats[3].person, seats[0].person, manager_person):
        response = client.post(endpoint, {"mediator": person.pk, "notes": "x"}, format="json")
        assert response.status_code == 409 and response.json()["rule"] == "GROUP-5"
    assert refusals("GROUP-5") == before + 3
    for bad in (
        {"mediator": foreign.pk},
        {"mediator": "abc"},
        {"notes": "x"},  # no mediator named yet
        {"notes": "x" * 20_001},
        {"result": "x" * 5_001},
    ):
        assert client.post(endpoint, bad, format="json").status_code == 400, bad
    with scopes_disabled():
        assert dispute.stages.get().mediator is None
    mediator = independent_person(tenant_a)
    response = client.post(endpoint, {"mediator": mediator.pk}, format="json")
    assert response.status_code == 200 and response.json()["stages"][0]["mediator"] == mediator.pk
    # The mediator, a member of the organisation, records the stage.
    response = api_as(mediator.user).post(
        endpoint, {"notes": "Mediation held", "result": "Open 1-4pm"}, format="json"
    )
    assert response.status_code == 200
    stage = response.json()["stages"][0]
    assert stage["notes"] == "Mediation held" and stage["result"] == "Open 1-4pm"
    assert stage["mediator_name"] == mediator.name
    # Someone with no part in it records nothing.
    assert api_as(tenant_a.member).post(endpoint, {"notes": "x"}, format="json").status_code == 403


@pytest.mark.rule("GROUP-5")
def test_moving_through_the_stages(
    api_as, tenant_a: Tenant, group, django_capture_on_commit_callbacks
) -> None:
    overview, seats = group
    agree_procedure(
        tenant_a,
        overview,
        seats,
        {
            "stages": [
                {"kind": "facilitated_discussion", "days": 7},
                {"kind": "mediation", "days": 7},
                {"kind": "body_vote", "days": 7},
            ]
        },
    )
    dispute = raise_dispute(tenant_a, overview, seats[0], [seats[3]])
    advance = dispute_url("api-dispute-advance", tenant_a, dispute)
    client = api_as(user_of(seats[3]))
    response = client.post(advance)
    assert response.status_code == 400 and "result" in response.json()
    assert (
        client.post(
            dispute_url("api-dispute-stages", tenant_a, dispute), {"result": "No agreement"}, format="json"
        ).status_code
        == 200
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(advance)
    assert response.status_code == 200 and response.json()["current_stage"] == 2
    assert response.json()["stages"][0]["completed_at"] is not None
    assert len(mail.outbox) == 1 and "Stage 2 started" in mail.outbox[0].body
    assert dispute_url("disputes:dispute_detail", tenant_a, dispute) in mail.outbox[0].body
    # The last stage: no further stage to move to.
    mediator = independent_person(tenant_a)
    api_as(tenant_a.facilitator).post(
        dispute_url("api-dispute-stages", tenant_a, dispute),
        {"mediator": mediator.pk, "result": "Y"},
        format="json",
    )
    assert client.post(advance).json()["current_stage"] == 3
    client.post(
        dispute_url("api-dispute-stages", tenant_a, dispute), {"result": "Put to the vote"}, format="json"
    )
    response = client.post(advance)
    assert response.status_code == 409
    assert api_as(tenant_a.member).post(advance).status_code == 403
    assert api_as(tenant_a.auditor).post(advance).status_code == 403


# --- Ending -----------------------------------------------------------------------------


@pytest.mark.rule("GROUP-5")
def test_the_parties_agree_each_for_themselves(
    api_as, tenant_a: Tenant, group, django_capture_on_commit_callbacks
) -> None:
    overview, seats = group
    agree_procedure(tenant_a, overview, seats)
    dispute = raise_dispute(tenant_a, overview, seats[0], [seats[3]])
    endpoint = dispute_url("api-dispute-agree", tenant_a, dispute)
    before = refusals("GROUP-5")
    for user in (tenant_a.facilitator, project_manager(tenant_a), user_of(seats[2])):
        response = api_as(user).post(endpoint, {}, format="json")
        assert response.status_code == 403 and response.json()["rule"] == "GROUP-5"
    assert refusals("GROUP-5") == before + 3
    assert api_as(user_of(seats[0])).post(endpoint, {"note": "x" * 5_001}, format="json").status_code == 400
    response = api_as(user_of(seats[0])).post(endpoint, {"note": "Happy with 1-4pm"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "open"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(user_of(seats[3])).post(endpoint, {}, format="json")
    data = response.json()
    assert response.status_code == 200 and data["status"] == "agreed" and data["closed_at"]
    assert all(party["agreed_at"] for party in data["parties"])
    assert len(mail.outbox) == 1 and "closed" in mail.outbox[0].body
    # Settled: nothing more.
    assert api_as(user_of(seats[0])).post(endpoint, {}, format="json").status_code == 409


@pytest.mark.rule("GROUP-5")
def test_only_the_raiser_withdraws_and_nobody_closes(api_as, tenant_a: Tenant, group) -> None:
    overview, seats = group
    agree_procedure(tenant_a, overview, seats)
    dispute = raise_dispute(tenant_a, overview, seats[0], [seats[3]])
    manager = project_manager(tenant_a)
    before = refusals("GROUP-5")
    for user in (tenant_a.facilitator, manager, tenant_a.admin, user_of(seats[3])):
        response = api_as(user).post(
            dispute_url("api-dispute-withdraw", tenant_a, dispute), {}, format="json"
        )
        assert response.status_code == 403 and response.json()["rule"] == "GROUP-5"
        response = api_as(user).post(dispute_url("api-dispute-close", tenant_a, dispute))
        assert response.status_code == 403 and response.json()["rule"] == "GROUP-5"
    assert refusals("GROUP-5") == before + 8
    # Auditors: refused before anything is tried.
    assert (
        api_as(tenant_a.auditor).post(dispute_url("api-dispute-close", tenant_a, dispute)).status_code == 403
    )
    assert reload(dispute).status == "open"
    # Even the raiser cannot close it directly: they withdraw it.
    response = api_as(user_of(seats[0])).post(dispute_url("api-dispute-close", tenant_a, dispute))
    assert response.status_code == 403 and response.json()["rule"] == "GROUP-5"
    response = api_as(user_of(seats[0])).post(
        dispute_url("api-dispute-withdraw", tenant_a, dispute), {"reason": "Sorted"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"


@pytest.mark.rule("BOARD-6")
def test_the_body_vote_decides(api_as, tenant_a: Tenant, active_board) -> None:
    board, seats = active_board
    agree_procedure(tenant_a, board, seats, {"stages": [{"kind": "body_vote", "days": 14}]})
    response = api_as(user_of(seats[0])).post(
        url("api-dispute-list", tenant_a),
        {"body": "board", "summary": "The chair cuts people off", "respondents": [seats[5].pk]},
        format="json",
    )
    assert response.status_code == 201
    data = response.json()
    assert data["subject"] == "conduct" and data["decision_item"]
    with scopes_disabled():
        item = AgendaItem.objects.get(pk=data["decision_item"])
    entry = run_vote(tenant_a, item, seats, "ffffffaaaa")
    data = api_as(tenant_a.member).get(url("api-dispute-detail", tenant_a, pk=data["id"])).json()
    assert data["status"] == "decided" and data["closing_entry"] == entry.pk


@pytest.mark.rule("BOARD-6")
def test_a_tie_sent_to_disputes_opens_one(api_as, tenant_a: Tenant, active_board) -> None:
    from boards import decisions

    board, seats = active_board
    agree_procedure(tenant_a, board, seats)
    with scope(organisation=tenant_a.organisation):
        ties = decisions.item_propose(
            body=board,
            title="Ties",
            kind="tie_procedure",
            proposal={"procedure": "dispute"},
            actor=tenant_a.facilitator,
        )
    run_vote(tenant_a, ties, seats, "f" * 10)
    with scope(organisation=tenant_a.organisation):
        item = decisions.item_propose(body=board, title="Move the service", actor=tenant_a.facilitator)
    run_vote(tenant_a, item, seats, "ffaaffaass")
    rows = api_as(tenant_a.member).get(url("api-dispute-list", tenant_a)).json()["results"]
    assert len(rows) == 1 and rows[0]["item"] == item.pk and rows[0]["raised_by_tie"] is True
    assert rows[0]["current_stage"] == 1 and rows[0]["raised_by"] is None


# --- Doors -----------------------------------------------------------------------------------


@pytest.mark.rule("TENANT-1")
def test_anonymous_401_other_organisations_404(api_as, tenant_a: Tenant, tenant_b: Tenant, group) -> None:
    overview, seats = group
    agree_procedure(tenant_a, overview, seats)
    dispute = raise_dispute(tenant_a, overview, seats[0], [seats[3]])
    names = [
        "api-dispute-stages",
        "api-dispute-advance",
        "api-dispute-agree",
        "api-dispute-withdraw",
        "api-dispute-close",
    ]
    assert api_as(None).get(url("api-dispute-list", tenant_a)).status_code == 401
    assert api_as(None).get(dispute_url("api-dispute-detail", tenant_a, dispute)).status_code == 401
    for name in names:
        assert api_as(None).post(dispute_url(name, tenant_a, dispute), {}, format="json").status_code == 401
    outsider = api_as(tenant_b.admin)
    assert outsider.get(url("api-dispute-list", tenant_a)).status_code == 404
    assert outsider.get(dispute_url("api-dispute-detail", tenant_a, dispute)).status_code == 404
    assert outsider.get(url("api-dispute-procedure", tenant_a, kind="overview")).status_code == 404
    for name in names:
        assert outsider.post(dispute_url(name, tenant_a, dispute), {}, format="json").status_code == 404
    # Their own project, our dispute's id: 404, and their list is empty.
    assert outsider.get(dispute_url("api-dispute-detail", tenant_b, dispute)).status_code == 404
    assert outsider.get(url("api-dispute-list", tenant_b)).json()["results"] == []
    assert reload(dispute).status == "open"
    # Reading is for every member of the organisation.
    for user in (tenant_a.member, tenant_a.auditor):
        assert api_as(user).get(dispute_url("api-dispute-detail", tenant_a, dispute)).status_code == 200
