"""Who may do what, as small named predicates `can_<action>(user, obj)`.
Views and the API call these; services call them too, so a refusal is the
same whichever door the request came through.

Organisation roles: admins run the organisation; facilitators set up and run
projects; auditors read everything and change nothing; members (board and
group members) read their organisation's projects. Per-project grants held in
django-guardian add a project manager, project team members and facilitators
of one project.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from guardian.models import GroupObjectPermission, UserObjectPermission

from projects.models import Organisation, OrganisationMember, Project, Role

PROJECT_GRANTS: dict[str, str] = {
    "manage_project": "Project manager",
    "team_project": "Project team",
    "facilitate_project": "Project facilitator",
}
# The same as (value, label) choices, for forms, serializers and the OpenAPI
# enum name (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
PROJECT_GRANT_CHOICES: list[tuple[str, str]] = list(PROJECT_GRANTS.items())


def role_in(user: Any, organisation: Organisation) -> str | None:
    """The user's role in the organisation, or None for outsiders. Cached on
    the user object for the rest of the request (views pre-fill it from the
    membership the tenancy middleware loaded)."""
    if not getattr(user, "is_authenticated", False):
        return None
    cache: dict[int, str | None] = user.__dict__.setdefault("_coprod_roles", {})
    if organisation.pk not in cache:
        # One membership per user and organisation: nothing to sort (the
        # model's ordering would join the organisation and user tables).
        cache[organisation.pk] = (
            OrganisationMember.objects.filter(organisation=organisation, user=user)
            .values_list("role", flat=True)
            .order_by()
            .first()
        )
    return cache[organisation.pk]


def _grants(user: Any, project: Project) -> frozenset[str]:
    """The per-project grants the user holds on the project, directly or
    through a group (two queries), cached on the user object for the rest of
    the request like `role_in`; `forget_grants` drops the cached copy when a
    service changes them."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return frozenset()
    cache: dict[int, frozenset[str]] = user.__dict__.setdefault("_coprod_grants", {})
    if project.pk not in cache:
        if user.is_superuser:  # as Django's has_perm: an active superuser holds every permission
            cache[project.pk] = frozenset(PROJECT_GRANTS)
        else:
            cache[project.pk] = _stored_grants(user, project)
    return cache[project.pk]


def _stored_grants(user: Any, project: Project) -> frozenset[str]:
    """The grants django-guardian stores for the user on the project, given
    to the user or to one of their groups, in one query (guardian's own
    checker asks twice)."""
    project_type = ContentType.objects.get_for_model(Project)  # cached by Django after the first call
    mine = dict(content_type=project_type, object_pk=str(project.pk), permission__codename__in=PROJECT_GRANTS)
    given_to_user = UserObjectPermission.objects.filter(user=user, **mine).values_list(
        "permission__codename", flat=True
    )
    given_to_groups = GroupObjectPermission.objects.filter(group__user=user, **mine).values_list(
        "permission__codename", flat=True
    )
    return frozenset(given_to_user.union(given_to_groups))


def forget_grants(user: Any, project: Project) -> None:
    """Drop the cached grants of `user` on `project` (after granting or revoking one)."""
    user.__dict__.get("_coprod_grants", {}).pop(project.pk, None)


def _has_grant(user: Any, project: Project, codename: str) -> bool:
    return codename in _grants(user, project)


def can_view_organisation(user: Any, organisation: Organisation) -> bool:
    return role_in(user, organisation) is not None


def can_manage_members(user: Any, organisation: Organisation) -> bool:
    return role_in(user, organisation) == Role.ADMIN


def can_view_audit_log(user: Any, organisation: Organisation) -> bool:
    return role_in(user, organisation) in {Role.ADMIN, Role.AUDITOR}


def can_view_members(user: Any, organisation: Organisation) -> bool:
    """Members and pending invitations: admins manage them; auditors read everything."""
    return role_in(user, organisation) in {Role.ADMIN, Role.AUDITOR}


def can_create_project(user: Any, organisation: Organisation) -> bool:
    return role_in(user, organisation) in {Role.ADMIN, Role.FACILITATOR}


def can_review_proposals(user: Any, organisation: Organisation) -> bool:
    return role_in(user, organisation) in {Role.ADMIN, Role.FACILITATOR}


def can_view_proposals(user: Any, organisation: Organisation) -> bool:
    """Those who decide proposals, and auditors (SCOPE-1)."""
    return role_in(user, organisation) in {Role.ADMIN, Role.FACILITATOR, Role.AUDITOR}


def can_manage_people(user: Any, organisation: Organisation) -> bool:
    return role_in(user, organisation) in {Role.ADMIN, Role.FACILITATOR}


def can_view_people(user: Any, organisation: Organisation) -> bool:
    return role_in(user, organisation) in {Role.ADMIN, Role.FACILITATOR, Role.AUDITOR}


def can_view_project(user: Any, project: Project) -> bool:
    return role_in(user, project.organisation) is not None


def can_edit_project(user: Any, project: Project) -> bool:
    """Set up a project: details, phases, milestones, stakeholder register.
    Organisation admins and facilitators, and whoever facilitates or manages
    this project. Budget, personnel and closing are not edits: they go through
    board decisions (BOARD-7, BOARD-10)."""
    if role_in(user, project.organisation) in {Role.ADMIN, Role.FACILITATOR}:
        return True
    if role_in(user, project.organisation) in {None, Role.AUDITOR}:
        return False
    return _has_grant(user, project, "facilitate_project") or _has_grant(user, project, "manage_project")


def can_manage_project_roles(user: Any, project: Project) -> bool:
    return role_in(user, project.organisation) in {Role.ADMIN, Role.FACILITATOR}


def project_grants_of(user: Any, project: Project) -> list[str]:
    """The per-project grants (codenames) a user holds."""
    return [codename for codename in PROJECT_GRANTS if _has_grant(user, project, codename)]
