"""Staff pages of public participation, under `/o/<org>/projects/<project>/`:
triage and answers to input (TEAM-9, SCOPE-2), the scoping page with its gaps
and the "finalise scope" step (SCOPE-2, SCOPE-3), and invitations per group
(TEAM-7).

Views translate only: predicates decide, services write and refuse. Every
look-up filters by the project of the URL, so an id from elsewhere is a 404
(TENANT-1). Contact details of the public are shown only to those who can
edit the project, never to members or auditors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from coprod.forms import SERVICE_ERRORS, add_service_error
from projects.forms import ConfirmForm
from projects.models import Project
from projects.permissions import can_edit_project
from projects.services import project_change_status
from projects.views import allow, page, project_context, project_crumbs, project_for, wrong_method
from stakeholders import involvement, participation
from stakeholders.models import (
    ACCESSIBLE_FORMATS,
    GroupInvitation,
    InputChannel,
    InputStatus,
    InvolvementResponse,
    PublicInput,
    StakeholderGroup,
)
from stakeholders.participation_forms import (
    GroupInvitationForm,
    GroupInvitationResponseForm,
    InputFilterForm,
    InputRecordForm,
    InputRespondForm,
    NoNegativeImpactForm,
    ScopePartForm,
)
from stakeholders.scope_document import scope_document

GET_POST = require_http_methods(["GET", "POST"])
INPUTS_SHOWN = 200


def _kw(project: Project, **extra: Any) -> dict[str, Any]:
    return {"org": project.organisation.slug, "project": project.slug, **extra}


def _context(request: HttpRequest, project: Project, *crumbs: tuple[str, str | None]) -> dict[str, Any]:
    context = project_context(request, project, "participation")
    context["breadcrumbs"] = project_crumbs(project, *crumbs)
    context["can_see_contacts"] = can_edit_project(request.user, project)
    return context


def _inputs_crumb(project: Project) -> tuple[str, str]:
    return (_("Public input"), reverse("participation:input_list", kwargs=_kw(project)))


def _input_for(project: Project, pk: int) -> PublicInput:
    return get_object_or_404(
        PublicInput.objects.select_related("project__organisation", "stakeholder_group", "response")
        # The agenda items it was routed to (boards keeps the link; no import here).
        .prefetch_related("agenda_items__body"),
        project=project,
        pk=pk,
    )


# --- Input triage (TEAM-9, SCOPE-2) ------------------------------------------------------


def input_list(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """Every input of the project, filterable by status and channel, with counts."""
    obj = project_for(request, project)
    if refused := wrong_method(request, "GET"):
        return refused
    filters = InputFilterForm(request.GET or None)
    inputs = (
        PublicInput.objects.filter(project=obj)
        .select_related("stakeholder_group")
        .prefetch_related("agenda_items__body")
    )
    chosen: dict[str, str] = {}
    if filters.is_valid():
        chosen = {key: value for key, value in filters.cleaned_data.items() if value}
        inputs = inputs.filter(**chosen)
    all_inputs = PublicInput.objects.filter(project=obj)
    by_status = dict(all_inputs.values_list("status").annotate(n=Count("pk")).order_by())
    by_channel = dict(all_inputs.values_list("channel").annotate(n=Count("pk")).order_by())
    context = _context(request, obj, (_("Public input"), None))
    context.update(
        {
            "filters": filters,
            "inputs": list(inputs[:INPUTS_SHOWN]),
            "filtered": bool(chosen),
            "status_counts": [
                (value, label, by_status.get(value, 0)) for value, label in InputStatus.choices
            ],
            "channel_counts": [
                (value, label, by_channel.get(value, 0)) for value, label in InputChannel.choices
            ],
            "total": sum(by_status.values()),
        }
    )
    return page(request, "stakeholders/input_list.html", context)


@GET_POST
def input_detail(request: HttpRequest, org: str, project: str, pk: int) -> HttpResponse:
    """One input: what was said, its answer, and (for editors) the form to
    answer it publicly."""
    obj = project_for(request, project)
    item = _input_for(obj, pk)
    form = InputRespondForm(request.POST or None, during_scoping=item.during_scoping)
    status = 200
    if request.method == "POST":
        allow(can_edit_project(request.user, obj))
        if form.is_valid():
            try:
                participation.input_respond(item=item, actor=request.user, **form.cleaned_data)
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Your answer is published on the project's public page."))
                return redirect("participation:input_detail", **_kw(obj, pk=item.pk))
        status = 400
    return _input_page(request, obj, item, form=form, status=status)


def _input_page(
    request: HttpRequest,
    project: Project,
    item: PublicInput,
    *,
    form: InputRespondForm | None = None,
    part_form: ScopePartForm | None = None,
    status: int = 200,
) -> HttpResponse:
    answered = hasattr(item, "response")
    context = _context(request, project, _inputs_crumb(project), (_("Input #%(pk)s") % {"pk": item.pk}, None))
    if part_form is None and answered and item.during_scoping:
        part_form = ScopePartForm(initial={"scope_part": item.response.scope_part})
    context.update(
        {
            "item": item,
            "answered": answered,
            "form": form or InputRespondForm(during_scoping=item.during_scoping),
            "part_form": part_form,
            "routed_items": list(item.agenda_items.all()),
            # Bodies to route to, through the project's reverse relation (boards owns them).
            "bodies": list(project.bodies.all()) if context["can_edit"] else [],
        }
    )
    return page(request, "stakeholders/input_detail.html", context, status=status)


@require_http_methods(["POST"])
def input_scope_part(request: HttpRequest, org: str, project: str, pk: int) -> HttpResponse:
    """SCOPE-2: name the part of the scope an answered scoping input shaped."""
    obj = project_for(request, project)
    item = _input_for(obj, pk)
    allow(can_edit_project(request.user, obj))
    form = ScopePartForm(request.POST)
    if form.is_valid():
        if not hasattr(item, "response"):
            form.add_error(None, _("Answer the input first."))
        else:
            try:
                participation.input_response_scope_part_set(
                    response=item.response, scope_part=form.cleaned_data["scope_part"], actor=request.user
                )
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Saved: the scope document shows it."))
                return redirect("participation:input_detail", **_kw(obj, pk=item.pk))
    return _input_page(request, obj, item, part_form=form, status=400)


@require_http_methods(["POST"])
def input_acknowledge(request: HttpRequest, org: str, project: str, pk: int) -> HttpResponse:
    obj = project_for(request, project)
    item = _input_for(obj, pk)
    allow(can_edit_project(request.user, obj))
    participation.input_acknowledge(item=item, actor=request.user)
    messages.success(request, _("Marked as acknowledged."))
    return redirect("participation:input_detail", **_kw(obj, pk=item.pk))


@GET_POST
def input_record(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """Input that came by phone, on paper, by email or at a meeting (TEAM-9)."""
    obj = project_for(request, project)
    allow(can_edit_project(request.user, obj))
    form = InputRecordForm(request.POST or None, project=obj)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                item = participation.input_record(project=obj, actor=request.user, **form.cleaned_data)
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The input is recorded."))
                return redirect("participation:input_detail", **_kw(obj, pk=item.pk))
        status = 400
    context = _context(request, obj, _inputs_crumb(obj), (_("Record input"), None))
    context["form"] = form
    return page(request, "stakeholders/input_record.html", context, status=status)


# --- Scoping that listens (SCOPE-2, SCOPE-3) ---------------------------------------------


def _scoping_context(request: HttpRequest, project: Project) -> dict[str, Any]:
    groups = list(StakeholderGroup.objects.filter(project=project).order_by("name"))
    inputs = list(
        PublicInput.objects.filter(project=project, during_scoping=True)
        .select_related("response", "stakeholder_group")
        .order_by("received_at", "pk")
    )
    per_group = [
        (group, [item for item in inputs if item.stakeholder_group_id == group.pk]) for group in groups
    ]
    context = _context(request, project, (_("Scoping"), None))
    context.update(
        {
            "per_group": per_group,
            "ungrouped": [item for item in inputs if item.stakeholder_group_id is None],
            "gaps": [(rule.value, message) for rule, message in participation.scoping_gaps(project)],
            "can_finalise": context["can_edit"] and project.status == Project.Status.SCOPING,
        }
    )
    return context


@GET_POST
def scoping(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """The scoping page; POST records the SCOPE-3 justification."""
    obj = project_for(request, project)
    form = NoNegativeImpactForm(request.POST or None, initial={"reason": obj.no_negative_impact_reason})
    status = 200
    if request.method == "POST":
        allow(can_edit_project(request.user, obj))
        if form.is_valid():
            try:
                participation.no_negative_impact_record(
                    project=obj, reason=form.cleaned_data["reason"], actor=request.user
                )
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Recorded why no group could be negatively affected."))
                return redirect("participation:scoping", **_kw(obj))
        status = 400
    context = _scoping_context(request, obj)
    context.update({"reason_form": form, "finalise_form": ConfirmForm()})
    return page(request, "stakeholders/scoping_page.html", context, status=status)


@require_http_methods(["POST"])
def scoping_finalise(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """Finalise scope: scoping → delivery, guarded by SCOPE-2 and SCOPE-3. A
    refusal re-renders the page with the rule ID and every gap."""
    obj = project_for(request, project)
    allow(can_edit_project(request.user, obj))
    form = ConfirmForm(request.POST)
    try:
        project_change_status(project=obj, status=Project.Status.DELIVERY, actor=request.user)
    except SERVICE_ERRORS as exc:
        add_service_error(form, exc)
    else:
        messages.success(request, _("Scope finalised: the project is now in delivery."))
        return redirect("participation:scoping", **_kw(obj))
    obj.refresh_from_db()
    context = _scoping_context(request, obj)
    context.update(
        {
            "reason_form": NoNegativeImpactForm(initial={"reason": obj.no_negative_impact_reason}),
            "finalise_form": form,
        }
    )
    return page(request, "stakeholders/scoping_page.html", context, status=409)


def scope_document_page(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """SCOPE-2: the scope part by part, each with the inputs that shaped it
    and the project's answers."""
    obj = project_for(request, project)
    if refused := wrong_method(request, "GET"):
        return refused
    context = _context(
        request,
        obj,
        (_("Scoping"), reverse("participation:scoping", kwargs=_kw(obj))),
        (_("Scope document"), None),
    )
    context["document"] = scope_document(obj)
    return page(request, "stakeholders/scope_document.html", context)


# --- Invitations per group (TEAM-7) ---------------------------------------------------


@GET_POST
def group_invitations(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """Per group: invited? responded? Groups not invited or without a reply
    stand out. POST records an invitation."""
    obj = project_for(request, project)
    form = GroupInvitationForm(request.POST or None, project=obj)
    status = 200
    if request.method == "POST":
        allow(can_edit_project(request.user, obj))
        if form.is_valid():
            data = dict(form.cleaned_data)
            group = data.pop("stakeholder_group")
            try:
                participation.group_invitation_record(group=group, actor=request.user, **data)
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The invitation is recorded."))
                return redirect("participation:group_invitations", **_kw(obj))
        status = 400
    groups = list(StakeholderGroup.objects.filter(project=obj).order_by("name"))
    invitations = list(
        GroupInvitation.objects.filter(project=obj).select_related("stakeholder_group", "involvement")
    )
    rows = []
    for group in groups:
        own = [invitation for invitation in invitations if invitation.stakeholder_group_id == group.pk]
        responded = any(invitation.response != GroupInvitation.Response.AWAITING for invitation in own)
        rows.append({"group": group, "invitations": own, "invited": bool(own), "responded": responded})
    context = _context(request, obj, (_("Group invitations"), None))
    context.update(
        {
            "rows": rows,
            "form": form,
            "formats": ACCESSIBLE_FORMATS,
            "not_invited": sum(1 for row in rows if not row["invited"]),
            "no_reply": sum(1 for row in rows if row["invited"] and not row["responded"]),
            # TEAM-8: what people said through the involvement form, newest first.
            "replies": list(
                InvolvementResponse.objects.filter(project=obj)
                .select_related("stakeholder_group", "invitation")
                .order_by("-updated_at", "-pk")
            ),
        }
    )
    return page(request, "stakeholders/groupinvitation_list.html", context, status=status)


@GET_POST
def group_invitation_edit(request: HttpRequest, org: str, project: str, pk: int) -> HttpResponse:
    """Record the group's response to an invitation."""
    obj = project_for(request, project)
    invitation = _invitation_for(obj, pk)
    allow(can_edit_project(request.user, obj))
    form = GroupInvitationResponseForm.for_invitation(invitation, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                participation.group_invitation_respond(
                    invitation=invitation,
                    response=form.cleaned_data["response"],
                    note=form.cleaned_data["note"],
                    actor=request.user,
                )
            except SERVICE_ERRORS as exc:
                invitation.refresh_from_db()
                add_service_error(form, exc)
            else:
                messages.success(request, _("The response is recorded."))
                return redirect("participation:group_invitations", **_kw(obj))
        status = 400
    context = _context(
        request,
        obj,
        (_("Group invitations"), reverse("participation:group_invitations", kwargs=_kw(obj))),
        (str(invitation.stakeholder_group), None),
    )
    context.update(
        {
            "invitation": invitation,
            "form": form,
            "formats": ACCESSIBLE_FORMATS,
            "reply": getattr(invitation, "involvement", None),
            # The personal link, for a letter or a call as well as the email (TEAM-8).
            "involvement_link": request.build_absolute_uri(involvement.involvement_path(invitation))
            if obj.is_open
            else "",
            "link_days": involvement.INVOLVEMENT_LINK_MAX_AGE_DAYS,
            "can_email": invitation.channel == GroupInvitation.Channel.EMAIL
            and bool(invitation.email)
            and obj.is_open,
        }
    )
    return page(request, "stakeholders/groupinvitation_form.html", context, status=status)


def _invitation_for(project: Project, pk: int) -> GroupInvitation:
    return get_object_or_404(
        GroupInvitation.objects.select_related("stakeholder_group", "project__organisation", "involvement"),
        project=project,
        pk=pk,
    )


@require_http_methods(["POST"])
def group_invitation_email(request: HttpRequest, org: str, project: str, pk: int) -> HttpResponse:
    """TEAM-7: email the invitation again, with a fresh personal link."""
    obj = project_for(request, project)
    invitation = _invitation_for(obj, pk)
    allow(can_edit_project(request.user, obj))
    try:
        involvement.group_invitation_email(invitation=invitation, actor=request.user)
    except SERVICE_ERRORS as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    else:
        messages.success(
            request, _("The invitation is emailed again to %(email)s.") % {"email": invitation.email}
        )
    return redirect("participation:group_invitation_edit", **_kw(obj, pk=invitation.pk))
