"""Emails about flags cost a fixed number of queries, whatever the number of
flags, projects, bodies and organisations (BOARD-9): who hears about them is
loaded for all the flags at once. The batching keeps who is told exactly as
before: the organisation's admins and facilitators, whoever holds the
facilitator grant on the project, and the body's chair, only if they belong
to the flag's organisation (TENANT-1), each once."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.core import mail
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled
from guardian.shortcuts import assign_perm

from boards.models import Body
from projects import monitoring
from projects.models import Flag, FlagEmail, OrganisationMember, Project
from tests.boards.conftest import voters
from tests.conftest import Tenant
from tests.factories import ProjectFactory

pytestmark = [pytest.mark.django_db, pytest.mark.rule("BOARD-9")]
NOW = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)
_numbers = itertools.count()


def _raise(project: Project, count: int, body: Body | None = None) -> list[Flag]:
    """`count` open flags on `project` (about `body` if given), as a sweep
    would leave them."""
    with scopes_disabled():
        return Flag.objects.bulk_create(
            [
                Flag(
                    organisation_id=project.organisation_id,
                    project=project,
                    kind="item_overdue",
                    rule="BOARD-9",
                    key=f"item:{number}:overdue",
                    title=f"Item {number} is undecided past its deadline",
                    fix="Put it to the vote.",
                    since=NOW,
                    body_id=body.pk if body else None,
                )
                for number in (next(_numbers) for _ in range(count))
            ]
        )


def _board(project: Project) -> Body:
    with scopes_disabled():
        return Body.objects.get(project=project, kind="board")


def _chair(body: Body) -> AbstractBaseUser:
    """Seat someone with an account in the body's organisation and make them
    its chair."""
    (seat,) = voters(body, "N")
    with scopes_disabled():
        Body.objects.filter(pk=body.pk).update(chair_seat=seat)
        seat.refresh_from_db()
        return seat.person.user


def _emails() -> list[tuple[str, str]]:
    return sorted((message.to[0], message.subject) for message in mail.outbox)


def _expected(flags: list[Flag], *users: AbstractBaseUser) -> list[tuple[str, str]]:
    return sorted((user.email, f"[{flag.project.title}] {flag.title}") for flag in flags for user in users)


def _notify() -> tuple[int, int]:
    mail.outbox.clear()
    with CaptureQueriesContext(connection) as queries:
        sent = monitoring.notify_new_flags(NOW)
    return sent, len(queries)


def _digests(day: datetime.date) -> tuple[int, int]:
    mail.outbox.clear()
    with CaptureQueriesContext(connection) as queries:
        sent = monitoring.send_digests(day)
    return sent, len(queries)


@pytest.fixture
def second_project(tenant_a: Tenant) -> Project:
    """Another project of organisation A, facilitated by one of its members
    (role member) through the per-project grant."""
    with scopes_disabled():
        project = ProjectFactory(organisation=tenant_a.organisation, title="Respite care", slug="respite")
    assign_perm("projects.facilitate_project", tenant_a.member, project)
    return project


def test_new_flag_emails_cost_the_same_queries_at_any_size(
    tenant_a: Tenant, tenant_b: Tenant, second_project: Project
) -> None:
    # A grant on A's project to someone who is not a member of A tells them nothing (TENANT-1).
    assign_perm("projects.facilitate_project", tenant_b.facilitator, second_project)
    board_a = _board(tenant_a.project)
    chair_a = _chair(board_a)
    with scopes_disabled():
        OrganisationMember.objects.filter(user=tenant_b.admin).update(notifications="none")

    # Small: two flags of one project.
    small = _raise(tenant_a.project, 2, board_a)
    sent_small, queries_small = _notify()
    assert _emails() == _expected(small, tenant_a.admin, tenant_a.facilitator, chair_a)
    assert sent_small == 6

    # Large: many more flags, over more projects, bodies and organisations.
    board_b = _board(tenant_b.project)
    chair_b = _chair(board_b)
    respite_board = _board(second_project)
    large = (
        _raise(tenant_a.project, 15, board_a)
        + _raise(second_project, 10, respite_board)
        + _raise(second_project, 5)
        + _raise(tenant_b.project, 20, board_b)
    )
    sent_large, queries_large = _notify()
    expected = (
        _expected(large[:15], tenant_a.admin, tenant_a.facilitator, chair_a)
        # The respite board has no chair; its project's facilitator hears of it.
        + _expected(large[15:30], tenant_a.admin, tenant_a.facilitator, tenant_a.member)
        # B's admin chose no emails; B's facilitator hears only of B's flags.
        + _expected(large[30:], tenant_b.facilitator, chair_b)
    )
    assert _emails() == sorted(expected)
    assert sent_large == len(expected) == 130
    assert queries_large == queries_small <= 12

    # Nothing new: nobody is emailed again, still a handful of queries.
    sent_again, queries_again = _notify()
    assert sent_again == 0 and not mail.outbox
    assert queries_again <= queries_small
    with scopes_disabled():
        assert FlagEmail.objects.count() == 136
        assert not Flag.objects.filter(notified_at__isnull=True).exists()


def test_digests_cost_the_same_queries_at_any_size(
    tenant_a: Tenant, tenant_b: Tenant, second_project: Project
) -> None:
    board_a = _board(tenant_a.project)
    chair_a = _chair(board_a)
    with scopes_disabled():
        OrganisationMember.objects.filter(
            user__in=[tenant_a.facilitator, tenant_a.member, chair_a, tenant_b.facilitator]
        ).update(notifications="digest")
    day = NOW.date()

    _raise(tenant_a.project, 2, board_a)
    sent_small, queries_small = _digests(day)
    # The facilitator (both flags) and the chair (both flags about the
    # board); the member facilitates another project, B has no flags.
    assert sent_small == 2
    assert _emails() == sorted(
        [
            (tenant_a.facilitator.email, "2 open flag(s) in Riverside Council"),
            (chair_a.email, "2 open flag(s) in Riverside Council"),
        ]
    )

    _raise(tenant_a.project, 15, board_a)
    _raise(second_project, 10)
    _raise(tenant_b.project, 20)
    sent_large, queries_large = _digests(day + datetime.timedelta(days=1))
    assert _emails() == sorted(
        [
            (tenant_a.facilitator.email, "27 open flag(s) in Riverside Council"),
            (chair_a.email, "17 open flag(s) in Riverside Council"),
            (tenant_a.member.email, "10 open flag(s) in Riverside Council"),
            (tenant_b.facilitator.email, "20 open flag(s) in Hillview NHS Trust"),
        ]
    )
    assert sent_large == 4
    assert queries_large == queries_small <= 12
    body = next(message.body for message in mail.outbox if message.to == [tenant_a.member.email])
    assert body.count("/o/riverside/projects/respite/flags/") == 10

    # Once a day: the same day again sends nothing.
    assert _digests(day + datetime.timedelta(days=1))[0] == 0


def test_recipients_of_one_flag_match_the_batch(tenant_a: Tenant, second_project: Project) -> None:
    """`recipients_for` (one flag) and the batch agree."""
    chair = _chair(_board(second_project))
    (flag,) = _raise(second_project, 1, _board(second_project))
    assert monitoring.recipients_for(flag) == {
        tenant_a.admin.pk,
        tenant_a.facilitator.pk,
        tenant_a.member.pk,
        chair.pk,
    }


def test_a_failed_send_leaves_the_rest_for_the_next_run(
    tenant_a: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The emails not yet tried when sending fails are released for the next
    run; the one that failed is not retried (at most once)."""
    from django.core.mail.backends.locmem import EmailBackend

    _raise(tenant_a.project, 3)  # 3 flags x (admin, facilitator) = 6 emails
    original = EmailBackend.send_messages
    calls = itertools.count()

    def flaky(self: EmailBackend, messages: list) -> int:
        if next(calls) == 2:
            raise ConnectionError("mail server went away")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    with pytest.raises(ConnectionError):
        monitoring.notify_new_flags(NOW)
    assert len(mail.outbox) == 2
    monkeypatch.setattr(EmailBackend, "send_messages", original)
    assert monitoring.notify_new_flags(NOW) == 3
    assert len(mail.outbox) == 5  # one lost, none twice
    assert len({(message.to[0], message.subject) for message in mail.outbox}) == 5


def test_a_claim_that_lost_a_race_sends_nothing(tenant_a: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a database without row locks two runs can read the same unsent
    emails; the one whose conditional claim then changes fewer rows than it
    read gives up the whole claim and sends nothing, rather than risk a
    second email."""
    _raise(tenant_a.project, 2)  # 2 flags x (admin, facilitator)
    monkeypatch.setattr(monitoring, "_locked", lambda queryset: queryset)
    update_in = monitoring._update_in

    def another_run_first(queryset: QuerySet, pks: list[int], **values: object) -> int:
        if values.get("sent_at") is not None:
            with scopes_disabled():
                FlagEmail.objects.filter(pk=pks[0]).update(sent_at=NOW)
        return update_in(queryset, pks, **values)

    monkeypatch.setattr(monitoring, "_update_in", another_run_first)
    assert monitoring.notify_new_flags(NOW) == 0
    assert not mail.outbox
    with scopes_disabled():
        # This run's claim rolled back (the flags stay claimed: their email rows exist).
        assert FlagEmail.objects.count() == 4
        assert not Flag.objects.filter(notified_at__isnull=True).exists()
    monkeypatch.setattr(monitoring, "_update_in", update_in)
    assert monitoring.notify_new_flags(NOW) == 4
