"""A milestone of organisation A's project and meetings of its bodies."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django_scopes import scopes_disabled

from boards.models import Body, Meeting, MeetingStatus
from projects.models import Milestone
from tests.conftest import Tenant

HELD_ON = datetime.date(2026, 10, 6)


@dataclass
class Setting:
    milestone: Milestone
    held: Meeting  # a held meeting of the Overview Group
    scheduled: Meeting  # a group meeting not held yet
    board_meeting: Meeting  # a held meeting of the Project Board


def meeting(body: Body, *, held: bool, day: datetime.date = HELD_ON) -> Meeting:
    with scopes_disabled():
        return Meeting.objects.create(
            body=body,
            scheduled_at=datetime.datetime.combine(day, datetime.time(18), tzinfo=datetime.UTC),
            place="Riverside library",
            status=MeetingStatus.HELD if held else MeetingStatus.SCHEDULED,
            held_on=day if held else None,
        )


def setting_for(tenant: Tenant) -> Setting:
    with scopes_disabled():
        overview = Body.objects.get(project=tenant.project, kind="overview")
        board = Body.objects.get(project=tenant.project, kind="board")
        milestone = Milestone.objects.create(
            project=tenant.project, title="Pilot opens", due_on=datetime.date(2026, 11, 1)
        )
    return Setting(
        milestone=milestone,
        held=meeting(overview, held=True),
        scheduled=meeting(overview, held=False, day=datetime.date(2027, 1, 5)),
        board_meeting=meeting(board, held=True),
    )


@pytest.fixture
def setting(tenant_a: Tenant) -> Setting:
    return setting_for(tenant_a)
