"""REST API for disputes between the partners of a body (BOARD-6, GROUP-5),
under `/api/v1/orgs/<org>/projects/<project>/`: a body's dispute procedure
(`bodies/<kind>/dispute-procedure/`), disputes (`disputes/`) and their
commands (`disputes/<id>/stages/`, `advance/`, `agree/`, `withdraw/`,
`close/`).

Any member of the organisation reads. The services decide every write and
enforce the rules: no dispute before the body agreed a procedure (409 naming
BOARD-6 or GROUP-5); a mediator is independent, never a party nor the project
team (409); only the parties agree, each for themselves, and only the raiser
withdraws (403 naming the rule, logged); nobody closes a dispute from above
(403, logged). Auditors change nothing (403). Look-ups are filtered by the
organisation and project of the URL, so another organisation's id is a 404
(TENANT-1) and a foreign id in the input a 400."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from boards import decisions
from boards import selectors as body_selectors
from boards.models import AgendaItem, Body, BodyKind, DecisionEntry, ItemKind, Seat
from boards.permissions import can_view_body
from boards.rules import rules_for
from coprod.api import READ_ERRORS, WRITE_ERRORS, ProjectView, doc, require_read, validated, validated_query
from disputes import selectors, services
from disputes.models import Dispute
from disputes.serializers import (
    AgreeInputSerializer,
    BodyProcedureSerializer,
    DisputeDetailSerializer,
    DisputeFilterSerializer,
    DisputeRaiseSerializer,
    DisputeSerializer,
    ProcedureProposeSerializer,
    ProposedItemSerializer,
    StageRecordInputSerializer,
    WithdrawInputSerializer,
)
from projects.models import Role
from projects.permissions import role_in
from stakeholders.models import Person

TAG = "disputes"
KIND = OpenApiParameter(
    "kind",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    enum=BodyKind.values,
    description="`board` (the Project Board) or `overview` (the Overview Group); anything else is a 404.",
)
# Commands that take no request body answer these.
ACTION_ERRORS = (401, 403, 404, 409)
_ENDS = (
    "A dispute ends only by the agreement of every party (each recorded by themselves), by a vote of the "
    "whole body at its body-vote stage (which goes to the ledger), or when the person who raised it "
    "withdraws it (BOARD-6, GROUP-5)."
)


def _no_auditors(request: Request, view: ProjectView) -> None:
    """Auditors read everything and change nothing, seat or no seat."""
    if role_in(request.user, view.organisation) == Role.AUDITOR:
        raise PermissionDenied("Auditors read everything and change nothing.")


def _invalid(field: str, message: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: [message]})


# --- A body's procedure -----------------------------------------------------------------


def _stages(lines: list[selectors.StageLine]) -> list[dict[str, Any]]:
    return [
        {"order": line.order, "kind": line.kind, "kind_label": line.label, "days": line.days}
        for line in lines
    ]


def procedure_data(body: Body) -> dict[str, Any]:
    procedure = selectors.current_procedure(body)
    current = None
    if procedure is not None:
        current = {
            "agreed_by": procedure.agreed_by_id,
            "agreed_by_sequence": procedure.agreed_by.sequence,
            "agreed_at": procedure.agreed_at,
            "stages": _stages(selectors.stage_lines(procedure.stages)),
        }
    return {
        "body": body.kind,
        "rule": rules_for(body.kind).ties.value,
        "agreed": procedure is not None,
        "current": current,
        "default_stages": _stages(selectors.default_stage_lines()),
        "pending_items": [
            {"id": item.pk, "title": item.title, "status": item.status}
            for item in selectors.pending_procedure_items(body)
        ],
    }


class DisputeProcedureView(ProjectView):
    serializer_class = BodyProcedureSerializer

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.body = body_selectors.body_get(project=self.project, kind=kwargs["kind"])
        require_read(can_view_body(request.user, self.body), "You cannot see this body.")

    @doc(
        "A body's dispute procedure",
        tag=TAG,
        description="BOARD-6 (board), GROUP-5 (group): the procedure the body agreed by its own decision, "
        "with the ledger entry that agreed it, or `null` until it agrees one (the rule fails in the "
        "compliance report until then); the default procedure it can adopt as it is; and procedure items "
        "put to it that wait for its vote.",
        parameters=[KIND],
        ok={200: BodyProcedureSerializer},
        errors=READ_ERRORS,
    )
    def get(self, request: Request, org: str, project: str, kind: str) -> Response:
        return Response(procedure_data(self.body))

    @doc(
        "Propose a dispute procedure",
        tag=TAG,
        description='Puts a `dispute_procedure` item to the body: `{"template": "default"}` adopts the '
        "default procedure as it is, or `stages` gives 1 to 6 stages in order, each a `kind` and a time "
        "limit in `days` (1 to 120). Nothing changes until the body agrees the item by a vote; then it "
        "becomes the body's procedure, and disputes waiting for one start. Members of the body and the "
        "project's facilitators.",
        parameters=[KIND],
        request=ProcedureProposeSerializer,
        ok={201: ProposedItemSerializer},
        errors=WRITE_ERRORS,
    )
    def post(self, request: Request, org: str, project: str, kind: str) -> Response:
        _no_auditors(request, self)
        data = validated(ProcedureProposeSerializer, request.data)
        proposal = {"template": "default"} if data.get("template") else {"stages": data["stages"]}
        item = decisions.item_propose(
            body=self.body,
            title=data["title"],
            kind=ItemKind.DISPUTE_PROCEDURE,
            description=data["description"],
            deadline=data["deadline"],
            proposal=proposal,
            actor=request.user,
        )
        return Response(
            {
                "id": item.pk,
                "title": item.title,
                "kind": item.kind,
                "status": item.status,
                "proposal": item.proposal,
            },
            status=status.HTTP_201_CREATED,
        )


# --- Disputes -----------------------------------------------------------------------------


class DisputeView(ProjectView):
    serializer_class = DisputeSerializer

    def visible(self) -> QuerySet[Dispute]:
        return selectors.disputes_of(self.project)

    def get_object(self) -> Dispute:
        dispute = selectors.dispute_get(project=self.project, pk=self.kwargs["pk"])
        dispute.body.project = self.project
        return dispute

    def detail(self, dispute: Dispute) -> dict[str, Any]:
        """The dispute as it is now (read again after a write)."""
        fresh = selectors.dispute_get(project=self.project, pk=dispute.pk)
        return DisputeDetailSerializer(fresh).data


@extend_schema_view(
    get=doc(
        "Disputes of a project",
        tag=TAG,
        description="Newest first. Filter by `body` and `status`.",
        parameters=[DisputeFilterSerializer],
        ok={200: DisputeSerializer},
        errors=(400, 401, 404),
    ),
    post=doc(
        "Raise a dispute",
        tag=TAG,
        description="BOARD-6, GROUP-5: any member of the body (a current seat holder) raises a dispute "
        "about an agenda item (`item`), a decision, its implementation or a return (`entry`: a ledger "
        "entry id), or how the body is run; naming the seats on the other side (`respondents`), a summary "
        "and the outcome sought. 409 naming the rule until the body has agreed a dispute procedure; 403 "
        "for anyone without a seat on the body. The first stage starts at once, and the parties and the "
        "chair are emailed. Ids of another body, project or organisation are a 400.",
        request=DisputeRaiseSerializer,
        ok={201: DisputeDetailSerializer},
        errors=WRITE_ERRORS,
    ),
)
class DisputeListView(DisputeView, generics.ListAPIView):
    def visible(self) -> QuerySet[Dispute]:
        filters = validated_query(DisputeFilterSerializer, self.request)
        body = None
        if filters.get("body"):
            body = body_selectors.body_get(project=self.project, kind=filters["body"])
        return selectors.disputes_of(self.project, body=body, status=filters.get("status"))

    def post(self, request: Request, org: str, project: str) -> Response:
        _no_auditors(request, self)
        data = validated(DisputeRaiseSerializer, request.data)
        body = body_selectors.body_get(project=self.project, kind=data["body"])
        item = entry = None
        if data.get("item"):
            item = AgendaItem.objects.filter(body=body, pk=data["item"]).first()
            if item is None:
                raise _invalid("item", "Choose an item of this body.")
        if data.get("entry"):
            entry = DecisionEntry.objects.filter(body=body, pk=data["entry"]).first()
            if entry is None:
                raise _invalid("entry", "Choose a decision of this body.")
        wanted = set(data["respondents"])
        respondents = list(Seat.objects.filter(body=body, pk__in=wanted))
        if len(respondents) != len(wanted):
            raise _invalid("respondents", "Choose current members of this body.")
        dispute = services.dispute_raise(
            body=body,
            subject=data["subject"],
            item=item,
            entry=entry,
            respondents=respondents,
            summary=data["summary"],
            outcome_sought=data["outcome_sought"],
            actor=request.user,
        )
        return Response(self.detail(dispute), status=status.HTTP_201_CREATED)


class DisputeDetailView(DisputeView):
    serializer_class = DisputeDetailSerializer

    @doc(
        "A dispute",
        tag=TAG,
        description="With its parties on each side and their agreements, the stages recorded so far (due "
        "dates, `overdue`, the mediator, notes and results) and the stages of the procedure it follows.",
        ok={200: DisputeDetailSerializer},
        errors=READ_ERRORS,
    )
    def get(self, request: Request, org: str, project: str, pk: int) -> Response:
        return Response(DisputeDetailSerializer(self.get_object()).data)


class DisputeStageRecordView(DisputeView):
    serializer_class = DisputeDetailSerializer

    @doc(
        "Record the current stage",
        tag=TAG,
        description="What happened (`notes`, added to the record) and the `result` of the current stage; for "
        "a mediation stage the independent `mediator` (a person id from this organisation's directory), "
        "named before anything is recorded. BOARD-6, GROUP-5: a party to the dispute or anyone of the "
        "project team as mediator is a 409 naming the rule. The parties, the mediator of the stage and "
        "the project's facilitators.",
        request=StageRecordInputSerializer,
        ok={200: DisputeDetailSerializer},
        errors=WRITE_ERRORS,
    )
    def post(self, request: Request, org: str, project: str, pk: int) -> Response:
        dispute = self.get_object()
        _no_auditors(request, self)
        data = validated(StageRecordInputSerializer, request.data)
        mediator = None
        if data.get("mediator"):
            mediator = Person.objects.filter(organisation=self.organisation, pk=data["mediator"]).first()
            if mediator is None:
                raise _invalid("mediator", "Choose someone from this organisation's directory.")
        services.stage_record(
            dispute=dispute, notes=data["notes"], result=data["result"], mediator=mediator, actor=request.user
        )
        return Response(self.detail(dispute))


class DisputeAdvanceView(DisputeView):
    serializer_class = DisputeDetailSerializer

    @doc(
        "Move on to the next stage",
        tag=TAG,
        description="Closes the current stage, which needs a recorded `result` (400 otherwise), and starts "
        "the next one of the agreed procedure; the parties and the chair are emailed. At the last stage a "
        "409: " + _ENDS,
        request=None,
        ok={200: DisputeDetailSerializer},
        errors=(400, *ACTION_ERRORS),
    )
    def post(self, request: Request, org: str, project: str, pk: int) -> Response:
        dispute = self.get_object()
        _no_auditors(request, self)
        services.stage_advance(dispute=dispute, actor=request.user)
        return Response(self.detail(dispute))


class DisputeAgreeView(DisputeView):
    serializer_class = DisputeDetailSerializer

    @doc(
        "Agree to settle",
        tag=TAG,
        description="A party records their own agreement; when every party has, the dispute is settled by "
        "agreement. Nobody agrees on another's behalf: anyone who is not a party gets a 403 naming BOARD-6 "
        "or GROUP-5, and the attempt is logged.",
        request=AgreeInputSerializer,
        ok={200: DisputeDetailSerializer},
        errors=WRITE_ERRORS,
    )
    def post(self, request: Request, org: str, project: str, pk: int) -> Response:
        dispute = self.get_object()
        _no_auditors(request, self)
        data = validated(AgreeInputSerializer, request.data)
        services.party_agree(dispute=dispute, note=data["note"], actor=request.user)
        return Response(self.detail(dispute))


class DisputeWithdrawView(DisputeView):
    serializer_class = DisputeDetailSerializer

    @doc(
        "Withdraw a dispute",
        tag=TAG,
        description="Only the person who raised the dispute withdraws it. Anyone else, the project manager, "
        "the project team and facilitators included, gets a 403 naming BOARD-6 or GROUP-5, and the attempt "
        "is logged.",
        request=WithdrawInputSerializer,
        ok={200: DisputeDetailSerializer},
        errors=WRITE_ERRORS,
    )
    def post(self, request: Request, org: str, project: str, pk: int) -> Response:
        dispute = self.get_object()
        _no_auditors(request, self)
        data = validated(WithdrawInputSerializer, request.data)
        services.dispute_withdraw(dispute=dispute, reason=data["reason"], actor=request.user)
        return Response(self.detail(dispute))


class DisputeCloseView(DisputeView):
    serializer_class = DisputeDetailSerializer

    @doc(
        "Close or decide a dispute directly",
        tag=TAG,
        description="Always refused: a 403 naming BOARD-6 (board) or GROUP-5 (group), and the attempt is "
        "logged. " + _ENDS,
        request=None,
        ok={204: OpenApiResponse(description="Not returned: a dispute is never closed from above.")},
        errors=ACTION_ERRORS,
    )
    def post(self, request: Request, org: str, project: str, pk: int) -> Response:
        dispute = self.get_object()
        _no_auditors(request, self)
        services.dispute_close_directly(dispute=dispute, actor=request.user)
        # Not reached: the service always refuses. Never answer "closed".
        raise PermissionDenied("A dispute is never closed from above.")
