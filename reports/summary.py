"""The organisation-wide compliance summary: one row per project with its
counts per status and the IDs of the rules it fails, as of today. Each
project costs what its own report costs, and nothing per rule; the reports
are the ones its readers share (`reports.report.shared_reports`), so a
summary read again before anything changes costs a fixed few queries."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.urls import reverse
from django.utils import timezone

from projects import selectors
from projects.models import Organisation
from reports.report import STATUSES, failing_rules, shared_reports


def organisation_summary(organisation: Organisation) -> dict[str, Any]:
    today = timezone.localdate()
    projects = list(selectors.project_list(organisation=organisation))
    reports = shared_reports(projects, today)
    rows = []
    for project in projects:
        report = reports[project.pk]
        rows.append(
            {
                "project": project.slug,
                "title": project.title,
                "status": project.status,
                "status_label": project.get_status_display(),
                "summary": {status: report["summary"].get(status, 0) for status in STATUSES},
                "failing": failing_rules(report),
                "url": reverse("reports:report", kwargs={"org": organisation.slug, "project": project.slug}),
            }
        )
    totals = Counter()
    for row in rows:
        totals.update(row["summary"])
    return {
        "organisation": organisation.slug,
        "as_of": today.isoformat(),
        "generated_at": timezone.now().isoformat(),
        "summary": {status: totals.get(status, 0) for status in STATUSES},
        "projects": rows,
    }
