"""Two sweeps at once (two beats, or a redelivered task) create each flag and
each email once, and two digest runs at once send each digest once. Needs
real concurrent connections: PostgreSQL (CI)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django_scopes import scopes_disabled

from boards.models import Body
from projects import monitoring
from projects.models import DigestEmail, Flag, FlagEmail, OrganisationMember
from tests.conftest import Tenant

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.rule("BOARD-9")]


@pytest.fixture(autouse=True)
def _needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent sweeps need PostgreSQL (CI runs this with DATABASE_URL set).")


def test_concurrent_sweeps_raise_and_email_once(tenant_a: Tenant, tenant_b: Tenant) -> None:
    now = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)
    with scopes_disabled():
        Body.objects.filter(project__in=[tenant_a.project, tenant_b.project]).update(
            status="suspended", status_since=now - datetime.timedelta(days=3), status_reason="A resignation"
        )
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            monitoring.sweep(now)
            monitoring.notify_new_flags(now)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors[:3]
    with scopes_disabled():
        keys = list(Flag.objects.filter(resolved_at__isnull=True).values_list("project_id", "key"))
        assert len(keys) == len(set(keys)) >= 4
        claims = list(FlagEmail.objects.values_list("flag_id", "user_id"))
        assert len(claims) == len(set(claims))
    sent = [(message.subject, tuple(message.to)) for message in mail.outbox]
    assert len(sent) == len(set(sent)) == len(claims)


def test_concurrent_digests_go_once(tenant_a: Tenant, tenant_b: Tenant) -> None:
    now = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)
    with scopes_disabled():
        Body.objects.filter(project__in=[tenant_a.project, tenant_b.project]).update(
            status="suspended", status_since=now - datetime.timedelta(days=3), status_reason="A resignation"
        )
        OrganisationMember.objects.filter(user__in=[tenant_a.facilitator, tenant_b.facilitator]).update(
            notifications="digest"
        )
    monitoring.sweep(now)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []
    sent: list[int] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            sent.append(monitoring.send_digests(now.date()))
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors[:3]
    assert sum(sent) == 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [tenant_a.facilitator.email, tenant_b.facilitator.email]
    )
    with scopes_disabled():
        assert DigestEmail.objects.filter(sent_at__isnull=False).count() == 2
