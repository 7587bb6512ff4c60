"""Helpers to seat bodies quickly in tests."""

from __future__ import annotations

import datetime

import pytest
from django_scopes import scopes_disabled

from boards.models import Body, Seat
from stakeholders.models import StakeholderGroup
from tests.conftest import Tenant
from tests.factories import PersonFactory

START = datetime.date(2026, 1, 5)


def board_of(tenant: Tenant, kind: str = "board") -> Body:
    with scopes_disabled():
        return Body.objects.get(project=tenant.project, kind=kind)


def seat_directly(body: Body, capacity: str, group: StakeholderGroup | None = None, **extra) -> Seat:
    """Create a seat without the service (for arranging a starting state)."""
    with scopes_disabled():
        person = PersonFactory(organisation=body.project.organisation)
        if group is None:
            group = StakeholderGroup.objects.filter(project=body.project).order_by("pk").first()
        return Seat.objects.create(
            body=body,
            person=person,
            capacity=capacity,
            stakeholder_group=group,
            term_start=extra.pop("term_start", START),
            **extra,
        )


def fill(body: Body, spec: str) -> list[Seat]:
    """'NNNPPPPPPP' → service-user and professional seats."""
    capacity = {"N": "service_user", "C": "carer", "P": "professional", "T": "project_team"}
    return [seat_directly(body, capacity[c]) for c in spec]


def activate_directly(body: Body) -> Body:
    with scopes_disabled():
        body.status = Body.Status.ACTIVE
        body.save(update_fields=["status"])
    return body


@pytest.fixture
def board(tenant_a: Tenant) -> Body:
    return board_of(tenant_a, "board")


@pytest.fixture
def overview(tenant_a: Tenant) -> Body:
    return board_of(tenant_a, "overview")


def voters(body: Body, spec: str) -> list[Seat]:
    """Seats whose people have accounts in the organisation, so they can vote."""
    from projects.models import Role
    from tests.factories import MemberFactory, UserFactory

    seats = fill(body, spec)
    with scopes_disabled():
        for seat in seats:
            user = UserFactory()
            MemberFactory(organisation=body.project.organisation, user=user, role=Role.MEMBER)
            seat.person.user = user
            seat.person.save(update_fields=["user"])
    return seats


@pytest.fixture
def active_board(tenant_a: Tenant, board: Body) -> tuple[Body, list[Seat]]:
    """A board of 10 with 4 non-professionals (service users), all with accounts."""
    seats = voters(board, "NNNNPPPPPP")
    activate_directly(board)
    return board, seats
