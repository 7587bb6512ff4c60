"""The compliance report of one project as of one day: what the compliance
engine (`projects.compliance.evaluate`) says for every rule, counted, grouped
by section and with links to the evidence, plus when it was made and the
ledger head it was made from, so anyone can tie a report to the state of the
hash-chained ledger (LEDGER-1).

One report costs the queries of `evaluate()` plus a fixed few (the project's
start and the ledger head), however many rules, records or evidence rows
there are: evidence links are filled in from URL templates (see
`reports.evidence`).

Reading a report (`report_for`) shares one made copy for a few minutes
between everyone who reads the same project, day and language, until
anything is audited in the organisation: every service writes the audit log
when it changes something, so a new audit record means the copy may be out
of date. The copy carries the time it was made (`generated_at`)."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Min
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language

from boards.ledger import ledger_head
from coprod.rulebook import Rule
from projects.compliance import RuleResult, Status, evaluate
from projects.models import AuditEvent, Phase, Project
from reports.evidence import EvidenceLinks

FORMAT = "coprod-compliance/1"
STATUSES: tuple[str, ...] = tuple(status.value for status in Status)  # pass, warn, fail, n/a
# `build_report(head=...)` default: read the ledger head when the report is made.
READ_HEAD: Any = object()
STATUS_LABELS = {"pass": "Pass", "warn": "Warning", "fail": "Fail", "n/a": "Not applicable"}


@dataclass(frozen=True)
class Section:
    id: str
    title: str


# The sections of RULES.md, in its order; a rule belongs to the section its ID starts with.
SECTIONS: tuple[Section, ...] = (
    Section("SCOPE", "Project scoping"),
    Section("BOARD", "The Project Board"),
    Section("GROUP", "The Overview Group"),
    Section("TEAM", "Who is involved, and when"),
    Section("LEDGER", "The decision ledger"),
    Section("TENANT", "Organisations kept apart"),
)
SECTION_IDS = tuple(section.id for section in SECTIONS)


def section_of(rule_id: str) -> str:
    return rule_id.split("-", 1)[0]


class AsOfError(ValueError):
    """An "as of" date that is malformed or outside the project's life."""


def project_start(project: Project) -> datetime.date:
    """The first day a report can be made for: the day the project was
    recorded, or the start of its first phase when that is earlier (a
    project brought in with its history already running)."""
    created = timezone.localdate(project.created_at)
    first_phase = Phase.objects.filter(project=project).aggregate(first=Min("starts_on"))["first"]
    return min(created, first_phase) if first_phase else created


def day_text(day: datetime.date) -> str:
    return date_format(day, "j F Y")


def check_as_of(project: Project, as_of: datetime.date, *, start: datetime.date | None = None) -> None:
    """Refuse a day before the project started or after today."""
    start = start or project_start(project)
    today = timezone.localdate()
    if not start <= as_of <= today:
        raise AsOfError(
            f"Choose a day from the project's start ({day_text(start)}) to today ({day_text(today)}); "
            f"{day_text(as_of)} is outside that range."
        )


def parse_as_of(project: Project, text: str | None) -> datetime.date:
    """The "as of" day from a query string: empty means today; anything else
    must be an ISO date (YYYY-MM-DD) within the project's life."""
    if text is None or not text.strip():
        return timezone.localdate()
    try:
        as_of = datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise AsOfError("Give the date as YYYY-MM-DD, for example 2026-03-31.") from None
    check_as_of(project, as_of)
    return as_of


def _rule_title(rule_id: str) -> str:
    try:
        return str(Rule(rule_id).label)
    except ValueError:
        return rule_id


def _counts(statuses: list[str]) -> dict[str, int]:
    counted = Counter(statuses)
    return {status: counted.get(status, 0) for status in STATUSES}


def _rule_dict(result: RuleResult, links: EvidenceLinks) -> dict[str, Any]:
    data = result.as_dict()
    return {
        "id": data["id"],
        "title": _rule_title(data["id"]),
        "section": section_of(data["id"]),
        "status": data["status"],
        "explanation": data["explanation"],
        "evidence": [
            {
                "kind": item["kind"],
                "id": item["id"],
                "label": item["label"],
                "url": links.url(item["kind"], item["id"], item.get("url") or ""),
            }
            for item in data["evidence"]
        ],
    }


def build_report(
    project: Project,
    as_of: datetime.date,
    *,
    head: Any = READ_HEAD,
    generated_at: datetime.datetime | None = None,
) -> dict[str, Any]:
    """The report as plain data (what the API answers and every export is
    made from). `head` is the ledger head the report is tied to: by default
    read now; an export that ships the ledger beside it passes the head of
    that very ledger document so both agree."""
    check_as_of(project, as_of)
    results = evaluate(project, as_of)
    links = EvidenceLinks(project)
    rules = [_rule_dict(result, links) for result in results]
    if head is READ_HEAD:
        head = ledger_head(project)
    sections = []
    known = set(SECTION_IDS)
    # Sections in RULES.md order; a section the catalogue gains later still shows, after them.
    extra = [section_of(rule["id"]) for rule in rules if section_of(rule["id"]) not in known]
    for section in [*SECTIONS, *(Section(sid, sid) for sid in dict.fromkeys(extra))]:
        members = [rule for rule in rules if rule["section"] == section.id]
        if not members:
            continue
        sections.append(
            {
                "id": section.id,
                "title": section.title,
                "summary": _counts([rule["status"] for rule in members]),
                "rules": [rule["id"] for rule in members],
            }
        )
    return {
        "format": FORMAT,
        "organisation": project.organisation.slug,
        "project": project.slug,
        "project_title": project.title,
        "as_of": as_of.isoformat(),
        "generated_at": (generated_at or timezone.now()).isoformat(),
        "ledger_head": {"sequence": head[0], "hash": head[1]} if head else None,
        "summary": _counts([rule["status"] for rule in rules]),
        "sections": sections,
        "rules": rules,
    }


# How long a made report may be shared at most: a change that skipped the
# audit log (none should) is seen after this long anyway.
SHARED_REPORT_SECONDS = 300


def report_for(project: Project, as_of: datetime.date) -> dict[str, Any]:
    """The report, as `build_report` makes it, shared between readers (see
    `shared_reports`)."""
    return shared_reports([project], as_of)[project.pk]


def shared_reports(projects: list[Project], as_of: datetime.date) -> dict[int, dict[str, Any]]:
    """The reports of some projects of one organisation as of a day, by
    project id: each made once and shared between readers while nothing new
    is in the organisation's audit log (one query to check, for all of
    them) and for `SHARED_REPORT_SECONDS` at most; the ones not already made
    are made now. The key holds today's date too, as what a report says of
    today changes at midnight."""
    if not projects:
        return {}
    organisation_ids = {project.organisation_id for project in projects}
    if len(organisation_ids) != 1:
        raise ValueError("Shared reports are read for the projects of one organisation at a time.")
    latest_audit = (
        AuditEvent.objects.filter(organisation_id=organisation_ids.pop())
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    stamp = f"{as_of.isoformat()}:{timezone.localdate().isoformat()}:{latest_audit}:{get_language()}"
    keys = {project.pk: f"compliance-report:{project.pk}:{stamp}" for project in projects}
    found = cache.get_many(list(keys.values()))
    reports: dict[int, dict[str, Any]] = {}
    made: dict[str, dict[str, Any]] = {}
    for project in projects:
        report = found.get(keys[project.pk])
        if report is None:
            report = made[keys[project.pk]] = build_report(project, as_of)
        reports[project.pk] = report
    if made:
        cache.set_many(made, SHARED_REPORT_SECONDS)
    return reports


def failing_rules(report: dict[str, Any]) -> list[str]:
    return [rule["id"] for rule in report["rules"] if rule["status"] == Status.FAIL]
