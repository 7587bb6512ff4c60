"""Serializers of the REST API for the governing bodies of a project: the
Project Board and the Overview Group, their seats and meetings.

They validate and shape data only; the services in `boards.services` write
and enforce BOARD-2, BOARD-4, GROUP-1 and GROUP-3 (checked today and on every
later day a term starts or ends), BOARD-10 and GROUP-9. Ids in the input are
looked up only among this organisation's people and this project's
stakeholder groups and phases (TENANT-1): any other id is 'does not exist',
whether or not it exists elsewhere. Field limits mirror the models, so bad
input is a 400 with field errors, never a 500.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from boards.composition import NON_PROFESSIONAL
from boards.models import Attendance, Body, Meeting, Seat, SeatEndReason
from boards.selectors import BodyState, TimelineRow
from coprod.api import RFC3339DateTimeField
from coprod.rulebook import Rule
from projects.models import Phase
from stakeholders.models import Capacity, Person, StakeholderGroup

# PostgreSQL integer columns stop here; a larger id is bad input, not a crash.
MAX_INT = 2_147_483_647
# More seats than any body has; bounds the work a single request can ask for.
MAX_ATTENDANCE = 1000


# --- Bodies and their composition --------------------------------------------


class ViolationSerializer(serializers.Serializer):
    """One way the body breaks its rules today, with the concrete fix."""

    rule = serializers.ChoiceField(choices=Rule.choices, help_text="The rule ID, e.g. BOARD-4.")
    problem = serializers.CharField()
    fix = serializers.CharField(help_text="What to change, e.g. “Add 2 non-professional seats.”")


class UpcomingBreachSerializer(ViolationSerializer):
    """A rule the body will break on `date` if nothing changes (a term ends unreplaced)."""

    date = serializers.DateField()


class CompositionSerializer(serializers.Serializer):
    """The body's active seats today, counted as the rules count them."""

    total = serializers.IntegerField(help_text="Active seats today.")
    non_professional = serializers.IntegerField(help_text="Active seats in a non-professional capacity.")
    project_team = serializers.IntegerField(help_text="Active project-team seats (GROUP-1: at most 2).")
    share_percent = serializers.IntegerField(help_text="Non-professional share of active seats, rounded.")
    threshold_percent = serializers.IntegerField(
        help_text="The share the rules require: 30 for the board (BOARD-4), 60 for the group (GROUP-3)."
    )
    required_non_professional = serializers.IntegerField(
        help_text="Non-professional seats needed for the current number of seats (integer arithmetic)."
    )
    violations = ViolationSerializer(many=True)
    upcoming_breaches = UpcomingBreachSerializer(many=True)


def composition_data(state: BodyState) -> dict[str, Any]:
    """The `composition` block of a body, from `boards.selectors.body_state`."""
    return {
        "total": state.composition.total,
        "non_professional": state.composition.non_professional,
        "project_team": state.composition.project_team,
        "share_percent": state.share_percent,
        "threshold_percent": state.threshold_percent,
        "required_non_professional": state.required_non_professional,
        "violations": [{"rule": v.rule.value, "problem": v.message, "fix": v.fix} for v in state.violations],
        "upcoming_breaches": [
            {"date": day, "rule": v.rule.value, "problem": v.message, "fix": v.fix}
            for day, v in state.upcoming
        ],
    }


class BodySerializer(serializers.ModelSerializer):
    """A body with its remit (BOARD-1), cadence (BOARD-9, GROUP-8), whether
    votes must meet the share (LEDGER-2), and its composition today. The
    view passes `states` ({body id: BodyState}) in the context."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    composition = serializers.SerializerMethodField()

    class Meta:
        model = Body
        fields = [
            "kind",
            "kind_label",
            "status",
            "status_since",
            "status_reason",
            "remit_equal_status",
            "remit_finance",
            "remit_quality",
            "remit_plan",
            "remit_notes",
            "meeting_cadence_days",
            "votes_must_meet_share",
            "composition",
        ]
        read_only_fields = fields

    @extend_schema_field(CompositionSerializer)
    def get_composition(self, body: Body) -> dict[str, Any]:
        return composition_data(self.context["states"][body.pk])


class BodyUpdateSerializer(serializers.ModelSerializer):
    """What a facilitator may change on a body (`services.body_update`)."""

    class Meta:
        model = Body
        fields = [
            "remit_equal_status",
            "remit_finance",
            "remit_quality",
            "remit_plan",
            "remit_notes",
            "meeting_cadence_days",
            "votes_must_meet_share",
        ]


# --- Seats (TEAM-1) ------------------------------------------------------------


class SeatSerializer(serializers.ModelSerializer):
    """A seat: who sits, in which capacity, for which group, for which term.
    Ended seats stay for the record (`is_open` false, with `end_reason`)."""

    person_name = serializers.CharField(source="person.name", read_only=True)
    capacity_label = serializers.CharField(source="get_capacity_display", read_only=True)
    non_professional = serializers.SerializerMethodField()
    current = serializers.SerializerMethodField()
    stakeholder_group_name = serializers.CharField(
        source="stakeholder_group.name", read_only=True, allow_null=True, default=None
    )
    phase_name = serializers.CharField(source="phase.name", read_only=True, allow_null=True, default=None)
    # Declared so the description says what open seats answer: "" (no reason yet).
    end_reason = serializers.ChoiceField(choices=SeatEndReason.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Seat
        fields = [
            "id",
            "person",
            "person_name",
            "capacity",
            "capacity_label",
            "non_professional",
            "stakeholder_group",
            "stakeholder_group_name",
            "phase",
            "phase_name",
            "term_start",
            "term_end",
            "is_open",
            "current",
            "end_reason",
        ]
        read_only_fields = fields

    def get_non_professional(self, seat: Seat) -> bool:
        """The capacity, not the person, decides (RULES.md, Terms)."""
        return seat.capacity in NON_PROFESSIONAL

    def get_current(self, seat: Seat) -> bool:
        """Open and within its term today: the seat counts for the rules now."""
        return seat.is_open and seat.active_on(timezone.localdate())


def _related(queryset: Any, message: str, **kwargs: Any) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=queryset,
        error_messages={"does_not_exist": message, "incorrect_type": message},
        **kwargs,
    )


_PERSON = "Choose someone from this organisation's directory."
_GROUP = "Choose a stakeholder group of this project."
_PHASE = "Choose a phase of this project."


class _ProjectScopedSeatSerializer(serializers.Serializer):
    """Limits the ids a seat may name to the organisation and project in the
    context (set by the view); without them nothing is accepted."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = self.context.get("organisation")
        project = self.context.get("project")
        if "person" in self.fields and organisation is not None:
            self.fields["person"].queryset = Person.objects.filter(organisation=organisation)
        if project is not None:
            self.fields["stakeholder_group"].queryset = StakeholderGroup.objects.filter(project=project)
            self.fields["phase"].queryset = Phase.objects.filter(project=project)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("term_start"), attrs.get("term_end")
        if start is not None and end is not None and end <= start:
            raise serializers.ValidationError({"term_end": "The term must end after it starts."})
        return attrs


class SeatCreateSerializer(_ProjectScopedSeatSerializer):
    """A new seat (`services.seat_add`). BOARD-4, GROUP-1 and GROUP-3 are
    checked today and on every later day a term starts or ends."""

    person = _related(Person.objects.none(), _PERSON, help_text="A person of the organisation's directory.")
    capacity = serializers.ChoiceField(
        choices=Capacity.choices, help_text="The capacity in which the person sits; it decides the share."
    )
    stakeholder_group = _related(
        StakeholderGroup.objects.none(),
        _GROUP,
        required=False,
        allow_null=True,
        help_text="The stakeholder group of this project the seat represents (BOARD-2).",
    )
    phase = _related(
        Phase.objects.none(), _PHASE, required=False, allow_null=True, help_text="A phase of this project."
    )
    term_start = serializers.DateField(help_text="First day the seat counts.")
    term_end = serializers.DateField(
        required=False, allow_null=True, help_text="First day the seat no longer counts; empty: open-ended."
    )


class SeatChangeSerializer(_ProjectScopedSeatSerializer):
    """Changes to an open seat (`services.seat_change`), checked ahead like
    a new seat: a term end that breaks the share on that date is refused now."""

    capacity = serializers.ChoiceField(choices=Capacity.choices, required=False)
    stakeholder_group = _related(StakeholderGroup.objects.none(), _GROUP, required=False, allow_null=True)
    phase = _related(Phase.objects.none(), _PHASE, required=False, allow_null=True)
    term_start = serializers.DateField(required=False)
    term_end = serializers.DateField(required=False, allow_null=True)


class SeatFilterSerializer(serializers.Serializer):
    current = serializers.BooleanField(
        required=False,
        allow_null=True,
        help_text="`true`: only the seats that count today (open and within their term); `false`: only "
        "the others (past, ended and planned seats).",
    )


class SeatEndSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=SeatEndReason.choices,
        help_text="`resigned`, `died` and `term_ended` are recorded, never refused (the body is "
        "suspended if it falls below its share); `removed` is refused if it would break the rules.",
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The first day without the seat; default today.",
    )


# --- Meetings (BOARD-9, GROUP-8) ------------------------------------------------


class MeetingSerializer(serializers.ModelSerializer):
    # Typed by people, so possibly centuries ago: see RFC3339DateTimeField.
    scheduled_at = RFC3339DateTimeField(read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "scheduled_at",
            "duration_minutes",
            "place",
            "online_link",
            "accessibility",
            "status",
            "held_on",
            "minutes",
            "created_at",
        ]
        read_only_fields = fields


class AttendanceSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="seat.person.name", read_only=True)

    class Meta:
        model = Attendance
        fields = ["seat", "person_name", "attended"]
        read_only_fields = fields


class MeetingDetailSerializer(MeetingSerializer):
    """A meeting with who of the seat holders attended, once held."""

    attendance = AttendanceSerializer(many=True, read_only=True)

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "attendance"]
        read_only_fields = fields


class MeetingScheduleSerializer(serializers.ModelSerializer):
    """A new meeting (`services.meeting_schedule`): a place, an online link, or both."""

    class Meta:
        model = Meeting
        fields = ["scheduled_at", "duration_minutes", "place", "online_link", "accessibility"]


class MeetingHeldSerializer(serializers.Serializer):
    attended = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_INT),
        max_length=MAX_ATTENDANCE,
        required=False,
        default=list,
        help_text="Ids of the seats whose holders attended; seats of this body active on the day.",
    )
    minutes = serializers.CharField(max_length=50_000, required=False, allow_blank=True, default="")
    held_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Default: the day it was scheduled. Never in the future.",
    )


class MeetingCancelSerializer(serializers.Serializer):
    # Blank is accepted here so the service's own message (members will see
    # the reason) is the one the client reads.
    reason = serializers.CharField(max_length=2000, allow_blank=True, help_text="Members will see it.")


# --- Who sits when (TEAM-1, TEAM-3) ----------------------------------------------


class TimelinePhaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Phase
        fields = ["id", "name", "order", "starts_on", "ends_on"]
        read_only_fields = fields


class TimelineCellSerializer(serializers.Serializer):
    phase = serializers.IntegerField(help_text="The phase's id.")
    seats = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Seats (on either body) representing the group whose term overlaps the phase.",
    )


class TimelineRowSerializer(serializers.Serializer):
    stakeholder_group = serializers.IntegerField(help_text="The stakeholder group's id.")
    name = serializers.CharField()
    cells = TimelineCellSerializer(many=True, help_text="One per phase, in the order of `phases`.")


class TimelineSerializer(serializers.Serializer):
    """Phases × stakeholder groups: an empty cell is a group with no seat in that phase."""

    phases = TimelinePhaseSerializer(many=True)
    rows = TimelineRowSerializer(many=True)


def timeline_data(phases: list[Phase], rows: list[TimelineRow]) -> dict[str, Any]:
    """The timeline of `boards.selectors.term_timeline` as plain data."""
    return {
        "phases": phases,
        "rows": [
            {
                "stakeholder_group": row.group.pk,
                "name": row.group.name,
                "cells": [
                    {"phase": phase.pk, "seats": [seat.pk for seat in cell]}
                    for phase, cell in zip(phases, row.cells, strict=True)
                ],
            }
            for row in rows
        ],
    }
