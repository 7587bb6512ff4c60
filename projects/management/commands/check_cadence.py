"""`manage.py check_cadence`: run the cadence checks once, for sites that use
cron rather than Celery beat. Safe to run while beat also runs it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from projects import monitoring


class Command(BaseCommand):
    help = "Raise and resolve flags for bodies losing control, and email about new ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--digests", action="store_true", help="also send today's daily digests")
        parser.add_argument("--no-email", action="store_true", help="raise and resolve flags only")

    def handle(self, *args: Any, **options: Any) -> None:
        result = monitoring.sweep()
        sent = 0 if options["no_email"] else monitoring.notify_new_flags()
        digests = monitoring.send_digests() if options["digests"] and not options["no_email"] else 0
        self.stdout.write(
            f"Flags raised: {result.raised}, resolved: {result.resolved}, open: {result.open}; "
            f"emails sent: {sent}; digests sent: {digests}."
        )
