"""Cadence check of milestones: due or past due without an Overview Group
review (GROUP-8). One query for every organisation, read as plain values
with one reversed path for every row (`projects.monitoring.path_template`)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import Exists, OuterRef
from django.utils import timezone

from coprod.rulebook import Rule
from overview.models import MilestoneReview
from projects.models import FlagKind, Milestone
from projects.monitoring import FlagSpec, check, path_template


@check
def unreviewed_milestones(now: datetime.datetime) -> Iterator[FlagSpec]:
    today = timezone.localdate(now)
    milestones_path = path_template("projects:milestone_list", "org", "project")
    rows = (
        Milestone.objects.filter(
            due_on__lte=today, completed_on__isnull=True, project__status__in=("scoping", "delivery")
        )
        .annotate(reviewed=Exists(MilestoneReview.objects.filter(milestone=OuterRef("pk"))))
        .filter(reviewed=False)
        .values_list(
            "pk",
            "title",
            "due_on",
            "project_id",
            "project__slug",
            "project__organisation_id",
            "project__organisation__slug",
        )
    )
    for pk, title, due_on, project_id, project_slug, org_id, org_slug in rows:
        yield FlagSpec(
            organisation_id=org_id,
            project_id=project_id,
            kind=FlagKind.MILESTONE_UNREVIEWED,
            rule=Rule.GROUP_8,
            key=f"milestone:{pk}:unreviewed",
            title=f"Milestone “{title}” is due ({due_on:%-d %B %Y}) without an Overview Group review",
            fix="Review it at the next Overview Group meeting and record the review.",
            url=milestones_path(org=org_slug, project=project_slug),
            since=timezone.make_aware(datetime.datetime.combine(due_on, datetime.time.min)),
        )
