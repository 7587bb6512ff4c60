"""Demo milestone reviews for the seeded Beacon Street project: the Overview
Group reviews every milestone that has fallen due at its held meeting, and
the first one, reviewed, is marked complete (GROUP-8). Called by
`seed_demo` after the bodies have met; written through the services.
Idempotent."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from boards.models import Meeting
from overview import services
from overview.models import MilestoneReview
from projects.models import Milestone, Project

FINDINGS = [
    "Views from all six groups were gathered and every one was answered; the scope document shows which "
    "part each shaped.",
    "The service model was agreed by the board after three open workshops; carers asked for weekend "
    "opening to come back to the group.",
    "The pilot opened on time; members asked for the quiet room to be finished first.",
]


def seed_reviews(project: Project, facilitator: AbstractBaseUser) -> None:
    meeting = (
        Meeting.objects.filter(body__project=project, body__kind="overview", status=Meeting.Status.HELD)
        .order_by("-held_on")
        .first()
    )
    if meeting is None:
        return
    due = Milestone.objects.filter(project=project, due_on__lte=timezone.localdate()).order_by("due_on")
    for milestone, finding in zip(due, FINDINGS, strict=False):
        if not MilestoneReview.objects.filter(milestone=milestone).exists():
            services.milestone_review_record(
                milestone=milestone, meeting=meeting, summary=finding, actor=facilitator
            )
    first = due.first()
    if first is not None and first.completed_on is None:
        services.milestone_complete(milestone=first, actor=facilitator, on=meeting.held_on)
