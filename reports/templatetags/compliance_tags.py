"""Filters for the compliance templates: a status in words, its CSS class
and a symbol, so a status is never told by colour alone."""

from __future__ import annotations

from typing import Any

from django import template

from reports.report import STATUS_LABELS

register = template.Library()

_SYMBOLS = {"pass": "✓", "warn": "!", "fail": "✗", "n/a": "–"}


@register.filter
def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


@register.filter
def status_class(status: str) -> str:
    """`pass`, `warn`, `fail`, `na`: usable in a class name."""
    return "na" if status == "n/a" else status if status in STATUS_LABELS else "unknown"


@register.filter
def status_symbol(status: str) -> str:
    return _SYMBOLS.get(status, "?")


@register.filter
def count_of(summary: dict[str, Any], status: str) -> Any:
    """`summary|count_of:"n/a"`: template lookups cannot read the key "n/a"."""
    return summary.get(status, 0)
