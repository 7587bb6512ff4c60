"""BOARD-6 and GROUP-5: a fair dispute procedure agreed by the body, that the
project team cannot short-circuit."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from boards import decisions
from boards.models import Body, Seat
from coprod.errors import NotAllowed, RuleViolation
from coprod.rulebook import Rule
from disputes import services
from disputes.models import Dispute, DisputeProcedure, StageKind
from projects.models import AuditEvent
from tests.boards.conftest import activate_directly, voters
from tests.boards.test_decisions import run_vote, user_of
from tests.conftest import Tenant
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def agree_procedure(body: Body, seats: list[Seat], facilitator, proposal=None) -> DisputeProcedure:
    item = decisions.item_propose(
        body=body,
        title="Our dispute procedure",
        kind="dispute_procedure",
        proposal=proposal or {"template": "default"},
        actor=facilitator,
    )
    run_vote(item, seats, "f" * len(seats), facilitator)
    return services.current_procedure(body)


def refusals(rule: str) -> int:
    with scopes_disabled():
        return AuditEvent.objects.filter(action__startswith="refused.", rule=rule).count()


@pytest.mark.rule("BOARD-6")
def test_no_dispute_before_a_procedure_is_agreed(tenant_a: Tenant, active_board, in_org_a: None) -> None:
    board, seats = active_board
    with pytest.raises(RuleViolation) as refused:
        services.dispute_raise(body=board, summary="Hours cut without us", actor=user_of(seats[0]))
    assert refused.value.rule == Rule.BOARD_6
    assert not Dispute.objects.exists()


@pytest.mark.rule("BOARD-6")
def test_body_agrees_its_procedure_by_decision(tenant_a: Tenant, active_board, in_org_a: None) -> None:
    board, seats = active_board
    procedure = agree_procedure(board, seats, tenant_a.facilitator)
    assert [stage["kind"] for stage in procedure.stages] == [
        "facilitated_discussion",
        "mediation",
        "referral",
        "body_vote",
    ]
    assert procedure.agreed_by.outcome == "agreed"
    custom = agree_procedure(
        board,
        seats,
        tenant_a.facilitator,
        {"stages": [{"kind": "mediation", "days": 10}, {"kind": "body_vote", "days": 7}]},
    )
    assert DisputeProcedure.objects.get(pk=procedure.pk).is_current is False
    assert custom.is_current
    with pytest.raises(ValidationError):
        decisions.item_propose(
            body=board,
            title="Bad",
            kind="dispute_procedure",
            proposal={"stages": [{"kind": "duel", "days": 1}]},
            actor=tenant_a.facilitator,
        )


@pytest.mark.rule("BOARD-6")
def test_dispute_moves_through_stages_and_ends_by_agreement(
    tenant_a: Tenant, active_board, in_org_a: None
) -> None:
    board, seats = active_board
    agree_procedure(board, seats, tenant_a.facilitator)
    dispute = services.dispute_raise(
        body=board,
        summary="The decision to close on Fridays ignores carers",
        outcome_sought="Keep Friday afternoons open",
        respondents=[seats[5]],
        actor=user_of(seats[0]),
    )
    assert dispute.current_stage == 1 and dispute.stages.get().kind == StageKind.FACILITATED_DISCUSSION
    services.stage_record(
        dispute=dispute, notes="Met at the library", result="No agreement yet", actor=tenant_a.facilitator
    )
    services.stage_advance(dispute=dispute, actor=tenant_a.facilitator)
    dispute.refresh_from_db()
    assert dispute.current_stage == 2
    mediator = PersonFactory(organisation=tenant_a.organisation, name="Independent Mediator")
    services.stage_record(
        dispute=dispute,
        mediator=mediator,
        notes="Mediation held",
        result="Proposal: open Fridays 1-4pm",
        actor=tenant_a.facilitator,
    )
    services.party_agree(dispute=dispute, actor=user_of(seats[0]))
    dispute.refresh_from_db()
    assert dispute.status == "open"
    services.party_agree(dispute=dispute, actor=user_of(seats[5]))
    dispute.refresh_from_db()
    assert dispute.status == "agreed" and dispute.closed_at is not None


@pytest.mark.rule("BOARD-6")
def test_a_party_or_project_team_cannot_mediate(tenant_a: Tenant, active_board, in_org_a: None) -> None:
    board, seats = active_board
    agree_procedure(
        board,
        seats,
        tenant_a.facilitator,
        {"stages": [{"kind": "mediation", "days": 10}, {"kind": "body_vote", "days": 7}]},
    )
    dispute = services.dispute_raise(body=board, summary="S", respondents=[seats[5]], actor=user_of(seats[0]))
    with pytest.raises(RuleViolation) as refused:
        services.stage_record(
            dispute=dispute, mediator=seats[5].person, notes="x", actor=tenant_a.facilitator
        )
    assert refused.value.rule == Rule.BOARD_6
    manager = PersonFactory(organisation=tenant_a.organisation, user=tenant_a.member)
    with scopes_disabled():
        from guardian.shortcuts import assign_perm

        assign_perm("projects.manage_project", tenant_a.member, tenant_a.project)
    with pytest.raises(RuleViolation) as refused:
        services.stage_record(dispute=dispute, mediator=manager, notes="x", actor=tenant_a.facilitator)
    assert "project team" in refused.value.message
    assert refusals("BOARD-6") == 2


@pytest.mark.rule("BOARD-6")
def test_project_team_and_facilitators_cannot_close_withdraw_or_agree_for_others(
    tenant_a: Tenant, active_board, in_org_a: None
) -> None:
    board, seats = active_board
    agree_procedure(board, seats, tenant_a.facilitator)
    dispute = services.dispute_raise(body=board, summary="S", respondents=[seats[5]], actor=user_of(seats[0]))
    for actor in (tenant_a.facilitator, tenant_a.admin, user_of(seats[5])):
        with pytest.raises(RuleViolation) as refused:
            services.dispute_withdraw(dispute=dispute, actor=actor)
        assert refused.value.rule == Rule.BOARD_6
    with pytest.raises(RuleViolation):
        services.dispute_close_directly(dispute=dispute, actor=tenant_a.facilitator)
    with pytest.raises(RuleViolation):
        services.party_agree(dispute=dispute, actor=tenant_a.facilitator)
    dispute.refresh_from_db()
    assert dispute.status == "open"
    assert refusals("BOARD-6") == 5
    services.dispute_withdraw(dispute=dispute, actor=user_of(seats[0]), reason="Sorted informally")
    dispute.refresh_from_db()
    assert dispute.status == "withdrawn"


@pytest.mark.rule("BOARD-6")
def test_the_body_vote_stage_decides_the_dispute(tenant_a: Tenant, active_board, in_org_a: None) -> None:
    board, seats = active_board
    agree_procedure(board, seats, tenant_a.facilitator, {"stages": [{"kind": "body_vote", "days": 14}]})
    dispute = services.dispute_raise(body=board, summary="S", respondents=[seats[5]], actor=user_of(seats[0]))
    assert dispute.decision_item is not None and dispute.decision_item.kind == "dispute_decision"
    entry = run_vote(dispute.decision_item, seats, "ffffffaaaa", tenant_a.facilitator)
    dispute.refresh_from_db()
    assert dispute.status == "decided" and dispute.closing_entry == entry


@pytest.mark.rule("BOARD-6")
def test_a_tie_sent_to_disputes_opens_one(tenant_a: Tenant, active_board, in_org_a: None) -> None:
    board, seats = active_board
    agree_procedure(board, seats, tenant_a.facilitator)
    ties = decisions.item_propose(
        body=board,
        title="Ties go to disputes",
        kind="tie_procedure",
        proposal={"procedure": "dispute"},
        actor=tenant_a.facilitator,
    )
    run_vote(ties, seats, "ffffffffff", tenant_a.facilitator)
    item = decisions.item_propose(body=board, title="Move the service", actor=tenant_a.facilitator)
    run_vote(item, seats, "ffaaffaass", tenant_a.facilitator)
    dispute = Dispute.objects.get(item=item)
    assert dispute.current_stage == 1
    assert dispute.parties.filter(side="raising").count() == 4
    assert dispute.parties.filter(side="responding").count() == 4


@pytest.mark.rule("GROUP-5")
def test_group_disputes_follow_the_group_procedure(tenant_a: Tenant, overview: Body, in_org_a: None) -> None:
    seats = voters(overview, "NNNP")
    activate_directly(overview)
    with pytest.raises(RuleViolation) as refused:
        services.dispute_raise(body=overview, summary="S", actor=user_of(seats[0]))
    assert refused.value.rule == Rule.GROUP_5
    agree_procedure(overview, seats, tenant_a.facilitator)
    dispute = services.dispute_raise(
        body=overview, summary="S", respondents=[seats[3]], actor=user_of(seats[0])
    )
    with pytest.raises(RuleViolation) as refused:
        services.dispute_withdraw(dispute=dispute, actor=tenant_a.facilitator)
    assert refused.value.rule == Rule.GROUP_5


def test_only_seat_holders_raise(tenant_a: Tenant, active_board, in_org_a: None) -> None:
    board, seats = active_board
    agree_procedure(board, seats, tenant_a.facilitator)
    with pytest.raises(NotAllowed):
        services.dispute_raise(body=board, summary="S", actor=tenant_a.facilitator)


@pytest.mark.rule("BOARD-6")
@pytest.mark.rule("GROUP-5")
def test_compliance_fails_until_a_procedure_is_agreed(tenant_a: Tenant, active_board, in_org_a: None) -> None:
    import datetime

    from projects.compliance import Status, evaluate

    board, seats = active_board
    today = datetime.date.today()
    board_result, group_result = evaluate(tenant_a.project, today, [Rule.BOARD_6, Rule.GROUP_5])
    assert board_result.status == Status.FAIL and group_result.status == Status.FAIL
    agree_procedure(board, seats, tenant_a.facilitator)
    (board_result,) = evaluate(tenant_a.project, today, [Rule.BOARD_6])
    assert board_result.status == Status.PASS
    assert board_result.evidence[0].kind == "decision"
