"""Evaluators of the ledger: every decision is an append-only entry chained
to the one before (LEDGER-1), and a vote counts only when the votes cast meet
the body's non-professional share (LEDGER-2). Read from the ledger as it
stood on the report's date."""

from __future__ import annotations

from boards.compliance.composition import board_data, body_evidence
from boards.compliance.decisions import (
    EVIDENCE_LIMIT,
    decision_data,
    decision_evidence,
    when,
)
from boards.composition import NON_PROFESSIONAL, POLICIES, required_non_professional
from boards.models import Outcome
from coprod.rulebook import Rule
from projects.compliance import (
    Evidence,
    ProjectContext,
    RuleResult,
    Status,
    evaluator,
    refusal_evidence,
)

# --- LEDGER-1, LEDGER-2 ------------------------------------------------------------------


@evaluator(Rule.LEDGER_1)
def ledger_chained(context: ProjectContext) -> RuleResult:
    data = decision_data(context)
    refused = refusal_evidence(context, Rule.LEDGER_1)
    if not data.guard_installed:
        return RuleResult(
            Rule.LEDGER_1,
            Status.FAIL,
            "The database triggers that keep the ledger append-only are missing.",
            refused,
        )
    if not data.chain_ok:
        return RuleResult(
            Rule.LEDGER_1,
            Status.FAIL,
            f"The ledger does not verify: {data.chain_explanation}.",
            [
                Evidence(kind="decision", id=data.first_bad_sequence or 0, label="First entry that fails"),
                *refused,
            ],
        )
    if not data.entries:
        return RuleResult(
            Rule.LEDGER_1,
            Status.PASS,
            "No decisions yet; the database refuses changing or deleting ledger entries, so the first one will "
            "start a verifiable chain.",
            refused,
        )
    head = data.entries[-1]
    return RuleResult(
        Rule.LEDGER_1,
        Status.PASS,
        f"{len(data.entries)} entries up to {when(context.as_of)}, each chained to the one before; the chain "
        f"verifies to head #{head.sequence} ({head.entry_hash[:16]}…) and the database refuses changing or "
        "deleting entries.",
        [decision_evidence(head, f"hash {head.entry_hash}"), *refused],
    )


@evaluator(Rule.LEDGER_2)
def votes_meet_the_share(context: ProjectContext) -> RuleResult:
    data = decision_data(context)
    bodies = board_data(context).bodies
    by_pk = {body.pk: body for body in bodies.values()}
    off = [body for body in bodies.values() if not body.votes_must_meet_share]
    short: list[Evidence] = []
    not_quorate: list[Evidence] = []
    counted = 0
    for entry in data.entries:
        quorum = entry.content.get("quorum") or {}
        if entry.outcome == Outcome.NOT_QUORATE:
            not_quorate.append(decision_evidence(entry, "not quorate, so it did not count"))
            continue
        if not quorum.get("applies", False):
            continue
        counted += 1
        votes = entry.content.get("votes") or []
        non_professional = sum(1 for vote in votes if vote.get("capacity") in NON_PROFESSIONAL)
        percent = int(
            quorum.get("share_percent") or POLICIES[by_pk[entry.body_id].kind].min_non_professional_percent
        )
        if not votes or non_professional < required_non_professional(len(votes), percent):
            short.append(
                decision_evidence(entry, f"{non_professional} of {len(votes)} votes non-professional")
            )
    if short:
        return RuleResult(
            Rule.LEDGER_2,
            Status.FAIL,
            f"{len(short)} decision(s) counted although the votes cast did not meet the body's non-professional "
            "share.",
            short[:EVIDENCE_LIMIT],
        )
    if off:
        names = ", ".join(POLICIES[body.kind].label for body in off)
        return RuleResult(
            Rule.LEDGER_2,
            Status.WARN,
            f"The check that votes cast meet the non-professional share is switched off for: {names}.",
            [body_evidence(body) for body in off],
        )
    text = f"{counted} decision(s) counted, each with the non-professional share among the votes cast."
    if not_quorate:
        text += f" {len(not_quorate)} vote(s) did not meet it and did not count."
    return RuleResult(Rule.LEDGER_2, Status.PASS, text, not_quorate[:EVIDENCE_LIMIT])
