"""Domain errors and their translation to HTTP.

Services raise `RuleViolation` when a rule of RULES.md refuses an action. The
API answers 409 when the state of things refuses it and 403 when the actor is
not allowed to do it, always with a JSON body naming the rule; forms show the
message beside the rule ID.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from coprod.rulebook import Rule


class Refusal(StrEnum):
    """Why a rule refused: the state of things, or who is asking."""

    STATE = "state"
    ACTOR = "actor"


class RuleViolation(Exception):
    """An action refused by a rule of RULES.md."""

    def __init__(
        self,
        rule: Rule,
        message: str,
        *,
        refusal: Refusal = Refusal.STATE,
        evidence: list[dict[str, Any]] | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.refusal = refusal
        self.evidence = evidence or []
        self.field = field

    @property
    def http_status(self) -> int:
        return status.HTTP_403_FORBIDDEN if self.refusal == Refusal.ACTOR else status.HTTP_409_CONFLICT

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule.value, "detail": self.message, "evidence": self.evidence}

    def __str__(self) -> str:
        return f"{self.rule.value}: {self.message}"


class NotAllowed(Exception):
    """The actor may not do this, and no rule of RULES.md is involved
    (for example a member trying to edit a project)."""

    def __init__(self, message: str = "You are not allowed to do this.") -> None:
        super().__init__(message)
        self.message = message


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map domain errors to JSON responses; let DRF handle the rest."""
    if isinstance(exc, RuleViolation):
        return Response(exc.as_dict(), status=exc.http_status)
    if isinstance(exc, NotAllowed):
        return Response({"detail": exc.message}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, Conflict):
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail: Any = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
        else:
            detail = {"non_field_errors": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    return exception_handler(exc, context)


class Conflict(Exception):
    """The request conflicts with the current state, and no rule of RULES.md
    is involved (for example moving a project backwards). API: 409."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
