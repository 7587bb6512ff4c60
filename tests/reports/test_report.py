"""The compliance report as data: its shape, its counts, its sections, the
"as of" range, and the evidence links it fills in without a query."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from boards.ledger import ledger_head
from coprod.rulebook import Rule
from projects.compliance import Evidence, evaluate
from reports.evidence import EvidenceLinks, lookup
from reports.report import SECTION_IDS, STATUSES, AsOfError, build_report, parse_as_of, project_start
from tests.reports.conftest import FIRST_PHASE_START, Reported

pytestmark = pytest.mark.django_db


def _report(reported: Reported, as_of: datetime.date | None = None) -> dict:
    with scope(organisation=reported.tenant.organisation):
        return build_report(reported.project, as_of or timezone.localdate())


def test_report_shape_and_counts(reported: Reported) -> None:
    report = _report(reported)
    with scope(organisation=reported.tenant.organisation):
        results = evaluate(reported.project, timezone.localdate())
        head = ledger_head(reported.project)
    assert report["format"] == "coprod-compliance/1"
    assert report["project"] == reported.project.slug
    assert report["organisation"] == reported.tenant.organisation.slug
    assert report["as_of"] == timezone.localdate().isoformat()
    assert datetime.datetime.fromisoformat(report["generated_at"]) <= timezone.now()
    assert report["ledger_head"] == {"sequence": head[0], "hash": head[1]}
    # One row per result of the engine, in its order, whatever rules it evaluates today.
    assert [rule["id"] for rule in report["rules"]] == [result.rule.value for result in results]
    assert all(rule["id"] in Rule.values for rule in report["rules"])
    for rule, result in zip(report["rules"], results, strict=True):
        assert set(rule) == {"id", "title", "section", "status", "explanation", "evidence"}
        assert rule["status"] == result.status.value and rule["explanation"] == result.explanation
        assert rule["section"] == rule["id"].split("-")[0]
        assert [item["label"] for item in rule["evidence"]] == [item.label for item in result.evidence]
        for item in rule["evidence"]:
            assert set(item) == {"kind", "id", "label", "url"}
    assert set(report["summary"]) == set(STATUSES)
    assert sum(report["summary"].values()) == len(results)
    for status in STATUSES:
        assert report["summary"][status] == sum(1 for result in results if result.status.value == status)


def test_sections_follow_the_catalogue(reported: Reported) -> None:
    report = _report(reported)
    ids = [section["id"] for section in report["sections"]]
    assert ids == [sid for sid in SECTION_IDS if sid in ids]
    assert [rule_id for section in report["sections"] for rule_id in section["rules"]] == [
        rule["id"] for rule in report["rules"]
    ]
    for section in report["sections"]:
        rules = [rule for rule in report["rules"] if rule["section"] == section["id"]]
        assert section["summary"] == {s: sum(1 for r in rules if r["status"] == s) for s in STATUSES}


def test_report_without_decisions_has_no_head(tenant_a) -> None:
    with scope(organisation=tenant_a.organisation):
        report = build_report(tenant_a.project, timezone.localdate())
    assert report["ledger_head"] is None


def test_as_of_range(reported: Reported) -> None:
    project = reported.project
    today = timezone.localdate()
    with scope(organisation=reported.tenant.organisation):
        assert project_start(project) == FIRST_PHASE_START  # the first phase began before it was recorded
        assert parse_as_of(project, None) == today
        assert parse_as_of(project, "") == today
        assert parse_as_of(project, FIRST_PHASE_START.isoformat()) == FIRST_PHASE_START
        for bad, message in (
            ("2026-13-01", "YYYY-MM-DD"),
            ("yesterday", "YYYY-MM-DD"),
            ((FIRST_PHASE_START - datetime.timedelta(days=1)).isoformat(), "project's start"),
            ((today + datetime.timedelta(days=1)).isoformat(), "to today"),
        ):
            with pytest.raises(AsOfError, match=message):
                parse_as_of(project, bad)
        with pytest.raises(AsOfError):
            build_report(project, today + datetime.timedelta(days=1))


def test_a_project_without_phases_starts_when_recorded(tenant_a) -> None:
    with scope(organisation=tenant_a.organisation):
        assert project_start(tenant_a.project) == timezone.localdate(tenant_a.project.created_at)


def test_evidence_links_are_filled_without_queries(reported: Reported) -> None:
    project = reported.project
    seat = reported.seats[0]
    entry = reported.entries[0]
    with scope(organisation=reported.tenant.organisation):
        links = EvidenceLinks(project)
        with CaptureQueriesContext(connection) as queries:
            seat_url = links.url("seat", seat.pk)
            decision_url = links.url("decision", entry.sequence)
            group_url = links.url("stakeholder_group", 5)
            meeting_url = links.url("meeting", reported.meeting.pk)
            unknown = links.url("horoscope", 1)
            kept = links.url("seat", seat.pk, "/o/elsewhere/")
            unsafe = links.url("seat", seat.pk, "https://evil.example/")
            protocol_relative = links.url("seat", seat.pk, "//evil.example/")
            not_an_id = links.url("input", "12; drop")
        assert len(queries) == 0
        slug, org = project.slug, project.organisation.slug
        assert group_url == f"/o/{org}/projects/{slug}/stakeholders/"
        assert meeting_url == f"/o/{org}/projects/{slug}/meetings/{reported.meeting.pk}/record/"
        assert unknown == "" and unsafe == "" and protocol_relative == "" and not_an_id == ""
        assert kept == "/o/elsewhere/"
        # Pages that need a look-up go through the evidence redirect, which finds them.
        assert seat_url == f"/o/{org}/projects/{slug}/compliance/evidence/?kind=seat&id={seat.pk}"
        assert lookup(project, "seat", str(seat.pk)) == f"/o/{org}/projects/{slug}/bodies/board/"
        assert lookup(project, "decision", str(entry.sequence)) == (
            f"/o/{org}/projects/{slug}/ledger/{entry.pk}/"
        )
        assert decision_url.endswith(f"?kind=decision&id={entry.sequence}")
        assert lookup(project, "decision", "999") is None
        assert lookup(project, "seat", "abc") is None
        assert lookup(project, "horoscope", "1") is None


@pytest.mark.rule("TENANT-1")
def test_evidence_lookup_never_finds_another_organisations_record(reported: Reported, tenant_b) -> None:
    seat = reported.seats[0]
    with scope(organisation=tenant_b.organisation):
        assert lookup(tenant_b.project, "seat", str(seat.pk)) is None
        assert lookup(tenant_b.project, "item", str(reported.entries[0].item_id)) is None


def test_every_evidence_of_the_report_is_linked_or_plain(reported: Reported) -> None:
    report = _report(reported)
    for rule in report["rules"]:
        for item in rule["evidence"]:
            # A page of this site: the organisation's staff pages, or a page the evaluator named.
            assert item["url"] == "" or (item["url"].startswith("/") and not item["url"].startswith("//"))
            if item["kind"] in ("seat", "body", "decision", "stakeholder_group", "input", "meeting"):
                assert item["url"].startswith(f"/o/{reported.tenant.organisation.slug}/"), item


def test_report_keeps_an_evaluators_own_link(reported: Reported, monkeypatch) -> None:
    from projects import compliance

    original = compliance.evaluate

    def with_link(project, as_of, rules=None):
        results = original(project, as_of, rules)
        results[0].evidence.append(Evidence(kind="flag", id=1, label="Given", url="/o/x/given/"))
        return results

    monkeypatch.setattr("reports.report.evaluate", with_link)
    report = _report(reported)
    assert report["rules"][0]["evidence"][-1]["url"] == "/o/x/given/"


def test_report_as_of_an_earlier_day(reported: Reported) -> None:
    """A report for a past day is the engine's answer for that day."""
    before_terms = FIRST_PHASE_START
    report = _report(reported, before_terms)
    assert report["as_of"] == before_terms.isoformat()
    with scopes_disabled():
        earlier = {r.rule.value: r.status.value for r in evaluate(reported.project, before_terms)}
    assert {rule["id"]: rule["status"] for rule in report["rules"]} == earlier
