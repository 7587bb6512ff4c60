"""The two governing bodies of a project and who sits on them: the Project
Board and the Overview Group, their seats with terms, and their meetings.
Rules touching these: BOARD-1, BOARD-2, BOARD-4, BOARD-9, BOARD-10, GROUP-1,
GROUP-3, GROUP-8, GROUP-9, TEAM-1..6."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from boards.composition import BOARD, OVERVIEW, POLICIES, BodyPolicy, SeatFacts
from projects.models import Phase, Project
from stakeholders.models import Capacity, Person, StakeholderGroup


class BodyKind(models.TextChoices):
    BOARD = BOARD, _("Project Board")
    OVERVIEW = OVERVIEW, _("Overview Group")


class BodyStatus(models.TextChoices):
    FORMING = "forming", _("Forming")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class TieProcedure(models.TextChoices):
    FAILS = "fails", "A tie fails: things stay as they are"
    DISPUTE = "dispute", "A tie goes to the dispute procedure"
    CHAIR = "chair", "The chair casts the deciding vote"


class Body(models.Model):
    """The Project Board or the Overview Group of one project. It becomes
    active only when its composition passes its policy (BOARD-2, BOARD-4,
    GROUP-1, GROUP-3); while forming or suspended it takes no decisions; it
    closes only with its project (BOARD-10, GROUP-9)."""

    Kind = BodyKind
    Status = BodyStatus

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="bodies")
    kind = models.CharField(max_length=20, choices=BodyKind.choices)
    status = models.CharField(max_length=20, choices=BodyStatus.choices, default=BodyStatus.FORMING)
    # BOARD-1: the board's remit, each part recorded explicitly.
    remit_equal_status = models.BooleanField(
        default=True, help_text="Partners have equal status on this body."
    )
    remit_finance = models.BooleanField(
        default=True, help_text="This body controls the project's finance equitably."
    )
    remit_quality = models.BooleanField(default=True, help_text="This body oversees the quality of delivery.")
    remit_plan = models.BooleanField(default=True, help_text="This body keeps the project to its plan.")
    remit_notes = models.TextField(max_length=5000, blank=True)
    meeting_cadence_days = models.PositiveIntegerField(
        default=42,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
        help_text="The longest gap, in days, allowed between held meetings (BOARD-9, GROUP-8).",
    )
    # LEDGER-2: a vote counts only when the votes cast meet the share.
    votes_must_meet_share = models.BooleanField(default=True)
    # BOARD-6, GROUP-5: how a tie is settled, as agreed by a `tie_procedure`
    # decision of the body. Until one is agreed a tie fails (status quo).
    tie_procedure = models.CharField(max_length=20, choices=TieProcedure.choices, default=TieProcedure.FAILS)
    # BOARD-3, GROUP-2: installed only by an agreed `chair_appointment` item.
    chair_seat = models.ForeignKey(
        "Seat", on_delete=models.SET_NULL, null=True, blank=True, related_name="chair_of"
    )
    chair_merit_statement = models.TextField(max_length=5000, blank=True)
    status_since = models.DateTimeField(null=True, blank=True)
    status_reason = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organisation="project__organisation")

    class Meta:
        ordering = ["project", "kind"]
        verbose_name_plural = "bodies"
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="one_body_of_each_kind_per_project"),
            models.CheckConstraint(condition=Q(kind__in=BodyKind.values), name="body_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=BodyStatus.values), name="body_status_valid"),
            models.CheckConstraint(
                condition=Q(tie_procedure__in=TieProcedure.values), name="body_tie_procedure_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.project}"

    def get_absolute_url(self) -> str:
        return reverse(
            "boards:body_detail",
            kwargs={"org": self.project.organisation.slug, "project": self.project.slug, "kind": self.kind},
        )

    @property
    def policy(self) -> BodyPolicy:
        return POLICIES[self.kind]

    @property
    def takes_decisions(self) -> bool:
        return self.status == BodyStatus.ACTIVE


class SeatEndReason(models.TextChoices):
    RESIGNED = "resigned", "Resigned"
    DIED = "died", "Died"
    TERM_ENDED = "term_ended", "Term ended"
    REMOVED = "removed", "Removed by a facilitator"


class Seat(models.Model):
    """A person's membership of a body in one capacity, representing one
    stakeholder group, for a term (TEAM-1). The capacity, not the person,
    decides whether the seat is professional. A seat counts from
    `term_start` up to (not including) `term_end`. Ended seats stay for the
    record; one open seat per person per body."""

    EndReason = SeatEndReason

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="seats")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="seats")
    capacity = models.CharField(max_length=20, choices=Capacity.choices)
    stakeholder_group = models.ForeignKey(
        StakeholderGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="seats"
    )
    phase = models.ForeignKey(Phase, on_delete=models.SET_NULL, null=True, blank=True, related_name="seats")
    term_start = models.DateField()
    term_end = models.DateField(null=True, blank=True)
    is_open = models.BooleanField(default=True, help_text="False once the seat has been ended for good.")
    end_reason = models.CharField(max_length=20, choices=SeatEndReason.choices, blank=True)
    end_note = models.TextField(max_length=2000, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organisation="body__project__organisation")

    class Meta:
        ordering = ["body", "term_start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "person"], condition=Q(is_open=True), name="one_open_seat_per_person_per_body"
            ),
            models.CheckConstraint(condition=Q(capacity__in=Capacity.values), name="seat_capacity_valid"),
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gt=F("term_start")),
                name="seat_term_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(end_reason="") | Q(end_reason__in=SeatEndReason.values),
                name="seat_end_reason_valid",
            ),
        ]
        indexes = [models.Index(fields=["body", "is_open"])]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_capacity_display()}) on {self.body}"

    @property
    def facts(self) -> SeatFacts:
        return SeatFacts(
            seat_id=self.pk,
            capacity=self.capacity,
            group_id=self.stakeholder_group_id,
            term_start=self.term_start,
            term_end=self.term_end,
        )

    def active_on(self, day: datetime.date) -> bool:
        return self.facts.active_on(day)


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class Meeting(models.Model):
    """A meeting of a body: when and where, how it is made accessible, and
    once held, who attended and the minutes. Held meetings are what the
    cadence checks count (BOARD-9, GROUP-8)."""

    Status = MeetingStatus

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="meetings")
    scheduled_at = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField(
        default=120, validators=[MinValueValidator(15), MaxValueValidator(720)]
    )
    place = models.CharField(max_length=300, blank=True)
    online_link = models.URLField(blank=True)
    accessibility = models.TextField(
        max_length=2000,
        blank=True,
        help_text="How the meeting is made accessible: step-free access, hearing loop, BSL, easy-read papers.",
    )
    status = models.CharField(max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    minutes = models.TextField(max_length=50_000, blank=True)
    held_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organisation="body__project__organisation")

    class Meta:
        ordering = ["scheduled_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=MeetingStatus.values), name="meeting_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="held") | Q(held_on__isnull=False), name="held_meeting_has_date"
            ),
        ]
        indexes = [models.Index(fields=["body", "status", "scheduled_at"])]

    def __str__(self) -> str:
        return f"{self.body.get_kind_display()} meeting on {self.scheduled_at:%d %b %Y}"


class Attendance(models.Model):
    """Whether one seat holder attended one held meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="attendance")
    attended = models.BooleanField(default=True)

    objects = ScopedManager(organisation="meeting__body__project__organisation")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "seat"], name="one_attendance_per_seat_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.seat.person} at {self.meeting}"


# --- Decisions ---------------------------------------------------------------


class ItemKind(models.TextChoices):
    GENERAL = "general", "General"
    BUDGET_CHANGE = "budget_change", "Budget change"
    PERSONNEL = "personnel", "Project-team appointment or removal"
    PLAN_CHANGE = "plan_change", "Change to the plan (phases and milestones)"
    CHAIR_APPOINTMENT = "chair_appointment", "Appointment of the chair"
    TIE_PROCEDURE = "tie_procedure", "How ties are settled"
    CLOSE_PROJECT = "close_project", "Close the project"
    RETURN = "return", "A decision that could not be carried out, returned"
    DISPUTE_PROCEDURE = "dispute_procedure", "The body's dispute procedure"
    DISPUTE_DECISION = "dispute_decision", "A dispute put to the whole body"


class ItemStatus(models.TextChoices):
    OPEN = "open", _("Open for discussion")
    VOTING = "voting", _("Voting")
    AGREED = "agreed", _("Agreed")
    REJECTED = "rejected", _("Not agreed")
    DISPUTED = "disputed", _("Tied: gone to the dispute procedure")


class AgendaItem(models.Model):
    """Something a body is asked to decide: a proposal, its discussion, its
    votes and its outcome. Some kinds carry a structured proposal that takes
    effect only when agreed (BOARD-3, BOARD-7, BOARD-10, GROUP-2). Once decided
    it is never edited: the ledger entry is the record (BOARD-8, GROUP-7)."""

    Kind = ItemKind
    Status = ItemStatus

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(max_length=30, choices=ItemKind.choices, default=ItemKind.GENERAL)
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=20_000, blank=True)
    proposal = models.JSONField(default=dict, blank=True)
    deadline = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    round = models.PositiveIntegerField(
        default=1, help_text="Voting round; a round that is not quorate carries over."
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # For a `return` item: the decision that could not be carried out, and
    # what the body is given to find a workable solution (GROUP-6).
    returns_entry = models.ForeignKey(
        "DecisionEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="returns"
    )
    return_reason = models.TextField(max_length=10_000, blank=True)
    return_information = models.TextField(max_length=10_000, blank=True)
    return_resources = models.TextField(max_length=10_000, blank=True)
    return_skills = models.TextField(max_length=10_000, blank=True)
    # A public input a facilitator put to the body (TEAM-9); the input shows
    # it was routed, and to which item, through `agenda_items`.
    source_input = models.ForeignKey(
        "stakeholders.PublicInput",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
    )
    voting_opened_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organisation="body__project__organisation")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ItemKind.values), name="item_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=ItemStatus.values), name="item_status_valid"),
            models.CheckConstraint(
                condition=~Q(kind="return") | Q(returns_entry__isnull=False),
                name="return_item_names_its_decision",
            ),
            models.UniqueConstraint(
                fields=["body", "source_input"],
                condition=Q(source_input__isnull=False),
                name="one_item_per_input_per_body",
            ),
        ]
        indexes = [models.Index(fields=["body", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_decided(self) -> bool:
        return self.status in (ItemStatus.AGREED, ItemStatus.REJECTED, ItemStatus.DISPUTED)


class Comment(models.Model):
    """A member's say on an item: every seat holder may speak on every item
    before and during the vote (BOARD-5, GROUP-4). Kept with the item."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    seat = models.ForeignKey(Seat, on_delete=models.SET_NULL, null=True, blank=True, related_name="comments")
    text = models.TextField(max_length=10_000)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organisation="item__body__project__organisation")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Comment on {self.item}"


class VoteChoice(models.TextChoices):
    FOR = "for", "For"
    AGAINST = "against", "Against"
    ABSTAIN = "abstain", "Abstain"


class Vote(models.Model):
    """One seat's vote on one item in one round: one seat, one vote, equal
    weight, no proxies (BOARD-5, GROUP-4). A vote recorded by a facilitator
    from a show of hands at a held meeting says so, and the member can correct
    it while voting is open."""

    Choice = VoteChoice

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="votes")
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="votes")
    round = models.PositiveIntegerField(default=1)
    choice = models.CharField(max_length=10, choices=VoteChoice.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at_meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="votes"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organisation="item__body__project__organisation")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "seat", "round"], name="one_vote_per_seat_per_item_round"
            ),
            models.CheckConstraint(condition=Q(choice__in=VoteChoice.values), name="vote_choice_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.seat} voted {self.choice} on {self.item}"


class Outcome(models.TextChoices):
    AGREED = "agreed", _("Agreed")
    REJECTED = "rejected", _("Not agreed")
    TIED = "tied", _("Tied")
    NOT_QUORATE = "not_quorate", _("Not quorate")


class LedgerQuerySet(models.QuerySet):
    """The ledger refuses bulk updates and deletes (LEDGER-1)."""

    def update(self, **kwargs: object) -> int:
        raise LedgerIsAppendOnly("Ledger entries cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise LedgerIsAppendOnly("Ledger entries cannot be deleted.")

    def bulk_update(self, *args: object, **kwargs: object) -> int:
        raise LedgerIsAppendOnly("Ledger entries cannot be changed.")


class LedgerIsAppendOnly(Exception):
    """Raised on any attempt to change or remove a ledger entry."""


class DecisionEntry(models.Model):
    """One entry of a project's decision ledger: the outcome of a closed vote,
    with the tally and who voted how (open ballot, by seat and person id, so a
    person can be anonymised without breaking the chain). Append-only in depth
    (LEDGER-1, BOARD-8, GROUP-7): database triggers refuse UPDATE and DELETE,
    and this model and its queryset refuse them too. `payload` is the
    canonical JSON that is hashed, chained to the entry before it."""

    Outcome = Outcome

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="ledger")
    sequence = models.PositiveIntegerField()
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="decisions")
    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    payload = models.TextField()
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(
        _manager_class=models.Manager.from_queryset(LedgerQuerySet), organisation="project__organisation"
    )

    class Meta:
        ordering = ["project", "sequence"]
        verbose_name_plural = "decision entries"
        constraints = [
            models.UniqueConstraint(fields=["project", "sequence"], name="one_ledger_sequence_per_project"),
            models.CheckConstraint(condition=Q(outcome__in=Outcome.values), name="ledger_outcome_valid"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.get_outcome_display()}: {self.item}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise LedgerIsAppendOnly("Ledger entries cannot be changed.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise LedgerIsAppendOnly("Ledger entries cannot be deleted.")


class ImplementationStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANNOT = "cannot", _("Cannot be carried out")


class ImplementationUpdate(models.Model):
    """A progress report by the project team on carrying out an agreed
    decision (GROUP-6). The latest update is the decision's implementation
    state; "cannot be carried out" returns the decision to its body as a new
    item and never changes the decision (BOARD-8)."""

    Status = ImplementationStatus

    entry = models.ForeignKey(DecisionEntry, on_delete=models.PROTECT, related_name="implementation")
    status = models.CharField(max_length=20, choices=ImplementationStatus.choices)
    note = models.TextField(max_length=10_000, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organisation="entry__project__organisation")

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ImplementationStatus.values), name="implementation_status_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()}: {self.entry}"
