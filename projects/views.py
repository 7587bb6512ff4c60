"""Browser pages for organisations, projects and their plans, members,
invitations, proposals and the audit log.

Views translate and nothing more (DESIGN.md): they check the permission
predicates, read through selectors, write through services, and bring a
service's refusal back into the form with status 400 so nothing typed is lost.
The tenancy middleware has already resolved `<org>`, checked membership and
entered the organisation's scope; look-ups still filter by organisation and
project, so an id from elsewhere is a 404 (TENANT-1).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_scopes import scope

from coprod.forms import SERVICE_ERRORS, add_service_error
from projects import permissions, selectors, services
from projects.forms import (
    AccountSetupForm,
    AuditFilterForm,
    ConfirmForm,
    InviteForm,
    MemberRoleForm,
    MilestoneForm,
    PhaseForm,
    ProjectForm,
    ProjectRoleForm,
    ProjectRoleRevokeForm,
    ProjectStatusForm,
    ProposalAcceptForm,
    ProposalDeclineForm,
    ProposalForm,
    user_label,
)
from projects.models import (
    AuditEvent,
    BudgetLine,
    Milestone,
    Organisation,
    OrganisationInvitation,
    OrganisationMember,
    Phase,
    Project,
    ProjectProposal,
    ProjectStatus,
)

User = get_user_model()

GET_POST = require_http_methods(["GET", "POST"])
AUDIT_PAGE_SIZE = 50

# The forward steps a person may take by hand, with the button wording.
# Closing is absent on purpose: only a board decision closes a project (BOARD-10).
LIFECYCLE_ACTIONS: dict[str, tuple[str, str]] = {
    ProjectStatus.PROPOSED: (ProjectStatus.SCOPING, "Start scoping"),
    ProjectStatus.SCOPING: (ProjectStatus.DELIVERY, "Start delivery"),
}


# --- Helpers shared with stakeholders.views ------------------------------------------


def page(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> HttpResponse:
    """Render a page with what the layout needs. The user's organisations (for
    the switcher) are only fetched if the layout shows them."""
    context = dict(context or {})
    user = request.user
    context.setdefault(
        "user_organisations", SimpleLazyObject(lambda: list(selectors.organisations_for_user(user)))
    )
    return render(request, template, context, status=status)


def organisation_of(request: HttpRequest) -> Organisation:
    """The organisation the tenancy middleware resolved from the URL. Primes
    the role cache of the permission predicates with the membership it loaded,
    so checking a permission costs no query."""
    organisation: Organisation = request.organisation  # type: ignore[attr-defined]
    membership: OrganisationMember | None = getattr(request, "membership", None)
    if membership is not None:
        request.user.__dict__.setdefault("_coprod_roles", {})[organisation.pk] = membership.role
    return organisation


def allow(allowed: bool) -> None:
    """A page or action the user's role does not allow: 403."""
    if not allowed:
        raise PermissionDenied


def project_for(request: HttpRequest, slug: str) -> Project:
    """The project named in the URL, in this organisation only (404 otherwise)."""
    project = selectors.project_get(organisation=organisation_of(request), slug=slug)
    allow(permissions.can_view_project(request.user, project))
    return project


def project_crumbs(project: Project, *extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    """Breadcrumbs for a page of a project: organisation, projects, project, …"""
    organisation = project.organisation
    return [
        (organisation.name, reverse("projects:dashboard", kwargs={"org": organisation.slug})),
        (_("Projects"), reverse("projects:project_list", kwargs={"org": organisation.slug})),
        (project.title, project.get_absolute_url()),
        *extra,
    ]


def org_crumbs(organisation: Organisation, *extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(organisation.name, reverse("projects:dashboard", kwargs={"org": organisation.slug})), *extra]


def project_context(request: HttpRequest, project: Project, section: str) -> dict[str, Any]:
    """What every page of a project needs: the project, its section for the
    project navigation, and whether the user may change it."""
    return {
        "project": project,
        "project_section": section,
        "can_edit": permissions.can_edit_project(request.user, project) and project.is_open,
        "nav_active": "projects",
    }


def wrong_method(request: HttpRequest, *allowed: str) -> HttpResponse | None:
    """405 for other methods. Views that look something up call this after
    the look-up, so an id from elsewhere is a 404 whatever the method (TENANT-1)."""
    if request.method not in allowed:
        return HttpResponseNotAllowed(allowed)
    return None


def reshow(instance: Any) -> None:
    """After a refused update, reload the object: the service may have set the
    refused values on it before it refused, and the page must show what is
    stored (the form keeps what was typed)."""
    instance.refresh_from_db()


def confirm_removal(
    request: HttpRequest,
    *,
    remove: Callable[[], object],
    done_message: str,
    back: str,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """A page that asks before removing something. GET shows it; POST calls
    the removal service and goes back with `done_message`, or shows the
    service's refusal on the page (400)."""
    # Bound on every POST: the form has no fields, so a POST may carry no data
    # at all, and an unbound form cannot take the refusal.
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        try:
            remove()
        except SERVICE_ERRORS as exc:
            add_service_error(form, exc)
            status = 400
        else:
            messages.success(request, done_message)
            return redirect(back)
    context.update({"form": form, "cancel_url": back})
    return page(request, template, context, status=status)


# --- Home and invitations --------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    """Where "/" leads: the login page, the user's only organisation, or a
    list of their organisations."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("home"))
    organisations = list(selectors.organisations_for_user(request.user))
    if len(organisations) == 1:
        return redirect(organisations[0])
    return page(
        request,
        "projects/organisation_list.html",
        {"organisations": organisations, "user_organisations": organisations},
    )


@GET_POST
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Join an organisation through the signed link of an invitation email.
    The link says which organisation; there is no `<org>` in the URL, so this
    view enters the organisation's scope itself (TENANT-1)."""
    invitation = services.invitation_from_token(token)
    if invitation is None:
        return page(request, "projects/invitation_invalid.html", status=404)
    organisation = invitation.organisation
    with scope(organisation=organisation):
        return _invitation_accept(request, token, invitation, organisation)


def _invitation_accept(
    request: HttpRequest, token: str, invitation: OrganisationInvitation, organisation: Organisation
) -> HttpResponse:
    context: dict[str, Any] = {"invitation": invitation, "organisation": organisation}
    dashboard = reverse("projects:dashboard", kwargs={"org": organisation.slug})
    if request.user.is_authenticated:
        own_email = (request.user.email or request.user.get_username()).lower()
        context["wrong_account"] = own_email != invitation.email.lower()
        if request.method == "POST" and not context["wrong_account"]:
            form = ConfirmForm(request.POST)
            try:
                services.invitation_accept(invitation=invitation, user=request.user)
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
                context["form"] = form
                return page(request, "projects/invitation_accept.html", context, status=400)
            messages.success(request, _("Welcome to %(org)s.") % {"org": organisation.name})
            return redirect(dashboard)
        context["form"] = ConfirmForm()
        return page(request, "projects/invitation_accept.html", context)

    account_exists = User.objects.filter(
        Q(username__iexact=invitation.email) | Q(email__iexact=invitation.email)
    ).exists()
    if account_exists:
        context["login_url"] = f"{reverse('login')}?next={request.path}"
        return page(request, "projects/invitation_accept.html", context)

    form = AccountSetupForm(request.POST or None, email=invitation.email)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                membership = services.invitation_accept(
                    invitation=invitation,
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    password=form.cleaned_data["password1"],
                )
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
            else:
                login(request, membership.user, backend="coprod.security.ThrottledModelBackend")
                messages.success(
                    request, _("Your account is ready. Welcome to %(org)s.") % {"org": organisation.name}
                )
                return redirect(dashboard)
        status = 400
    context["form"] = form
    return page(request, "projects/invitation_accept.html", context, status=status)


# --- Dashboard and projects ---------------------------------------------------------


@require_GET
def dashboard(request: HttpRequest, org: str) -> HttpResponse:
    organisation = organisation_of(request)
    user = request.user
    can_review = permissions.can_review_proposals(user, organisation)
    can_audit = permissions.can_view_audit_log(user, organisation)
    context = {
        "organisation": organisation,
        "projects": selectors.project_list(organisation=organisation),
        "pending_proposals": (
            list(selectors.proposal_list(organisation=organisation, status=ProjectProposal.Status.PENDING))
            if can_review
            else None
        ),
        "recent_events": (list(selectors.audit_events(organisation=organisation)[:8]) if can_audit else None),
        "can_create_project": permissions.can_create_project(user, organisation),
        "can_review_proposals": can_review,
        "can_view_audit_log": can_audit,
        "can_view_people": permissions.can_view_people(user, organisation),
        "can_view_members": permissions.can_view_members(user, organisation),
        "can_view_proposals": permissions.can_view_proposals(user, organisation),
        "can_manage_members": permissions.can_manage_members(user, organisation),
        "role_label": request.membership.get_role_display(),  # type: ignore[attr-defined]
        "nav_active": "dashboard",
    }
    return page(request, "projects/organisation_dashboard.html", context)


@require_GET
def project_list(request: HttpRequest, org: str) -> HttpResponse:
    organisation = organisation_of(request)
    context = {
        "organisation": organisation,
        "projects": selectors.project_list(organisation=organisation),
        "can_create_project": permissions.can_create_project(request.user, organisation),
        "nav_active": "projects",
        "breadcrumbs": org_crumbs(organisation, (_("Projects"), None)),
    }
    return page(request, "projects/project_list.html", context)


@GET_POST
def project_create(request: HttpRequest, org: str) -> HttpResponse:
    """SCOPE-1: a project records who initiated it."""
    organisation = organisation_of(request)
    allow(permissions.can_create_project(request.user, organisation))
    form = ProjectForm(request.POST or None, creating=True)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                project = services.project_create(
                    organisation=organisation, actor=request.user, **form.cleaned_data
                )
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Project “%(title)s” created.") % {"title": project.title})
                return redirect(project)
        status = 400
    context = {
        "form": form,
        "organisation": organisation,
        "nav_active": "projects",
        "breadcrumbs": org_crumbs(
            organisation,
            (_("Projects"), reverse("projects:project_list", kwargs={"org": organisation.slug})),
            (_("New project"), None),
        ),
    }
    return page(request, "projects/project_form.html", context, status=status)


def _phases(project: Project) -> QuerySet[Phase]:
    # No selector for a project's phases yet (reported to the lead).
    return Phase.objects.filter(project=project).order_by("order", "starts_on", "pk")


def _milestones(project: Project) -> QuerySet[Milestone]:
    # No selector for a project's milestones yet (reported to the lead).
    return Milestone.objects.filter(project=project).select_related("phase").order_by("due_on", "pk")


def _budget_lines(project: Project) -> tuple[list[BudgetLine], Decimal]:
    # No selector for budget lines yet (reported to the lead). The total is
    # summed from the rows already fetched: one query.
    lines = list(BudgetLine.objects.filter(project=project).order_by("partner", "purpose", "pk"))
    return lines, sum((line.amount for line in lines), Decimal("0"))


def _project_grants(project: Project) -> list[dict[str, Any]]:
    """Who holds which per-project grant, one row per user and grant; people
    who have left the organisation are marked, so their grant can be removed."""
    member_ids = set(selectors.member_users(organisation=project.organisation).values_list("pk", flat=True))
    return [
        {
            "user": user,
            "label": user_label(user),
            "grant": codename,
            "grant_label": permissions.PROJECT_GRANTS[codename],
            "is_member": user.pk in member_ids,
        }
        for user, codenames in selectors.project_role_holders(project=project)
        for codename in codenames
    ]


def _project_detail_context(
    request: HttpRequest, project: Project, status_form: ProjectStatusForm | None = None
) -> dict[str, Any]:
    from stakeholders.selectors import stakeholder_groups

    lines, total = _budget_lines(project)
    can_edit = permissions.can_edit_project(request.user, project)
    next_step = LIFECYCLE_ACTIONS.get(project.status) if can_edit else None
    context = project_context(request, project, "overview")
    context.update(
        {
            "phases": list(_phases(project)),
            "milestones": list(_milestones(project)),
            "budget_total": total,
            "budget_line_count": len(lines),
            "groups": list(stakeholder_groups(project=project)),
            "grants": _project_grants(project),
            "next_status": next_step[0] if next_step else None,
            "next_status_label": _(next_step[1]) if next_step else None,
            "status_form": status_form,
            "form": status_form,
            "can_manage_roles": permissions.can_manage_project_roles(request.user, project),
            "breadcrumbs": [*project_crumbs(project)[:-1], (project.title, None)],
        }
    )
    return context


def project_detail(request: HttpRequest, org: str, project: str) -> HttpResponse:
    obj = project_for(request, project)
    if refused := wrong_method(request, "GET"):
        return refused
    return page(request, "projects/project_detail.html", _project_detail_context(request, obj))


@GET_POST
def project_edit(request: HttpRequest, org: str, project: str) -> HttpResponse:
    obj = project_for(request, project)
    allow(permissions.can_edit_project(request.user, obj))
    form = ProjectForm(request.POST or None, instance=obj)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                obj = services.project_update(project=obj, actor=request.user, **form.cleaned_data)
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
                reshow(obj)
            else:
                messages.success(request, _("Project details saved."))
                return redirect(obj)
        status = 400
    context = project_context(request, obj, "overview")
    context.update({"form": form, "breadcrumbs": project_crumbs(obj, (_("Edit details"), None))})
    return page(request, "projects/project_form.html", context, status=status)


def project_status(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """Move a project one step along proposed → scoping → delivery. BOARD-10:
    closing is refused; only an agreed board decision closes a project."""
    obj = project_for(request, project)
    if refused := wrong_method(request, "POST"):
        return refused
    allow(permissions.can_edit_project(request.user, obj))
    form = ProjectStatusForm(request.POST)
    if form.is_valid():
        try:
            obj = services.project_change_status(
                project=obj, status=form.cleaned_data["status"], actor=request.user
            )
        except SERVICE_ERRORS as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("The project is now in %(status)s.") % {"status": obj.get_status_display().lower()}
            )
            return redirect(obj)
    reshow(obj)
    return page(
        request, "projects/project_detail.html", _project_detail_context(request, obj, form), status=400
    )


# --- Phases ---------------------------------------------------------------------


def _plan_list(
    request: HttpRequest,
    *,
    project: Project,
    kind: str,
    form: Any,
    status: int = 200,
    notice: str = "",
) -> HttpResponse:
    """The phases or milestones page; for htmx requests only its section."""
    context = project_context(request, project, f"{kind}s")
    items = list(_phases(project)) if kind == "phase" else list(_milestones(project))
    context.update(
        {
            "items": items,
            "form": form,
            "notice": notice,
            "breadcrumbs": project_crumbs(
                project, (_("Phases") if kind == "phase" else _("Milestones"), None)
            ),
        }
    )
    if request.htmx and request.method == "POST":  # type: ignore[attr-defined]
        return page(request, f"projects/_{kind}_section.html", context, status=status)
    return page(request, f"projects/{kind}_list.html", context, status=status)


@GET_POST
def phase_list(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """TEAM-1: the stages against which involvement is planned. Adding a phase
    works as a normal form post; with htmx only the section is replaced."""
    obj = project_for(request, project)
    if request.method == "GET":
        return _plan_list(request, project=obj, kind="phase", form=PhaseForm())
    allow(permissions.can_edit_project(request.user, obj))
    form = PhaseForm(request.POST)
    if form.is_valid():
        try:
            phase = services.phase_add(project=obj, actor=request.user, **form.cleaned_data)
        except SERVICE_ERRORS as exc:
            add_service_error(form, exc)
        else:
            notice = _("Phase “%(name)s” added.") % {"name": phase.name}
            if request.htmx:  # type: ignore[attr-defined]
                fresh = PhaseForm()
                fresh.fields["name"].widget.attrs["autofocus"] = True
                return _plan_list(request, project=obj, kind="phase", form=fresh, notice=notice)
            messages.success(request, notice)
            return redirect("projects:phase_list", org=org, project=obj.slug)
    return _plan_list(request, project=obj, kind="phase", form=form, status=400)


def _phase_for(project: Project, pk: int) -> Phase:
    return get_object_or_404(Phase, project=project, pk=pk)


@GET_POST
def phase_edit(request: HttpRequest, org: str, project: str, pk: int) -> HttpResponse:
    obj = project_for(request, project)
    phase = _phase_for(obj, pk)
    allow(permissions.can_edit_project(request.user, obj))
    form = PhaseForm(request.POST or None, instance=phase)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.phase_update(phase=phase, actor=request.user, **form.cleaned_data)
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
                reshow(phase)
            else:
                messages.success(request, _("Phase “%(name)s” saved.") % {"name": phase.name})
                return redirect("projects:phase_list", org=org, project=obj.slug)
        status = 400
    context = project_context(request, obj, "phases")
    context.update(
        {
            "form": form,
            "phase": phase,
            "breadcrumbs": project_crumbs(
                obj,
                (_("Phases"), reverse("projects:phase_list", kwargs={"org": org, "project": obj.slug})),
                (phase.name, None),
            ),
        }
    )
    return page(request, "projects/phase_form.html", context, status=status)


@GET_POST
def phase_delete(request: HttpRequest, org: str, project: str, pk: int) -> HttpResponse:
    obj = project_for(request, project)
    phase = _phase_for(obj, pk)
    allow(permissions.can_edit_project(request.user, obj))
    back = reverse("projects:phase_list", kwargs={"org": org, "project": obj.slug})
    context = project_context(request, obj, "phases")
    context.update(
        {
            "object": phase,
            "kind": _("phase"),
            "consequence": _("Milestones in this phase stay, but are no longer linked to a phase."),
            "breadcrumbs": project_crumbs(obj, (_("Phases"), back), (_("Remove %s") % phase.name, None)),
        }
    )
    return confirm_removal(
        request,
        remove=lambda: services.phase_remove(phase=phase, actor=request.user),
        done_message=_("Phase “%(name)s” removed.") % {"name": phase.name},
        back=back,
        template="projects/phase_confirm_delete.html",
        context=context,
    )


# --- Milestones -----------------------------------------------------------------


@GET_POST
def milestone_list(request: HttpRequest, org: str, project: str) -> HttpResponse:
    obj = project_for(request, project)
    if request.method == "GET":
        return _plan_list(request, project=obj, kind="milestone", form=MilestoneForm(project=obj))
    allow(permissions.can_edit_project(request.user, obj))
    form = MilestoneForm(request.POST, project=obj)
    if form.is_valid():
        try:
            milestone = services.milestone_add(project=obj, actor=request.user, **form.cleaned_data)
        except SERVICE_ERRORS as exc:
            add_service_error(form, exc)
        else:
            notice = _("Milestone “%(title)s” added.") % {"title": milestone.title}
            if request.htmx:  # type: ignore[attr-defined]
                fresh = MilestoneForm(project=obj)
                fresh.fields["title"].widget.attrs["autofocus"] = True
                return _plan_list(request, project=obj, kind="milestone", form=fresh, notice=notice)
            messages.success(request, notice)
            return redirect("projects:milestone_list", org=org, project=obj.slug)
    return _plan_list(request, project=obj, kind="milestone", form=form, status=400)


def _milestone_for(project: Project, pk: int) -> Milestone:
    return get_object_or_404(Milestone.objects.select_related("phase"), project=project, pk=pk)


@GET_POST
def milestone_edit(request: HttpRequest, org: str, project: str, pk: int) -> HttpResponse:
    obj = project_for(request, project)
    milestone = _milestone_for(obj, pk)
    allow(permissions.can_edit_project(request.user, obj))
    form = MilestoneForm(request.POST or None, instance=milestone, project=obj)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.milestone_update(milestone=milestone, actor=request.user, **form.cleaned_data)
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
                reshow(milestone)
            else:
                messages.success(request, _("Milestone “%(title)s” saved.") % {"title": milestone.title})
                return redirect("projects:milestone_list", org=org, project=obj.slug)
        status = 400
    context = project_context(request, obj, "milestones")
    context.update(
        {
            "form": form,
            "milestone": milestone,
            "breadcrumbs": project_crumbs(
                obj,
                (
                    _("Milestones"),
                    reverse("projects:milestone_list", kwargs={"org": org, "project": obj.slug}),
                ),
                (milestone.title, None),
            ),
        }
    )
    return page(request, "projects/milestone_form.html", context, status=status)


@GET_POST
def milestone_delete(request: HttpRequest, org: str, project: str, pk: int) -> HttpResponse:
    obj = project_for(request, project)
    milestone = _milestone_for(obj, pk)
    allow(permissions.can_edit_project(request.user, obj))
    back = reverse("projects:milestone_list", kwargs={"org": org, "project": obj.slug})
    context = project_context(request, obj, "milestones")
    context.update(
        {
            "object": milestone,
            "kind": _("milestone"),
            "consequence": "",
            "breadcrumbs": project_crumbs(
                obj, (_("Milestones"), back), (_("Remove %s") % milestone.title, None)
            ),
        }
    )
    return confirm_removal(
        request,
        remove=lambda: services.milestone_remove(milestone=milestone, actor=request.user),
        done_message=_("Milestone “%(title)s” removed.") % {"title": milestone.title},
        back=back,
        template="projects/milestone_confirm_delete.html",
        context=context,
    )


# --- Budget (BOARD-7) and project roles --------------------------------------------------


def budget(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """BOARD-7: the budget is read-only here; it changes only through an
    agreed board decision. Once the board governs, those who may put items
    to it see a form that proposes a change to the board instead."""
    obj = project_for(request, project)
    if refused := wrong_method(request, "GET"):
        return refused
    lines, total = _budget_lines(obj)
    context = project_context(request, obj, "budget")
    context.update({"lines": lines, "total": total, "breadcrumbs": project_crumbs(obj, (_("Budget"), None))})
    # Views sit above every app: the board's "propose a budget change" form
    # comes from the decision pages, which also receive it (BOARD-7).
    from boards.views.decisions import budget_proposal_context

    context.update(budget_proposal_context(request, obj))
    return page(request, "projects/budgetline_list.html", context)


@GET_POST
def project_roles(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """Per-project grants: project manager, project team, project facilitator."""
    obj = project_for(request, project)
    organisation = obj.organisation
    can_manage = permissions.can_manage_project_roles(request.user, obj)
    form = ProjectRoleForm(request.POST or None, organisation=organisation)
    status = 200
    if request.method == "POST":
        allow(can_manage)
        if form.is_valid():
            user = form.cleaned_data["user"]
            grant = form.cleaned_data["grant"]
            try:
                services.project_grant_role(project=obj, user=user, grant=grant, actor=request.user)
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    _("%(person)s is now %(role)s of this project.")
                    % {"person": user_label(user), "role": permissions.PROJECT_GRANTS[grant].lower()},
                )
                return redirect("projects:project_roles", org=org, project=obj.slug)
        status = 400
    context = project_context(request, obj, "roles")
    context.update(
        {
            "form": form,
            "grants": _project_grants(obj),
            "can_manage_roles": can_manage,
            "breadcrumbs": project_crumbs(obj, (_("Project roles"), None)),
        }
    )
    return page(request, "projects/projectrole_list.html", context, status=status)


def project_role_revoke(request: HttpRequest, org: str, project: str) -> HttpResponse:
    obj = project_for(request, project)
    if refused := wrong_method(request, "POST"):
        return refused
    allow(permissions.can_manage_project_roles(request.user, obj))
    form = ProjectRoleRevokeForm(request.POST, holders=selectors.project_grant_users(project=obj))
    back = reverse("projects:project_roles", kwargs={"org": org, "project": obj.slug})
    if not form.is_valid():
        messages.error(request, _("That project role was not found. Nothing was changed."))
        return redirect(back)
    user = form.cleaned_data["user"]
    grant = form.cleaned_data["grant"]
    try:
        services.project_revoke_role(project=obj, user=user, grant=grant, actor=request.user)
    except SERVICE_ERRORS as exc:
        messages.error(request, str(getattr(exc, "message", exc)))
    else:
        messages.success(
            request,
            _("%(person)s is no longer %(role)s of this project.")
            % {"person": user_label(user), "role": permissions.PROJECT_GRANTS[grant].lower()},
        )
    return redirect(back)


# --- Members and invitations -------------------------------------------------------


@GET_POST
def member_list(request: HttpRequest, org: str) -> HttpResponse:
    """Members and open invitations, for admins (who invite) and auditors
    (who read everything)."""
    organisation = organisation_of(request)
    allow(permissions.can_view_members(request.user, organisation))
    can_manage = permissions.can_manage_members(request.user, organisation)
    form = InviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        allow(can_manage)
        if form.is_valid():
            try:
                invitation = services.member_invite(
                    organisation=organisation,
                    actor=request.user,
                    base_url=request.build_absolute_uri("/").rstrip("/"),
                    **form.cleaned_data,
                )
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
                return redirect("projects:member_list", org=org)
        status = 400
    context = {
        "organisation": organisation,
        "members": selectors.member_list(organisation=organisation),
        "invitations": selectors.pending_invitations(organisation=organisation),
        "can_manage_members": can_manage,
        "form": form,
        "nav_active": "members",
        "breadcrumbs": org_crumbs(organisation, (_("Members"), None)),
    }
    return page(request, "projects/member_list.html", context, status=status)


@GET_POST
def member_edit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """Change a member's role or remove them (admins only)."""
    organisation = organisation_of(request)
    membership = get_object_or_404(
        OrganisationMember.objects.select_related("user"), organisation=organisation, pk=pk
    )
    allow(permissions.can_manage_members(request.user, organisation))
    is_self = membership.user_id == request.user.pk
    form = MemberRoleForm(request.POST or None, initial={"role": membership.role})
    remove_form = ConfirmForm(prefix="remove")
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "remove":
            remove_form = ConfirmForm(request.POST, prefix="remove")
            form = MemberRoleForm(initial={"role": membership.role})
            try:
                services.member_remove(membership=membership, actor=request.user)
            except SERVICE_ERRORS as exc:
                add_service_error(remove_form, exc)
            else:
                messages.success(
                    request,
                    _("%(person)s is no longer a member.") % {"person": user_label(membership.user)},
                )
                # Someone who removed themselves can no longer open this organisation.
                return redirect("home" if is_self else reverse("projects:member_list", kwargs={"org": org}))
        elif form.is_valid():
            try:
                services.member_change_role(
                    membership=membership, role=form.cleaned_data["role"], actor=request.user
                )
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
                reshow(membership)
            else:
                messages.success(
                    request,
                    _("%(person)s is now %(role)s.")
                    % {"person": user_label(membership.user), "role": membership.get_role_display().lower()},
                )
                # Someone who gave up their own admin role may no longer see the member list.
                target = "projects:dashboard" if is_self else "projects:member_list"
                return redirect(target, org=org)
        status = 400
    context = {
        "organisation": organisation,
        "membership": membership,
        "person": user_label(membership.user),
        "form": form,
        "remove_form": remove_form,
        "is_self": is_self,
        "nav_active": "members",
        "breadcrumbs": org_crumbs(
            organisation,
            (_("Members"), reverse("projects:member_list", kwargs={"org": org})),
            (user_label(membership.user), None),
        ),
    }
    return page(request, "projects/member_form.html", context, status=status)


def invitation_revoke(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    organisation = organisation_of(request)
    invitation = selectors.invitation_get(organisation=organisation, pk=pk)
    if refused := wrong_method(request, "POST"):
        return refused
    allow(permissions.can_manage_members(request.user, organisation))
    try:
        services.invitation_revoke(invitation=invitation, actor=request.user)
    except SERVICE_ERRORS as exc:
        messages.error(request, str(getattr(exc, "message", exc)))
    else:
        messages.success(
            request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
        )
    return redirect("projects:member_list", org=org)


# --- Proposals (SCOPE-1) --------------------------------------------------------------


@require_GET
def proposal_list(request: HttpRequest, org: str) -> HttpResponse:
    """SCOPE-1: proposals for those who decide them, and auditors."""
    organisation = organisation_of(request)
    allow(permissions.can_view_proposals(request.user, organisation))
    proposals = list(selectors.proposal_list(organisation=organisation))
    context = {
        "organisation": organisation,
        "pending": [p for p in proposals if p.status == ProjectProposal.Status.PENDING],
        "decided": [p for p in proposals if p.status != ProjectProposal.Status.PENDING],
        "public_url": reverse("public:proposal_form", kwargs={"org": organisation.slug}),
        "nav_active": "proposals",
        "breadcrumbs": org_crumbs(organisation, (_("Proposals"), None)),
    }
    return page(request, "projects/proposal_list.html", context)


@GET_POST
def proposal_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """SCOPE-1: a facilitator accepts a proposal (creating the project in
    scoping) or declines it with a reason that is published."""
    organisation = organisation_of(request)
    proposal = get_object_or_404(
        ProjectProposal.objects.select_related("project"), organisation=organisation, pk=pk
    )
    allow(permissions.can_view_proposals(request.user, organisation))
    can_decide = permissions.can_review_proposals(request.user, organisation)
    accept_form = ProposalAcceptForm(
        prefix="accept", initial={"slug": slugify(proposal.title)[:60].strip("-")}
    )
    decline_form = ProposalDeclineForm(prefix="decline")
    status = 200
    if request.method == "POST":
        allow(can_decide)
        action = request.POST.get("action")
        if action == "accept":
            accept_form = ProposalAcceptForm(request.POST, prefix="accept")
            if accept_form.is_valid():
                try:
                    project = services.proposal_accept(
                        proposal=proposal,
                        slug=accept_form.cleaned_data["slug"],
                        reason=accept_form.cleaned_data["reason"],
                        actor=request.user,
                    )
                except SERVICE_ERRORS as exc:
                    add_service_error(accept_form, exc)
                else:
                    messages.success(
                        request,
                        _("Proposal accepted. The project “%(title)s” is now in scoping.")
                        % {"title": project.title},
                    )
                    return redirect(project)
        elif action == "decline":
            decline_form = ProposalDeclineForm(request.POST, prefix="decline")
            if decline_form.is_valid():
                try:
                    services.proposal_decline(
                        proposal=proposal, reason=decline_form.cleaned_data["reason"], actor=request.user
                    )
                except SERVICE_ERRORS as exc:
                    add_service_error(decline_form, exc)
                else:
                    messages.success(request, _("Proposal declined. The reason is now published."))
                    return redirect("projects:proposal_list", org=org)
        status = 400
        reshow(proposal)
    context = {
        "organisation": organisation,
        "proposal": proposal,
        "accept_form": accept_form,
        "decline_form": decline_form,
        "is_pending": proposal.status == ProjectProposal.Status.PENDING,
        "can_decide": can_decide,
        "nav_active": "proposals",
        "breadcrumbs": org_crumbs(
            organisation,
            (_("Proposals"), reverse("projects:proposal_list", kwargs={"org": org})),
            (proposal.title, None),
        ),
    }
    return page(request, "projects/proposal_detail.html", context, status=status)


# --- Audit log ------------------------------------------------------------------------


def action_label(code: str) -> str:
    """A readable name for an audit action code, e.g. "projects.phase.created"
    → "Phase created"; refusals → "Refused: project change status"."""
    parts = code.split(".")
    refused = parts[0] == "refused"
    words = " ".join(part.replace("_", " ") for part in parts[2 if refused else 1 :]) or code
    words = words[:1].upper() + words[1:]
    return _("Refused: %(what)s") % {"what": words.lower()} if refused else words


@require_GET
def audit_log(request: HttpRequest, org: str) -> HttpResponse:
    organisation = organisation_of(request)
    allow(permissions.can_view_audit_log(request.user, organisation))
    projects = selectors.project_list(organisation=organisation)
    # No selector for the action codes in use yet (reported to the lead).
    actions = list(
        AuditEvent.objects.filter(organisation=organisation)
        .order_by("action")
        .values_list("action", flat=True)
        .distinct()
    )
    form = AuditFilterForm(
        request.GET or None, projects=projects, actions=[(code, action_label(code)) for code in actions]
    )
    status = 200
    project = None
    action = ""
    if form.is_bound:
        if form.is_valid():
            project = form.cleaned_data["project"]
            action = form.cleaned_data["action"]
        else:
            status = 400
    events = selectors.audit_events(organisation=organisation, project=project, action_prefix=action)
    page_obj = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page_obj.object_list)
    for event in rows:
        event.action_label = action_label(event.action)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "organisation": organisation,
        "form": form,
        "page_obj": page_obj,
        "events": rows,
        "query": query.urlencode(),
        "nav_active": "audit",
        "breadcrumbs": org_crumbs(organisation, (_("Audit log"), None)),
    }
    return page(request, "projects/auditevent_list.html", context, status=status)


# --- Public proposals (no account) -------------------------------------------------------


@GET_POST
def proposal_form(request: HttpRequest, org: str) -> HttpResponse:
    """SCOPE-1: anyone, without an account, can propose a project. Below the
    form: the organisation's decided proposals with their published reasons,
    never names or contacts."""
    organisation: Organisation = request.organisation  # type: ignore[attr-defined]
    form = ProposalForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                proposal = services.proposal_submit(organisation=organisation, **form.cleaned_data)
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Thank you. Your proposal was sent to %(org)s. Keep the address of this page to follow it."
                    )
                    % {"org": organisation.name},
                )
                return redirect("public:proposal_status", org=org, pk=proposal.pk)
        status = 400
    context = {
        "organisation": organisation,
        "form": form,
        "decisions": selectors.published_proposal_decisions(organisation=organisation),
    }
    return page(request, "public/proposal_form.html", context, status=status)


def proposal_status(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """Where one proposal stands: its public fields only."""
    organisation: Organisation = request.organisation  # type: ignore[attr-defined]
    proposal = get_object_or_404(ProjectProposal, organisation=organisation, pk=pk)
    if refused := wrong_method(request, "GET"):
        return refused
    return page(request, "public/proposal_status.html", {"organisation": organisation, "proposal": proposal})
