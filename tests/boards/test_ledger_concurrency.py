"""Votes and closings under real concurrency (PostgreSQL): none lost, none
doubled, and a gapless chain."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django_scopes import scope, scopes_disabled

from boards import decisions, ledger
from boards.models import AgendaItem, DecisionEntry, Vote
from tests.boards.conftest import activate_directly, board_of, voters
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Real concurrent connections need PostgreSQL (CI runs these with DATABASE_URL set).")


def run_concurrently(
    tenant: Tenant, jobs: list[Callable[[], None]], workers: int = 10
) -> list[BaseException]:
    errors: list[BaseException] = []
    queue = list(jobs)
    lock = threading.Lock()

    def worker() -> None:
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    job = queue.pop()
                try:
                    with scope(organisation=tenant.organisation):
                        job()
                except BaseException as error:
                    errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.rule("BOARD-5")
def test_fifty_concurrent_votes_are_all_recorded_once(tenant_a: Tenant) -> None:
    board = board_of(tenant_a)
    seats = voters(board, "N" * 25 + "P" * 25)
    activate_directly(board)
    with scope(organisation=tenant_a.organisation):
        item = decisions.item_propose(body=board, title="Busy vote", actor=tenant_a.facilitator)
        decisions.voting_open(item=item, actor=tenant_a.facilitator)

    def cast(seat) -> Callable[[], None]:
        return lambda: decisions.vote_cast(item=item, seat=seat, choice="for", actor=seat.person.user)

    # Every seat votes twice (a change of mind), from ten connections at once.
    errors = run_concurrently(tenant_a, [cast(seat) for seat in seats] * 2)
    assert not errors, errors[:3]
    with scopes_disabled():
        assert Vote.objects.filter(item=item).count() == 50
        assert Vote.objects.filter(item=item).values("seat").distinct().count() == 50


@pytest.mark.rule("LEDGER-1")
def test_twenty_items_closed_at_once_make_a_gapless_chain(tenant_a: Tenant) -> None:
    board = board_of(tenant_a)
    seats = voters(board, "NNNNPP")
    activate_directly(board)
    items: list[AgendaItem] = []
    with scope(organisation=tenant_a.organisation):
        for number in range(20):
            item = decisions.item_propose(body=board, title=f"Item {number}", actor=tenant_a.facilitator)
            decisions.voting_open(item=item, actor=tenant_a.facilitator)
            for seat in seats:
                decisions.vote_cast(item=item, seat=seat, choice="for", actor=seat.person.user)
            items.append(item)

    def close(item: AgendaItem) -> Callable[[], None]:
        return lambda: decisions.voting_close(item=item, actor=tenant_a.facilitator)

    errors = run_concurrently(tenant_a, [close(item) for item in items])
    assert not errors, errors[:3]
    with scopes_disabled():
        sequences = list(
            DecisionEntry.objects.filter(project=tenant_a.project).values_list("sequence", flat=True)
        )
    assert sorted(sequences) == list(range(1, 21))
    with scope(organisation=tenant_a.organisation):
        assert ledger.verify(tenant_a.project).ok
