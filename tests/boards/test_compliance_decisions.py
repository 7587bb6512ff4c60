"""Report-side evaluators of how the bodies decide, meet and keep control,
of the ledger and of the organisation boundary: for each rule a state where
it passes and one where it warns or fails, with its evidence, "as of" dates
included."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from boards import decisions
from boards.db import install_ledger_guard, remove_ledger_guard
from boards.ledger import ledger_append
from boards.models import AgendaItem, Body, ImplementationUpdate, Meeting, Seat
from coprod.audit import audit_record
from coprod.errors import RuleViolation
from coprod.rulebook import Rule
from overview.models import MilestoneReview
from projects import services as project_services
from projects.compliance import Status, evaluate
from projects.models import Milestone
from tests.boards.conftest import activate_directly, fill, seat_directly, voters
from tests.boards.test_decisions import run_vote
from tests.conftest import Tenant
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def result(tenant: Tenant, rule: Rule, as_of: datetime.date | None = None):
    with scopes_disabled():
        (found,) = evaluate(tenant.project, as_of or timezone.localdate(), [rule])
    return found


def kinds(found) -> set[str]:
    return {evidence.kind for evidence in found.evidence}


def appoint_chair(body: Body, seats: list[Seat], seat: Seat, actor) -> None:
    item = decisions.item_propose(
        body=body,
        title="Appoint a chair",
        kind="chair_appointment",
        proposal={"seat": seat.pk, "merit": "Chaired the service-user forum for six years."},
        actor=actor,
    )
    assert run_vote(item, seats, "f" * len(seats), actor).outcome == "agreed"


def held_meeting(body: Body, day: datetime.date) -> Meeting:
    with scopes_disabled():
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(18)))
        return Meeting.objects.create(body=body, scheduled_at=moment, status="held", held_on=day)


def governing_from(body: Body, day: datetime.date) -> None:
    with scopes_disabled():
        Body.objects.filter(pk=body.pk).update(
            status="active",
            status_since=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9))),
        )


def crafted_entry(body: Body, votes: list[dict], *, outcome: str = "agreed", applies: bool = True):
    """A ledger entry whose recorded votes the voting service would never
    produce: the state a guard failure would leave behind."""
    with scopes_disabled(), transaction.atomic():
        item = AgendaItem.objects.create(body=body, title="Crafted", status="agreed")
        tally = {"for": len(votes), "against": 0, "abstain": 0}
        return ledger_append(
            item=item,
            outcome=outcome,
            content={
                "round": 1,
                "tally": tally,
                "votes": votes,
                "quorum": {"rule": "LEDGER-2", "applies": applies, "share_percent": 30},
            },
        )


# --- BOARD-3, GROUP-2 ------------------------------------------------------------------


@pytest.mark.rule("BOARD-3")
def test_board_chair_on_merit(tenant_a: Tenant, active_board, in_org_a: None) -> None:
    board, seats = active_board
    assert result(tenant_a, Rule.BOARD_3).status == Status.WARN  # active, no chair yet
    with pytest.raises(RuleViolation):
        decisions.chair_set_directly(body=board, seat=seats[5], actor=tenant_a.admin)
    appoint_chair(board, seats, seats[5], tenant_a.facilitator)  # a professional
    professional = result(tenant_a, Rule.BOARD_3)
    assert professional.status == Status.WARN
    assert {"decision", "seat", "audit_event"} <= kinds(professional)  # the refused attempt is listed
    appoint_chair(board, seats, seats[0], tenant_a.facilitator)  # a service user
    passed = result(tenant_a, Rule.BOARD_3)
    assert passed.status == Status.PASS
    assert "service user" in passed.explanation


@pytest.mark.rule("BOARD-3")
def test_a_chair_no_decision_appointed_fails(tenant_a: Tenant, active_board) -> None:
    board, seats = active_board
    with scopes_disabled():
        Body.objects.filter(pk=board.pk).update(chair_seat=seats[0])
    failed = result(tenant_a, Rule.BOARD_3)
    assert failed.status == Status.FAIL
    assert "no decision" in failed.explanation


@pytest.mark.rule("GROUP-2")
def test_group_chair_on_merit(tenant_a: Tenant, overview: Body, in_org_a: None) -> None:
    assert result(tenant_a, Rule.GROUP_2).status == Status.NA  # forming
    seats = voters(overview, "CNNP")
    activate_directly(overview)
    assert result(tenant_a, Rule.GROUP_2).status == Status.WARN
    appoint_chair(overview, seats, seats[0], tenant_a.facilitator)
    assert result(tenant_a, Rule.GROUP_2).status == Status.PASS


# --- BOARD-5, GROUP-4 ------------------------------------------------------------------


@pytest.mark.rule("BOARD-5")
def test_one_seat_one_vote_in_the_ledger(tenant_a: Tenant, active_board, in_org_a: None) -> None:
    board, seats = active_board
    item = decisions.item_propose(body=board, title="Open on Saturdays", actor=tenant_a.facilitator)
    run_vote(item, seats, "ffffffaass", tenant_a.facilitator)
    passed = result(tenant_a, Rule.BOARD_5)
    assert passed.status == Status.PASS
    assert "10 votes" in passed.explanation
    doubled = {"seat": seats[0].pk, "capacity": "service_user", "choice": "for"}
    crafted_entry(board, [doubled, doubled])
    failed = result(tenant_a, Rule.BOARD_5)
    assert failed.status == Status.FAIL
    assert "a seat voted twice" in failed.evidence[0].label


@pytest.mark.rule("GROUP-4")
def test_group_votes_from_its_own_seats_only(tenant_a: Tenant, overview: Body, active_board) -> None:
    _board, board_seats = active_board
    seat_directly(overview, "carer")
    assert result(tenant_a, Rule.GROUP_4).status == Status.PASS
    crafted_entry(overview, [{"seat": board_seats[0].pk, "capacity": "service_user", "choice": "for"}])
    failed = result(tenant_a, Rule.GROUP_4)
    assert failed.status == Status.FAIL
    assert "another body" in failed.evidence[0].label


# --- BOARD-7 ----------------------------------------------------------------------------


@pytest.mark.rule("BOARD-7")
def test_budget_changes_by_decision_pass_and_others_fail(
    tenant_a: Tenant, active_board, in_org_a: None
) -> None:
    board, seats = active_board
    governing_from(board, TODAY - datetime.timedelta(days=30))
    item = decisions.item_propose(
        body=board,
        title="Minibus",
        kind="budget_change",
        proposal={
            "changes": [{"action": "add", "partner": "Council", "purpose": "Minibus", "amount": "4200"}]
        },
        actor=tenant_a.facilitator,
    )
    entry = run_vote(item, seats, "ffffffffff", tenant_a.facilitator)
    with pytest.raises(RuleViolation):
        project_services.budget_line_record(
            project=tenant_a.project,
            partner="Trust",
            purpose="Van",
            amount=Decimal("500"),
            authority="The project manager",
            actor=tenant_a.facilitator,
        )
    passed = result(tenant_a, Rule.BOARD_7)
    assert passed.status == Status.PASS
    assert "1 budget change(s)" in passed.explanation
    assert ("decision", entry.sequence) in {(e.kind, e.id) for e in passed.evidence}
    assert "1 attempt to break it was refused" in passed.explanation
    # A change recorded without a decision (as a write around the services would leave it).
    with scopes_disabled():
        audit_record(
            organisation=tenant_a.organisation,
            project=tenant_a.project,
            actor=tenant_a.facilitator,
            action="projects.budget_line.changed",
            rule=Rule.BOARD_7,
            data={"authority": "The project manager"},
        )
    failed = result(tenant_a, Rule.BOARD_7)
    assert failed.status == Status.FAIL
    assert "audit_event" in kinds(failed)


@pytest.mark.rule("BOARD-7")
def test_before_the_board_governs_budget_is_not_its_yet(tenant_a: Tenant, board: Body) -> None:
    assert result(tenant_a, Rule.BOARD_7).status == Status.NA


# --- BOARD-8, GROUP-7 --------------------------------------------------------------------


@pytest.mark.rule("BOARD-8")
def test_agreed_decisions_stand_and_impossible_ones_return(
    tenant_a: Tenant, active_board, in_org_a: None
) -> None:
    board, seats = active_board
    item = decisions.item_propose(body=board, title="Rent the hall", actor=tenant_a.facilitator)
    entry = run_vote(item, seats, "ffffffffff", tenant_a.facilitator)
    with pytest.raises(RuleViolation):
        decisions.decision_override_refused(item=item, actor=tenant_a.member, attempt="void")
    decisions.implementation_update(
        entry=entry, status="cannot", return_reason="The hall was sold.", actor=tenant_a.facilitator
    )
    passed = result(tenant_a, Rule.BOARD_8)
    assert passed.status == Status.PASS
    assert {"item", "audit_event"} <= kinds(passed)
    assert "came back to the Project Board" in passed.explanation
    second = decisions.item_propose(body=board, title="Buy a van", actor=tenant_a.facilitator)
    lost = run_vote(second, seats, "ffffffffff", tenant_a.facilitator)
    with scopes_disabled():
        ImplementationUpdate.objects.create(entry=lost, status="cannot", note="Dropped quietly")
    failed = result(tenant_a, Rule.BOARD_8)
    assert failed.status == Status.FAIL
    assert failed.evidence[0].id == lost.sequence


@pytest.mark.rule("GROUP-7")
def test_group_decisions_stand_unless_the_ledger_breaks(
    tenant_a: Tenant, overview: Body, in_org_a: None
) -> None:
    seats = voters(overview, "NNNP")
    activate_directly(overview)
    item = decisions.item_propose(body=overview, title="Quiet room", actor=tenant_a.facilitator)
    entry = run_vote(item, seats, "ffff", tenant_a.facilitator)
    assert result(tenant_a, Rule.GROUP_7).status == Status.PASS
    tamper(entry.pk)
    failed = result(tenant_a, Rule.GROUP_7)
    assert failed.status == Status.FAIL
    assert "does not verify" in failed.explanation


def tamper(entry_pk: int) -> None:
    """Edit a ledger row beneath the application, as someone with database
    access could after lifting the guard."""
    remove_ledger_guard(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE boards_decisionentry SET payload = REPLACE(payload, '\"agreed\"', '\"rejected\"') "
                "WHERE id = %s",
                [entry_pk],
            )
    finally:
        install_ledger_guard(connection)


# --- BOARD-9 and GROUP-8 ---------------------------------------------------------------------


@pytest.mark.rule("BOARD-9")
def test_board_cadence_as_of_march_and_may(tenant_a: Tenant, active_board) -> None:
    board, _seats = active_board
    governing_from(board, datetime.date(2026, 1, 10))
    held_meeting(board, datetime.date(2026, 2, 1))
    held_meeting(board, datetime.date(2026, 3, 10))
    march = result(tenant_a, Rule.BOARD_9, datetime.date(2026, 3, 1))
    assert march.status == Status.PASS, march.explanation
    may = result(tenant_a, Rule.BOARD_9, datetime.date(2026, 5, 1))
    assert may.status == Status.FAIL
    assert "no meeting held for 52 days" in may.explanation


@pytest.mark.rule("BOARD-9")
def test_items_past_their_deadline(tenant_a: Tenant, active_board) -> None:
    board, _seats = active_board
    governing_from(board, datetime.date(2026, 1, 10))
    held_meeting(board, datetime.date(2026, 2, 20))
    with scopes_disabled():
        item = AgendaItem.objects.create(body=board, title="Cafe tender", deadline=datetime.date(2026, 2, 25))
        AgendaItem.objects.filter(pk=item.pk).update(
            created_at=timezone.make_aware(datetime.datetime(2026, 2, 1, 10))
        )
    failed = result(tenant_a, Rule.BOARD_9, datetime.date(2026, 3, 1))
    assert failed.status == Status.FAIL
    assert ("item", item.pk) in {(e.kind, e.id) for e in failed.evidence}
    before = result(tenant_a, Rule.BOARD_9, datetime.date(2026, 2, 21))  # the deadline is still ahead
    assert before.status == Status.WARN
    assert "no meeting scheduled" in before.explanation


@pytest.mark.rule("GROUP-8")
def test_group_reviews_milestones_and_meets(tenant_a: Tenant, overview: Body) -> None:
    fill(overview, "NNNP")
    governing_from(overview, datetime.date(2026, 1, 10))
    meeting = held_meeting(overview, datetime.date(2026, 2, 15))
    with scopes_disabled():
        Milestone.objects.filter(project=tenant_a.project).delete()
        milestone = Milestone.objects.create(
            project=tenant_a.project, title="Building handed over", due_on=datetime.date(2026, 2, 10)
        )
    warned = result(tenant_a, Rule.GROUP_8, datetime.date(2026, 3, 1))
    assert warned.status == Status.WARN
    assert ("milestone", milestone.pk) in {(e.kind, e.id) for e in warned.evidence}
    with scopes_disabled():
        review = MilestoneReview.objects.create(
            milestone=milestone, meeting=meeting, summary="Checked the keys."
        )
        MilestoneReview.objects.filter(pk=review.pk).update(recorded_at=meeting.scheduled_at)
    held_meeting(overview, datetime.date(2026, 3, 20))
    passed = result(tenant_a, Rule.GROUP_8, datetime.date(2026, 3, 1))
    assert passed.status == Status.PASS, passed.explanation
    assert "all 1 milestone(s)" in passed.explanation
    stopped = result(tenant_a, Rule.GROUP_8, datetime.date(2026, 6, 1))
    assert stopped.status == Status.FAIL  # no meeting since 20 March
    with scopes_disabled():
        other = Milestone.objects.create(
            project=tenant_a.project,
            title="Opened",
            due_on=datetime.date(2026, 2, 20),
            completed_on=datetime.date(2026, 2, 25),
        )
    failed = result(tenant_a, Rule.GROUP_8, datetime.date(2026, 3, 1))
    assert failed.status == Status.FAIL
    assert ("milestone", other.pk) in {(e.kind, e.id) for e in failed.evidence}


# --- GROUP-6 ---------------------------------------------------------------------------------


@pytest.mark.rule("GROUP-6")
def test_group_decisions_carried_out_or_returned(tenant_a: Tenant, overview: Body, in_org_a: None) -> None:
    assert result(tenant_a, Rule.GROUP_6).status == Status.NA
    seats = voters(overview, "NNNP")
    activate_directly(overview)
    item = decisions.item_propose(body=overview, title="Peer mentors", actor=tenant_a.facilitator)
    entry = run_vote(item, seats, "ffff", tenant_a.facilitator)
    in_hand = result(tenant_a, Rule.GROUP_6)
    assert in_hand.status == Status.PASS and "1 in hand" in in_hand.explanation
    stalled = result(tenant_a, Rule.GROUP_6, TODAY + datetime.timedelta(days=61))
    assert stalled.status == Status.FAIL
    assert stalled.evidence[0].id == entry.sequence
    decisions.implementation_update(
        entry=entry,
        status="cannot",
        return_reason="No funding this year",
        return_information="Budget report 2026/27",
        return_resources="Two facilitated workshops",
        return_skills="The volunteer coordinator",
        actor=tenant_a.facilitator,
    )
    assert result(tenant_a, Rule.GROUP_6, TODAY + datetime.timedelta(days=61)).status == Status.PASS
    with scopes_disabled():
        AgendaItem.objects.filter(kind="return").update(return_skills="")
    failed = result(tenant_a, Rule.GROUP_6)
    assert failed.status == Status.FAIL
    assert "skills" in failed.evidence[0].label


# --- BOARD-10, GROUP-9 ----------------------------------------------------------------------


@pytest.mark.rule("BOARD-10")
def test_board_in_control_until_it_closes_the_project(tenant_a: Tenant, active_board, in_org_a: None) -> None:
    board, seats = active_board
    assert result(tenant_a, Rule.BOARD_10).status == Status.PASS
    item = decisions.item_propose(
        body=board, title="We are done", kind="close_project", actor=tenant_a.facilitator
    )
    entry = run_vote(item, seats, "ffffffffff", tenant_a.facilitator)
    closed = result(tenant_a, Rule.BOARD_10)
    assert closed.status == Status.PASS
    assert ("decision", entry.sequence) in {(e.kind, e.id) for e in closed.evidence}
    assert result(tenant_a, Rule.GROUP_9).status == Status.PASS


@pytest.mark.rule("BOARD-10")
@pytest.mark.rule("GROUP-9")
def test_bodies_dissolved_while_open_fail(tenant_a: Tenant, board: Body, overview: Body) -> None:
    assert result(tenant_a, Rule.BOARD_10).status == Status.WARN  # still forming
    with scopes_disabled():
        Body.objects.filter(pk=board.pk).update(status="closed")
        Body.objects.filter(pk=overview.pk).update(status="suspended")
    assert result(tenant_a, Rule.BOARD_10).status == Status.FAIL
    assert result(tenant_a, Rule.GROUP_9).status == Status.WARN


@pytest.mark.rule("GROUP-9")
def test_status_is_rewound_to_the_report_date(tenant_a: Tenant, overview: Body) -> None:
    """Active in March, dissolved in May (recorded): March still passes."""
    fill(overview, "NNNP")
    governing_from(overview, datetime.date(2026, 1, 10))
    with time_travel(datetime.datetime(2026, 4, 15, 12)), scopes_disabled():
        Body.objects.filter(pk=overview.pk).update(status="closed")
        audit_record(
            organisation=tenant_a.organisation,
            project=tenant_a.project,
            actor=None,
            action="boards.body.closed",
            obj=overview,
            data={"status": ["active", "closed"]},
        )
    assert result(tenant_a, Rule.GROUP_9, datetime.date(2026, 3, 1)).status == Status.PASS
    assert result(tenant_a, Rule.GROUP_9, datetime.date(2026, 5, 1)).status == Status.FAIL


def time_travel(moment: datetime.datetime):
    import time_machine

    return time_machine.travel(timezone.make_aware(moment), tick=False)


# --- LEDGER-1, LEDGER-2 -------------------------------------------------------------------------


@pytest.mark.rule("LEDGER-1")
def test_ledger_chain_verifies_as_of_a_date(tenant_a: Tenant, active_board, in_org_a: None) -> None:
    board, seats = active_board
    assert result(tenant_a, Rule.LEDGER_1).status == Status.PASS  # guard installed, no entries yet
    first = run_vote(
        decisions.item_propose(body=board, title="One", actor=tenant_a.facilitator),
        seats,
        "ffffffffff",
        tenant_a.facilitator,
    )
    second = run_vote(
        decisions.item_propose(body=board, title="Two", actor=tenant_a.facilitator),
        seats,
        "ffffffffff",
        tenant_a.facilitator,
    )
    passed = result(tenant_a, Rule.LEDGER_1)
    assert passed.status == Status.PASS
    assert passed.evidence[0].id == second.sequence
    assert second.entry_hash in passed.evidence[0].label
    tamper(first.pk)
    failed = result(tenant_a, Rule.LEDGER_1)
    assert failed.status == Status.FAIL
    assert failed.evidence[0].id == first.sequence


@pytest.mark.rule("LEDGER-1")
def test_missing_guard_fails(tenant_a: Tenant) -> None:
    remove_ledger_guard(connection)
    try:
        failed = result(tenant_a, Rule.LEDGER_1)
    finally:
        install_ledger_guard(connection)
    assert failed.status == Status.FAIL
    assert "triggers" in failed.explanation


@pytest.mark.rule("LEDGER-2")
def test_votes_meet_the_share(tenant_a: Tenant, active_board, in_org_a: None) -> None:
    board, seats = active_board
    item = decisions.item_propose(body=board, title="Longer hours", actor=tenant_a.facilitator)
    not_quorate = run_vote(item, seats, "----ffffff", tenant_a.facilitator)  # professionals alone
    assert not_quorate.outcome == "not_quorate"
    run_vote(item, seats, "ffffffffff", tenant_a.facilitator)
    passed = result(tenant_a, Rule.LEDGER_2)
    assert passed.status == Status.PASS
    assert ("decision", not_quorate.sequence) in {(e.kind, e.id) for e in passed.evidence}
    with scopes_disabled():
        Body.objects.filter(pk=board.pk).update(votes_must_meet_share=False)
    assert result(tenant_a, Rule.LEDGER_2).status == Status.WARN
    with scopes_disabled():
        Body.objects.filter(pk=board.pk).update(votes_must_meet_share=True)
    professionals = [{"seat": seat.pk, "capacity": "professional", "choice": "for"} for seat in seats[4:]]
    crafted = crafted_entry(board, professionals)
    failed = result(tenant_a, Rule.LEDGER_2)
    assert failed.status == Status.FAIL
    assert failed.evidence[0].id == crafted.sequence


# --- TEAM-10, TENANT-1 ----------------------------------------------------------------------------


@pytest.mark.rule("TEAM-10")
def test_public_page_shows_the_bodies(tenant_a: Tenant) -> None:
    passed = result(tenant_a, Rule.TEAM_10)
    assert passed.status == Status.PASS
    assert passed.evidence[0].url == f"/p/{tenant_a.organisation.slug}/{tenant_a.project.slug}/"
    with scopes_disabled():
        Body.objects.filter(project=tenant_a.project).delete()
    assert result(tenant_a, Rule.TEAM_10).status == Status.WARN


@pytest.mark.rule("TENANT-1")
def test_records_stay_inside_the_organisation(tenant_a: Tenant, tenant_b: Tenant, board: Body) -> None:
    fill(board, "NNP")
    passed = result(tenant_a, Rule.TENANT_1)
    assert passed.status == Status.PASS
    assert "All 3 seats" in passed.explanation
    with scopes_disabled():
        outsider = PersonFactory(organisation=tenant_b.organisation)
        seat = Seat.objects.create(
            body=board, person=outsider, capacity="carer", term_start=datetime.date(2026, 1, 5)
        )
    failed = result(tenant_a, Rule.TENANT_1)
    assert failed.status == Status.FAIL
    assert ("seat", seat.pk) in {(e.kind, e.id) for e in failed.evidence}


def test_every_rule_has_exactly_one_evaluator() -> None:
    from projects.compliance import load_evaluators

    assert set(load_evaluators()) == set(Rule)
