"""`flush` empties the whole database, ledger included. The ledger's
append-only triggers would refuse that, so flush lifts them for the duration
and puts them back, in the same transaction where the database allows it.
Nothing else ever removes them (the test runner flushes between tests)."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from boards.db import install_ledger_guard, ledger_table_exists, remove_ledger_guard


class Command(FlushCommand):
    help = (
        FlushCommand.help + " The decision ledger's append-only guard is lifted for the flush and restored."
    )

    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        guarded = ledger_table_exists(connection)
        if guarded:
            remove_ledger_guard(connection)
        try:
            super().handle(**options)
        finally:
            if guarded:
                install_ledger_guard(connection)
