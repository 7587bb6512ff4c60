"""Browser pages for disputes between the partners of a body (BOARD-6,
GROUP-5): the project's disputes, a body's agreed procedure (and proposing
one), raising a dispute in plain words, and the dispute page with its stage
timeline and the actions the viewer may take.

Views translate only (DESIGN.md): `disputes.services` check every rule and
write; `disputes.selectors` read; a refusal comes back on the page with its
rule ID and the status the API would give (403 for who is asking, 409 for the
state of things, 400 for what was typed). Any member of the organisation
reads; seat holders raise; parties, the named mediator and facilitators
record stages; only the parties agree, only the raiser withdraws, and nobody
closes a dispute from above. Auditors change nothing. Look-ups go through the
project of the URL, so another organisation's id is a 404 (TENANT-1)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from boards import decisions
from boards import selectors as body_selectors
from boards.models import Body, ItemKind
from boards.permissions import can_manage_body
from boards.rules import rules_for
from coprod.errors import Conflict, NotAllowed, RuleViolation
from coprod.forms import SERVICE_ERRORS, add_service_error
from disputes import permissions, selectors, services
from disputes.forms import (
    AgreeForm,
    DisputeFilterForm,
    DisputeRaiseForm,
    ProcedureForm,
    StageRecordForm,
    WithdrawForm,
)
from disputes.models import Dispute, StageKind
from projects.forms import ConfirmForm
from projects.models import Project, Role
from projects.permissions import role_in
from projects.views import allow, page, project_context, project_crumbs, project_for, wrong_method
from stakeholders.models import Person

GET_POST = require_http_methods(["GET", "POST"])


# --- Helpers ---------------------------------------------------------------------------


def refusal_status(exc: Exception) -> int:
    """The status a refusal answers with, as in the API."""
    if isinstance(exc, RuleViolation):
        return exc.http_status
    if isinstance(exc, NotAllowed):
        return 403
    if isinstance(exc, Conflict):
        return 409
    return 400


def _is_auditor(request: HttpRequest, project: Project) -> bool:
    return role_in(request.user, project.organisation) == Role.AUDITOR


def _no_auditors(request: HttpRequest, project: Project) -> None:
    """Auditors read everything and change nothing, seat or no seat."""
    if _is_auditor(request, project):
        raise PermissionDenied


def _body_for(request: HttpRequest, project_slug: str, kind: str) -> Body:
    """The body named in the URL, of this organisation's project (404
    otherwise, also for a kind other than board or overview)."""
    project = project_for(request, project_slug)
    body = body_selectors.body_get(project=project, kind=kind)
    body.project = project
    return body


def _rule(body: Body) -> str:
    return rules_for(body.kind).ties.value


def dispute_url(dispute: Dispute, name: str = "dispute_detail") -> str:
    project = dispute.body.project
    return reverse(
        f"disputes:{name}",
        kwargs={"org": project.organisation.slug, "project": project.slug, "pk": dispute.pk},
    )


def _body_url(body: Body, name: str) -> str:
    project = body.project
    return reverse(
        name, kwargs={"org": project.organisation.slug, "project": project.slug, "kind": body.kind}
    )


def _list_url(project: Project) -> str:
    return reverse(
        "disputes:dispute_list", kwargs={"org": project.organisation.slug, "project": project.slug}
    )


def _item_url(body: Body, item_id: int) -> str:
    project = body.project
    return reverse(
        "boards:item_detail",
        kwargs={"org": project.organisation.slug, "project": project.slug, "kind": body.kind, "pk": item_id},
    )


def _crumbs(project: Project, *extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return project_crumbs(project, (_("Disputes"), _list_url(project)), *extra)


def _body_crumbs(body: Body, *extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return _crumbs(
        body.project,
        (body.get_kind_display(), _body_url(body, "disputes:body_disputes")),
        *extra,
    )


def _context(request: HttpRequest, project: Project) -> dict[str, Any]:
    context = project_context(request, project, "disputes")
    context["disputes_url"] = _list_url(project)
    return context


def _can_propose_items(request: HttpRequest, body: Body) -> bool:
    """What `item_propose` accepts: seat holders and the project's
    facilitators; never auditors; not on a closed body or project."""
    if _is_auditor(request, body.project) or body.status == "closed" or not body.project.is_open:
        return False
    return decisions.seat_of(request.user, body) is not None or can_manage_body(request.user, body)


def _refused(
    request: HttpRequest,
    project: Project,
    exc: Exception,
    *,
    title: str,
    back_url: str,
    back_label: str,
    crumbs: list[tuple[str, str | None]],
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """A refusal page naming the rule, with the status the API gives."""
    context = _context(request, project)
    context.update(
        {
            "refusal_title": title,
            "rule": getattr(getattr(exc, "rule", None), "value", ""),
            "message": getattr(exc, "message", str(exc)),
            "back_url": back_url,
            "back_label": back_label,
            "breadcrumbs": crumbs,
            **(extra or {}),
        }
    )
    return page(request, "disputes/dispute_refused.html", context, status=refusal_status(exc))


# --- Lists -------------------------------------------------------------------------------


def dispute_list(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """Every dispute of the project, filtered by body or status, with where
    each one stands."""
    project_obj = project_for(request, project)
    if refused := wrong_method(request, "GET"):
        return refused
    form = DisputeFilterForm(request.GET or None)
    status = 200
    body = None
    wanted_status = None
    if request.GET:
        if form.is_valid():
            if form.cleaned_data["body"]:
                body = body_selectors.body_get(project=project_obj, kind=form.cleaned_data["body"])
            wanted_status = form.cleaned_data["status"] or None
        else:
            status = 400
    disputes = (
        list(selectors.disputes_of(project_obj, body=body, status=wanted_status)) if status == 200 else []
    )
    context = _context(request, project_obj)
    context.update(
        {
            "form": form,
            "disputes": disputes,
            "today": timezone.localdate(),
            "body_links": [
                (
                    label,
                    reverse("disputes:body_disputes", kwargs={"org": org, "project": project, "kind": kind}),
                )
                for kind, label in Body.Kind.choices
            ],
            "breadcrumbs": project_crumbs(project_obj, (_("Disputes"), None)),
        }
    )
    return page(request, "disputes/dispute_list.html", context, status=status)


class _FormInvalid(Exception):
    """The procedure form has errors of its own."""


@GET_POST
def body_disputes(request: HttpRequest, org: str, project: str, kind: str) -> HttpResponse:
    """A body's dispute procedure and its disputes. Without an agreed
    procedure the page says what is missing (BOARD-6, GROUP-5), and seat
    holders and facilitators can put the default procedure, or one of their
    own, to the body as an item: it takes effect only when the body agrees."""
    body = _body_for(request, project, kind)
    can_propose = _can_propose_items(request, body)
    default_form = ConfirmForm(prefix="default")
    procedure_form = ProcedureForm(prefix="custom")
    status = 200
    if request.method == "POST":
        allow(can_propose)
        choice = request.POST.get("procedure")
        try:
            if choice == "default":
                item = decisions.item_propose(
                    body=body,
                    title=_("Adopt the default dispute procedure"),
                    kind=ItemKind.DISPUTE_PROCEDURE,
                    description=_procedure_description(selectors.default_stage_lines()),
                    proposal={"template": "default"},
                    actor=request.user,
                )
            else:
                procedure_form = ProcedureForm(request.POST, prefix="custom")
                if not procedure_form.is_valid():
                    raise _FormInvalid
                stages = procedure_form.proposal()
                item = decisions.item_propose(
                    body=body,
                    title=procedure_form.cleaned_data["title"],
                    kind=ItemKind.DISPUTE_PROCEDURE,
                    description=_procedure_description(selectors.stage_lines(stages["stages"])),
                    proposal=stages,
                    actor=request.user,
                )
        except _FormInvalid:
            status = 400
        except SERVICE_ERRORS as exc:
            add_service_error(default_form if choice == "default" else procedure_form, exc)
            status = refusal_status(exc)
        else:
            messages.success(
                request,
                _(
                    "The dispute procedure was put to the %(body)s as an item. It takes effect when the "
                    "%(body)s agrees it by a vote."
                )
                % {"body": body.get_kind_display()},
            )
            return redirect(_item_url(body, item.pk))
    procedure = selectors.current_procedure(body)
    seat = decisions.seat_of(request.user, body)
    context = _context(request, body.project)
    context.update(
        {
            "body": body,
            "rule": _rule(body),
            "procedure": procedure,
            "procedure_stages": selectors.stage_lines(procedure.stages if procedure else []),
            "history": [
                p for p in selectors.procedure_history(body) if procedure is None or p.pk != procedure.pk
            ],
            "default_stages": selectors.default_stage_lines(),
            "pending_items": [
                (item, _item_url(body, item.pk)) for item in selectors.pending_procedure_items(body)
            ],
            "disputes": list(selectors.disputes_of(body.project, body=body)),
            "today": timezone.localdate(),
            "can_propose": can_propose,
            "can_raise": seat is not None
            and procedure is not None
            and not _is_auditor(request, body.project),
            "seat": seat,
            "default_form": default_form,
            "procedure_form": procedure_form,
            "body_page_url": _body_url(body, "boards:body_detail"),
            "breadcrumbs": _crumbs(body.project, (body.get_kind_display(), None)),
        }
    )
    return page(request, "disputes/body_disputes.html", context, status=status)


def _procedure_description(lines: list[selectors.StageLine]) -> str:
    parts = [_("How disagreements between members are settled, stage by stage:")]
    for line in lines:
        parts.append(
            _("%(order)s. %(label)s, within %(days)s days.")
            % {"order": line.order, "label": line.label, "days": line.days}
        )
    parts.append(
        _(
            "A dispute ends only when every party agrees, or by a vote of the whole body. The person who "
            "raised it can withdraw it. Nobody can close it from above."
        )
    )
    return "\n".join(parts)


# --- Raising ------------------------------------------------------------------------------


def _preselected(request: HttpRequest, form_items: Any, form_entries: Any) -> dict[str, Any]:
    """`?item=<id>` or `?entry=<id>` from an item or decision page: preselect
    it if it is this body's; anything else is ignored."""
    for name, queryset, subject in (("entry", form_entries, "decision"), ("item", form_items, "item")):
        raw = request.GET.get(name, "")
        if raw.isdigit() and len(raw) < 10:
            found = queryset.filter(pk=int(raw)).first()
            if found is not None:
                return {"subject": subject, name: found.pk}
    return {}


@GET_POST
def dispute_create(request: HttpRequest, org: str, project: str, kind: str) -> HttpResponse:
    """Raise a dispute (BOARD-6, GROUP-5): any seat holder, in plain words:
    what it is about, who is on the other side, what the disagreement is and
    what they would like to happen."""
    body = _body_for(request, project, kind)
    _no_auditors(request, body.project)
    crumbs = _body_crumbs(body, (_("Raise a dispute"), None))
    back = {"back_url": _body_url(body, "disputes:body_disputes"), "back_label": _("Back to the disputes")}
    seat = decisions.seat_of(request.user, body)
    if seat is None:
        return _refused(
            request,
            body.project,
            NotAllowed(
                _("Only members of the %(body)s can raise a dispute about it.")
                % {"body": body.get_kind_display()}
            ),
            title=_("You cannot raise a dispute here"),
            crumbs=crumbs,
            **back,
        )
    procedure = selectors.current_procedure(body)
    if procedure is None:
        return _refused(
            request,
            body.project,
            RuleViolation(
                rules_for(body.kind).ties,
                _(
                    "The %(body)s has not agreed a dispute procedure yet. Put a dispute-procedure item to the "
                    "body first (the default procedure can be adopted as it is)."
                )
                % {"body": body.get_kind_display()},
            ),
            title=_("No dispute procedure yet"),
            crumbs=crumbs,
            extra={"missing_procedure": True},
            **back,
        )
    items = selectors.items_to_dispute(body)
    entries = selectors.decisions_to_dispute(body)
    seats = selectors.other_seats(body, exclude=seat)
    status = 200
    if request.method == "POST":
        form = DisputeRaiseForm(request.POST, body=body, items=items, entries=entries, seats=seats)
        if form.is_valid():
            data = form.cleaned_data
            try:
                dispute = services.dispute_raise(
                    body=body,
                    subject=data["subject"],
                    item=data.get("item"),
                    entry=data.get("entry"),
                    respondents=list(data.get("respondents") or []),
                    summary=data["summary"],
                    outcome_sought=data.get("outcome_sought", ""),
                    actor=request.user,
                )
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
                status = refusal_status(exc)
            else:
                messages.success(
                    request,
                    _(
                        "Your dispute was raised. The other members named and the chair have been told, and "
                        "the first stage has started."
                    ),
                )
                return redirect(dispute_url(dispute))
        else:
            status = 400
    else:
        form = DisputeRaiseForm(
            initial=_preselected(request, items, entries),
            body=body,
            items=items,
            entries=entries,
            seats=seats,
        )
    context = _context(request, body.project)
    context.update(
        {
            "body": body,
            "seat": seat,
            "form": form,
            "rule": _rule(body),
            "procedure_stages": selectors.stage_lines(procedure.stages),
            "breadcrumbs": crumbs,
        }
    )
    return page(request, "disputes/dispute_form.html", context, status=status)


# --- One dispute ------------------------------------------------------------------------------


def _dispute_for(request: HttpRequest, project: str, pk: int) -> Dispute:
    project_obj = project_for(request, project)
    dispute = selectors.dispute_get(project=project_obj, pk=pk)
    dispute.body.project = project_obj
    return dispute


def _people(dispute: Dispute) -> Any:
    return Person.objects.filter(
        organisation_id=dispute.body.project.organisation_id, erased_at__isnull=True
    ).order_by("name", "pk")


def _detail_context(request: HttpRequest, dispute: Dispute, **forms: Any) -> dict[str, Any]:
    user = request.user
    body = dispute.body
    project = body.project
    state = selectors.dispute_state(dispute, user)
    auditor = _is_auditor(request, project)
    current = state.current
    record = current.record if current else None
    can_record = bool(
        dispute.is_open and record is not None and not auditor and permissions.can_record_stage(user, dispute)
    )
    is_mediation = bool(current and current.kind == StageKind.MEDIATION)
    record_form = forms.get("record_form") or StageRecordForm(
        prefix="record",
        people=_people(dispute) if is_mediation else None,
        initial={"mediator": record.mediator_id} if record is not None and record.mediator_id else None,
    )
    my_mediation = bool(
        record is not None
        and record.mediator is not None
        and record.mediator.user_id == getattr(user, "pk", None)
    )
    manager = can_manage_body(user, body)
    context = _context(request, project)
    context.update(
        {
            "dispute": dispute,
            "body": body,
            "state": state,
            "rule": _rule(body),
            "current": current,
            "current_record": record,
            "is_mediation": is_mediation,
            "my_mediation": my_mediation,
            "can_record": can_record,
            "can_advance": can_record and bool(record and record.result.strip()) and not state.is_last_stage,
            "can_agree": dispute.is_open and not auditor and bool(state.my_parties) and not state.i_agreed,
            "can_withdraw": dispute.is_open
            and not auditor
            and dispute.raised_by_id is not None
            and dispute.raised_by_id == getattr(user, "pk", None),
            "is_manager": manager and not auditor,
            "record_form": record_form,
            "advance_form": forms.get("advance_form") or ConfirmForm(prefix="advance"),
            "agree_form": forms.get("agree_form") or AgreeForm(prefix="agree"),
            "withdraw_form": forms.get("withdraw_form") or WithdrawForm(prefix="withdraw"),
            "decision_item_url": _item_url(body, dispute.decision_item_id)
            if dispute.decision_item_id
            else "",
            "item_url": _item_url(body, dispute.item_id) if dispute.item_id else "",
            "entry_url": reverse(
                "boards:ledger_entry",
                kwargs={"org": project.organisation.slug, "project": project.slug, "pk": dispute.entry_id},
            )
            if dispute.entry_id
            else "",
            "closing_entry_url": reverse(
                "boards:ledger_entry",
                kwargs={
                    "org": project.organisation.slug,
                    "project": project.slug,
                    "pk": dispute.closing_entry_id,
                },
            )
            if dispute.closing_entry_id
            else "",
            "body_disputes_url": _body_url(body, "disputes:body_disputes"),
            "breadcrumbs": _body_crumbs(body, (_("Dispute %(pk)s") % {"pk": dispute.pk}, None)),
        }
    )
    return context


def _detail_page(request: HttpRequest, dispute: Dispute, status: int = 200, **forms: Any) -> HttpResponse:
    return page(
        request, "disputes/dispute_detail.html", _detail_context(request, dispute, **forms), status=status
    )


def dispute_detail(request: HttpRequest, org: str, project: str, pk: int) -> HttpResponse:
    """The dispute: who raised it, the parties on each side, the stage
    timeline with due dates (overdue marked), the mediator, notes and
    results, who has agreed, the outcome, and what the viewer may do."""
    dispute = _dispute_for(request, project, pk)
    if refused := wrong_method(request, "GET"):
        return refused
    return _detail_page(request, dispute)


def _post_dispute(request: HttpRequest, project: str, pk: int) -> Dispute | HttpResponse:
    """Look the dispute up first (an id from elsewhere is a 404 whatever the
    method), then answer 405 to anything but POST, and refuse auditors."""
    dispute = _dispute_for(request, project, pk)
    if refused := wrong_method(request, "POST"):
        return refused
    _no_auditors(request, dispute.body.project)
    return dispute


def _reload(dispute: Dispute) -> Dispute:
    project = dispute.body.project
    fresh = selectors.dispute_get(project=project, pk=dispute.pk)
    fresh.body.project = project
    return fresh


def dispute_record(request: HttpRequest, org: str, project: str, pk: int) -> HttpResponse:
    """Record the current stage: what happened, its result, and for a
    mediation the independent mediator (never a party nor the project team:
    BOARD-6, GROUP-5)."""
    found = _post_dispute(request, project, pk)
    if isinstance(found, HttpResponse):
        return found
    dispute = found
    current = dispute.stages.all()
    record = next((stage for stage in current if stage.order == dispute.current_stage), None)
    is_mediation = bool(record and record.kind == StageKind.MEDIATION)
    form = StageRecordForm(request.POST, prefix="record", people=_people(dispute) if is_mediation else None)
    if not form.is_valid():
        return _detail_page(request, dispute, 400, record_form=form)
    data = form.cleaned_data
    try:
        services.stage_record(
            dispute=dispute,
            notes=data.get("notes", ""),
            result=data.get("result", ""),
            mediator=data.get("mediator"),
            actor=request.user,
        )
    except SERVICE_ERRORS as exc:
        add_service_error(form, exc)
        return _detail_page(request, _reload(dispute), refusal_status(exc), record_form=form)
    messages.success(request, _("The stage was recorded."))
    return redirect(dispute_url(dispute) + "#stages")


def dispute_advance(request: HttpRequest, org: str, project: str, pk: int) -> HttpResponse:
    """Close the current stage with its result and start the next one; the
    parties and the chair are told by email."""
    found = _post_dispute(request, project, pk)
    if isinstance(found, HttpResponse):
        return found
    dispute = found
    form = ConfirmForm(request.POST, prefix="advance")
    try:
        services.stage_advance(dispute=dispute, actor=request.user)
    except SERVICE_ERRORS as exc:
        add_service_error(form, exc)
        return _detail_page(request, _reload(dispute), refusal_status(exc), advance_form=form)
    messages.success(request, _("The next stage has started. The parties and the chair have been told."))
    return redirect(dispute_url(dispute) + "#stages")


def dispute_agree(request: HttpRequest, org: str, project: str, pk: int) -> HttpResponse:
    """A party records their own agreement; when every party has, the
    dispute is settled by agreement. Nobody agrees on another's behalf."""
    found = _post_dispute(request, project, pk)
    if isinstance(found, HttpResponse):
        return found
    dispute = found
    form = AgreeForm(request.POST, prefix="agree")
    if not form.is_valid():
        return _detail_page(request, dispute, 400, agree_form=form)
    try:
        settled = services.party_agree(
            dispute=dispute, note=form.cleaned_data.get("note", ""), actor=request.user
        )
    except SERVICE_ERRORS as exc:
        add_service_error(form, exc)
        return _detail_page(request, _reload(dispute), refusal_status(exc), agree_form=form)
    settled.refresh_from_db(fields=["status"])
    if settled.is_open:
        messages.success(
            request, _("Your agreement was recorded. The dispute ends when every party has agreed.")
        )
    else:
        messages.success(
            request, _("Your agreement was recorded. Every party has agreed: the dispute is settled.")
        )
    return redirect(dispute_url(dispute))


def dispute_withdraw(request: HttpRequest, org: str, project: str, pk: int) -> HttpResponse:
    """The person who raised the dispute withdraws it; nobody else can
    (BOARD-6, GROUP-5: refused with the rule ID and logged)."""
    found = _post_dispute(request, project, pk)
    if isinstance(found, HttpResponse):
        return found
    dispute = found
    form = WithdrawForm(request.POST, prefix="withdraw")
    if not form.is_valid():
        return _detail_page(request, dispute, 400, withdraw_form=form)
    try:
        services.dispute_withdraw(
            dispute=dispute, reason=form.cleaned_data.get("reason", ""), actor=request.user
        )
    except SERVICE_ERRORS as exc:
        add_service_error(form, exc)
        return _detail_page(request, _reload(dispute), refusal_status(exc), withdraw_form=form)
    messages.success(request, _("You withdrew the dispute."))
    return redirect(dispute_url(dispute))


def dispute_close(request: HttpRequest, org: str, project: str, pk: int) -> HttpResponse:
    """There is no closing a dispute from above: the attempt is refused with
    BOARD-6 (or GROUP-5) and kept in the audit log. A dispute ends by the
    agreement of every party, a vote of the body, or the raiser's withdrawal."""
    found = _post_dispute(request, project, pk)
    if isinstance(found, HttpResponse):
        return found
    dispute = found
    try:
        services.dispute_close_directly(dispute=dispute, actor=request.user)
    except SERVICE_ERRORS as exc:
        return _refused(
            request,
            dispute.body.project,
            exc,
            title=_("A dispute cannot be closed from above"),
            back_url=dispute_url(dispute),
            back_label=_("Back to dispute %(pk)s") % {"pk": dispute.pk},
            crumbs=_body_crumbs(
                dispute.body,
                (_("Dispute %(pk)s") % {"pk": dispute.pk}, dispute_url(dispute)),
                (_("Close"), None),
            ),
            extra={"logged": True},
        )
    # Not reached: the service always refuses. Never answer "closed".
    raise PermissionDenied
