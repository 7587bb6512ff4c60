"""Database triggers that make the decision ledger append-only beneath the
ORM (LEDGER-1): whatever connects to the database, UPDATE and DELETE of a
ledger row, and on PostgreSQL TRUNCATE of the table, are refused."""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

LEDGER_TABLE = "boards_decisionentry"
MESSAGE = "coprod ledger is append-only (LEDGER-1)"

_POSTGRESQL_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION coprod_ledger_refuse() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql;
    """,
    f"""
    CREATE TRIGGER coprod_ledger_no_update_delete
    BEFORE UPDATE OR DELETE ON {LEDGER_TABLE}
    FOR EACH ROW EXECUTE FUNCTION coprod_ledger_refuse();
    """,
    f"""
    CREATE TRIGGER coprod_ledger_no_truncate
    BEFORE TRUNCATE ON {LEDGER_TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION coprod_ledger_refuse();
    """,
]
_POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS coprod_ledger_no_update_delete ON {LEDGER_TABLE};",
    f"DROP TRIGGER IF EXISTS coprod_ledger_no_truncate ON {LEDGER_TABLE};",
    "DROP FUNCTION IF EXISTS coprod_ledger_refuse();",
]
_SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS coprod_ledger_no_update BEFORE UPDATE ON {LEDGER_TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END;
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS coprod_ledger_no_delete BEFORE DELETE ON {LEDGER_TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END;
    """,
]
_SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS coprod_ledger_no_update;",
    "DROP TRIGGER IF EXISTS coprod_ledger_no_delete;",
]


def _statements(connection: BaseDatabaseWrapper, install: bool) -> list[str]:
    if connection.vendor == "postgresql":
        return _POSTGRESQL_INSTALL if install else _POSTGRESQL_REMOVE
    if connection.vendor == "sqlite":
        return _SQLITE_INSTALL if install else _SQLITE_REMOVE
    raise NotImplementedError(
        f"No ledger triggers for {connection.vendor}; coprod supports PostgreSQL and SQLite."
    )


def install_ledger_guard(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for statement in _statements(connection, install=True):
            cursor.execute(statement)


def remove_ledger_guard(connection: BaseDatabaseWrapper) -> None:
    """Only for reversing the migration and for test-database teardown."""
    with connection.cursor() as cursor:
        for statement in _statements(connection, install=False):
            cursor.execute(statement)


def ledger_guard_installed(connection: BaseDatabaseWrapper) -> bool:
    """Evidence for the compliance report: are the triggers in place?"""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname LIKE 'coprod_ledger_%%'",
                [LEDGER_TABLE],
            )
            return cursor.fetchone()[0] == 2
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s AND name LIKE 'coprod_ledger_%%'",
            [LEDGER_TABLE],
        )
        return cursor.fetchone()[0] == 2


def ledger_table_exists(connection: BaseDatabaseWrapper) -> bool:
    return LEDGER_TABLE in connection.introspection.table_names()
