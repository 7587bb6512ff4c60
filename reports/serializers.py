"""What the compliance API answers, for its OpenAPI description, and the "as
of" query parameter. The answers themselves are the plain data of
`reports.report`, `reports.summary` and `reports.meetings`, the same data
every export is made from."""

from __future__ import annotations

import datetime
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reports.report import STATUS_LABELS, STATUSES, AsOfError, check_as_of

_STATUS_HELP = ", ".join(f"`{status}` ({label.lower()})" for status, label in STATUS_LABELS.items())


class AsOfQuerySerializer(serializers.Serializer):
    """`?as_of=YYYY-MM-DD`: a day from the project's start to today (default today)."""

    as_of = serializers.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        help_text="The day the report is made for, YYYY-MM-DD: from the project's start (the day it was "
        "recorded, or its first phase's start if earlier) to today. Default: today.",
    )

    def validate_as_of(self, value: datetime.date) -> datetime.date:
        try:
            check_as_of(self.context["project"], value)
        except AsOfError as error:
            raise serializers.ValidationError(str(error)) from None
        return value


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}]})
class RecordIdField(serializers.Field):
    def to_representation(self, value: Any) -> Any:
        return value


class ComplianceCountsSerializer(serializers.Serializer):
    """How many rules have each status."""

    def get_fields(self) -> dict[str, serializers.Field]:
        # "n/a" is not a Python name: the fields are made here.
        return {status: serializers.IntegerField(help_text=STATUS_LABELS[status]) for status in STATUSES}


class ComplianceHeadSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    hash = serializers.CharField(help_text="SHA-256 of the newest ledger entry.")


class ComplianceEvidenceSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="What the record is: body, seat, stakeholder_group, decision, …")
    id = RecordIdField(help_text="The record's id; for a `decision`, its ledger sequence number.")
    label = serializers.CharField()
    url = serializers.CharField(help_text="A path on this site to the record's page; empty when it has none.")


class ComplianceRuleSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The rule ID of RULES.md, e.g. `BOARD-4`.")
    title = serializers.CharField()
    section = serializers.CharField(
        help_text="The prefix of the rule ID: SCOPE, BOARD, GROUP, TEAM, LEDGER, TENANT."
    )
    status = serializers.ChoiceField(
        choices=[(s, STATUS_LABELS[s]) for s in STATUSES], help_text=_STATUS_HELP
    )
    explanation = serializers.CharField()
    evidence = ComplianceEvidenceSerializer(many=True, help_text="The records that justify the status.")


class ComplianceSectionSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    summary = ComplianceCountsSerializer()
    rules = serializers.ListField(
        child=serializers.CharField(), help_text="Rule IDs of this section, in order."
    )


class ComplianceReportSerializer(serializers.Serializer):
    """`coprod-compliance/1`: a project's compliance report as of a day."""

    format = serializers.CharField()
    organisation = serializers.CharField()
    project = serializers.CharField(help_text="The project's slug.")
    project_title = serializers.CharField()
    as_of = serializers.DateField()
    generated_at = serializers.DateTimeField()
    ledger_head = ComplianceHeadSerializer(
        allow_null=True, help_text="The ledger head the report was made from (null: no decisions yet)."
    )
    summary = ComplianceCountsSerializer()
    sections = ComplianceSectionSerializer(many=True)
    rules = ComplianceRuleSerializer(many=True)


class ProjectComplianceSerializer(serializers.Serializer):
    project = serializers.CharField(help_text="The project's slug.")
    title = serializers.CharField()
    status = serializers.CharField(help_text="The project's status: proposed, scoping, delivery or closed.")
    status_label = serializers.CharField()
    summary = ComplianceCountsSerializer()
    failing = serializers.ListField(child=serializers.CharField(), help_text="IDs of the rules it fails.")
    url = serializers.CharField(help_text="The report page of the project.")


class OrganisationComplianceSerializer(serializers.Serializer):
    organisation = serializers.CharField()
    as_of = serializers.DateField()
    generated_at = serializers.DateTimeField()
    summary = ComplianceCountsSerializer(help_text="Rules per status, over all projects.")
    projects = ProjectComplianceSerializer(many=True)


class RecordCapacitySerializer(serializers.Serializer):
    capacity = serializers.CharField()
    label = serializers.CharField()
    non_professional = serializers.BooleanField()
    attended = serializers.IntegerField()
    absent = serializers.IntegerField()
    attended_names = serializers.ListField(child=serializers.CharField())
    absent_names = serializers.ListField(child=serializers.CharField())


class RecordAttendanceSerializer(serializers.Serializer):
    attended = serializers.IntegerField()
    absent = serializers.IntegerField()
    non_professional_attended = serializers.IntegerField()
    by_capacity = RecordCapacitySerializer(many=True)


class RecordOutcomeSerializer(serializers.Serializer):
    sequence = serializers.IntegerField(help_text="The ledger entry's sequence number.")
    outcome = serializers.CharField(help_text="agreed, rejected, tied or not_quorate.")
    round = serializers.IntegerField(allow_null=True)
    tally = serializers.DictField(
        child=serializers.IntegerField(), help_text="Votes for, against and abstaining."
    )
    quorum = serializers.DictField(help_text="The LEDGER-2 quorum as recorded in the ledger.")
    recorded_at = serializers.DateTimeField()
    hash = serializers.CharField()
    url = serializers.CharField()


class RecordItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    hands_recorded_here = serializers.BooleanField(help_text="A show of hands was recorded at this meeting.")
    url = serializers.CharField()
    outcomes = RecordOutcomeSerializer(many=True)


class MeetingRecordSerializer(serializers.Serializer):
    organisation = serializers.CharField()
    project = serializers.CharField()
    body = serializers.CharField(help_text="board or overview.")
    meeting = serializers.IntegerField()
    status = serializers.CharField(help_text="scheduled, held or cancelled.")
    scheduled_at = serializers.DateTimeField()
    held_on = serializers.DateField(allow_null=True)
    place = serializers.CharField()
    generated_at = serializers.DateTimeField()
    attendance = RecordAttendanceSerializer()
    items = RecordItemSerializer(many=True)
    minutes = serializers.CharField()
