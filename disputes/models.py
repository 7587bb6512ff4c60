"""Disputes between the partners of a body, settled by a procedure the body
agreed for itself (BOARD-6, GROUP-5): the procedure with its stages, each
dispute, its parties and the record of every stage."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from boards.models import AgendaItem, Body, DecisionEntry, Seat
from stakeholders.models import Person


class StageKind(models.TextChoices):
    FACILITATED_DISCUSSION = "facilitated_discussion", "Facilitated discussion between the parties"
    MEDIATION = "mediation", "Mediation by a named independent person"
    REFERRAL = "referral", "Referral to the other body for its opinion"
    BODY_VOTE = "body_vote", "A vote of the whole body"


# A procedure a body can adopt as it is: talk first, then mediation, then the
# other body's opinion, and only then a vote of everyone.
DEFAULT_STAGES: list[dict[str, object]] = [
    {"kind": StageKind.FACILITATED_DISCUSSION.value, "days": 14},
    {"kind": StageKind.MEDIATION.value, "days": 28},
    {"kind": StageKind.REFERRAL.value, "days": 21},
    {"kind": StageKind.BODY_VOTE.value, "days": 14},
]


class DisputeProcedure(models.Model):
    """The ordered stages, each with a time limit in days, that a body agreed
    by its own decision for settling disputes. A newer agreed procedure
    replaces the older one; the older stays for the record."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="dispute_procedures")
    stages = models.JSONField()
    agreed_by = models.OneToOneField(
        DecisionEntry, on_delete=models.PROTECT, related_name="dispute_procedure"
    )
    is_current = models.BooleanField(default=True)
    agreed_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organisation="body__project__organisation")

    class Meta:
        ordering = ["-agreed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["body"], condition=Q(is_current=True), name="one_current_procedure_per_body"
            )
        ]

    def __str__(self) -> str:
        return f"Dispute procedure of {self.body} (decision #{self.agreed_by.sequence})"


class DisputeStatus(models.TextChoices):
    OPEN = "open", "Open"
    AGREED = "agreed", "Settled: all parties agreed"
    DECIDED = "decided", "Settled by a decision of the body"
    WITHDRAWN = "withdrawn", "Withdrawn by the person who raised it"


class DisputeSubject(models.TextChoices):
    ITEM = "item", "An agenda item"
    DECISION = "decision", "A decision, its implementation or a return"
    CONDUCT = "conduct", "How the body is run"


class Dispute(models.Model):
    """A disagreement raised by a seat holder (or opened by a tie the body
    sends to its dispute procedure). It ends only by the agreement of every
    party or by a decision of the body; the raiser may withdraw it. The
    project team and facilitators cannot close or decide it (BOARD-6,
    GROUP-5)."""

    Status = DisputeStatus
    Subject = DisputeSubject

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="disputes")
    subject = models.CharField(max_length=20, choices=DisputeSubject.choices)
    item = models.ForeignKey(
        AgendaItem, on_delete=models.PROTECT, null=True, blank=True, related_name="disputes"
    )
    entry = models.ForeignKey(
        DecisionEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="disputes"
    )
    summary = models.TextField(max_length=10_000)
    outcome_sought = models.TextField(max_length=5_000, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    procedure = models.ForeignKey(
        DisputeProcedure, on_delete=models.PROTECT, null=True, blank=True, related_name="disputes"
    )
    status = models.CharField(max_length=20, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    current_stage = models.PositiveIntegerField(
        default=0, help_text="1-based; 0 before the first stage starts."
    )
    decision_item = models.OneToOneField(
        AgendaItem, on_delete=models.PROTECT, null=True, blank=True, related_name="dispute_decided"
    )
    closing_entry = models.ForeignKey(
        DecisionEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="closed_disputes"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organisation="body__project__organisation")

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=DisputeStatus.values), name="dispute_status_valid"),
            models.CheckConstraint(
                condition=Q(subject__in=DisputeSubject.values), name="dispute_subject_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Dispute #{self.pk} on the {self.body.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.status == DisputeStatus.OPEN


class PartySide(models.TextChoices):
    RAISING = "raising", "Raising the dispute"
    RESPONDING = "responding", "Responding"


class DisputeParty(models.Model):
    """A seat holder who is a party to a dispute, on one side. Each party
    records their own agreement to a settlement."""

    Side = PartySide

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="parties")
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="dispute_parties")
    side = models.CharField(max_length=20, choices=PartySide.choices)
    agreed_at = models.DateTimeField(null=True, blank=True)
    agreement_note = models.TextField(max_length=5_000, blank=True)

    objects = ScopedManager(organisation="dispute__body__project__organisation")

    class Meta:
        ordering = ["side", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["dispute", "seat"], name="one_party_per_seat_per_dispute"),
            models.CheckConstraint(condition=Q(side__in=PartySide.values), name="party_side_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.seat.person} ({self.get_side_display()})"


class StageRecord(models.Model):
    """What happened at one stage of a dispute: when it started, its time
    limit, who mediated, what was done and with what result."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="stages")
    order = models.PositiveIntegerField()
    kind = models.CharField(max_length=30, choices=StageKind.choices)
    started_on = models.DateField()
    due_on = models.DateField()
    mediator = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="mediations"
    )
    notes = models.TextField(max_length=20_000, blank=True)
    result = models.TextField(max_length=5_000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organisation="dispute__body__project__organisation")

    class Meta:
        ordering = ["dispute", "order"]
        constraints = [
            models.UniqueConstraint(fields=["dispute", "order"], name="one_record_per_stage"),
            models.CheckConstraint(condition=Q(kind__in=StageKind.values), name="stage_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"Stage {self.order} ({self.get_kind_display()}) of {self.dispute}"
