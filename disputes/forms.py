"""Browser forms for disputes (BOARD-6, GROUP-5): raising one in plain
words, recording a stage, agreeing, withdrawing, and proposing the body's
dispute procedure.

Forms check the shape of what was typed (required, length, choices limited to
this body's items, decisions and seats and this organisation's directory, so
a foreign id is "not a valid choice", TENANT-1). The services in
`disputes.services` check the rules and write; a refusal comes back through
`coprod.forms.add_service_error`, so nothing typed is lost."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from boards.models import AgendaItem, Body, BodyKind, DecisionEntry, Seat
from boards.selectors_decisions import seat_label
from disputes.models import DEFAULT_STAGES, DisputeStatus, DisputeSubject, StageKind
from disputes.services import MAX_DAYS, MAX_STAGES
from stakeholders.models import Person

SUMMARY_MAX = 10_000
OUTCOME_MAX = 5_000
NOTES_MAX = 20_000
RESULT_MAX = 5_000
NOTE_MAX = 5_000
TITLE_MAX = 200

# What a dispute can be about, in the words of someone who is not a
# professional.
SUBJECT_CHOICES = [
    (DisputeSubject.ITEM.value, _("Something the %(body)s is discussing or voting on (an agenda item)")),
    (
        DisputeSubject.DECISION.value,
        _("A decision that was made, how it is being carried out, or a decision that came back"),
    ),
    (DisputeSubject.CONDUCT.value, _("How the %(body)s is run")),
]


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AgendaItem) -> str:
        return f"{obj.title} ({obj.get_status_display().lower()})"


class EntryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: DecisionEntry) -> str:
        return _("Decision %(sequence)s: %(title)s (%(outcome)s)") % {
            "sequence": obj.sequence,
            "title": obj.item.title,
            "outcome": obj.get_outcome_display().lower(),
        }


class SeatChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Seat) -> str:
        return seat_label(obj)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return obj.name


class DisputeRaiseForm(forms.Form):
    """Raise a dispute: what it is about, who is on the other side, what the
    disagreement is and what you would like to happen."""

    subject = forms.ChoiceField(
        label=_("What is the disagreement about?"),
        choices=SUBJECT_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what the disagreement is about."),
            "invalid_choice": _("Choose one of the options listed."),
        },
    )
    item = ItemChoiceField(
        label=_("Which agenda item?"),
        queryset=AgendaItem.objects.none(),
        required=False,
        empty_label=_("Choose an item"),
        help_text=_("Only if it is about an agenda item."),
        error_messages={"invalid_choice": _("Choose one of the items listed.")},
    )
    entry = EntryChoiceField(
        label=_("Which decision?"),
        queryset=DecisionEntry.objects.none(),
        required=False,
        empty_label=_("Choose a decision"),
        help_text=_(
            "Only if it is about a decision, how it is being carried out, or a decision that came back."
        ),
        error_messages={"invalid_choice": _("Choose one of the decisions listed.")},
    )
    respondents = SeatChoiceField(
        label=_("Who do you disagree with?"),
        queryset=Seat.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Tick the members on the other side. They will be told, and each of them can agree to a way "
            "forward. You can leave this empty if it is about how things are run."
        ),
        error_messages={"invalid_choice": _("Choose current members listed here.")},
    )
    summary = forms.CharField(
        label=_("What is the disagreement?"),
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("In your own words. Say what happened and why it matters to you."),
        error_messages={"required": _("Say what the disagreement is.")},
    )
    outcome_sought = forms.CharField(
        label=_("What would you like to happen?"),
        max_length=OUTCOME_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example: “Keep the Friday afternoon session open.”"),
    )

    def __init__(
        self,
        *args: Any,
        body: Body,
        items: QuerySet[AgendaItem],
        entries: QuerySet[DecisionEntry],
        seats: list[Seat],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        noun = _("board") if body.kind == BodyKind.BOARD else _("group")
        self.fields["subject"].choices = [(value, label % {"body": noun}) for value, label in SUBJECT_CHOICES]
        self.fields["item"].queryset = items
        self.fields["entry"].queryset = entries
        self.fields["respondents"].queryset = Seat.objects.filter(pk__in=[seat.pk for seat in seats])
        # Keep the order and labels of the list we were given, without a query per seat.
        self.fields["respondents"].choices = [(seat.pk, seat_label(seat)) for seat in seats]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        subject = data.get("subject")
        if subject == DisputeSubject.ITEM and not data.get("item"):
            self.add_error("item", _("Choose the item the disagreement is about."))
        if subject == DisputeSubject.DECISION and not data.get("entry"):
            self.add_error("entry", _("Choose the decision the disagreement is about."))
        return data


class StageRecordForm(forms.Form):
    """What happened at the current stage; for a mediation, who mediates."""

    mediator = PersonChoiceField(
        label=_("Independent mediator"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("Choose the mediator"),
        help_text=_(
            "Someone from the organisation's directory who is neither a party to the dispute nor part of "
            "the project team."
        ),
        error_messages={"invalid_choice": _("Choose someone from this organisation's directory.")},
    )
    notes = forms.CharField(
        label=_("What happened"),
        max_length=NOTES_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Who met, when, and what was said. Added to the record of this stage."),
    )
    result = forms.CharField(
        label=_("Result of this stage"),
        max_length=RESULT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: “No agreement yet” or “Proposal: open on Fridays from 1 to 4pm”."),
    )

    def __init__(self, *args: Any, people: QuerySet[Person] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if people is None:
            # Not a mediation stage: nobody is named.
            del self.fields["mediator"]
        else:
            self.fields["mediator"].queryset = people

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not any(
            (data.get("mediator"), (data.get("notes") or "").strip(), (data.get("result") or "").strip())
        ):
            raise forms.ValidationError(_("Write what happened, the result, or name the mediator."))
        return data


class AgreeForm(forms.Form):
    note = forms.CharField(
        label=_("Anything you want to add"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example what you agreed to."),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing it?"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DisputeFilterForm(forms.Form):
    """Filters of the project's dispute list; a bad value is a 400."""

    body = forms.ChoiceField(
        label=_("Body"), required=False, choices=[("", _("Both bodies")), *BodyKind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *DisputeStatus.choices]
    )


class ProcedureForm(forms.Form):
    """Propose a dispute procedure of the body's own: up to MAX_STAGES
    stages in order, each a kind and a time limit. Stages left empty are
    skipped. The body agrees it by a vote like any item."""

    title = forms.CharField(
        label=_("Title of the item"), max_length=TITLE_MAX, initial=_("Our dispute procedure")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number in range(1, MAX_STAGES + 1):
            default = DEFAULT_STAGES[number - 1] if number <= len(DEFAULT_STAGES) else None
            self.fields[f"stage_{number}_kind"] = forms.ChoiceField(
                label=_("What happens at stage %(number)s") % {"number": number},
                required=False,
                choices=[("", _("No stage")), *StageKind.choices],
                initial=default["kind"] if default else "",
            )
            self.fields[f"stage_{number}_days"] = forms.IntegerField(
                label=_("Time limit of stage %(number)s, in days") % {"number": number},
                required=False,
                min_value=1,
                max_value=MAX_DAYS,
                initial=default["days"] if default else None,
                error_messages={"invalid": _("Enter a whole number of days.")},
            )

    def stage_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [
            (number, self[f"stage_{number}_kind"], self[f"stage_{number}_days"])
            for number in range(1, MAX_STAGES + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        stages = []
        for number in range(1, MAX_STAGES + 1):
            kind = data.get(f"stage_{number}_kind")
            days = data.get(f"stage_{number}_days")
            if kind and not days and f"stage_{number}_days" not in self.errors:
                self.add_error(f"stage_{number}_days", _("Give the time limit of this stage in days."))
            elif days and not kind:
                self.add_error(f"stage_{number}_kind", _("Choose what happens at this stage."))
            elif kind and days:
                stages.append({"kind": kind, "days": days})
        if not stages and not self.errors:
            raise forms.ValidationError(_("Give at least one stage."))
        data["stages"] = stages
        return data

    def proposal(self) -> dict[str, Any]:
        return {"stages": self.cleaned_data["stages"]}
