"""The decision ledger of a project: the one writer of entries, the verifier
and the export (LEDGER-1). The hash definition is shared with the standalone
verifier in `tools/verify_ledger.py`, so the server and an outsider check the
chain the same way."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from boards.models import AgendaItem, DecisionEntry, Outcome
from projects.models import Project
from tools.verify_ledger import GENESIS_HASH, canonical_json, contains_head, entry_hash, verify_chain


def ledger_append(*, item: AgendaItem, outcome: str, content: dict[str, Any]) -> DecisionEntry:
    """Append the outcome of a closed vote to the item's project ledger.
    Must run inside the caller's transaction. The project row is locked so
    concurrent closings in one project take sequence numbers one at a time
    and the chain never forks (LEDGER-1)."""
    if outcome not in Outcome.values:
        raise ValueError(f"Unknown outcome {outcome!r}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger_append must run inside a transaction")
    body = item.body
    project = Project.objects.select_for_update(of=("self",)).get(pk=body.project_id)
    last = (
        DecisionEntry.objects.filter(project=project)
        .order_by("-sequence")
        .values("sequence", "entry_hash")
        .first()
    )
    sequence = (last["sequence"] + 1) if last else 1
    prev_hash = last["entry_hash"] if last else GENESIS_HASH
    payload = {
        "sequence": sequence,
        "project": project.pk,
        "body": body.kind,
        "item": item.pk,
        "item_kind": item.kind,
        "title": item.title,
        "proposal": item.proposal,
        "outcome": outcome,
        "recorded_at": timezone.now().astimezone(datetime.UTC).isoformat(),
        **content,
    }
    text = canonical_json(payload)
    return DecisionEntry.objects.create(
        project=project,
        sequence=sequence,
        body=body,
        item=item,
        outcome=outcome,
        payload=text,
        prev_hash=prev_hash,
        entry_hash=entry_hash(prev_hash, text),
    )


def export_entries(project: Project) -> list[dict[str, Any]]:
    """The entries as the verifier reads them, in sequence order."""
    return [
        {
            "sequence": entry.sequence,
            "payload": entry.payload,
            "prev_hash": entry.prev_hash,
            "hash": entry.entry_hash,
        }
        for entry in DecisionEntry.objects.filter(project=project).order_by("sequence")
    ]


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    first_bad_sequence: int | None
    explanation: str
    head_sequence: int | None
    head_hash: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "verified": self.ok,
            "entries": self.entries,
            "first_bad_sequence": self.first_bad_sequence,
            "explanation": self.explanation,
            "head": {"sequence": self.head_sequence, "hash": self.head_hash},
        }


def verify(project: Project, *, witnessed_head: tuple[int, str] | None = None) -> Verification:
    """Recompute the project's chain from the stored entries; with a head that
    someone recorded earlier, also check that it is still in the chain."""
    entries = export_entries(project)
    ok, bad, explanation = verify_chain(entries)
    if ok and witnessed_head is not None and not contains_head(entries, *witnessed_head):
        ok, bad = False, witnessed_head[0]
        explanation = (
            f"the recorded head {witnessed_head[0]} is not in today's chain: the chain was rewritten"
        )
    head = entries[-1] if entries else None
    return Verification(
        ok=ok,
        entries=len(entries),
        first_bad_sequence=bad,
        explanation=explanation,
        head_sequence=head["sequence"] if head else None,
        head_hash=head["hash"] if head else None,
    )


def ledger_head(project: Project) -> tuple[int, str] | None:
    """The newest entry's sequence and hash: what the public page and every
    export show so that anyone can witness it."""
    last = (
        DecisionEntry.objects.filter(project=project)
        .order_by("-sequence")
        .values("sequence", "entry_hash")
        .first()
    )
    return (last["sequence"], last["entry_hash"]) if last else None


def export_document(project: Project) -> dict[str, Any]:
    """The JSON export that `tools/verify_ledger.py` checks."""
    entries = export_entries(project)
    return {
        "format": "coprod-ledger/1",
        "organisation": project.organisation.slug,
        "project": project.slug,
        "generated_at": timezone.now().isoformat(),
        "head": {"sequence": entries[-1]["sequence"], "hash": entries[-1]["hash"]} if entries else None,
        "hash": "sha256(prev_hash + '\\n' + payload), payload = canonical JSON (sorted keys, no spaces)",
        "entries": entries,
    }
