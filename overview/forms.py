"""Browser forms of the Overview Group's milestone reviews (GROUP-8). Forms
check only the shape of what was typed; `overview.services` decides. The
meetings offered are the held meetings of this project's Overview Group
only, so any other id is "not a valid choice" (TENANT-1)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from boards.models import Meeting
from projects.forms import DateInput

SUMMARY_MAX_LENGTH = 10_000


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        held = obj.held_on or timezone.localdate(obj.scheduled_at)
        where = f" – {obj.place}" if obj.place else ""
        return f"{held:%-d %B %Y}{where}"


class MilestoneReviewForm(forms.Form):
    """GROUP-8: the group reviews a milestone at one of its held meetings."""

    meeting = MeetingChoiceField(
        label=_("At which Overview Group meeting was it reviewed?"),
        queryset=Meeting.objects.none(),
        empty_label=_("Choose a held meeting"),
        help_text=_("Only meetings of this project's Overview Group that have been recorded as held."),
        error_messages={
            "required": _("Choose the meeting at which the group reviewed the milestone."),
            "invalid_choice": _("Choose a held meeting of this project's Overview Group."),
        },
    )
    summary = forms.CharField(
        label=_("What did the group find?"),
        max_length=SUMMARY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("In plain words: whether the milestone was reached, and anything the group asked for."),
        error_messages={
            "required": _("Say what the group found."),
            "max_length": _("Keep it under %(limit_value)d characters (it has %(show_value)d)."),
        },
    )

    def __init__(self, *args: Any, meetings: QuerySet[Meeting], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings


class MilestoneCompleteForm(forms.Form):
    """GROUP-8: mark a milestone complete; refused until the group reviewed it."""

    completed_on = forms.DateField(
        label=_("Completed on"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for today. Never in the future."),
        error_messages={"invalid": _("Enter a real date.")},
    )

    def clean_completed_on(self) -> datetime.date | None:
        day = self.cleaned_data.get("completed_on")
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("A milestone cannot be completed in the future."))
        return day
