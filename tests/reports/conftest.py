"""A project with something to report on: phases, an active board with
seat holders who vote, a held meeting with attendance and a show of hands,
decisions in the ledger, one of them implemented. `grow()` adds more of
everything, for the query-count tests."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from boards import decisions
from boards import services as body_services
from boards.models import Body, DecisionEntry, Meeting, Seat
from projects.models import Phase
from stakeholders.models import StakeholderGroup
from tests.boards.conftest import activate_directly, board_of, seat_directly, voters
from tests.boards.test_decisions import run_vote
from tests.conftest import Tenant
from tests.factories import PhaseFactory

FIRST_PHASE_START = datetime.date(2026, 1, 5)


@dataclass
class Reported:
    tenant: Tenant
    board: Body
    overview: Body
    seats: list[Seat]
    meeting: Meeting
    entries: list[DecisionEntry]

    @property
    def project(self):
        return self.tenant.project


def _phases(tenant: Tenant) -> None:
    with scopes_disabled():
        PhaseFactory(
            project=tenant.project,
            name="Scoping",
            order=1,
            starts_on=FIRST_PHASE_START,
            ends_on=datetime.date(2026, 6, 30),
        )
        PhaseFactory(
            project=tenant.project,
            name="Pilot",
            order=2,
            starts_on=datetime.date(2026, 7, 1),
            ends_on=datetime.date(2027, 6, 30),
        )


def decide(tenant: Tenant, board: Body, seats: list[Seat], titles: list[str]) -> list[DecisionEntry]:
    with scope(organisation=tenant.organisation):
        entries = []
        for title in titles:
            item = decisions.item_propose(body=board, title=title, actor=tenant.facilitator)
            entries.append(run_vote(item, seats, "ffffaaaaff", tenant.facilitator))
        return entries


def build(tenant: Tenant) -> Reported:
    _phases(tenant)
    board = board_of(tenant, "board")
    overview = board_of(tenant, "overview")
    seats = voters(board, "NNNNPPPPPP")
    activate_directly(board)
    for capacity in ("service_user", "carer", "public", "project_team"):
        seat_directly(overview, capacity)
    activate_directly(overview)
    with scope(organisation=tenant.organisation):
        meeting = body_services.meeting_schedule(
            body=board,
            scheduled_at=timezone.now() - datetime.timedelta(hours=3),
            place="Library",
            actor=tenant.facilitator,
        )
        body_services.meeting_record_held(
            meeting=meeting,
            attended_seat_ids=[seat.pk for seat in seats[:8]],
            minutes="We agreed to open on Saturdays.",
            held_on=timezone.localdate(),
            actor=tenant.facilitator,
        )
        item = decisions.item_propose(body=board, title="Open on Saturdays", actor=tenant.facilitator)
        decisions.voting_open(item=item, actor=tenant.facilitator)
        for seat in seats[:8]:
            decisions.vote_cast(item=item, seat=seat, choice="for", actor=tenant.facilitator, meeting=meeting)
        entry = decisions.voting_close(item=item, actor=tenant.facilitator)
        decisions.implementation_update(entry=entry, status="done", actor=tenant.facilitator, note="Opened.")
    entries = [entry, *decide(tenant, board, seats, ["Hire a peer worker"])]
    return Reported(
        tenant=tenant, board=board, overview=overview, seats=seats, meeting=meeting, entries=entries
    )


def grow(reported: Reported, n: int) -> None:
    """n more groups, seats, phases, decisions and audit events."""
    tenant = reported.tenant
    with scopes_disabled():
        for index in range(n):
            group = StakeholderGroup.objects.create(
                project=tenant.project,
                name=f"Group {index} {timezone.now().timestamp()}",
                affected="directly",
                impact="positive",
            )
            seat_directly(reported.board, "carer", group)
            seat_directly(reported.overview, "service_user", group)
            last = Phase.objects.filter(project=tenant.project).order_by("-ends_on").first()
            PhaseFactory(
                project=tenant.project,
                name=f"Later {index}",
                order=10 + index,
                starts_on=last.ends_on + datetime.timedelta(days=1),
                ends_on=last.ends_on + datetime.timedelta(days=30),
            )
    decide(tenant, reported.board, reported.seats, [f"Decision {index}" for index in range(n)])


@pytest.fixture
def reported(tenant_a: Tenant) -> Reported:
    return build(tenant_a)
