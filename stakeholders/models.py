"""Who a project affects and who takes part: stakeholder groups per project,
the organisation's directory of people, and the capacities in which people
sit on bodies. Rules touching these: SCOPE-3, SCOPE-4, TEAM-2..6, TENANT-1."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager

from projects.models import Organisation, Project


class Capacity(models.TextChoices):
    """The capacity in which someone sits on a body. The seat's capacity, not
    the person, decides whether a seat counts as professional: a nurse can sit
    as a carer. The first five are non-professional (RULES.md, Terms)."""

    SERVICE_USER = "service_user", "Service user"
    CARER = "carer", "Carer"
    PUBLIC = "public", "Member of the public"
    COMMUNITY_REP = "community_rep", "Community or voluntary representative"
    INDEPENDENT = "independent", "Independent member"
    PROFESSIONAL = "professional", "Professional"
    STAFF = "staff", "Staff"
    STATUTORY_BODY = "statutory_body", "Statutory body"
    GOVERNMENT = "government", "Government"
    TECHNICIAN = "technician", "Technician or implementer"
    PROJECT_TEAM = "project_team", "Project team"


NON_PROFESSIONAL_CAPACITIES: frozenset[str] = frozenset(
    {
        Capacity.SERVICE_USER,
        Capacity.CARER,
        Capacity.PUBLIC,
        Capacity.COMMUNITY_REP,
        Capacity.INDEPENDENT,
    }
)


ANONYMISED_NAME = "Anonymised member"


def is_non_professional(capacity: str) -> bool:
    return capacity in NON_PROFESSIONAL_CAPACITIES


class StakeholderGroup(models.Model):
    """A group of people a project affects or needs: service users, carers,
    residents near a site, front-line staff, commissioners. How and how much
    it is affected drives SCOPE-3/4 and TEAM-4/6."""

    class Affected(models.TextChoices):
        DIRECTLY = "directly", "Directly"
        INDIRECTLY = "indirectly", "Indirectly"

    class Impact(models.TextChoices):
        POSITIVE = "positive", "Positively"
        NEGATIVE = "negative", "Negatively"
        MIXED = "mixed", "Both positively and negatively"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stakeholder_groups")
    name = models.CharField(max_length=200)
    description = models.TextField(max_length=5000, blank=True)
    affected = models.CharField(
        max_length=20,
        choices=Affected.choices,
        help_text="Is this group affected directly, or through someone else (e.g. carers)?",
    )
    impact = models.CharField(
        max_length=20,
        choices=Impact.choices,
        help_text="Could the project affect this group for the better, the worse, or both?",
    )
    is_professional = models.BooleanField(
        default=False,
        help_text="Tick if the members of this group take part as professionals.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organisation="project__organisation")

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"], name="stakeholder_group_name_unique_in_project"
            ),
            models.CheckConstraint(
                condition=Q(affected__in=["directly", "indirectly"]), name="group_affected_valid"
            ),
            models.CheckConstraint(
                condition=Q(impact__in=["positive", "negative", "mixed"]), name="group_impact_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def may_be_negatively_affected(self) -> bool:
        return self.impact in {self.Impact.NEGATIVE, self.Impact.MIXED}


class Person(models.Model):
    """Someone in the organisation's directory: a service user, carer, resident
    or professional who takes part in its projects. An account is optional:
    many members take part in meetings without one."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="people")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
    )
    access_needs = models.TextField(
        max_length=2000,
        blank=True,
        help_text="What helps this person take part: large print, a BSL interpreter, step-free access.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by an erasure request: name and contacts replaced, account unlinked.
    erased_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=Q(user__isnull=False),
                name="one_person_per_user_per_org",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class InputChannel(models.TextChoices):
    WEB = "web", "The public form"
    PHONE = "phone", "Telephone"
    PAPER = "paper", "Paper or letter"
    EMAIL = "email", "Email"
    MEETING = "meeting", "At a meeting or event"


class InputAsWho(models.TextChoices):
    SERVICE_USER = "service_user", "As someone who uses the service"
    CARER = "carer", "As a carer"
    RESIDENT = "resident", "As a local resident"
    PROFESSIONAL = "professional", "As a professional"
    OTHER = "other", "Other"


class InputImpact(models.TextChoices):
    POSITIVE = "positive", "For the better"
    NEGATIVE = "negative", "For the worse"
    BOTH = "both", "Both"


class InputStatus(models.TextChoices):
    NEW = "new", "New"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ANSWERED = "answered", "Answered"


class PublicInput(models.Model):
    """Something anyone said about a project, at any stage (TEAM-9): through
    the public form without an account, or recorded by staff when it came by
    phone, on paper, by email or at a meeting, so people without the web count
    too. Input given during scoping is gathered per stakeholder group and must
    be answered before scoping ends (SCOPE-2). Contact details are deleted a
    while after the reply; the input itself is kept."""

    Channel = InputChannel
    Status = InputStatus

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="inputs")
    stakeholder_group = models.ForeignKey(
        StakeholderGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="inputs"
    )
    channel = models.CharField(max_length=20, choices=InputChannel.choices, default=InputChannel.WEB)
    message = models.TextField(max_length=10_000)
    affected = models.CharField(max_length=20, choices=StakeholderGroup.Affected.choices)
    impact = models.CharField(max_length=20, choices=InputImpact.choices)
    as_who = models.CharField(max_length=20, choices=InputAsWho.choices)
    name = models.CharField(max_length=200, blank=True)
    contact = models.CharField(max_length=254, blank=True)
    consent = models.BooleanField(default=False)
    during_scoping = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=InputStatus.choices, default=InputStatus.NEW)
    received_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    contact_deleted_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(organisation="project__organisation")

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(consent=True), name="input_needs_consent"),
            models.CheckConstraint(condition=Q(status__in=InputStatus.values), name="input_status_valid"),
            models.CheckConstraint(condition=Q(channel__in=InputChannel.values), name="input_channel_valid"),
        ]
        indexes = [models.Index(fields=["project", "status"])]

    def __str__(self) -> str:
        return f"Input #{self.pk} on {self.project}"


class Incorporation(models.TextChoices):
    YES = "yes", "Incorporated"
    PARTLY = "partly", "Partly incorporated"
    NO = "no", "Not incorporated"


class InputResponse(models.Model):
    """The project's public answer to one input, and whether and how it was
    incorporated, or why not (SCOPE-2, TEAM-9)."""

    Incorporation = Incorporation

    input = models.OneToOneField(PublicInput, on_delete=models.CASCADE, related_name="response")
    public_text = models.TextField(max_length=10_000)
    incorporated = models.CharField(max_length=10, choices=Incorporation.choices)
    how_or_why = models.TextField(max_length=10_000)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organisation="input__project__organisation")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(incorporated__in=Incorporation.values), name="response_incorporation_valid"
            )
        ]

    def __str__(self) -> str:
        return f"Response to {self.input}"


class InvitationChannel(models.TextChoices):
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"
    PHONE = "phone", "Telephone"
    IN_PERSON = "in_person", "In person"
    PARTNER = "partner", "Through a partner organisation"


ACCESSIBLE_FORMATS = {
    "easy_read": "Easy read",
    "large_print": "Large print",
    "translation": "Translation",
    "bsl": "British Sign Language",
}


class InvitationResponse(models.TextChoices):
    AWAITING = "awaiting", "No reply yet"
    ACCEPTED = "accepted", "Wants to take part"
    DECLINED = "declined", "Declined"


class GroupInvitation(models.Model):
    """A special invitation of one stakeholder group to take part (TEAM-7):
    how it was sent, when, which accessible formats were offered, and the
    response."""

    Channel = InvitationChannel
    Response = InvitationResponse

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="group_invitations")
    stakeholder_group = models.ForeignKey(
        StakeholderGroup, on_delete=models.CASCADE, related_name="invitations"
    )
    channel = models.CharField(max_length=20, choices=InvitationChannel.choices)
    sent_on = models.DateField()
    formats_offered = models.JSONField(default=list, blank=True)
    response = models.CharField(
        max_length=20, choices=InvitationResponse.choices, default=InvitationResponse.AWAITING
    )
    response_note = models.TextField(max_length=5_000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organisation="project__organisation")

    class Meta:
        ordering = ["-sent_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=InvitationChannel.values), name="group_invitation_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(response__in=InvitationResponse.values), name="group_invitation_response_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.stakeholder_group} ({self.get_channel_display()})"
