"""The files an auditor takes away: the report as CSV and PDF, the project's
audit log as CSV, the organisation summary as CSV, and a bundle that can be
checked offline (report, ledger, audit log, the standalone verifier and a
README). Each file says when it was made, for which day, and the ledger head
it was made from (LEDGER-1).

Spreadsheet cells go through the ledger export's `spreadsheet_safe`, so a
value that a spreadsheet would run as a formula (= + - @, tab, carriage
return) is shown as text. No file holds the contact details of members of
the public: the report never reads them, and the audit log records none."""

from __future__ import annotations

import csv
import datetime
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

import tools.verify_ledger
from boards.ledger import export_document
from boards.serializers_decisions import spreadsheet_safe
from projects import selectors
from projects.models import AuditEvent, Project
from projects.views import action_label
from reports.report import STATUSES, build_report

PRINT_CSS = "css/report-print.css"
REPORT_COLUMNS = ["rule", "section", "title", "status", "explanation", "evidence"]
META_COLUMNS = ["as_of", "generated_at", "ledger_head"]
AUDIT_COLUMNS = [
    "when",
    "who",
    "action",
    "action_label",
    "object_type",
    "object_id",
    "object",
    "rule",
]
SUMMARY_COLUMNS = ["project", "title", "status", *STATUSES, "failing_rules"]


def head_text(head: dict[str, Any] | None) -> str:
    """`SEQUENCE:HASH`, as `verify_ledger.py --head` takes it, or "none"."""
    return f"{head['sequence']}:{head['hash']}" if head else "none"


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(value) for value in row])
    return buffer.getvalue()


def file_stem(report: dict[str, Any], what: str) -> str:
    return f"{what}-{report['organisation']}-{report['project']}-{report['as_of']}"


# --- The report ------------------------------------------------------------------------------


def report_csv(report: dict[str, Any]) -> str:
    """One row per rule: ID, section, title, status, explanation and the
    evidence labels (joined by " | "), then when, for which day and from
    which ledger head the report was made."""
    meta = [report["as_of"], report["generated_at"], head_text(report["ledger_head"])]
    return _csv(
        REPORT_COLUMNS + META_COLUMNS,
        (
            [
                rule["id"],
                rule["section"],
                rule["title"],
                rule["status"],
                rule["explanation"],
                " | ".join(item["label"] for item in rule["evidence"]),
                *meta,
            ]
            for rule in report["rules"]
        ),
    )


def report_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False)


# --- The audit log -------------------------------------------------------------------------


def audit_events(project: Project, as_of: datetime.date) -> list[AuditEvent]:
    """The project's audit events up to the end of the "as of" day, oldest first."""
    return list(
        selectors.audit_events(organisation=project.organisation, project=project)
        .filter(created_at__date__lte=as_of)
        .order_by("created_at", "pk")
    )


def audit_csv(project: Project, as_of: datetime.date, head: dict[str, Any] | None) -> str:
    """The project's audit log as the audit log page shows it (who, what, to
    which record, under which rule), without the free-form `data` of events,
    which the page does not show either."""
    generated = timezone.now().isoformat()
    meta = [as_of.isoformat(), generated, head_text(head)]
    return _csv(
        AUDIT_COLUMNS + META_COLUMNS,
        (
            [
                event.created_at.isoformat(),
                event.actor_label or "system",
                event.action,
                action_label(event.action),
                event.object_type,
                event.object_id,
                event.object_repr,
                event.rule,
                *meta,
            ]
            for event in audit_events(project, as_of)
        ),
    )


# --- The organisation summary ----------------------------------------------------------------


def summary_csv(rows: list[dict[str, Any]], as_of: datetime.date, generated_at: str) -> str:
    return _csv(
        [*SUMMARY_COLUMNS, "as_of", "generated_at"],
        (
            [
                row["project"],
                row["title"],
                row["status"],
                *(row["summary"][status] for status in STATUSES),
                " ".join(row["failing"]),
                as_of.isoformat(),
                generated_at,
            ]
            for row in rows
        ),
    )


# --- The bundle ------------------------------------------------------------------------------

README = """\
Compliance export of {title}
Organisation: {organisation}
Project: {project}
Report as of: {as_of}
Made at: {generated_at}
Ledger head it was made from: {head}

Files
-----
report.json       The compliance report: every rule with its status (pass, warn,
                  fail or n/a), explanation and evidence, as of the date above.
ledger.json       The project's decision ledger as it stood when this bundle was
                  made: every decision, each entry chained to the one before it
                  by a SHA-256 hash (LEDGER-1).
audit-log.csv     What people did in this project, up to the end of the "as of"
                  day, oldest first.
verify_ledger.py  A verifier that needs nothing but Python 3.

Re-checking the ledger
----------------------
Anyone can re-check the chain of decisions without coprod:

    python verify_ledger.py ledger.json

It prints "VERIFIED" and exits with 0 when every entry matches its hash and
follows the one before it; it names the first entry that does not match and
exits with 1 when anything was changed, removed or reordered.

To check that the ledger still contains the head recorded in this bundle
(which catches a rewrite of the whole chain), run it on a newer export:

    python verify_ledger.py ledger.json --head {head_arg}
"""


def bundle(project: Project, as_of: datetime.date) -> tuple[bytes, dict[str, Any]]:
    """The export bundle (a zip) and the report in it. The report names the
    head of the very ledger document it ships with."""
    ledger = export_document(project)
    head = ledger["head"]
    report = build_report(project, as_of, head=(head["sequence"], head["hash"]) if head else None)
    readme = README.format(
        title=project.title,
        organisation=project.organisation.name,
        project=project.slug,
        as_of=report["as_of"],
        generated_at=report["generated_at"],
        head=head_text(head),
        head_arg=head_text(head) if head else "SEQUENCE:HASH",
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.comment = f"coprod export of {project.slug} as of {report['as_of']}".encode()
        archive.writestr("README.txt", readme)
        archive.writestr("report.json", report_json(report))
        archive.writestr("ledger.json", json.dumps(ledger, indent=2, ensure_ascii=False))
        archive.writestr("audit-log.csv", audit_csv(project, as_of, report["ledger_head"]))
        archive.writestr("verify_ledger.py", Path(tools.verify_ledger.__file__).read_text(encoding="utf-8"))
    return buffer.getvalue(), report


# --- PDF -----------------------------------------------------------------------------------------


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> Any:
    """The PDF is made from our own HTML and stylesheet only: nothing is
    fetched, so no text in a report can make the server load a URL."""
    raise ValueError(f"Not fetched: {url[:80]}")


def print_stylesheet() -> str:
    path = finders.find(PRINT_CSS) or str(Path(settings.STATIC_ROOT) / PRINT_CSS)
    return Path(path).read_text(encoding="utf-8")


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """A template rendered with the print stylesheet into a PDF (WeasyPrint)."""
    from weasyprint import CSS, HTML  # heavy: loaded only when a PDF is asked for

    html = render_to_string(template, {**context, "site_url": settings.SITE_URL})
    document = HTML(string=html, base_url=settings.SITE_URL + "/", url_fetcher=_refuse_fetch)
    return document.write_pdf(stylesheets=[CSS(string=print_stylesheet(), url_fetcher=_refuse_fetch)])
