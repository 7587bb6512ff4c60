"""Periodic work of public participation."""

from __future__ import annotations

from celery import shared_task

from stakeholders import participation


@shared_task(name="stakeholders.purge_input_contacts", acks_late=True)
def purge_input_contacts() -> int:
    """Delete the contact details of input answered more than
    INPUT_CONTACT_RETENTION_DAYS ago; idempotent."""
    return participation.purge_contacts()
