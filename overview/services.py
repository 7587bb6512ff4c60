"""Writes of the Overview Group's milestone reviews (GROUP-8)."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from boards.models import Meeting, MeetingStatus
from boards.permissions import can_manage_body
from coprod.audit import audit_record, refusals_audited
from coprod.errors import Conflict, RuleViolation
from coprod.rulebook import Rule
from coprod.services import require
from overview.models import MilestoneReview
from projects.models import Milestone


@transaction.atomic
def milestone_review_record(
    *, milestone: Milestone, meeting: Meeting, summary: str, actor: AbstractBaseUser
) -> MilestoneReview:
    """GROUP-8: the Overview Group reviews a milestone at one of its held
    meetings; the facilitators record what it found."""
    body = meeting.body
    require(can_manage_body(actor, body), "Only the project's facilitators record the group's reviews.")
    if body.kind != "overview" or body.project_id != milestone.project_id:
        raise ValidationError({"meeting": "Choose a meeting of this project's Overview Group."})
    if meeting.status != MeetingStatus.HELD:
        raise ValidationError({"meeting": "Choose a meeting that has been held."})
    if not summary.strip():
        raise ValidationError({"summary": "Say what the group found."})
    if MilestoneReview.objects.filter(milestone=milestone, meeting=meeting).exists():
        raise ValidationError({"meeting": "This milestone was already reviewed at that meeting."})
    review = MilestoneReview.objects.create(
        milestone=milestone, meeting=meeting, summary=summary.strip(), recorded_by=actor
    )
    audit_record(
        organisation=milestone.project.organisation,
        project=milestone.project,
        actor=actor,
        action="overview.milestone.reviewed",
        obj=milestone,
        rule=Rule.GROUP_8,
        data={"meeting": meeting.pk},
    )
    return review


@refusals_audited
@transaction.atomic
def milestone_complete(
    *, milestone: Milestone, actor: AbstractBaseUser, on: datetime.date | None = None
) -> Milestone:
    """GROUP-8: a milestone is marked complete only after the Overview Group
    has reviewed it."""
    from projects.permissions import can_edit_project

    require(can_edit_project(actor, milestone.project), "You cannot complete milestones of this project.")
    milestone = (
        Milestone.objects.select_for_update().select_related("project__organisation").get(pk=milestone.pk)
    )
    if milestone.completed_on is not None:
        raise Conflict("This milestone is already complete.")
    if not MilestoneReview.objects.filter(milestone=milestone).exists():
        raise RuleViolation(
            Rule.GROUP_8,
            "The Overview Group has not reviewed this milestone yet: record its review at a held group meeting "
            "first.",
        )
    milestone.completed_on = on or timezone.localdate()
    milestone.save(update_fields=["completed_on"])
    audit_record(
        organisation=milestone.project.organisation,
        project=milestone.project,
        actor=actor,
        action="overview.milestone.completed",
        obj=milestone,
        rule=Rule.GROUP_8,
        data={"on": milestone.completed_on.isoformat()},
    )
    return milestone
