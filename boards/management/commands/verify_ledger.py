"""`manage.py verify_ledger <org> <project> [--head SEQ:HASH]`: recompute a
project's decision ledger and name the first bad entry (LEDGER-1)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_scopes import scope

from boards.ledger import verify
from projects.models import Organisation, Project


class Command(BaseCommand):
    help = "Verify the hash chain of a project's decision ledger."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organisation", help="organisation slug")
        parser.add_argument("project", help="project slug")
        parser.add_argument("--head", help="a head recorded earlier, as SEQUENCE:HASH")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation {options['organisation']!r}.")
        witnessed = None
        if options["head"]:
            try:
                sequence, hash_ = options["head"].split(":", 1)
                witnessed = (int(sequence), hash_.strip().lower())
            except ValueError:
                raise CommandError("--head must look like 12:9f86d081...") from None
        with scope(organisation=organisation):
            project = Project.objects.filter(organisation=organisation, slug=options["project"]).first()
            if project is None:
                raise CommandError(f"No project {options['project']!r} in {organisation.slug}.")
            result = verify(project, witnessed_head=witnessed)
        if not result.ok:
            raise CommandError(
                f"NOT VERIFIED (first bad entry: {result.first_bad_sequence}): {result.explanation}"
            )
        head = f"head #{result.head_sequence} {result.head_hash}" if result.head_hash else "empty ledger"
        self.stdout.write(f"VERIFIED: {result.explanation}; {head}")
