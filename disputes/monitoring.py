"""Cadence check of disputes: a stage that runs past its time limit
(BOARD-6, GROUP-5). One query for every organisation."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.urls import reverse
from django.utils import timezone

from boards.rules import rules_for
from disputes.models import DisputeStatus, StageRecord
from projects.models import FlagKind
from projects.monitoring import FlagSpec, check


@check
def overdue_stages(now: datetime.datetime) -> Iterator[FlagSpec]:
    today = timezone.localdate(now)
    stages = StageRecord.objects.filter(
        completed_at__isnull=True, due_on__lt=today, dispute__status=DisputeStatus.OPEN
    ).select_related("dispute__body__project__organisation")
    for stage in stages:
        dispute = stage.dispute
        body = dispute.body
        project = body.project
        org = project.organisation
        yield FlagSpec(
            organisation_id=org.pk,
            project_id=project.pk,
            kind=FlagKind.DISPUTE_STAGE_OVERDUE,
            rule=rules_for(body.kind).ties,
            key=f"dispute:{dispute.pk}:stage:{stage.order}:overdue",
            title=f"Dispute #{dispute.pk}: stage {stage.order} ({stage.get_kind_display().lower()}) passed its "
            f"time limit of {stage.due_on:%-d %B %Y}",
            fix="Record the stage's result and move on, or settle the dispute.",
            url=reverse(
                "disputes:dispute_detail", kwargs={"org": org.slug, "project": project.slug, "pk": dispute.pk}
            ),
            since=timezone.make_aware(
                datetime.datetime.combine(stage.due_on + datetime.timedelta(days=1), datetime.time.min)
            ),
            body_id=body.pk,
        )
