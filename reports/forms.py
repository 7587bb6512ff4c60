"""The "as of" form of the compliance report: a GET form, so a report for a
past day has its own address and works without JavaScript."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models import Project
from reports.report import AsOfError, check_as_of, day_text, project_start


class AsOfForm(forms.Form):
    as_of = forms.DateField(
        label=_("Report as of"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Give the date as YYYY-MM-DD, for example 2026-03-31.")},
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        self.start = project_start(project)
        today = timezone.localdate()
        field = self.fields["as_of"]
        field.help_text = _("Any day from the project's start (%(start)s) to today (%(today)s).") % {
            "start": day_text(self.start),
            "today": day_text(today),
        }
        field.widget.attrs.update({"min": self.start.isoformat(), "max": today.isoformat()})

    def clean_as_of(self) -> datetime.date:
        as_of = self.cleaned_data.get("as_of") or timezone.localdate()
        try:
            check_as_of(self.project, as_of, start=self.start)
        except AsOfError as error:
            raise forms.ValidationError(str(error), code="out_of_range") from None
        return as_of
