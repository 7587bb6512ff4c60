"""Predicates for the stakeholder register and the people directory."""

from __future__ import annotations

from typing import Any

from projects.models import Organisation, Project
from projects.permissions import (
    can_edit_project,
    can_manage_people,
    can_view_people,
    can_view_project,
)


def can_view_stakeholders(user: Any, project: Project) -> bool:
    return can_view_project(user, project)


def can_manage_stakeholders(user: Any, project: Project) -> bool:
    return can_edit_project(user, project)


def can_view_directory(user: Any, organisation: Organisation) -> bool:
    """People's contact details and access needs are personal data: staff and
    auditors see the directory, ordinary members do not."""
    return can_view_people(user, organisation)


def can_manage_directory(user: Any, organisation: Organisation) -> bool:
    return can_manage_people(user, organisation)
