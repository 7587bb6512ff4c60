"""Cadence check of disputes: a stage that runs past its time limit
(BOARD-6, GROUP-5). One query for every organisation, read as plain values
with one reversed path for every row (`projects.monitoring.path_template`)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.utils import timezone

from boards.rules import rules_for
from disputes.models import DisputeStatus, StageKind, StageRecord
from projects.models import FlagKind
from projects.monitoring import FlagSpec, check, path_template

# get_kind_display() without an instance.
_STAGE_LABEL: dict[str, str] = {value: str(label) for value, label in StageKind.choices}


@check
def overdue_stages(now: datetime.datetime) -> Iterator[FlagSpec]:
    today = timezone.localdate(now)
    dispute_path = path_template("disputes:dispute_detail", "org", "project", "pk")
    rows = StageRecord.objects.filter(
        completed_at__isnull=True, due_on__lt=today, dispute__status=DisputeStatus.OPEN
    ).values_list(
        "order",
        "kind",
        "due_on",
        "dispute_id",
        "dispute__body_id",
        "dispute__body__kind",
        "dispute__body__project_id",
        "dispute__body__project__slug",
        "dispute__body__project__organisation_id",
        "dispute__body__project__organisation__slug",
    )
    for (
        order,
        kind,
        due_on,
        dispute_id,
        body_id,
        body_kind,
        project_id,
        project_slug,
        org_id,
        org_slug,
    ) in rows:
        yield FlagSpec(
            organisation_id=org_id,
            project_id=project_id,
            kind=FlagKind.DISPUTE_STAGE_OVERDUE,
            rule=rules_for(body_kind).ties,
            key=f"dispute:{dispute_id}:stage:{order}:overdue",
            title=f"Dispute #{dispute_id}: stage {order} ({_STAGE_LABEL[kind].lower()}) passed its "
            f"time limit of {due_on:%-d %B %Y}",
            fix="Record the stage's result and move on, or settle the dispute.",
            url=dispute_path(org=org_slug, project=project_slug, pk=dispute_id),
            since=timezone.make_aware(
                datetime.datetime.combine(due_on + datetime.timedelta(days=1), datetime.time.min)
            ),
            body_id=body_id,
        )
