"""Organisations (the tenants), their members, projects and what a project
plans: phases, milestones and budget lines; public project proposals; and the
audit log. Rules touching these: TENANT-1, SCOPE-1, TEAM-1, BOARD-7, BOARD-10."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from coprod.rulebook import Rule


def _choices_check(field: str, choices: type[models.TextChoices], name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


class Organisation(models.Model):
    """A tenant: a council, an NHS trust or a charity that runs projects.
    Everything else belongs to exactly one organisation (TENANT-1)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:dashboard", kwargs={"org": self.slug})


class Role(models.TextChoices):
    ADMIN = "admin", "Organisation admin"
    FACILITATOR = "facilitator", "Facilitator"
    AUDITOR = "auditor", "Auditor (read-only)"
    MEMBER = "member", "Member"


class NotificationPreference(models.TextChoices):
    EVERY = "every", "An email for every new flag"
    DIGEST = "digest", "One daily digest"
    NONE = "none", "No emails"


class OrganisationMember(models.Model):
    """A user's membership of one organisation, with one role in it. A user may
    belong to several organisations (TENANT-1)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    notifications = models.CharField(
        max_length=20,
        choices=NotificationPreference.choices,
        default=NotificationPreference.EVERY,
        help_text="How this member hears about flags in this organisation; flags always show in the browser.",
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["organisation__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_membership_per_org"),
            _choices_check("role", Role, "member_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organisation} ({self.get_role_display()})"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    REVOKED = "revoked", "Revoked"


class OrganisationInvitation(models.Model):
    """An email invitation to join an organisation with a role. The invitee
    follows a signed, expiring link (TENANT-1: the email is unique only among
    this organisation's open invitations)."""

    Status = InvitationStatus

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(status="pending"),
                name="one_pending_invitation_per_email_per_org",
            ),
            _choices_check("role", Role, "invitation_role_valid"),
            _choices_check("status", InvitationStatus, "invitation_status_valid"),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.organisation}"


class InitiatorType(models.TextChoices):
    """Who started a project (SCOPE-1)."""

    GOVERNMENT = "government", _("Government")
    STATUTORY_BODY = "statutory_body", _("Statutory body")
    STAFF = "staff", _("Staff")
    PROFESSIONAL = "professional", _("Professional")
    SERVICE_USER = "service_user", _("Service user")
    PUBLIC = "public", _("Member of the public")


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    SCOPING = "scoping", _("Scoping")
    DELIVERY = "delivery", _("Delivery")
    CLOSED = "closed", _("Closed")


class Project(models.Model):
    """A public service project run as coproduction: scoped, governed and
    delivered with the people it affects. Its status only moves forward
    through services; only a board decision closes it (BOARD-10)."""

    Status = ProjectStatus

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="projects")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60)
    summary = models.TextField(max_length=5000, blank=True)
    initiator_type = models.CharField(
        max_length=20,
        choices=InitiatorType.choices,
        help_text="Who started this project (SCOPE-1).",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    # Thresholds of the cadence checks (BOARD-9, GROUP-6, GROUP-8, TEAM-3, TEAM-9).
    cadence_grace_days = models.PositiveIntegerField(
        default=7, help_text="Days of grace after a body's meeting cadence before it is flagged."
    )
    carry_over_limit = models.PositiveIntegerField(
        default=2, help_text="Held meetings an item may be carried over before it is flagged."
    )
    implementation_days = models.PositiveIntegerField(
        default=60, help_text="Days an agreed Overview Group decision may wait to be implemented or returned."
    )
    input_answer_days = models.PositiveIntegerField(
        default=21, help_text="Days within which public input should be answered."
    )
    # SCOPE-3: why no group that may be negatively affected was consulted,
    # when none exists.
    no_negative_impact_reason = models.TextField(max_length=5000, blank=True)
    term_warning_days = models.PositiveIntegerField(
        default=30, help_text="Days ahead to warn of seat terms whose end would leave a gap."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="project_slug_unique_in_org"),
            _choices_check("status", ProjectStatus, "project_status_valid"),
            _choices_check("initiator_type", InitiatorType, "project_initiator_valid"),
        ]
        permissions = [
            ("manage_project", "Project manager of this project"),
            ("team_project", "Member of the project team of this project"),
            ("facilitate_project", "Facilitator of this project"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "projects:project_detail",
            kwargs={"org": self.organisation.slug, "project": self.slug},
        )

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED


class Phase(models.Model):
    """A stage of a project (e.g. scoping, design, pilot, roll-out). Seats and
    team roles are planned per phase (TEAM-1, TEAM-3)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(max_length=120)
    description = models.TextField(max_length=2000, blank=True)
    order = models.PositiveIntegerField(default=0)
    starts_on = models.DateField()
    ends_on = models.DateField()

    objects = ScopedManager(organisation="project__organisation")

    class Meta:
        ordering = ["order", "starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="phase_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    """A dated point in a project plan. The Overview Group reviews each before
    it can be marked complete (GROUP-8, from the governing-bodies work)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    phase = models.ForeignKey(
        Phase, on_delete=models.SET_NULL, null=True, blank=True, related_name="milestones"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=2000, blank=True)
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)

    objects = ScopedManager(organisation="project__organisation")

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title


class BudgetLine(models.Model):
    """Money one partner puts towards one purpose. Read-only to people: it
    changes only through an agreed board decision (BOARD-7)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    partner = models.CharField(max_length=200)
    purpose = models.CharField(max_length=300)
    amount = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organisation="project__organisation")

    class Meta:
        ordering = ["partner", "purpose", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.partner}: {self.purpose}"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class ProjectProposal(models.Model):
    """A project proposed by anyone through the public form, no account needed
    (SCOPE-1). A facilitator accepts it (creating the project in scoping) or
    declines it with a reason that is published."""

    Status = ProposalStatus

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="proposals")
    title = models.CharField(max_length=200)
    summary = models.TextField(max_length=5000)
    initiator_type = models.CharField(max_length=20, choices=InitiatorType.choices)
    proposer_name = models.CharField(max_length=200, blank=True)
    proposer_contact = models.CharField(max_length=254, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    decision_reason = models.TextField(max_length=5000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    project = models.OneToOneField(
        Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposal"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            _choices_check("status", ProposalStatus, "proposal_status_valid"),
            _choices_check("initiator_type", InitiatorType, "proposal_initiator_valid"),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decision_reason=""),
                name="declined_proposal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AuditEvent(models.Model):
    """One thing someone did, recorded by the service that did it in the same
    transaction: who, what (a dotted action code), to which object, with what
    data. Read by organisation admins and auditors; the compliance report
    cites it as evidence."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="audit_events")
    project = models.ForeignKey(
        Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    rule = models.CharField(max_length=20, blank=True, choices=Rule.choices)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_label or 'system'}"


class FlagKind(models.TextChoices):
    BODY_SUSPENDED = "body_suspended", "Body suspended below its share"
    NO_RECENT_MEETING = "no_recent_meeting", "No meeting held within the cadence"
    NO_MEETING_SCHEDULED = "no_meeting_scheduled", "No meeting scheduled in the next cadence window"
    ITEM_OVERDUE = "item_overdue", "Item undecided after its deadline"
    ITEM_CARRIED_OVER = "item_carried_over", "Item carried over too many times"
    MILESTONE_UNREVIEWED = "milestone_unreviewed", "Milestone due without an Overview Group review"
    IMPLEMENTATION_STALLED = "implementation_stalled", "Group decision neither implemented nor returned"
    DISPUTE_STAGE_OVERDUE = "dispute_stage_overdue", "Dispute stage past its time limit"
    INPUT_UNANSWERED = "input_unanswered", "Public input not answered in time"
    TERM_GAP_AHEAD = "term_gap_ahead", "A seat term ends and leaves a gap"


class Flag(models.Model):
    """Something the cadence checks noticed that shows a body losing control
    (BOARD-9, GROUP-6, GROUP-8, TEAM-3, TEAM-9): what, where, since when and
    what would clear it. Raised once per condition (the `key`) and resolved by
    the checks themselves when the condition clears."""

    Kind = FlagKind

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="flags")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=40, choices=FlagKind.choices)
    rule = models.CharField(max_length=20, choices=Rule.choices)
    key = models.CharField(max_length=200, help_text="What the flag is about, e.g. body:12 or item:40.")
    body_id = models.PositiveBigIntegerField(null=True, blank=True)
    title = models.CharField(max_length=300)
    details = models.TextField(max_length=5000, blank=True)
    fix = models.TextField(max_length=2000, blank=True, help_text="What would clear the flag.")
    url = models.CharField(max_length=500, blank=True)
    since = models.DateTimeField(help_text="When the condition started, as far as the records show.")
    opened_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            # One open flag per condition: a second sweep, a retried task or a
            # second beat cannot raise it twice.
            models.UniqueConstraint(
                fields=["project", "key"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_flag_per_condition",
            ),
            _choices_check("kind", FlagKind, "flag_kind_valid"),
        ]
        indexes = [models.Index(fields=["organisation", "resolved_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class FlagEmail(models.Model):
    """The claim that one person has been emailed about one flag: the unique
    constraint is what makes the email go out once, whatever runs twice."""

    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="emails")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    claimed_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organisation="flag__organisation")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["flag", "user"], name="one_email_per_flag_per_person")]

    def __str__(self) -> str:
        return f"Email about {self.flag} to {self.user}"


class DigestEmail(models.Model):
    """The claim that one person got the daily digest of one organisation's
    open flags on one day."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    flag_count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user", "day"], name="one_digest_per_person_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"Digest for {self.user} on {self.day}"
