"""Browser forms for the stakeholder register and the people directory. They
check the shape of what was typed; the services check the rules and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.forms import MemberUserChoiceField, ServiceModelForm, organisation_users
from projects.models import Organisation
from stakeholders.models import Person, StakeholderGroup

SEARCH_MAX_LENGTH = 100


class StakeholderGroupForm(ServiceModelForm):
    """SCOPE-3/SCOPE-4: how a group is affected, for better or worse, and
    whether its members take part as professionals."""

    affected = forms.ChoiceField(
        label=_("How is this group affected?"),
        choices=StakeholderGroup.Affected.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Directly: the project changes something they use or do. Indirectly: it affects them "
            "through someone else, as with carers of service users."
        ),
        error_messages={"required": _("Say whether this group is affected directly or indirectly.")},
    )
    impact = forms.ChoiceField(
        label=_("Could the project affect them for better or worse?"),
        choices=StakeholderGroup.Impact.choices,
        widget=forms.RadioSelect,
        help_text=_("Think about who might lose out, not only who benefits."),
        error_messages={"required": _("Say how the project could affect this group.")},
    )

    class Meta:
        model = StakeholderGroup
        fields = ["name", "description", "affected", "impact", "is_professional"]
        labels = {
            "name": _("Name of the group"),
            "description": _("Who is in this group?"),
            "is_professional": _("Its members take part as professionals"),
        }
        help_texts = {
            "name": _("For example: people who use the day centre, their carers, bus drivers."),
            "description": _("A sentence or two about who belongs to this group."),
            "is_professional": _(
                "Tick for staff, professionals, officials or contractors. Leave empty for service users, "
                "carers, residents and other members of the public."
            ),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"name": {"required": _("Enter a name for the group.")}}


class PersonForm(ServiceModelForm):
    user = MemberUserChoiceField(
        label=_("Their account"),
        queryset=None,
        required=False,
        empty_label=_("No account"),
        help_text=_("Link this person to their coprod account, if they have one here."),
    )

    class Meta:
        model = Person
        fields = ["name", "email", "phone", "user", "access_needs"]
        labels = {
            "name": _("Name"),
            "email": _("Email address"),
            "phone": _("Phone number"),
            "access_needs": _("What helps them take part?"),
        }
        help_texts = {
            "name": _("The name they like to be called by."),
            "email": _("So we can send them papers and invitations."),
            "phone": _("For people who prefer a call or a text message."),
            "access_needs": _(
                "For example large print, a BSL interpreter, step-free access or a quiet room."
            ),
        }
        widgets = {"access_needs": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "name": {"required": _("Enter the person’s name.")},
            "email": {"invalid": _("Enter an email address like name@example.org.")},
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only members of this organisation (TENANT-1).
        self.fields["user"].queryset = organisation_users(organisation)
        self.fields["email"].widget.attrs["autocomplete"] = "off"


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search by name or email"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
