"""Report-side evaluators of composition and involvement, with "as of" dates."""

from __future__ import annotations

import datetime

import pytest
from django_scopes import scopes_disabled

from boards.models import Body, Seat
from coprod.rulebook import Rule
from projects.compliance import Status, evaluate, load_evaluators
from projects.models import Phase
from stakeholders.models import StakeholderGroup
from tests.boards.conftest import activate_directly, fill, seat_directly
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db
MARCH = datetime.date(2026, 3, 1)


def result(tenant: Tenant, rule: Rule, as_of: datetime.date = MARCH):
    with scopes_disabled():
        (found,) = evaluate(tenant.project, as_of, [rule])
    return found


def group(tenant: Tenant, name: str, **fields) -> StakeholderGroup:
    with scopes_disabled():
        return StakeholderGroup.objects.create(
            project=tenant.project,
            name=name,
            affected=fields.get("affected", "directly"),
            impact=fields.get("impact", "positive"),
            is_professional=fields.get("is_professional", False),
        )


def test_each_rule_has_at_most_one_evaluator() -> None:
    registry = load_evaluators()
    assert Rule.TEAM_1 in registry and Rule.GROUP_1 in registry


@pytest.mark.rule("BOARD-4")
def test_share_as_of_a_past_date(tenant_a: Tenant, board: Body) -> None:
    seats = fill(board, "NNNPPPPPPP")
    activate_directly(board)
    with scopes_disabled():
        Seat.objects.filter(pk=seats[0].pk).update(term_end=datetime.date(2026, 4, 1), is_open=False)
    assert result(tenant_a, Rule.BOARD_4, MARCH).status == Status.PASS
    may = result(tenant_a, Rule.BOARD_4, datetime.date(2026, 5, 1))
    assert may.status == Status.FAIL
    assert "2 of 9" in may.explanation


@pytest.mark.rule("GROUP-3")
def test_group_share_report(tenant_a: Tenant, overview: Body) -> None:
    assert result(tenant_a, Rule.GROUP_3).status == Status.NA
    fill(overview, "NNPP")
    failed = result(tenant_a, Rule.GROUP_3)
    assert failed.status == Status.FAIL
    assert {e.kind for e in failed.evidence} == {"body", "seat"}


@pytest.mark.rule("BOARD-2")
def test_board_2_report(tenant_a: Tenant, board: Body) -> None:
    carers = group(tenant_a, "Carers", affected="indirectly")
    fill(board, "N")
    failed = result(tenant_a, Rule.BOARD_2)
    assert failed.status == Status.FAIL
    assert [e.id for e in failed.evidence] == [carers.pk]
    seat_directly(board, "carer", carers)
    assert result(tenant_a, Rule.BOARD_2).status == Status.PASS


@pytest.mark.rule("BOARD-1")
def test_board_1_report(tenant_a: Tenant, board: Body) -> None:
    assert result(tenant_a, Rule.BOARD_1).status == Status.WARN  # forming
    activate_directly(board)
    assert result(tenant_a, Rule.BOARD_1).status == Status.PASS
    with scopes_disabled():
        Body.objects.filter(pk=board.pk).update(remit_plan=False)
    failed = result(tenant_a, Rule.BOARD_1)
    assert failed.status == Status.FAIL and "adherence to the plan" in failed.explanation


@pytest.mark.rule("GROUP-1")
def test_group_1_cap_and_separation(tenant_a: Tenant, board: Body, overview: Body) -> None:
    seats = fill(board, "NNP")
    with scopes_disabled():
        for seat in seats:
            Seat.objects.create(
                body=overview, person=seat.person, capacity=seat.capacity, term_start=seat.term_start
            )
    same = result(tenant_a, Rule.GROUP_1)
    assert same.status == Status.WARN and "same members" in same.explanation
    fill(overview, "N")
    assert result(tenant_a, Rule.GROUP_1).status == Status.PASS
    fill(overview, "TTT")
    assert result(tenant_a, Rule.GROUP_1).status == Status.FAIL


@pytest.mark.rule("TEAM-1")
def test_team_1_terms_and_phases(tenant_a: Tenant, board: Body) -> None:
    assert result(tenant_a, Rule.TEAM_1).status == Status.NA
    seat = seat_directly(board, "carer")
    assert result(tenant_a, Rule.TEAM_1).status == Status.FAIL  # no phases
    with scopes_disabled():
        phase = Phase.objects.create(
            project=tenant_a.project, name="Scoping", starts_on=MARCH, ends_on=datetime.date(2026, 6, 30)
        )
    warned = result(tenant_a, Rule.TEAM_1)
    assert warned.status == Status.WARN and warned.evidence[0].id == seat.pk
    with scopes_disabled():
        Seat.objects.filter(pk=seat.pk).update(phase=phase)
    assert result(tenant_a, Rule.TEAM_1).status == Status.PASS


@pytest.mark.rule("TEAM-2")
def test_team_2_zero_fails_imbalance_warns(tenant_a: Tenant, board: Body, overview: Body) -> None:
    carers = group(tenant_a, "Carers")
    fill(board, "NNNNN")  # five for service users
    assert result(tenant_a, Rule.TEAM_2).status == Status.FAIL
    seat_directly(overview, "carer", carers)
    seat_directly(overview, "carer", carers)
    warned = result(tenant_a, Rule.TEAM_2)
    assert warned.status == Status.WARN and "more than twice" in warned.explanation
    seat_directly(overview, "carer", carers)
    assert result(tenant_a, Rule.TEAM_2).status == Status.PASS


@pytest.mark.rule("TEAM-3")
def test_team_3_every_group_in_every_phase(tenant_a: Tenant, board: Body) -> None:
    with scopes_disabled():
        Phase.objects.create(
            project=tenant_a.project,
            name="Scoping",
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 3, 31),
        )
        Phase.objects.create(
            project=tenant_a.project,
            name="Pilot",
            starts_on=datetime.date(2026, 7, 1),
            ends_on=datetime.date(2026, 12, 31),
        )
    seat_directly(board, "service_user", term_end=datetime.date(2026, 5, 1))
    warned = result(tenant_a, Rule.TEAM_3)
    assert warned.status == Status.WARN and "Pilot" in warned.explanation
    failed = result(tenant_a, Rule.TEAM_3, datetime.date(2026, 8, 1))
    assert failed.status == Status.FAIL
    seat_directly(board, "service_user", term_start=datetime.date(2026, 6, 1))
    assert result(tenant_a, Rule.TEAM_3, datetime.date(2026, 8, 1)).status == Status.PASS


@pytest.mark.rule("TEAM-4")
def test_team_4_negatively_affected_seated(tenant_a: Tenant, board: Body) -> None:
    assert result(tenant_a, Rule.TEAM_4).status == Status.NA
    residents = group(tenant_a, "Neighbours", impact="negative")
    assert result(tenant_a, Rule.TEAM_4).status == Status.FAIL
    seat_directly(board, "public", residents)
    assert result(tenant_a, Rule.TEAM_4).status == Status.PASS


@pytest.mark.rule("TEAM-5")
def test_team_5_front_line_and_implementers(tenant_a: Tenant, board: Body) -> None:
    assert result(tenant_a, Rule.TEAM_5).status == Status.FAIL
    fill(board, "P")
    assert result(tenant_a, Rule.TEAM_5).status == Status.WARN
    seat_directly(board, "technician")
    assert result(tenant_a, Rule.TEAM_5).status == Status.PASS


@pytest.mark.rule("TEAM-6")
def test_team_6_indirectly_affected_involved(tenant_a: Tenant, board: Body) -> None:
    assert result(tenant_a, Rule.TEAM_6).status == Status.WARN
    carers = group(tenant_a, "Carers", affected="indirectly")
    assert result(tenant_a, Rule.TEAM_6).status == Status.FAIL
    seat_directly(board, "carer", carers)
    assert result(tenant_a, Rule.TEAM_6).status == Status.PASS


def test_report_costs_a_fixed_number_of_queries(tenant_a: Tenant, board: Body) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fill(board, "NNNPPP")
    with scopes_disabled(), CaptureQueriesContext(connection) as small:
        evaluate(tenant_a.project, MARCH)
    fill(board, "NNNPPP" * 8)
    with scopes_disabled(), CaptureQueriesContext(connection) as large:
        evaluate(tenant_a.project, MARCH)
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(small.captured_queries) <= 35


@pytest.mark.rule("TEAM-8")
def test_team_8_every_group_votes(tenant_a: Tenant, board: Body) -> None:
    from django_scopes import scope

    from boards import decisions
    from tests.boards.conftest import voters

    carers = group(tenant_a, "Carers", affected="indirectly")
    seats = voters(board, "NNNP")
    activate_directly(board)
    assert result(tenant_a, Rule.TEAM_8).status == Status.NA
    with scope(organisation=tenant_a.organisation):
        item = decisions.item_propose(body=board, title="Hours", actor=tenant_a.facilitator)
        decisions.voting_open(item=item, actor=tenant_a.facilitator)
        decisions.vote_cast(item=item, seat=seats[0], choice="for", actor=seats[0].person.user)
    today = datetime.date.today()
    assert result(tenant_a, Rule.TEAM_8, today).status == Status.NA  # a vote counts once it closes
    with scope(organisation=tenant_a.organisation):
        decisions.voting_close(item=item, actor=tenant_a.facilitator)
    warned = result(tenant_a, Rule.TEAM_8, today)
    assert warned.status == Status.WARN and warned.evidence[0].id == carers.pk
    carer_seat = voters(board, "C")[0]
    with scopes_disabled():
        carer_seat.stakeholder_group = carers
        carer_seat.save(update_fields=["stakeholder_group"])
    with scope(organisation=tenant_a.organisation):
        second = decisions.item_propose(body=board, title="Days", actor=tenant_a.facilitator)
        decisions.voting_open(item=second, actor=tenant_a.facilitator)
        decisions.vote_cast(item=second, seat=carer_seat, choice="for", actor=carer_seat.person.user)
        decisions.voting_close(item=second, actor=tenant_a.facilitator)
    assert result(tenant_a, Rule.TEAM_8, today).status == Status.PASS
