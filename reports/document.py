"""What the report page and the PDF show: the report, its sections with
their rules in place, and the charts. One function, so the page, the PDF of
the page and the PDF of the API are made from the same data."""

from __future__ import annotations

import datetime
from typing import Any

from projects.models import Project
from reports.charts import build_charts
from reports.report import STATUS_LABELS, report_for


def sections_with_rules(report: dict[str, Any]) -> list[dict[str, Any]]:
    by_id = {rule["id"]: rule for rule in report["rules"]}
    return [
        {**section, "rule_rows": [by_id[rule_id] for rule_id in section["rules"]]}
        for section in report["sections"]
    ]


def report_document(project: Project, as_of: datetime.date) -> dict[str, Any]:
    """Template context of a report as of a day: the queries of the report
    and of the charts, nothing per rule or record."""
    report = report_for(project, as_of)
    return {
        "project": project,
        "organisation": project.organisation,
        "report": report,
        "sections": sections_with_rules(report),
        "charts": build_charts(project, as_of),
        "as_of": as_of,
        "generated_at": datetime.datetime.fromisoformat(report["generated_at"]),
        "statuses": list(STATUS_LABELS.items()),
    }
