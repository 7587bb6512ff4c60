"""The compliance API: the report as JSON, CSV, PDF and bundle, the
organisation summary and a meeting's record; who may read them, and a bad
`as_of` answered with 400."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from pypdf import PdfReader

from projects.compliance import evaluate
from tests.conftest import Tenant
from tests.reports.conftest import FIRST_PHASE_START, Reported

pytestmark = pytest.mark.django_db


def api_url(tenant: Tenant, tail: str) -> str:
    return f"/api/v1/orgs/{tenant.organisation.slug}/projects/{tenant.project.slug}/{tail}"


def test_report_json(api_as, reported: Reported) -> None:
    tenant = reported.tenant
    response = api_as(tenant.auditor).get(api_url(tenant, "compliance/"))
    assert response.status_code == 200
    data = response.json()
    with scopes_disabled():
        results = evaluate(tenant.project, timezone.localdate())
    assert [rule["id"] for rule in data["rules"]] == [result.rule.value for result in results]
    assert sum(data["summary"].values()) == len(results)
    assert data["as_of"] == timezone.localdate().isoformat()
    assert data["ledger_head"]["sequence"] == reported.entries[-1].sequence
    assert data["ledger_head"]["hash"] == reported.entries[-1].entry_hash


def test_report_json_as_of_a_past_day(api_as, reported: Reported) -> None:
    tenant = reported.tenant
    response = api_as(tenant.admin).get(
        api_url(tenant, "compliance/"), {"as_of": FIRST_PHASE_START.isoformat()}
    )
    assert response.status_code == 200
    assert response.json()["as_of"] == FIRST_PHASE_START.isoformat()


@pytest.mark.parametrize(
    "value",
    [
        "31-03-2026",
        "2026-02-30",
        "soon",
        "2025-12-31",
        (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
    ],
)
@pytest.mark.parametrize("tail", ["compliance/", "compliance.csv", "compliance.pdf", "export.zip"])
def test_a_bad_as_of_is_a_400(api_as, reported: Reported, value: str, tail: str) -> None:
    response = api_as(reported.tenant.auditor).get(api_url(reported.tenant, tail), {"as_of": value})
    assert response.status_code == 400
    assert list(response.json()) == ["as_of"]
    assert response.json()["as_of"][0]


@pytest.mark.parametrize("tail", ["compliance/", "compliance.csv", "compliance.pdf", "export.zip"])
def test_members_without_a_staff_role_get_403(api_as, reported: Reported, tail: str) -> None:
    response = api_as(reported.tenant.member).get(api_url(reported.tenant, tail))
    assert response.status_code == 403
    assert response.json()["detail"]


def test_the_bundle_is_for_admins_and_auditors(api_as, reported: Reported) -> None:
    tenant = reported.tenant
    assert api_as(tenant.facilitator).get(api_url(tenant, "export.zip")).status_code == 403
    for user in (tenant.admin, tenant.auditor):
        response = api_as(user).get(api_url(tenant, "export.zip"))
        assert response.status_code == 200
        names = set(zipfile.ZipFile(io.BytesIO(response.content)).namelist())
        assert {"report.json", "ledger.json", "audit-log.csv", "verify_ledger.py"} <= names


@pytest.mark.rule("TENANT-1")
@pytest.mark.parametrize("tail", ["compliance/", "compliance.csv", "compliance.pdf", "export.zip"])
def test_another_organisation_gets_404(api_as, reported: Reported, tenant_b: Tenant, tail: str) -> None:
    assert api_as(tenant_b.admin).get(api_url(reported.tenant, tail)).status_code == 404


def test_anonymous_gets_401(api_as, reported: Reported) -> None:
    assert api_as(None).get(api_url(reported.tenant, "compliance/")).status_code == 401


def test_csv_and_pdf(api_as, reported: Reported) -> None:
    tenant = reported.tenant
    client = api_as(tenant.auditor)
    response = client.get(api_url(tenant, "compliance.csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    with scopes_disabled():
        ids = [result.rule.value for result in evaluate(tenant.project, timezone.localdate())]
    assert [row[0] for row in rows[1:]] == ids
    response = client.get(api_url(tenant, "compliance.pdf"), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).split()
    )
    assert all(rule_id in text for rule_id in ids)
    # Asking for a PDF with a bad date still gets a readable error.
    response = client.get(api_url(tenant, "compliance.pdf"), {"as_of": "x"}, HTTP_ACCEPT="application/pdf")
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert list(response.json()) == ["as_of"]


def test_organisation_summary(api_as, reported: Reported) -> None:
    tenant = reported.tenant
    path = f"/api/v1/orgs/{tenant.organisation.slug}/compliance/"
    assert api_as(tenant.member).get(path).status_code == 403
    response = api_as(tenant.facilitator).get(path)
    assert response.status_code == 200
    data = response.json()
    (row,) = data["projects"]
    with scopes_disabled():
        results = evaluate(tenant.project, timezone.localdate())
    assert row["project"] == tenant.project.slug
    assert row["failing"] == [r.rule.value for r in results if r.status.value == "fail"]
    assert data["summary"] == row["summary"]


def test_meeting_record(api_as, reported: Reported, tenant_b: Tenant) -> None:
    tenant = reported.tenant
    path = api_url(tenant, f"meetings/{reported.meeting.pk}/record/")
    response = api_as(tenant.member).get(path)
    assert response.status_code == 200
    data = response.json()
    assert data["attendance"]["attended"] == 8 and data["attendance"]["absent"] == 2
    by_capacity = {row["capacity"]: row for row in data["attendance"]["by_capacity"]}
    assert by_capacity["service_user"]["attended"] == 4
    item = next(item for item in data["items"] if item["title"] == "Open on Saturdays")
    assert item["hands_recorded_here"] is True
    assert item["outcomes"][0]["tally"] == {"for": 8, "against": 0, "abstain": 0}
    assert item["outcomes"][0]["sequence"] == reported.entries[0].sequence
    # Another organisation's meeting under this project, and this meeting elsewhere, are 404.
    assert api_as(tenant_b.admin).get(path).status_code == 404
    other = f"/api/v1/orgs/{tenant_b.organisation.slug}/projects/{tenant_b.project.slug}/meetings/{reported.meeting.pk}/record/"
    assert api_as(tenant_b.admin).get(other).status_code == 404
