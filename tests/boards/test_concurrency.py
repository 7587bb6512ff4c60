"""Two facilitators changing seats of one body at the same moment must not
together break a rule that each change alone keeps: the body row is locked.
Needs real concurrent connections, so it runs on PostgreSQL (CI)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections
from django_scopes import scope, scopes_disabled

from boards import services
from boards.models import Body, Seat
from coprod.errors import RuleViolation
from tests.boards.conftest import activate_directly, board_of, fill
from tests.conftest import Tenant

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.rule("BOARD-4")]


@pytest.fixture(autouse=True)
def _needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Concurrency needs PostgreSQL's row locks (CI runs it with DATABASE_URL set).")


def test_two_removals_at_once_only_one_succeeds(tenant_a: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    # Widen the window between reading the seats and writing, so that without
    # the lock both removals would read the same state and both succeed.
    read_seats = services._open_seat_facts

    def slow_read(body: Body) -> list:
        facts = read_seats(body)
        time.sleep(0.5)
        return facts

    monkeypatch.setattr(services, "_open_seat_facts", slow_read)
    board = board_of(tenant_a)
    # 4 of 10 non-professional: one may go (3 of 9 ≥ 30%), not two (2 of 8 < 30%).
    seats = fill(board, "NNNNPPPPPP")
    activate_directly(board)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def remove(seat: Seat) -> None:
        try:
            with scope(organisation=tenant_a.organisation):
                barrier.wait(timeout=10)
                services.seat_end(seat=seat, reason="removed", actor=tenant_a.facilitator)
            outcomes.append("ended")
        except RuleViolation as refusal:
            outcomes.append(refusal.rule.value)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=remove, args=(seat,)) for seat in seats[:2]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["BOARD-4", "ended"]
    with scopes_disabled():
        assert Seat.objects.filter(body=board, is_open=True, capacity="service_user").count() == 3
        assert Body.objects.get(pk=board.pk).status == Body.Status.ACTIVE
