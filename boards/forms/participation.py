"""The browser form that puts a public input to a body as an agenda item
(TEAM-9). It checks the shape of what was typed; `input_route_to_body`
checks who may, and whether the body can take it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from boards.models import Body
from boards.participation import TITLE_MAX
from projects.forms import DateInput


def body_choice_label(body: Body) -> str:
    return f"{body.get_kind_display()} ({body.get_status_display().lower()})"


class InputRouteForm(forms.Form):
    body = forms.ChoiceField(
        label=_("Which body should discuss and decide it?"),
        help_text=_("Only an active body takes decisions."),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the Project Board or the Overview Group.")},
    )
    title = forms.CharField(
        label=_("Title of the agenda item"),
        help_text=_("What the body is asked to decide, in a few words."),
        max_length=TITLE_MAX,
        error_messages={"required": _("Give the item a title.")},
    )
    note = forms.CharField(
        label=_("A note for the body"),
        help_text=_(
            "Optional: why you put it to them. The item quotes what was said, never the person's name "
            "or contact."
        ),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    deadline = forms.DateField(
        label=_("Decide by"),
        help_text=_("Optional. For example 27 3 2026, or 2026-03-27."),
        required=False,
        widget=DateInput(),
    )

    def __init__(self, *args: Any, bodies: list[Body], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = [(body.kind, body_choice_label(body)) for body in bodies]
