"""Public pages of a project, under `/p/<org>/<project>/`, no account needed.

TEAM-10: the project page shows what the project is, its bodies (counts by
capacity, never names or contacts of members of the public), its meetings,
its decisions with the ledger head anyone can witness, and the answers to
input. It is built without JavaScript and cached per project; the cache
version is bumped by `stakeholders.signals_public` whenever what it shows
changes.

TEAM-9: the input form stays open at every stage until the project closes
(410 after). A honeypot and a per-address rate limit keep robots out without
costing people anything; nothing typed is lost on an error, even on the
429 page.

TEAM-7, TEAM-8: an invitation's signed link opens the "how would you like to
be involved" form; a changed or foreign link is a 404 page, an expired one
(or a closed project) a 410 page, each saying what to do instead.

The cached page is kept per language, as the visitor chooses it."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from boards.ledger import ledger_head
from boards.models import Body
from boards.selectors import body_state, upcoming_meetings
from boards.selectors_decisions import entries_of, entry_views
from coprod.errors import Conflict
from coprod.forms import SERVICE_ERRORS, add_service_error
from coprod.security import client_address
from projects.models import Organisation, Project
from projects.selectors import project_get
from projects.views import page
from stakeholders import participation
from stakeholders.involvement import (
    INVOLVEMENT_LINK_MAX_AGE_DAYS,
    ExpiredLink,
    InvalidLink,
    invitation_from_token,
    involvement_submit,
)
from stakeholders.models import GroupInvitation, InputResponse, InvolvementResponse
from stakeholders.public_forms import InvolvementForm, PublicInputForm
from stakeholders.scope_document import public_scope_sections
from stakeholders.signals_public import page_version

PAGE_CACHE_SECONDS = 300  # a safety net for changes no signal sees (e.g. time passing)
DECISIONS_SHOWN = 200
RESPONSES_SHOWN = 100
MEETINGS_SHOWN = 5
RATE_KEY = "public-input-rate:{address}"


def _project(request: HttpRequest, slug: str) -> Project:
    organisation: Organisation = request.organisation  # type: ignore[attr-defined]
    return project_get(organisation=organisation, slug=slug)


# --- The public project page (TEAM-10) ----------------------------------------------


def _body_summary(body: Body) -> dict[str, Any]:
    state = body_state(body)
    chair = body.chair_seat
    return {
        "kind": body.kind,
        "name": body.get_kind_display(),
        "status": body.get_status_display(),
        "total": state.composition.total,
        "non_professional": state.composition.non_professional,
        "share_percent": state.share_percent,
        "threshold_percent": state.threshold_percent,
        "by_capacity": list(state.seats_by_capacity.items()),
        # The chair's capacity only: the page never names members of the public.
        "chair_capacity": chair.get_capacity_display() if chair is not None and chair.is_open else "",
        "meetings": [
            {"at": meeting.scheduled_at, "place": meeting.place, "online": bool(meeting.online_link)}
            for meeting in upcoming_meetings(body)[:MEETINGS_SHOWN]
        ],
    }


def public_page_data(project: Project) -> dict[str, Any]:
    """Everything the public page shows, as plain data without personal details."""
    bodies = list(Body.objects.filter(project=project).select_related("chair_seat").order_by("kind"))
    entries = list(entries_of(project)[:DECISIONS_SHOWN])
    views = entry_views(project, entries, with_voters=False)
    head = ledger_head(project)
    responses = list(
        InputResponse.objects.filter(input__project=project)
        .select_related("input")
        .prefetch_related("input__agenda_items__body")
        .order_by("-responded_at", "-pk")[:RESPONSES_SHOWN]
    )
    return {
        "bodies": [_body_summary(body) for body in bodies],
        "decisions": [
            {
                "sequence": view.entry.sequence,
                "title": view.title,
                "body": view.entry.body.get_kind_display(),
                "outcome": view.entry.get_outcome_display(),
                "implementation": view.implementation_label,
                "recorded_at": view.entry.recorded_at,
            }
            for view in views
        ],
        "head": {"sequence": head[0], "hash": head[1]} if head else None,
        "responses": [
            {
                "message": response.input.message,
                "received_at": response.input.received_at,
                "answer": response.public_text,
                "incorporated": response.get_incorporated_display(),
                "how_or_why": response.how_or_why,
                "responded_at": response.responded_at,
                # TEAM-9: where the input went to be decided, if a facilitator put it to a body.
                "routed_to": [
                    {
                        "body": item.body.get_kind_display(),
                        "title": item.title,
                        "status": item.get_status_display(),
                    }
                    for item in response.input.agenda_items.all()
                ],
            }
            for response in responses
        ],
        # SCOPE-2: what people said that shaped each part of the scope.
        "scope_sections": public_scope_sections(project),
    }


def _page_content(project: Project, version: str) -> str:
    """The page's content, cached per project and version (no CSRF token or
    anything per-visitor in it, so it can be shared)."""
    # One copy per language too: the page's words follow the visitor's language.
    key = f"public-project:{project.pk}:page:{version}:{get_language()}"
    content = cache.get(key)
    if content is None:
        context = {"project": project, "organisation": project.organisation, **public_page_data(project)}
        content = render_to_string("public/project_content.html", context)
        cache.set(key, content, PAGE_CACHE_SECONDS)
    return content


def _shared(request: HttpRequest) -> bool:
    """Can this visitor get the page every anonymous visitor gets? Not when
    logged in (the header names them), with a query string, or with a
    message waiting to be shown."""
    return not request.user.is_authenticated and not request.GET and not len(messages.get_messages(request))


@require_http_methods(["GET", "HEAD"])
def project_page(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """TEAM-10: the project in public, for everyone, also once it has closed.
    It is the page most people see, so anonymous visitors get one rendered
    copy per project, version and language, layout included: without a
    CSRF token in it (the language switcher posts without one) it is the
    same for all of them."""
    obj = _project(request, project)
    version = page_version(obj.pk)
    shared = _shared(request)
    key = f"public-project:{obj.pk}:whole:{version}:{get_language()}"
    if shared and (html := cache.get(key)) is not None:
        return HttpResponse(html)
    context = {
        "project": obj,
        "organisation": obj.organisation,
        "content": mark_safe(_page_content(obj, version)),  # noqa: S308  # nosec B308 B703  # rendered by our autoescaped template
        "shared_page": shared,
    }
    response = page(request, "public/project_page.html", context)
    if shared:
        cache.set(key, response.content.decode(), PAGE_CACHE_SECONDS)
    return response


# --- The public input form (TEAM-9) ---------------------------------------------------


def _answer_by(project: Project) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=project.input_answer_days)


def _rate_limit() -> int:
    return int(getattr(settings, "INPUT_RATE_LIMIT_PER_HOUR", 5))


def _address(request: HttpRequest) -> str:
    # The real client behind the configured proxies, not the proxy itself.
    return client_address(request)


def _over_limit(request: HttpRequest) -> bool:
    return (cache.get(RATE_KEY.format(address=_address(request))) or 0) >= _rate_limit()


def _count_submission(request: HttpRequest) -> None:
    key = RATE_KEY.format(address=_address(request))
    cache.add(key, 0, timeout=3600)
    try:
        cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=3600)


def _form_page(
    request: HttpRequest, project: Project, form: PublicInputForm, status: int, **extra: Any
) -> HttpResponse:
    context = {
        "project": project,
        "organisation": project.organisation,
        "form": form,
        "answer_days": project.input_answer_days,
        **extra,
    }
    return page(request, "public/input_form.html", context, status=status)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def input_form(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """TEAM-9: anyone gives input, without an account. A body above
    DATA_UPLOAD_MAX_MEMORY_SIZE is refused with a clear 413 page before the
    CSRF check reads it (the check then runs as usual, below)."""
    obj = _project(request, project)
    if request.method == "POST":
        try:
            request.POST  # noqa: B018 - parse now, to catch an oversized body here
        except RequestDataTooBig:
            context = {"project": obj, "organisation": obj.organisation}
            return page(request, "public/input_too_large.html", context, status=413)
    return _input_form(request, obj)


@csrf_protect
def _input_form(request: HttpRequest, obj: Project) -> HttpResponse:
    if not obj.is_open:
        # The only way input closes: the project has closed (TEAM-9).
        return page(
            request,
            "public/input_closed.html",
            {"project": obj, "organisation": obj.organisation},
            status=410,
        )
    if request.method != "POST":
        return _form_page(request, obj, PublicInputForm(project=obj), 200)
    form = PublicInputForm(request.POST, project=obj)
    if _over_limit(request):
        form.is_valid()  # keep what was typed, with its own errors too
        return _form_page(request, obj, form, 429, rate_limited=True, limit=_rate_limit())
    if form.is_valid():
        _count_submission(request)
        if form.is_robot:
            # A filled honeypot: say thank you, save nothing.
            return redirect("public_project:input_thanks", org=obj.organisation.slug, project=obj.slug)
        try:
            participation.input_submit(project=obj, **form.service_fields())
        except Conflict:
            return page(
                request,
                "public/input_closed.html",
                {"project": obj, "organisation": obj.organisation},
                status=410,
            )
        except SERVICE_ERRORS as exc:
            add_service_error(form, exc)
        else:
            return redirect("public_project:input_thanks", org=obj.organisation.slug, project=obj.slug)
    return _form_page(request, obj, form, 400)


@require_http_methods(["GET", "HEAD"])
def input_thanks(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """After a submission (PRG): when to expect an answer, and where."""
    obj = _project(request, project)
    context = {
        "project": obj,
        "organisation": obj.organisation,
        "answer_days": obj.input_answer_days,
        "answer_by": _answer_by(obj),
    }
    return page(request, "public/input_thanks.html", context)


# --- How would you like to be involved? (TEAM-7, TEAM-8) -------------------------------


def _link_problem(request: HttpRequest, project: Project, problem: str, status: int) -> HttpResponse:
    """A clear page for a link that does not work, with the ways that still do."""
    context = {
        "project": project,
        "organisation": project.organisation,
        "problem": problem,
        "link_days": INVOLVEMENT_LINK_MAX_AGE_DAYS,
    }
    return page(request, "public/involvement_link_problem.html", context, status=status)


def _invitation_or_problem(
    request: HttpRequest, project: Project, token: str
) -> tuple[GroupInvitation | None, HttpResponse | None]:
    try:
        invitation = invitation_from_token(token, project)
    except ExpiredLink:
        return None, _link_problem(request, project, "expired", 410)
    except InvalidLink:
        return None, _link_problem(request, project, "invalid", 404)
    if not project.is_open:
        return None, _link_problem(request, project, "closed", 410)
    return invitation, None


@never_cache
@require_http_methods(["GET", "POST"])
def involvement_form(request: HttpRequest, org: str, project: str, token: str) -> HttpResponse:
    """The invitation's "how would you like to be involved" form, no account
    needed: the signed link names the invitation. Answering again updates the
    earlier answer, which the form shows."""
    obj = _project(request, project)
    invitation, problem = _invitation_or_problem(request, obj, token)
    if invitation is None:
        return problem or _link_problem(request, obj, "invalid", 404)
    earlier = InvolvementResponse.objects.filter(invitation=invitation).first()
    initial = (
        {
            "levels": earlier.levels,
            "not_now": earlier.not_now,
            "name": earlier.name,
            "contact_preference": earlier.contact_preference,
            "contact": earlier.contact,
            "access_needs": earlier.access_needs,
        }
        if earlier is not None
        else {}
    )
    form = InvolvementForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                involvement_submit(invitation=invitation, **form.cleaned_data)
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
            else:
                return redirect(
                    "public_project:involvement_thanks",
                    org=obj.organisation.slug,
                    project=obj.slug,
                    token=token,
                )
        status = 400
    context = {
        "project": obj,
        "organisation": obj.organisation,
        "group": invitation.stakeholder_group,
        "form": form,
        "earlier": earlier,
        "token": token,
    }
    return page(request, "public/involvement_form.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD"])
def involvement_thanks(request: HttpRequest, org: str, project: str, token: str) -> HttpResponse:
    """After an answer (PRG): what we heard, and what happens next."""
    obj = _project(request, project)
    invitation, problem = _invitation_or_problem(request, obj, token)
    if invitation is None:
        return problem or _link_problem(request, obj, "invalid", 404)
    answer = InvolvementResponse.objects.filter(invitation=invitation).first()
    if answer is None:
        return redirect(
            "public_project:involvement_form", org=obj.organisation.slug, project=obj.slug, token=token
        )
    context = {"project": obj, "organisation": obj.organisation, "answer": answer, "token": token}
    return page(request, "public/involvement_thanks.html", context)
