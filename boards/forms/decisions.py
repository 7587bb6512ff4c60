"""Browser forms for agenda items, discussion, votes and implementation.

They check the shape of what was typed and turn the plain fields of a
structured item (a budget change, an appointment, a change to the plan, a
chair, a tie procedure) into the `proposal` dict that
`boards.decisions.clean_proposal` expects. The services check the rules:
who may propose, comment and vote (BOARD-5, GROUP-4), what is agreed takes
effect only through the ledger (BOARD-3, BOARD-7, BOARD-10, GROUP-2), and a
return to the Overview Group carries what it needs (GROUP-6)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from boards.decisions.common import BOARD_ONLY_KINDS
from boards.models import (
    AgendaItem,
    Body,
    ImplementationStatus,
    ItemKind,
    Meeting,
    Seat,
    TieProcedure,
    VoteChoice,
)
from boards.selectors_decisions import budget_lines, milestones_of, person_label, phases_of
from projects.forms import DateInput, MemberUserChoiceField, organisation_users
from projects.models import BudgetLine, Milestone, Phase

TITLE_MAX = 200
TEXT_MAX = 10_000

KIND_HELP: dict[str, str] = {
    ItemKind.GENERAL: _("Anything the body should discuss and decide."),
    ItemKind.BUDGET_CHANGE: _("Add, change or remove a line of the budget (BOARD-7)."),
    ItemKind.PERSONNEL: _("Appoint or remove the project manager or a member of the project team (BOARD-7)."),
    ItemKind.PLAN_CHANGE: _("Add, change or remove a phase or a milestone of the plan."),
    ItemKind.CHAIR_APPOINTMENT: _(
        "Appoint the chair, with a statement of why they are right for it (BOARD-3)."
    ),
    ItemKind.TIE_PROCEDURE: _("Agree how a tied vote is settled (BOARD-6)."),
    ItemKind.CLOSE_PROJECT: _("Close the project: only a board decision can (BOARD-10)."),
}


def kinds_for(body: Body) -> list[tuple[str, str]]:
    """The kinds of item this form puts to a body. Returns come from an
    implementation update, dispute items from the disputes pages; the
    Overview Group is not offered the board-only kinds (BOARD-7, BOARD-10)."""
    return [
        (value, label)
        for value, label in ItemKind.choices
        if value in FORMS and (body.kind == "board" or value not in BOARD_ONLY_KINDS)
    ]


class KindChoiceForm(forms.Form):
    """Step one of proposing an item: what kind of decision it asks for."""

    kind = forms.ChoiceField(
        label=_("What kind of item is it?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the kind of item."),
            "invalid_choice": _("Choose one of the kinds listed."),
        },
    )

    def __init__(self, *args: Any, body: Body, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds_for(body)


# --- Layout ---------------------------------------------------------------------------

Layout = list[tuple[str | None, str, list[str]]]


class GroupedForm(forms.Form):
    """A form laid out in groups, each a fieldset with a legend and a hint.
    Fields in `conditional` are needed only for some choices (checked in
    `clean`), so the page does not mark them "(optional)"."""

    layout: ClassVar[Layout] = []
    conditional: ClassVar[frozenset[str]] = frozenset()

    def grouped(self) -> list[dict[str, Any]]:
        groups = []
        placed: set[str] = set()
        for legend, hint, names in self.layout:
            fields = [self[name] for name in names if name in self.fields]
            placed.update(names)
            if fields:
                groups.append({"legend": legend, "hint": hint, "fields": fields})
        rest = [
            self[name]
            for name in self.fields
            if name not in placed and not self.fields[name].widget.is_hidden
        ]
        if rest:
            groups.append({"legend": None, "hint": "", "fields": rest})
        return groups


ITEM_FIELDS = ["title", "description", "deadline"]


# --- Items ---------------------------------------------------------------------------


class ItemForm(GroupedForm):
    """A general item: a title, what it is about, and when it should be
    decided by. Subclasses add the plain fields of a structured proposal."""

    kind: ClassVar[str] = ItemKind.GENERAL
    layout: ClassVar[Layout] = [(None, "", ITEM_FIELDS)]

    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX,
        help_text=_("A short question or proposal, for example “Open the day centre on Saturdays”."),
        error_messages={"required": _("Enter a title for the item.")},
    )
    description = forms.CharField(
        label=_("What is it about?"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Background, the reasons for it, and what would change. Plain language helps everyone."),
    )
    deadline = forms.DateField(
        label=_("Decide by"),
        required=False,
        widget=DateInput(),
        help_text=_("The date by which the body should have decided. Leave empty if there is none."),
        error_messages={"invalid": _("Enter a real date.")},
    )

    def __init__(self, *args: Any, body: Body, item: AgendaItem | None = None, **kwargs: Any) -> None:
        self.body = body
        self.item = item
        super().__init__(*args, **kwargs)

    def proposal(self) -> dict[str, Any]:
        """The structured proposal for `clean_proposal` (after `is_valid`)."""
        return {}

    @classmethod
    def initial_from(cls, item: AgendaItem) -> dict[str, Any] | None:
        """Initial values for editing `item`, or None when its proposal can't
        be shown in this form (then only the title, description and deadline
        can be edited here)."""
        return {"title": item.title, "description": item.description, "deadline": item.deadline}

    def cleaned_item(self) -> dict[str, Any]:
        return {
            "title": self.cleaned_data["title"],
            "description": self.cleaned_data.get("description", ""),
            "deadline": self.cleaned_data.get("deadline"),
        }


def _money_field(**kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("9999999999.99"),
        error_messages={
            "invalid": _("Enter a sum of money such as 1250.00."),
            "max_decimal_places": _("Use at most two digits after the decimal point."),
            "max_digits": _("Enter a sum below £10,000,000,000."),
            "max_whole_digits": _("Enter a sum below £10,000,000,000."),
            "min_value": _("Enter a sum of zero or more."),
            "max_value": _("Enter a sum below £10,000,000,000."),
        },
        **kwargs,
    )


class BudgetLineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.purpose} ({obj.partner}, £{obj.amount:,.2f})"


class BudgetChangeItemForm(ItemForm):
    """BOARD-7: a change to the budget, put to the Project Board. It takes
    effect only if the board agrees it."""

    kind = ItemKind.BUDGET_CHANGE

    action = forms.ChoiceField(
        label=_("What should change?"),
        widget=forms.RadioSelect,
        choices=[
            ("add", _("Add a new budget line")),
            ("change", _("Change a budget line")),
            ("remove", _("Remove a budget line")),
        ],
        error_messages={"required": _("Say whether to add, change or remove a line.")},
    )
    line = BudgetLineChoiceField(
        label=_("Which budget line?"),
        queryset=BudgetLine.objects.none(),
        required=False,
        empty_label=_("Choose a line"),
        help_text=_("Only when changing or removing a line."),
        error_messages={"invalid_choice": _("Choose a line of this project’s budget.")},
    )
    partner = forms.CharField(
        label=_("Partner"),
        max_length=200,
        required=False,
        help_text=_(
            "Who receives or holds the money, for example “Riverside Council”. When changing a line, "
            "leave empty to keep it."
        ),
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=300,
        required=False,
        help_text=_("What the money is for. When changing a line, leave empty to keep it."),
    )
    amount = _money_field(
        label=_("Amount in pounds"),
        required=False,
        help_text=_("For example 1250.00. When changing a line, leave empty to keep it."),
    )

    CHANGE_GROUPS: ClassVar[Layout] = [
        (None, "", ["action", "line"]),
        (
            _("The line’s details"),
            _("A new line needs all three. When changing a line, fill in only what changes."),
            ["partner", "purpose", "amount"],
        ),
    ]
    layout: ClassVar[Layout] = [(None, "", ITEM_FIELDS), *CHANGE_GROUPS]
    conditional = frozenset({"line", "partner", "purpose", "amount"})

    def __init__(self, *args: Any, title_optional: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = budget_lines(self.body.project)
        self.fields["amount"].widget.attrs.update({"inputmode": "decimal"})
        if title_optional:
            # On the budget page the change comes first; the title can be made from it.
            self.layout = [*self.CHANGE_GROUPS, (None, "", ITEM_FIELDS)]
            self.fields["title"].required = False
            self.fields["title"].help_text = _("Leave empty and we will make one from the change.")
            self.fields["description"].label = _("Why is the change needed?")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        action = cleaned.get("action")
        line = cleaned.get("line")
        if action in ("change", "remove") and line is None and "line" not in self.errors:
            self.add_error("line", _("Choose the budget line to change or remove."))
        if action == "add":
            for name, message in (
                ("partner", _("Enter the partner.")),
                ("purpose", _("Enter what the money is for.")),
                ("amount", _("Enter the amount.")),
            ):
                if cleaned.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, message)
        if (
            action == "change"
            and line is not None
            and not any(cleaned.get(name) not in (None, "") for name in ("partner", "purpose", "amount"))
        ):
            self.add_error("amount", _("Give the new amount, partner or purpose."))
        if not self.errors and not cleaned.get("title") and action:
            cleaned["title"] = self.default_title()[:TITLE_MAX]
        return cleaned

    def default_title(self) -> str:
        data = self.cleaned_data
        line = data.get("line")
        if data["action"] == "add":
            return f"Budget: add £{data['amount']:,.2f} for {data['purpose']} ({data['partner']})"
        if data["action"] == "remove":
            return f"Budget: remove the line “{line.purpose}” ({line.partner})"
        if data.get("amount") is not None:
            return f"Budget: change “{line.purpose}” ({line.partner}) to £{data['amount']:,.2f}"
        return f"Budget: change the line “{line.purpose}” ({line.partner})"

    def proposal(self) -> dict[str, Any]:
        data = self.cleaned_data
        action = data["action"]
        if action == "add":
            change: dict[str, Any] = {
                "action": "add",
                "partner": data["partner"],
                "purpose": data["purpose"],
                "amount": str(data["amount"]),
            }
        else:
            change = {"action": action, "id": data["line"].pk}
            if action == "change":
                for name in ("partner", "purpose"):
                    if data.get(name):
                        change[name] = data[name]
                if data.get("amount") is not None:
                    change["amount"] = str(data["amount"])
        return {"changes": [change]}

    @classmethod
    def initial_from(cls, item: AgendaItem) -> dict[str, Any] | None:
        changes = (item.proposal or {}).get("changes") or []
        if len(changes) != 1:
            return None
        change = changes[0]
        initial = super().initial_from(item) or {}
        initial.update(
            {
                "action": change.get("action"),
                "line": change.get("id"),
                "partner": change.get("partner", ""),
                "purpose": change.get("purpose", ""),
                "amount": change.get("amount"),
            }
        )
        return initial


class PersonnelItemForm(ItemForm):
    """BOARD-7: appointments to and removals from the project team take
    effect only through an agreed board decision."""

    kind = ItemKind.PERSONNEL

    action = forms.ChoiceField(
        label=_("Appoint or remove?"),
        widget=forms.RadioSelect,
        choices=[("appoint", _("Appoint")), ("remove", _("Remove"))],
        error_messages={"required": _("Say whether to appoint or remove.")},
    )
    user = MemberUserChoiceField(
        label=_("Person"),
        queryset=None,
        empty_label=_("Choose a person"),
        help_text=_("A member of this organisation with an account."),
        error_messages={
            "required": _("Choose the person."),
            "invalid_choice": _("Choose a member of this organisation."),
        },
    )
    role = forms.ChoiceField(
        label=_("Role"),
        widget=forms.RadioSelect,
        choices=[("manage_project", _("Project manager")), ("team_project", _("Project team"))],
        error_messages={"required": _("Choose the role.")},
    )

    layout: ClassVar[Layout] = [
        (None, "", ITEM_FIELDS),
        (_("The appointment"), "", ["action", "user", "role"]),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = organisation_users(self.body.project.organisation)

    def proposal(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"action": data["action"], "role": data["role"], "user": data["user"].pk}

    @classmethod
    def initial_from(cls, item: AgendaItem) -> dict[str, Any] | None:
        proposal = item.proposal or {}
        initial = super().initial_from(item) or {}
        initial.update(
            {"action": proposal.get("action"), "role": proposal.get("role"), "user": proposal.get("user")}
        )
        return initial


class NamedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        if isinstance(obj, Phase):
            return f"{obj.name} ({obj.starts_on:%d/%m/%Y} to {obj.ends_on:%d/%m/%Y})"
        if isinstance(obj, Milestone):
            return f"{obj.title} (due {obj.due_on:%d/%m/%Y})"
        return str(obj)


PLAN_CHANGES = [
    ("add_phase", _("Add a phase")),
    ("change_phase", _("Change a phase")),
    ("remove_phase", _("Remove a phase")),
    ("add_milestone", _("Add a milestone")),
    ("change_milestone", _("Change a milestone")),
    ("remove_milestone", _("Remove a milestone")),
]


class PlanChangeItemForm(ItemForm):
    """A change to the plan (phases and milestones). Once the board governs,
    the plan changes only through its agreed decisions."""

    kind = ItemKind.PLAN_CHANGE

    change = forms.ChoiceField(
        label=_("What should change?"),
        widget=forms.RadioSelect,
        choices=PLAN_CHANGES,
        error_messages={"required": _("Say what should change in the plan.")},
    )
    phase = NamedChoiceField(
        label=_("Which phase?"),
        queryset=Phase.objects.none(),
        required=False,
        empty_label=_("Choose a phase"),
        help_text=_("Only when changing or removing a phase."),
        error_messages={"invalid_choice": _("Choose a phase of this project.")},
    )
    name = forms.CharField(
        label=_("Name of the phase"),
        max_length=120,
        required=False,
        help_text=_("For a new phase, or a new name. When changing, leave empty to keep it."),
    )
    starts_on = forms.DateField(
        label=_("Phase starts on"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("Enter a real date.")},
    )
    ends_on = forms.DateField(
        label=_("Phase ends on"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("Enter a real date.")},
    )
    milestone = NamedChoiceField(
        label=_("Which milestone?"),
        queryset=Milestone.objects.none(),
        required=False,
        empty_label=_("Choose a milestone"),
        help_text=_("Only when changing or removing a milestone."),
        error_messages={"invalid_choice": _("Choose a milestone of this project.")},
    )
    milestone_title = forms.CharField(
        label=_("Milestone"),
        max_length=200,
        required=False,
        help_text=_("For a new milestone, or its new wording. When changing, leave empty to keep it."),
    )
    due_on = forms.DateField(
        label=_("Milestone due on"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("Enter a real date.")},
    )

    layout: ClassVar[Layout] = [
        (None, "", ITEM_FIELDS),
        (None, "", ["change"]),
        (
            _("The phase"),
            _(
                "Only for a change to a phase. A new phase needs a name and both dates; when changing one, fill in "
                "only what changes."
            ),
            ["phase", "name", "starts_on", "ends_on"],
        ),
        (
            _("The milestone"),
            _(
                "Only for a change to a milestone. A new milestone needs its wording and due date; when changing "
                "one, fill in only what changes."
            ),
            ["milestone", "milestone_title", "due_on"],
        ),
    ]
    conditional = frozenset(
        {"phase", "name", "starts_on", "ends_on", "milestone", "milestone_title", "due_on"}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        project = self.body.project
        self.fields["phase"].queryset = phases_of(project)
        self.fields["milestone"].queryset = milestones_of(project)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        change = cleaned.get("change") or ""
        action, _sep, target = change.partition("_")

        def need(name: str, message: str) -> None:
            if cleaned.get(name) in (None, "") and name not in self.errors:
                self.add_error(name, message)

        if target == "phase":
            if action == "add":
                need("name", _("Enter the name of the phase."))
                need("starts_on", _("Enter the start date."))
                need("ends_on", _("Enter the end date."))
            else:
                need("phase", _("Choose the phase."))
            if action == "change" and not any(cleaned.get(n) for n in ("name", "starts_on", "ends_on")):
                self.add_error("name", _("Give the new name or dates."))
            starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
            if starts_on and ends_on and ends_on < starts_on:
                self.add_error("ends_on", _("A phase cannot end before it starts."))
        elif target == "milestone":
            if action == "add":
                need("milestone_title", _("Enter the milestone."))
                need("due_on", _("Enter the due date."))
            else:
                need("milestone", _("Choose the milestone."))
            if action == "change" and not any(cleaned.get(n) for n in ("milestone_title", "due_on")):
                self.add_error("milestone_title", _("Give the new wording or due date."))
        return cleaned

    def proposal(self) -> dict[str, Any]:
        data = self.cleaned_data
        action, _sep, target = data["change"].partition("_")
        if target == "phase":
            if action == "add":
                change = {
                    "action": "add",
                    "name": data["name"],
                    "starts_on": data["starts_on"].isoformat(),
                    "ends_on": data["ends_on"].isoformat(),
                }
            else:
                change = {"action": action, "id": data["phase"].pk}
                if action == "change":
                    if data.get("name"):
                        change["name"] = data["name"]
                    for name in ("starts_on", "ends_on"):
                        if data.get(name):
                            change[name] = data[name].isoformat()
            return {"phases": [change]}
        if action == "add":
            change = {"action": "add", "title": data["milestone_title"], "due_on": data["due_on"].isoformat()}
        else:
            change = {"action": action, "id": data["milestone"].pk}
            if action == "change":
                if data.get("milestone_title"):
                    change["title"] = data["milestone_title"]
                if data.get("due_on"):
                    change["due_on"] = data["due_on"].isoformat()
        return {"milestones": [change]}

    @classmethod
    def initial_from(cls, item: AgendaItem) -> dict[str, Any] | None:
        proposal = item.proposal or {}
        phases = proposal.get("phases") or []
        milestones = proposal.get("milestones") or []
        if len(phases) + len(milestones) != 1:
            return None
        initial = super().initial_from(item) or {}
        if phases:
            change = phases[0]
            initial.update(
                {
                    "change": f"{change.get('action')}_phase",
                    "phase": change.get("id"),
                    "name": change.get("name", ""),
                    "starts_on": change.get("starts_on"),
                    "ends_on": change.get("ends_on"),
                }
            )
        else:
            change = milestones[0]
            initial.update(
                {
                    "change": f"{change.get('action')}_milestone",
                    "milestone": change.get("id"),
                    "milestone_title": change.get("title", ""),
                    "due_on": change.get("due_on"),
                }
            )
        return initial


class SeatChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return person_label(obj.person.name, obj.person.erased_at is not None, obj.capacity)


class ChairItemForm(ItemForm):
    """BOARD-3, GROUP-2: the body appoints its chair by a vote, with a
    recorded statement of merit."""

    kind = ItemKind.CHAIR_APPOINTMENT

    seat = SeatChoiceField(
        label=_("Who should chair?"),
        queryset=Seat.objects.none(),
        empty_label=_("Choose a member"),
        help_text=_("A current member of this body, in the capacity in which they sit."),
        error_messages={
            "required": _("Choose who should chair."),
            "invalid_choice": _("Choose a current member of this body."),
        },
    )
    merit = forms.CharField(
        label=_("Statement of merit"),
        min_length=20,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Why this person is the right chair: at least 20 characters. It is recorded with the decision."
        ),
        error_messages={
            "required": _("Say why this person is the right chair."),
            "min_length": _("Say a little more: at least 20 characters."),
        },
    )

    layout: ClassVar[Layout] = [(None, "", [*ITEM_FIELDS, "seat", "merit"])]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seat"].queryset = (
            Seat.objects.filter(body=self.body, is_open=True)
            .select_related("person")
            .order_by("person__name", "pk")
        )

    def proposal(self) -> dict[str, Any]:
        return {"seat": self.cleaned_data["seat"].pk, "merit": self.cleaned_data["merit"]}

    @classmethod
    def initial_from(cls, item: AgendaItem) -> dict[str, Any] | None:
        proposal = item.proposal or {}
        initial = super().initial_from(item) or {}
        initial.update({"seat": proposal.get("seat"), "merit": proposal.get("merit", "")})
        return initial


class TieProcedureItemForm(ItemForm):
    """BOARD-6, GROUP-5: how a tie is settled, agreed by the body. The project
    team never holds a casting vote."""

    kind = ItemKind.TIE_PROCEDURE

    procedure = forms.ChoiceField(
        label=_("When a vote is tied"),
        widget=forms.RadioSelect,
        choices=TieProcedure.choices,
        help_text=_(
            "A chair's casting vote counts only for a chair sitting as a non-professional member: "
            "the project team never holds a casting vote."
        ),
        error_messages={"required": _("Choose how a tie is settled.")},
    )

    layout: ClassVar[Layout] = [(None, "", [*ITEM_FIELDS, "procedure"])]

    def proposal(self) -> dict[str, Any]:
        return {"procedure": self.cleaned_data["procedure"]}

    @classmethod
    def initial_from(cls, item: AgendaItem) -> dict[str, Any] | None:
        initial = super().initial_from(item) or {}
        initial["procedure"] = (item.proposal or {}).get("procedure")
        return initial


class CloseProjectItemForm(ItemForm):
    """BOARD-10: only an agreed board decision closes the project."""

    kind = ItemKind.CLOSE_PROJECT


FORMS: dict[str, type[ItemForm]] = {
    ItemKind.GENERAL: ItemForm,
    ItemKind.BUDGET_CHANGE: BudgetChangeItemForm,
    ItemKind.PERSONNEL: PersonnelItemForm,
    ItemKind.PLAN_CHANGE: PlanChangeItemForm,
    ItemKind.CHAIR_APPOINTMENT: ChairItemForm,
    ItemKind.TIE_PROCEDURE: TieProcedureItemForm,
    ItemKind.CLOSE_PROJECT: CloseProjectItemForm,
}


def item_form_class(kind: str) -> type[ItemForm] | None:
    return FORMS.get(kind)


# --- Discussion, votes, implementation -----------------------------------------------------


class CommentForm(forms.Form):
    """BOARD-5, GROUP-4: every member may speak on every item."""

    text = forms.CharField(
        label=_("Your comment"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Everyone on this body can read it. You can comment until the item is decided."),
        error_messages={"required": _("Write your comment.")},
    )


class VoteForm(forms.Form):
    """BOARD-5, GROUP-4: a seat holder's vote for their own seat. `seat` is
    never shown: the vote is for the voter's own seat. A request naming
    another seat is passed to the service, which refuses a proxy."""

    choice = forms.ChoiceField(
        label=_("Your vote"),
        choices=VoteChoice.choices,
        error_messages={
            "required": _("Choose For, Against or Abstain."),
            "invalid_choice": _("Choose For, Against or Abstain."),
        },
    )
    seat = forms.ModelChoiceField(
        queryset=Seat.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("That seat is not on this body.")},
    )

    def __init__(self, *args: Any, body: Body, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seat"].queryset = Seat.objects.filter(body=body).select_related("person")


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        day = obj.held_on
        when = f"{day.day} {day:%B %Y}" if day else ""
        return f"{when}, {obj.place}" if obj.place else when


class RecordHandsForm(forms.Form):
    """A facilitator records each seat's show of hands at a held meeting of
    the body (BOARD-5, GROUP-4): the votes say they were recorded, and each
    member can correct their own while voting is open."""

    NO_VOTE = "none"

    meeting = MeetingChoiceField(
        label=_("At which meeting?"),
        queryset=Meeting.objects.none(),
        empty_label=_("Choose a held meeting"),
        help_text=_("Only meetings of this body recorded as held."),
        error_messages={
            "required": _("Choose the meeting where hands were shown."),
            "invalid_choice": _("Choose a held meeting of this body."),
        },
    )

    def __init__(self, *args: Any, meetings: Any, seats: list[Seat], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings
        self.seats = seats
        for seat in seats:
            self.fields[f"seat_{seat.pk}"] = forms.ChoiceField(
                label=person_label(seat.person.name, seat.person.erased_at is not None, seat.capacity),
                choices=[(self.NO_VOTE, _("Did not vote")), *VoteChoice.choices],
                initial=self.NO_VOTE,
                # A seat left out of the request counts as "did not vote".
                required=False,
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors and not self.votes():
            raise forms.ValidationError(_("Record at least one vote."))
        return cleaned

    def votes(self) -> list[tuple[Seat, str]]:
        return [
            (seat, self.cleaned_data[f"seat_{seat.pk}"])
            for seat in self.seats
            if self.cleaned_data.get(f"seat_{seat.pk}") not in (None, "", self.NO_VOTE)
        ]

    @property
    def seat_fields(self) -> list[forms.BoundField]:
        return [self[f"seat_{seat.pk}"] for seat in self.seats]


class ImplementationForm(GroupedForm):
    """GROUP-6: the project team reports how an agreed decision is being
    carried out. "Cannot be carried out" returns it to the body with the
    reason, and for the Overview Group with the information, resources and
    access to skills the group needs; it never changes the decision (BOARD-8)."""

    status = forms.ChoiceField(
        label=_("Where is it now?"),
        widget=forms.RadioSelect,
        choices=ImplementationStatus.choices,
        error_messages={"required": _("Say where the work stands.")},
    )
    note = forms.CharField(
        label=_("What has happened?"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A sentence or two for the members of the body."),
    )
    return_reason = forms.CharField(
        label=_("Why can it not be carried out?"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required if it cannot be carried out."),
    )
    return_information = forms.CharField(
        label=_("Information the group needs"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the group needs to know to find a workable solution (GROUP-6)."),
    )
    return_resources = forms.CharField(
        label=_("Resources the group is given"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example meeting time, money or facilitation (GROUP-6)."),
    )
    return_skills = forms.CharField(
        label=_("Access to skills"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who the group can ask for expert help (GROUP-6)."),
    )

    layout: ClassVar[Layout] = [
        (None, "", ["status", "note"]),
        (
            _("If it cannot be carried out"),
            _("The decision returns to the body as a new item with what you write here."),
            ["return_reason", "return_information", "return_resources", "return_skills"],
        ),
    ]
    conditional = frozenset({"return_reason", "return_information", "return_resources", "return_skills"})

    def __init__(self, *args: Any, body: Body, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if body.kind != "overview":
            # The board is given the reason; GROUP-6 asks more for the group.
            for name in ("return_information", "return_resources", "return_skills"):
                del self.fields[name]
