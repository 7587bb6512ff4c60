"""Browser pages for a project's stakeholder register and the organisation's
people directory. Views translate only: predicates decide, selectors read,
services write (DESIGN.md). Look-ups filter by organisation and project, so
an id from elsewhere is a 404 (TENANT-1)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coprod.forms import SERVICE_ERRORS, add_service_error
from projects.models import Project
from projects.views import (
    allow,
    confirm_removal,
    org_crumbs,
    organisation_of,
    page,
    project_context,
    project_crumbs,
    project_for,
    reshow,
    wrong_method,
)
from stakeholders import permissions, selectors, services
from stakeholders.forms import PersonForm, PersonSearchForm, StakeholderGroupForm
from stakeholders.models import Person, StakeholderGroup

GET_POST = require_http_methods(["GET", "POST"])
PEOPLE_PAGE_SIZE = 50


# --- Stakeholder register ---------------------------------------------------------


def _groups_url(project: Project) -> str:
    return reverse(
        "stakeholders:group_list", kwargs={"org": project.organisation.slug, "project": project.slug}
    )


def _group_for(project: Project, pk: int) -> StakeholderGroup:
    return get_object_or_404(StakeholderGroup, project=project, pk=pk)


def _register_context(request: HttpRequest, project: Project) -> dict[str, Any]:
    context = project_context(request, project, "stakeholders")
    context["can_edit"] = permissions.can_manage_stakeholders(request.user, project) and project.is_open
    return context


def group_list(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """The stakeholder register. SCOPE-4: a hint when no indirectly affected
    group, or no non-professional group, is identified yet; SCOPE-3: which
    groups may lose out."""
    obj = project_for(request, project)
    if refused := wrong_method(request, "GET"):
        return refused
    groups = list(selectors.stakeholder_groups(project=obj))
    context = _register_context(request, obj)
    context.update(
        {
            "groups": groups,
            "missing_indirect": not any(g.affected == StakeholderGroup.Affected.INDIRECTLY for g in groups),
            "missing_non_professional": not any(not g.is_professional for g in groups),
            "breadcrumbs": project_crumbs(obj, (_("Stakeholder groups"), None)),
        }
    )
    return page(request, "stakeholders/group_list.html", context)


@GET_POST
def group_create(request: HttpRequest, org: str, project: str) -> HttpResponse:
    obj = project_for(request, project)
    allow(permissions.can_manage_stakeholders(request.user, obj))
    form = StakeholderGroupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                group = services.stakeholder_group_add(project=obj, actor=request.user, **form.cleaned_data)
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Stakeholder group “%(name)s” added.") % {"name": group.name})
                return redirect(_groups_url(obj))
        status = 400
    context = _register_context(request, obj)
    context.update(
        {
            "form": form,
            "breadcrumbs": project_crumbs(
                obj, (_("Stakeholder groups"), _groups_url(obj)), (_("Add a group"), None)
            ),
        }
    )
    return page(request, "stakeholders/group_form.html", context, status=status)


@GET_POST
def group_edit(request: HttpRequest, org: str, project: str, pk: int) -> HttpResponse:
    obj = project_for(request, project)
    group = _group_for(obj, pk)
    allow(permissions.can_manage_stakeholders(request.user, obj))
    form = StakeholderGroupForm(request.POST or None, instance=group)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.stakeholder_group_update(group=group, actor=request.user, **form.cleaned_data)
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
                reshow(group)
            else:
                messages.success(request, _("Stakeholder group “%(name)s” saved.") % {"name": group.name})
                return redirect(_groups_url(obj))
        status = 400
    context = _register_context(request, obj)
    context.update(
        {
            "form": form,
            "group": group,
            "breadcrumbs": project_crumbs(
                obj, (_("Stakeholder groups"), _groups_url(obj)), (group.name, None)
            ),
        }
    )
    return page(request, "stakeholders/group_form.html", context, status=status)


@GET_POST
def group_delete(request: HttpRequest, org: str, project: str, pk: int) -> HttpResponse:
    obj = project_for(request, project)
    group = _group_for(obj, pk)
    allow(permissions.can_manage_stakeholders(request.user, obj))
    context = _register_context(request, obj)
    context.update(
        {
            "object": group,
            "kind": _("stakeholder group"),
            "consequence": _("The group is removed from this project’s stakeholder register."),
            "breadcrumbs": project_crumbs(
                obj, (_("Stakeholder groups"), _groups_url(obj)), (_("Remove %s") % group.name, None)
            ),
        }
    )
    return confirm_removal(
        request,
        remove=lambda: services.stakeholder_group_remove(group=group, actor=request.user),
        done_message=_("Stakeholder group “%(name)s” removed.") % {"name": group.name},
        back=_groups_url(obj),
        template="stakeholders/group_confirm_delete.html",
        context=context,
    )


# --- People directory -------------------------------------------------------------------


@require_GET
def person_list(request: HttpRequest, org: str) -> HttpResponse:
    """The people directory holds contact details and access needs: staff and
    auditors only. With htmx, typing in the search box swaps only the results."""
    organisation = organisation_of(request)
    allow(permissions.can_view_directory(request.user, organisation))
    form = PersonSearchForm(request.GET or None)
    search = ""
    status = 200
    if form.is_bound:
        if form.is_valid():
            search = form.cleaned_data["q"]
        else:
            status = 400
    people = selectors.people(organisation=organisation, search=search)
    page_obj = Paginator(people, PEOPLE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "organisation": organisation,
        "form": form,
        "search": search,
        "page_obj": page_obj,
        "people": page_obj.object_list,
        "query": urlencode({"q": search}) if search else "",
        "can_manage": permissions.can_manage_directory(request.user, organisation),
        "nav_active": "people",
        "breadcrumbs": org_crumbs(organisation, (_("People"), None)),
    }
    if request.htmx and not request.htmx.boosted:  # type: ignore[attr-defined]
        return page(request, "stakeholders/_person_results.html", context, status=status)
    return page(request, "stakeholders/person_list.html", context, status=status)


def _person_page(
    request: HttpRequest, organisation: Any, form: PersonForm, person: Person | None, status: int
) -> HttpResponse:
    people_url = reverse("stakeholders:person_list", kwargs={"org": organisation.slug})
    context = {
        "organisation": organisation,
        "form": form,
        "person": person,
        "nav_active": "people",
        "breadcrumbs": org_crumbs(
            organisation,
            (_("People"), people_url),
            (person.name if person else _("Add a person"), None),
        ),
    }
    return page(request, "stakeholders/person_form.html", context, status=status)


@GET_POST
def person_create(request: HttpRequest, org: str) -> HttpResponse:
    organisation = organisation_of(request)
    allow(permissions.can_manage_directory(request.user, organisation))
    form = PersonForm(request.POST or None, organisation=organisation)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                person = services.person_add(
                    organisation=organisation, actor=request.user, **form.cleaned_data
                )
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("%(name)s added to the directory.") % {"name": person.name})
                return redirect("stakeholders:person_list", org=org)
        status = 400
    return _person_page(request, organisation, form, None, status)


@GET_POST
def person_edit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation = organisation_of(request)
    person = get_object_or_404(Person.objects.select_related("user"), organisation=organisation, pk=pk)
    allow(permissions.can_manage_directory(request.user, organisation))
    form = PersonForm(request.POST or None, instance=person, organisation=organisation)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.person_update(person=person, actor=request.user, **form.cleaned_data)
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
                reshow(person)
            else:
                messages.success(request, _("%(name)s saved.") % {"name": person.name})
                return redirect("stakeholders:person_list", org=org)
        status = 400
    return _person_page(request, organisation, form, person, status)
