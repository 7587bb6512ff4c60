"""Browser forms for the governing bodies: a body's remit and cadence, seats
with terms, departures, and meetings. Forms only check the shape of what was
typed (required, length, dates, choices limited to this organisation's people
and this project's groups and phases, so a foreign id is "not a valid
choice", TENANT-1); the services in `boards.services` check BOARD-2, BOARD-4,
GROUP-1 and GROUP-3 and write. A refusal comes back through
`coprod.forms.add_service_error`, so nothing typed is lost."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from boards.composition import NON_PROFESSIONAL
from boards.models import Body, Seat, SeatEndReason
from projects.forms import DateInput, ServiceModelForm
from projects.models import Phase, Project
from stakeholders.models import Capacity, Person, StakeholderGroup

SEARCH_MAX_LENGTH = 100
# Meetings are planned in this era; a year outside it is a typing mistake,
# and refusing it keeps calendar arithmetic away from the limits of datetime.
MEETING_YEARS = (2000, 2200)

NON_PROFESSIONAL_LABELS = [label for value, label in Capacity.choices if value in NON_PROFESSIONAL]
PROFESSIONAL_LABELS = [label for value, label in Capacity.choices if value not in NON_PROFESSIONAL]

CAPACITY_HELP = _(
    "The capacity, not the person, decides whether the seat is professional: a nurse can sit as a "
    "carer. Non-professional capacities, which count towards the share, are: %(non)s. "
    "The others (%(pro)s) are professional."
) % {
    "non": ", ".join(str(label).lower() for label in NON_PROFESSIONAL_LABELS),
    "pro": ", ".join(str(label).lower() for label in PROFESSIONAL_LABELS),
}

# Grouped, so the choice itself says how it counts (a select shows optgroups).
CAPACITY_CHOICES = [
    ("", _("Choose a capacity")),
    (
        _("Non-professional: counts towards the share"),
        [(value, label) for value, label in Capacity.choices if value in NON_PROFESSIONAL],
    ),
    (
        _("Professional"),
        [(value, label) for value, label in Capacity.choices if value not in NON_PROFESSIONAL],
    ),
]

DATE_ERRORS = {"invalid": _("Enter a real date.")}


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.email})" if obj.email else obj.name


class GroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


# --- Bodies (BOARD-1, BOARD-9, GROUP-8, LEDGER-2) ------------------------------------


class BodyForm(ServiceModelForm):
    """What a facilitator may change on a body (`services.body_update`). The
    remit (BOARD-1) is asked of the Project Board only."""

    REMIT_FIELDS = ("remit_equal_status", "remit_finance", "remit_quality", "remit_plan", "remit_notes")

    meeting_cadence_days = forms.IntegerField(
        label=_("Longest gap between meetings, in days"),
        min_value=1,
        max_value=366,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_(
            "The body must meet often enough to decide every item. We warn when the gap between held "
            "meetings is longer than this. For example 42 for every six weeks."
        ),
        error_messages={
            "required": _("Enter the longest gap between meetings, in days."),
            "invalid": _("Enter a whole number of days."),
            "min_value": _("Enter at least 1 day."),
            "max_value": _("Enter at most 366 days."),
        },
    )

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
        labels = {
            "remit_equal_status": _("Partners have equal status on the board"),
            "remit_finance": _("The board controls the project’s finance equitably"),
            "remit_quality": _("The board oversees the quality of delivery"),
            "remit_plan": _("The board keeps the project to its plan"),
            "remit_notes": _("Anything else about the remit"),
            "votes_must_meet_share": _(
                "A vote counts only if the votes cast meet the non-professional share"
            ),
        }
        help_texts = {
            "remit_equal_status": _("Everyone on the board has an equal say, whoever they are."),
            "remit_finance": _("Budget changes take effect only through a board decision."),
            "remit_quality": _("The board checks that what is delivered is good enough."),
            "remit_plan": _("The board agrees changes to phases and milestones."),
            "remit_notes": _("For example, what the board may decide on its own and what it reports."),
            "votes_must_meet_share": _(
                "Recommended. Then professionals cannot decide alone because others were absent."
            ),
        }
        widgets = {"remit_notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.kind != Body.Kind.BOARD:
            # BOARD-1 is about the Project Board; the Overview Group has no remit fields.
            for name in self.REMIT_FIELDS:
                del self.fields[name]


# --- Seats (TEAM-1; BOARD-2, BOARD-4, GROUP-1, GROUP-3 in the services) --------------


class _SeatFields(forms.Form):
    """The fields a seat has apart from its person."""

    capacity = forms.ChoiceField(
        label=_("Capacity"),
        choices=CAPACITY_CHOICES,
        help_text=CAPACITY_HELP,
        error_messages={"required": _("Choose the capacity in which they sit.")},
    )
    stakeholder_group = GroupChoiceField(
        label=_("Stakeholder group they represent"),
        queryset=StakeholderGroup.objects.none(),
        required=False,
        empty_label=_("No particular group"),
        help_text=_("Every stakeholder group of the project needs at least one seat on the board."),
    )
    phase = forms.ModelChoiceField(
        label=_("Phase"),
        queryset=Phase.objects.none(),
        required=False,
        empty_label=_("All phases"),
        help_text=_("If they take part for one stage of the project only."),
    )
    term_start = forms.DateField(
        label=_("Term starts on"),
        widget=DateInput(),
        help_text=_("The first day the seat counts."),
        error_messages={"required": _("Enter the day the term starts."), **DATE_ERRORS},
    )
    term_end = forms.DateField(
        label=_("Term ends on"),
        widget=DateInput(),
        required=False,
        help_text=_(
            "The first day without the seat: it counts up to, but not including, this day. "
            "Leave empty for a term with no set end."
        ),
        error_messages=DATE_ERRORS,
    )

    def __init__(self, *args: Any, project: Project, kind: str = Body.Kind.BOARD, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kind != Body.Kind.BOARD:
            self.fields["stakeholder_group"].help_text = _("The group of people this person speaks for.")
        # Only this project's groups and phases (TENANT-1).
        self.fields["stakeholder_group"].queryset = StakeholderGroup.objects.filter(project=project).order_by(
            "name", "pk"
        )
        self.fields["phase"].queryset = Phase.objects.filter(project=project).order_by("order", "starts_on")

    def clean(self) -> dict[str, Any]:
        # The service refuses this too; checking it here shows every problem at once.
        cleaned = super().clean()
        start, end = cleaned.get("term_start"), cleaned.get("term_end")
        if start and end and end <= start:
            self.add_error("term_end", _("The term must end after it starts."))
        return cleaned


class SeatAddForm(_SeatFields):
    """A new seat (`services.seat_add`)."""

    field_order = ["person", "capacity", "stakeholder_group", "phase", "term_start", "term_end"]

    person = PersonChoiceField(
        label=_("Person"),
        queryset=Person.objects.none(),
        empty_label=_("Choose a person"),
        help_text=_("Someone from this organisation’s people directory."),
        error_messages={
            "required": _("Choose the person who takes the seat."),
            "invalid_choice": _("Choose someone from this organisation’s people directory."),
        },
    )

    def __init__(self, *args: Any, project: Project, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, project=project, **kwargs)
        self.fields["person"].queryset = people
        if not self.is_bound and "term_start" not in self.initial:
            self.initial["term_start"] = timezone.localdate()


class SeatEditForm(_SeatFields):
    """Changes to an open seat (`services.seat_change`)."""

    @classmethod
    def initial_for(cls, seat: Seat) -> dict[str, Any]:
        return {
            "capacity": seat.capacity,
            "stakeholder_group": seat.stakeholder_group_id,
            "phase": seat.phase_id,
            "term_start": seat.term_start,
            "term_end": seat.term_end,
        }


class PersonSearchForm(forms.Form):
    """Narrows the person list of the seat form (a GET form of its own)."""

    q = forms.CharField(
        label=_("Find a person by name or email"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class SeatEndForm(forms.Form):
    """Why a seat ends (`services.seat_end`). A seat holder who is not a
    facilitator can only resign their own seat."""

    reason = forms.ChoiceField(
        label=_("Why does the seat end?"),
        choices=SeatEndReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say why the seat ends.")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Anything the record should say, for example “Moved away”. Other members can read it."),
    )
    on = forms.DateField(
        label=_("Date the seat ends"),
        required=False,
        widget=DateInput(),
        help_text=_("The first day without the seat. Leave empty for today."),
        error_messages=DATE_ERRORS,
    )

    def __init__(self, *args: Any, manager: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not manager:
            # Seat holders can always leave; the other reasons are recorded by facilitators.
            self.fields["reason"].choices = [(SeatEndReason.RESIGNED, _("I resign from my seat"))]
            self.fields["reason"].initial = SeatEndReason.RESIGNED


# --- Meetings (BOARD-9, GROUP-8) ------------------------------------------------------


class TimeInput(forms.TimeInput):
    """A native time picker; the value travels as HH:MM."""

    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


class MeetingForm(forms.Form):
    """A new meeting (`services.meeting_schedule`): a place, an online link,
    or both, and how it is made accessible."""

    date = forms.DateField(
        label=_("Date"),
        widget=DateInput(),
        error_messages={"required": _("Enter the date of the meeting."), **DATE_ERRORS},
    )
    time = forms.TimeField(
        label=_("Start time"),
        widget=TimeInput(),
        help_text=_("UK time, for example 18:30."),
        error_messages={"required": _("Enter the start time."), "invalid": _("Enter a time like 18:30.")},
    )
    duration_minutes = forms.IntegerField(
        label=_("How long, in minutes"),
        initial=120,
        min_value=15,
        max_value=720,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": _("Enter how long the meeting lasts, in minutes."),
            "invalid": _("Enter a whole number of minutes."),
            "min_value": _("A meeting lasts at least 15 minutes."),
            "max_value": _("A meeting lasts at most 720 minutes (12 hours)."),
        },
    )
    place = forms.CharField(
        label=_("Place"),
        required=False,
        max_length=300,
        help_text=_("The address, with the room. Leave empty for an online-only meeting."),
    )
    online_link = forms.URLField(
        label=_("Link to join online"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("Only members see it; it is never published."),
        error_messages={"invalid": _("Enter a web address like https://meet.example.org/board.")},
    )
    accessibility = forms.CharField(
        label=_("How the meeting is made accessible"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example step-free access, a hearing loop, a BSL interpreter, easy-read papers. "
            "This is published in the meeting calendar."
        ),
    )

    def clean_date(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["date"]
        if not MEETING_YEARS[0] <= day.year <= MEETING_YEARS[1]:
            raise forms.ValidationError(_("Enter a date between the years 2000 and 2200."))
        return day

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        day, time = cleaned.get("date"), cleaned.get("time")
        if day and time:
            cleaned["scheduled_at"] = timezone.make_aware(datetime.datetime.combine(day, time))
        return cleaned

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "scheduled_at": data["scheduled_at"],
            "duration_minutes": data["duration_minutes"],
            "place": data["place"],
            "online_link": data["online_link"],
            "accessibility": data["accessibility"],
        }


class AttendanceField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class MeetingHeldForm(forms.Form):
    """Record a meeting as held (`services.meeting_record_held`): who of the
    seat holders attended, the minutes and the day."""

    attended = AttendanceField(
        label=_("Who attended?"),
        required=False,
        help_text=_("Tick everyone who sat on the body that day and came, in person or online."),
        error_messages={"invalid_choice": _("Tick only members of this body.")},
    )
    held_on = forms.DateField(
        label=_("Held on"),
        widget=DateInput(),
        help_text=_("Never in the future."),
        error_messages={"required": _("Enter the day the meeting was held."), **DATE_ERRORS},
    )
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("What was discussed and agreed. Members can read the minutes."),
    )

    def __init__(self, *args: Any, seats: list[Seat], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [
            (str(seat.pk), f"{seat.person.name} ({seat.get_capacity_display()})") for seat in seats
        ]

    def attended_ids(self) -> list[int]:
        return [int(value) for value in self.cleaned_data["attended"]]


class MeetingCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the meeting cancelled?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Members will see the reason."),
        error_messages={"required": _("Say why the meeting is cancelled: members will see it.")},
    )
