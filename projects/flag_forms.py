"""Browser forms of the cadence monitoring: filtering the flags (BOARD-9,
GROUP-6, GROUP-8, TEAM-3, TEAM-9) and choosing how a member hears about them.

As everywhere, forms check only the shape of what was sent; the services
decide. A filter that does not fit is a 400 with the error beside the field,
never a 500."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from projects.models import FlagKind, NotificationPreference

STATE_OPEN = "open"
STATE_RESOLVED = "resolved"
STATE_ALL = "all"
STATE_CHOICES = [
    (STATE_OPEN, _("Open flags")),
    (STATE_RESOLVED, _("Resolved flags")),
    (STATE_ALL, _("Open and resolved flags")),
]


class FlagFilterForm(forms.Form):
    """`?kind=` and `?state=open|resolved|all` (and, on the organisation's
    page, `?project=<slug>`). Every field is optional: no filter shows the
    open flags of every kind."""

    kind = forms.ChoiceField(
        label=_("Kind of flag"),
        required=False,
        choices=[("", _("All kinds")), *FlagKind.choices],
        error_messages={"invalid_choice": _("Choose a kind of flag from the list.")},
    )
    state = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=STATE_CHOICES,
        error_messages={"invalid_choice": _("Choose open, resolved, or both.")},
    )
    project = forms.ModelChoiceField(
        label=_("Project"),
        queryset=None,
        required=False,
        to_field_name="slug",
        empty_label=_("All projects"),
        error_messages={"invalid_choice": _("Choose a project of this organisation.")},
    )

    def __init__(self, *args: Any, projects: QuerySet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if projects is None:
            # A project's own flag page: the project is in the URL.
            del self.fields["project"]
        else:
            # Only this organisation's projects (TENANT-1): any other slug is "not a valid choice".
            self.fields["project"].queryset = projects

    def clean_state(self) -> str:
        return self.cleaned_data.get("state") or STATE_OPEN


class NotificationForm(forms.Form):
    """How a member hears about flags in one organisation; flags always show
    in the browser whatever they choose."""

    notifications = forms.ChoiceField(
        label=_("How do you want to hear about new flags?"),
        choices=NotificationPreference.choices,
        widget=forms.RadioSelect,
        help_text=_("This applies to this organisation only. Flags always show on the flag pages."),
        error_messages={
            "required": _("Choose how you want to hear about flags."),
            "invalid_choice": _("Choose one of the options."),
        },
    )
