"""The compliance engine's registry: one evaluator per rule ID, each living in
the app that owns the data (`boards/compliance.py`, …) and collected here.
An evaluator is read-only and returns a status (pass, warn, fail, n/a), a
plain-language explanation and evidence: the records that justify it."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from django.utils.module_loading import autodiscover_modules

from coprod.rulebook import Rule
from projects.models import Project


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

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.rule.value,
            "status": self.status.value,
            "explanation": self.explanation,
            "evidence": [asdict(item) for item in self.evidence],
        }


class ProjectContext:
    """What evaluators share for one project and one date. Apps load their
    data once into `cache` (keyed by app) so the report costs a fixed number
    of queries however large the project."""

    def __init__(self, project: Project, as_of: datetime.date) -> None:
        self.project = project
        self.as_of = as_of
        self.cache: dict[str, Any] = {}


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
    return [registry[rule](context) for rule in wanted]
