"""Cadence check of milestones: due or past due without an Overview Group
review (GROUP-8). One query for every organisation."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from coprod.rulebook import Rule
from overview.models import MilestoneReview
from projects.models import FlagKind, Milestone
from projects.monitoring import FlagSpec, check


@check
def unreviewed_milestones(now: datetime.datetime) -> Iterator[FlagSpec]:
    today = timezone.localdate(now)
    milestones = (
        Milestone.objects.filter(
            due_on__lte=today, completed_on__isnull=True, project__status__in=("scoping", "delivery")
        )
        .annotate(reviewed=Exists(MilestoneReview.objects.filter(milestone=OuterRef("pk"))))
        .filter(reviewed=False)
        .select_related("project__organisation")
    )
    for milestone in milestones:
        project = milestone.project
        org = project.organisation
        yield FlagSpec(
            organisation_id=org.pk,
            project_id=project.pk,
            kind=FlagKind.MILESTONE_UNREVIEWED,
            rule=Rule.GROUP_8,
            key=f"milestone:{milestone.pk}:unreviewed",
            title=f"Milestone “{milestone.title}” is due ({milestone.due_on:%-d %B %Y}) without an Overview Group "
            "review",
            fix="Review it at the next Overview Group meeting and record the review.",
            url=reverse("projects:milestone_list", kwargs={"org": org.slug, "project": project.slug}),
            since=timezone.make_aware(datetime.datetime.combine(milestone.due_on, datetime.time.min)),
        )
