"""How a body decides: agenda items, discussion, equal votes, closing a vote
into the ledger, and carrying decisions out. Rules: BOARD-3, BOARD-5, BOARD-6
(casting vote), BOARD-7, BOARD-8, BOARD-10, GROUP-2, GROUP-4, GROUP-6,
GROUP-7, GROUP-9, LEDGER-1, LEDGER-2."""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date

from boards import permissions
from boards.composition import NON_PROFESSIONAL, PROJECT_TEAM, required_non_professional
from boards.ledger import ledger_append
from boards.models import (
    AgendaItem,
    Body,
    BodyStatus,
    Comment,
    DecisionEntry,
    ImplementationStatus,
    ImplementationUpdate,
    ItemKind,
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
from coprod.audit import audit_record, refusals_audited
from coprod.errors import Conflict, NotAllowed, Refusal, RuleViolation
from coprod.rulebook import Rule
from coprod.services import require
from projects import services as project_services
from projects.models import BudgetLine, Milestone, Phase
from projects.permissions import PROJECT_GRANTS, can_edit_project, role_in

BOARD_ONLY_KINDS = {ItemKind.BUDGET_CHANGE, ItemKind.PERSONNEL, ItemKind.PLAN_CHANGE, ItemKind.CLOSE_PROJECT}


def _today() -> datetime.date:
    return timezone.localdate()


def seat_of(user: Any, body: Body, day: datetime.date | None = None) -> Seat | None:
    """The user's own open seat on the body, active on `day` (today)."""
    if not getattr(user, "is_authenticated", False):
        return None
    day = day or _today()
    for seat in Seat.objects.filter(body=body, is_open=True, person__user=user).select_related("person"):
        if seat.active_on(day):
            return seat
    return None


def _audit(item: AgendaItem, actor: Any, action: str, rule: Rule | None = None, **data: Any) -> None:
    audit_record(
        organisation=item.body.project.organisation,
        project=item.body.project,
        actor=actor,
        action=action,
        obj=item,
        rule=rule,
        data=data,
    )


# --- Proposals -------------------------------------------------------------------


def _date(value: Any, field: str) -> str:
    parsed = parse_date(str(value)) if value not in (None, "") else None
    if parsed is None:
        raise ValidationError({"proposal": f"{field}: give a date as YYYY-MM-DD."})
    return parsed.isoformat()


def _amount(value: Any) -> str:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({"proposal": "amount: give a sum of money such as 1250.00."}) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise ValidationError({"proposal": "amount: give a sum of money from 0 up to 9,999,999,999.99."})
    return str(amount.quantize(Decimal("0.01")))


def _text(value: Any, field: str, limit: int = 300) -> str:
    text = str(value or "").strip()
    if not text or len(text) > limit:
        raise ValidationError({"proposal": f"{field}: required, at most {limit} characters."})
    return text


def _changes(raw: Any, field: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw or len(raw) > 100:
        raise ValidationError({"proposal": f"{field}: give a list of 1 to 100 changes."})
    if not all(isinstance(change, dict) for change in raw):
        raise ValidationError({"proposal": f"{field}: each change is an object."})
    return raw


def _object_id(change: dict[str, Any], model: type, project: Any, field: str) -> int:
    try:
        pk = int(change.get("id"))
    except (TypeError, ValueError):
        raise ValidationError({"proposal": f"{field}: each change or removal names an id."}) from None
    if not model.objects.filter(project=project, pk=pk).exists():
        raise ValidationError({"proposal": f"{field}: {pk} is not part of this project."})
    return pk


def clean_proposal(body: Body, kind: str, proposal: Any) -> dict[str, Any]:
    """Check and normalise the structured proposal of an item kind, so that
    what is agreed is exactly what will be applied."""
    if kind not in ItemKind.values:
        raise ValidationError({"kind": "Choose a valid kind of item."})
    if kind == ItemKind.RETURN:
        raise ValidationError(
            {"kind": "Returns come from an implementation update saying a decision cannot be carried out."}
        )
    if kind in BOARD_ONLY_KINDS and body.kind != "board":
        raise ValidationError(
            {"kind": "Only the Project Board decides this kind of item (BOARD-7, BOARD-10)."}
        )
    proposal = proposal or {}
    if not isinstance(proposal, dict):
        raise ValidationError({"proposal": "The proposal must be an object."})
    project = body.project
    if kind in (ItemKind.GENERAL, ItemKind.CLOSE_PROJECT):
        return {}
    if kind == ItemKind.BUDGET_CHANGE:
        cleaned = []
        for change in _changes(proposal.get("changes"), "changes"):
            action = change.get("action")
            if action == "add":
                cleaned.append(
                    {
                        "action": "add",
                        "partner": _text(change.get("partner"), "partner", 200),
                        "purpose": _text(change.get("purpose"), "purpose", 300),
                        "amount": _amount(change.get("amount")),
                    }
                )
            elif action == "change":
                line = _object_id(change, BudgetLine, project, "changes")
                entry: dict[str, Any] = {"action": "change", "id": line}
                if "amount" in change:
                    entry["amount"] = _amount(change["amount"])
                for name, limit in (("partner", 200), ("purpose", 300)):
                    if name in change:
                        entry[name] = _text(change[name], name, limit)
                cleaned.append(entry)
            elif action == "remove":
                cleaned.append({"action": "remove", "id": _object_id(change, BudgetLine, project, "changes")})
            else:
                raise ValidationError({"proposal": "changes: action must be add, change or remove."})
        return {"changes": cleaned}
    if kind == ItemKind.PERSONNEL:
        action = proposal.get("action")
        grant = proposal.get("role")
        if action not in ("appoint", "remove") or grant not in ("manage_project", "team_project"):
            raise ValidationError(
                {
                    "proposal": "Say whether to appoint or remove, and the role: manage_project or team_project."
                }
            )
        try:
            user_id = int(proposal.get("user"))
        except (TypeError, ValueError):
            raise ValidationError({"proposal": "user: name a member of this organisation."}) from None
        user = get_user_model().objects.filter(pk=user_id).first()
        if user is None or role_in(user, project.organisation) is None:
            raise ValidationError({"proposal": "user: name a member of this organisation."})
        return {"action": action, "role": grant, "role_label": PROJECT_GRANTS[grant], "user": user_id}
    if kind == ItemKind.PLAN_CHANGE:
        cleaned_plan: dict[str, list[dict[str, Any]]] = {"phases": [], "milestones": []}
        if not proposal.get("phases") and not proposal.get("milestones"):
            raise ValidationError({"proposal": "Give changes to phases or milestones."})
        for change in _changes(proposal.get("phases") or [{}], "phases") if proposal.get("phases") else []:
            action = change.get("action")
            if action == "add":
                cleaned_plan["phases"].append(
                    {
                        "action": "add",
                        "name": _text(change.get("name"), "name", 120),
                        "starts_on": _date(change.get("starts_on"), "starts_on"),
                        "ends_on": _date(change.get("ends_on"), "ends_on"),
                    }
                )
            elif action == "change":
                entry = {"action": "change", "id": _object_id(change, Phase, project, "phases")}
                for name in ("starts_on", "ends_on"):
                    if name in change:
                        entry[name] = _date(change[name], name)
                if "name" in change:
                    entry["name"] = _text(change["name"], "name", 120)
                cleaned_plan["phases"].append(entry)
            elif action == "remove":
                cleaned_plan["phases"].append(
                    {"action": "remove", "id": _object_id(change, Phase, project, "phases")}
                )
            else:
                raise ValidationError({"proposal": "phases: action must be add, change or remove."})
        for change in (
            _changes(proposal.get("milestones"), "milestones") if proposal.get("milestones") else []
        ):
            action = change.get("action")
            if action == "add":
                cleaned_plan["milestones"].append(
                    {
                        "action": "add",
                        "title": _text(change.get("title"), "title", 200),
                        "due_on": _date(change.get("due_on"), "due_on"),
                    }
                )
            elif action == "change":
                entry = {"action": "change", "id": _object_id(change, Milestone, project, "milestones")}
                if "due_on" in change:
                    entry["due_on"] = _date(change["due_on"], "due_on")
                if "title" in change:
                    entry["title"] = _text(change["title"], "title", 200)
                cleaned_plan["milestones"].append(entry)
            elif action == "remove":
                cleaned_plan["milestones"].append(
                    {"action": "remove", "id": _object_id(change, Milestone, project, "milestones")}
                )
            else:
                raise ValidationError({"proposal": "milestones: action must be add, change or remove."})
        return cleaned_plan
    if kind == ItemKind.CHAIR_APPOINTMENT:
        try:
            seat_id = int(proposal.get("seat"))
        except (TypeError, ValueError):
            raise ValidationError({"proposal": "seat: name the seat of the proposed chair."}) from None
        seat = Seat.objects.filter(body=body, pk=seat_id, is_open=True).first()
        if seat is None:
            raise ValidationError({"proposal": "seat: name a current seat of this body."})
        merit = str(proposal.get("merit") or "").strip()
        if len(merit) < 20 or len(merit) > 5000:
            raise ValidationError(
                {"proposal": "merit: say, in 20 to 5,000 characters, why this person is the right chair."}
            )
        return {"seat": seat.pk, "capacity": seat.capacity, "merit": merit}
    if kind == ItemKind.TIE_PROCEDURE:
        procedure = proposal.get("procedure")
        if procedure not in TieProcedure.values:
            raise ValidationError({"proposal": "procedure: fails, dispute or chair."})
        return {"procedure": procedure}
    raise ValidationError({"kind": "Choose a valid kind of item."})  # pragma: no cover


def item_propose(
    *,
    body: Body,
    title: str,
    actor: AbstractBaseUser,
    kind: str = ItemKind.GENERAL,
    description: str = "",
    deadline: datetime.date | None = None,
    proposal: Any = None,
) -> AgendaItem:
    """Any seat holder or the project's facilitators put an item to the body.
    Kinds with effects (budget, personnel, plan, chair, tie procedure,
    closing) carry a structured proposal that is checked now and applied only
    if agreed (BOARD-3, BOARD-7, BOARD-10, GROUP-2)."""
    if seat_of(actor, body) is None and not permissions.can_manage_body(actor, body):
        raise NotAllowed("Only members of this body and the project's facilitators can put items to it.")
    if body.status == BodyStatus.CLOSED or not body.project.is_open:
        raise Conflict("This body is closed.")
    with transaction.atomic():
        cleaned = clean_proposal(body, kind, proposal)
        item = AgendaItem(
            body=body,
            kind=kind,
            title=title.strip(),
            description=description,
            deadline=deadline,
            proposal=cleaned,
            proposed_by=actor,
        )
        item.full_clean()
        item.save()
        _audit(item, actor, "boards.item.proposed", kind=kind, proposal=cleaned)
    return item


@refusals_audited
@transaction.atomic
def item_update(*, item: AgendaItem, actor: AbstractBaseUser, **changes: Any) -> AgendaItem:
    """Edit an item while it is open for discussion. A decided item is never
    edited: that is an override, refused (BOARD-8, GROUP-7)."""
    item = AgendaItem.objects.select_for_update(of=("self",)).select_related("body__project").get(pk=item.pk)
    if item.is_decided:
        decision_override_refused(item=item, actor=actor, attempt="edit")
    if item.proposed_by_id != getattr(actor, "pk", None) and not permissions.can_manage_body(
        actor, item.body
    ):
        raise NotAllowed("Only the proposer or a facilitator can edit this item.")
    if item.status != ItemStatus.OPEN:
        raise Conflict("Voting has started: the item can no longer be edited.")
    allowed = {"title", "description", "deadline", "proposal"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({field: "This cannot be changed." for field in unknown})
    if "proposal" in changes:
        changes["proposal"] = clean_proposal(item.body, item.kind, changes["proposal"])
    for field, value in changes.items():
        setattr(item, field, value)
    item.full_clean()
    item.save()
    _audit(item, actor, "boards.item.updated", fields=sorted(changes))
    return item


@refusals_audited
def decision_override_refused(*, item: AgendaItem, actor: Any, attempt: str) -> None:
    """BOARD-8, GROUP-7: nobody (the project manager included) overrules,
    edits, deletes or voids an agreed item. The attempt is refused and kept
    in the audit log even though nothing else is written."""
    rules = rules_for(item.body.kind)
    raise RuleViolation(
        rules.override,
        f"“{item.title}” was decided by the {item.body.get_kind_display()} and cannot be "
        f"{'edited' if attempt == 'edit' else 'deleted' if attempt == 'delete' else 'overruled or voided'}. "
        "If it cannot be carried out, record that in its implementation: it returns to the body "
        "with the reason, and the body agrees the way forward.",
        refusal=Refusal.ACTOR,
        evidence=[{"item": item.pk, "attempt": attempt}],
    )


def comment_add(*, item: AgendaItem, text: str, actor: AbstractBaseUser) -> Comment:
    """BOARD-5, GROUP-4: every seat holder may speak on every item before and
    during the vote; facilitators too."""
    seat = seat_of(actor, item.body)
    if seat is None and not permissions.can_manage_body(actor, item.body):
        raise NotAllowed("Only members of this body and the project's facilitators can comment.")
    if item.is_decided:
        raise Conflict("This item has been decided; discussion is closed.")
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write your comment."})
    with transaction.atomic():
        comment = Comment(item=item, author=actor, seat=seat, text=text)
        comment.full_clean()
        comment.save()
        _audit(item, actor, "boards.item.commented", comment=comment.pk)
    return comment


# --- Voting ------------------------------------------------------------------------


def _can_run_vote(actor: Any, item: AgendaItem) -> bool:
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
    require(_can_run_vote(actor, item), "Only a facilitator or the chair can open the vote.")
    _require_deciding_body(item.body)
    if item.status != ItemStatus.OPEN:
        raise Conflict("Voting can only open on an item that is open for discussion.")
    item.status = ItemStatus.VOTING
    item.voting_opened_at = timezone.now()
    item.save(update_fields=["status", "voting_opened_at"])
    _audit(item, actor, "boards.vote.opened", round=item.round)
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
        locked = AgendaItem.objects.select_for_update(of=("self",)).select_related("body").get(pk=item.pk)
        if locked.status != ItemStatus.VOTING:
            raise Conflict("Voting is not open on this item.")
        _require_deciding_body(locked.body)
        if not (seat.is_open and seat.active_on(_today())):
            raise ValidationError({"seat": "Only current seat holders vote."})
        # Insert or replace in one statement: concurrent votes from many
        # seats are neither lost nor doubled (unique item, seat, round).
        Vote.objects.bulk_create(
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
        vote = Vote.objects.get(item=locked, seat=seat, round=locked.round)
        _audit(
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
    require(_can_run_vote(actor, item), "Only a facilitator or the chair can close the vote.")
    if item.status != ItemStatus.VOTING:
        raise Conflict("Voting is not open on this item.")
    _require_deciding_body(body)
    today = _today()
    votes = [
        vote
        for vote in Vote.objects.filter(item=item, round=item.round).select_related("seat")
        if vote.seat.is_open and vote.seat.active_on(today)
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
        _audit(
            item, actor, "boards.vote.not_quorate", Rule.LEDGER_2, entry=entry.sequence, quorum=content["quorum"]
        )
        return entry
    outcome, status, settled_by = _outcome(body, tally, votes)
    content["tie_settled_by"] = settled_by
    entry = ledger_append(item=item, outcome=outcome, content=content)
    item.status = status
    item.decided_at = timezone.now()
    item.save(update_fields=["status", "decided_at"])
    _audit(
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
        _apply(entry, item, actor)
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


# --- Effects: decisions take effect only through the ledger --------------------------


def _apply(entry: DecisionEntry, item: AgendaItem, actor: Any) -> None:
    """Carry out what an agreed item decided, within the closing transaction.
    These are the only calls that change the budget, project-team roles, the
    plan, the chair, the tie procedure or the project's status once the board
    governs."""
    kind = item.kind
    proposal = item.proposal
    body = item.body
    project = body.project
    if kind == ItemKind.BUDGET_CHANGE:
        for change in proposal["changes"]:
            if change["action"] == "add":
                project_services.budget_line_record(
                    project=project,
                    partner=change["partner"],
                    purpose=change["purpose"],
                    amount=Decimal(change["amount"]),
                    authority=entry,
                    actor=actor,
                )
            else:
                line = BudgetLine.objects.get(project=project, pk=change["id"])
                if change["action"] == "remove":
                    project_services.budget_line_remove(line=line, authority=entry, actor=actor)
                else:
                    fields = {k: v for k, v in change.items() if k in ("partner", "purpose")}
                    if "amount" in change:
                        fields["amount"] = Decimal(change["amount"])
                    project_services.budget_line_change(line=line, authority=entry, actor=actor, **fields)
    elif kind == ItemKind.PERSONNEL:
        user = get_user_model().objects.get(pk=proposal["user"])
        service = (
            project_services.project_grant_role
            if proposal["action"] == "appoint"
            else project_services.project_revoke_role
        )
        service(project=project, user=user, grant=proposal["role"], actor=actor, authority=entry)
    elif kind == ItemKind.PLAN_CHANGE:
        _apply_plan(entry, project, proposal, actor)
    elif kind == ItemKind.CHAIR_APPOINTMENT:
        seat = Seat.objects.get(body=body, pk=proposal["seat"])
        Body.objects.filter(pk=body.pk).update(chair_seat=seat, chair_merit_statement=proposal["merit"])
        audit_record(
            organisation=project.organisation,
            project=project,
            actor=actor,
            action="boards.body.chair_appointed",
            obj=body,
            rule=rules_for(body.kind).chair,
            data={"seat": seat.pk, "capacity": seat.capacity, "entry": entry.sequence},
        )
    elif kind == ItemKind.TIE_PROCEDURE:
        Body.objects.filter(pk=body.pk).update(tie_procedure=proposal["procedure"])
        audit_record(
            organisation=project.organisation,
            project=project,
            actor=actor,
            action="boards.body.tie_procedure_agreed",
            obj=body,
            rule=rules_for(body.kind).ties,
            data={"procedure": proposal["procedure"], "entry": entry.sequence},
        )
    elif kind == ItemKind.CLOSE_PROJECT:
        project_services.project_close_by_decision(project=project, authority=entry, actor=actor)
        Body.objects.filter(project=project).update(
            status=BodyStatus.CLOSED,
            status_since=timezone.now(),
            status_reason=f"Project closed by decision #{entry.sequence}.",
        )
    else:
        return
    ImplementationUpdate.objects.create(
        entry=entry,
        status=ImplementationStatus.DONE,
        note="Applied when the decision was agreed.",
        author=None,
    )


def _apply_plan(entry: DecisionEntry, project: Any, proposal: dict[str, Any], actor: Any) -> None:
    for change in proposal.get("phases", []):
        if change["action"] == "add":
            project_services.phase_add(
                project=project,
                name=change["name"],
                starts_on=parse_date(change["starts_on"]),
                ends_on=parse_date(change["ends_on"]),
                actor=actor,
                authority=entry,
            )
        else:
            phase = Phase.objects.get(project=project, pk=change["id"])
            if change["action"] == "remove":
                project_services.phase_remove(phase=phase, actor=actor, authority=entry)
            else:
                fields = {
                    k: (parse_date(v) if k.endswith("_on") else v)
                    for k, v in change.items()
                    if k in ("name", "starts_on", "ends_on")
                }
                project_services.phase_update(phase=phase, actor=actor, authority=entry, **fields)
    for change in proposal.get("milestones", []):
        if change["action"] == "add":
            project_services.milestone_add(
                project=project,
                title=change["title"],
                due_on=parse_date(change["due_on"]),
                actor=actor,
                authority=entry,
            )
        else:
            milestone = Milestone.objects.get(project=project, pk=change["id"])
            if change["action"] == "remove":
                project_services.milestone_remove(milestone=milestone, actor=actor, authority=entry)
            else:
                fields = {
                    k: (parse_date(v) if k == "due_on" else v)
                    for k, v in change.items()
                    if k in ("title", "due_on")
                }
                project_services.milestone_update(milestone=milestone, actor=actor, authority=entry, **fields)


def chair_set_directly(*, body: Body, seat: Seat, actor: Any) -> None:
    """BOARD-3, GROUP-2: nobody installs a chair; the body appoints one by an
    agreed `chair_appointment` item. Always refused, and logged."""
    _refuse_direct_chair(body=body, actor=actor)


@refusals_audited
def _refuse_direct_chair(*, body: Body, actor: Any) -> None:
    raise RuleViolation(
        rules_for(body.kind).chair,
        "The chair is appointed by a vote of the body on a chair-appointment item with a statement of merit.",
        refusal=Refusal.ACTOR,
    )


# --- Carrying decisions out ----------------------------------------------------------


def can_report_implementation(user: Any, entry: DecisionEntry) -> bool:
    project = entry.project
    return can_edit_project(user, project) or bool(
        getattr(user, "is_authenticated", False) and user.has_perm("projects.team_project", project)
    )


@refusals_audited
def implementation_update(
    *,
    entry: DecisionEntry,
    status: str,
    actor: AbstractBaseUser,
    note: str = "",
    return_reason: str = "",
    return_information: str = "",
    return_resources: str = "",
    return_skills: str = "",
) -> ImplementationUpdate:
    """The project team reports progress on an agreed decision (GROUP-6).
    "Cannot be carried out" never changes the decision (BOARD-8, GROUP-7):
    it creates a `return` item on the same body with the reason, and for the
    Overview Group with the information, resources and access to skills it
    needs to find a workable solution; a return without them is refused."""
    require(
        can_report_implementation(actor, entry),
        "Only the project team and facilitators report on implementation.",
    )
    if status not in ImplementationStatus.values:
        raise ValidationError({"status": "Choose a valid implementation state."})
    if entry.outcome != Outcome.AGREED:
        raise Conflict("Only agreed decisions are carried out.")
    body = entry.body
    with transaction.atomic():
        latest = ImplementationUpdate.objects.filter(entry=entry).order_by("-created_at", "-pk").first()
        if latest is not None and latest.status in (ImplementationStatus.DONE, ImplementationStatus.CANNOT):
            raise Conflict(f"This decision is already marked “{latest.get_status_display().lower()}”.")
        if status == ImplementationStatus.CANNOT:
            missing = {}
            if not return_reason.strip():
                missing["return_reason"] = "Say why it cannot be carried out."
            if body.kind == "overview":
                for field, value in (
                    ("return_information", return_information),
                    ("return_resources", return_resources),
                    ("return_skills", return_skills),
                ):
                    if not value.strip():
                        missing[field] = "Required when returning an Overview Group decision (GROUP-6)."
            if missing:
                if body.kind == "overview" and set(missing) - {"return_reason"}:
                    raise RuleViolation(
                        Rule.GROUP_6,
                        "A decision returned to the Overview Group must come with the information, the resources "
                        "and the access to skills the group needs to find a workable solution.",
                        evidence=[{"field": field, "problem": problem} for field, problem in missing.items()],
                        field=next(iter(sorted(missing))),
                    )
                raise ValidationError(missing)
        update = ImplementationUpdate.objects.create(
            entry=entry, status=status, note=note.strip(), author=actor
        )
        audit_record(
            organisation=entry.project.organisation,
            project=entry.project,
            actor=actor,
            action="boards.implementation.updated",
            obj=entry,
            rule=Rule.GROUP_6 if body.kind == "overview" else None,
            data={"status": status, "entry": entry.sequence},
        )
        if status == ImplementationStatus.CANNOT:
            returned = AgendaItem.objects.create(
                body=body,
                kind=ItemKind.RETURN,
                title=f"Returned: {entry.item.title}"[:200],
                description=note.strip(),
                proposal={"returns": entry.sequence},
                proposed_by=actor,
                returns_entry=entry,
                return_reason=return_reason.strip(),
                return_information=return_information.strip(),
                return_resources=return_resources.strip(),
                return_skills=return_skills.strip(),
            )
            _audit(
                returned, actor, "boards.item.returned", rules_for(body.kind).override, entry=entry.sequence
            )
    return update


def implementation_state(entry: DecisionEntry) -> str | None:
    latest = ImplementationUpdate.objects.filter(entry=entry).order_by("-created_at", "-pk").first()
    return latest.status if latest else None
