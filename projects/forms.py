"""Browser forms for organisations, projects, their plans, members and public
proposals. Forms only check the shape of what was typed (required, length,
dates, choices); the services check the rules and write. A service refusal
comes back through `coprod.forms.add_service_error`, so the person sees the
reason beside the field and loses nothing they typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from projects import selectors
from projects.models import (
    InitiatorType,
    Milestone,
    Organisation,
    Phase,
    Project,
    ProjectProposal,
    ProjectStatus,
    Role,
)
from projects.permissions import PROJECT_GRANTS

User = get_user_model()

SLUG_HELP = _(
    "The last part of the project’s web address. Use lower-case letters, numbers and hyphens, "
    "for example day-service."
)
INITIATOR_HELP = _("Who first asked for this project to happen.")
ROLE_HELP = _(
    "Admins run the organisation and its members. Facilitators set up and run projects. "
    "Auditors can read everything but change nothing. Members can read their organisation’s projects."
)


class DateInput(forms.DateInput):
    """A native date picker; the value travels as YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ServiceModelForm(forms.ModelForm):
    """A ModelForm used only for its field definitions and initial values.

    It never writes to, or even changes, its instance: Django's ModelForm would
    copy the typed values onto the instance during validation, so the service
    would see no change and the page would show unsaved values. Model
    validation (uniqueness, constraints) is the service's job."""

    def _post_clean(self) -> None:
        return


def user_label(user: AbstractBaseUser) -> str:
    """How a person with an account is named in lists: full name and email."""
    full_name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    email = getattr(user, "email", "") or user.get_username()
    return f"{full_name} ({email})" if full_name else email


class MemberUserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return user_label(obj)


def organisation_users(organisation: Organisation) -> QuerySet:
    """Accounts that are members of this organisation (TENANT-1), by name."""
    return selectors.member_users(organisation=organisation).order_by("last_name", "first_name", "username")


# --- Projects ---------------------------------------------------------------


class ProjectForm(ServiceModelForm):
    """Create or describe a project. SCOPE-1: who initiated it is required."""

    initiator_type = forms.ChoiceField(
        label=_("Who started this project?"),
        choices=InitiatorType.choices,
        widget=forms.RadioSelect,
        help_text=INITIATOR_HELP,
        error_messages={"required": _("Say who started this project.")},
    )

    class Meta:
        model = Project
        fields = ["title", "slug", "summary", "initiator_type"]
        labels = {
            "title": _("Project title"),
            "slug": _("Web address"),
            "summary": _("What is the project about?"),
        }
        help_texts = {
            "title": _("A short name people will recognise, for example “Day service redesign”."),
            "slug": SLUG_HELP,
            "summary": _("A few sentences in plain language: what will change and for whom."),
        }
        widgets = {"summary": forms.Textarea(attrs={"rows": 6})}
        error_messages = {
            "title": {"required": _("Enter a title for the project.")},
            "slug": {
                "required": _("Enter a web address for the project."),
                "invalid": _("Use only lower-case letters, numbers and hyphens in the web address."),
            },
        }

    def __init__(self, *args: Any, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            # People who are not technical should not have to invent a slug.
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _(
                "Leave this empty and we will make one from the title. Otherwise use lower-case "
                "letters, numbers and hyphens, for example day-service."
            )

    def clean_slug(self) -> str:
        return (self.cleaned_data.get("slug") or "").lower()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "slug" in self.cleaned_data and not cleaned.get("slug") and cleaned.get("title"):
            slug = slugify(cleaned["title"])[:60].strip("-")
            if not slug:
                self.add_error("slug", _("We could not make a web address from this title: type one."))
            else:
                cleaned["slug"] = slug
                # Show the address we chose if the page comes back with an error.
                self.data = self.data.copy()
                self.data[self.add_prefix("slug")] = slug
        return cleaned


class ProjectStatusForm(forms.Form):
    """Move a project along its lifecycle. Closing is offered to nobody; the
    service refuses it with BOARD-10 if someone posts it anyway."""

    status = forms.ChoiceField(label=_("New status"), choices=ProjectStatus.choices)


# --- Phases and milestones ------------------------------------------------------


class PhaseForm(ServiceModelForm):
    class Meta:
        model = Phase
        fields = ["name", "starts_on", "ends_on", "description"]
        labels = {
            "name": _("Name of the phase"),
            "starts_on": _("Start date"),
            "ends_on": _("End date"),
            "description": _("What happens in this phase?"),
        }
        help_texts = {
            "name": _("For example: scoping, design, pilot or roll-out."),
            "starts_on": _("The first day of the phase."),
            "ends_on": _("The last day of the phase. It cannot be before the start date."),
            "description": _("A sentence or two about the work in this phase."),
        }
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "name": {"required": _("Enter a name for the phase.")},
            "starts_on": {"required": _("Enter the start date."), "invalid": _("Enter a real date.")},
            "ends_on": {"required": _("Enter the end date."), "invalid": _("Enter a real date.")},
        }

    def clean(self) -> dict[str, Any]:
        # The service refuses this too; checking it here as well lets the page
        # show every problem at once instead of one after another.
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("A phase cannot end before it starts."))
        return cleaned


class MilestoneForm(ServiceModelForm):
    phase = forms.ModelChoiceField(
        label=_("Phase"),
        queryset=Phase.objects.none(),
        required=False,
        empty_label=_("Not linked to a phase"),
        help_text=_("The phase this milestone belongs to."),
    )

    class Meta:
        model = Milestone
        fields = ["title", "due_on", "phase", "description"]
        labels = {
            "title": _("Milestone"),
            "due_on": _("Due date"),
            "description": _("Description"),
        }
        help_texts = {
            "title": _("Something the project will have achieved, for example “New timetable agreed”."),
            "due_on": _("When it should be reached."),
            "description": _("What counts as reaching it."),
        }
        widgets = {"due_on": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "title": {"required": _("Enter the milestone.")},
            "due_on": {"required": _("Enter the due date."), "invalid": _("Enter a real date.")},
        }

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this project's phases (TENANT-1): another id is "not a valid choice".
        self.fields["phase"].queryset = Phase.objects.filter(project=project).order_by("order", "starts_on")


# --- Per-project roles ----------------------------------------------------------


class ProjectRoleForm(forms.Form):
    user = MemberUserChoiceField(
        label=_("Person"),
        queryset=User.objects.none(),
        help_text=_("Only members of this organisation can hold a project role."),
        empty_label=_("Choose a person"),
    )
    grant = forms.ChoiceField(
        label=_("Project role"),
        choices=[("", _("Choose a role")), *PROJECT_GRANTS.items()],
        help_text=_(
            "The project manager and project facilitators can set up this project. "
            "The project team runs it day to day."
        ),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = organisation_users(organisation)


class ProjectRoleRevokeForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.none(), widget=forms.HiddenInput)
    grant = forms.ChoiceField(choices=list(PROJECT_GRANTS.items()), widget=forms.HiddenInput)

    def __init__(self, *args: Any, holders: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = holders


# --- Members and invitations ------------------------------------------------------


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("We send the invitation link to this address."),
        error_messages={
            "required": _("Enter the email address of the person to invite."),
            "invalid": _("Enter an email address like name@example.org."),
        },
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Role.choices,
        initial=Role.MEMBER,
        widget=forms.RadioSelect,
        help_text=ROLE_HELP,
    )


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"), choices=Role.choices, widget=forms.RadioSelect, help_text=ROLE_HELP
    )


class ConfirmForm(forms.Form):
    """No fields: carries a refusal back to a confirmation page."""


# --- Proposals (SCOPE-1) ------------------------------------------------------------


class ProposalForm(ServiceModelForm):
    """The public form: anyone can propose a project, no account needed
    (SCOPE-1). Who is proposing is required; name and contact are optional
    and never published."""

    initiator_type = forms.ChoiceField(
        label=_("Who is proposing this project?"),
        choices=InitiatorType.choices,
        widget=forms.RadioSelect,
        help_text=_("Choose the one that fits you best. We publish this, but never your name."),
        error_messages={"required": _("Say who is proposing this project.")},
    )

    class Meta:
        model = ProjectProposal
        fields = ["title", "summary", "initiator_type", "proposer_name", "proposer_contact"]
        labels = {
            "title": _("Project title"),
            "summary": _("What is it about?"),
            "proposer_name": _("Your name"),
            "proposer_contact": _("How can we contact you?"),
        }
        help_texts = {
            "title": _("A few words, for example “Better bus stops near the day centre”."),
            "summary": _(
                "What would you like to change, and who would it help? Write as much or as little as you like."
            ),
            "proposer_name": _("We never publish it."),
            "proposer_contact": _(
                "An email address or phone number, so we can tell you what happens. We never publish it."
            ),
        }
        widgets = {"summary": forms.Textarea(attrs={"rows": 8})}
        error_messages = {
            "title": {"required": _("Enter a title for your proposal.")},
            "summary": {"required": _("Say what your proposal is about.")},
        }


class ProposalAcceptForm(forms.Form):
    slug = forms.SlugField(
        label=_("Web address of the new project"),
        max_length=60,
        help_text=SLUG_HELP,
        error_messages={
            "required": _("Enter a web address for the project."),
            "invalid": _("Use only lower-case letters, numbers and hyphens in the web address."),
        },
    )
    reason = forms.CharField(
        label=_("Message to publish"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Published with the decision, for example why the project goes ahead."),
    )

    def clean_slug(self) -> str:
        return self.cleaned_data["slug"].lower()


class ProposalDeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required. This reason is published on the public proposals page."),
        error_messages={"required": _("Give the reason for declining: it is published.")},
    )


# --- Audit log --------------------------------------------------------------------


class AuditFilterForm(forms.Form):
    project = forms.ModelChoiceField(
        label=_("Project"),
        queryset=Project.objects.none(),
        required=False,
        to_field_name="slug",
        empty_label=_("All projects"),
    )
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[("", _("All actions"))])

    def __init__(self, *args: Any, projects: QuerySet, actions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        self.fields["action"].choices = [("", _("All actions")), *actions]


# --- Invitation: setting up an account ---------------------------------------------


class AccountSetupForm(forms.Form):
    """Create the account of an invited person: their name and a password
    checked by Django's password validators."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters. Avoid common words and your name."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Type the same password again, to be sure."),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        password1 = cleaned.get("password1")
        password2 = cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords are different."))
        elif password1:
            # An unsaved user, so the similarity check compares with the name and email.
            probe = User(
                username=self.email,
                email=self.email,
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password1, user=probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned
