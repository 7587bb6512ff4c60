"""Browser pages of a project's governing bodies: the Project Board and the
Overview Group (`…/projects/<project>/bodies/<kind>/`), their seats and
meetings, who sits when (`…/projects/<project>/timeline/`), and the public
meeting calendar of each body (`/p/<org>/<project>/bodies/<kind>/calendar.ics`).

Views translate and nothing more (DESIGN.md): `boards.permissions` decides,
`boards.selectors` reads (the body page's composition comes from
`selectors.body_state` in two queries, whatever the number of seats), and
`boards.services` writes and enforces BOARD-2, BOARD-4, GROUP-1 and GROUP-3
(checked today and on every later day a term starts or ends). A refusal comes
back to the page with its rule ID and the concrete fix, and a form keeps
everything typed. Any member of the organisation reads; managing needs
`can_manage_body` (403 otherwise). Another organisation's project, an
unknown kind or an id of another body is a 404 (TENANT-1).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from boards import permissions, selectors, services
from boards.composition import NON_PROFESSIONAL
from boards.forms.bodies import (
    BodyForm,
    MeetingCancelForm,
    MeetingForm,
    MeetingHeldForm,
    PersonSearchForm,
    SeatAddForm,
    SeatEditForm,
    SeatEndForm,
)
from boards.models import Body, BodyStatus, Meeting, MeetingStatus, Seat, SeatEndReason
from coprod.errors import Conflict, NotAllowed, RuleViolation
from coprod.forms import SERVICE_ERRORS, ServiceError, add_service_error
from projects import selectors as project_selectors
from projects.models import Project
from projects.views import allow, page, project_context, project_crumbs, project_for, wrong_method
from stakeholders import selectors as stakeholder_selectors
from stakeholders.models import Capacity

GET_POST = require_http_methods(["GET", "POST"])
MEETINGS_PAGE_SIZE = 25
# How many upcoming and past meetings the body page shows; the meetings page has them all.
MEETINGS_ON_BODY_PAGE = 5
# BOARD-1: the four parts of the board's remit.
REMIT_PARTS = [
    ("remit_equal_status", gettext_lazy("Equal status of partners")),
    ("remit_finance", gettext_lazy("Equitable control of finance")),
    ("remit_quality", gettext_lazy("Quality of delivery")),
    ("remit_plan", gettext_lazy("Adherence to the plan")),
]


# --- Look-ups and shared context ------------------------------------------------------


def body_for(request: HttpRequest, project: str, kind: str) -> Body:
    """The body of the project named in the URL, in this organisation only:
    404 for another organisation's project or an unknown kind (TENANT-1)."""
    obj = project_for(request, project)
    body = selectors.body_get(project=obj, kind=kind)
    # The project already loaded has the role cache primed; reuse it.
    body.project = obj
    allow(permissions.can_view_body(request.user, body))
    return body


def can_manage(request: HttpRequest, body: Body) -> bool:
    """Seats, activation, meetings: facilitators and managers of an open project."""
    return (
        permissions.can_manage_body(request.user, body)
        and body.project.is_open
        and body.status != BodyStatus.CLOSED
    )


def body_url(body: Body, name: str = "body_detail", **extra: Any) -> str:
    project = body.project
    return reverse(
        f"boards:{name}",
        kwargs={"org": project.organisation.slug, "project": project.slug, "kind": body.kind, **extra},
    )


def body_context(request: HttpRequest, body: Body, *crumbs: tuple[str, str | None]) -> dict[str, Any]:
    """What every page of a body needs: the project heading and navigation,
    the body, whether the user may manage it, and breadcrumbs."""
    context = project_context(request, body.project, "bodies")
    label = body.get_kind_display()
    trail = [(label, body_url(body)), *crumbs] if crumbs else [(label, None)]
    context.update(
        {
            "body": body,
            "body_label": label,
            "can_manage": can_manage(request, body),
            "breadcrumbs": project_crumbs(body.project, *trail),
        }
    )
    return context


def refusal_status(error: ServiceError) -> int:
    """The HTTP status of a page showing a service's refusal: 409 when the
    state of things refuses (403 when a rule refuses the actor), 403 when
    the actor is not allowed, 400 for bad input."""
    if isinstance(error, RuleViolation):
        return error.http_status
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, NotAllowed):
        return 403
    return 400


# --- The body page ------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareChart:
    """Geometry and words of the inline SVG chart of the non-professional
    share against the threshold (BOARD-4: 30%, GROUP-3: 60%)."""

    width: int
    share_width: float
    threshold_x: float
    threshold_anchor: str
    share_label_x: float
    share_label_anchor: str
    meets: bool
    description: str

    @classmethod
    def of(cls, state: selectors.BodyState, description: str, meets: bool) -> ShareChart:
        width = 600
        share = min(max(state.composition.non_professional_percent, 0.0), 100.0)
        threshold_x = width * state.threshold_percent / 100
        share_width = width * share / 100
        # Keep the labels inside the drawing whatever the figures.
        threshold_anchor = "end" if threshold_x > width * 0.75 else "start"
        # About 220 units hold "100% – meets the rule" at the chart's font size.
        share_label_anchor = "end" if share_width > width - 220 else "start"
        return cls(
            width=width,
            share_width=round(share_width, 1),
            threshold_x=round(threshold_x, 1),
            threshold_anchor=threshold_anchor,
            share_label_x=round(share_width - 8 if share_label_anchor == "end" else share_width + 8, 1),
            share_label_anchor=share_label_anchor,
            meets=meets,
            description=description,
        )


def _share_words(body: Body, state: selectors.BodyState) -> tuple[str, bool]:
    """The figures of the chart in words (its text alternative, also shown
    beside it), and whether the share is met."""
    composition = state.composition
    meets = composition.total > 0 and composition.non_professional >= state.required_non_professional
    figures = _(
        "%(non)d of %(total)d active seats (%(share)d%%) are non-professional. "
        "The %(body)s needs at least %(threshold)d%%, which is %(needed)d of %(total)d seats."
    ) % {
        "non": composition.non_professional,
        "total": composition.total,
        "share": state.share_percent,
        "body": body.get_kind_display(),
        "threshold": state.threshold_percent,
        "needed": state.required_non_professional,
    }
    if composition.total == 0:
        figures = _(
            "The %(body)s has no active seats yet. It needs at least %(threshold)d%% non-professional seats."
        ) % {
            "body": body.get_kind_display(),
            "threshold": state.threshold_percent,
        }
    verdict = _("This meets the rule.") if meets else _("This is below the rule.")
    return f"{figures} {verdict}", meets


def _term(seat: Seat) -> str:
    start = f"{seat.term_start:%-d %b %Y}"
    if seat.term_end is None:
        return _("from %(start)s, no set end") % {"start": start}
    return _("%(start)s to %(end)s") % {"start": start, "end": f"{seat.term_end:%-d %b %Y}"}


def _seat_rows(request: HttpRequest, seats: list[Seat], manager: bool) -> list[dict[str, Any]]:
    """Seats with what the templates show of them: words, not only colours,
    say how a seat counts; actions only for who may take them."""
    user_id = getattr(request.user, "pk", None)
    rows = []
    for seat in seats:
        own = seat.person.user_id is not None and seat.person.user_id == user_id
        rows.append(
            {
                "seat": seat,
                "non_professional": seat.capacity in NON_PROFESSIONAL,
                "term": _term(seat),
                "can_change": manager and seat.is_open,
                "can_end": seat.is_open and (manager or own),
                "own": own,
            }
        )
    return rows


def _by_group(state: selectors.BodyState, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Current members by the stakeholder group they represent, every group of
    the project listed, so a group without a seat shows (BOARD-2)."""
    groups = sorted(state.group_names.items(), key=lambda item: item[1].lower())
    found: list[dict[str, Any]] = [
        {"name": name, "rows": [row for row in rows if row["seat"].stakeholder_group_id == pk]}
        for pk, name in groups
    ]
    unassigned = [row for row in rows if row["seat"].stakeholder_group_id is None]
    if unassigned:
        found.append({"name": _("No particular group"), "rows": unassigned, "unassigned": True})
    return found


def _by_capacity(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Current members by capacity, in the order of RULES.md: the five
    non-professional capacities first."""
    found = []
    for value, label in Capacity.choices:
        people = [row["seat"].person.name for row in rows if row["seat"].capacity == value]
        if people:
            found.append({"label": label, "non_professional": value in NON_PROFESSIONAL, "people": people})
    return found


def _status_since(body: Body) -> datetime.datetime:
    return body.status_since or body.created_at


def _detail_context(
    request: HttpRequest, body: Body, *, refusal: dict[str, Any] | None = None
) -> dict[str, Any]:
    state = selectors.body_state(body)
    manager = can_manage(request, body)
    current = _seat_rows(request, sorted(state.active_seats, key=_seat_order), manager)
    now = timezone.now()
    upcoming = list(selectors.upcoming_meetings(body)[:MEETINGS_ON_BODY_PAGE])
    past = list(
        selectors.meetings_of(body).exclude(status=MeetingStatus.SCHEDULED, scheduled_at__gte=now)[
            :MEETINGS_ON_BODY_PAGE
        ]
    )
    words, meets = _share_words(body, state)
    chair = next((seat for seat in state.seats if seat.pk == body.chair_seat_id), None)
    context = body_context(request, body)
    context.update(
        {
            "state": state,
            "chart": ShareChart.of(state, words, meets),
            "share_words": words,
            "current_rows": current,
            "by_group": _by_group(state, current),
            "by_capacity": _by_capacity(current),
            "planned_rows": _seat_rows(request, state.planned_seats, manager),
            "past_rows": _seat_rows(request, state.past_seats, manager),
            "status_since": _status_since(body),
            "can_activate_button": manager and body.status in (BodyStatus.FORMING, BodyStatus.SUSPENDED),
            "chair": chair,
            "is_board": body.kind == Body.Kind.BOARD,
            "remit_missing": [
                label
                for field, label in REMIT_PARTS
                if body.kind == Body.Kind.BOARD and not getattr(body, field)
            ],
            "remit_parts": [(label, getattr(body, field)) for field, label in REMIT_PARTS],
            "upcoming_meetings": upcoming,
            "past_meetings": past,
            "calendar_url": reverse(
                "public_boards:body_calendar",
                kwargs={
                    "org": body.project.organisation.slug,
                    "project": body.project.slug,
                    "kind": body.kind,
                },
            ),
            "refusal": refusal,
            "non_professional_capacities": [
                label for value, label in Capacity.choices if value in NON_PROFESSIONAL
            ],
        }
    )
    return context


def _seat_order(seat: Seat) -> tuple[str, str, int]:
    group = (seat.stakeholder_group.name if seat.stakeholder_group else "\uffff").lower()
    return group, seat.person.name.lower(), seat.pk


def body_detail(request: HttpRequest, org: str, project: str, kind: str) -> HttpResponse:
    """Status (forming, active, suspended, closed) since when and why; the
    remit (BOARD-1); members by capacity and group; the non-professional share
    against its threshold (BOARD-4, GROUP-3); every rule broken now with its
    fix, and term ends ahead that would break one (BOARD-2, GROUP-1)."""
    body = body_for(request, project, kind)
    if refused := wrong_method(request, "GET"):
        return refused
    return page(request, "boards/body_detail.html", _detail_context(request, body))


def body_activate(request: HttpRequest, org: str, project: str, kind: str) -> HttpResponse:
    """BOARD-2, BOARD-4, GROUP-1, GROUP-3: a body becomes active only when its
    composition passes its policy. A refusal shows the body page again (409)
    with every rule broken and its fix in an error summary at the top."""
    body = body_for(request, project, kind)
    if refused := wrong_method(request, "POST"):
        return refused
    allow(can_manage(request, body))
    try:
        body = services.body_activate(body=body, actor=request.user)
    except SERVICE_ERRORS as exc:
        refusal = {
            "title": _("The %(body)s cannot become active yet") % {"body": body.get_kind_display()},
            "rule": exc.rule.value if isinstance(exc, RuleViolation) else "",
            "message": getattr(exc, "message", str(exc)),
            "problems": [
                {"rule": item.get("rule", ""), "problem": item.get("problem", ""), "fix": item.get("fix", "")}
                for item in getattr(exc, "evidence", [])
            ],
        }
        return page(
            request,
            "boards/body_detail.html",
            _detail_context(request, body, refusal=refusal),
            status=refusal_status(exc),
        )
    messages.success(
        request,
        _("The %(body)s is now active: it can take decisions.") % {"body": body.get_kind_display()},
    )
    return redirect(body_url(body))


@GET_POST
def body_edit(request: HttpRequest, org: str, project: str, kind: str) -> HttpResponse:
    """BOARD-1: the board's remit; BOARD-9, GROUP-8: the meeting cadence;
    LEDGER-2: whether votes must meet the share."""
    body = body_for(request, project, kind)
    allow(can_manage(request, body))
    form = BodyForm(request.POST or None, instance=body)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.body_update(body=body, actor=request.user, **form.cleaned_data)
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
                status = refusal_status(exc)
            else:
                messages.success(request, _("%(body)s saved.") % {"body": body.get_kind_display()})
                return redirect(body_url(body))
        else:
            status = 400
    context = body_context(request, body, (_("Change settings"), None))
    context["form"] = form
    return page(request, "boards/body_form.html", context, status=status)


# --- Seats (TEAM-1; BOARD-2, BOARD-4, GROUP-1, GROUP-3) ------------------------------------


@GET_POST
def seat_add(request: HttpRequest, org: str, project: str, kind: str) -> HttpResponse:
    """Seat a person of the organisation's directory in a capacity, for a
    stakeholder group and a term. On an active body, a seat that would break
    its rules today or on a later day is refused with the rule ID (409)."""
    body = body_for(request, project, kind)
    allow(can_manage(request, body))
    organisation = body.project.organisation
    search_form = PersonSearchForm(request.GET if "q" in request.GET else None)
    search = ""
    status = 200
    if search_form.is_bound:
        if search_form.is_valid():
            search = search_form.cleaned_data["q"]
        else:
            status = 400
    # A search narrows the list shown; what is posted is checked against the whole directory.
    people = stakeholder_selectors.people(
        organisation=organisation, search=search if request.method == "GET" else ""
    )
    form = SeatAddForm(request.POST or None, project=body.project, kind=body.kind, people=people)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                seat = services.seat_add(
                    body=body,
                    actor=request.user,
                    person=data["person"],
                    capacity=data["capacity"],
                    stakeholder_group=data["stakeholder_group"],
                    phase=data["phase"],
                    term_start=data["term_start"],
                    term_end=data["term_end"],
                )
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
                status = refusal_status(exc)
            else:
                messages.success(
                    request,
                    _("%(person)s now has a seat on the %(body)s as %(capacity)s.")
                    % {
                        "person": seat.person.name,
                        "body": body.get_kind_display(),
                        "capacity": seat.get_capacity_display().lower(),
                    },
                )
                return redirect(body_url(body))
        else:
            status = 400
    context = body_context(request, body, (_("Add a seat"), None))
    context.update(
        {
            "form": form,
            "search_form": search_form,
            "search": search,
            "match_count": people.count() if search else None,
            "people_url": reverse("stakeholders:person_create", kwargs={"org": organisation.slug}),
            "can_add_people": _can_add_people(request, body),
        }
    )
    if request.htmx and request.method == "GET" and not request.htmx.boosted:  # type: ignore[attr-defined]
        context["oob"] = True  # the match count is updated out of band
        return page(request, "boards/_seat_person_field.html", context, status=status)
    return page(request, "boards/seat_form.html", context, status=status)


def _can_add_people(request: HttpRequest, body: Body) -> bool:
    from stakeholders.permissions import can_manage_directory

    return can_manage_directory(request.user, body.project.organisation)


@GET_POST
def seat_edit(request: HttpRequest, org: str, project: str, kind: str, pk: int) -> HttpResponse:
    """Change a seat's capacity, group, phase or term. On an active body a
    change that breaks the rules, even only on a later day when a term
    ends, is refused now, naming the date (BOARD-4, GROUP-1, GROUP-3)."""
    body = body_for(request, project, kind)
    seat = selectors.seat_get(body=body, pk=pk)
    allow(can_manage(request, body))
    form = SeatEditForm(
        request.POST or None, project=body.project, kind=body.kind, initial=SeatEditForm.initial_for(seat)
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.seat_change(seat=seat, actor=request.user, **form.cleaned_data)
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
                status = refusal_status(exc)
            else:
                messages.success(
                    request, _("The seat of %(person)s was saved.") % {"person": seat.person.name}
                )
                return redirect(body_url(body))
        else:
            status = 400
    context = body_context(request, body, (seat.person.name, None))
    context.update({"form": form, "seat": seat})
    return page(request, "boards/seat_form.html", context, status=status)


@GET_POST
def seat_end(request: HttpRequest, org: str, project: str, kind: str, pk: int) -> HttpResponse:
    """End a seat. People can always leave: a resignation, a death or a term
    that ended is recorded, never refused, and suspends the body if it falls
    below its rules (BOARD-4, GROUP-3). A facilitator's removal is refused if
    it would break them. A seat holder may resign their own seat here."""
    body = body_for(request, project, kind)
    seat = selectors.seat_get(body=body, pk=pk)
    allow(permissions.can_record_departure(request.user, seat))
    manager = can_manage(request, body)
    own = seat.person.user_id is not None and seat.person.user_id == request.user.pk
    allow(manager or (own and body.project.is_open))
    form = SeatEndForm(request.POST or None, manager=manager)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.seat_end(
                    seat=seat, reason=data["reason"], note=data["note"], on=data["on"], actor=request.user
                )
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
                status = refusal_status(exc)
            else:
                body.refresh_from_db(fields=["status", "status_since", "status_reason"])
                messages.success(
                    request,
                    _("The seat of %(person)s has ended.") % {"person": seat.person.name}
                    if not own
                    else _("You have left the %(body)s.") % {"body": body.get_kind_display()},
                )
                if body.status == BodyStatus.SUSPENDED:
                    messages.warning(
                        request,
                        _(
                            "The %(body)s is now suspended and takes no decisions until its rules are met again."
                        )
                        % {"body": body.get_kind_display()},
                    )
                return redirect(body_url(body))
        else:
            status = 400
    context = body_context(
        request, body, (_("End the seat of %(person)s") % {"person": seat.person.name}, None)
    )
    context.update(
        {
            "form": form,
            "seat": seat,
            "own": own,
            "manager": manager,
            "removal_reason": SeatEndReason.REMOVED.label,
        }
    )
    return page(request, "boards/seat_end.html", context, status=status)


# --- Meetings (BOARD-9, GROUP-8) -------------------------------------------------------------


def _schedule(request: HttpRequest, body: Body) -> tuple[MeetingForm, HttpResponse | None, int]:
    """Handle the schedule form: the form to show, a redirect when the
    meeting was scheduled, and the status of the page otherwise."""
    form = MeetingForm(request.POST or None)
    if request.method != "POST":
        return form, None, 200
    allow(can_manage(request, body))
    if not form.is_valid():
        return form, None, 400
    try:
        meeting = services.meeting_schedule(body=body, actor=request.user, **form.service_kwargs())
    except SERVICE_ERRORS as exc:
        add_service_error(form, exc)
        return form, None, refusal_status(exc)
    messages.success(
        request,
        _("Meeting scheduled for %(when)s.")
        % {"when": f"{timezone.localtime(meeting.scheduled_at):%-d %B %Y, %H:%M}"},
    )
    return form, redirect(body_url(body, "meeting_detail", pk=meeting.pk)), 200


@GET_POST
def meeting_list(request: HttpRequest, org: str, project: str, kind: str) -> HttpResponse:
    """Every meeting of the body, newest first, and for those who manage it
    the form to schedule one."""
    body = body_for(request, project, kind)
    form, done, status = _schedule(request, body)
    if done:
        return done
    page_obj = Paginator(selectors.meetings_of(body), MEETINGS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = body_context(request, body, (_("Meetings"), None))
    context.update({"form": form, "page_obj": page_obj, "meetings": list(page_obj.object_list)})
    return page(request, "boards/meeting_list.html", context, status=status)


@GET_POST
def meeting_create(request: HttpRequest, org: str, project: str, kind: str) -> HttpResponse:
    """The schedule form on a page of its own."""
    body = body_for(request, project, kind)
    allow(can_manage(request, body))
    form, done, status = _schedule(request, body)
    if done:
        return done
    context = body_context(
        request, body, (_("Meetings"), body_url(body, "meeting_list")), (_("Schedule a meeting"), None)
    )
    context["form"] = form
    return page(request, "boards/meeting_form.html", context, status=status)


def _meeting_crumbs(
    body: Body, meeting: Meeting, *extra: tuple[str, str | None]
) -> list[tuple[str, str | None]]:
    when = f"{timezone.localtime(meeting.scheduled_at):%-d %b %Y}"
    if not extra:
        return [(_("Meetings"), body_url(body, "meeting_list")), (when, None)]
    return [
        (_("Meetings"), body_url(body, "meeting_list")),
        (when, body_url(body, "meeting_detail", pk=meeting.pk)),
        *extra,
    ]


def meeting_detail(request: HttpRequest, org: str, project: str, kind: str, pk: int) -> HttpResponse:
    """When and where, how it is made accessible; once held, who attended
    and the minutes."""
    body = body_for(request, project, kind)
    meeting = selectors.meeting_get(body=body, pk=pk)
    if refused := wrong_method(request, "GET"):
        return refused
    attendance = sorted(meeting.attendance.all(), key=lambda a: a.seat.person.name.lower())
    context = body_context(request, body, *_meeting_crumbs(body, meeting))
    context.update(
        {
            "meeting": meeting,
            "attended": [a.seat for a in attendance if a.attended],
            "absent": [a.seat for a in attendance if not a.attended],
            "is_scheduled": meeting.status == MeetingStatus.SCHEDULED,
        }
    )
    return page(request, "boards/meeting_detail.html", context)


def _held_day(request: HttpRequest, meeting: Meeting) -> datetime.date:
    """The day whose seat holders are listed: the day typed, if it is a
    real date, otherwise the day it was scheduled (today at the latest)."""
    if request.method == "POST":
        typed = MeetingHeldForm.base_fields["held_on"]
        try:
            return typed.clean(request.POST.get("held_on", ""))
        except ValidationError:
            pass  # the form reports it; list the seat holders of the day it was scheduled
    return min(timezone.localdate(meeting.scheduled_at), timezone.localdate())


@GET_POST
def meeting_held(request: HttpRequest, org: str, project: str, kind: str, pk: int) -> HttpResponse:
    """Record that a meeting was held: who of the seat holders active that
    day attended, and the minutes. Held meetings are what the cadence check
    counts (BOARD-9, GROUP-8)."""
    body = body_for(request, project, kind)
    meeting = selectors.meeting_get(body=body, pk=pk)
    allow(can_manage(request, body))
    day = _held_day(request, meeting)
    seats = sorted(
        (seat for seat in selectors.seats_of(body) if seat.active_on(day)),
        key=lambda s: s.person.name.lower(),
    )
    form = MeetingHeldForm(request.POST or None, seats=seats, initial={"held_on": day})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.meeting_record_held(
                    meeting=meeting,
                    attended_seat_ids=form.attended_ids(),
                    minutes=form.cleaned_data["minutes"],
                    held_on=form.cleaned_data["held_on"],
                    actor=request.user,
                )
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
                status = refusal_status(exc)
            else:
                messages.success(request, _("The meeting is recorded as held."))
                return redirect(body_url(body, "meeting_detail", pk=meeting.pk))
        else:
            status = 400
    context = body_context(request, body, *_meeting_crumbs(body, meeting, (_("Record as held"), None)))
    context.update(
        {"form": form, "meeting": meeting, "is_scheduled": meeting.status == MeetingStatus.SCHEDULED}
    )
    return page(request, "boards/meeting_held.html", context, status=status)


@GET_POST
def meeting_cancel(request: HttpRequest, org: str, project: str, kind: str, pk: int) -> HttpResponse:
    """Cancel a scheduled meeting, with a reason members will see."""
    body = body_for(request, project, kind)
    meeting = selectors.meeting_get(body=body, pk=pk)
    allow(can_manage(request, body))
    form = MeetingCancelForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.meeting_cancel(
                    meeting=meeting, reason=form.cleaned_data["reason"], actor=request.user
                )
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
                status = refusal_status(exc)
            else:
                messages.success(request, _("The meeting is cancelled."))
                return redirect(body_url(body, "meeting_detail", pk=meeting.pk))
        else:
            status = 400
    context = body_context(request, body, *_meeting_crumbs(body, meeting, (_("Cancel"), None)))
    context.update(
        {"form": form, "meeting": meeting, "is_scheduled": meeting.status == MeetingStatus.SCHEDULED}
    )
    return page(request, "boards/meeting_cancel.html", context, status=status)


# --- Who sits when (TEAM-1, TEAM-3) ------------------------------------------------------------


def timeline(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """Phases by stakeholder groups: who sits (on either body) in each phase.
    An empty cell is a gap, marked in words (TEAM-3)."""
    obj = project_for(request, project)
    if refused := wrong_method(request, "GET"):
        return refused
    phases, rows = selectors.term_timeline(obj)
    table = []
    gaps = 0
    for row in rows:
        cells = []
        for phase, seats in zip(phases, row.cells, strict=True):
            gaps += not seats
            cells.append(
                {
                    "phase": phase,
                    "seats": [
                        {
                            "seat": seat,
                            "body": seat.body.get_kind_display(),
                            "term": _term(seat),
                            "non_professional": seat.capacity in NON_PROFESSIONAL,
                        }
                        for seat in sorted(seats, key=lambda s: (s.body.kind, s.person.name.lower()))
                    ],
                }
            )
        table.append({"group": row.group, "cells": cells})
    context = project_context(request, obj, "bodies")
    context.update(
        {
            "phases": phases,
            "rows": table,
            "gaps": gaps,
            "board_url": _kind_url(obj, Body.Kind.BOARD),
            "overview_url": _kind_url(obj, Body.Kind.OVERVIEW),
            "breadcrumbs": project_crumbs(obj, (_("Who sits when"), None)),
        }
    )
    return page(request, "boards/timeline_detail.html", context)


def _kind_url(project: Project, kind: str) -> str:
    return reverse(
        "boards:body_detail", kwargs={"org": project.organisation.slug, "project": project.slug, "kind": kind}
    )


# --- Public meeting calendar (RFC 5545) ---------------------------------------------------------


def ics_escape(text: str) -> str:
    """Escape a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma,
    and line breaks as `\\n`."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ics_fold(line: str) -> str:
    """Fold a content line longer than 75 octets (RFC 5545 §3.1): CRLF and
    one space before each continuation, never inside a UTF-8 character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            # A continuation line starts with a space, which counts towards its 75 octets.
            current, size, limit = char, width, 74
        else:
            current += char
            size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _ics_time(value: datetime.datetime) -> str:
    """A UTC DATE-TIME. Formatted by hand: strftime does not pad years
    before 1000 to four digits on every platform."""
    v = value.astimezone(datetime.UTC)
    return f"{v.year:04d}{v.month:02d}{v.day:02d}T{v.hour:02d}{v.minute:02d}{v.second:02d}Z"


def _ics_end(meeting: Meeting) -> str:
    """DTEND, or DURATION when the end would fall beyond the last day a date
    can hold (a meeting typed through the API at the end of year 9999)."""
    try:
        return (
            f"DTEND:{_ics_time(meeting.scheduled_at + datetime.timedelta(minutes=meeting.duration_minutes))}"
        )
    except OverflowError:
        return f"DURATION:PT{meeting.duration_minutes}M"


def ics_calendar(body: Body, meetings: list[Meeting], stamp: datetime.datetime) -> str:
    """The body's meetings as an iCalendar stream. Public: the place and the
    accessibility arrangements only; never the online link, the minutes or
    anyone's name."""
    project = body.project
    summary = f"{body.get_kind_display()} meeting — {project.title}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//coprod//Governing bodies//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ics_escape(f'{body.get_kind_display()} — {project.title}')}",
    ]
    for meeting in meetings:
        cancelled = meeting.status == MeetingStatus.CANCELLED
        lines += [
            "BEGIN:VEVENT",
            f"UID:meeting-{meeting.pk}@coprod",
            f"DTSTAMP:{_ics_time(stamp)}",
            f"DTSTART:{_ics_time(meeting.scheduled_at)}",
            _ics_end(meeting),
            f"SUMMARY:{ics_escape(summary)}",
        ]
        if meeting.place:
            lines.append(f"LOCATION:{ics_escape(meeting.place)}")
        if meeting.accessibility:
            lines.append(f"DESCRIPTION:{ics_escape(meeting.accessibility)}")
        lines += [
            f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
            # A cancellation is a revision of the event; calendars apply the higher sequence.
            f"SEQUENCE:{1 if cancelled else 0}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(f"{ics_fold(line)}\r\n" for line in lines)


def body_calendar(request: HttpRequest, org: str, project: str, kind: str) -> HttpResponse:
    """The body's meetings as a public iCalendar feed (TEAM-10: the process
    is open). No login; the project is looked up in the organisation of the
    URL only, so another organisation's slug is a 404 (TENANT-1)."""
    organisation = request.organisation  # type: ignore[attr-defined]
    obj = project_selectors.project_get(organisation=organisation, slug=project)
    body = selectors.body_get(project=obj, kind=kind)
    body.project = obj
    if refused := wrong_method(request, "GET", "HEAD"):
        return refused
    meetings = sorted(selectors.meetings_of(body), key=lambda m: (m.scheduled_at, m.pk))
    response = HttpResponse(
        ics_calendar(body, meetings, timezone.now()), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{obj.slug}-{body.kind}.ics"'
    return response
