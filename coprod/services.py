"""Helpers shared by every app's services."""

from __future__ import annotations

from typing import Any

from django.db import models

from coprod.errors import NotAllowed

RESERVED_SLUGS = frozenset({"new", "edit", "api", "admin", "static"})


def require(allowed: bool, message: str = "You are not allowed to do this.") -> None:
    """Refuse with NotAllowed unless the permission predicate allowed it."""
    if not allowed:
        raise NotAllowed(message)


def apply_changes(instance: models.Model, changes: dict[str, Any], allowed: set[str]) -> dict[str, Any]:
    """Set the allowed fields that really change; return {field: [old, new]}
    for the audit log. Unknown fields are a programming error."""
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"Cannot change {', '.join(sorted(unknown))} here.")
    diff: dict[str, Any] = {}
    for field, value in changes.items():
        old = getattr(instance, field)
        if old != value:
            diff[field] = [_jsonable(old), _jsonable(value)]
            setattr(instance, field, value)
    return diff


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
