"""Browser pages for how a body decides: agenda items, discussion, votes, the
project's decision ledger and its exports, and proposing a budget change.

Views translate only (DESIGN.md): the decision services in `boards.decisions`
check every rule and write; the selectors in `boards.selectors_decisions`
read in a fixed number of queries; a refusal comes back on the page with its
rule ID and the status the API would give (403 for who is asking, 409 for
the state of things, 400 for what was typed). The rules the pages speak for:
BOARD-3, BOARD-5, BOARD-6, BOARD-7, BOARD-8, BOARD-10, GROUP-2, GROUP-4,
GROUP-6, GROUP-7, LEDGER-1, LEDGER-2.

Any member of the organisation reads items and the ledger; seat holders of
the body and facilitators propose and comment; only the seat holder votes
for their seat; auditors change nothing. Look-ups go through the project and
body of the URL, so another organisation's id is a 404 (TENANT-1)."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from boards import decisions
from boards import selectors as body_selectors
from boards import selectors_decisions as selectors
from boards.decisions import can_run_vote
from boards.forms.decisions import (
    KIND_HELP,
    BudgetChangeItemForm,
    CommentForm,
    ImplementationForm,
    ItemForm,
    KindChoiceForm,
    RecordHandsForm,
    VoteForm,
    item_form_class,
    kinds_for,
)
from boards.ledger import export_document, verify
from boards.models import AgendaItem, Body, DecisionEntry, ItemKind, ItemStatus, Outcome
from boards.permissions import can_manage_body
from boards.rules import rules_for
from boards.serializers_decisions import spreadsheet_safe
from coprod.errors import Conflict, NotAllowed, Refusal, RuleViolation
from coprod.forms import SERVICE_ERRORS, add_service_error
from projects.forms import ConfirmForm
from projects.models import Project, Role
from projects.permissions import can_view_project, role_in
from projects.services import board_governs
from projects.views import (
    allow,
    organisation_of,
    page,
    project_context,
    project_crumbs,
    project_for,
    wrong_method,
)

GET_POST = require_http_methods(["GET", "POST"])
LEDGER_PAGE_SIZE = 50


# --- Helpers ---------------------------------------------------------------------------


def refusal_status(exc: Exception) -> int:
    """The status a refusal answers with, as in the API: 403 for who is
    asking, 409 for the state of things, 400 for what was typed."""
    if isinstance(exc, RuleViolation):
        return exc.http_status
    if isinstance(exc, NotAllowed):
        return 403
    if isinstance(exc, Conflict):
        return 409
    return 400


def _safe_reverse(name: str, **kwargs: Any) -> str | None:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def _body_for(request: HttpRequest, project_slug: str, kind: str) -> Body:
    """The body named in the URL, of this organisation's project (404
    otherwise, also for a kind other than board or overview)."""
    body = body_selectors.body_in(organisation=organisation_of(request), project_slug=project_slug, kind=kind)
    allow(can_view_project(request.user, body.project))
    return body


def _no_auditors(request: HttpRequest, project: Project) -> None:
    """Auditors read everything and change nothing, seat or no seat."""
    if role_in(request.user, project.organisation) == Role.AUDITOR:
        raise PermissionDenied


def _urls(body: Body) -> dict[str, str]:
    project = body.project
    kwargs = {"org": project.organisation.slug, "project": project.slug, "kind": body.kind}
    return {
        "items": reverse("boards:item_list", kwargs=kwargs),
        "create": reverse("boards:item_create", kwargs=kwargs),
        "ledger": reverse(
            "boards:ledger", kwargs={"org": project.organisation.slug, "project": project.slug}
        ),
    }


def _item_url(item: AgendaItem, name: str = "item_detail") -> str:
    project = item.body.project
    return reverse(
        f"boards:{name}",
        kwargs={
            "org": project.organisation.slug,
            "project": project.slug,
            "kind": item.body.kind,
            "pk": item.pk,
        },
    )


def _entry_url(entry: DecisionEntry, project: Project) -> str:
    return reverse(
        "boards:ledger_entry",
        kwargs={"org": project.organisation.slug, "project": project.slug, "pk": entry.pk},
    )


def _body_crumbs(body: Body, *extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    project = body.project
    body_url = _safe_reverse(
        "boards:body_detail", org=project.organisation.slug, project=project.slug, kind=body.kind
    )
    return project_crumbs(project, (body.get_kind_display(), body_url), *extra)


def _body_context(request: HttpRequest, body: Body) -> dict[str, Any]:
    context = project_context(request, body.project, "decisions")
    context.update({"body": body, "body_urls": _urls(body), "rules": _rule_ids(body)})
    return context


def _rule_ids(body: Body) -> dict[str, str]:
    rules = rules_for(body.kind)
    return {
        "voice": rules.voice.value,
        "override": rules.override.value,
        "chair": rules.chair.value,
        "ties": rules.ties.value,
        "share": rules.share.value,
    }


def _can_propose(request: HttpRequest, body: Body, seat: Any) -> bool:
    """What `item_propose` and `comment_add` accept: seat holders of the body
    and the project's facilitators; never auditors."""
    if role_in(request.user, body.project.organisation) == Role.AUDITOR:
        return False
    return seat is not None or can_manage_body(request.user, body)


# --- Agenda items -----------------------------------------------------------------------


def item_list(request: HttpRequest, org: str, project: str, kind: str) -> HttpResponse:
    """The body's items: open for discussion, being voted on, decided; with
    deadlines (BOARD-9) and rounds carried over for want of a quorate vote
    (LEDGER-2)."""
    body = _body_for(request, project, kind)
    if refused := wrong_method(request, "GET"):
        return refused
    groups = selectors.item_groups(body)
    seat = decisions.seat_of(request.user, body)
    context = _body_context(request, body)
    context.update(
        {
            "groups": groups,
            "can_propose": _can_propose(request, body, seat)
            and body.project.is_open
            and body.status != "closed",
            "breadcrumbs": _body_crumbs(body, (_("Items"), None)),
        }
    )
    return page(request, "boards/item_list.html", context)


@GET_POST
def item_create(request: HttpRequest, org: str, project: str, kind: str) -> HttpResponse:
    """Put an item to the body. Step one chooses the kind (`?kind=`); step
    two asks for the item and, for a structured kind, the proposal in plain
    fields. Board-only kinds are not offered to the Overview Group."""
    body = _body_for(request, project, kind)
    seat = decisions.seat_of(request.user, body)
    allow(_can_propose(request, body, seat))
    chosen = request.POST.get("kind") if request.method == "POST" else request.GET.get("kind")
    offered = dict(kinds_for(body))
    context = _body_context(request, body)
    context["breadcrumbs"] = _body_crumbs(
        body, (_("Items"), context["body_urls"]["items"]), (_("Propose an item"), None)
    )
    form_class = item_form_class(chosen) if chosen in offered else None
    if form_class is None:
        kind_form = KindChoiceForm({"kind": chosen} if chosen is not None else None, body=body)
        status = 400 if chosen is not None else 200
        if chosen is not None:
            kind_form.is_valid()
        context.update(
            {
                "kind_form": kind_form,
                "kind_help": KIND_HELP,
                "disputes_url": _safe_reverse(
                    "disputes:body_disputes", org=org, project=body.project.slug, kind=body.kind
                ),
            }
        )
        return page(request, "boards/item_kind.html", context, status=status)
    form = form_class(request.POST or None, body=body)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                item = decisions.item_propose(
                    body=body,
                    kind=form_class.kind,
                    proposal=form.proposal(),
                    actor=request.user,
                    **form.cleaned_item(),
                )
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
                status = refusal_status(exc)
            else:
                messages.success(
                    request,
                    _("“%(title)s” was put to the %(body)s.")
                    % {"title": item.title, "body": body.get_kind_display()},
                )
                return redirect(_item_url(item))
        else:
            status = 400
    context.update(
        {
            "form": form,
            "kind": chosen,
            "kind_label": offered[chosen],
            "structured": form_class.kind != ItemKind.GENERAL,
        }
    )
    return page(request, "boards/item_form.html", context, status=status)


def _item_context(
    request: HttpRequest,
    body: Body,
    item: AgendaItem,
    **forms: Any,
) -> dict[str, Any]:
    """Everything the item page shows, with any bound forms carrying errors."""
    user = request.user
    can_run = role_in(user, body.project.organisation) != Role.AUDITOR and can_run_vote(user, item)
    state = selectors.item_state(item, with_meetings=can_run and item.status == ItemStatus.VOTING)
    # The viewer's own seat is among the seats that vote today (open, in
    # term): found there rather than asked for again.
    seat = next((s for s in state.seats if user.pk is not None and s.person.user_id == user.pk), None)
    my_vote = next((vote for vote in state.votes if seat is not None and vote.seat_id == seat.pk), None)
    is_auditor = role_in(user, body.project.organisation) == Role.AUDITOR
    decision = state.decision
    can_report = bool(
        decision is not None
        and decision.entry.outcome == Outcome.AGREED
        and not state.implementation_final
        and not is_auditor
        and decisions.can_report_implementation(user, decision.entry)
    )
    context = _body_context(request, body)
    context.update(
        {
            "item": item,
            "state": state,
            "tally": state.tally,
            "seat": seat,
            "my_vote": my_vote,
            "can_comment": _can_propose(request, body, seat) and not item.is_decided,
            "can_vote": seat is not None and not is_auditor and item.status == ItemStatus.VOTING,
            "can_run": can_run,
            "can_edit_item": item.status == ItemStatus.OPEN
            and not is_auditor
            and (item.proposed_by_id == user.pk or can_manage_body(user, body)),
            "can_report": can_report,
            "is_overdue": bool(
                item.deadline and not item.is_decided and item.deadline < timezone.localdate()
            ),
            "comment_form": forms.get("comment_form") or CommentForm(),
            "vote_form": forms.get("vote_form") or VoteForm(body=body),
            "run_form": forms.get("run_form") or ConfirmForm(prefix="run"),
            "hands_form": forms.get("hands_form")
            or (
                RecordHandsForm(prefix="hands", meetings=selectors.held_meetings(body), seats=state.seats)
                if can_run and item.status == ItemStatus.VOTING
                else None
            ),
            "implementation_form": forms.get("implementation_form") or ImplementationForm(body=body),
            "tally_url": _item_url(item, "item_tally"),
            "breadcrumbs": _body_crumbs(body, (_("Items"), _urls(body)["items"]), (item.title, None)),
        }
    )
    return context


def _item_page(
    request: HttpRequest, body: Body, item: AgendaItem, status: int = 200, **forms: Any
) -> HttpResponse:
    """The item page again after a refused or invalid post: the item is read
    afresh, with what its page shows, since the service may have changed or
    rolled back what the caller holds."""
    item = selectors.item_get(body=body, pk=item.pk)
    return page(
        request, "boards/item_detail.html", _item_context(request, body, item, **forms), status=status
    )


def item_detail(request: HttpRequest, org: str, project: str, kind: str, pk: int) -> HttpResponse:
    """The proposal in plain language, the discussion, the vote and its
    tally, the outcome with its ledger entry, and for an agreed item how it
    is being carried out."""
    body = _body_for(request, project, kind)
    item = selectors.item_get(body=body, pk=pk)
    if refused := wrong_method(request, "GET"):
        return refused
    return page(request, "boards/item_detail.html", _item_context(request, body, item))


def item_tally(request: HttpRequest, org: str, project: str, kind: str, pk: int) -> HttpResponse:
    """The live tally alone, polled by the item page every few seconds while
    the vote is open (htmx); without JavaScript the page is refreshed."""
    body = _body_for(request, project, kind)
    item = selectors.item_get(body=body, pk=pk)
    if refused := wrong_method(request, "GET"):
        return refused
    context = {
        "item": item,
        "tally": selectors.item_tally(item),
        "tally_url": _item_url(item, "item_tally"),
        "rules": _rule_ids(body),
    }
    response = page(request, "boards/_vote_tally.html", context)
    if request.htmx and item.status != ItemStatus.VOTING:  # type: ignore[attr-defined]
        # The vote closed while the page was open: reload it to show the outcome.
        response["HX-Refresh"] = "true"
    return response


def _refused_page(
    request: HttpRequest, body: Body, item: AgendaItem, exc: Exception, *, title: str
) -> HttpResponse:
    context = _body_context(request, body)
    context.update(
        {
            "item": item,
            "refusal": exc,
            "rule": getattr(getattr(exc, "rule", None), "value", ""),
            "message": getattr(exc, "message", str(exc)),
            "refusal_title": title,
            "item_url": _item_url(item),
            "breadcrumbs": _body_crumbs(
                body, (_("Items"), _urls(body)["items"]), (item.title, _item_url(item))
            ),
        }
    )
    return page(request, "boards/item_refused.html", context, status=refusal_status(exc))


@GET_POST
def item_edit(request: HttpRequest, org: str, project: str, kind: str, pk: int) -> HttpResponse:
    """Edit an item while it is open for discussion. A decided item is never
    edited: the attempt is refused, naming BOARD-8 (or GROUP-7), and kept in
    the audit log."""
    body = _body_for(request, project, kind)
    item = selectors.item_get(body=body, pk=pk)
    if item.is_decided:
        try:
            decisions.decision_override_refused(item=item, actor=request.user, attempt="edit")
        except RuleViolation as exc:
            return _refused_page(request, body, item, exc, title=_("A decision cannot be changed"))
    _no_auditors(request, body.project)
    allow(item.proposed_by_id == request.user.pk or can_manage_body(request.user, body))
    if item.status != ItemStatus.OPEN:
        return _refused_page(
            request,
            body,
            item,
            Conflict(_("Voting has started: the item can no longer be edited.")),
            title=_("This item can no longer be edited"),
        )
    form_class = item_form_class(item.kind) or ItemForm
    initial = form_class.initial_from(item)
    if initial is None:
        # A proposal this form can't show (several changes, from the API):
        # only the title, description and deadline are edited here.
        form_class = ItemForm
        initial = ItemForm.initial_from(item)
    form = form_class(request.POST or None, body=body, item=item, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            changes = form.cleaned_item()
            if form_class is not ItemForm or item.kind in (ItemKind.GENERAL, ItemKind.CLOSE_PROJECT):
                changes["proposal"] = form.proposal()
            try:
                decisions.item_update(item=item, actor=request.user, **changes)
            except RuleViolation as exc:
                if exc.rule.value in ("BOARD-8", "GROUP-7"):
                    return _refused_page(request, body, item, exc, title=_("A decision cannot be changed"))
                add_service_error(form, exc)
                status = refusal_status(exc)
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
                status = refusal_status(exc)
            else:
                messages.success(request, _("The item was saved."))
                return redirect(_item_url(item))
        else:
            status = 400
        item.refresh_from_db()
    context = _body_context(request, body)
    context.update(
        {
            "item": item,
            "form": form,
            "kind_label": item.get_kind_display(),
            "structured": item.kind != ItemKind.GENERAL,
            "proposal_lines": selectors.describe_proposal(item) if form_class is ItemForm else [],
            "editing": True,
            "breadcrumbs": _body_crumbs(
                body, (_("Items"), _urls(body)["items"]), (item.title, _item_url(item)), (_("Edit"), None)
            ),
        }
    )
    return page(request, "boards/item_form.html", context, status=status)


@GET_POST
def item_delete(request: HttpRequest, org: str, project: str, kind: str, pk: int) -> HttpResponse:
    """Nobody deletes an item. On a decided item the attempt is an override,
    refused and logged (BOARD-8, GROUP-7); an undecided item stays on the
    agenda until the body decides it (every member may speak on it first,
    BOARD-5, GROUP-4)."""
    body = _body_for(request, project, kind)
    item = selectors.item_get(body=body, pk=pk)
    # Auditors change nothing: refused for who they are, before the item's state is looked at.
    _no_auditors(request, body.project)
    if item.is_decided:
        try:
            decisions.decision_override_refused(item=item, actor=request.user, attempt="delete")
        except RuleViolation as exc:
            return _refused_page(request, body, item, exc, title=_("A decision cannot be deleted"))
    return _refused_page(
        request,
        body,
        item,
        Conflict(
            _(
                "Items are not deleted: an item stays on the agenda until the %(body)s decides it. "
                "If it is no longer needed, the body can vote it down."
            )
            % {"body": body.get_kind_display()}
        ),
        title=_("Items are not deleted"),
    )


def _item_from_url(request: HttpRequest, project: str, kind: str, pk: int) -> AgendaItem:
    """The item named in the URL, with its body and project, in this
    organisation only (404 otherwise)."""
    item = selectors.item_in(organisation=organisation_of(request), project_slug=project, kind=kind, pk=pk)
    allow(can_view_project(request.user, item.body.project))
    return item


def _post_item(
    request: HttpRequest, project: str, kind: str, pk: int
) -> tuple[Body, AgendaItem] | HttpResponse:
    """Look the item up first (an id from elsewhere is a 404 whatever the
    method), then answer 405 to anything but POST, and refuse auditors."""
    item = _item_from_url(request, project, kind, pk)
    if refused := wrong_method(request, "POST"):
        return refused
    _no_auditors(request, item.body.project)
    return item.body, item


def item_comment(request: HttpRequest, org: str, project: str, kind: str, pk: int) -> HttpResponse:
    """BOARD-5, GROUP-4: every member speaks on every item before the vote."""
    found = _post_item(request, project, kind, pk)
    if isinstance(found, HttpResponse):
        return found
    body, item = found
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            decisions.comment_add(item=item, text=form.cleaned_data["text"], actor=request.user)
        except SERVICE_ERRORS as exc:
            add_service_error(form, exc)
            return _item_page(request, body, item, refusal_status(exc), comment_form=form)
        messages.success(request, _("Your comment was added."))
        return redirect(_item_url(item) + "#discussion")
    return _item_page(request, body, item, 400, comment_form=form)


def item_vote(request: HttpRequest, org: str, project: str, kind: str, pk: int) -> HttpResponse:
    """BOARD-5, GROUP-4: one seat, one vote, equal weight, no proxies. The
    seat holder votes for their own seat and may change it while voting is
    open; anyone else is refused with the rule ID."""
    if refused := wrong_method(request, "POST"):
        _item_from_url(request, project, kind, pk)  # an id from elsewhere is a 404 whatever the method
        return refused
    # A seat holder's seat comes with its body in one query; anyone else is
    # looked up as on every other page (404 outside the organisation).
    own_seat = body_selectors.own_seat_in(
        user=request.user, organisation=organisation_of(request), project_slug=project, kind=kind
    )
    if own_seat is not None:
        body = own_seat.body
        allow(can_view_project(request.user, body.project))
    else:
        body = _body_for(request, project, kind)  # checks the same itself
    _no_auditors(request, body.project)
    # The item named by its id: the service reads and locks it in its own
    # transaction (404 if this body has no such item), so a vote reads it
    # once. The page shown on an error loads it whole.
    item = AgendaItem(pk=pk, body=body)
    form = VoteForm(request.POST, body=body)
    if not form.is_valid():
        return _item_page(request, body, item, 400, vote_form=form)
    # The voter's own seat; a request naming another seat goes to the
    # service, which refuses it as a proxy and logs the attempt.
    seat = form.cleaned_data.get("seat") or own_seat
    try:
        if seat is None:
            raise RuleViolation(
                rules_for(body.kind).voice,
                _("Only members of the %(body)s vote, each for their own seat: no proxies.")
                % {"body": body.get_kind_display()},
                refusal=Refusal.ACTOR,
            )
        decisions.vote_cast(item=item, seat=seat, choice=form.cleaned_data["choice"], actor=request.user)
    except AgendaItem.DoesNotExist:
        raise Http404("No such item.") from None
    except SERVICE_ERRORS as exc:
        add_service_error(form, exc)
        return _item_page(request, body, item, refusal_status(exc), vote_form=form)
    label = dict(VoteForm.base_fields["choice"].choices)[form.cleaned_data["choice"]]
    messages.success(
        request,
        _("Your vote “%(choice)s” was recorded. You can change it until voting closes.") % {"choice": label},
    )
    return redirect(_item_url(item) + "#vote")


def item_open_voting(request: HttpRequest, org: str, project: str, kind: str, pk: int) -> HttpResponse:
    """A facilitator or the chair opens the vote; only an active body votes
    (BOARD-4, GROUP-3)."""
    found = _post_item(request, project, kind, pk)
    if isinstance(found, HttpResponse):
        return found
    body, item = found
    form = ConfirmForm(request.POST, prefix="run")
    try:
        decisions.voting_open(item=item, actor=request.user)
    except SERVICE_ERRORS as exc:
        add_service_error(form, exc)
        return _item_page(request, body, item, refusal_status(exc), run_form=form)
    messages.success(
        request, _("Voting is open. Members can now vote, and change their vote until it closes.")
    )
    return redirect(_item_url(item) + "#vote")


def item_close_voting(request: HttpRequest, org: str, project: str, kind: str, pk: int) -> HttpResponse:
    """Close the vote into the ledger (LEDGER-1). Not quorate (LEDGER-2): the
    item stays open for the next round, and the page says why."""
    found = _post_item(request, project, kind, pk)
    if isinstance(found, HttpResponse):
        return found
    body, item = found
    form = ConfirmForm(request.POST, prefix="run")
    try:
        entry = decisions.voting_close(item=item, actor=request.user)
    except SERVICE_ERRORS as exc:
        add_service_error(form, exc)
        return _item_page(request, body, item, refusal_status(exc), run_form=form)
    if entry.outcome == Outcome.NOT_QUORATE:
        quorum = json.loads(entry.payload).get("quorum", {})
        messages.warning(
            request,
            _(
                "The vote was not quorate (LEDGER-2): the votes cast must include at least %(needed)s "
                "non-professional members, and %(cast)s did. It is recorded as entry %(sequence)s of the "
                "ledger, and the item stays open for another round."
            )
            % {
                "needed": quorum.get("required_non_professional"),
                "cast": quorum.get("non_professional_cast"),
                "sequence": entry.sequence,
            },
        )
    else:
        messages.success(
            request,
            _("Voting closed: %(outcome)s. The decision is entry %(sequence)s of the ledger.")
            % {"outcome": entry.get_outcome_display().lower(), "sequence": entry.sequence},
        )
    return redirect(_item_url(item) + "#outcome")


def item_record_hands(request: HttpRequest, org: str, project: str, kind: str, pk: int) -> HttpResponse:
    """A facilitator records each seat's show of hands at a held meeting of
    the body (BOARD-5, GROUP-4). Each vote says it was recorded, and the
    member can correct it while voting is open."""
    found = _post_item(request, project, kind, pk)
    if isinstance(found, HttpResponse):
        return found
    body, item = found
    allow(can_run_vote(request.user, item))
    state_meetings = selectors.held_meetings(body)
    seats = selectors.active_seats(body)
    form = RecordHandsForm(request.POST, prefix="hands", meetings=state_meetings, seats=seats)
    if not form.is_valid():
        return _item_page(request, body, item, 400, hands_form=form)
    recorded = 0
    try:
        for seat, choice in form.votes():
            decisions.vote_cast(
                item=item, seat=seat, choice=choice, actor=request.user, meeting=form.cleaned_data["meeting"]
            )
            recorded += 1
    except SERVICE_ERRORS as exc:
        add_service_error(form, exc)
        if recorded:
            form.add_error(None, _("%(count)s votes before this one were recorded.") % {"count": recorded})
        return _item_page(request, body, item, refusal_status(exc), hands_form=form)
    messages.success(
        request,
        _("%(count)s votes from the show of hands were recorded. Each member can still change their own.")
        % {"count": recorded},
    )
    return redirect(_item_url(item) + "#vote")


def item_implementation(request: HttpRequest, org: str, project: str, kind: str, pk: int) -> HttpResponse:
    """GROUP-6: the project team reports how an agreed decision is carried
    out. "Cannot be carried out" returns it to the body as a new item, with
    the reason (and on the Overview Group the information, resources and
    access to skills it needs); the decision itself never changes (BOARD-8)."""
    found = _post_item(request, project, kind, pk)
    if isinstance(found, HttpResponse):
        return found
    body, item = found
    entry = selectors.agreed_entry(item)
    form = ImplementationForm(request.POST, body=body)
    if entry is None:
        form.is_valid()
        add_service_error(form, Conflict(_("Only agreed decisions are carried out.")))
        return _item_page(request, body, item, 409, implementation_form=form)
    if not form.is_valid():
        return _item_page(request, body, item, 400, implementation_form=form)
    data = form.cleaned_data
    try:
        decisions.implementation_update(
            entry=entry,
            status=data["status"],
            note=data.get("note", ""),
            return_reason=data.get("return_reason", ""),
            return_information=data.get("return_information", ""),
            return_resources=data.get("return_resources", ""),
            return_skills=data.get("return_skills", ""),
            actor=request.user,
        )
    except SERVICE_ERRORS as exc:
        add_service_error(form, exc)
        return _item_page(request, body, item, refusal_status(exc), implementation_form=form)
    if data["status"] == "cannot":
        messages.success(
            request,
            _(
                "Recorded. The decision stands as agreed, and it returns to the %(body)s as a new item "
                "so the body can agree the way forward."
            )
            % {"body": body.get_kind_display()},
        )
    else:
        messages.success(request, _("The implementation update was recorded."))
    return redirect(_item_url(item) + "#implementation")


# --- The ledger (LEDGER-1) --------------------------------------------------------------------


def _ledger_context(request: HttpRequest, project: Project) -> dict[str, Any]:
    context = project_context(request, project, "decisions")
    slug = project.organisation.slug
    context["ledger_urls"] = {
        "ledger": reverse("boards:ledger", kwargs={"org": slug, "project": project.slug}),
        "json": reverse("boards:ledger_export_json", kwargs={"org": slug, "project": project.slug}),
        "csv": reverse("boards:ledger_export_csv", kwargs={"org": slug, "project": project.slug}),
        "board": reverse("boards:item_list", kwargs={"org": slug, "project": project.slug, "kind": "board"}),
        "overview": reverse(
            "boards:item_list", kwargs={"org": slug, "project": project.slug, "kind": "overview"}
        ),
    }
    return context


def ledger(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """LEDGER-1: the project's decisions, newest first, with the head to
    write down and whether the chain verifies today."""
    obj = project_for(request, project)
    if refused := wrong_method(request, "GET"):
        return refused
    verification = verify(obj)
    page_obj = Paginator(selectors.entries_of(obj), LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    entries = selectors.entry_views(obj, list(page_obj.object_list))
    for view in entries:
        view.url = _entry_url(view.entry, obj)
    context = _ledger_context(request, obj)
    context.update(
        {
            "verification": verification,
            "entries": entries,
            "page_obj": page_obj,
            "query": "",
            "breadcrumbs": project_crumbs(obj, (_("Decision ledger"), None)),
        }
    )
    return page(request, "boards/ledger_list.html", context)


def ledger_entry(request: HttpRequest, org: str, project: str, pk: int) -> HttpResponse:
    """One decision: who voted how (open ballot), the tally and quorum, its
    payload and hashes, and how it is being carried out."""
    obj = project_for(request, project)
    entry = selectors.entry_get(project=obj, pk=pk)
    if refused := wrong_method(request, "GET"):
        return refused
    entry.item.body = entry.body
    entry.body.project = obj
    (view,) = selectors.entry_views(obj, [entry])
    context = _ledger_context(request, obj)
    context.update(
        {
            "view": view,
            "entry": entry,
            "history": selectors.implementation_history(entry) if entry.outcome == Outcome.AGREED else [],
            "returned_items": selectors.returns_of(entry),
            "item_url": _item_url(entry.item),
            "breadcrumbs": project_crumbs(
                obj,
                (_("Decision ledger"), context["ledger_urls"]["ledger"]),
                (_("Entry %(sequence)s") % {"sequence": entry.sequence}, None),
            ),
        }
    )
    return page(request, "boards/ledger_entry.html", context)


def _export_name(project: Project, extension: str) -> str:
    return f"ledger-{project.organisation.slug}-{project.slug}.{extension}"


def ledger_export_json(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """LEDGER-1: the export that `tools/verify_ledger.py` checks, as a file."""
    obj = project_for(request, project)
    if refused := wrong_method(request, "GET"):
        return refused
    document = export_document(obj)
    response = HttpResponse(
        json.dumps(document, indent=2, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name(obj, "json")}"'
    return response


def ledger_export_csv(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """The ledger as a spreadsheet, one row per entry, oldest first. The JSON
    export is the one to verify; this one is for reading."""
    obj = project_for(request, project)
    if refused := wrong_method(request, "GET"):
        return refused
    entries = list(selectors.entries_of(obj).order_by("sequence"))
    views = selectors.entry_views(obj, entries, with_voters=False)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_export_name(obj, "csv")}"'
    writer = csv.writer(response)
    writer.writerow(["sequence", "recorded_at", "body", "item", "outcome", "tally", "hash", "prev_hash"])
    for view in views:
        entry = view.entry
        writer.writerow(
            [
                spreadsheet_safe(value)
                for value in (
                    entry.sequence,
                    entry.recorded_at.isoformat(),
                    entry.body.get_kind_display(),
                    view.title,
                    entry.get_outcome_display(),
                    view.tally_text,
                    entry.entry_hash,
                    entry.prev_hash,
                )
            ]
        )
    return response


# --- Budget (BOARD-7) ---------------------------------------------------------------------------


def _budget_board(project: Project) -> Body:
    return body_selectors.body_get(project=project, kind="board")


def budget_proposal_context(request: HttpRequest, project: Project, form: Any = None) -> dict[str, Any]:
    """What the budget page needs to offer "Propose a budget change": once
    the board governs (BOARD-7), the project's facilitators, its manager and
    seat holders of the board put a change to the board; everyone else sees
    the budget read-only."""
    governs = board_governs(project)
    context: dict[str, Any] = {"board_governs": governs, "budget_form": None}
    if not governs or not project.is_open:
        return context
    board = _budget_board(project)
    board.project = project
    if not _can_propose(request, board, decisions.seat_of(request.user, board)):
        return context
    context.update(
        {
            "budget_form": form or BudgetChangeItemForm(body=board, title_optional=True, prefix="budget"),
            "budget_propose_url": reverse(
                "boards:budget_propose", kwargs={"org": project.organisation.slug, "project": project.slug}
            ),
            "board_items_url": reverse(
                "boards:item_list",
                kwargs={"org": project.organisation.slug, "project": project.slug, "kind": "board"},
            ),
        }
    )
    return context


def budget_propose(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """BOARD-7: a budget change becomes a `budget_change` item on the Project
    Board. Nothing in the budget changes until the board agrees it."""
    obj = project_for(request, project)
    board = _budget_board(obj)
    board.project = obj
    if refused := wrong_method(request, "POST"):
        return refused
    _no_auditors(request, obj)
    form = BudgetChangeItemForm(request.POST, body=board, title_optional=True, prefix="budget")
    status = 400
    if form.is_valid():
        try:
            item = decisions.item_propose(
                body=board,
                kind=ItemKind.BUDGET_CHANGE,
                proposal=form.proposal(),
                actor=request.user,
                **form.cleaned_item(),
            )
        except SERVICE_ERRORS as exc:
            add_service_error(form, exc)
            status = refusal_status(exc)
        else:
            messages.success(
                request,
                _(
                    "Your change was put to the Project Board as a proposal: it takes effect only if the "
                    "board agrees it (BOARD-7)."
                ),
            )
            return redirect(_item_url(item))
    lines = list(selectors.budget_lines(obj))
    context = project_context(request, obj, "budget")
    context.update(
        {
            "lines": lines,
            "total": sum((line.amount for line in lines), Decimal("0")),
            "breadcrumbs": project_crumbs(obj, (_("Budget"), None)),
        }
    )
    context.update(budget_proposal_context(request, obj, form))
    if context["budget_form"] is None:
        # Not someone who may propose (the service said why): show the refusal anyway.
        context["budget_form"] = form
        context["budget_propose_url"] = request.path
    return page(request, "projects/budgetline_list.html", context, status=status)
