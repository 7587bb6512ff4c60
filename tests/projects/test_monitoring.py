"""Cadence checks raise flags when a body loses control and resolve them
when the condition clears; sweeps and emails are idempotent."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django_scopes import scope, scopes_disabled

from boards import decisions
from boards.models import Body, Meeting
from disputes.models import Dispute, StageRecord
from overview import services as overview_services
from projects import monitoring
from projects.models import Flag, Milestone, OrganisationMember
from tests.boards.conftest import activate_directly, fill, voters
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)


def open_flags(kind: str | None = None) -> list[Flag]:
    with scopes_disabled():
        flags = Flag.objects.filter(resolved_at__isnull=True)
        if kind:
            flags = flags.filter(kind=kind)
        return list(flags)


def sweep_at(when: datetime.datetime) -> monitoring.SweepResult:
    with time_machine.travel(when, tick=False):
        return monitoring.sweep(when)


def _board(tenant: Tenant) -> Body:
    with scopes_disabled():
        return Body.objects.get(project=tenant.project, kind="board")


def _meeting(body: Body, when: datetime.datetime, held: bool) -> Meeting:
    with scopes_disabled():
        return Meeting.objects.create(
            body=body,
            scheduled_at=when,
            place="Library",
            status="held" if held else "scheduled",
            held_on=when.date() if held else None,
        )


@pytest.mark.rule("BOARD-4")
def test_suspended_body_is_flagged_until_restored(tenant_a: Tenant) -> None:
    board = _board(tenant_a)
    fill(board, "NNNPPPPPPP")
    with scopes_disabled():
        Body.objects.filter(pk=board.pk).update(
            status="suspended", status_since=NOW, status_reason="A carer resigned"
        )
    sweep_at(NOW)
    (flag,) = open_flags("body_suspended")
    assert flag.rule == "BOARD-4" and "resigned" in flag.details
    with scopes_disabled():
        Body.objects.filter(pk=board.pk).update(status="active")
    sweep_at(NOW + datetime.timedelta(hours=1))
    assert not open_flags("body_suspended")


@pytest.mark.rule("BOARD-9")
def test_meeting_cadence_boundaries(tenant_a: Tenant) -> None:
    board = _board(tenant_a)
    fill(board, "NNNP")
    activate_directly(board)
    with scopes_disabled():
        Body.objects.filter(pk=board.pk).update(
            status_since=NOW - datetime.timedelta(days=100), meeting_cadence_days=30
        )
    _meeting(board, NOW - datetime.timedelta(days=37), held=True)
    sweep_at(NOW)
    assert not open_flags("no_recent_meeting")  # exactly cadence + grace
    sweep_at(NOW + datetime.timedelta(days=1))
    (flag,) = open_flags("no_recent_meeting")
    assert flag.rule == "BOARD-9" and "38 days" in flag.title
    # No meeting scheduled within the next 30 days either.
    assert open_flags("no_meeting_scheduled")
    _meeting(board, NOW + datetime.timedelta(days=1, hours=2), held=True)  # held the next day
    _meeting(board, NOW + datetime.timedelta(days=20), held=False)
    sweep_at(NOW + datetime.timedelta(days=1, hours=5))
    assert not open_flags("no_recent_meeting")
    assert not open_flags("no_meeting_scheduled")


@pytest.mark.rule("GROUP-8")
def test_group_cadence_uses_group_rule(tenant_a: Tenant) -> None:
    with scopes_disabled():
        group = Body.objects.get(project=tenant_a.project, kind="overview")
    fill(group, "NNNP")
    activate_directly(group)
    with scopes_disabled():
        Body.objects.filter(pk=group.pk).update(status_since=NOW - datetime.timedelta(days=200))
    sweep_at(NOW)
    rules = {flag.rule for flag in open_flags("no_recent_meeting")}
    assert rules == {"GROUP-8"}


@pytest.mark.rule("BOARD-9")
def test_item_past_deadline_and_carried_over(tenant_a: Tenant) -> None:
    board = _board(tenant_a)
    seats = voters(board, "NNNP")
    activate_directly(board)
    with (
        scope(organisation=tenant_a.organisation),
        time_machine.travel(NOW - datetime.timedelta(days=90), tick=False),
    ):
        item = decisions.item_propose(
            body=board,
            title="Transport",
            deadline=(NOW - datetime.timedelta(days=5)).date(),
            actor=tenant_a.facilitator,
        )
    for days in (80, 60, 40):
        _meeting(board, NOW - datetime.timedelta(days=days), held=True)
    sweep_at(NOW)
    assert {flag.kind for flag in open_flags() if flag.key.startswith("item:")} == {
        "item_overdue",
        "item_carried_over",
    }
    with scope(organisation=tenant_a.organisation), time_machine.travel(NOW, tick=False):
        decisions.voting_open(item=item, actor=tenant_a.facilitator)
        for seat in seats:
            decisions.vote_cast(item=item, seat=seat, choice="for", actor=seat.person.user)
        decisions.voting_close(item=item, actor=tenant_a.facilitator)
    sweep_at(NOW + datetime.timedelta(minutes=30))
    assert not [flag for flag in open_flags() if flag.key.startswith("item:")]


@pytest.mark.rule("GROUP-6")
def test_group_decision_not_implemented_in_time(tenant_a: Tenant) -> None:
    with scopes_disabled():
        group = Body.objects.get(project=tenant_a.project, kind="overview")
    seats = voters(group, "NNNP")
    activate_directly(group)
    with (
        scope(organisation=tenant_a.organisation),
        time_machine.travel(NOW - datetime.timedelta(days=61), tick=False),
    ):
        item = decisions.item_propose(body=group, title="Quiet room", actor=tenant_a.facilitator)
        decisions.voting_open(item=item, actor=tenant_a.facilitator)
        for seat in seats:
            decisions.vote_cast(item=item, seat=seat, choice="for", actor=seat.person.user)
        entry = decisions.voting_close(item=item, actor=tenant_a.facilitator)
    sweep_at(NOW)
    (flag,) = open_flags("implementation_stalled")
    assert flag.rule == "GROUP-6"
    with scope(organisation=tenant_a.organisation):
        decisions.implementation_update(entry=entry, status="done", actor=tenant_a.facilitator)
    sweep_at(NOW + datetime.timedelta(hours=1))
    assert not open_flags("implementation_stalled")


@pytest.mark.rule("GROUP-8")
def test_milestone_due_without_review(tenant_a: Tenant) -> None:
    with scopes_disabled():
        group = Body.objects.get(project=tenant_a.project, kind="overview")
        milestone = Milestone.objects.create(project=tenant_a.project, title="Pilot opens", due_on=NOW.date())
    sweep_at(NOW)
    (flag,) = open_flags("milestone_unreviewed")
    assert flag.rule == "GROUP-8"
    meeting = _meeting(group, NOW - datetime.timedelta(hours=2), held=True)
    with scope(organisation=tenant_a.organisation):
        overview_services.milestone_review_record(
            milestone=milestone, meeting=meeting, summary="On track", actor=tenant_a.facilitator
        )
    sweep_at(NOW + datetime.timedelta(hours=1))
    assert not open_flags("milestone_unreviewed")


@pytest.mark.rule("GROUP-8")
def test_milestone_completes_only_after_review(tenant_a: Tenant) -> None:
    from coprod.errors import RuleViolation

    with scopes_disabled():
        group = Body.objects.get(project=tenant_a.project, kind="overview")
        milestone = Milestone.objects.create(project=tenant_a.project, title="Pilot opens", due_on=NOW.date())
    with scope(organisation=tenant_a.organisation):
        with pytest.raises(RuleViolation) as refused:
            overview_services.milestone_complete(milestone=milestone, actor=tenant_a.facilitator)
        assert refused.value.rule.value == "GROUP-8"
        meeting = _meeting(group, NOW, held=True)
        overview_services.milestone_review_record(
            milestone=milestone, meeting=meeting, summary="Reviewed", actor=tenant_a.facilitator
        )
        overview_services.milestone_complete(milestone=milestone, actor=tenant_a.facilitator)
        milestone.refresh_from_db()
    assert milestone.completed_on is not None


@pytest.mark.rule("BOARD-6")
def test_dispute_stage_past_its_limit(tenant_a: Tenant) -> None:
    board = _board(tenant_a)
    with scopes_disabled():
        dispute = Dispute.objects.create(body=board, subject="conduct", summary="S")
        StageRecord.objects.create(
            dispute=dispute,
            order=1,
            kind="mediation",
            started_on=datetime.date(2026, 5, 1),
            due_on=datetime.date(2026, 5, 20),
        )
    sweep_at(NOW)
    (flag,) = open_flags("dispute_stage_overdue")
    assert flag.rule == "BOARD-6"
    with scopes_disabled():
        Dispute.objects.filter(pk=dispute.pk).update(status="agreed")
    sweep_at(NOW + datetime.timedelta(hours=1))
    assert not open_flags("dispute_stage_overdue")


@pytest.mark.rule("TEAM-3")
def test_term_end_that_leaves_a_group_without_a_seat_next_phase(tenant_a: Tenant) -> None:
    from projects.models import Phase

    board = _board(tenant_a)
    seats = fill(board, "NNNNP")
    activate_directly(board)
    with scopes_disabled():
        Phase.objects.create(
            project=tenant_a.project,
            name="Pilot",
            starts_on=datetime.date(2026, 6, 15),
            ends_on=datetime.date(2026, 12, 31),
        )
        # Every seat represents "Service users"; all but one end before the pilot.
        for seat in seats[:-1]:
            seat.term_end = datetime.date(2026, 6, 10)
            seat.save(update_fields=["term_end"])
        seats[-1].stakeholder_group = None
        seats[-1].save(update_fields=["stakeholder_group"])
    sweep_at(NOW)
    gaps = open_flags("term_gap_ahead")
    assert any(flag.rule == "TEAM-3" for flag in gaps)
    assert any(flag.rule == "BOARD-4" for flag in gaps)


def test_sweep_twice_raises_once(tenant_a: Tenant) -> None:
    board = _board(tenant_a)
    with scopes_disabled():
        Body.objects.filter(pk=board.pk).update(status="suspended", status_since=NOW)
    first = sweep_at(NOW)
    second = sweep_at(NOW)
    assert first.raised >= 1 and second.raised == 0
    assert len(open_flags("body_suspended")) == 1


@pytest.mark.rule("TENANT-1")
def test_notifications_go_once_and_only_inside_the_organisation(tenant_a: Tenant, tenant_b: Tenant) -> None:
    board = _board(tenant_a)
    with scopes_disabled():
        Body.objects.filter(pk=board.pk).update(status="suspended", status_since=NOW)
        OrganisationMember.objects.filter(organisation=tenant_a.organisation, user=tenant_a.admin).update(
            notifications="none"
        )
    sweep_at(NOW)
    sent = monitoring.notify_new_flags(NOW)
    again = monitoring.notify_new_flags(NOW)
    recipients = {address for message in mail.outbox for address in message.to}
    # One email per open flag (suspended, and nothing scheduled), never again.
    assert sent == len(open_flags()) >= 1 and again == 0
    assert recipients == {tenant_a.facilitator.email}  # the admin chose no emails
    assert "/flags/" in mail.outbox[0].body
    assert tenant_b.facilitator.email not in recipients


def test_digest_once_a_day(tenant_a: Tenant) -> None:
    board = _board(tenant_a)
    with scopes_disabled():
        Body.objects.filter(pk=board.pk).update(status="suspended", status_since=NOW)
        OrganisationMember.objects.filter(
            organisation=tenant_a.organisation, user=tenant_a.facilitator
        ).update(notifications="digest")
    sweep_at(NOW)
    assert monitoring.send_digests(NOW.date()) == 1
    assert monitoring.send_digests(NOW.date()) == 0
    assert monitoring.send_digests(NOW.date() + datetime.timedelta(days=1)) == 1
