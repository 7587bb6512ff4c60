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
