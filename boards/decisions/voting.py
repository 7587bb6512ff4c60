"""Opening, casting and closing votes into the ledger (BOARD-5, BOARD-6, GROUP-4, GROUP-5, LEDGER-1, LEDGER-2)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from boards import permissions
from boards.composition import NON_PROFESSIONAL, PROJECT_TEAM, required_non_professional
from boards.decisions.common import audit_item, today
from boards.decisions.effects import apply_decision
from boards.extensions import decision_recorded
from boards.ledger import ledger_append
from boards.models import (
    AgendaItem,
    Body,
    BodyStatus,
    DecisionEntry,
    ItemStatus,
    Meeting,
    MeetingStatus,
    Outcome,
    Seat,
    TieProcedure,
    Vote,
    VoteChoice,
)
from boards.rules import rules_for
from coprod.audit import refusals_audited
from coprod.errors import Conflict, Refusal, RuleViolation
from coprod.rulebook import Rule
from coprod.services import require

# --- Voting ------------------------------------------------------------------------


def can_run_vote(actor: Any, item: AgendaItem) -> bool:
    """Facilitators and the body's chair open and close votes."""
    if permissions.can_manage_body(actor, item.body):
        return True
    chair = item.body.chair_seat
    return chair is not None and chair.is_open and chair.person.user_id == getattr(actor, "pk", None)


def _require_deciding_body(body: Body) -> None:
    if body.status != BodyStatus.ACTIVE:
        rules = rules_for(body.kind)
        why = body.status_reason or f"the {body.get_kind_display()} is {body.get_status_display().lower()}"
        raise RuleViolation(
            rules.share,
            f"The {body.get_kind_display()} takes no decisions while it is "
            f"{body.get_status_display().lower()} ({why}). Restore its composition first.",
        )


@refusals_audited
@transaction.atomic
def voting_open(*, item: AgendaItem, actor: AbstractBaseUser) -> AgendaItem:
    """Only an active body votes (BOARD-4, GROUP-3)."""
    item = (
        AgendaItem.objects.select_for_update(of=("self",))
        .select_related("body__project__organisation")
        .get(pk=item.pk)
    )
    require(can_run_vote(actor, item), "Only a facilitator or the chair can open the vote.")
    _require_deciding_body(item.body)
    if item.status != ItemStatus.OPEN:
        raise Conflict("Voting can only open on an item that is open for discussion.")
    item.status = ItemStatus.VOTING
    item.voting_opened_at = timezone.now()
    item.save(update_fields=["status", "voting_opened_at"])
    audit_item(item, actor, "boards.vote.opened", round=item.round)
    return item


@refusals_audited
def vote_cast(
    *,
    item: AgendaItem,
    seat: Seat,
    choice: str,
    actor: AbstractBaseUser,
    meeting: Meeting | None = None,
) -> Vote:
    """BOARD-5, GROUP-4: one seat, one vote, equal weight, no proxies. The seat
    holder votes for themself and may change the vote while voting is open. At
    a held meeting a facilitator may record a seat's show of hands; the vote
    says so and the member can correct it."""
    rules = rules_for(item.body.kind)
    if choice not in VoteChoice.values:
        raise ValidationError({"choice": "Vote for, against or abstain."})
    if seat.body_id != item.body_id:
        raise ValidationError({"seat": "That seat is not on this body."})
    own = seat.person.user_id is not None and seat.person.user_id == getattr(actor, "pk", None)
    recorded_by = None
    if not own:
        if not permissions.can_manage_body(actor, item.body):
            raise RuleViolation(
                rules.voice,
                "Each member votes for their own seat only: no proxies.",
                refusal=Refusal.ACTOR,
            )
        held = (
            meeting is not None
            and Meeting.objects.filter(
                pk=meeting.pk, body_id=item.body_id, status=MeetingStatus.HELD
            ).exists()
        )
        if not held:
            raise RuleViolation(
                rules.voice,
                "A facilitator can record a member's vote only from a show of hands at a held meeting of this body.",
                refusal=Refusal.ACTOR,
            )
        recorded_by = actor
    with transaction.atomic():
        # Read and locked here, of the body the caller named: a caller may
        # name the item by id alone (`AgendaItem(pk=…, body=…)`); an item of
        # another body raises AgendaItem.DoesNotExist.
        locked = (
            AgendaItem.objects.select_for_update(of=("self",))
            .select_related("body")
            .get(pk=item.pk, body_id=item.body_id)
        )
        # The body's status is read fresh with the lock; its project and
        # organisation (for the audit record) do not change under a vote.
        locked.body.project = item.body.project
        if locked.status != ItemStatus.VOTING:
            raise Conflict("Voting is not open on this item.")
        _require_deciding_body(locked.body)
        if not (seat.is_open and seat.active_on(today())):
            raise ValidationError({"seat": "Only current seat holders vote."})
        # Insert or replace in one statement: concurrent votes from many
        # seats are neither lost nor doubled (unique item, seat, round).
        # The row written (new or replaced) comes back with its id.
        [vote] = Vote.objects.bulk_create(
            [
                Vote(
                    item=locked,
                    seat=seat,
                    round=locked.round,
                    choice=choice,
                    recorded_by=recorded_by,
                    recorded_at_meeting=meeting if recorded_by else None,
                )
            ],
            update_conflicts=True,
            unique_fields=["item", "seat", "round"],
            update_fields=["choice", "recorded_by", "recorded_at_meeting", "updated_at"],
        )
        audit_item(
            locked,
            actor,
            "boards.vote.cast",
            seat=seat.pk,
            choice=choice,
            round=locked.round,
            recorded_by_facilitator=recorded_by is not None,
        )
    return vote


def _tally(votes: list[Vote]) -> dict[str, int]:
    counts = Counter(vote.choice for vote in votes)
    return {choice: counts.get(choice, 0) for choice in VoteChoice.values}


@refusals_audited
@transaction.atomic
def voting_close(*, item: AgendaItem, actor: AbstractBaseUser) -> DecisionEntry:
    """Close the vote and append the outcome to the ledger (LEDGER-1).
    LEDGER-2: the votes cast must meet the body's non-professional share,
    otherwise the item is not quorate and stays open for the next meeting.
    BOARD-6, GROUP-5: a tie is settled by the procedure the body agreed; the
    project team never has a casting vote. An agreed item takes effect here
    and nowhere else (BOARD-3, BOARD-7, BOARD-10, GROUP-2)."""
    item = (
        AgendaItem.objects.select_for_update(of=("self",))
        .select_related("body__project__organisation")
        .get(pk=item.pk)
    )
    body = item.body
    require(can_run_vote(actor, item), "Only a facilitator or the chair can close the vote.")
    if item.status != ItemStatus.VOTING:
        raise Conflict("Voting is not open on this item.")
    _require_deciding_body(body)
    day = today()
    votes = [
        vote
        for vote in Vote.objects.filter(item=item, round=item.round).select_related("seat")
        if vote.seat.is_open and vote.seat.active_on(day)
    ]
    tally = _tally(votes)
    percent = body.policy.min_non_professional_percent
    non_professional_cast = sum(1 for vote in votes if vote.seat.capacity in NON_PROFESSIONAL)
    needed = required_non_professional(len(votes), percent)
    quorate = bool(votes) and (not body.votes_must_meet_share or non_professional_cast >= needed)
    content: dict[str, Any] = {
        "round": item.round,
        "tally": tally,
        "votes": [
            {
                "seat": vote.seat_id,
                "person": vote.seat.person_id,
                "capacity": vote.seat.capacity,
                "choice": vote.choice,
                "recorded_by": vote.recorded_by_id,
            }
            for vote in sorted(votes, key=lambda v: v.seat_id)
        ],
        "quorum": {
            "rule": Rule.LEDGER_2.value,
            "applies": body.votes_must_meet_share,
            "votes_cast": len(votes),
            "non_professional_cast": non_professional_cast,
            "required_non_professional": needed,
            "share_percent": percent,
        },
        "tie_procedure": body.tie_procedure,
        "returns": item.returns_entry.sequence if item.returns_entry_id else None,
    }
    if not quorate:
        entry = ledger_append(item=item, outcome=Outcome.NOT_QUORATE, content=content)
        item.status = ItemStatus.OPEN
        item.round += 1
        item.voting_opened_at = None
        item.save(update_fields=["status", "round", "voting_opened_at"])
        audit_item(
            item,
            actor,
            "boards.vote.not_quorate",
            Rule.LEDGER_2,
            entry=entry.sequence,
            quorum=content["quorum"],
        )
        return entry
    outcome, status, settled_by = _outcome(body, tally, votes)
    content["tie_settled_by"] = settled_by
    entry = ledger_append(item=item, outcome=outcome, content=content)
    item.status = status
    item.decided_at = timezone.now()
    item.save(update_fields=["status", "decided_at"])
    audit_item(
        item,
        actor,
        "boards.vote.closed",
        Rule.LEDGER_1,
        entry=entry.sequence,
        outcome=outcome,
        tally=tally,
        hash=entry.entry_hash,
    )
    if status == ItemStatus.AGREED:
        apply_decision(entry, item, actor)
    decision_recorded.send(sender=DecisionEntry, entry=entry, item=item, actor=actor)
    return entry


def _outcome(body: Body, tally: dict[str, int], votes: list[Vote]) -> tuple[str, str, str | None]:
    """(ledger outcome, item status, how a tie was settled)."""
    if tally["for"] > tally["against"]:
        return Outcome.AGREED, ItemStatus.AGREED, None
    if tally["against"] > tally["for"]:
        return Outcome.REJECTED, ItemStatus.REJECTED, None
    procedure = body.tie_procedure
    if procedure == TieProcedure.DISPUTE:
        return Outcome.TIED, ItemStatus.DISPUTED, "dispute"
    if procedure == TieProcedure.CHAIR:
        chair = body.chair_seat
        # The project team never holds a casting vote (BOARD-6, GROUP-5).
        if (
            chair is not None
            and chair.is_open
            and chair.capacity in NON_PROFESSIONAL
            and chair.capacity != PROJECT_TEAM
        ):
            chair_vote = next((vote for vote in votes if vote.seat_id == chair.pk), None)
            if chair_vote is not None and chair_vote.choice == VoteChoice.FOR:
                return Outcome.AGREED, ItemStatus.AGREED, "chair"
            if chair_vote is not None and chair_vote.choice == VoteChoice.AGAINST:
                return Outcome.REJECTED, ItemStatus.REJECTED, "chair"
    return Outcome.TIED, ItemStatus.REJECTED, "fails"
