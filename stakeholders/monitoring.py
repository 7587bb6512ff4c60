"""Cadence check of public input: not answered within the project's number
of days (TEAM-9). One query for every organisation."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.urls import reverse

from coprod.rulebook import Rule
from projects.models import FlagKind
from projects.monitoring import FlagSpec, check
from stakeholders.models import InputStatus, PublicInput


@check
def unanswered_input(now: datetime.datetime) -> Iterator[FlagSpec]:
    inputs = (
        PublicInput.objects.exclude(status=InputStatus.ANSWERED)
        .filter(project__status__in=("proposed", "scoping", "delivery"))
        .select_related("project__organisation")
    )
    for item in inputs:
        project = item.project
        due = item.received_at + datetime.timedelta(days=project.input_answer_days)
        if now <= due:
            continue
        org = project.organisation
        yield FlagSpec(
            organisation_id=org.pk,
            project_id=project.pk,
            kind=FlagKind.INPUT_UNANSWERED,
            rule=Rule.TEAM_9,
            key=f"input:{item.pk}:unanswered",
            title=f"Input #{item.pk} has not been answered within {project.input_answer_days} days",
            fix="Answer it publicly: whether and how it was incorporated, or why not.",
            url=reverse("projects:project_detail", kwargs={"org": org.slug, "project": project.slug}),
            since=due,
        )
