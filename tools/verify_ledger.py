#!/usr/bin/env python3
"""Verify a coprod decision ledger export with nothing but Python.

Each entry of a project's ledger carries the SHA-256 hash of the entry before
it, so changing, removing or reordering any entry breaks every hash after it.
This script recomputes the chain of an exported ledger (JSON) and names the
first entry that does not match. Given a head that someone recorded earlier
(`--head SEQUENCE:HASH`, as printed on the public project page and on every
export), it also checks that today's chain still contains that entry
unchanged, which catches a rewrite of the whole chain.

Usage:
    python verify_ledger.py ledger.json [--head 12:9f86d0...]

Exit status: 0 when the chain verifies, 1 when it does not, 2 on bad input.

This file is also imported by coprod itself, so the server and the outsider
use one definition of the hash.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterable, Mapping
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_json(payload: Mapping[str, Any]) -> str:
    """One text for one payload: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def entry_hash(prev_hash: str, payload_text: str) -> str:
    """The hash of an entry: SHA-256 over the previous hash, a newline, and
    the entry's canonical payload."""
    return hashlib.sha256(f"{prev_hash}\n{payload_text}".encode()).hexdigest()


def verify_chain(
    entries: Iterable[Mapping[str, Any]],
    parsed: list[dict[str, Any]] | None = None,
    *,
    check_form: bool = True,
) -> tuple[bool, int | None, str]:
    """Check entries in sequence order. Returns (ok, first bad sequence or
    None, explanation). Each entry needs `sequence`, `payload` (the canonical
    JSON text), `prev_hash` and `hash`. With a `parsed` list, the payload of
    each verified entry is appended to it, so a caller that reads the
    payloads does not parse them twice. `check_form=False` skips re-encoding
    each payload to check its canonical form: the hashes alone prove that no
    stored text changed, which is all the compliance report needs; this
    script and the server's verify endpoint check the form as well."""
    expected_prev = GENESIS_HASH
    expected_sequence = 1
    count = 0
    for entry in entries:
        sequence = entry.get("sequence")
        if sequence != expected_sequence:
            return (
                False,
                sequence,
                f"expected entry {expected_sequence} but found {sequence}: an entry is missing or out of order",
            )
        payload = entry.get("payload")
        if not isinstance(payload, str):
            return False, sequence, f"entry {sequence} has no payload text"
        try:
            parsed_payload = json.loads(payload)
        except ValueError:
            return False, sequence, f"entry {sequence}: the payload is not valid JSON"
        if not isinstance(parsed_payload, dict) or (check_form and canonical_json(parsed_payload) != payload):
            return False, sequence, f"entry {sequence}: the payload is not in canonical form (it was edited)"
        if parsed_payload.get("sequence") != sequence:
            return (
                False,
                sequence,
                f"entry {sequence}: the payload names sequence {parsed_payload.get('sequence')}",
            )
        if entry.get("prev_hash") != expected_prev:
            return False, sequence, f"entry {sequence}: it does not follow the entry before it"
        recomputed = entry_hash(expected_prev, payload)
        if entry.get("hash") != recomputed:
            return False, sequence, f"entry {sequence}: its content does not match its hash (it was changed)"
        expected_prev = recomputed
        expected_sequence += 1
        count += 1
        if parsed is not None:
            parsed.append(parsed_payload)
    return True, None, f"{count} entries verified"


def contains_head(entries: Iterable[Mapping[str, Any]], sequence: int, hash_: str) -> bool:
    """Does the chain hold entry `sequence` with exactly `hash_`?"""
    return any(entry.get("sequence") == sequence and entry.get("hash") == hash_ for entry in entries)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a coprod decision ledger export.")
    parser.add_argument("export", help="the ledger JSON export (or an export bundle's ledger.json)")
    parser.add_argument("--head", help="a head recorded earlier, as SEQUENCE:HASH", default=None)
    args = parser.parse_args(argv)
    try:
        with open(args.export, encoding="utf-8") as handle:
            document = json.load(handle)
        entries = sorted(document["entries"], key=lambda entry: entry["sequence"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"Cannot read the ledger export: {error}", file=sys.stderr)
        return 2
    ok, first_bad, explanation = verify_chain(entries)
    if not ok:
        print(f"NOT VERIFIED (first bad entry: {first_bad}): {explanation}")
        return 1
    if args.head:
        try:
            sequence_text, hash_ = args.head.split(":", 1)
            sequence = int(sequence_text)
        except ValueError:
            print("--head must look like 12:9f86d081...", file=sys.stderr)
            return 2
        if not contains_head(entries, sequence, hash_.strip().lower()):
            print(
                f"NOT VERIFIED: the recorded head {sequence}:{hash_[:12]}… is not in this chain (it was rewritten)"
            )
            return 1
        explanation += f"; the recorded head {sequence} is still in the chain"
    print(f"VERIFIED: {explanation}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
