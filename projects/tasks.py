"""Periodic work of the cadence monitoring, run by Celery beat (see
CELERY_BEAT_SCHEDULE) or by hand with `manage.py check_cadence`. Every task is
safe to run twice, concurrently, or again after a redelivery."""

from __future__ import annotations

from celery import shared_task

from projects import monitoring


@shared_task(name="projects.cadence_sweep", acks_late=True)
def cadence_sweep() -> dict[str, int]:
    """Raise and resolve flags, then email about new ones."""
    result = monitoring.sweep()
    sent = monitoring.notify_new_flags()
    return {"raised": result.raised, "resolved": result.resolved, "open": result.open, "emails": sent}


@shared_task(name="projects.daily_digests", acks_late=True)
def daily_digests() -> int:
    """One digest a day per person who chose it."""
    return monitoring.send_digests()
