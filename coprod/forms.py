"""Bringing service refusals back into forms, so the person sees the reason
beside the field they typed into and loses nothing."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from coprod.errors import Conflict, NotAllowed, RuleViolation

ServiceError = ValidationError | RuleViolation | Conflict | NotAllowed
SERVICE_ERRORS = (ValidationError, RuleViolation, Conflict, NotAllowed)


def add_service_error(form: forms.Form, error: ServiceError) -> None:
    """Attach a service's refusal to the form: field errors to their fields,
    a rule refusal with its rule ID (e.g. "BOARD-4: ..."), the rest on top."""
    if isinstance(error, RuleViolation):
        field = error.field if error.field in form.fields else None
        form.add_error(field, f"{error.rule.value}: {error.message}")
        return
    if isinstance(error, Conflict | NotAllowed):
        form.add_error(None, error.message)
        return
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
        return
    for message in error.messages:
        form.add_error(None, message)
