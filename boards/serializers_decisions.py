"""Serializers of the REST API for how a body decides and for the project's
decision ledger: agenda items, comments, votes, ledger entries, the chain's
verification and export, and implementation updates.

They validate and shape data only; the services in `boards.decisions` write
and enforce BOARD-3, BOARD-5, BOARD-6, BOARD-7, BOARD-8, BOARD-10, GROUP-2,
GROUP-4, GROUP-6, GROUP-7, LEDGER-1 and LEDGER-2. Ids in the input are looked
up only among the seats and meetings of the body in the URL (TENANT-1): any
other id is 'does not exist', whether or not it exists elsewhere. Field
limits mirror the models, so bad input is a 400 with field errors, never a
500.

A ledger entry names its voters by seat and person id (never by name), so
names are looked up when shown: an erased person reads "Anonymised member"
and the chain still verifies (LEDGER-1).
"""

from __future__ import annotations

import json
import re
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from boards.composition import NON_PROFESSIONAL
from boards.models import (
    AgendaItem,
    Body,
    BodyKind,
    Comment,
    DecisionEntry,
    ImplementationStatus,
    ImplementationUpdate,
    ItemKind,
    ItemStatus,
    Meeting,
    Outcome,
    Seat,
    Vote,
    VoteChoice,
)
from boards.selectors_decisions import Tally, speaker_label, user_display
from boards.serializers import MAX_INT
from coprod.rulebook import Rule
from stakeholders.models import ANONYMISED_NAME, Capacity

# Kinds a client may propose: a `return` comes only from an implementation
# update saying a decision cannot be carried out (BOARD-8, GROUP-6).
PROPOSABLE_KINDS = [(value, label) for value, label in ItemKind.choices if value != ItemKind.RETURN]
# Cells a spreadsheet would read as a formula (CSV injection), and the
# control characters that can start one.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_HEAD = re.compile(r"^\s*(\d{1,9})\s*:\s*([0-9a-fA-F]{64})\s*$")

_PROPOSAL_HELP = (
    "The structured proposal of the item's kind, checked now and applied only if the body agrees it. "
    "`general`, `close_project`: none. "
    '`budget_change` (board only, BOARD-7): `{"changes": [{"action": "add", "partner", "purpose", '
    '"amount"} | {"action": "change", "id", "amount"?, "partner"?, "purpose"?} | {"action": "remove", '
    '"id"}]}`. '
    '`personnel` (board only, BOARD-7): `{"action": "appoint" | "remove", "user": id, "role": '
    '"manage_project" | "team_project"}`. '
    '`plan_change` (board only): `{"phases": [...], "milestones": [...]}` with add, change or remove. '
    '`chair_appointment` (BOARD-3, GROUP-2): `{"seat": id, "merit": "20 to 5,000 characters"}`. '
    '`tie_procedure` (BOARD-6, GROUP-5): `{"procedure": "fails" | "dispute" | "chair"}`. '
    "`dispute_procedure`, `dispute_decision`: see the disputes endpoints."
)


def spreadsheet_safe(value: Any) -> str:
    """A cell a spreadsheet shows as text: one starting with = + - @ (or a
    tab or carriage return) would be read as a formula, so it gets a
    leading apostrophe."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def payload_of(entry: DecisionEntry) -> dict[str, Any]:
    """The entry's payload read once per entry object. A damaged payload is
    what the verifier reports; the row is still shown."""
    cached = getattr(entry, "_parsed_payload", None)
    if cached is None:
        try:
            parsed = json.loads(entry.payload)
        except ValueError:
            parsed = {}
        cached = parsed if isinstance(parsed, dict) else {}
        entry._parsed_payload = cached  # type: ignore[attr-defined]
    return cached


def display_name(people: dict[int, tuple[str, bool]], person_id: Any) -> str:
    """The name of a person now: an erased (or missing) person is "Anonymised member"."""
    name, erased = people.get(person_id, ("", True)) if isinstance(person_id, int) else ("", True)
    return ANONYMISED_NAME if erased or not name else name


# --- Shared shapes --------------------------------------------------------------


@extend_schema_field(
    {
        "type": "object",
        "properties": {choice: {"type": "integer"} for choice in VoteChoice.values},
        "required": list(VoteChoice.values),
        "description": "Votes for, against and abstaining.",
    }
)
class TallyField(serializers.DictField):
    """`{"for": n, "against": n, "abstain": n}`."""

    def to_representation(self, value: Any) -> dict[str, int]:
        value = value if isinstance(value, dict) else {}
        return {choice: int(value.get(choice) or 0) for choice in VoteChoice.values}


class QuorumSerializer(serializers.Serializer):
    """LEDGER-2: whether the votes cast met the body's non-professional share."""

    rule = serializers.CharField(help_text="LEDGER-2.")
    applies = serializers.BooleanField(help_text="False when the body switched the check off.")
    votes_cast = serializers.IntegerField()
    non_professional_cast = serializers.IntegerField()
    required_non_professional = serializers.IntegerField()
    share_percent = serializers.IntegerField(help_text="30 for the board, 60 for the group.")


class EntryRefSerializer(serializers.ModelSerializer):
    """A ledger entry named from elsewhere."""

    hash = serializers.CharField(source="entry_hash", read_only=True)

    class Meta:
        model = DecisionEntry
        fields = ["id", "sequence", "outcome", "recorded_at", "hash"]
        read_only_fields = fields


class LatestEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sequence = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=Outcome.choices)


# --- Agenda items -----------------------------------------------------------------


class ItemSerializer(serializers.ModelSerializer):
    """An agenda item as listed: where it stands, this round's vote count,
    and its latest ledger entry. From `selectors_decisions.items_of`."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    comment_count = serializers.IntegerField(read_only=True)
    vote_count = serializers.IntegerField(read_only=True, help_text="Votes cast in the current round.")
    latest_entry = serializers.SerializerMethodField()

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "status",
            "status_label",
            "deadline",
            "round",
            "proposed_by",
            "returns_entry",
            "created_at",
            "voting_opened_at",
            "decided_at",
            "comment_count",
            "vote_count",
            "latest_entry",
        ]
        read_only_fields = fields

    @extend_schema_field(LatestEntrySerializer(allow_null=True))
    def get_latest_entry(self, item: AgendaItem) -> dict[str, Any] | None:
        entry_id = getattr(item, "entry_id", None)
        if entry_id is None:
            return None
        return {"id": entry_id, "sequence": item.entry_sequence, "outcome": item.entry_outcome}


class TallySerializer(serializers.Serializer):
    """The current round as closing the vote would count it now: votes of
    seats that count today, and the LEDGER-2 quorum."""

    counts = TallyField()
    cast = serializers.IntegerField()
    seats = serializers.IntegerField(help_text="Seats that vote today.")
    non_professional_cast = serializers.IntegerField()
    required_non_professional = serializers.IntegerField()
    share_percent = serializers.IntegerField()
    applies = serializers.BooleanField(help_text="Whether the body applies LEDGER-2.")
    quorate = serializers.BooleanField()


def tally_data(tally: Tally) -> dict[str, Any]:
    return {
        "counts": tally.counts,
        "cast": tally.cast,
        "seats": tally.seats,
        "non_professional_cast": tally.non_professional_cast,
        "required_non_professional": tally.required_non_professional,
        "share_percent": tally.share_percent,
        "applies": tally.applies,
        "quorate": tally.quorate,
    }


class OwnVoteSerializer(serializers.Serializer):
    seat = serializers.IntegerField()
    choice = serializers.ChoiceField(choices=VoteChoice.choices)
    recorded_by_facilitator = serializers.BooleanField()


class ItemDetailSerializer(ItemSerializer):
    """One item: the proposal and what agreeing it would do, the tally of
    the current round, the caller's seat and vote, and every ledger entry of
    the item (not-quorate rounds too). The view passes `tally`, `my_seat`,
    `my_vote`, `entries` and `proposal_lines` in the context."""

    proposal_lines = serializers.SerializerMethodField()
    tally = serializers.SerializerMethodField()
    my_seat = serializers.SerializerMethodField()
    my_vote = serializers.SerializerMethodField()
    entries = serializers.SerializerMethodField()

    class Meta(ItemSerializer.Meta):
        fields = [
            *ItemSerializer.Meta.fields,
            "description",
            "proposal",
            "proposal_lines",
            "return_reason",
            "return_information",
            "return_resources",
            "return_skills",
            "tally",
            "my_seat",
            "my_vote",
            "entries",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_proposal_lines(self, item: AgendaItem) -> list[str]:
        """What agreeing the item would do, in plain language."""
        return self.context["proposal_lines"]

    @extend_schema_field(TallySerializer)
    def get_tally(self, item: AgendaItem) -> dict[str, Any]:
        return tally_data(self.context["tally"])

    @extend_schema_field(
        serializers.IntegerField(allow_null=True, help_text="Your seat on this body, if any.")
    )
    def get_my_seat(self, item: AgendaItem) -> int | None:
        seat = self.context["my_seat"]
        return seat.pk if seat is not None else None

    @extend_schema_field(OwnVoteSerializer(allow_null=True))
    def get_my_vote(self, item: AgendaItem) -> dict[str, Any] | None:
        vote = self.context["my_vote"]
        if vote is None:
            return None
        return {
            "seat": vote.seat_id,
            "choice": vote.choice,
            "recorded_by_facilitator": vote.recorded_by_id is not None,
        }

    @extend_schema_field(EntryRefSerializer(many=True))
    def get_entries(self, item: AgendaItem) -> list[dict[str, Any]]:
        return EntryRefSerializer(self.context["entries"], many=True).data


class ItemFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=ItemStatus.choices, required=False, help_text="Only items with this status."
    )


class ItemProposeSerializer(serializers.Serializer):
    """A new item (`decisions.item_propose`)."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(
        choices=PROPOSABLE_KINDS,
        required=False,
        default=ItemKind.GENERAL,
        help_text="Budget, personnel, plan and closing items go to the Project Board only.",
    )
    deadline = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Decide by (BOARD-9, GROUP-8)."
    )
    proposal = serializers.JSONField(required=False, default=dict, help_text=_PROPOSAL_HELP)


class ItemUpdateSerializer(serializers.Serializer):
    """Changes to an item open for discussion (`decisions.item_update`).
    Only these fields; anything else is a 400."""

    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    deadline = serializers.DateField(required=False, allow_null=True)
    proposal = serializers.JSONField(required=False, help_text=_PROPOSAL_HELP)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({field: ["This cannot be changed here."] for field in unknown})
        if not attrs:
            raise serializers.ValidationError("Send at least one of title, description, deadline, proposal.")
        return attrs


# --- Discussion (BOARD-5, GROUP-4) ------------------------------------------------------


class CommentSerializer(serializers.ModelSerializer):
    speaker = serializers.SerializerMethodField(
        help_text="The seat holder with their capacity, or a facilitator; an erased person is anonymised."
    )

    class Meta:
        model = Comment
        fields = ["id", "seat", "speaker", "text", "created_at"]
        read_only_fields = fields

    def get_speaker(self, comment: Comment) -> str:
        return speaker_label(comment)


class CommentCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=10_000)


# --- Votes (BOARD-5, GROUP-4, BOARD-6) ----------------------------------------------------


class VoteSerializer(serializers.ModelSerializer):
    """A seat's vote in the current round (open ballot)."""

    person_name = serializers.SerializerMethodField()
    capacity = serializers.ChoiceField(source="seat.capacity", choices=Capacity.choices, read_only=True)
    non_professional = serializers.SerializerMethodField()
    recorded_by_facilitator = serializers.SerializerMethodField(
        help_text="Recorded by a facilitator from a show of hands; the member can correct it."
    )

    class Meta:
        model = Vote
        fields = [
            "seat",
            "person_name",
            "capacity",
            "non_professional",
            "choice",
            "round",
            "recorded_by_facilitator",
            "recorded_at_meeting",
            "updated_at",
        ]
        read_only_fields = fields

    def get_person_name(self, vote: Vote) -> str:
        person = vote.seat.person
        return ANONYMISED_NAME if person.erased_at is not None else person.name

    def get_non_professional(self, vote: Vote) -> bool:
        return vote.seat.capacity in NON_PROFESSIONAL

    def get_recorded_by_facilitator(self, vote: Vote) -> bool:
        return vote.recorded_by_id is not None


class VoteCastSerializer(serializers.Serializer):
    """A vote (`decisions.vote_cast`). `seat` and `meeting` are looked up
    among the body's own seats and meetings (the view passes `body`)."""

    choice = serializers.ChoiceField(choices=VoteChoice.choices)
    seat = serializers.PrimaryKeyRelatedField(
        queryset=Seat.objects.none(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Default: your own seat. Another member's seat only for a facilitator recording a show "
        "of hands at a held meeting (`meeting`); otherwise it is a proxy, refused (BOARD-5, GROUP-4).",
        error_messages={
            "does_not_exist": "Choose a seat of this body.",
            "incorrect_type": "Choose a seat of this body.",
        },
    )
    meeting = serializers.PrimaryKeyRelatedField(
        queryset=Meeting.objects.none(),
        required=False,
        allow_null=True,
        default=None,
        help_text="A held meeting of this body whose show of hands a facilitator is recording.",
        error_messages={
            "does_not_exist": "Choose a meeting of this body.",
            "incorrect_type": "Choose a meeting of this body.",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        body: Body | None = self.context.get("body")
        if body is not None:
            self.fields["seat"].queryset = Seat.objects.filter(body=body).select_related("person")
            self.fields["meeting"].queryset = Meeting.objects.filter(body=body)


class ChairRequestSerializer(serializers.Serializer):
    seat = serializers.IntegerField(
        min_value=1,
        max_value=MAX_INT,
        required=False,
        allow_null=True,
        help_text="The seat someone wants to install as chair. Refused whatever it is (BOARD-3, GROUP-2).",
    )


# --- The ledger (LEDGER-1) --------------------------------------------------------------


class LedgerEntrySerializer(serializers.ModelSerializer):
    """A ledger entry as listed: what was decided, by which body, the tally
    and quorum, how it is being carried out, and its place in the chain."""

    body = serializers.ChoiceField(source="body.kind", choices=BodyKind.choices, read_only=True)
    title = serializers.SerializerMethodField(help_text="The item's title as it was decided.")
    item_kind = serializers.SerializerMethodField()
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)
    round = serializers.SerializerMethodField()
    tally = serializers.SerializerMethodField()
    quorum = serializers.SerializerMethodField()
    implementation_state = serializers.SerializerMethodField()
    hash = serializers.CharField(source="entry_hash", read_only=True)

    class Meta:
        model = DecisionEntry
        fields = [
            "id",
            "sequence",
            "body",
            "item",
            "title",
            "item_kind",
            "outcome",
            "outcome_label",
            "round",
            "tally",
            "quorum",
            "implementation_state",
            "prev_hash",
            "hash",
            "recorded_at",
        ]
        read_only_fields = fields

    def get_title(self, entry: DecisionEntry) -> str:
        return str(payload_of(entry).get("title") or entry.item.title)

    @extend_schema_field(serializers.ChoiceField(choices=ItemKind.choices))
    def get_item_kind(self, entry: DecisionEntry) -> str:
        return str(payload_of(entry).get("item_kind") or entry.item.kind)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_round(self, entry: DecisionEntry) -> int | None:
        value = payload_of(entry).get("round")
        return value if isinstance(value, int) else None

    @extend_schema_field(TallyField())
    def get_tally(self, entry: DecisionEntry) -> dict[str, int]:
        return TallyField().to_representation(payload_of(entry).get("tally"))

    @extend_schema_field(QuorumSerializer(allow_null=True))
    def get_quorum(self, entry: DecisionEntry) -> dict[str, Any] | None:
        quorum = payload_of(entry).get("quorum")
        if not isinstance(quorum, dict):
            return None
        return {
            "rule": str(quorum.get("rule", Rule.LEDGER_2.value)),
            "applies": bool(quorum.get("applies")),
            "votes_cast": int(quorum.get("votes_cast") or 0),
            "non_professional_cast": int(quorum.get("non_professional_cast") or 0),
            "required_non_professional": int(quorum.get("required_non_professional") or 0),
            "share_percent": int(quorum.get("share_percent") or 0),
        }

    @extend_schema_field(
        serializers.ChoiceField(
            choices=ImplementationStatus.choices,
            allow_null=True,
            help_text="The latest implementation update (GROUP-6); null before the first.",
        )
    )
    def get_implementation_state(self, entry: DecisionEntry) -> str | None:
        return getattr(entry, "implementation_state", None)


class ClosedVoteSerializer(LedgerEntrySerializer):
    """The entry a closed vote appended, and where the item now stands: a
    vote that was not quorate (LEDGER-2) leaves the item open for another round."""

    item_status = serializers.ChoiceField(source="item.status", choices=ItemStatus.choices, read_only=True)
    item_round = serializers.IntegerField(source="item.round", read_only=True)

    class Meta(LedgerEntrySerializer.Meta):
        fields = [*LedgerEntrySerializer.Meta.fields, "item_status", "item_round"]
        read_only_fields = fields


class LedgerVoteSerializer(serializers.Serializer):
    """Who voted how (open ballot), the name looked up now."""

    seat = serializers.IntegerField(allow_null=True)
    person = serializers.IntegerField(allow_null=True, help_text="The person's id in the directory.")
    person_name = serializers.CharField(help_text="“Anonymised member” for an erased person.")
    capacity = serializers.ChoiceField(choices=Capacity.choices, allow_null=True)
    non_professional = serializers.BooleanField()
    choice = serializers.ChoiceField(choices=VoteChoice.choices, allow_null=True)
    recorded_by_facilitator = serializers.BooleanField()


class ImplementationUpdateSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    author_name = serializers.SerializerMethodField(help_text="Empty for an update recorded by the system.")

    class Meta:
        model = ImplementationUpdate
        fields = ["id", "status", "status_label", "note", "author_name", "created_at"]
        read_only_fields = fields

    def get_author_name(self, update: ImplementationUpdate) -> str:
        return user_display(update.author)


class ReturnedItemSerializer(serializers.ModelSerializer):
    """An item that returned a decision to its body (BOARD-8, GROUP-6)."""

    body = serializers.ChoiceField(source="body.kind", choices=BodyKind.choices, read_only=True)

    class Meta:
        model = AgendaItem
        fields = ["id", "body", "title", "status", "return_reason"]
        read_only_fields = fields


class LedgerEntryDetailSerializer(LedgerEntrySerializer):
    """One entry: the listed fields, who voted how, the canonical payload
    that is hashed, the implementation history and any returns. The view
    passes `people` ({person id: (name, erased)}), `history` and `returns`."""

    votes = serializers.SerializerMethodField()
    tie_settled_by = serializers.SerializerMethodField()
    payload = serializers.CharField(read_only=True, help_text="The canonical JSON text that is hashed.")
    implementation = serializers.SerializerMethodField()
    returned_items = serializers.SerializerMethodField()

    class Meta(LedgerEntrySerializer.Meta):
        fields = [
            *LedgerEntrySerializer.Meta.fields,
            "votes",
            "tie_settled_by",
            "payload",
            "implementation",
            "returned_items",
        ]
        read_only_fields = fields

    @extend_schema_field(LedgerVoteSerializer(many=True))
    def get_votes(self, entry: DecisionEntry) -> list[dict[str, Any]]:
        people = self.context["people"]
        rows = []
        for vote in payload_of(entry).get("votes") or []:
            if not isinstance(vote, dict):
                continue
            capacity = vote.get("capacity")
            choice = vote.get("choice")
            rows.append(
                {
                    "seat": vote.get("seat") if isinstance(vote.get("seat"), int) else None,
                    "person": vote.get("person") if isinstance(vote.get("person"), int) else None,
                    "person_name": display_name(people, vote.get("person")),
                    "capacity": capacity if capacity in Capacity.values else None,
                    "non_professional": capacity in NON_PROFESSIONAL,
                    "choice": choice if choice in VoteChoice.values else None,
                    "recorded_by_facilitator": vote.get("recorded_by") is not None,
                }
            )
        return rows

    @extend_schema_field(
        serializers.CharField(
            allow_null=True,
            help_text="How a tie was settled (BOARD-6, GROUP-5): `fails`, `dispute` or `chair` "
            "(a non-professional chair's casting vote); null when there was no tie.",
        )
    )
    def get_tie_settled_by(self, entry: DecisionEntry) -> str | None:
        settled = payload_of(entry).get("tie_settled_by")
        return str(settled) if settled else None

    @extend_schema_field(ImplementationUpdateSerializer(many=True))
    def get_implementation(self, entry: DecisionEntry) -> list[dict[str, Any]]:
        return ImplementationUpdateSerializer(self.context["history"], many=True).data

    @extend_schema_field(ReturnedItemSerializer(many=True))
    def get_returned_items(self, entry: DecisionEntry) -> list[dict[str, Any]]:
        return ReturnedItemSerializer(self.context["returns"], many=True).data


class HeadSerializer(serializers.Serializer):
    sequence = serializers.IntegerField(allow_null=True)
    hash = serializers.CharField(allow_null=True)


class VerificationSerializer(serializers.Serializer):
    """`boards.ledger.verify`: the chain recomputed from the stored entries."""

    verified = serializers.BooleanField()
    entries = serializers.IntegerField(help_text="Entries in the chain.")
    first_bad_sequence = serializers.IntegerField(allow_null=True)
    explanation = serializers.CharField()
    head = HeadSerializer(help_text="The newest entry: write it down to witness the chain later.")


class VerifyQuerySerializer(serializers.Serializer):
    head = serializers.CharField(
        required=False,
        max_length=200,
        help_text="A head recorded earlier, as `SEQUENCE:HASH`: the chain must still contain it unchanged.",
    )

    def validate_head(self, value: str) -> tuple[int, str]:
        match = _HEAD.match(value)
        if match is None:
            raise serializers.ValidationError(
                "Give the head as SEQUENCE:HASH, e.g. 12:9f86d081… (64 hex digits)."
            )
        return int(match.group(1)), match.group(2).lower()


class ExportEntrySerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    payload = serializers.CharField(help_text="Canonical JSON: sorted keys, no spaces.")
    prev_hash = serializers.CharField()
    hash = serializers.CharField()


class ExportDocumentSerializer(serializers.Serializer):
    """`coprod-ledger/1`: what `tools/verify_ledger.py` checks."""

    format = serializers.CharField()
    organisation = serializers.CharField()
    project = serializers.CharField()
    generated_at = serializers.DateTimeField()
    head = HeadSerializer(allow_null=True)
    hash = serializers.CharField(help_text="How each entry's hash is computed.")
    entries = ExportEntrySerializer(many=True)


# --- Carrying decisions out (GROUP-6, BOARD-8) --------------------------------------------


class ImplementationSerializer(serializers.Serializer):
    """How an agreed decision is being carried out."""

    entry = serializers.IntegerField()
    sequence = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    state = serializers.ChoiceField(choices=ImplementationStatus.choices, allow_null=True)
    updates = ImplementationUpdateSerializer(many=True)
    returned_items = ReturnedItemSerializer(many=True)


class ImplementationResultSerializer(ImplementationUpdateSerializer):
    returned_item = serializers.SerializerMethodField(
        help_text="For `cannot`: the new `return` item on the same body; otherwise null."
    )

    class Meta(ImplementationUpdateSerializer.Meta):
        fields = [*ImplementationUpdateSerializer.Meta.fields, "returned_item"]
        read_only_fields = fields

    @extend_schema_field(ReturnedItemSerializer(allow_null=True))
    def get_returned_item(self, update: ImplementationUpdate) -> dict[str, Any] | None:
        item = self.context.get("returned_item")
        return ReturnedItemSerializer(item).data if item is not None else None


class ImplementationInputSerializer(serializers.Serializer):
    """An implementation update (`decisions.implementation_update`)."""

    status = serializers.ChoiceField(
        choices=ImplementationStatus.choices,
        help_text="`cannot` returns the decision to its body as a new item; the decision never changes.",
    )
    note = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")
    return_reason = serializers.CharField(
        max_length=10_000, required=False, allow_blank=True, default="", help_text="For `cannot`: why."
    )
    return_information = serializers.CharField(
        max_length=10_000,
        required=False,
        allow_blank=True,
        default="",
        help_text="For `cannot` on an Overview Group decision (GROUP-6): the information it needs.",
    )
    return_resources = serializers.CharField(
        max_length=10_000,
        required=False,
        allow_blank=True,
        default="",
        help_text="For `cannot` on an Overview Group decision (GROUP-6): the resources it is given.",
    )
    return_skills = serializers.CharField(
        max_length=10_000,
        required=False,
        allow_blank=True,
        default="",
        help_text="For `cannot` on an Overview Group decision (GROUP-6): the access to skills it is given.",
    )
