"""Serializers of the REST API for disputes (BOARD-6, GROUP-5): a body's
dispute procedure, disputes with their parties and stage record, and the
input of each command.

They validate and shape data only; `disputes.services` check the rules and
write. Ids in the input are looked up by the view only among this body's
items, decisions and seats and this organisation's directory (TENANT-1): any
other id is a 400 that does not say whether it exists elsewhere. Field limits
mirror the models, so bad input is a 400 with field errors, never a 500."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from boards.models import BodyKind
from boards.selectors_decisions import person_label
from coprod.rulebook import Rule
from disputes.models import (
    Dispute,
    DisputeParty,
    DisputeStatus,
    DisputeSubject,
    PartySide,
    StageKind,
    StageRecord,
)
from disputes.services import MAX_DAYS, MAX_STAGES

# PostgreSQL integer columns stop here; a larger id is bad input, not a crash.
MAX_INT = 2_147_483_647
MAX_RESPONDENTS = 200


def _id() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_INT)


def _enum_field(name: str, choices: list[tuple[str, str]]) -> type[serializers.ChoiceField]:
    """A choice field documented with an inline enum. Field names such as
    `kind` and `status` carry other choice sets elsewhere in the API, and
    drf-spectacular would warn that their enum component names collide;
    wrapped in `allOf`, the enum stays inline. (With ENUM_NAME_OVERRIDES for
    these choice sets in the settings, plain ChoiceFields would do.)"""

    @extend_schema_field(
        {
            "allOf": [{"type": "string", "enum": [value for value, _label in choices]}],
            "description": "; ".join(f"`{value}`: {label}" for value, label in choices) + ".",
        }
    )
    class EnumField(serializers.ChoiceField):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(choices=choices, **kwargs)

    EnumField.__name__ = EnumField.__qualname__ = name
    return EnumField


BodyKindField = _enum_field("BodyKindField", BodyKind.choices)
StageKindField = _enum_field("StageKindField", StageKind.choices)
DisputeStatusField = _enum_field("DisputeStatusField", DisputeStatus.choices)
DisputeSubjectField = _enum_field("DisputeSubjectField", DisputeSubject.choices)
PartySideField = _enum_field("PartySideField", PartySide.choices)


# --- Procedures -------------------------------------------------------------------


class ProcedureStageSerializer(serializers.Serializer):
    """One stage of a procedure: what happens and its time limit."""

    kind = StageKindField()
    days = serializers.IntegerField(min_value=1, max_value=MAX_DAYS, help_text="The time limit in days.")


class ProcedureStageOutSerializer(ProcedureStageSerializer):
    order = serializers.IntegerField(help_text="1-based position in the procedure.")
    kind_label = serializers.CharField()


class AgreedProcedureSerializer(serializers.Serializer):
    """The procedure the body agreed, and the decision that agreed it."""

    agreed_by = serializers.IntegerField(help_text="Id of the ledger entry (decision) that agreed it.")
    agreed_by_sequence = serializers.IntegerField(help_text="Its number in the project's ledger.")
    agreed_at = serializers.DateTimeField()
    stages = ProcedureStageOutSerializer(many=True)


class PendingItemSerializer(serializers.Serializer):
    """A dispute-procedure item put to the body and not yet decided."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField(help_text="`open` (for discussion) or `voting`.")


class BodyProcedureSerializer(serializers.Serializer):
    """A body's dispute procedure: the one it agreed (null until it agrees
    one, and BOARD-6 or GROUP-5 fails until then), the default template it
    can adopt as it is, and procedures put to it awaiting its vote."""

    body = BodyKindField()
    rule = serializers.ChoiceField(choices=Rule.choices, help_text="BOARD-6 (board) or GROUP-5 (group).")
    agreed = serializers.BooleanField()
    current = AgreedProcedureSerializer(allow_null=True)
    default_stages = ProcedureStageOutSerializer(many=True)
    pending_items = PendingItemSerializer(many=True)


class ProcedureProposeSerializer(serializers.Serializer):
    """Put a dispute procedure to the body: `{"template": "default"}` adopts
    the default procedure as it is; otherwise give `stages` in order."""

    template = serializers.ChoiceField(choices=[("default", "The default procedure")], required=False)
    stages = ProcedureStageSerializer(many=True, required=False, max_length=MAX_STAGES, min_length=1)
    title = serializers.CharField(max_length=200, required=False, default="Our dispute procedure")
    description = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")
    deadline = serializers.DateField(required=False, allow_null=True, default=None)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if bool(data.get("template")) == bool(data.get("stages")):
            raise serializers.ValidationError('Give either `template` ("default") or `stages`, not both.')
        return data


class ProposedItemSerializer(serializers.Serializer):
    """The agenda item that now carries the proposed procedure."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    proposal = serializers.DictField()


# --- Disputes --------------------------------------------------------------------------


class DisputePartySerializer(serializers.ModelSerializer):
    """A party: a seat of the body, on one side, with their own agreement."""

    person = serializers.IntegerField(source="seat.person_id", read_only=True)
    name = serializers.SerializerMethodField()
    capacity = serializers.CharField(source="seat.capacity", read_only=True)
    side = PartySideField(read_only=True)

    class Meta:
        model = DisputeParty
        fields = ["id", "seat", "person", "name", "capacity", "side", "agreed_at", "agreement_note"]
        read_only_fields = fields

    def get_name(self, party: DisputeParty) -> str:
        """The person with their capacity; "anonymised member" once erased."""
        person = party.seat.person
        return person_label(person.name, person.erased_at is not None, party.seat.capacity)


class DisputeStageSerializer(serializers.ModelSerializer):
    """The record of one stage: when it started, its time limit, who
    mediated, what happened and its result."""

    kind = StageKindField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    mediator_name = serializers.CharField(
        source="mediator.name", read_only=True, allow_null=True, default=None
    )
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = StageRecord
        fields = [
            "order",
            "kind",
            "kind_label",
            "started_on",
            "due_on",
            "overdue",
            "mediator",
            "mediator_name",
            "notes",
            "result",
            "completed_at",
        ]
        read_only_fields = fields

    def get_overdue(self, record: StageRecord) -> bool:
        """Under way and past its time limit."""
        return record.dispute.is_open and record.completed_at is None and record.due_on < timezone.localdate()


class DisputeSerializer(serializers.ModelSerializer):
    """A dispute: what it is about, where it stands, and how it ended."""

    body = BodyKindField(source="body.kind", read_only=True)
    subject = DisputeSubjectField(read_only=True)
    status = DisputeStatusField(read_only=True)
    entry_sequence = serializers.IntegerField(
        source="entry.sequence", read_only=True, allow_null=True, default=None
    )
    raised_by_tie = serializers.SerializerMethodField()

    class Meta:
        model = Dispute
        fields = [
            "id",
            "body",
            "subject",
            "item",
            "entry",
            "entry_sequence",
            "summary",
            "outcome_sought",
            "status",
            "raised_by",
            "raised_by_tie",
            "current_stage",
            "decision_item",
            "closing_entry",
            "opened_at",
            "closed_at",
        ]
        read_only_fields = fields

    def get_raised_by_tie(self, dispute: Dispute) -> bool:
        """Opened automatically by a tied vote sent to the dispute procedure."""
        return dispute.raised_by_id is None


class DisputeDetailSerializer(DisputeSerializer):
    """A dispute with its parties, the stages recorded so far and the
    stages of the procedure it follows."""

    parties = DisputePartySerializer(many=True, read_only=True)
    stages = DisputeStageSerializer(many=True, read_only=True)
    procedure_stages = serializers.SerializerMethodField()

    class Meta(DisputeSerializer.Meta):
        fields = [*DisputeSerializer.Meta.fields, "parties", "stages", "procedure_stages"]
        read_only_fields = fields

    @extend_schema_field(ProcedureStageSerializer(many=True))
    def get_procedure_stages(self, dispute: Dispute) -> list[dict[str, Any]]:
        procedure = dispute.procedure
        return [dict(stage) for stage in procedure.stages] if procedure is not None else []


# --- Input -------------------------------------------------------------------------------


class DisputeRaiseSerializer(serializers.Serializer):
    """Raise a dispute on a body you sit on. `item` for an agenda item,
    `entry` (a ledger entry id) for a decision, its implementation or a
    return; neither for how the body is run. `respondents`: seat ids of the
    other side."""

    body = BodyKindField()
    subject = DisputeSubjectField(default=DisputeSubject.CONDUCT)
    item = _id()
    entry = _id()
    respondents = serializers.ListField(child=_id(), required=False, max_length=MAX_RESPONDENTS, default=list)
    summary = serializers.CharField(max_length=10_000)
    outcome_sought = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("item", "entry"):
            self.fields[name].required = False
            self.fields[name].allow_null = True

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        subject = data.get("subject")
        if subject == DisputeSubject.ITEM and not data.get("item"):
            raise serializers.ValidationError({"item": "Name the agenda item the dispute is about."})
        if subject == DisputeSubject.DECISION and not data.get("entry"):
            raise serializers.ValidationError({"entry": "Name the decision (ledger entry) it is about."})
        return data


class StageRecordInputSerializer(serializers.Serializer):
    """Record the current stage: notes are added to the record, the result
    replaces the previous one; `mediator` (a person id of this
    organisation's directory) only for a mediation stage."""

    notes = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")
    result = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")
    mediator = serializers.IntegerField(min_value=1, max_value=MAX_INT, required=False, allow_null=True)


class AgreeInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")


class WithdrawInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")


class DisputeFilterSerializer(serializers.Serializer):
    body = BodyKindField(required=False, help_text="Only this body's disputes.")
    status = DisputeStatusField(required=False)
