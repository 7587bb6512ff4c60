"""The compliance engine's registry: one evaluator per rule ID, each living in
the app that owns the data (`boards/compliance.py`, …) and collected here.
An evaluator is read-only and returns a status (pass, warn, fail, n/a), a
plain-language explanation and evidence: the records that justify it."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from django.db.models import Choices, Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import get_language

from coprod.rulebook import Rule
from projects.models import AuditEvent, Project


class Status(StrEnum):
    PASS = "pass"  # noqa: S105 (a status, not a password)
    WARN = "warn"
    FAIL = "fail"
    NA = "n/a"


@dataclass(frozen=True)
class Evidence:
    """A record that justifies a result: what it is, its id, a label, and a
    link where one can be opened."""

    kind: str
    id: int | str
    label: str
    url: str = ""


@dataclass
class RuleResult:
    rule: Rule
    status: Status
    explanation: str
    evidence: list[Evidence] = field(default_factory=list)
    # How many records the evaluator found, when it found more than the
    # report lists (see EVIDENCE_LIMIT).
    evidence_total: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.rule.value,
            "status": self.status.value,
            "explanation": self.explanation,
            "evidence": [asdict(item) for item in self.evidence],
            "evidence_total": max(self.evidence_total, len(self.evidence)),
        }

    def trimmed(self) -> RuleResult:
        if len(self.evidence) > EVIDENCE_LIMIT:
            self.evidence_total = len(self.evidence)
            self.evidence = self.evidence[:EVIDENCE_LIMIT]
        return self


# Audit actions that evaluators read as history ("as of" a date, and what was
# done under which authority). Apps add theirs when their compliance module
# loads; refusals (`refused.…`) are always read.
WATCHED_ACTIONS: set[str] = {
    "projects.project.closed",
    "projects.project.status_changed",
    "projects.budget_line.recorded",
    "projects.budget_line.changed",
    "projects.budget_line.removed",
    "projects.project_role.granted",
    "projects.project_role.revoked",
}


def watch_audit_actions(*actions: str) -> None:
    WATCHED_ACTIONS.update(actions)


class ProjectContext:
    """What evaluators share for one project and one date. Apps load their
    data once into `cache` (keyed by app) so the report costs a fixed number
    of queries however large the project."""

    def __init__(self, project: Project, as_of: datetime.date) -> None:
        self.project = project
        self.as_of = as_of
        self.cache: dict[str, Any] = {}
        # The first moment after the report's date, in local time: comparing
        # with it is much cheaper than converting every row's timestamp.
        self.cutoff = timezone.make_aware(
            datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min)
        )

    def on_or_before(self, moment: datetime.datetime | None) -> bool:
        """Did `moment` happen on or before the report's date (local time)?"""
        return moment is not None and moment < self.cutoff

    def audit_history(self) -> list[dict[str, Any]]:
        """The project's watched audit events and refusals, oldest first, all
        dates (later events let an evaluator rewind a status to the report's
        date). One query, shared by every evaluator."""
        if "audit" not in self.cache:
            self.cache["audit"] = list(
                AuditEvent.objects.filter(project=self.project)
                .filter(Q(action__startswith="refused.") | Q(action__in=sorted(WATCHED_ACTIONS)))
                .order_by("created_at", "pk")
                .values(
                    "pk", "action", "object_type", "object_id", "object_repr", "rule", "data", "created_at"
                )
            )
        return self.cache["audit"]

    def refusals(self, *rules: Rule) -> list[dict[str, Any]]:
        """Attempts refused under these rules up to the report's date: the
        evidence that a block rule held."""
        if "refusals" not in self.cache:
            # One pass over the history for the whole report: most block
            # rules ask for their refusals twice (evidence and summary).
            by_rule: dict[str, list[dict[str, Any]]] = {}
            for event in self.audit_history():
                if event["action"].startswith("refused.") and self.on_or_before(event["created_at"]):
                    by_rule.setdefault(event["rule"], []).append(event)
            self.cache["refusals"] = by_rule
        by_rule = self.cache["refusals"]
        found = [event for rule in dict.fromkeys(rules) for event in by_rule.get(rule.value, [])]
        if len(rules) > 1:
            found.sort(key=lambda event: (event["created_at"], event["pk"]))
        return found


def refusal_evidence(context: ProjectContext, *rules: Rule, limit: int = 20) -> list[Evidence]:
    """Refused attempts as evidence (newest first, at most `limit`)."""
    found = context.refusals(*rules)
    return [
        Evidence(
            kind="audit_event",
            id=event["pk"],
            label=f"Refused {timezone.localtime(event['created_at']):%-d %b %Y %H:%M}: "
            f"{event['data'].get('detail', event['action'])}"[:300],
        )
        for event in reversed(found[-limit:])
    ]


def refusal_summary(context: ProjectContext, *rules: Rule) -> str:
    count = len(context.refusals(*rules))
    if not count:
        return "No attempt to break it has been made."
    return (
        f"{count} attempt{'s' if count != 1 else ''} to break it {'were' if count != 1 else 'was'} refused."
    )


def choice_label(choices: type[Choices], value: str) -> str:
    """The display label of a choice in the active language. Evaluators use
    it instead of get_FOO_display(), which rebuilds the choices on each call."""
    return _labels(choices, get_language() or "").get(value, value)


@functools.lru_cache(maxsize=64)
def _labels(choices: type[Choices], language: str) -> dict[str, str]:
    return {choice.value: str(choice.label) for choice in choices}


# Evidence lists name at most this many records each: enough to follow up,
# and a report of a project with thousands of inputs stays readable.
EVIDENCE_LIMIT = 20

Evaluator = Callable[[ProjectContext], RuleResult]
REGISTRY: dict[Rule, Evaluator] = {}


def evaluator(rule: Rule) -> Callable[[Evaluator], Evaluator]:
    """Register the evaluator of one rule; a rule has exactly one."""

    def register(function: Evaluator) -> Evaluator:
        if rule in REGISTRY and REGISTRY[rule] is not function:
            raise RuntimeError(f"{rule.value} already has an evaluator: {REGISTRY[rule].__qualname__}")
        REGISTRY[rule] = function
        return function

    return register


def load_evaluators() -> dict[Rule, Evaluator]:
    autodiscover_modules("compliance")
    return REGISTRY


def evaluate(project: Project, as_of: datetime.date, rules: list[Rule] | None = None) -> list[RuleResult]:
    """Results for the registered rules (or the ones asked for), in rulebook order."""
    registry = load_evaluators()
    context = ProjectContext(project, as_of)
    wanted = [rule for rule in Rule if rule in registry and (rules is None or rule in rules)]
    return [registry[rule](context).trimmed() for rule in wanted]
