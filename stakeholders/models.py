"""Who a project affects and who takes part: stakeholder groups per project,
the organisation's directory of people, and the capacities in which people
sit on bodies. Rules touching these: SCOPE-3, SCOPE-4, TEAM-2..6, TENANT-1."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from projects.models import Organisation, Project


class Capacity(models.TextChoices):
    """The capacity in which someone sits on a body. The seat's capacity, not
    the person, decides whether a seat counts as professional: a nurse can sit
    as a carer. The first five are non-professional (RULES.md, Terms)."""

    SERVICE_USER = "service_user", _("Service user")
    CARER = "carer", _("Carer")
    PUBLIC = "public", _("Member of the public")
    COMMUNITY_REP = "community_rep", _("Community or voluntary representative")
    INDEPENDENT = "independent", _("Independent member")
    PROFESSIONAL = "professional", _("Professional")
    STAFF = "staff", _("Staff")
    STATUTORY_BODY = "statutory_body", _("Statutory body")
    GOVERNMENT = "government", _("Government")
    TECHNICIAN = "technician", _("Technician or implementer")
    PROJECT_TEAM = "project_team", _("Project team")


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
        DIRECTLY = "directly", _("Directly")
        INDIRECTLY = "indirectly", _("Indirectly")

    class Impact(models.TextChoices):
        POSITIVE = "positive", _("Positively")
        NEGATIVE = "negative", _("Negatively")
        MIXED = "mixed", _("Both positively and negatively")

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
    WEB = "web", _("The public form")
    PHONE = "phone", _("Telephone")
    PAPER = "paper", _("Paper or letter")
    EMAIL = "email", _("Email")
    MEETING = "meeting", _("At a meeting or event")


class InputAsWho(models.TextChoices):
    SERVICE_USER = "service_user", _("As someone who uses the service")
    CARER = "carer", _("As a carer")
    RESIDENT = "resident", _("As a local resident")
    PROFESSIONAL = "professional", _("As a professional")
    OTHER = "other", _("Other")


class InputImpact(models.TextChoices):
    POSITIVE = "positive", _("For the better")
    NEGATIVE = "negative", _("For the worse")
    BOTH = "both", _("Both")


class InputStatus(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ANSWERED = "answered", _("Answered")


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
    YES = "yes", _("Incorporated")
    PARTLY = "partly", _("Partly incorporated")
    NO = "no", _("Not incorporated")


class ScopePart(models.TextChoices):
    """The parts of a project's scope that a scoping input can shape
    (SCOPE-2): the scope document lists, for each part, the inputs that
    shaped it and the answers to them."""

    AIMS = "aims", _("What the project sets out to do")
    GROUPS = "groups", _("Who the project involves and affects")
    PLAN = "plan", _("The plan: phases and milestones")
    BUDGET = "budget", _("The budget")


class InputResponse(models.Model):
    """The project's public answer to one input, and whether and how it was
    incorporated, or why not (SCOPE-2, TEAM-9). For scoping input it can
    name the part of the scope the input shaped, for the scope document."""

    Incorporation = Incorporation
    ScopePart = ScopePart

    input = models.OneToOneField(PublicInput, on_delete=models.CASCADE, related_name="response")
    public_text = models.TextField(max_length=10_000)
    incorporated = models.CharField(max_length=10, choices=Incorporation.choices)
    how_or_why = models.TextField(max_length=10_000)
    scope_part = models.CharField(
        max_length=20,
        choices=ScopePart.choices,
        blank=True,
        help_text="For scoping input: the part of the scope it shaped (SCOPE-2).",
    )
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
            ),
            models.CheckConstraint(
                condition=Q(scope_part="") | Q(scope_part__in=ScopePart.values),
                name="response_scope_part_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Response to {self.input}"


class InvitationChannel(models.TextChoices):
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Telephone")
    IN_PERSON = "in_person", _("In person")
    PARTNER = "partner", _("Through a partner organisation")


ACCESSIBLE_FORMATS = {
    "easy_read": _("Easy read"),
    "large_print": _("Large print"),
    "translation": _("Translation"),
    "bsl": _("British Sign Language"),
}


class InvitationResponse(models.TextChoices):
    AWAITING = "awaiting", _("No reply yet")
    ACCEPTED = "accepted", _("Wants to take part")
    DECLINED = "declined", _("Declined")


class GroupInvitation(models.Model):
    """A special invitation of one stakeholder group to take part (TEAM-7):
    how it was sent, when, which accessible formats were offered, and the
    response. An invitation sent by email to an address recorded here
    carries a personal link to the "how would you like to be involved" form
    (TEAM-8), whose answer updates the response."""

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
    # Where an emailed invitation went; only for the email channel.
    email = models.EmailField(blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
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
            models.CheckConstraint(
                condition=Q(email="") | Q(channel="email"), name="group_invitation_email_only_by_email"
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.stakeholder_group} ({self.get_channel_display()})"


class InvolvementLevel(models.TextChoices):
    """The levels at which someone can take part (TEAM-8: every level, not
    only an invitation to a meeting)."""

    BOARD = "board", _("A seat on the Project Board, which takes the project's decisions")
    OVERVIEW = (
        "overview",
        _("A seat on the Overview Group of service users, carers and other people affected"),
    )
    EVENTS = "events", _("Coming to events and workshops")
    INPUT = "input", _("Giving my views from time to time")


class ContactPreference(models.TextChoices):
    EMAIL = "email", _("By email")
    PHONE = "phone", _("By telephone or text message")
    POST = "post", _("By post")
    THROUGH_GROUP = "through_group", _("Through the group or organisation that passed this on to me")


class InvolvementResponse(models.Model):
    """The answer to an invitation's "how would you like to be involved"
    form, given without an account through the invitation's signed link
    (TEAM-7, TEAM-8). One per invitation: answering again updates it. The
    levels chosen, and, if given, a name, how to get in touch and what helps
    the person take part; only the project's facilitators see those."""

    Level = InvolvementLevel
    ContactPreference = ContactPreference

    invitation = models.OneToOneField(GroupInvitation, on_delete=models.CASCADE, related_name="involvement")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="involvement_responses")
    stakeholder_group = models.ForeignKey(
        StakeholderGroup, on_delete=models.CASCADE, related_name="involvement_responses"
    )
    levels = models.JSONField(default=list, blank=True)
    not_now = models.BooleanField(default=False, help_text="They do not want to be involved at the moment.")
    name = models.CharField(max_length=200, blank=True)
    contact_preference = models.CharField(max_length=20, choices=ContactPreference.choices, blank=True)
    contact = models.CharField(max_length=254, blank=True)
    access_needs = models.TextField(max_length=2000, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    times_submitted = models.PositiveIntegerField(default=1)

    objects = ScopedManager(organisation="project__organisation")

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contact_preference="") | Q(contact_preference__in=ContactPreference.values),
                name="involvement_contact_preference_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Involvement reply to {self.invitation}"

    @property
    def level_labels(self) -> list[str]:
        labels = dict(InvolvementLevel.choices)
        return [str(labels[level]) for level in self.levels if level in labels]
