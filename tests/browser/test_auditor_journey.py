"""The demo auditor checks a project in a real browser.

With the demo data loaded (`seed_demo`), the auditor of Northmoor logs in,
opens the Beacon Street project and its compliance report, asks for the
report as of the project's first day (keyboard only, no JavaScript needed),
downloads the report as PDF and the export bundle, checks the bundle's
ledger with the verifier it carries (LEDGER-1), looks at the organisation's
summary and at the record of a board meeting. Read-only throughout: the
auditor is offered nothing to change. axe-core checks every page visited:
zero WCAG 2.2 A/AA violations."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from projects.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.accessibility import assert_accessible

AUDITOR = "auditor@northmoor.example"
PROJECT = "Redesigning the Beacon Street community mental-health day service"


def log_in(page: Page) -> None:
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Email address or username").fill(AUDITOR)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(re.compile(r"^Logged in as "))).to_be_visible()


@pytest.mark.rule("LEDGER-1")
def test_auditor_checks_a_project_and_takes_the_evidence_away(page: Page, tmp_path: Path) -> None:
    call_command("seed_demo", "--force", stdout=StringIO())
    log_in(page)
    assert_accessible(page)

    page.get_by_role("link", name=PROJECT).first.click()
    expect(page.get_by_role("heading", level=1, name=PROJECT)).to_be_visible()
    assert_accessible(page)

    # The project navigation offers the report to the auditor.
    page.get_by_role("navigation", name="Parts of this project").get_by_role(
        "link", name="Compliance"
    ).click()
    expect(page.get_by_role("heading", level=1, name="Compliance report")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Summary")).to_be_visible()
    expect(
        page.get_by_role("img", name="Non-professional share of each body against its threshold")
    ).to_be_visible()
    expect(page.get_by_text(re.compile(r"^BOARD-4$")).first).to_be_visible()
    assert_accessible(page)

    # The report as of the project's first day, by keyboard.
    day = page.get_by_label("Report as of")
    first_day = day.get_attribute("min")
    assert first_day
    day.fill(first_day)
    day.press("Enter")
    expect(page).to_have_url(re.compile(rf"\?as_of={first_day}$"))
    expect(page.get_by_role("heading", level=2, name="About this report")).to_be_visible()
    assert_accessible(page)

    # An impossible day is explained on the page.
    page.goto(page.url.split("?")[0] + "?as_of=1999-01-01")
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_text(re.compile("Choose a day from the project's start")).first).to_be_visible()
    assert_accessible(page)
    page.go_back()
    expect(page.get_by_role("heading", level=2, name="About this report")).to_be_visible()

    # The PDF: the cover names the project and the day.
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="The report as PDF").click()
    pdf = pdf_download.value
    assert pdf.suggested_filename == f"compliance-northmoor-beacon-day-service-{first_day}.pdf"
    pdf_bytes = Path(pdf.path()).read_bytes()
    assert pdf_bytes.startswith(b"%PDF")
    cover = " ".join(PdfReader(io.BytesIO(pdf_bytes)).pages[0].extract_text().split())
    assert "Northmoor Health and Care Partnership" in cover and "Ledger head" in cover

    # The bundle: the report, the ledger, the audit log and the verifier, which verifies.
    with page.expect_download() as bundle_download:
        page.get_by_role("link", name="Everything for an audit (zip)").click()
    bundle = bundle_download.value
    assert bundle.suggested_filename == f"export-northmoor-beacon-day-service-{first_day}.zip"
    archive = zipfile.ZipFile(bundle.path())
    assert {"report.json", "ledger.json", "audit-log.csv", "verify_ledger.py", "README.txt"} == set(
        archive.namelist()
    )
    archive.extractall(tmp_path)
    assert json.loads((tmp_path / "report.json").read_text())["as_of"] == first_day
    checked = subprocess.run(  # noqa: S603 - the bundle's own verifier, run with this interpreter
        [sys.executable, str(tmp_path / "verify_ledger.py"), str(tmp_path / "ledger.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0 and "VERIFIED" in checked.stdout, checked.stdout + checked.stderr

    # Every project of the organisation at a glance.
    page.get_by_role("link", name="Compliance of every project of the organisation").click()
    expect(page.get_by_role("heading", level=1, name="Compliance across projects")).to_be_visible()
    expect(page.get_by_role("link", name=PROJECT)).to_be_visible()
    assert_accessible(page)

    # The record a body files for a meeting, from the meeting's page.
    page.get_by_role("link", name=PROJECT).click()
    page.get_by_role("navigation", name="Parts of this project").get_by_role(
        "link", name="Board and group"
    ).click()
    page.get_by_role("table", name="Recent meetings").get_by_role("link").first.click()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^The meeting's record")).click()
    expect(
        page.get_by_role("heading", level=1, name=re.compile(r"^Record of the Project Board meeting"))
    ).to_be_visible()
    expect(page.get_by_role("table", name="Attendance by capacity")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as record_download:
        page.get_by_role("link", name="Download the record (PDF)").click()
    assert Path(record_download.value.path()).read_bytes().startswith(b"%PDF")
