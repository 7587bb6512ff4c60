"""How bodies decide: equal votes, quorate shares, ties, effects only through
the ledger, no overrides, and returns that carry what is needed."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from boards import decisions
from boards.models import AgendaItem, Body, DecisionEntry, ImplementationUpdate, Seat, Vote
from coprod.errors import Conflict, NotAllowed, RuleViolation
from coprod.rulebook import Rule
from projects import services as project_services
from projects.models import AuditEvent, BudgetLine, Milestone, Project
from tests.boards.conftest import activate_directly, voters
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db


def user_of(seat: Seat):
    return seat.person.user


def run_vote(item: AgendaItem, seats: list[Seat], choices: str, closer) -> DecisionEntry:
    """choices: one letter per seat, f(or), a(gainst), s (abstain), - (no vote)."""
    decisions.voting_open(item=item, actor=closer)
    for seat, letter in zip(seats, choices, strict=False):
        if letter == "-":
            continue
        choice = {"f": "for", "a": "against", "s": "abstain"}[letter]
        decisions.vote_cast(item=item, seat=seat, choice=choice, actor=user_of(seat))
    return decisions.voting_close(item=item, actor=closer)


def refusals(rule: str) -> int:
    with scopes_disabled():
        return AuditEvent.objects.filter(action__startswith="refused.", rule=rule).count()


@pytest.mark.rule("BOARD-5")
def test_one_seat_one_vote_that_can_be_changed(tenant_a: Tenant, active_board, in_org_a: None) -> None:
    board, seats = active_board
    item = decisions.item_propose(body=board, title="Open on Saturdays", actor=user_of(seats[0]))
    decisions.voting_open(item=item, actor=tenant_a.facilitator)
    first = decisions.vote_cast(item=item, seat=seats[0], choice="for", actor=user_of(seats[0]))
    changed = decisions.vote_cast(item=item, seat=seats[0], choice="against", actor=user_of(seats[0]))
    assert Vote.objects.filter(item=item).count() == 1
    stored = Vote.objects.get(item=item)
    assert stored.choice == "against"
    # The service answers with the row it wrote, replaced in place.
    assert first.pk == changed.pk == stored.pk
    assert (changed.choice, changed.seat_id, changed.round) == ("against", seats[0].pk, stored.round)


@pytest.mark.rule("BOARD-5")
def test_no_proxy_votes(tenant_a: Tenant, active_board, in_org_a: None) -> None:
    board, seats = active_board
    item = decisions.item_propose(body=board, title="Proxy test", actor=tenant_a.facilitator)
    decisions.voting_open(item=item, actor=tenant_a.facilitator)
    with pytest.raises(RuleViolation) as refused:
        decisions.vote_cast(item=item, seat=seats[1], choice="for", actor=user_of(seats[0]))
    assert refused.value.rule == Rule.BOARD_5
    # A facilitator outside a held meeting cannot vote for anyone either.
    with pytest.raises(RuleViolation):
        decisions.vote_cast(item=item, seat=seats[1], choice="for", actor=tenant_a.facilitator)
    assert not Vote.objects.filter(item=item).exists()
    assert refusals("BOARD-5") == 2


@pytest.mark.rule("BOARD-5")
def test_show_of_hands_recorded_at_a_held_meeting(tenant_a: Tenant, active_board, in_org_a: None) -> None:
    from boards import services as body_services

    board, seats = active_board
    meeting = body_services.meeting_schedule(
        body=board,
        scheduled_at=datetime.datetime(2026, 1, 20, 18, 0, tzinfo=datetime.UTC),
        place="Library",
        actor=tenant_a.facilitator,
    )
    body_services.meeting_record_held(
        meeting=meeting, attended_seat_ids=[s.pk for s in seats], actor=tenant_a.facilitator
    )
    item = decisions.item_propose(body=board, title="Room hire", actor=tenant_a.facilitator)
    decisions.voting_open(item=item, actor=tenant_a.facilitator)
    vote = decisions.vote_cast(
        item=item, seat=seats[2], choice="for", actor=tenant_a.facilitator, meeting=meeting
    )
    assert vote.recorded_by == tenant_a.facilitator
    # The member corrects it while voting is open.
    vote = decisions.vote_cast(item=item, seat=seats[2], choice="abstain", actor=user_of(seats[2]))
    assert vote.choice == "abstain" and vote.recorded_by is None


@pytest.mark.rule("GROUP-4")
def test_group_members_speak_and_vote_equally(tenant_a: Tenant, overview: Body, in_org_a: None) -> None:
    seats = voters(overview, "NNNP")
    activate_directly(overview)
    item = decisions.item_propose(body=overview, title="Easy-read papers", actor=user_of(seats[3]))
    for seat in seats:
        decisions.comment_add(item=item, text=f"View of seat {seat.pk}", actor=user_of(seat))
    assert item.comments.count() == 4
    entry = run_vote(item, seats, "ffaa", tenant_a.facilitator)
    assert entry.outcome == "tied"
    with pytest.raises(RuleViolation) as refused:
        decisions.vote_cast(item=item, seat=seats[0], choice="for", actor=user_of(seats[1]))
    assert refused.value.rule in (Rule.GROUP_4,)


@pytest.mark.rule("LEDGER-2")
def test_professionals_cannot_decide_alone(tenant_a: Tenant, active_board, in_org_a: None) -> None:
    board, seats = active_board
    item = decisions.item_propose(body=board, title="Cut opening hours", actor=tenant_a.facilitator)
    # Only the six professionals vote: not quorate, the item stays open.
    entry = run_vote(item, seats, "----ffffff", tenant_a.facilitator)
    assert entry.outcome == "not_quorate"
    item.refresh_from_db()
    assert item.status == "open" and item.round == 2
    # Next round, two non-professionals of eight votes cast: 25% < 30%, still not quorate.
    entry = run_vote(item, seats, "ff--ffffff", tenant_a.facilitator)
    assert entry.outcome == "not_quorate"
    # Three of nine: quorate.
    entry = run_vote(item, seats, "faa-ffffff", tenant_a.facilitator)
    assert entry.outcome == "agreed"


@pytest.mark.rule("LEDGER-2")
def test_share_check_can_be_switched_off_per_body(tenant_a: Tenant, active_board, in_org_a: None) -> None:
    from boards import services as body_services

    board, seats = active_board
    body_services.body_update(body=board, actor=tenant_a.facilitator, votes_must_meet_share=False)
    board.refresh_from_db()
    item = decisions.item_propose(body=board, title="A", actor=tenant_a.facilitator)
    assert run_vote(item, seats, "----ffffff", tenant_a.facilitator).outcome == "agreed"


@pytest.mark.rule("BOARD-4")
def test_a_suspended_body_takes_no_decisions(tenant_a: Tenant, active_board, in_org_a: None) -> None:
    board, _seats = active_board
    item = decisions.item_propose(body=board, title="B", actor=tenant_a.facilitator)
    with scopes_disabled():
        Body.objects.filter(pk=board.pk).update(status="suspended", status_reason="A carer resigned")
    with pytest.raises(RuleViolation) as refused:
        decisions.voting_open(item=item, actor=tenant_a.facilitator)
    assert refused.value.rule == Rule.BOARD_4
    assert "A carer resigned" in refused.value.message


@pytest.mark.rule("BOARD-6")
def test_tie_fails_until_a_procedure_is_agreed(tenant_a: Tenant, active_board, in_org_a: None) -> None:
    board, seats = active_board
    item = decisions.item_propose(body=board, title="Tie", actor=tenant_a.facilitator)
    entry = run_vote(item, seats, "ffaaffaass", tenant_a.facilitator)
    assert entry.outcome == "tied"
    item.refresh_from_db()
    assert item.status == "rejected"


@pytest.mark.rule("BOARD-6")
@pytest.mark.rule("BOARD-3")
def test_chair_casting_vote_only_for_a_non_professional_chair(
    tenant_a: Tenant, active_board, in_org_a: None
) -> None:
    board, seats = active_board
    fac = tenant_a.facilitator
    procedure = decisions.item_propose(
        body=board,
        title="Ties: chair decides",
        kind="tie_procedure",
        proposal={"procedure": "chair"},
        actor=fac,
    )
    assert run_vote(procedure, seats, "ffffffffff", fac).outcome == "agreed"
    # A professional chair, appointed on merit, gets no casting vote.
    chair_item = decisions.item_propose(
        body=board,
        title="Appoint a chair",
        kind="chair_appointment",
        proposal={"seat": seats[5].pk, "merit": "Ran the day-service user forum for six years."},
        actor=fac,
    )
    assert run_vote(chair_item, seats, "ffffffffff", fac).outcome == "agreed"
    board.refresh_from_db()
    assert board.chair_seat == seats[5] and board.tie_procedure == "chair"
    tie = decisions.item_propose(body=board, title="Tie 1", actor=fac)
    entry = run_vote(tie, seats, "ffaaffaass", fac)  # seat 5 (the chair) voted for
    assert entry.outcome == "tied"
    # A service-user chair's vote settles the tie.
    chair_item = decisions.item_propose(
        body=board,
        title="Appoint a new chair",
        kind="chair_appointment",
        proposal={"seat": seats[0].pk, "merit": "Independent voice trusted by service users and staff."},
        actor=fac,
    )
    run_vote(chair_item, seats, "ffffffffff", fac)
    tie = decisions.item_propose(body=board, title="Tie 2", actor=fac)
    entry = run_vote(tie, seats, "ffaaffaass", fac)  # seat 0 (the chair) voted for
    assert entry.outcome == "agreed"
    assert '"tie_settled_by":"chair"' in entry.payload


@pytest.mark.rule("BOARD-3")
@pytest.mark.rule("GROUP-2")
def test_nobody_installs_a_chair_directly(
    tenant_a: Tenant, active_board, overview: Body, in_org_a: None
) -> None:
    board, seats = active_board
    with pytest.raises(RuleViolation) as refused:
        decisions.chair_set_directly(body=board, seat=seats[0], actor=tenant_a.admin)
    assert refused.value.rule == Rule.BOARD_3
    with pytest.raises(RuleViolation) as refused:
        decisions.chair_set_directly(body=overview, seat=seats[0], actor=tenant_a.admin)
    assert refused.value.rule == Rule.GROUP_2
    board.refresh_from_db()
    assert board.chair_seat is None
    with pytest.raises(ValidationError):
        decisions.item_propose(
            body=board,
            title="Chair",
            kind="chair_appointment",
            proposal={"seat": seats[0].pk, "merit": "short"},
            actor=tenant_a.facilitator,
        )


@pytest.mark.rule("BOARD-7")
def test_budget_changes_only_by_agreed_board_decision(tenant_a: Tenant, active_board, in_org_a: None) -> None:
    board, seats = active_board
    with pytest.raises(RuleViolation) as refused:
        project_services.budget_line_record(
            project=tenant_a.project,
            partner="Trust",
            purpose="Van",
            amount=Decimal("500"),
            authority="PM",
            actor=tenant_a.facilitator,
        )
    assert refused.value.rule == Rule.BOARD_7
    item = decisions.item_propose(
        body=board,
        title="Add transport budget",
        kind="budget_change",
        proposal={
            "changes": [{"action": "add", "partner": "Council", "purpose": "Minibus", "amount": "4200"}]
        },
        actor=user_of(seats[0]),
    )
    assert not BudgetLine.objects.filter(purpose="Minibus").exists()
    entry = run_vote(item, seats, "ffffffffff", tenant_a.facilitator)
    line = BudgetLine.objects.get(purpose="Minibus")
    assert line.amount == Decimal("4200.00")
    assert AuditEvent.objects.filter(
        action="projects.budget_line.recorded", data__authority=f"board decision #{entry.sequence}"
    ).exists()
    assert ImplementationUpdate.objects.get(entry=entry).status == "done"


@pytest.mark.rule("BOARD-7")
def test_personnel_and_plan_only_by_board_decision_once_it_governs(
    tenant_a: Tenant, active_board, in_org_a: None
) -> None:
    board, seats = active_board
    with pytest.raises(RuleViolation) as refused:
        project_services.project_grant_role(
            project=tenant_a.project, user=tenant_a.member, grant="manage_project", actor=tenant_a.admin
        )
    assert refused.value.rule == Rule.BOARD_7
    with pytest.raises(RuleViolation) as refused:
        project_services.milestone_add(
            project=tenant_a.project,
            title="Opening",
            due_on=datetime.date(2026, 9, 1),
            actor=tenant_a.facilitator,
        )
    assert refused.value.rule == Rule.BOARD_1
    appoint = decisions.item_propose(
        body=board,
        title="Appoint the project manager",
        kind="personnel",
        proposal={"action": "appoint", "user": tenant_a.member.pk, "role": "manage_project"},
        actor=tenant_a.facilitator,
    )
    run_vote(appoint, seats, "ffffffffff", tenant_a.facilitator)
    with scopes_disabled():
        member = type(tenant_a.member).objects.get(pk=tenant_a.member.pk)
    assert member.has_perm("projects.manage_project", tenant_a.project)
    plan = decisions.item_propose(
        body=board,
        title="Add the opening milestone",
        kind="plan_change",
        proposal={"milestones": [{"action": "add", "title": "Opening day", "due_on": "2026-09-01"}]},
        actor=tenant_a.facilitator,
    )
    run_vote(plan, seats, "ffffffffff", tenant_a.facilitator)
    assert Milestone.objects.filter(project=tenant_a.project, title="Opening day").exists()


@pytest.mark.rule("BOARD-10")
def test_only_a_board_decision_closes_the_project(tenant_a: Tenant, active_board, in_org_a: None) -> None:
    board, seats = active_board
    item = decisions.item_propose(
        body=board, title="We are done", kind="close_project", actor=tenant_a.facilitator
    )
    run_vote(item, seats, "ffffffffff", tenant_a.facilitator)
    project = Project.objects.get(pk=tenant_a.project.pk)
    assert project.status == "closed"
    assert set(Body.objects.filter(project=project).values_list("status", flat=True)) == {"closed"}


@pytest.mark.rule("BOARD-8")
def test_agreed_items_cannot_be_edited_or_overruled(tenant_a: Tenant, active_board, in_org_a: None) -> None:
    board, seats = active_board
    project_manager = tenant_a.member
    item = decisions.item_propose(body=board, title="Weekend opening", actor=tenant_a.facilitator)
    entry = run_vote(item, seats, "ffffffffff", tenant_a.facilitator)
    for attempt in ("edit", "delete", "void"):
        with pytest.raises(RuleViolation) as refused:
            decisions.decision_override_refused(item=item, actor=project_manager, attempt=attempt)
        assert refused.value.rule == Rule.BOARD_8
    with pytest.raises(RuleViolation):
        decisions.item_update(item=item, actor=tenant_a.admin, title="Weekday opening")
    item.refresh_from_db()
    assert item.title == "Weekend opening"
    assert refusals("BOARD-8") == 4
    assert DecisionEntry.objects.get(pk=entry.pk).outcome == "agreed"


@pytest.mark.rule("GROUP-7")
def test_group_decisions_cannot_be_overruled(tenant_a: Tenant, overview: Body, in_org_a: None) -> None:
    seats = voters(overview, "NNNP")
    activate_directly(overview)
    item = decisions.item_propose(body=overview, title="Quiet room", actor=tenant_a.facilitator)
    run_vote(item, seats, "ffff", tenant_a.facilitator)
    with pytest.raises(RuleViolation) as refused:
        decisions.item_update(item=item, actor=tenant_a.facilitator, title="No quiet room")
    assert refused.value.rule == Rule.GROUP_7


@pytest.mark.rule("BOARD-8")
def test_cannot_be_carried_out_returns_to_the_board(tenant_a: Tenant, active_board, in_org_a: None) -> None:
    board, seats = active_board
    item = decisions.item_propose(body=board, title="Rent the church hall", actor=tenant_a.facilitator)
    entry = run_vote(item, seats, "ffffffffff", tenant_a.facilitator)
    decisions.implementation_update(
        entry=entry, status="in_progress", note="Asked the parish", actor=tenant_a.facilitator
    )
    decisions.implementation_update(
        entry=entry,
        status="cannot",
        note="Hall sold",
        return_reason="The parish sold the hall.",
        actor=tenant_a.facilitator,
    )
    returned = AgendaItem.objects.get(kind="return")
    assert returned.returns_entry == entry and returned.body == board
    assert DecisionEntry.objects.get(pk=entry.pk).outcome == "agreed"  # unchanged
    way_forward = run_vote(returned, seats, "ffffffffff", tenant_a.facilitator)
    assert f'"returns":{entry.sequence}' in way_forward.payload
    with pytest.raises(Conflict):
        decisions.implementation_update(entry=entry, status="done", actor=tenant_a.facilitator)


@pytest.mark.rule("GROUP-6")
def test_group_return_needs_information_resources_and_skills(
    tenant_a: Tenant, overview: Body, in_org_a: None
) -> None:
    seats = voters(overview, "NNNP")
    activate_directly(overview)
    item = decisions.item_propose(body=overview, title="Peer mentors", actor=tenant_a.facilitator)
    entry = run_vote(item, seats, "ffff", tenant_a.facilitator)
    with pytest.raises(RuleViolation) as refused:
        decisions.implementation_update(
            entry=entry, status="cannot", return_reason="No funding", actor=tenant_a.facilitator
        )
    assert refused.value.rule == Rule.GROUP_6
    assert not AgendaItem.objects.filter(kind="return").exists()
    assert refusals("GROUP-6") == 1
    decisions.implementation_update(
        entry=entry,
        status="cannot",
        return_reason="No funding this year",
        return_information="Budget report for 2026/27",
        return_resources="Two facilitated workshops",
        return_skills="Access to the trust's volunteer coordinator",
        actor=tenant_a.facilitator,
    )
    returned = AgendaItem.objects.get(kind="return")
    assert returned.return_skills.startswith("Access")


def test_members_cannot_report_implementation(tenant_a: Tenant, active_board, in_org_a: None) -> None:
    board, seats = active_board
    item = decisions.item_propose(body=board, title="C", actor=tenant_a.facilitator)
    entry = run_vote(item, seats, "ffffffffff", tenant_a.facilitator)
    with pytest.raises(NotAllowed):
        decisions.implementation_update(entry=entry, status="done", actor=user_of(seats[0]))


def test_board_only_kinds_refused_on_the_group(tenant_a: Tenant, overview: Body, in_org_a: None) -> None:
    with pytest.raises(ValidationError):
        decisions.item_propose(
            body=overview, title="Budget", kind="budget_change", proposal={}, actor=tenant_a.facilitator
        )
