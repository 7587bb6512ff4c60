"""REST API for the governing bodies of a project: the Project Board and the
Overview Group (`…/projects/<project>/bodies/<kind>/`), their seats and
meetings, and who sits when (`…/projects/<project>/timeline/`).

As in `projects.api`: any member of the organisation reads; the services
decide every write (`can_manage_body`: 403 for auditors and members) and
enforce the rules, whose refusals answer with the rule ID: 409 for BOARD-2,
BOARD-4, GROUP-1 and GROUP-3 (checked today and on every later day a term
starts or ends), 403 for BOARD-10 and GROUP-9. Look-ups are filtered by the
organisation, project and body of the URL, so another organisation's id is a
404 (TENANT-1) and a foreign id in the input a 400 that does not say it exists.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_view
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from boards import selectors, services
from boards.models import Body, BodyKind, Meeting, Seat
from boards.permissions import can_view_body
from boards.serializers import (
    BodySerializer,
    BodyUpdateSerializer,
    MeetingCancelSerializer,
    MeetingDetailSerializer,
    MeetingHeldSerializer,
    MeetingScheduleSerializer,
    MeetingSerializer,
    SeatChangeSerializer,
    SeatCreateSerializer,
    SeatEndSerializer,
    SeatFilterSerializer,
    SeatSerializer,
    TimelineSerializer,
    timeline_data,
)
from coprod.api import READ_ERRORS, WRITE_ERRORS, ProjectView, doc, require_read, validated, validated_query

KIND = OpenApiParameter(
    "kind",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    enum=BodyKind.values,
    description="`board` (the Project Board) or `overview` (the Overview Group); anything else is a 404.",
)
# Writes that take no request body answer these.
ACTION_ERRORS = (401, 403, 404, 409)


def body_doc(summary: str, **kwargs: Any) -> Any:
    """`doc()` for an operation under `bodies/<kind>/`."""
    return doc(summary, tag="bodies", parameters=[KIND, *kwargs.pop("parameters", [])], **kwargs)


def body_data(body: Body) -> dict[str, Any]:
    """A body with its composition today (`boards.selectors.body_state`)."""
    return BodySerializer(body, context={"states": {body.pk: selectors.body_state(body)}}).data


class BodyView(ProjectView):
    """A view under `bodies/<kind>/`: the body of this project, or 404."""

    body: Body

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.body = selectors.body_get(project=self.project, kind=kwargs["kind"])
        require_read(can_view_body(request.user, self.body), "You cannot see this body.")


# --- Bodies (BOARD-1, BOARD-2, BOARD-4, GROUP-1, GROUP-3, BOARD-10, GROUP-9) -------


class BodyListView(ProjectView):
    serializer_class = BodySerializer
    pagination_class = None  # always the two bodies

    @doc(
        "The governing bodies of a project",
        tag="bodies",
        description="The Project Board and the Overview Group, each with its status, remit (BOARD-1), "
        "meeting cadence (BOARD-9, GROUP-8) and composition today: the non-professional share against "
        "its threshold (BOARD-4: 30%, GROUP-3: 60%), project-team seats (GROUP-1), every rule broken "
        "now with its fix, and the term ends ahead that will break one.",
        ok={200: BodySerializer(many=True)},
        errors=READ_ERRORS,
    )
    def get(self, request: Request, org: str, project: str) -> Response:
        bodies = [selectors.body_get(project=self.project, kind=kind) for kind in BodyKind.values]
        return Response([body_data(body) for body in bodies])


class BodyDetailView(BodyView):
    serializer_class = BodySerializer

    @body_doc("A governing body", ok={200: BodySerializer}, errors=READ_ERRORS)
    def get(self, request: Request, org: str, project: str, kind: str) -> Response:
        return Response(body_data(self.body))

    @body_doc(
        "Change a body's remit, cadence or voting rule",
        description="BOARD-1: the remit; BOARD-9, GROUP-8: the longest gap in days between held "
        "meetings; LEDGER-2: whether votes must meet the non-professional share. The project's "
        "facilitators and managers.",
        request=BodyUpdateSerializer,
        ok={200: BodySerializer},
        errors=WRITE_ERRORS,
    )
    def patch(self, request: Request, org: str, project: str, kind: str) -> Response:
        changes = validated(BodyUpdateSerializer, request.data, instance=self.body, partial=True)
        body = services.body_update(body=self.body, actor=request.user, **changes)
        return Response(body_data(body))


class BodyActivateView(BodyView):
    serializer_class = BodySerializer

    @body_doc(
        "Activate a body",
        description="A body takes decisions only once active, and becomes active only when its "
        "composition passes its rules: every stakeholder group seated on the board (BOARD-2), at least "
        "30% non-professional board seats (BOARD-4), at most two project-team seats on the Overview "
        "Group (GROUP-1) and at least 60% non-professional group seats (GROUP-3). Otherwise 409 naming "
        "the rule, with every problem and its fix in `evidence`. Activating an active body changes nothing.",
        request=None,
        ok={200: BodySerializer},
        errors=ACTION_ERRORS,
    )
    def post(self, request: Request, org: str, project: str, kind: str) -> Response:
        body = services.body_activate(body=self.body, actor=request.user)
        return Response(body_data(body))


class BodyCloseView(BodyView):
    serializer_class = BodySerializer

    @body_doc(
        "Close or dissolve a body",
        description="Always refused. BOARD-10 and GROUP-9: a body stays in control until its project "
        "finishes, so while the project is open this is a 403 naming BOARD-10 (board) or GROUP-9 "
        "(group); a body closes only with its project, through the board's decision to close it (409 "
        "once the project is closed).",
        request=None,
        ok={204: OpenApiResponse(description="Not returned: a body is never closed directly.")},
        errors=ACTION_ERRORS,
    )
    def post(self, request: Request, org: str, project: str, kind: str) -> Response:
        services.body_close(body=self.body, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Seats (TEAM-1) ------------------------------------------------------------------

_CHECKED_AHEAD = (
    "On an active or suspended body the change is checked today and on every later day a term starts "
    "or ends: one that breaks BOARD-4, GROUP-1 or GROUP-3 (or worsens a body already below its share) "
    "is a 409 naming the rule and, in `evidence`, the date. The project's facilitators and managers."
)


def _current(today: datetime.date) -> Q:
    """Seats that count today: open and within their term."""
    return Q(is_open=True, term_start__lte=today) & (Q(term_end__isnull=True) | Q(term_end__gt=today))


class SeatView(BodyView):
    serializer_class = SeatSerializer

    def visible(self) -> QuerySet[Seat]:
        return selectors.seats_of(self.body)


@extend_schema_view(
    get=body_doc(
        "Seats of a body",
        description="Every seat, past ones included, open seats first. Filter `current=true` for the "
        "seats that count today.",
        parameters=[SeatFilterSerializer],
        ok={200: SeatSerializer},
        errors=(400, 401, 404),
    ),
    post=body_doc(
        "Add a seat",
        description="`person` from this organisation's directory; `stakeholder_group` and `phase` of "
        "this project (any other id is a 400). " + _CHECKED_AHEAD + " Adding a seat to a suspended body "
        "that restores its composition makes it active again.",
        request=SeatCreateSerializer,
        ok={201: SeatSerializer},
        errors=WRITE_ERRORS,
    ),
)
class SeatListView(SeatView, generics.ListCreateAPIView):
    def visible(self) -> QuerySet[Seat]:
        current = validated_query(SeatFilterSerializer, self.request).get("current")
        seats = super().visible()
        if current is None:
            return seats
        only_current = _current(timezone.localdate())
        return seats.filter(only_current) if current else seats.exclude(only_current)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(SeatCreateSerializer, request.data, context=self.get_serializer_context())
        seat = services.seat_add(body=self.body, actor=request.user, **data)
        return Response(SeatSerializer(seat).data, status=status.HTTP_201_CREATED)


class SeatDetailView(SeatView):
    def get_object(self) -> Seat:
        return selectors.seat_get(body=self.body, pk=self.kwargs["pk"])

    @body_doc("A seat", ok={200: SeatSerializer}, errors=READ_ERRORS)
    def get(self, request: Request, org: str, project: str, kind: str, pk: int) -> Response:
        return Response(SeatSerializer(self.get_object()).data)

    @body_doc(
        "Change a seat",
        description="Capacity, stakeholder group, phase or term of an open seat (an ended seat is kept "
        "as it was: 409). " + _CHECKED_AHEAD,
        request=SeatChangeSerializer,
        ok={200: SeatSerializer},
        errors=WRITE_ERRORS,
    )
    def patch(self, request: Request, org: str, project: str, kind: str, pk: int) -> Response:
        seat = self.get_object()
        changes = validated(SeatChangeSerializer, request.data, context=self.get_serializer_context())
        seat = services.seat_change(seat=seat, actor=request.user, **changes)
        return Response(SeatSerializer(seat).data)


class SeatEndView(SeatView):
    @body_doc(
        "End a seat",
        description="People can always leave: a resignation, a death or a term that ended is recorded, "
        "never refused, and if the body falls below its rules it is suspended at once and takes no "
        "decisions until restored (BOARD-4, GROUP-3). A seat holder may record their own resignation. "
        "`removed` (a facilitator removing someone) is checked like any change: "
        "409 if it would break the rules.",
        request=SeatEndSerializer,
        ok={200: SeatSerializer},
        errors=WRITE_ERRORS,
    )
    def post(self, request: Request, org: str, project: str, kind: str, pk: int) -> Response:
        seat = selectors.seat_get(body=self.body, pk=pk)
        data = validated(SeatEndSerializer, request.data)
        seat = services.seat_end(seat=seat, actor=request.user, **data)
        return Response(SeatSerializer(seat).data)


# --- Meetings (BOARD-9, GROUP-8) -----------------------------------------------------


class MeetingView(BodyView):
    serializer_class = MeetingSerializer

    def visible(self) -> QuerySet[Meeting]:
        return selectors.meetings_of(self.body)

    def get_object(self) -> Meeting:
        return selectors.meeting_get(body=self.body, pk=self.kwargs["pk"])

    def meeting_data(self) -> dict[str, Any]:
        """The meeting as it is now, with attendance (read again after a write)."""
        return MeetingDetailSerializer(self.get_object()).data


@extend_schema_view(
    get=body_doc(
        "Meetings of a body", description="Newest first.", ok={200: MeetingSerializer}, errors=READ_ERRORS
    ),
    post=body_doc(
        "Schedule a meeting",
        description="BOARD-9, GROUP-8: bodies meet often enough to decide every item. Say where (`place`), "
        "how to join online (`online_link`), or both, and how the meeting is made accessible. The "
        "project's facilitators and managers.",
        request=MeetingScheduleSerializer,
        ok={201: MeetingSerializer},
        errors=WRITE_ERRORS,
    ),
)
class MeetingListView(MeetingView, generics.ListCreateAPIView):
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(MeetingScheduleSerializer, request.data)
        meeting = services.meeting_schedule(body=self.body, actor=request.user, **data)
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)


class MeetingDetailView(MeetingView):
    @body_doc(
        "A meeting",
        description="Once held, with who of the seat holders attended.",
        ok={200: MeetingDetailSerializer},
        errors=READ_ERRORS,
    )
    def get(self, request: Request, org: str, project: str, kind: str, pk: int) -> Response:
        return Response(self.meeting_data())


class MeetingHeldView(MeetingView):
    @body_doc(
        "Record a meeting as held",
        description="Who attended (ids of this body's seats active that day), the minutes and the day "
        "it was held; never in the future (400). Held meetings are what the cadence check counts "
        "(BOARD-9, GROUP-8). Only a scheduled meeting can be recorded (409 otherwise).",
        request=MeetingHeldSerializer,
        ok={200: MeetingDetailSerializer},
        errors=WRITE_ERRORS,
    )
    def post(self, request: Request, org: str, project: str, kind: str, pk: int) -> Response:
        meeting = self.get_object()
        data = validated(MeetingHeldSerializer, request.data)
        services.meeting_record_held(
            meeting=meeting,
            attended_seat_ids=data["attended"],
            minutes=data["minutes"],
            held_on=data["held_on"],
            actor=request.user,
        )
        return Response(self.meeting_data())


class MeetingCancelView(MeetingView):
    @body_doc(
        "Cancel a meeting",
        description="The reason is required; members will see it. Only a scheduled meeting can be "
        "cancelled (409 otherwise).",
        request=MeetingCancelSerializer,
        ok={200: MeetingDetailSerializer},
        errors=WRITE_ERRORS,
    )
    def post(self, request: Request, org: str, project: str, kind: str, pk: int) -> Response:
        meeting = self.get_object()
        reason = validated(MeetingCancelSerializer, request.data)["reason"]
        services.meeting_cancel(meeting=meeting, reason=reason, actor=request.user)
        return Response(self.meeting_data())


# --- Who sits when (TEAM-1, TEAM-3) ---------------------------------------------------


class TimelineView(ProjectView):
    serializer_class = TimelineSerializer

    @doc(
        "Who sits when",
        tag="bodies",
        description="TEAM-1, TEAM-3: the project's phases by its stakeholder groups; each cell lists the "
        "seats (on either body) representing the group whose term overlaps the phase, so an empty cell "
        "is a group without a seat in that phase.",
        ok={200: TimelineSerializer},
        errors=READ_ERRORS,
    )
    def get(self, request: Request, org: str, project: str) -> Response:
        phases, rows = selectors.term_timeline(self.project)
        return Response(TimelineSerializer(timeline_data(phases, rows)).data)
