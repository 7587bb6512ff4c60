"""Background work for bodies. Tasks are safe to run twice: they only act on
seats whose term has run out and are still open, under the body lock."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from boards import services
from boards.models import Body, Seat


@shared_task(name="boards.expire_ended_terms", acks_late=True)
def expire_ended_terms() -> int:
    """Close seats whose term ended and suspend bodies that fell below their
    policy because of it (BOARD-4, GROUP-3: a term that ends unreplaced).
    Spans organisations on purpose: it finds the bodies concerned with one
    query, then enters each body's organisation scope to call the service."""
    today = timezone.localdate()
    with scopes_disabled():
        body_ids = set(
            Seat.objects.filter(is_open=True, term_end__lte=today)
            .values_list("body_id", flat=True)
            .distinct()
        )
        bodies = list(Body.objects.filter(pk__in=body_ids).select_related("project__organisation"))
    closed = 0
    for body in bodies:
        with scope(organisation=body.project.organisation):
            closed += services.expire_ended_terms(body=body, today=today)
    return closed
