"""LEDGER-1: an append-only, hash-chained ledger that anyone with the export
can verify."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django_scopes import scopes_disabled

from boards import decisions, ledger
from boards.db import ledger_guard_installed
from boards.models import DecisionEntry, LedgerIsAppendOnly
from stakeholders.services import person_erase
from tests.boards.test_decisions import run_vote
from tests.conftest import Tenant

pytestmark = [pytest.mark.django_db, pytest.mark.rule("LEDGER-1")]
VERIFIER = Path(__file__).resolve().parents[2] / "tools" / "verify_ledger.py"


@pytest.fixture
def three_decisions(tenant_a: Tenant, active_board, in_org_a: None) -> list[DecisionEntry]:
    board, seats = active_board
    entries = []
    for title in ("Open on Saturdays", "Hire a peer worker", "Paint the lounge"):
        item = decisions.item_propose(body=board, title=title, actor=tenant_a.facilitator)
        entries.append(run_vote(item, seats, "ffffaaaaff", tenant_a.facilitator))
    return entries


def test_entries_chain_from_genesis(three_decisions: list[DecisionEntry]) -> None:
    first, second, third = three_decisions
    assert [e.sequence for e in three_decisions] == [1, 2, 3]
    assert first.prev_hash == "0" * 64
    assert second.prev_hash == first.entry_hash and third.prev_hash == second.entry_hash
    result = ledger.verify(first.project)
    assert result.ok and result.entries == 3 and result.head_hash == third.entry_hash


def test_triggers_are_installed() -> None:
    assert ledger_guard_installed(connection)


@pytest.mark.parametrize(
    "statement", ["UPDATE boards_decisionentry SET outcome = 'rejected'", "DELETE FROM boards_decisionentry"]
)
def test_sql_update_and_delete_are_refused_by_the_database(three_decisions, statement: str) -> None:
    with pytest.raises(DatabaseError) as refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert "append-only" in str(refused.value)
    with scopes_disabled():
        assert DecisionEntry.objects.filter(outcome="agreed").count() == 3


def test_sql_truncate_is_refused_on_postgresql(three_decisions) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE boards_decisionentry CASCADE")


def test_model_and_queryset_refuse_changes(three_decisions: list[DecisionEntry]) -> None:
    entry = three_decisions[0]
    entry.outcome = "rejected"
    with pytest.raises(LedgerIsAppendOnly):
        entry.save()
    with pytest.raises(LedgerIsAppendOnly):
        entry.delete()
    with pytest.raises(LedgerIsAppendOnly):
        DecisionEntry.objects.filter(pk=entry.pk).update(outcome="rejected")
    with pytest.raises(LedgerIsAppendOnly):
        DecisionEntry.objects.all().delete()


def _export(tenant: Tenant, tmp_path: Path) -> Path:
    path = tmp_path / "ledger.json"
    path.write_text(json.dumps(ledger.export_document(tenant.project)), encoding="utf-8")
    return path


def _run_verifier(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(VERIFIER), *args], capture_output=True, text=True, check=False)  # noqa: S603


def test_standalone_verifier_accepts_the_export_and_detects_tampering(
    tenant_a: Tenant, three_decisions, tmp_path: Path
) -> None:
    path = _export(tenant_a, tmp_path)
    ok = _run_verifier(str(path))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "VERIFIED: 3 entries" in ok.stdout
    document = json.loads(path.read_text())
    payload = json.loads(document["entries"][1]["payload"])
    payload["outcome"] = "rejected"
    document["entries"][1]["payload"] = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    path.write_text(json.dumps(document))
    bad = _run_verifier(str(path))
    assert bad.returncode == 1
    assert "first bad entry: 2" in bad.stdout


def test_verifier_detects_a_removed_entry(tenant_a: Tenant, three_decisions, tmp_path: Path) -> None:
    path = _export(tenant_a, tmp_path)
    document = json.loads(path.read_text())
    del document["entries"][0]
    path.write_text(json.dumps(document))
    assert _run_verifier(str(path)).returncode == 1


def test_witnessed_head_catches_a_rewritten_chain(tenant_a: Tenant, three_decisions, tmp_path: Path) -> None:
    head = three_decisions[1]
    path = _export(tenant_a, tmp_path)
    assert _run_verifier(str(path), "--head", f"2:{head.entry_hash}").returncode == 0
    # Someone rewrites the whole chain consistently: every hash recomputed.
    sys.path.insert(0, str(VERIFIER.parent.parent))
    from tools.verify_ledger import canonical_json, entry_hash

    document = json.loads(path.read_text())
    prev = "0" * 64
    for item in document["entries"]:
        payload = json.loads(item["payload"])
        payload["title"] = payload["title"].upper()
        item["payload"] = canonical_json(payload)
        item["prev_hash"] = prev
        item["hash"] = prev = entry_hash(prev, item["payload"])
    path.write_text(json.dumps(document))
    assert _run_verifier(str(path)).returncode == 0  # consistent on its own...
    rewritten = _run_verifier(str(path), "--head", f"2:{head.entry_hash}")
    assert rewritten.returncode == 1 and "rewritten" in rewritten.stdout  # ...but not with the witnessed head


def test_verify_ledger_command(tenant_a: Tenant, three_decisions, capsys) -> None:
    call_command("verify_ledger", "riverside", "day-service")
    assert "VERIFIED: 3 entries" in capsys.readouterr().out
    with pytest.raises(CommandError, match="not in today's chain"):
        call_command("verify_ledger", "riverside", "day-service", "--head", "2:" + "f" * 64)
    with pytest.raises(CommandError):
        call_command("verify_ledger", "riverside", "no-such-project")


def test_verify_ledger_command_names_a_tampered_entry(tenant_a: Tenant, three_decisions) -> None:
    # Tamper beneath the triggers, as someone with database access might.
    from boards.db import install_ledger_guard, remove_ledger_guard

    remove_ledger_guard(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE boards_decisionentry SET payload = REPLACE(payload, 'Hire a peer worker', 'Fire a peer worker')"
            )
    finally:
        install_ledger_guard(connection)
    with pytest.raises(CommandError, match="first bad entry: 2"):
        call_command("verify_ledger", "riverside", "day-service")


def test_erasure_keeps_the_chain_verifiable(tenant_a: Tenant, active_board, three_decisions) -> None:
    _board, seats = active_board
    person = seats[0].person
    original_name = person.name
    person_erase(person=person, actor=tenant_a.admin)
    person.refresh_from_db()
    assert person.name == "Anonymised member" and person.email == "" and person.user is None
    assert ledger.verify(tenant_a.project).ok
    assert original_name not in three_decisions[0].payload  # names were never hashed
    assert f'"person":{person.pk}' in three_decisions[0].payload
