"""Helpers shared by every app's services."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from coprod.errors import Conflict, NotAllowed

RESERVED_SLUGS = frozenset({"new", "edit", "api", "admin", "static"})


def require(allowed: bool, message: str = "You are not allowed to do this.") -> None:
    """Refuse with NotAllowed unless the permission predicate allowed it."""
    if not allowed:
        raise NotAllowed(message)


def delete_unless_referenced(instance: models.Model, what: str) -> None:
    """Delete `instance`, or refuse with `Conflict` (API 409, the message on
    the form) when records the project must keep still refer to it (seats,
    milestone reviews, decisions: the protected foreign keys), instead of
    letting the database refusal surface as a server error."""
    try:
        # A savepoint: the refusal comes before any row is deleted, but keep
        # the caller's transaction usable on every database either way.
        with transaction.atomic():
            instance.delete()
    except ProtectedError as exc:
        kinds = sorted({str(obj._meta.verbose_name_plural) for obj in exc.protected_objects})
        raise Conflict(
            _("%(what)s cannot be removed: %(kinds)s still refer to it. Change or end those first.")
            % {"what": what, "kinds": get_text_list(kinds, _("and"))}
        ) from None


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
