"""The public input form (TEAM-9): anyone, without an account, says what they
think about a project at any stage. Every field has a plain-language hint; a
hidden honeypot field catches form-filling robots."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from projects.models import Project
from stakeholders.models import ContactPreference, InputAsWho, InputImpact, InvolvementLevel, StakeholderGroup

HONEYPOT = "website"
MESSAGE_MAX = 10_000
_PHONE = re.compile(r"^\+?[0-9 ()\-.]{6,30}$")


def clean_contact(value: str) -> str:
    """An email address or a telephone number, or nothing."""
    value = value.strip()
    if not value:
        return ""
    if "@" in value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(
                _("Enter an email address like name@example.org, or a phone number.")
            ) from None
        return value
    if not _PHONE.match(value) or sum(ch.isdigit() for ch in value) < 6:
        raise ValidationError(_("Enter an email address like name@example.org, or a phone number."))
    return value


class PublicInputForm(forms.Form):
    """What a member of the public tells the project. Names and contacts are
    optional and never shown publicly."""

    message = forms.CharField(
        label=_("What would you like to tell us?"),
        help_text=_("Say it in your own words. You can write up to 10,000 characters."),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Tell us what you think.")},
    )
    affected = forms.ChoiceField(
        label=_("How does the project affect you?"),
        help_text=_(
            "Directly means it affects you yourself; indirectly means it affects someone you care for."
        ),
        choices=StakeholderGroup.Affected.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether it affects you directly or indirectly.")},
    )
    impact = forms.ChoiceField(
        label=_("Would the project make things better or worse for you?"),
        help_text=_("Choose “Both” if some things would get better and some worse."),
        choices=InputImpact.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether things would get better, worse or both.")},
    )
    as_who = forms.ChoiceField(
        label=_("Who are you telling us as?"),
        help_text=_("This helps us see whose views we have heard, and whose we have not."),
        choices=InputAsWho.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who you are telling us as.")},
    )
    stakeholder_group = forms.ModelChoiceField(
        label=_("Which group are you part of?"),
        help_text=_("Choose the group you speak for, if one fits. You can leave this blank."),
        queryset=StakeholderGroup.objects.none(),
        required=False,
        empty_label=_("None of these, or I am not sure"),
    )
    name = forms.CharField(
        label=_("Your name"),
        help_text=_("Only the project's staff see it. We never publish it."),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact = forms.CharField(
        label=_("Your email address or phone number"),
        help_text=_(
            "Give one if you would like our answer sent to you. Only the project's staff see it, and we "
            "delete it some time after we have answered."
        ),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "email"}),
    )
    consent = forms.BooleanField(
        label=_("I agree that the project may use what I have written, and publish it without my name."),
        help_text=_("We publish what you said and our answer, but never your name or contact details."),
        error_messages={"required": _("Tick the box to agree, so we can use what you tell us.")},
    )
    # A honeypot: people never see it; robots fill it in.
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups = StakeholderGroup.objects.filter(project=project).order_by("name")
        self.fields["stakeholder_group"].queryset = groups
        if not groups.exists():
            del self.fields["stakeholder_group"]

    @property
    def is_robot(self) -> bool:
        """Whether the honeypot was filled in (read after `is_valid()`)."""
        return bool(self.data.get(HONEYPOT, "").strip())

    @property
    def human_fields(self) -> list[forms.BoundField]:
        return [field for field in self.visible_fields() if field.name != HONEYPOT]

    def clean_message(self) -> str:
        message = self.cleaned_data["message"].strip()
        if not message:
            raise ValidationError(_("Tell us what you think."))
        return message

    def clean_contact(self) -> str:
        return clean_contact(self.cleaned_data.get("contact", ""))

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop(HONEYPOT, None)
        data.setdefault("stakeholder_group", None)
        return data


class InvolvementForm(forms.Form):
    """How would you like to be involved? (TEAM-7, TEAM-8) Reached through
    the personal link of an invitation; nothing here is published."""

    levels = forms.MultipleChoiceField(
        label=_("How would you like to be involved?"),
        help_text=_("Tick all that you would like. You can change your mind later."),
        choices=InvolvementLevel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    not_now = forms.BooleanField(
        label=_("I do not want to be involved at the moment"),
        help_text=_("We will not contact you about this project again unless you ask us to."),
        required=False,
    )
    name = forms.CharField(
        label=_("Your name"),
        help_text=_("Only the project's staff see it."),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_preference = forms.ChoiceField(
        label=_("How should we get in touch with you?"),
        choices=[("", _("No preference")), *ContactPreference.choices],
        widget=forms.RadioSelect,
        required=False,
    )
    contact = forms.CharField(
        label=_("Your email address, phone number or postal address"),
        help_text=_("The one that goes with the way you chose. Only the project's staff see it."),
        max_length=254,
        required=False,
    )
    access_needs = forms.CharField(
        label=_("What would help you take part?"),
        help_text=_(
            "For example large print, easy read, a British Sign Language interpreter, step-free access, "
            "a quiet room or help with travel costs."
        ),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        levels, not_now = data.get("levels") or [], data.get("not_now")
        if levels and not_now:
            self.add_error(
                "not_now",
                _("Either choose how you would like to be involved, or that you do not want to be now."),
            )
        elif not levels and not not_now and "levels" not in self.errors:
            self.add_error(
                "levels", _("Choose at least one way you would like to be involved, or tell us not now.")
            )
        return data
