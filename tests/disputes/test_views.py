"""Browser pages of disputes (BOARD-6, GROUP-5): a body's procedure page
says what is missing until the body agrees one, and proposes the default or
a procedure of its own as an item; a seat holder raises a dispute in plain
words; the dispute page shows the stages, the mediator, the parties and their
agreements; a mediator is independent; only the parties agree and only the
raiser withdraws; nobody closes a dispute from above (403, logged); the
body's vote decides; the parties and the chair are emailed on each stage
change; bad input is a 400, never a 500; other organisations get 404."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from guardian.shortcuts import assign_perm

from boards import decisions
from boards.models import AgendaItem, Body, DecisionEntry, Seat
from disputes import services
from disputes.models import Dispute, DisputeProcedure
from projects.models import AuditEvent, Role
from tests.boards.conftest import activate_directly, board_of, voters
from tests.conftest import Tenant
from tests.factories import MemberFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- Helpers (also used by test_api) ---------------------------------------------------


def user_of(seat: Seat):
    return seat.person.user


def html(response) -> str:
    return response.content.decode()


def page_url(name: str, tenant: Tenant, **kwargs: Any) -> str:
    return reverse(
        f"disputes:{name}", kwargs={"org": tenant.organisation.slug, "project": tenant.project.slug, **kwargs}
    )


def run_vote(tenant: Tenant, item: AgendaItem, seats: list[Seat], choices: str) -> DecisionEntry:
    """choices: one letter per seat: f(or), a(gainst), - (no vote)."""
    with scope(organisation=tenant.organisation):
        decisions.voting_open(item=item, actor=tenant.facilitator)
        for seat, letter in zip(seats, choices, strict=False):
            if letter != "-":
                choice = {"f": "for", "a": "against", "s": "abstain"}[letter]
                decisions.vote_cast(item=item, seat=seat, choice=choice, actor=user_of(seat))
        return decisions.voting_close(item=item, actor=tenant.facilitator)


def agree_procedure(
    tenant: Tenant, body: Body, seats: list[Seat], proposal: dict | None = None
) -> DisputeProcedure:
    with scope(organisation=tenant.organisation):
        item = decisions.item_propose(
            body=body,
            title="Our dispute procedure",
            kind="dispute_procedure",
            proposal=proposal or {"template": "default"},
            actor=tenant.facilitator,
        )
    run_vote(tenant, item, seats, "f" * len(seats))
    with scope(organisation=tenant.organisation):
        return services.current_procedure(body)


def decision(tenant: Tenant, body: Body, seats: list[Seat], title: str = "Close on Friday afternoons"):
    with scope(organisation=tenant.organisation):
        item = decisions.item_propose(body=body, title=title, actor=tenant.facilitator)
    return run_vote(tenant, item, seats, "f" * len(seats))


def raise_dispute(
    tenant: Tenant, body: Body, raiser: Seat, respondents: list[Seat], **kwargs: Any
) -> Dispute:
    with scope(organisation=tenant.organisation):
        return services.dispute_raise(
            body=body,
            summary=kwargs.pop("summary", "Closing on Friday afternoons leaves carers without a break."),
            respondents=respondents,
            actor=user_of(raiser),
            **kwargs,
        )


def reload(dispute: Dispute) -> Dispute:
    with scopes_disabled():
        return Dispute.objects.get(pk=dispute.pk)


def refusals(rule: str) -> int:
    with scopes_disabled():
        return AuditEvent.objects.filter(action__startswith="refused.", rule=rule).count()


def project_manager(tenant: Tenant):
    """A member holding the project-manager grant, with a directory entry."""
    with scopes_disabled():
        user = UserFactory(username=f"pm@{tenant.organisation.slug}.example.org")
        MemberFactory(organisation=tenant.organisation, user=user, role=Role.MEMBER)
        assign_perm("projects.manage_project", user, tenant.project)
        PersonFactory(organisation=tenant.organisation, user=user, name="Pat Manager")
    return user


def independent_person(tenant: Tenant, name: str = "Iris Mediator"):
    """Someone in the directory with an account: neither a party nor project team."""
    with scopes_disabled():
        user = UserFactory(username=f"mediator@{tenant.organisation.slug}.example.org")
        MemberFactory(organisation=tenant.organisation, user=user, role=Role.MEMBER)
        return PersonFactory(organisation=tenant.organisation, user=user, name=name)


@pytest.fixture
def group(tenant_a: Tenant, overview: Body) -> tuple[Body, list[Seat]]:
    """The Overview Group: a carer, two service users and a professional, all
    with accounts; the second service user chairs it."""
    seats = voters(overview, "CNNP")
    activate_directly(overview)
    with scopes_disabled():
        overview.chair_seat = seats[1]
        overview.save(update_fields=["chair_seat"])
    return overview, seats


# --- The procedure page ----------------------------------------------------------------


@pytest.mark.rule("GROUP-5")
def test_without_a_procedure_the_page_says_what_is_missing_and_raising_is_refused(
    client_as, tenant_a: Tenant, group
) -> None:
    _overview, seats = group
    carer = client_as(user_of(seats[0]))
    page = html(carer.get(page_url("body_disputes", tenant_a, kind="overview")))
    assert "has not agreed a dispute procedure yet" in page and "GROUP-5" in page
    assert "Raise a dispute" not in page
    response = carer.get(page_url("dispute_create", tenant_a, kind="overview"))
    assert response.status_code == 409 and "GROUP-5" in html(response)
    response = carer.post(
        page_url("dispute_create", tenant_a, kind="overview"), {"subject": "conduct", "summary": "Rushed"}
    )
    assert response.status_code == 409 and "GROUP-5" in html(response)
    with scopes_disabled():
        assert not Dispute.objects.exists()


@pytest.mark.rule("GROUP-5")
def test_adopting_the_default_procedure_proposes_it_and_the_vote_installs_it(
    client_as, tenant_a: Tenant, group
) -> None:
    overview, seats = group
    url = page_url("body_disputes", tenant_a, kind="overview")
    # Nobody without a seat or a facilitator's role proposes; auditors change nothing.
    for outsider in (tenant_a.member, tenant_a.auditor):
        assert client_as(outsider).post(url, {"procedure": "default"}).status_code == 403
    response = client_as(user_of(seats[0])).post(url, {"procedure": "default"})
    assert response.status_code == 302
    with scopes_disabled():
        item = AgendaItem.objects.get(body=overview, kind="dispute_procedure")
        # Proposed, not installed: only the group's vote installs it.
        assert not DisputeProcedure.objects.exists()
    assert response["Location"].endswith(f"/items/{item.pk}/")
    assert [stage["kind"] for stage in item.proposal["stages"]] == [
        "facilitated_discussion",
        "mediation",
        "referral",
        "body_vote",
    ]
    page = html(client_as(tenant_a.member).get(url))
    assert "waiting for its vote" in page and item.title in page
    entry = run_vote(tenant_a, item, seats, "ffff")
    page = html(client_as(tenant_a.member).get(url))
    assert "agreed its dispute procedure" in page and f"decision {entry.sequence}" in page
    assert "has not agreed a dispute procedure yet" not in page


@pytest.mark.rule("BOARD-6")
def test_a_procedure_of_the_bodys_own(client_as, tenant_a: Tenant, active_board) -> None:
    board, seats = active_board
    url = page_url("body_disputes", tenant_a, kind="board")
    client = client_as(tenant_a.facilitator)
    base = {"procedure": "custom", "custom-title": "Talk, then vote"}
    bad_inputs = [
        {},  # no stage at all
        {"custom-stage_1_kind": "mediation"},  # no time limit
        {"custom-stage_1_days": "10"},  # no kind
        {"custom-stage_1_kind": "mediation", "custom-stage_1_days": "0"},
        {"custom-stage_1_kind": "mediation", "custom-stage_1_days": "abc"},
        {"custom-stage_1_kind": "duel", "custom-stage_1_days": "5"},
        {"custom-stage_1_kind": "mediation", "custom-stage_1_days": "99999999999999999999"},
    ]
    for index in range(1, 7):
        base.setdefault(f"custom-stage_{index}_kind", "")
        base.setdefault(f"custom-stage_{index}_days", "")
    for bad in bad_inputs:
        response = client.post(url, {**base, **bad})
        assert response.status_code == 400, bad
        assert "There is a problem" in html(response)
    response = client.post(
        url,
        {
            **base,
            "custom-stage_1_kind": "mediation",
            "custom-stage_1_days": "10",
            "custom-stage_3_kind": "body_vote",
            "custom-stage_3_days": "7",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        item = AgendaItem.objects.get(body=board, kind="dispute_procedure")
    assert item.title == "Talk, then vote"
    assert item.proposal == {"stages": [{"kind": "mediation", "days": 10}, {"kind": "body_vote", "days": 7}]}
    run_vote(tenant_a, item, seats, "f" * 10)
    with scopes_disabled():
        assert DisputeProcedure.objects.get(body=board).stages == item.proposal["stages"]


# --- Raising -----------------------------------------------------------------------------


@pytest.mark.rule("GROUP-5")
def test_a_carer_raises_a_dispute_about_a_decision(
    client_as, tenant_a: Tenant, group, django_capture_on_commit_callbacks
) -> None:
    overview, seats = group
    agree_procedure(tenant_a, overview, seats)
    entry = decision(tenant_a, overview, seats)
    carer = client_as(user_of(seats[0]))
    # From the decision page: the decision is chosen already.
    url = page_url("dispute_create", tenant_a, kind="overview")
    page = html(carer.get(url + f"?entry={entry.pk}"))
    assert f'<option value="{entry.pk}" selected>' in page
    assert re.search(r'<input type="radio" name="subject" value="decision"[^>]* checked', page)
    # The carer's own seat is not offered as the other side.
    assert f'name="respondents" value="{seats[0].pk}"' not in page
    assert f'name="respondents" value="{seats[3].pk}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = carer.post(
            url,
            {
                "subject": "decision",
                "entry": entry.pk,
                "respondents": [seats[3].pk],
                "summary": "Closing on Friday afternoons leaves carers without a break.",
                "outcome_sought": "Keep Friday afternoons open.",
            },
        )
    assert response.status_code == 302
    with scopes_disabled():
        dispute = Dispute.objects.get()
        sides = {(party.seat_id, party.side) for party in dispute.parties.all()}
    assert response["Location"] == page_url("dispute_detail", tenant_a, pk=dispute.pk)
    assert dispute.entry_id == entry.pk and dispute.subject == "decision" and dispute.current_stage == 1
    assert sides == {(seats[0].pk, "raising"), (seats[3].pk, "responding")}
    # The parties and the chair were told, with a link to the dispute page.
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {seats[0].person.email, seats[3].person.email, seats[1].person.email}
    assert page_url("dispute_detail", tenant_a, pk=dispute.pk) in mail.outbox[0].body
    page = html(carer.get(response["Location"]))
    assert "Closing on Friday afternoons leaves carers without a break." in page
    assert "Keep Friday afternoons open." in page
    assert "Stage 1: Facilitated discussion between the parties" in page and "Still to come" in page
    assert "I agree to settle the dispute" in page and "Withdraw the dispute" in page


@pytest.mark.rule("GROUP-5")
def test_raising_with_bad_input_is_a_400_that_keeps_what_was_typed(
    client_as, tenant_a: Tenant, tenant_b: Tenant, group, board: Body
) -> None:
    overview, seats = group
    agree_procedure(tenant_a, overview, seats)
    with scope(organisation=tenant_a.organisation):
        board_item = AgendaItem.objects.create(body=board, title="A board item")
    with scopes_disabled():
        board_b = board_of(tenant_b)
        foreign_seat = Seat.objects.create(
            body=board_b,
            person=PersonFactory(organisation=tenant_b.organisation),
            capacity="carer",
            term_start=datetime.date(2026, 1, 1),
        )
    carer = client_as(user_of(seats[0]))
    url = page_url("dispute_create", tenant_a, kind="overview")
    good = {"subject": "conduct", "summary": "Meetings are rushed", "outcome_sought": "Longer meetings"}
    bad_inputs = [
        {"summary": ""},
        {"summary": "x" * 10_001},
        {"outcome_sought": "x" * 5_001},
        {"subject": "gossip"},
        {"subject": "decision"},  # no decision named
        {"subject": "item", "item": board_item.pk},  # another body's item
        {"subject": "item", "item": "abc"},
        {"subject": "item", "item": "99999999999999999999"},
        {"respondents": [foreign_seat.pk]},  # another organisation's seat
        {"respondents": [seats[0].pk]},  # not offered: your own seat
    ]
    for bad in bad_inputs:
        response = carer.post(url, {**good, **bad})
        assert response.status_code == 400, bad
        page = html(response)
        assert "There is a problem" in page
        if bad.get("summary", "") == "" and "summary" in bad:
            assert "Say what the disagreement is." in page
        else:
            assert "Meetings are rushed" in page or "x" * 100 in page
    with scopes_disabled():
        assert not Dispute.objects.exists()
    # A preselection that is not this body's is ignored, not an error.
    assert carer.get(url + f"?item={board_item.pk}").status_code == 200
    assert carer.get(url + "?entry=not-a-number").status_code == 200


@pytest.mark.rule("GROUP-5")
def test_only_seat_holders_raise(client_as, tenant_a: Tenant, group) -> None:
    overview, seats = group
    agree_procedure(tenant_a, overview, seats)
    url = page_url("dispute_create", tenant_a, kind="overview")
    for user in (tenant_a.member, tenant_a.facilitator, tenant_a.auditor):
        client = client_as(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"subject": "conduct", "summary": "S"}).status_code == 403
    with scopes_disabled():
        assert not Dispute.objects.exists()


# --- Nobody closes a dispute from above ---------------------------------------------------


@pytest.mark.rule("GROUP-5")
def test_facilitators_and_the_project_manager_cannot_close_or_withdraw(
    client_as, tenant_a: Tenant, group
) -> None:
    overview, seats = group
    agree_procedure(tenant_a, overview, seats)
    dispute = raise_dispute(tenant_a, overview, seats[0], [seats[3]])
    manager = project_manager(tenant_a)
    before = refusals("GROUP-5")
    close = page_url("dispute_close", tenant_a, pk=dispute.pk)
    withdraw = page_url("dispute_withdraw", tenant_a, pk=dispute.pk)
    for user in (tenant_a.facilitator, manager, tenant_a.admin):
        client = client_as(user)
        response = client.post(close)
        assert response.status_code == 403
        page = html(response)
        assert "GROUP-5" in page and "cannot be closed or decided by the project team" in page
        assert "recorded in the audit log" in page
        response = client.post(withdraw, {"withdraw-reason": "Sorted"})
        assert response.status_code == 403
        assert "GROUP-5" in html(response) and "Only the person who raised this dispute" in html(response)
        # Nor can they agree on the parties' behalf.
        response = client.post(page_url("dispute_agree", tenant_a, pk=dispute.pk), {})
        assert response.status_code == 403 and "GROUP-5" in html(response)
    # A party who did not raise it cannot withdraw it either.
    response = client_as(user_of(seats[3])).post(withdraw, {})
    assert response.status_code == 403 and "GROUP-5" in html(response)
    assert refusals("GROUP-5") == before + 10
    assert reload(dispute).status == "open"
    # The close page is not a form to fill in.
    assert client_as(tenant_a.facilitator).get(close).status_code == 405
    # The facilitator's page explains why there is no button.
    page = html(client_as(tenant_a.facilitator).get(page_url("dispute_detail", tenant_a, pk=dispute.pk)))
    assert "cannot close, withdraw or decide a dispute" in page
    # The raiser can.
    response = client_as(user_of(seats[0])).post(withdraw, {"withdraw-reason": "Sorted out informally"})
    assert response.status_code == 302
    assert reload(dispute).status == "withdrawn"
    page = html(client_as(tenant_a.member).get(page_url("dispute_detail", tenant_a, pk=dispute.pk)))
    assert "Withdrawn on" in page and "I agree to settle" not in page


@pytest.mark.rule("GROUP-5")
def test_a_party_or_the_project_team_cannot_mediate(client_as, tenant_a: Tenant, group) -> None:
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
    mediator = independent_person(tenant_a)
    client = client_as(tenant_a.facilitator)
    url = page_url("dispute_record", tenant_a, pk=dispute.pk)
    page = html(client.get(page_url("dispute_detail", tenant_a, pk=dispute.pk)))
    assert "Independent mediator" in page and "First name the independent mediator" in page
    before = refusals("GROUP-5")
    for person in (seats[3].person, manager_person):
        response = client.post(url, {"record-mediator": person.pk, "record-notes": "Met on Monday"})
        assert response.status_code == 409
        assert "GROUP-5" in html(response) and "Met on Monday" in html(response)
    assert refusals("GROUP-5") == before + 2
    # Notes before a mediator is named are refused too (400).
    assert client.post(url, {"record-notes": "Met"}).status_code == 400
    assert client.post(url, {}).status_code == 400
    assert client.post(url, {"record-mediator": "abc"}).status_code == 400
    assert client.post(url, {"record-notes": "x" * 20_001}).status_code == 400
    response = client.post(url, {"record-mediator": mediator.pk})
    assert response.status_code == 302
    with scopes_disabled():
        assert dispute.stages.get().mediator == mediator


# --- Through the stages to the end ----------------------------------------------------


@pytest.mark.rule("GROUP-5")
def test_the_mediator_records_and_the_parties_agree(
    client_as, tenant_a: Tenant, group, django_capture_on_commit_callbacks
) -> None:
    overview, seats = group
    agree_procedure(tenant_a, overview, seats)
    dispute = raise_dispute(tenant_a, overview, seats[0], [seats[3]])
    detail = page_url("dispute_detail", tenant_a, pk=dispute.pk)
    facilitator = client_as(tenant_a.facilitator)
    # Moving on needs the result of the stage first.
    response = facilitator.post(page_url("dispute_advance", tenant_a, pk=dispute.pk))
    assert response.status_code == 400 and "Record the result of this stage" in html(response)
    facilitator.post(
        page_url("dispute_record", tenant_a, pk=dispute.pk),
        {"record-notes": "Met at the library", "record-result": "No agreement yet"},
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = facilitator.post(page_url("dispute_advance", tenant_a, pk=dispute.pk))
    assert response.status_code == 302 and reload(dispute).current_stage == 2
    # A stage change emails the parties and the chair, and nobody else.
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == sorted(
        [seats[0].person.email, seats[3].person.email, seats[1].person.email]
    )
    assert "Stage 2 started: Mediation" in mail.outbox[0].body and detail in mail.outbox[0].body
    mediator = independent_person(tenant_a)
    facilitator.post(page_url("dispute_record", tenant_a, pk=dispute.pk), {"record-mediator": mediator.pk})
    # The mediator records the mediation.
    client = client_as(mediator.user)
    page = html(client.get(detail))
    assert "You are the independent mediator of this stage" in page
    response = client.post(
        page_url("dispute_record", tenant_a, pk=dispute.pk),
        {"record-mediator": mediator.pk, "record-notes": "Mediation held", "record-result": "Open 1-4pm"},
    )
    assert response.status_code == 302
    # Someone who is not a party agrees for nobody.
    response = client.post(page_url("dispute_agree", tenant_a, pk=dispute.pk), {"agree-note": "Fine"})
    assert response.status_code == 403 and "GROUP-5" in html(response)
    # The parties agree, each for themselves.
    response = client_as(user_of(seats[0])).post(
        page_url("dispute_agree", tenant_a, pk=dispute.pk), {"agree-note": "Happy with 1-4pm"}, follow=True
    )
    page = html(response)
    assert "The dispute ends when every party has agreed" in page and "1 of 2 has agreed to settle" in page
    assert reload(dispute).status == "open"
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(user_of(seats[3])).post(
            page_url("dispute_agree", tenant_a, pk=dispute.pk), {"agree-note": ""}, follow=True
        )
    page = html(response)
    assert "Every party has agreed: the dispute is settled." in page and "every party agreed" in page
    assert "Mediation held" in page and "Open 1-4pm" in page and mediator.name in page
    assert reload(dispute).status == "agreed"
    # Settled: nothing more can be recorded.
    response = facilitator.post(page_url("dispute_record", tenant_a, pk=dispute.pk), {"record-notes": "Late"})
    assert response.status_code == 409


@pytest.mark.rule("GROUP-5")
def test_the_body_vote_decides_the_dispute(client_as, tenant_a: Tenant, group) -> None:
    overview, seats = group
    agree_procedure(tenant_a, overview, seats, {"stages": [{"kind": "body_vote", "days": 14}]})
    dispute = raise_dispute(tenant_a, overview, seats[0], [seats[3]])
    detail = page_url("dispute_detail", tenant_a, pk=dispute.pk)
    dispute = reload(dispute)
    page = html(client_as(tenant_a.member).get(detail))
    assert f"/items/{dispute.decision_item_id}/" in page
    entry = run_vote(tenant_a, dispute.decision_item, seats, "fffa")
    dispute = reload(dispute)
    assert dispute.status == "decided" and dispute.closing_entry_id == entry.pk
    page = html(client_as(tenant_a.member).get(detail))
    assert "by a vote of the whole body" in page and f"/ledger/{entry.pk}/" in page


@pytest.mark.rule("BOARD-6")
def test_a_tie_sent_to_the_dispute_procedure_opens_a_dispute(
    client_as, tenant_a: Tenant, active_board
) -> None:
    board, seats = active_board
    agree_procedure(tenant_a, board, seats)
    with scope(organisation=tenant_a.organisation):
        ties = decisions.item_propose(
            body=board,
            title="Ties go to disputes",
            kind="tie_procedure",
            proposal={"procedure": "dispute"},
            actor=tenant_a.facilitator,
        )
    run_vote(tenant_a, ties, seats, "f" * 10)
    with scope(organisation=tenant_a.organisation):
        item = decisions.item_propose(body=board, title="Move the service", actor=tenant_a.facilitator)
    run_vote(tenant_a, item, seats, "ffaaffaass")
    with scopes_disabled():
        dispute = Dispute.objects.get(item=item)
    client = client_as(tenant_a.member)
    page = html(client.get(page_url("dispute_list", tenant_a)))
    assert f"Dispute {dispute.pk}" in page and "Move the service" in page
    page = html(client.get(page_url("dispute_detail", tenant_a, pk=dispute.pk)))
    assert "opened automatically because a vote was tied" in page and "Stage 1" in page


# --- Reading, filters, doors -----------------------------------------------------------------


@pytest.mark.rule("GROUP-5")
def test_everyone_in_the_organisation_reads_and_auditors_change_nothing(
    client_as, tenant_a: Tenant, group
) -> None:
    overview, seats = group
    agree_procedure(tenant_a, overview, seats)
    dispute = raise_dispute(tenant_a, overview, seats[0], [seats[3]])
    for user in (tenant_a.member, tenant_a.auditor, tenant_a.facilitator, user_of(seats[2])):
        client = client_as(user)
        assert client.get(page_url("dispute_list", tenant_a)).status_code == 200
        assert client.get(page_url("body_disputes", tenant_a, kind="overview")).status_code == 200
        assert client.get(page_url("dispute_detail", tenant_a, pk=dispute.pk)).status_code == 200
    auditor = client_as(tenant_a.auditor)
    page = html(auditor.get(page_url("dispute_detail", tenant_a, pk=dispute.pk)))
    assert "Save the record" not in page and "I agree" not in page
    for name in ("dispute_record", "dispute_advance", "dispute_agree", "dispute_withdraw", "dispute_close"):
        assert auditor.post(page_url(name, tenant_a, pk=dispute.pk), {"record-notes": "x"}).status_code == 403
    assert (
        auditor.post(
            page_url("body_disputes", tenant_a, kind="overview"), {"procedure": "default"}
        ).status_code
        == 403
    )
    assert reload(dispute).status == "open"
    # A member without a seat follows but takes no part.
    page = html(client_as(tenant_a.member).get(page_url("dispute_detail", tenant_a, pk=dispute.pk)))
    assert "You can follow this dispute here" in page
    # Filters: by body and status; a bad filter is a 400, never a 500.
    client = client_as(tenant_a.member)
    assert f"Dispute {dispute.pk}" in html(client.get(page_url("dispute_list", tenant_a) + "?body=overview"))
    assert f"Dispute {dispute.pk}" not in html(client.get(page_url("dispute_list", tenant_a) + "?body=board"))
    assert f"Dispute {dispute.pk}" not in html(
        client.get(page_url("dispute_list", tenant_a) + "?status=agreed")
    )
    assert client.get(page_url("dispute_list", tenant_a) + "?body=council").status_code == 400
    assert client.get(page_url("body_disputes", tenant_a, kind="council")).status_code == 404


@pytest.mark.rule("TENANT-1")
def test_other_organisations_and_projects_get_404(
    client_as, tenant_a: Tenant, tenant_b: Tenant, group, client
) -> None:
    overview, seats = group
    agree_procedure(tenant_a, overview, seats)
    dispute = raise_dispute(tenant_a, overview, seats[0], [seats[3]])
    outsider = client_as(tenant_b.admin)
    for name in ("dispute_detail", "dispute_record", "dispute_agree", "dispute_withdraw", "dispute_close"):
        assert outsider.get(page_url(name, tenant_a, pk=dispute.pk)).status_code == 404
        assert outsider.post(page_url(name, tenant_a, pk=dispute.pk)).status_code == 404
    # Tenant A's dispute id under tenant B's own project: 404 for B's admin too.
    assert outsider.get(page_url("dispute_detail", tenant_b, pk=dispute.pk)).status_code == 404
    client.logout()
    response = client.get(page_url("dispute_detail", tenant_a, pk=dispute.pk))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert reload(dispute).status == "open"


def test_the_dispute_page_costs_the_same_queries_whatever_the_parties_and_stages(
    client_as, tenant_a: Tenant, overview: Body
) -> None:
    seats = voters(overview, "CCCNNNPP")
    activate_directly(overview)
    agree_procedure(tenant_a, overview, seats)
    small = raise_dispute(tenant_a, overview, seats[0], [seats[6]])
    large = raise_dispute(tenant_a, overview, seats[1], seats[2:])
    with scope(organisation=tenant_a.organisation):
        services.stage_record(dispute=large, result="No agreement", actor=tenant_a.facilitator)
        services.stage_advance(dispute=large, actor=tenant_a.facilitator)
    client = client_as(user_of(seats[7]))
    counts = []
    for dispute in (small, large):
        url = page_url("dispute_detail", tenant_a, pk=dispute.pk)
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


@pytest.mark.rule("GROUP-5")
def test_decision_and_body_pages_show_the_dispute_and_the_procedure(
    client_as, tenant_a: Tenant, group
) -> None:
    overview, seats = group
    body_page = reverse(
        "boards:body_detail",
        kwargs={"org": tenant_a.organisation.slug, "project": tenant_a.project.slug, "kind": "overview"},
    )
    page = html(client_as(tenant_a.member).get(body_page))
    assert "Dispute procedure" in page and "Not agreed yet" in page and "GROUP-5" in page
    agree_procedure(tenant_a, overview, seats)
    page = html(client_as(tenant_a.member).get(body_page))
    assert "Not agreed yet" not in page and "Agreed on" in page
    entry = decision(tenant_a, overview, seats)
    kwargs = {"org": tenant_a.organisation.slug, "project": tenant_a.project.slug}
    item_page = reverse("boards:item_detail", kwargs={**kwargs, "kind": "overview", "pk": entry.item_id})
    entry_page = reverse("boards:ledger_entry", kwargs={**kwargs, "pk": entry.pk})
    raise_link = page_url("dispute_create", tenant_a, kind="overview") + f"?entry={entry.pk}"
    # Members of the group are offered to raise one; nothing is disputed yet.
    page = html(client_as(user_of(seats[0])).get(item_page))
    assert raise_link in page and "This decision is disputed" not in page
    assert "Raise a dispute" not in html(client_as(tenant_a.member).get(item_page))
    assert raise_link in html(client_as(tenant_a.member).get(entry_page))
    dispute = raise_dispute(tenant_a, overview, seats[0], [seats[3]], subject="decision", entry=entry)
    for url in (item_page, entry_page):
        page = html(client_as(tenant_a.member).get(url))
        assert "This decision is disputed" in page and f"Open dispute {dispute.pk}" in page
        assert page_url("dispute_detail", tenant_a, pk=dispute.pk) in page
    with scope(organisation=tenant_a.organisation):
        services.dispute_withdraw(dispute=dispute, actor=user_of(seats[0]))
    assert "This decision is disputed" not in html(client_as(tenant_a.member).get(entry_page))
