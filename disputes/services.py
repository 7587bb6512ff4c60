"""Writes for dispute procedures and disputes (BOARD-6, GROUP-5): a body agrees
its procedure by its own decision; any seat holder can raise a dispute; it
moves through the agreed stages; it ends only by the agreement of every party
or by a vote of the body, never by the project team or a facilitator."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from boards.composition import PROJECT_TEAM
from boards.decisions import seat_of
from boards.models import AgendaItem, Body, DecisionEntry, ItemKind, ItemStatus, Outcome, Seat
from boards.rules import rules_for
from coprod.audit import audit_record, refusals_audited
from coprod.errors import Conflict, NotAllowed, Refusal, RuleViolation
from disputes import permissions
from disputes.models import (
    DEFAULT_STAGES,
    Dispute,
    DisputeParty,
    DisputeProcedure,
    DisputeStatus,
    DisputeSubject,
    PartySide,
    StageKind,
    StageRecord,
)
from stakeholders.models import Person

MAX_STAGES = 6
MAX_DAYS = 120


def _rule(body: Body):
    return rules_for(body.kind).ties


def _audit(dispute: Dispute, actor: Any, action: str, **data: Any) -> None:
    audit_record(
        organisation=dispute.body.project.organisation,
        project=dispute.body.project,
        actor=actor,
        action=action,
        obj=dispute,
        rule=_rule(dispute.body),
        data=data,
    )


def current_procedure(body: Body) -> DisputeProcedure | None:
    return DisputeProcedure.objects.filter(body=body, is_current=True).select_related("agreed_by").first()


# --- The procedure, agreed by the body ---------------------------------------------


def clean_procedure_proposal(body: Body, proposal: dict[str, Any]) -> dict[str, Any]:
    """A `dispute_procedure` item proposes an ordered list of stages, each a
    kind and a time limit in days; `{"template": "default"}` adopts the
    default procedure as it is."""
    if proposal.get("template") == "default":
        return {"stages": [dict(stage) for stage in DEFAULT_STAGES]}
    stages = proposal.get("stages")
    if not isinstance(stages, list) or not 1 <= len(stages) <= MAX_STAGES:
        raise ValidationError(
            {"proposal": f"stages: give 1 to {MAX_STAGES} stages, or adopt the default template."}
        )
    cleaned = []
    for stage in stages:
        if not isinstance(stage, dict) or stage.get("kind") not in StageKind.values:
            raise ValidationError(
                {"proposal": "stages: each stage has a kind: " + ", ".join(StageKind.values) + "."}
            )
        try:
            days = int(stage.get("days"))
        except (TypeError, ValueError):
            days = 0
        if not 1 <= days <= MAX_DAYS:
            raise ValidationError(
                {"proposal": f"stages: each stage has a time limit of 1 to {MAX_DAYS} days."}
            )
        cleaned.append({"kind": stage["kind"], "days": days})
    if cleaned[-1]["kind"] != StageKind.BODY_VOTE:
        # Otherwise a dispute whose parties never agree could never end.
        raise ValidationError({"proposal": "stages: the last stage must be a vote of the whole body."})
    return {"stages": cleaned}


def install_agreed_procedure(entry: DecisionEntry, item: AgendaItem, actor: Any) -> None:
    """Effect of an agreed `dispute_procedure` item: it becomes the body's
    procedure, and disputes that were waiting for one start their first stage."""
    body = item.body
    DisputeProcedure.objects.filter(body=body, is_current=True).update(is_current=False)
    procedure = DisputeProcedure.objects.create(body=body, stages=item.proposal["stages"], agreed_by=entry)
    audit_record(
        organisation=body.project.organisation,
        project=body.project,
        actor=actor,
        action="disputes.procedure.agreed",
        obj=procedure,
        rule=_rule(body),
        data={"stages": procedure.stages, "entry": entry.sequence},
    )
    for waiting in Dispute.objects.filter(body=body, status=DisputeStatus.OPEN, procedure__isnull=True):
        waiting.procedure = procedure
        waiting.save(update_fields=["procedure"])
        _start_stage(waiting, 1, actor)


# --- Raising --------------------------------------------------------------------------


def _validate_subject(body: Body, subject: str, item: AgendaItem | None, entry: DecisionEntry | None) -> None:
    if subject not in DisputeSubject.values:
        raise ValidationError({"subject": "Say what the dispute is about."})
    if subject == DisputeSubject.ITEM and (item is None or item.body_id != body.pk):
        raise ValidationError({"item": "Choose an item of this body."})
    if subject == DisputeSubject.DECISION and (entry is None or entry.body_id != body.pk):
        raise ValidationError({"entry": "Choose a decision of this body."})


@refusals_audited
def dispute_raise(
    *,
    body: Body,
    summary: str,
    actor: AbstractBaseUser,
    subject: str = DisputeSubject.CONDUCT,
    outcome_sought: str = "",
    item: AgendaItem | None = None,
    entry: DecisionEntry | None = None,
    respondents: list[Seat] | None = None,
) -> Dispute:
    """BOARD-6, GROUP-5: any seat holder can raise a dispute, as easily as a
    professional; it follows the procedure the body agreed."""
    if body.status == "closed" or not body.project.is_open:
        raise Conflict("This body has closed with its project.")
    raiser_seat = seat_of(actor, body)
    if raiser_seat is None:
        raise NotAllowed("Only members of this body can raise a dispute about it.")
    procedure = current_procedure(body)
    if procedure is None:
        raise RuleViolation(
            _rule(body),
            f"The {body.get_kind_display()} has not agreed a dispute procedure yet. Put a dispute-procedure "
            "item to the body first (the default procedure can be adopted as it is).",
        )
    _validate_subject(body, subject, item, entry)
    if not summary.strip():
        raise ValidationError({"summary": "Say what the disagreement is about."})
    respondents = respondents or []
    for seat in respondents:
        if seat.body_id != body.pk or not seat.is_open:
            raise ValidationError({"respondents": "Choose current members of this body."})
    with transaction.atomic():
        dispute = Dispute(
            body=body,
            subject=subject,
            item=item if subject == DisputeSubject.ITEM else None,
            entry=entry if subject == DisputeSubject.DECISION else None,
            summary=summary.strip(),
            outcome_sought=outcome_sought.strip(),
            raised_by=actor,
            procedure=procedure,
        )
        dispute.full_clean()
        dispute.save()
        DisputeParty.objects.create(dispute=dispute, seat=raiser_seat, side=PartySide.RAISING)
        for seat in {seat.pk: seat for seat in respondents if seat.pk != raiser_seat.pk}.values():
            DisputeParty.objects.create(dispute=dispute, seat=seat, side=PartySide.RESPONDING)
        _audit(dispute, actor, "disputes.dispute.raised", subject=subject, parties=dispute.parties.count())
        _start_stage(dispute, 1, actor)
    return dispute


def open_dispute_for_tie(entry: DecisionEntry, item: AgendaItem, actor: Any) -> Dispute:
    """A tie the body sends to its dispute procedure opens a dispute about the
    item, with those who voted for on one side and against on the other."""
    body = item.body
    dispute = Dispute.objects.create(
        body=body,
        subject=DisputeSubject.ITEM,
        item=item,
        summary=f"The vote on “{item.title}” was tied (decision #{entry.sequence}).",
        outcome_sought="A way forward the body can agree.",
        raised_by=None,
        procedure=current_procedure(body),
    )
    votes = Seat.objects.filter(votes__item=item, votes__round=item.round).values_list("pk", "votes__choice")
    for seat_id, choice in votes:
        if choice in ("for", "against"):
            DisputeParty.objects.create(
                dispute=dispute,
                seat_id=seat_id,
                side=PartySide.RAISING if choice == "for" else PartySide.RESPONDING,
            )
    _audit(dispute, actor, "disputes.dispute.opened_by_tie", entry=entry.sequence)
    if dispute.procedure is not None:
        _start_stage(dispute, 1, actor)
    return dispute


# --- Stages ---------------------------------------------------------------------------


def _start_stage(dispute: Dispute, order: int, actor: Any) -> StageRecord:
    stage = dispute.procedure.stages[order - 1]
    today = timezone.localdate()
    record = StageRecord.objects.create(
        dispute=dispute,
        order=order,
        kind=stage["kind"],
        started_on=today,
        due_on=today + datetime.timedelta(days=int(stage["days"])),
    )
    dispute.current_stage = order
    dispute.save(update_fields=["current_stage"])
    if stage["kind"] == StageKind.BODY_VOTE and dispute.decision_item_id is None:
        dispute.decision_item = AgendaItem.objects.create(
            body=dispute.body,
            kind=ItemKind.DISPUTE_DECISION,
            title=f"Decide dispute #{dispute.pk}"[:200],
            description=dispute.summary,
            proposal={"dispute": dispute.pk},
            proposed_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        dispute.save(update_fields=["decision_item"])
    _audit(
        dispute,
        actor,
        "disputes.stage.started",
        stage=order,
        kind=stage["kind"],
        due_on=record.due_on.isoformat(),
    )
    _notify(
        dispute,
        f"Stage {order} started: {StageKind(stage['kind']).label}. Time limit: {record.due_on:%-d %B %Y}.",
    )
    return record


def _is_project_team(person: Person, body: Body) -> bool:
    """Project team: a project-team seat on either body, or a project manager
    or project team grant on the project."""
    if Seat.objects.filter(
        body__project=body.project, person=person, capacity=PROJECT_TEAM, is_open=True
    ).exists():
        return True
    user = person.user
    return bool(
        user is not None
        and (
            user.has_perm("projects.manage_project", body.project)
            or user.has_perm("projects.team_project", body.project)
        )
    )


@refusals_audited
@transaction.atomic
def stage_record(
    *,
    dispute: Dispute,
    actor: AbstractBaseUser,
    notes: str = "",
    result: str = "",
    mediator: Person | None = None,
) -> StageRecord:
    """Record what happened at the current stage. BOARD-6, GROUP-5: a mediator
    is an independent person: neither a party nor project team."""
    dispute = (
        Dispute.objects.select_for_update(of=("self",)).select_related("body__project").get(pk=dispute.pk)
    )
    if not dispute.is_open:
        raise Conflict("This dispute is settled.")
    require_record = permissions.can_record_stage(actor, dispute)
    if not require_record:
        raise NotAllowed("Only the parties, the mediator and facilitators record a dispute's stages.")
    record = StageRecord.objects.filter(dispute=dispute, order=dispute.current_stage).first()
    if record is None:
        raise Conflict("No stage is under way: the body has not agreed a dispute procedure yet.")
    if mediator is not None:
        if record.kind != StageKind.MEDIATION:
            raise ValidationError({"mediator": "Only a mediation stage has a mediator."})
        if mediator.organisation_id != dispute.body.project.organisation_id:
            raise ValidationError({"mediator": "Choose someone from this organisation's directory."})
        party_people = set(dispute.parties.values_list("seat__person_id", flat=True))
        if mediator.pk in party_people:
            raise RuleViolation(
                _rule(dispute.body), "A party to the dispute cannot mediate it.", field="mediator"
            )
        if _is_project_team(mediator, dispute.body):
            raise RuleViolation(
                _rule(dispute.body),
                "The project team cannot mediate: choose an independent person.",
                field="mediator",
            )
        record.mediator = mediator
    if record.kind == StageKind.MEDIATION and record.mediator is None and (notes or result):
        raise ValidationError({"mediator": "Name the independent mediator."})
    if notes.strip():
        record.notes = (record.notes + "\n\n" if record.notes else "") + notes.strip()
    if result.strip():
        record.result = result.strip()
    record.recorded_by = actor
    record.full_clean()
    record.save()
    _audit(dispute, actor, "disputes.stage.recorded", stage=record.order, mediator=record.mediator_id)
    return record


@refusals_audited
@transaction.atomic
def stage_advance(*, dispute: Dispute, actor: AbstractBaseUser) -> Dispute:
    """Close the current stage with its result and start the next one."""
    dispute = (
        Dispute.objects.select_for_update(of=("self",))
        .select_related("body__project", "procedure")
        .get(pk=dispute.pk)
    )
    if not dispute.is_open:
        raise Conflict("This dispute is settled.")
    if not permissions.can_record_stage(actor, dispute):
        raise NotAllowed("Only the parties, the mediator and facilitators move a dispute on.")
    if dispute.procedure is None:
        raise RuleViolation(_rule(dispute.body), "The body has not agreed a dispute procedure yet.")
    record = StageRecord.objects.get(dispute=dispute, order=dispute.current_stage)
    if not record.result.strip():
        raise ValidationError({"result": "Record the result of this stage before moving on."})
    if dispute.current_stage >= len(dispute.procedure.stages):
        raise Conflict(
            "This is the last stage: the dispute ends by the parties' agreement or the body's vote."
        )
    record.completed_at = timezone.now()
    record.save(update_fields=["completed_at"])
    _start_stage(dispute, dispute.current_stage + 1, actor)
    return dispute


# --- Ending ---------------------------------------------------------------------------


@refusals_audited
@transaction.atomic
def party_agree(*, dispute: Dispute, actor: AbstractBaseUser, note: str = "") -> Dispute:
    """Each party records their own agreement; when all have, the dispute is
    settled by agreement."""
    dispute = (
        Dispute.objects.select_for_update(of=("self",)).select_related("body__project").get(pk=dispute.pk)
    )
    if not dispute.is_open:
        raise Conflict("This dispute is settled.")
    mine = [
        party
        for party in dispute.parties.select_related("seat__person")
        if party.seat.person.user_id == actor.pk
    ]
    if not mine:
        raise RuleViolation(
            _rule(dispute.body),
            "Only the parties themselves record their agreement; nobody agrees on their behalf.",
            refusal=Refusal.ACTOR,
        )
    for party in mine:
        party.agreed_at = timezone.now()
        party.agreement_note = note.strip()
        party.save(update_fields=["agreed_at", "agreement_note"])
    _audit(dispute, actor, "disputes.party.agreed", parties=[party.pk for party in mine])
    if not dispute.parties.filter(agreed_at__isnull=True).exists():
        _close(dispute, DisputeStatus.AGREED, actor, None)
    return dispute


@refusals_audited
@transaction.atomic
def dispute_withdraw(*, dispute: Dispute, actor: AbstractBaseUser, reason: str = "") -> Dispute:
    """The person who raised a dispute may withdraw it; nobody else can, the
    project manager, the project team and facilitators included."""
    dispute = (
        Dispute.objects.select_for_update(of=("self",)).select_related("body__project").get(pk=dispute.pk)
    )
    if not dispute.is_open:
        raise Conflict("This dispute is settled.")
    if dispute.raised_by_id is None or dispute.raised_by_id != actor.pk:
        raise RuleViolation(
            _rule(dispute.body),
            "Only the person who raised this dispute can withdraw it. It ends otherwise by the agreement of "
            "every party or by a decision of the body.",
            refusal=Refusal.ACTOR,
        )
    _close(dispute, DisputeStatus.WITHDRAWN, actor, None, reason=reason)
    return dispute


@refusals_audited
def dispute_close_directly(*, dispute: Dispute, actor: Any) -> None:
    """BOARD-6, GROUP-5: there is no way to close or decide a dispute from
    above. Always refused, and the attempt is logged."""
    raise RuleViolation(
        _rule(dispute.body),
        "A dispute cannot be closed or decided by the project team or a facilitator. It ends by the agreement "
        "of every party, by a vote of the body, or when the person who raised it withdraws it.",
        refusal=Refusal.ACTOR,
    )


def _close(dispute: Dispute, status: str, actor: Any, entry: DecisionEntry | None, reason: str = "") -> None:
    dispute.status = status
    dispute.closed_at = timezone.now()
    dispute.closing_entry = entry
    dispute.save(update_fields=["status", "closed_at", "closing_entry"])
    StageRecord.objects.filter(dispute=dispute, completed_at__isnull=True).update(completed_at=timezone.now())
    _audit(
        dispute, actor, f"disputes.dispute.{status}", entry=entry.sequence if entry else None, reason=reason
    )
    _notify(dispute, f"The dispute is closed: {DisputeStatus(status).label}.")


def on_decision_recorded(
    sender: Any, entry: DecisionEntry, item: AgendaItem, actor: Any, **kwargs: Any
) -> None:
    """A tie sent to the dispute procedure opens a dispute; a vote on a dispute
    (agreed or not) settles it as decided by the body."""
    if item.status == ItemStatus.DISPUTED and entry.outcome == Outcome.TIED:
        open_dispute_for_tie(entry, item, actor)
        return
    if item.kind == ItemKind.DISPUTE_DECISION and entry.outcome in (Outcome.AGREED, Outcome.REJECTED):
        dispute = Dispute.objects.filter(decision_item=item, status=DisputeStatus.OPEN).first()
        if dispute is not None:
            _close(dispute, DisputeStatus.DECIDED, actor, entry)


# --- Notifications --------------------------------------------------------------------


def _notify(dispute: Dispute, message: str) -> None:
    """Email the parties and the chair after commit. Recipients come only from
    this body's seats, so nothing reaches another organisation."""
    body = dispute.body
    emails = set(
        Seat.objects.filter(body=body, dispute_parties__dispute=dispute).values_list(
            "person__email", flat=True
        )
    )
    if body.chair_seat_id:
        emails.update(
            Seat.objects.filter(pk=body.chair_seat_id, body=body).values_list("person__email", flat=True)
        )
    recipients = sorted(email for email in emails if email)
    if not recipients:
        return
    subject = f"Dispute #{dispute.pk} on the {body.get_kind_display()} of {body.project.title}"
    kwargs = {"org": body.project.organisation.slug, "project": body.project.slug, "pk": dispute.pk}

    def send() -> None:
        link = settings.SITE_URL + reverse("disputes:dispute_detail", kwargs=kwargs)
        text = f"{message}\n\nWhat it is about: {dispute.summary}\n\nFollow the dispute: {link}\n"
        send_mail(
            subject=subject, message=text, from_email=None, recipient_list=recipients, fail_silently=True
        )

    transaction.on_commit(send)


def refuse_manual_dispute_decision(body: Body, proposal: dict[str, Any]) -> dict[str, Any]:
    raise ValidationError(
        {"kind": "A dispute comes to a vote of the body through its dispute procedure, not as a new item."}
    )
