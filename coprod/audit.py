"""Writing the audit log. Every service calls `audit_record` inside its own
transaction, so the record and the change commit or roll back together."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from coprod.rulebook import Rule

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from projects.models import AuditEvent, Organisation, Project


def _actor_label(actor: AbstractBaseUser | None) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "anonymous"
    full_name = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return full_name or actor.get_username()


def audit_record(
    *,
    organisation: Organisation,
    actor: AbstractBaseUser | None,
    action: str,
    obj: models.Model | None = None,
    project: Project | None = None,
    rule: Rule | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record that `actor` did `action` (a dotted code such as
    `projects.project.created`) to `obj`."""
    from projects.models import AuditEvent

    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        organisation=organisation,
        project=project,
        actor=actor if authenticated else None,
        actor_label=_actor_label(actor),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        rule=rule.value if rule else "",
        data=data or {},
    )
