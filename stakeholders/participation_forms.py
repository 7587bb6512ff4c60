"""Staff forms for public participation: triage and answers (TEAM-9,
SCOPE-2), the SCOPE-3 justification and group invitations (TEAM-7)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models import Project
from stakeholders.models import (
    ACCESSIBLE_FORMATS,
    GroupInvitation,
    Incorporation,
    InputAsWho,
    InputChannel,
    InputImpact,
    InputStatus,
    InvitationChannel,
    InvitationResponse,
    ScopePart,
    StakeholderGroup,
)
from stakeholders.public_forms import MESSAGE_MAX, clean_contact


def _groups(project: Project):
    return StakeholderGroup.objects.filter(project=project).order_by("name")


class InputFilterForm(forms.Form):
    """Filters of the input list; a bad value is ignored (the list shows all)."""

    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *InputStatus.choices], required=False
    )
    channel = forms.ChoiceField(
        label=_("Received through"), choices=[("", _("Any channel")), *InputChannel.choices], required=False
    )


OFFLINE_CHANNELS = [choice for choice in InputChannel.choices if choice[0] != InputChannel.WEB]


class InputRecordForm(forms.Form):
    """Input that came by phone, on paper, by email or at a meeting (TEAM-9)."""

    channel = forms.ChoiceField(
        label=_("How did it reach you?"), choices=OFFLINE_CHANNELS, widget=forms.RadioSelect
    )
    stakeholder_group = forms.ModelChoiceField(
        label=_("Which stakeholder group does it speak for?"),
        help_text=_("Scoping needs views from every group (SCOPE-2)."),
        queryset=StakeholderGroup.objects.none(),
        required=False,
        empty_label=_("No particular group"),
    )
    message = forms.CharField(
        label=_("What they said"),
        help_text=_("In their words as far as you can."),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    affected = forms.ChoiceField(
        label=_("How it affects them"), choices=StakeholderGroup.Affected.choices, widget=forms.RadioSelect
    )
    impact = forms.ChoiceField(
        label=_("For the better or worse"), choices=InputImpact.choices, widget=forms.RadioSelect
    )
    as_who = forms.ChoiceField(label=_("As who"), choices=InputAsWho.choices, widget=forms.RadioSelect)
    name = forms.CharField(label=_("Their name"), max_length=200, required=False)
    contact = forms.CharField(
        label=_("Their email address or phone number"),
        help_text=_("Only if they want an answer sent to them."),
        max_length=254,
        required=False,
    )
    consent = forms.BooleanField(
        label=_("They agreed that the project may use and publish what they said, without their name.")
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stakeholder_group"].queryset = _groups(project)

    def clean_contact(self) -> str:
        return clean_contact(self.cleaned_data.get("contact", ""))


SCOPE_PART_CHOICES = [("", _("Not one part in particular")), *ScopePart.choices]


class InputRespondForm(forms.Form):
    """The public answer to one input (SCOPE-2, TEAM-9); for scoping input,
    the part of the scope it shaped."""

    public_text = forms.CharField(
        label=_("Your answer"),
        help_text=_("Published on the project's public page beside what they said, and emailed to them."),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    incorporated = forms.ChoiceField(
        label=_("Was it incorporated?"), choices=Incorporation.choices, widget=forms.RadioSelect
    )
    how_or_why = forms.CharField(
        label=_("How it was incorporated, or why not"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    scope_part = forms.ChoiceField(
        label=_("Which part of the scope did it shape?"),
        help_text=_("The scope document lists, for each part, the inputs that shaped it (SCOPE-2)."),
        choices=SCOPE_PART_CHOICES,
        required=False,
    )

    def __init__(self, *args: Any, during_scoping: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not during_scoping:
            del self.fields["scope_part"]


class ScopePartForm(forms.Form):
    """SCOPE-2: name the part of the scope an answered scoping input shaped."""

    scope_part = forms.ChoiceField(
        label=_("Part of the scope it shaped"), choices=SCOPE_PART_CHOICES, required=False
    )


class NoNegativeImpactForm(forms.Form):
    """SCOPE-3: why no group could be negatively affected."""

    reason = forms.CharField(
        label=_("No group could be negatively affected because…"),
        help_text=_("At least a sentence. Auditors read this in the compliance report."),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class GroupInvitationForm(forms.Form):
    """A special invitation of one group (TEAM-7)."""

    stakeholder_group = forms.ModelChoiceField(
        label=_("Group invited"), queryset=StakeholderGroup.objects.none(), empty_label=None
    )
    channel = forms.ChoiceField(label=_("How it was sent"), choices=InvitationChannel.choices)
    sent_on = forms.DateField(
        label=_("Sent on"),
        help_text=_("For example 27 3 2026, or 2026-03-27."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    formats_offered = forms.MultipleChoiceField(
        label=_("Accessible formats offered"),
        choices=list(ACCESSIBLE_FORMATS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    email = forms.EmailField(
        label=_("Email address to send it to"),
        help_text=_(
            "Only for an invitation by email. coprod sends it now, with a link to the project's public page "
            "and a personal link to a short form: how would they like to be involved?"
        ),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={"invalid": _("Enter an email address like name@example.org.")},
    )
    response = forms.ChoiceField(label=_("Response"), choices=InvitationResponse.choices)
    response_note = forms.CharField(
        label=_("Note on the response"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("sent_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["stakeholder_group"].queryset = _groups(project)

    def clean_sent_on(self) -> datetime.date:
        sent_on = self.cleaned_data["sent_on"]
        if sent_on > timezone.localdate():
            raise forms.ValidationError(_("An invitation cannot have been sent in the future."))
        return sent_on

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("email") and data.get("channel") != InvitationChannel.EMAIL:
            self.add_error("email", _("An email address goes only with an invitation sent by email."))
        return data


class GroupInvitationResponseForm(forms.Form):
    response = forms.ChoiceField(label=_("Response"), choices=InvitationResponse.choices)
    note = forms.CharField(
        label=_("Note on the response"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @classmethod
    def for_invitation(cls, invitation: GroupInvitation, data: Any = None) -> GroupInvitationResponseForm:
        return cls(data, initial={"response": invitation.response, "note": invitation.response_note})
