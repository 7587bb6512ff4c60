"""The report page, its downloads, the organisation summary and meeting
records in the browser: who sees them, the "as of" form, the charts, the
exports' contents, and query counts that do not grow with the data."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from pypdf import PdfReader

from coprod.rulebook import Rule
from projects.compliance import evaluate
from stakeholders import services as stakeholder_services
from stakeholders.models import PublicInput
from tests.conftest import Tenant
from tests.reports.conftest import FIRST_PHASE_START, Reported, grow

pytestmark = pytest.mark.django_db


def url(name: str, tenant: Tenant, **kwargs) -> str:
    return reverse(
        f"reports:{name}", kwargs={"org": tenant.organisation.slug, "project": tenant.project.slug, **kwargs}
    )


def html_of(response) -> str:
    return response.content.decode()


def _rule_ids(tenant: Tenant) -> list[str]:
    with scopes_disabled():
        return [result.rule.value for result in evaluate(tenant.project, timezone.localdate())]


# --- Who sees what --------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "facilitator", "auditor"])
def test_staff_see_the_report(client_as, reported: Reported, role: str) -> None:
    tenant = reported.tenant
    response = client_as(getattr(tenant, role)).get(url("report", tenant))
    assert response.status_code == 200
    page = html_of(response)
    assert "Compliance report" in page
    for rule_id in _rule_ids(tenant):
        assert f'id="rule-{rule_id}"' in page
    # The project navigation links to it, marked as the current page.
    assert re.search(r'href="[^"]*/compliance/" aria-current="page">Compliance<', page)


def test_a_member_without_a_staff_role_is_refused(client_as, reported: Reported) -> None:
    tenant = reported.tenant
    client = client_as(tenant.member)
    for name in (
        "report",
        "report_pdf",
        "report_csv",
        "report_json",
        "audit_log_csv",
        "export_bundle",
        "evidence",
    ):
        assert client.get(url(name, tenant)).status_code == 403, name
    assert (
        client.get(
            reverse("reports:organisation_report", kwargs={"org": tenant.organisation.slug})
        ).status_code
        == 403
    )
    # …and the project navigation does not offer it.
    page = html_of(client.get(tenant.project.get_absolute_url()))
    assert "/compliance/" not in page


def test_the_audit_log_and_the_bundle_are_for_admins_and_auditors(client_as, reported: Reported) -> None:
    tenant = reported.tenant
    client = client_as(tenant.facilitator)
    assert client.get(url("audit_log_csv", tenant)).status_code == 403
    assert client.get(url("export_bundle", tenant)).status_code == 403
    page = html_of(client.get(url("report", tenant)))
    assert "audit-log.csv" not in page and "export.zip" not in page
    page = html_of(client_as(tenant.auditor).get(url("report", tenant)))
    assert "audit-log.csv" in page and "export.zip" in page


@pytest.mark.rule("TENANT-1")
def test_another_organisation_sees_nothing(client_as, reported: Reported, tenant_b: Tenant) -> None:
    client = client_as(tenant_b.auditor)
    assert client.get(url("report", reported.tenant)).status_code == 404
    assert client.get(url("meeting_record", reported.tenant, pk=reported.meeting.pk)).status_code == 404
    # A meeting id of organisation A under organisation B's own project.
    assert client.get(url("meeting_record", tenant_b, pk=reported.meeting.pk)).status_code == 404
    # An evidence id of organisation A under B's project finds nothing.
    seat = reported.seats[0].pk
    assert client.get(url("evidence", tenant_b) + f"?kind=seat&id={seat}").status_code == 404


def test_only_get(client_as, reported: Reported) -> None:
    client = client_as(reported.tenant.admin)
    assert client.post(url("report", reported.tenant)).status_code == 405
    assert client.post(url("meeting_record", reported.tenant, pk=reported.meeting.pk)).status_code == 405


# --- The "as of" form -------------------------------------------------------------------


def test_the_report_as_of_an_earlier_day(client_as, reported: Reported) -> None:
    tenant = reported.tenant
    day = FIRST_PHASE_START + datetime.timedelta(days=30)
    response = client_as(tenant.auditor).get(url("report", tenant), {"as_of": day.isoformat()})
    assert response.status_code == 200
    page = html_of(response)
    assert 'value="2026-02-04"' in page and "4 February 2026" in page
    assert f"?as_of={day.isoformat()}" in page  # the downloads are for the same day


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31/03/2026", "YYYY-MM-DD"),
        ("2026-02-30", "YYYY-MM-DD"),
        ("2025-12-31", "project&#x27;s start"),
        ("2999-01-01", "to today"),
    ],
)
def test_a_bad_day_is_a_form_error(client_as, reported: Reported, value: str, message: str) -> None:
    tenant = reported.tenant
    client = client_as(tenant.auditor)
    response = client.get(url("report", tenant), {"as_of": value})
    assert response.status_code == 400
    page = html_of(response)
    assert "There is a problem" in page and message in page
    assert 'id="rule-' not in page
    # A download for a bad day is the same page and error, not a file.
    response = client.get(url("report_csv", tenant), {"as_of": value})
    assert response.status_code == 400 and "There is a problem" in html_of(response)


# --- The page: summary, evidence, charts ---------------------------------------------------


def test_summary_evidence_and_charts(client_as, reported: Reported) -> None:
    tenant = reported.tenant
    page = html_of(client_as(tenant.auditor).get(url("report", tenant)))
    # Status in words, not colour alone.
    assert re.search(
        r'report-status--(pass|warn|fail|na)"><span aria-hidden="true">.</span> (Pass|Warning|Fail|Not applicable)',
        page,
    )
    # Evidence links: a seat goes through the evidence redirect, which lands on its body.
    seat = reported.seats[0]
    link = f"/compliance/evidence/?kind=seat&amp;id={seat.pk}"
    assert link in page
    response = client_as(tenant.auditor).get(url("evidence", tenant), {"kind": "seat", "id": seat.pk})
    assert response.status_code == 302 and response["Location"].endswith("/bodies/board/")
    # Three charts, each an image with a title and description, and a data table.
    assert page.count('role="img"') == 3
    for chart in ("composition", "coverage", "decisions"):
        assert f'aria-labelledby="page-{chart}-title page-{chart}-desc"' in page
        assert f'<title id="page-{chart}-title">' in page and f'<desc id="page-{chart}-desc">' in page
    assert "10 seats non-professional (40%)" in page  # the board: 4 of 10
    assert "Decisions per month (the chart's figures)" in page
    assert "Seats per stakeholder group and phase" in page


def test_unknown_evidence_is_a_404(client_as, reported: Reported) -> None:
    client = client_as(reported.tenant.auditor)
    for query in ({"kind": "seat", "id": "999999"}, {"kind": "nope", "id": "1"}, {"kind": "seat", "id": "x"}):
        assert client.get(url("evidence", reported.tenant), query).status_code == 404
    # Without a record it leads back to the report.
    response = client.get(url("evidence", reported.tenant))
    assert response.status_code == 302 and response["Location"] == url("report", reported.tenant)


# --- Downloads ---------------------------------------------------------------------------------


def test_report_json_download_is_the_api_data(client_as, api_as, reported: Reported) -> None:
    tenant = reported.tenant
    response = client_as(tenant.auditor).get(url("report_json", tenant))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        'attachment; filename="compliance-riverside-day-service-'
    )
    data = json.loads(response.content)
    api = (
        api_as(tenant.auditor)
        .get(f"/api/v1/orgs/{tenant.organisation.slug}/projects/{tenant.project.slug}/compliance/")
        .json()
    )
    data.pop("generated_at"), api.pop("generated_at")
    assert data == api


def _neutralised_group(tenant: Tenant, name: str) -> None:
    with scope(organisation=tenant.organisation):
        stakeholder_services.stakeholder_group_add(
            project=tenant.project,
            name=name,
            affected="indirectly",
            impact="positive",
            actor=tenant.facilitator,
        )


def test_csv_exports_neutralise_formulas(client_as, reported: Reported) -> None:
    tenant = reported.tenant
    evil = '=HYPERLINK("http://evil.example","click")'
    _neutralised_group(tenant, evil)
    client = client_as(tenant.auditor)
    rows = list(csv.reader(io.StringIO(client.get(url("report_csv", tenant)).content.decode())))
    header, body = rows[0], rows[1:]
    assert header[:6] == ["rule", "section", "title", "status", "explanation", "evidence"]
    assert [row[0] for row in body] == _rule_ids(tenant)
    cells = [cell for row in body for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)  # the group heads an evidence list
    # Every row says for which day, when and from which ledger head.
    assert all(row[6] == timezone.localdate().isoformat() and row[8].startswith("2:") for row in body)
    audit = list(csv.reader(io.StringIO(client.get(url("audit_log_csv", tenant)).content.decode())))
    assert audit[0][:8] == [
        "when",
        "who",
        "action",
        "action_label",
        "object_type",
        "object_id",
        "object",
        "rule",
    ]
    objects = [row[6] for row in audit[1:]]
    assert f"'{evil}" in objects and evil not in objects


def test_no_public_contact_details_in_any_export(client_as, reported: Reported) -> None:
    tenant = reported.tenant
    with scopes_disabled():
        PublicInput.objects.create(
            project=tenant.project,
            message="Keep Saturdays",
            affected="directly",
            impact="positive",
            as_who="service_user",
            name="Secret Name",
            contact="secret.person@example.org",
            consent=True,
        )
    client = client_as(tenant.auditor)
    for name in ("report", "report_csv", "report_json", "audit_log_csv"):
        content = client.get(url(name, tenant)).content.decode()
        assert "secret.person@example.org" not in content and "Secret Name" not in content, name
    archive = zipfile.ZipFile(io.BytesIO(client.get(url("export_bundle", tenant)).content))
    for member in archive.namelist():
        text = archive.read(member).decode()
        assert "secret.person@example.org" not in text and "Secret Name" not in text, member


def test_pdf_renders_every_rule(client_as, reported: Reported) -> None:
    tenant = reported.tenant
    response = client_as(tenant.auditor).get(url("report_pdf", tenant))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    rule_ids = _rule_ids(tenant)
    assert 3 <= len(reader.pages) <= 10 + len(rule_ids)
    text = "\n".join(page.extract_text() for page in reader.pages)
    for rule_id in rule_ids:
        assert rule_id in text, rule_id
    cover = reader.pages[0].extract_text()
    assert tenant.project.title in cover and tenant.organisation.name in cover
    assert "Ledger head" in cover and "Contents" in reader.pages[1].extract_text()
    assert all(rule in Rule.values for rule in rule_ids)


@pytest.mark.rule("LEDGER-1")
def test_bundle_verifies_and_catches_tampering(client_as, reported: Reported, tmp_path: Path) -> None:
    tenant = reported.tenant
    response = client_as(tenant.auditor).get(url("export_bundle", tenant))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert set(archive.namelist()) == {
        "report.json",
        "ledger.json",
        "audit-log.csv",
        "verify_ledger.py",
        "README.txt",
    }
    archive.extractall(tmp_path)
    report = json.loads((tmp_path / "report.json").read_text())
    ledger = json.loads((tmp_path / "ledger.json").read_text())
    assert report["ledger_head"] == ledger["head"]  # the report names the head of the ledger beside it
    assert "python verify_ledger.py ledger.json" in (tmp_path / "README.txt").read_text()

    def verify(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - our own verifier, run with this interpreter
            [sys.executable, str(tmp_path / "verify_ledger.py"), str(tmp_path / "ledger.json"), *args],
            capture_output=True,
            text=True,
            check=False,
        )

    ok = verify("--head", f"{ledger['head']['sequence']}:{ledger['head']['hash']}")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "VERIFIED" in ok.stdout
    payload = json.loads(ledger["entries"][0]["payload"])
    payload["outcome"] = "rejected"
    ledger["entries"][0]["payload"] = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    (tmp_path / "ledger.json").write_text(json.dumps(ledger))
    tampered = verify()
    assert tampered.returncode == 1
    assert "NOT VERIFIED (first bad entry: 1)" in tampered.stdout


# --- The organisation summary ---------------------------------------------------------------


def test_organisation_summary_page_and_csv(client_as, reported: Reported) -> None:
    tenant = reported.tenant
    client = client_as(tenant.auditor)
    org_url = reverse("reports:organisation_report", kwargs={"org": tenant.organisation.slug})
    page = html_of(client.get(org_url))
    assert tenant.project.title in page and url("report", tenant) in page
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(
                    reverse("reports:organisation_report_csv", kwargs={"org": tenant.organisation.slug})
                ).content.decode()
            )
        )
    )
    assert rows[0][:8] == ["project", "title", "status", "pass", "warn", "fail", "n/a", "failing_rules"]
    (row,) = rows[1:]
    with scopes_disabled():
        results = evaluate(tenant.project, timezone.localdate())
    assert row[0] == tenant.project.slug
    assert [int(value) for value in row[3:7]] == [
        sum(1 for r in results if r.status.value == status) for status in ("pass", "warn", "fail", "n/a")
    ]
    assert row[7].split() == [r.rule.value for r in results if r.status.value == "fail"]


# --- Meeting records ---------------------------------------------------------------------------


def test_meeting_record(client_as, reported: Reported) -> None:
    tenant = reported.tenant
    meeting = reported.meeting
    meeting_page = html_of(
        client_as(tenant.member).get(
            reverse(
                "boards:meeting_detail",
                kwargs={
                    "org": tenant.organisation.slug,
                    "project": tenant.project.slug,
                    "kind": "board",
                    "pk": meeting.pk,
                },
            )
        )
    )
    record_url = url("meeting_record", tenant, pk=meeting.pk)
    assert record_url in meeting_page
    response = client_as(tenant.member).get(record_url)
    assert response.status_code == 200
    page = html_of(response)
    # 8 of the 10 seat holders attended: 4 service users and 4 professionals.
    assert "8 members attended (4 non-professional), 2 did not." in page
    assert re.search(r"Service user.*?<td class=\"numeric\">4</td>", page, re.S)
    assert "Open on Saturdays" in page and "for 8, against 0, abstain 0" in page
    entry = reported.entries[0]
    assert f"/ledger/{entry.pk}/" in page and f"Entry {entry.sequence}" in page
    assert "Hire a peer worker" in page  # its vote closed on the day the meeting was held
    pdf = client_as(tenant.member).get(url("meeting_record_pdf", tenant, pk=meeting.pk))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert "Open on Saturdays" in text and "Attendance by capacity" in text


# --- Query counts ------------------------------------------------------------------------------


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    return len(queries)


@pytest.mark.parametrize("name", ["report", "report_json", "report_csv"])
def test_query_counts_do_not_grow_with_the_data(client_as, reported: Reported, name: str) -> None:
    tenant = reported.tenant
    client = client_as(tenant.auditor)
    path = url(name, tenant)
    client.get(path)  # warm: evaluators load once per process
    grow(reported, 1)
    few = _queries(client, path)
    grow(reported, 6)
    many = _queries(client, path)
    assert many == few, f"{few} queries with little data, {many} with more"


def test_meeting_record_queries_do_not_grow(client_as, reported: Reported) -> None:
    tenant = reported.tenant
    client = client_as(tenant.member)
    path = url("meeting_record", tenant, pk=reported.meeting.pk)
    few = _queries(client, path)
    grow(reported, 4)
    assert _queries(client, path) == few
