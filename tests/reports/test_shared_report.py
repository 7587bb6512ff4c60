"""Readers share a made report until something new is audited in the
organisation (`reports.report.report_for`): the second read is one query,
and any audited change, a day other than the one asked for, or another
organisation's change behave as they should."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from boards import decisions
from projects.models import AuditEvent
from reports.report import report_for
from tests.boards.test_decisions import run_vote
from tests.conftest import Tenant
from tests.reports.conftest import FIRST_PHASE_START, Reported

pytestmark = pytest.mark.django_db


def read(reported: Reported, day=None) -> tuple[dict, int]:
    tenant = reported.tenant
    with scope(organisation=tenant.organisation), CaptureQueriesContext(connection) as queries:
        report = report_for(tenant.project, day or timezone.localdate())
    return report, len(queries.captured_queries)


@pytest.mark.rule("LEDGER-1")
def test_a_second_read_shares_the_made_report(reported: Reported) -> None:
    first, made = read(reported)
    again, shared = read(reported)
    assert again == first  # the same copy, made at the same moment
    assert shared == 1  # only the check for anything newly audited
    assert made > 10


@pytest.mark.rule("LEDGER-1")
def test_an_audited_change_makes_a_new_report(reported: Reported) -> None:
    first, _ = read(reported)
    tenant = reported.tenant
    with scope(organisation=tenant.organisation):
        entry = reported.entries[0]
        # A new decision: the ledger head moves, and the audit log says so.
        item = decisions.item_propose(body=reported.board, title="Later opening", actor=tenant.facilitator)
        newer = run_vote(item, reported.seats, "ffffaaaaff", tenant.facilitator)
    second, made = read(reported)
    assert made > 10
    assert second["ledger_head"]["sequence"] == newer.sequence > entry.sequence
    assert second["generated_at"] != first["generated_at"]


def test_each_day_asked_for_has_its_own_report(reported: Reported) -> None:
    today, _ = read(reported)
    earlier, made = read(reported, FIRST_PHASE_START)
    assert made > 10
    assert (today["as_of"], earlier["as_of"]) == (
        timezone.localdate().isoformat(),
        FIRST_PHASE_START.isoformat(),
    )


@pytest.mark.rule("TENANT-1")
def test_another_organisations_change_keeps_the_shared_report(reported: Reported, tenant_b: Tenant) -> None:
    first, _ = read(reported)
    with scope(organisation=tenant_b.organisation):
        audited = AuditEvent.objects.count()
        decisions.item_propose(
            body=tenant_b.project.bodies.get(kind="board"), title="Elsewhere", actor=tenant_b.facilitator
        )
        assert AuditEvent.objects.count() == audited + 1  # audited, but in the other organisation
    again, shared = read(reported)
    assert again == first
    assert shared == 1


def test_a_summary_read_again_costs_the_same_however_many_projects(reported: Reported) -> None:
    from reports.summary import organisation_summary
    from tests.factories import ProjectFactory

    tenant = reported.tenant

    def summary_queries() -> tuple[dict, int]:
        with scope(organisation=tenant.organisation), CaptureQueriesContext(connection) as queries:
            summary = organisation_summary(tenant.organisation)
        return summary, len(queries.captured_queries)

    first, made = summary_queries()
    again, shared = summary_queries()
    assert again["projects"] == first["projects"]
    assert shared < made
    with scopes_disabled():
        for n in range(3):
            ProjectFactory(organisation=tenant.organisation, title=f"Extra {n}", slug=f"extra-{n}")
    summary_queries()  # the new projects' reports are made (nothing was audited: the old ones are reused)
    bigger, shared_bigger = summary_queries()
    assert len(bigger["projects"]) == len(first["projects"]) + 3
    assert shared_bigger == shared  # the project list and the audit check, whatever the number of projects
    # The shared rows say what each project's own report says.
    own = read(reported)[0]
    row = next(row for row in bigger["projects"] if row["project"] == tenant.project.slug)
    assert row["summary"] == own["summary"]
    assert row["failing"] == [rule["id"] for rule in own["rules"] if rule["status"] == "fail"]
