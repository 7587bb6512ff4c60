"""The organisation-wide compliance summary: one row per project with its
counts per status and the IDs of the rules it fails, as of today. Each
project costs what its own report costs (`evaluate()`), and nothing per rule."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.urls import reverse
from django.utils import timezone

from projects import selectors
from projects.compliance import Status, evaluate
from projects.models import Organisation
from reports.report import STATUSES


def organisation_summary(organisation: Organisation) -> dict[str, Any]:
    today = timezone.localdate()
    rows = []
    for project in selectors.project_list(organisation=organisation):
        results = evaluate(project, today)
        counted = Counter(result.status.value for result in results)
        rows.append(
            {
                "project": project.slug,
                "title": project.title,
                "status": project.status,
                "status_label": project.get_status_display(),
                "summary": {status: counted.get(status, 0) for status in STATUSES},
                "failing": [result.rule.value for result in results if result.status == Status.FAIL],
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
