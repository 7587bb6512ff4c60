"""Browser pages of the cadence monitoring (BOARD-9, GROUP-6, GROUP-8, TEAM-3,
TEAM-9 report side): the flags of an organisation and of one project, a short
summary of the open ones for the dashboard and the project page, and each
member's choice of how they hear about new flags.

Everyone in the organisation reads flags, members and auditors included: a
flag says what, where, since when and what would clear it, and links to what
caused it. Nobody edits a flag here: the cadence checks raise and resolve
them (`projects.monitoring.sweep`). Reads go through `projects.selectors`,
filtered by the organisation of the URL, so another organisation's flags are
never shown (TENANT-1); a project of another organisation is a 404.
A page costs a fixed number of queries, however many flags there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coprod.forms import SERVICE_ERRORS, add_service_error
from projects import selectors, services
from projects.flag_forms import STATE_OPEN, STATE_RESOLVED, FlagFilterForm, NotificationForm
from projects.models import Flag, Organisation, Project, Role
from projects.views import (
    org_crumbs,
    organisation_of,
    page,
    project_context,
    project_crumbs,
    project_for,
    wrong_method,
)

FLAGS_PAGE_SIZE = 50
# How many open flags the dashboard and the project page list.
SUMMARY_SIZE = 5
THRESHOLD_FIELDS = (
    "cadence_grace_days",
    "carry_over_limit",
    "implementation_days",
    "input_answer_days",
    "term_warning_days",
)


@dataclass(frozen=True)
class FlagFilter:
    kind: str = ""
    state: str = STATE_OPEN
    project: Project | None = None


def filtered_flags(organisation: Organisation, project: Project | None, chosen: FlagFilter) -> QuerySet[Flag]:
    """The organisation's (or one project's) flags that match the filter,
    newest first, with their project in the same query."""
    flags = selectors.flags(
        organisation=organisation,
        project=project or chosen.project,
        kind=chosen.kind,
        include_resolved=chosen.state != STATE_OPEN,
    )
    if chosen.state == STATE_RESOLVED:
        flags = flags.filter(resolved_at__isnull=False)
    return flags


def safe_link(url: str) -> str:
    """Only a path on this site: `Flag.url` is written by the checks, but a
    page never renders a stored link that could leave the site or run script."""
    return url if url.startswith("/") and not url.startswith("//") else ""


def _decorate(flags: list[Flag]) -> list[Flag]:
    for flag in flags:
        flag.link = safe_link(flag.url)  # type: ignore[attr-defined]
    return flags


def _flag_page(request: HttpRequest, *, organisation: Organisation, project: Project | None) -> HttpResponse:
    """The flag list of an organisation or a project; with htmx, only the
    results section (the filter form swaps it in place)."""
    form = FlagFilterForm(
        request.GET or None,
        projects=selectors.project_list(organisation=organisation) if project is None else None,
    )
    status = 200
    chosen = FlagFilter()
    if form.is_bound:
        if form.is_valid():
            chosen = FlagFilter(
                kind=form.cleaned_data["kind"],
                state=form.cleaned_data["state"],
                project=form.cleaned_data.get("project"),
            )
        else:
            status = 400
    # A filter that does not fit shows nothing rather than everything.
    flags = filtered_flags(organisation, project, chosen) if status == 200 else Flag.objects.none()
    page_obj = Paginator(flags, FLAGS_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    here = (
        reverse("projects:project_flags", kwargs={"org": organisation.slug, "project": project.slug})
        if project is not None
        else reverse("projects:flag_list", kwargs={"org": organisation.slug})
    )
    context: dict[str, Any] = {
        "organisation": organisation,
        "form": form,
        "filter_ok": status == 200,
        "chosen": chosen,
        "page_obj": page_obj,
        "flags": _decorate(list(page_obj.object_list)),
        "flag_count": page_obj.paginator.count,
        "query": query.urlencode(),
        "here": here,
        "show_project": project is None,
    }
    if project is not None:
        context.update(project_context(request, project, "flags"))
        context["thresholds"] = [
            (Project._meta.get_field(name).help_text, getattr(project, name)) for name in THRESHOLD_FIELDS
        ]
        context["breadcrumbs"] = project_crumbs(project, (_("Flags"), None))
    else:
        context["nav_active"] = "dashboard"
        context["breadcrumbs"] = org_crumbs(organisation, (_("Flags"), None))
    if request.htmx:  # type: ignore[attr-defined]
        return page(request, "projects/_flag_results.html", context, status=status)
    return page(request, "projects/flag_list.html", context, status=status)


@require_GET
def flag_list(request: HttpRequest, org: str) -> HttpResponse:
    """BOARD-9, GROUP-6, GROUP-8, TEAM-3, TEAM-9: every flag of the
    organisation, filtered by kind, state and project."""
    return _flag_page(request, organisation=organisation_of(request), project=None)


def project_flags(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """The flags of one project (the page the flag emails link to)."""
    obj = project_for(request, project)
    if refused := wrong_method(request, "GET"):
        return refused
    return _flag_page(request, organisation=obj.organisation, project=obj)


# --- The summary on the dashboard and the project page ---------------------------------


@dataclass(frozen=True)
class FlagSummary:
    count: int
    flags: list[Flag]
    url: str


def flag_summary_for(*, organisation: Organisation, project: Project | None = None) -> FlagSummary:
    """How many flags are open and the newest few, in two queries. A view
    may put this in its context as `flag_summary` to render the section
    without a second request."""
    open_flags = selectors.flags(organisation=organisation, project=project)
    url = (
        reverse("projects:project_flags", kwargs={"org": organisation.slug, "project": project.slug})
        if project is not None
        else reverse("projects:flag_list", kwargs={"org": organisation.slug})
    )
    return FlagSummary(count=open_flags.count(), flags=_decorate(list(open_flags[:SUMMARY_SIZE])), url=url)


def _summary(request: HttpRequest, organisation: Organisation, project: Project | None) -> HttpResponse:
    summary = flag_summary_for(organisation=organisation, project=project)
    if not request.htmx:  # type: ignore[attr-defined]
        # Only the dashboard and the project page load this fragment; a person
        # who opens it directly gets the full page instead.
        return redirect(summary.url)
    return page(
        request,
        "projects/_flag_summary.html",
        {"flag_summary": summary, "organisation": organisation, "show_project": project is None},
    )


@require_GET
def flag_summary(request: HttpRequest, org: str) -> HttpResponse:
    return _summary(request, organisation_of(request), None)


def project_flag_summary(request: HttpRequest, org: str, project: str) -> HttpResponse:
    obj = project_for(request, project)
    if refused := wrong_method(request, "GET"):
        return refused
    return _summary(request, obj.organisation, obj)


# --- How a member hears about flags ------------------------------------------------------


@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest, org: str) -> HttpResponse:
    """Each member chooses, for this organisation, an email for every new
    flag, one daily digest, or none; flags still show in the browser."""
    organisation = organisation_of(request)
    membership = request.membership  # type: ignore[attr-defined]
    form = NotificationForm(request.POST or None, initial={"notifications": membership.notifications})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.member_set_notifications(
                    membership=membership,
                    preference=form.cleaned_data["notifications"],
                    actor=request.user,
                )
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
                membership.refresh_from_db()
            else:
                messages.success(request, _("Your choice is saved."))
                return redirect("projects:notification_settings", org=org)
        status = 400
    context = {
        "organisation": organisation,
        "form": form,
        "membership": membership,
        # Mirrors projects.monitoring.recipients_for: who is emailed at all.
        "emailed_by_role": membership.role in (Role.ADMIN, Role.FACILITATOR),
        "has_email": bool(getattr(request.user, "email", "")),
        "nav_active": "dashboard",
        "breadcrumbs": org_crumbs(organisation, (_("Flag notifications"), None)),
    }
    return page(request, "projects/notification_settings.html", context, status=status)
