"""REST API for how a body decides and for the project's decision ledger,
under `/api/v1/orgs/<org>/projects/<project>/`: agenda items of a body
(`bodies/<kind>/items/`), their comments and votes, opening and closing the
vote; the chair (`bodies/<kind>/chair/`, always refused); the ledger
(`ledger/`), one entry, its verification and exports, and how a decision is
carried out (`ledger/<id>/implementation/`).

Any member of the organisation reads (open ballot). The services decide every
write and enforce the rules, whose refusals answer with the rule ID:
- BOARD-5, GROUP-4: one seat, one vote, no proxies (403, logged);
- LEDGER-2: a vote whose votes cast miss the non-professional share is
  recorded as not quorate, and the item stays open for another round;
- BOARD-6, GROUP-5: a tie is settled by the body's agreed procedure;
- BOARD-3, GROUP-2: the chair only by an agreed `chair_appointment` item;
- BOARD-7, BOARD-10: budget, personnel, plan and closing take effect only
  when a board item is agreed;
- BOARD-8, GROUP-7, LEDGER-1: a decided item and a ledger entry are never
  edited, deleted or voided (403, logged); what cannot be carried out returns
  to the body as a new item (GROUP-6: with information, resources and skills).
Look-ups are filtered by the organisation, project and body of the URL, so
another organisation's id is a 404 (TENANT-1) and a foreign id in the input a
400 that does not say it exists.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from boards import decisions
from boards import selectors_decisions as selectors
from boards.api import KIND, BodyView
from boards.ledger import export_document, verify
from boards.models import AgendaItem, Comment, DecisionEntry, Outcome
from boards.rules import rules_for
from boards.serializers_decisions import (
    ChairRequestSerializer,
    ClosedVoteSerializer,
    CommentCreateSerializer,
    CommentSerializer,
    ExportDocumentSerializer,
    ImplementationInputSerializer,
    ImplementationResultSerializer,
    ImplementationSerializer,
    ImplementationUpdateSerializer,
    ItemDetailSerializer,
    ItemFilterSerializer,
    ItemProposeSerializer,
    ItemSerializer,
    ItemUpdateSerializer,
    LedgerEntryDetailSerializer,
    LedgerEntrySerializer,
    VerificationSerializer,
    VerifyQuerySerializer,
    VoteCastSerializer,
    VoteSerializer,
    payload_of,
    spreadsheet_safe,
)
from coprod.api import READ_ERRORS, WRITE_ERRORS, ProjectView, doc, validated, validated_query
from coprod.errors import Conflict, Refusal, RuleViolation
from projects.models import Role
from projects.permissions import role_in

ITEMS = "decisions"
LEDGER = "ledger"
# Commands that take no request body answer these.
ACTION_ERRORS = (401, 403, 404, 409)
_OVERRIDE = (
    "Always refused: a decision and its ledger entry are never edited, deleted, overruled or voided, by "
    "anyone (BOARD-8 for the board, GROUP-7 for the group; LEDGER-1). The answer is a 403 naming the rule, "
    "and the attempt is kept in the audit log. If a decision cannot be carried out, say so in its "
    "implementation (`…/ledger/<id>/implementation/`, status `cannot`): it returns to the body as a new "
    "item, and the body agrees the way forward."
)


def item_doc(summary: str, **kwargs: Any) -> Any:
    """`doc()` for an operation under `bodies/<kind>/items/`."""
    return doc(summary, tag=ITEMS, parameters=[KIND, *kwargs.pop("parameters", [])], **kwargs)


def ledger_doc(summary: str, **kwargs: Any) -> Any:
    return doc(summary, tag=LEDGER, **kwargs)


def no_auditors(request: Request, view: ProjectView) -> None:
    """Auditors read everything and change nothing, seat or no seat."""
    if role_in(request.user, view.organisation) == Role.AUDITOR:
        raise PermissionDenied("Auditors read everything and change nothing.")


def item_data(item: AgendaItem, user: Any) -> dict[str, Any]:
    """An item with its tally, the caller's seat and vote, and its ledger
    entries, read after any write (a fixed number of queries)."""
    annotated = get_object_or_404(selectors.items_of(item.body), pk=item.pk)
    annotated.body = item.body
    votes = selectors.current_votes(annotated)
    seats = selectors.active_seats(annotated.body)
    user_id = getattr(user, "pk", None)
    my_seat = next((seat for seat in seats if user_id and seat.person.user_id == user_id), None)
    my_vote = next((vote for vote in votes if my_seat is not None and vote.seat_id == my_seat.pk), None)
    entries = list(selectors.entries_of(annotated.body.project).filter(item=annotated))
    context = {
        "tally": selectors.tally_of(annotated, votes, seats),
        "my_seat": my_seat,
        "my_vote": my_vote,
        "entries": entries,
        "proposal_lines": selectors.describe_proposal(annotated),
    }
    return ItemDetailSerializer(annotated, context=context).data


# --- Agenda items (BOARD-3, BOARD-7, BOARD-8, BOARD-10, GROUP-2, GROUP-7) --------------


class ItemView(BodyView):
    """A view under `bodies/<kind>/items/`."""

    serializer_class = ItemSerializer

    def visible(self) -> QuerySet[AgendaItem]:
        return selectors.items_of(self.body)

    def get_item(self) -> AgendaItem:
        """The item of this body, or 404 (TENANT-1)."""
        item = selectors.item_get(body=self.body, pk=self.kwargs["pk"])
        item.body.project = self.project
        return item


@extend_schema_view(
    get=item_doc(
        "Agenda items of a body",
        description="Every item, with its status, deadline, voting round, comment count, votes cast in the "
        "current round and latest ledger entry. Items with the nearest deadline come first (BOARD-9, "
        "GROUP-8). Filter by `status`.",
        parameters=[ItemFilterSerializer],
        ok={200: ItemSerializer},
        errors=(400, 401, 404),
    ),
    post=item_doc(
        "Put an item to a body",
        description="Seat holders of the body and the project's facilitators. Kinds with effects carry a "
        "structured `proposal`, checked now and applied only when the body agrees the item: "
        "`budget_change` and `personnel` (BOARD-7), `plan_change`, `close_project` (BOARD-10) go to the "
        "board only; `chair_appointment` (BOARD-3, GROUP-2) and `tie_procedure` (BOARD-6, GROUP-5) to "
        "either body. A bad proposal is a 400 on `proposal`.",
        request=ItemProposeSerializer,
        ok={201: ItemDetailSerializer},
        errors=WRITE_ERRORS,
    ),
)
class ItemListView(ItemView, generics.ListCreateAPIView):
    def visible(self) -> QuerySet[AgendaItem]:
        wanted = validated_query(ItemFilterSerializer, self.request).get("status")
        items = super().visible()
        return items.filter(status=wanted) if wanted else items

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        no_auditors(request, self)
        data = validated(ItemProposeSerializer, request.data)
        item = decisions.item_propose(body=self.body, actor=request.user, **data)
        item.body = self.body
        return Response(item_data(item, request.user), status=status.HTTP_201_CREATED)


class ItemDetailView(ItemView):
    @item_doc(
        "An agenda item",
        description="The proposal and what agreeing it would do, the tally of the current round as "
        "closing would count it (with the LEDGER-2 quorum), your seat and your vote if you hold a seat, "
        "and every ledger entry of the item, not-quorate rounds included.",
        ok={200: ItemDetailSerializer},
        errors=READ_ERRORS,
    )
    def get(self, request: Request, org: str, project: str, kind: str, pk: int) -> Response:
        return Response(item_data(self.get_item(), request.user))

    @item_doc(
        "Edit an item open for discussion",
        description="Its proposer or the project's facilitators, while it is open for discussion (409 once "
        "voting has started). A decided item is never edited: that is an override, refused with 403 "
        "naming BOARD-8 (board) or GROUP-7 (group) and logged, whatever was sent. Only `title`, "
        "`description`, `deadline` and `proposal`; any other field is a 400.",
        request=ItemUpdateSerializer,
        ok={200: ItemDetailSerializer},
        errors=WRITE_ERRORS,
    )
    def patch(self, request: Request, org: str, project: str, kind: str, pk: int) -> Response:
        item = self.get_item()
        # An override attempt is refused (and logged) by the service whatever it sends.
        changes = {} if item.is_decided else validated(ItemUpdateSerializer, request.data)
        item = decisions.item_update(item=item, actor=request.user, **changes)
        item.body = self.body
        return Response(item_data(item, request.user))

    @item_doc(
        "Delete an item (never done)",
        description="Nothing is deleted. A decided item: 403 naming BOARD-8 (board) or GROUP-7 (group), "
        "logged as an override attempt. An item not yet decided stays on the agenda until the body "
        "decides it, since every member may speak on it first (BOARD-5, GROUP-4): 409; if it is no "
        "longer needed, the body can vote it down. Auditors: 403, whatever the item.",
        ok={204: OpenApiResponse(description="Not returned: items are never deleted.")},
        errors=ACTION_ERRORS,
    )
    def delete(self, request: Request, org: str, project: str, kind: str, pk: int) -> Response:
        item = self.get_item()
        # Auditors change nothing: refused for who they are, before the item's state is looked at.
        no_auditors(request, self)
        if item.is_decided:
            decisions.decision_override_refused(item=item, actor=request.user, attempt="delete")
        raise Conflict(
            f"Items are not deleted: an item stays on the agenda until the {self.body.get_kind_display()} "
            "decides it. If it is no longer needed, the body can vote it down."
        )


class ItemChildView(ItemView):
    """A view under `items/<pk>/`: the item is looked up first, so an id of
    another body, project or organisation is a 404 whatever the method."""

    item: AgendaItem

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.item = self.get_item()


# --- Discussion (BOARD-5, GROUP-4) -------------------------------------------------------


@extend_schema_view(
    get=item_doc(
        "Discussion of an item",
        description="Oldest first. BOARD-5, GROUP-4: every member may speak on every item before the vote.",
        ok={200: CommentSerializer},
        errors=READ_ERRORS,
    ),
    post=item_doc(
        "Speak on an item",
        description="BOARD-5, GROUP-4: every seat holder of the body, and the project's facilitators, may "
        "comment on every item until it is decided (409 after).",
        request=CommentCreateSerializer,
        ok={201: CommentSerializer},
        errors=WRITE_ERRORS,
    ),
)
class CommentListView(ItemChildView, generics.ListCreateAPIView):
    serializer_class = CommentSerializer

    def visible(self) -> QuerySet[Comment]:
        return self.item.comments.select_related("author", "seat__person").order_by("created_at", "pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        no_auditors(request, self)
        text = validated(CommentCreateSerializer, request.data)["text"]
        comment = decisions.comment_add(item=self.item, text=text, actor=request.user)
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


# --- Votes (BOARD-5, GROUP-4, LEDGER-2, BOARD-6, GROUP-5, LEDGER-1) ----------------------


class VoteListView(ItemChildView):
    serializer_class = VoteSerializer
    pagination_class = None  # one vote per seat: bounded by the body's size

    @item_doc(
        "Votes of the current round",
        description="Open ballot: each seat's vote in the current round, with its capacity and whether a "
        "facilitator recorded it from a show of hands.",
        ok={200: VoteSerializer(many=True)},
        errors=READ_ERRORS,
    )
    def get(self, request: Request, org: str, project: str, kind: str, pk: int) -> Response:
        return Response(VoteSerializer(selectors.current_votes(self.item), many=True).data)

    @item_doc(
        "Vote",
        description="BOARD-5, GROUP-4: one seat, one vote, equal weight. You vote for your own seat (the "
        "default) and may change your vote while voting is open; one vote per seat and round. Voting for "
        "another member's seat is a proxy: 403 naming BOARD-5 (board) or GROUP-4 (group), logged. The only "
        "exception: a facilitator recording a seat's show of hands at a held meeting of the body (`seat` "
        "and `meeting`); the vote says so and the member can correct it. 409 unless voting is open; 400 "
        "for a seat that does not vote today.",
        request=VoteCastSerializer,
        ok={200: VoteSerializer},
        errors=WRITE_ERRORS,
    )
    def post(self, request: Request, org: str, project: str, kind: str, pk: int) -> Response:
        no_auditors(request, self)
        data = validated(VoteCastSerializer, request.data, context={"body": self.body})
        seat = data["seat"] or decisions.seat_of(request.user, self.body)
        if seat is None:
            raise RuleViolation(
                rules_for(self.body.kind).voice,
                f"Only members of the {self.body.get_kind_display()} vote, each for their own seat: no "
                "proxies. You hold no seat on it today.",
                refusal=Refusal.ACTOR,
            )
        vote = decisions.vote_cast(
            item=self.item, seat=seat, choice=data["choice"], actor=request.user, meeting=data["meeting"]
        )
        return Response(VoteSerializer(vote).data)


class VotingOpenView(ItemChildView):
    @item_doc(
        "Open the vote",
        description="A facilitator or the body's chair, on an item open for discussion (409 otherwise). "
        "Only an active body votes: while it is forming or suspended, 409 naming BOARD-4 (board) or "
        "GROUP-3 (group).",
        request=None,
        ok={200: ItemDetailSerializer},
        errors=ACTION_ERRORS,
    )
    def post(self, request: Request, org: str, project: str, kind: str, pk: int) -> Response:
        item = decisions.voting_open(item=self.item, actor=request.user)
        item.body = self.body
        return Response(item_data(item, request.user))


class VotingCloseView(ItemChildView):
    serializer_class = ClosedVoteSerializer

    @item_doc(
        "Close the vote into the ledger",
        description="A facilitator or the body's chair. The outcome is appended to the project's "
        "hash-chained ledger (LEDGER-1) and returned. LEDGER-2: unless the votes cast meet the body's "
        "non-professional share (30% board, 60% group), the outcome is `not_quorate` and the item stays "
        "open for another round. BOARD-6, GROUP-5: a tie is settled by the body's agreed procedure (until "
        "one is agreed a tie fails); a chair's casting vote counts only for a non-professional chair, never "
        "the project team. An agreed item takes effect now and only now: budget and personnel (BOARD-7), "
        "plan, chair (BOARD-3, GROUP-2), tie procedure, closing the project (BOARD-10).",
        request=None,
        ok={200: ClosedVoteSerializer},
        errors=ACTION_ERRORS,
    )
    def post(self, request: Request, org: str, project: str, kind: str, pk: int) -> Response:
        entry = decisions.voting_close(item=self.item, actor=request.user)
        entry = selectors.entry_get(project=self.project, pk=entry.pk)
        return Response(ClosedVoteSerializer(entry).data)


# --- The chair (BOARD-3, GROUP-2) ----------------------------------------------------------


class BodyChairView(BodyView):
    serializer_class = ChairRequestSerializer

    @doc(
        "Install a chair (never done)",
        tag="bodies",
        description="Always refused with 403 naming BOARD-3 (board) or GROUP-2 (group), and logged: the "
        "chair is appointed by a vote of the body on a `chair_appointment` item with a statement of merit "
        '(`POST …/bodies/<kind>/items/` with `{"kind": "chair_appointment", "proposal": {"seat": id, '
        '"merit": "…"}}`), and takes office when the item is agreed.',
        parameters=[KIND],
        request=ChairRequestSerializer,
        ok={204: OpenApiResponse(description="Not returned: nobody installs a chair directly.")},
        errors=WRITE_ERRORS,
    )
    def post(self, request: Request, org: str, project: str, kind: str) -> Response:
        wanted = validated(ChairRequestSerializer, request.data).get("seat")
        seat = self.body.seats.filter(pk=wanted).first() if wanted else None
        decisions.chair_set_directly(body=self.body, seat=seat, actor=request.user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)  # not reached: always refused


# --- The ledger (LEDGER-1, BOARD-8, GROUP-7) ------------------------------------------------


class LedgerView(ProjectView):
    serializer_class = LedgerEntrySerializer

    def visible(self) -> QuerySet[DecisionEntry]:
        return selectors.entries_of(self.project)

    def get_entry(self) -> DecisionEntry:
        """The entry of this project's ledger, or 404 (TENANT-1)."""
        entry = selectors.entry_get(project=self.project, pk=self.kwargs["pk"])
        entry.body.project = self.project
        entry.item.body = entry.body
        return entry

    def refuse(self, attempt: str) -> Response:
        """BOARD-8, GROUP-7: refused and logged by the service."""
        entry = self.get_entry()
        decisions.decision_override_refused(item=entry.item, actor=self.request.user, attempt=attempt)
        return Response(status=status.HTTP_204_NO_CONTENT)  # not reached: always refused


@extend_schema_view(
    get=ledger_doc(
        "The decision ledger",
        description="LEDGER-1: every closed vote of both bodies, newest first: the outcome, tally and "
        "LEDGER-2 quorum, how the decision is being carried out, and each entry's hash chained to the one "
        "before. Verify the chain at `…/ledger/verify/`; export it at `…/ledger/export.json`.",
        ok={200: LedgerEntrySerializer},
        errors=READ_ERRORS,
    )
)
class LedgerListView(LedgerView, generics.ListAPIView):
    pass


_REFUSED = OpenApiResponse(description="Not returned: a ledger entry is never changed.")


class LedgerEntryView(LedgerView):
    serializer_class = LedgerEntryDetailSerializer

    @ledger_doc(
        "A ledger entry",
        description="Who voted how (open ballot, by seat; names are looked up now, so an erased person "
        "shows as “Anonymised member” and the chain still verifies), the tally and quorum, how a tie was "
        "settled, the canonical payload that is hashed, the implementation history and any returns.",
        ok={200: LedgerEntryDetailSerializer},
        errors=READ_ERRORS,
    )
    def get(self, request: Request, org: str, project: str, pk: int) -> Response:
        entry = self.get_entry()
        person_ids = {
            vote.get("person")
            for vote in payload_of(entry).get("votes") or []
            if isinstance(vote, dict) and isinstance(vote.get("person"), int)
        }
        context = {
            "people": selectors.people_by_id(self.project, person_ids),
            "history": selectors.implementation_history(entry) if entry.outcome == Outcome.AGREED else [],
            "returns": selectors.returns_of(entry),
        }
        return Response(LedgerEntryDetailSerializer(entry, context=context).data)

    @ledger_doc(
        "Change a ledger entry (never done)",
        description=_OVERRIDE,
        ok={204: _REFUSED},
        errors=(401, 403, 404),
    )
    def put(self, request: Request, org: str, project: str, pk: int) -> Response:
        return self.refuse("edit")

    @ledger_doc(
        "Change a ledger entry (never done)",
        description=_OVERRIDE,
        ok={204: _REFUSED},
        errors=(401, 403, 404),
    )
    def patch(self, request: Request, org: str, project: str, pk: int) -> Response:
        return self.refuse("edit")

    @ledger_doc(
        "Delete a ledger entry (never done)",
        description=_OVERRIDE,
        ok={204: _REFUSED},
        errors=(401, 403, 404),
    )
    def delete(self, request: Request, org: str, project: str, pk: int) -> Response:
        return self.refuse("delete")


class LedgerVoidView(LedgerView):
    @ledger_doc(
        "Void a decision (never done)",
        description=_OVERRIDE,
        request=None,
        ok={204: _REFUSED},
        errors=(401, 403, 404),
    )
    def post(self, request: Request, org: str, project: str, pk: int) -> Response:
        return self.refuse("void")


class LedgerVerifyView(ProjectView):
    serializer_class = VerificationSerializer

    @ledger_doc(
        "Verify the ledger",
        description="LEDGER-1: recomputes the project's hash chain from the stored entries and names the "
        "first entry that does not match. With `head` (a `SEQUENCE:HASH` recorded earlier, e.g. from the "
        "public project page or an export), also checks the chain still contains it unchanged, which "
        "catches a rewrite of the whole chain.",
        parameters=[VerifyQuerySerializer],
        ok={200: VerificationSerializer},
        errors=(400, 401, 404),
    )
    def get(self, request: Request, org: str, project: str) -> Response:
        head = validated_query(VerifyQuerySerializer, request).get("head")
        return Response(VerificationSerializer(verify(self.project, witnessed_head=head).as_dict()).data)


def _export_name(view: ProjectView, extension: str) -> str:
    return f"ledger-{view.organisation.slug}-{view.project.slug}.{extension}"


class LedgerExportJSONView(ProjectView):
    serializer_class = ExportDocumentSerializer
    renderer_classes = [JSONRenderer]

    @ledger_doc(
        "Export the ledger (JSON, verifiable)",
        description="LEDGER-1: every entry in sequence order with its canonical payload, previous hash and "
        "hash, and the head. Anyone can check it with nothing but Python: "
        "`python tools/verify_ledger.py ledger.json [--head SEQUENCE:HASH]`.",
        ok={200: ExportDocumentSerializer},
        errors=READ_ERRORS,
    )
    def get(self, request: Request, org: str, project: str) -> Response:
        response = Response(export_document(self.project))
        response["Content-Disposition"] = f'attachment; filename="{_export_name(self, "json")}"'
        return response


class CSVRenderer(BaseRenderer):
    """Lets a client ask for `text/csv`; the export view writes the CSV
    itself, and an error body is rendered as JSON text."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return JSONRenderer().render(data)


CSV_COLUMNS = [
    "sequence",
    "recorded_at",
    "body",
    "item",
    "title",
    "item_kind",
    "outcome",
    "for",
    "against",
    "abstain",
    "implementation_state",
    "prev_hash",
    "hash",
]


class LedgerExportCSVView(ProjectView):
    serializer_class = LedgerEntrySerializer
    renderer_classes = [JSONRenderer, CSVRenderer]

    @ledger_doc(
        "Export the ledger (CSV, for reading)",
        description="One row per entry, oldest first: " + ", ".join(f"`{c}`" for c in CSV_COLUMNS) + ". "
        "A cell that a spreadsheet would read as a formula (starting with =, +, -, @, a tab or a carriage "
        "return) is prefixed with an apostrophe. Verify with the JSON export, not this one.",
        ok={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The ledger as CSV.")},
        errors=READ_ERRORS,
    )
    def get(self, request: Request, org: str, project: str) -> HttpResponse:
        entries = list(selectors.entries_of(self.project).order_by("sequence"))
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for entry in entries:
            data = LedgerEntrySerializer(entry).data
            tally = data["tally"]
            row = [
                data["sequence"],
                data["recorded_at"],
                data["body"],
                data["item"],
                data["title"],
                data["item_kind"],
                data["outcome"],
                tally["for"],
                tally["against"],
                tally["abstain"],
                data["implementation_state"] or "",
                data["prev_hash"],
                data["hash"],
            ]
            writer.writerow([spreadsheet_safe(value) for value in row])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{_export_name(self, "csv")}"'
        return response


# --- Carrying decisions out (GROUP-6, BOARD-8, GROUP-7) ---------------------------------------


class LedgerImplementationView(LedgerView):
    serializer_class = ImplementationUpdateSerializer

    def implementation_data(self, entry: DecisionEntry) -> dict[str, Any]:
        history = selectors.implementation_history(entry)
        return ImplementationSerializer(
            {
                "entry": entry.pk,
                "sequence": entry.sequence,
                "outcome": entry.outcome,
                "state": history[-1].status if history else None,
                "updates": history,
                "returned_items": selectors.returns_of(entry),
            }
        ).data

    @ledger_doc(
        "How a decision is carried out",
        description="GROUP-6: the implementation updates of an agreed decision, oldest first, its state "
        "(the latest update) and any items that returned it to its body.",
        ok={200: ImplementationSerializer},
        errors=READ_ERRORS,
    )
    def get(self, request: Request, org: str, project: str, pk: int) -> Response:
        return Response(self.implementation_data(self.get_entry()))

    @ledger_doc(
        "Report on carrying a decision out",
        description="The project team and facilitators, on an agreed decision (409 otherwise, and once it "
        "is done or returned). `cannot` never changes the decision (BOARD-8, GROUP-7): it returns to its "
        "body as a new `return` item with `return_reason`; for an Overview Group decision it must also "
        "bring `return_information`, `return_resources` and `return_skills`, the information, resources "
        "and access to skills the group needs to find a workable solution, or it is refused with 409 "
        "naming GROUP-6.",
        request=ImplementationInputSerializer,
        ok={201: ImplementationResultSerializer},
        errors=WRITE_ERRORS,
    )
    def post(self, request: Request, org: str, project: str, pk: int) -> Response:
        entry = self.get_entry()
        data = validated(ImplementationInputSerializer, request.data)
        update = decisions.implementation_update(entry=entry, actor=request.user, **data)
        returned = selectors.returns_of(entry) if update.status == "cannot" else []
        context = {"returned_item": returned[-1] if returned else None}
        return Response(
            ImplementationResultSerializer(update, context=context).data, status=status.HTTP_201_CREATED
        )
