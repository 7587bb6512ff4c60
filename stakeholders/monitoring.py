"""Cadence check of public input: not answered within the project's number
of days (TEAM-9). One query for every organisation, read as plain values
with one reversed path for every row (`projects.monitoring.path_template`)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from coprod.rulebook import Rule
from projects.models import FlagKind
from projects.monitoring import FlagSpec, check, path_template
from stakeholders.models import InputStatus, PublicInput


@check
def unanswered_input(now: datetime.datetime) -> Iterator[FlagSpec]:
    project_path = path_template("projects:project_detail", "org", "project")
    rows = (
        PublicInput.objects.exclude(status=InputStatus.ANSWERED)
        .filter(project__status__in=("proposed", "scoping", "delivery"))
        .values_list(
            "pk",
            "received_at",
            "project_id",
            "project__slug",
            "project__input_answer_days",
            "project__organisation_id",
            "project__organisation__slug",
        )
    )
    for pk, received_at, project_id, project_slug, days, org_id, org_slug in rows:
        due = received_at + datetime.timedelta(days=days)
        if now <= due:
            continue
        yield FlagSpec(
            organisation_id=org_id,
            project_id=project_id,
            kind=FlagKind.INPUT_UNANSWERED,
            rule=Rule.TEAM_9,
            key=f"input:{pk}:unanswered",
            title=f"Input #{pk} has not been answered within {days} days",
            fix="Answer it publicly: whether and how it was incorporated, or why not.",
            url=project_path(org=org_slug, project=project_slug),
            since=due,
        )
