"""Writing the audit log. Every service calls `audit_record` inside its own
transaction, so the record and the change commit or roll back together."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models

from coprod.rulebook import Rule

T = TypeVar("T")

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


def _organisation_of(value: Any) -> tuple[Organisation | None, Project | None]:
    """Find the organisation (and project) a service argument belongs to."""
    from projects.models import Organisation, Project

    seen = 0
    current = value
    project = None
    while current is not None and seen < 5:
        if isinstance(current, Organisation):
            return current, project
        if isinstance(current, Project):
            project = current
            return current.organisation, project
        nxt = None
        for attribute in ("project", "body", "meeting", "organisation"):
            if hasattr(current, attribute):
                nxt = getattr(current, attribute)
                break
        current = nxt
        seen += 1
    return None, project


def refusals_audited(service: Callable[..., T]) -> Callable[..., T]:
    """Record every rule refusal of `service` in the audit log, after the
    service's own transaction has rolled back, so the attempt is kept even
    though nothing it tried to write is. Put it above `transaction.atomic`."""
    from coprod.errors import RuleViolation

    @functools.wraps(service)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return service(*args, **kwargs)
        except RuleViolation as refusal:
            actor = kwargs.get("actor")
            organisation = project = None
            for value in kwargs.values():
                organisation, project = _organisation_of(value)
                if organisation is not None:
                    break
            if organisation is not None:
                audit_record(
                    organisation=organisation,
                    project=project,
                    actor=actor,
                    action=f"refused.{service.__module__.split('.')[0]}.{service.__name__}",
                    rule=refusal.rule,
                    data={"detail": refusal.message, "evidence": refusal.evidence},
                )
            raise

    return wrapper
