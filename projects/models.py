"""Organisations (the tenants), their members, projects and what a project
plans: phases, milestones and budget lines; public project proposals; and the
audit log. Rules touching these: TENANT-1, SCOPE-1, TEAM-1, BOARD-7, BOARD-10."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
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


class OrganisationMember(models.Model):
    """A user's membership of one organisation, with one role in it. A user may
    belong to several organisations (TENANT-1)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
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

    GOVERNMENT = "government", "Government"
    STATUTORY_BODY = "statutory_body", "Statutory body"
    STAFF = "staff", "Staff"
    PROFESSIONAL = "professional", "Professional"
    SERVICE_USER = "service_user", "Service user"
    PUBLIC = "public", "Member of the public"


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    SCOPING = "scoping", "Scoping"
    DELIVERY = "delivery", "Delivery"
    CLOSED = "closed", "Closed"


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
