"""Reads for stakeholder groups and the people directory."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from projects.models import Organisation, Project
from stakeholders.models import Person, StakeholderGroup


def stakeholder_groups(*, project: Project) -> QuerySet[StakeholderGroup]:
    return StakeholderGroup.objects.filter(project=project).order_by("name", "pk")


def people(*, organisation: Organisation, search: str = "") -> QuerySet[Person]:
    """The organisation's directory, optionally filtered by a name or email
    search (TENANT-1: never across organisations)."""
    found = Person.objects.filter(organisation=organisation).select_related("user")
    if search:
        found = found.filter(Q(name__icontains=search) | Q(email__icontains=search))
    return found.order_by("name", "pk")
