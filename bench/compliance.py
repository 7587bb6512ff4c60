"""Benchmark of the compliance report for one large project: every rule
evaluated with its evidence in a fixed number of queries, whatever the size.

Run from the project folder, against a PostgreSQL database of its own (the
script drops and recreates it, so its name must end in `_bench`):

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/coprod_compliance_bench \\
        .venv/bin/python bench/compliance.py [--scale 1.0]

It builds a project of the size the issue names (at `--scale 1`: 300 people,
2,000 seats over three years, 5,000 agenda items decided into 5,000 chained
ledger entries with 50,000 votes, 5,000 public inputs, monthly meetings,
milestones with reviews, audit history), then a tenth of it in a second
project of the same organisation, and measures the report for both: today
and "as of" a date half-way through. The report is the JSON the API returns
(`reports.report.build_report` when that module is installed, otherwise the
evaluator results serialised the same way). It prints the median wall time of
five runs, the queries of one run and the peak memory (tracemalloc) of
another, and checks the issue's targets: under one second, and the same
number of queries at both sizes.

A report is a read of one project, not a page served under load, so the
figures are absolute rather than ratios to a bare view."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coprod.settings")

from bench.common import fresh_database, load_average, measure  # noqa: E402

TARGET_SECONDS = 1.0
BATCH = 2000
NON_PROFESSIONAL = ["service_user", "carer", "public", "community_rep", "independent", "service_user"]
PROFESSIONAL = ["professional", "staff", "technician", "project_team"]


def build(slug: str, scale: float, organisation=None) -> tuple[object, Counter[str]]:
    """One project of the given scale; returns it and the rows made of each kind."""
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from boards.models import AgendaItem, Body, DecisionEntry, ImplementationUpdate, Meeting, Seat, Vote
    from overview.models import MilestoneReview
    from projects.models import AuditEvent, Milestone, Organisation, Phase, Project
    from stakeholders.models import InputResponse, Person, PublicInput, StakeholderGroup
    from tools.verify_ledger import GENESIS_HASH, canonical_json, entry_hash

    made: Counter[str] = Counter()

    def bulk(model, rows: list) -> list:
        made[model.__name__] += len(rows)
        return model.objects.bulk_create(rows, batch_size=BATCH)

    def n(count: int) -> int:
        return max(1, round(count * scale))

    start = datetime.date(2024, 1, 8)
    today = timezone.localdate()

    def at(day: datetime.date, hour: int = 18) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))

    with scopes_disabled():
        if organisation is None:
            organisation = Organisation.objects.create(name="Bench Health Partnership", slug="bench")
        project = Project.objects.create(
            organisation=organisation,
            title=f"Large project {slug}",
            slug=slug,
            initiator_type="service_user",
            status="delivery",
        )
        phases = bulk(
            Phase,
            [
                Phase(
                    project=project,
                    name=f"Phase {k + 1}",
                    order=k,
                    starts_on=start + datetime.timedelta(days=300 * k),
                    ends_on=start + datetime.timedelta(days=300 * (k + 1) - 1),
                )
                for k in range(4)
            ],
        )
        groups = bulk(
            StakeholderGroup,
            [
                StakeholderGroup(
                    project=project,
                    name=f"Group {k + 1}",
                    affected="indirectly" if k % 3 == 2 else "directly",
                    impact="negative" if k % 4 == 3 else "positive",
                    is_professional=k % 4 == 1,
                )
                for k in range(8)
            ],
        )
        people = bulk(
            Person, [Person(organisation=organisation, name=f"Person {k}") for k in range(max(30, n(300)))]
        )
        board, _ = Body.objects.get_or_create(project=project, kind="board")
        overview, _ = Body.objects.get_or_create(project=project, kind="overview")
        Body.objects.filter(pk__in=[board.pk, overview.pk]).update(status="active", status_since=at(start, 9))
        made["Body"] += 2

        # Seats over time: most ended (terms of 90 days, staggered over the
        # three years), 30 open per body with a 60/40 non-professional mix.
        seats_of: dict[int, list] = {}
        open_of: dict[int, list] = {}
        rows = []
        for body, total in ((board, n(1400)), (overview, n(600))):
            opened = min(30, total)
            for k in range(total):
                is_open = k >= total - opened
                position = k - (total - opened)
                capacity = (
                    (NON_PROFESSIONAL[position % 6] if position % 10 < 6 else PROFESSIONAL[position % 4])
                    if is_open
                    else (NON_PROFESSIONAL + PROFESSIONAL)[k % 10]
                )
                term_start = start + datetime.timedelta(days=(k * 1000) // total)
                rows.append(
                    Seat(
                        body=body,
                        person=people[(position if is_open else k) % len(people)],
                        capacity=capacity,
                        stakeholder_group=groups[k % len(groups)],
                        phase=phases[min(3, (term_start - start).days // 300)],
                        term_start=term_start if not is_open else start,
                        term_end=None if is_open else term_start + datetime.timedelta(days=90),
                        is_open=is_open,
                    )
                )
        for seat in bulk(Seat, rows):
            seats_of.setdefault(seat.body_id, []).append(seat)
            if seat.is_open:
                open_of.setdefault(seat.body_id, []).append(seat)

        meetings = []
        for body in (board, overview):
            day = start + datetime.timedelta(days=14)
            while day < today:
                meetings.append(Meeting(body=body, scheduled_at=at(day), status="held", held_on=day))
                day += datetime.timedelta(days=30)
            meetings.append(Meeting(body=body, scheduled_at=at(today + datetime.timedelta(days=14))))
        meetings = bulk(Meeting, meetings)

        items = []
        for body, total in ((board, n(3500)), (overview, n(1500))):
            for k in range(total):
                items.append(
                    AgendaItem(
                        body=body,
                        title=f"Item {k} of the {body.kind}",
                        status="agreed",
                        decided_at=timezone.now(),
                        deadline=start + datetime.timedelta(days=k % 900),
                    )
                )
        items = bulk(AgendaItem, items)

        entries = []
        votes = []
        previous = GENESIS_HASH
        for sequence, item in enumerate(items, start=1):
            voters = open_of[item.body_id]
            cast = [voters[(sequence + k) % len(voters)] for k in range(min(10, len(voters)))]
            choices = ["for" if k % 5 else "against" for k in range(len(cast))]
            payload = {
                "sequence": sequence,
                "project": project.pk,
                "body": "board" if item.body_id == board.pk else "overview",
                "item": item.pk,
                "item_kind": "general",
                "title": item.title,
                "proposal": {},
                "outcome": "agreed",
                "recorded_at": timezone.now().isoformat(),
                "round": 1,
                "tally": {
                    "for": choices.count("for"),
                    "against": choices.count("against"),
                    "abstain": 0,
                },
                "votes": [
                    {
                        "seat": s.pk,
                        "person": s.person_id,
                        "capacity": s.capacity,
                        "choice": c,
                        "recorded_by": None,
                    }
                    for s, c in zip(cast, choices, strict=True)
                ],
                "quorum": {
                    "rule": "LEDGER-2",
                    "applies": True,
                    "votes_cast": len(cast),
                    "non_professional_cast": sum(1 for s in cast if s.capacity in NON_PROFESSIONAL),
                    "required_non_professional": 0,
                    "share_percent": 30 if item.body_id == board.pk else 60,
                },
                "tie_procedure": "fails",
                "returns": None,
            }
            text = canonical_json(payload)
            digest = entry_hash(previous, text)
            entries.append(
                DecisionEntry(
                    project=project,
                    sequence=sequence,
                    body_id=item.body_id,
                    item=item,
                    outcome="agreed",
                    payload=text,
                    prev_hash=previous,
                    entry_hash=digest,
                )
            )
            previous = digest
            votes.extend(
                Vote(item=item, seat=s, round=1, choice=c) for s, c in zip(cast, choices, strict=True)
            )
        entries = bulk(DecisionEntry, entries)
        bulk(Vote, votes)
        bulk(
            ImplementationUpdate,
            [ImplementationUpdate(entry=entry, status="done", note="Done.") for entry in entries],
        )

        milestones = bulk(
            Milestone,
            [
                Milestone(
                    project=project,
                    phase=phases[k % 4],
                    title=f"Milestone {k}",
                    due_on=start + datetime.timedelta(days=90 * k + 30),
                )
                for k in range(12)
            ],
        )
        overview_meetings = [m for m in meetings if m.body_id == overview.pk and m.status == "held"]
        bulk(
            MilestoneReview,
            [
                MilestoneReview(
                    milestone=milestone,
                    meeting=overview_meetings[k % len(overview_meetings)],
                    summary="Reviewed.",
                )
                for k, milestone in enumerate(milestones)
                if milestone.due_on <= today
            ],
        )

        inputs = bulk(
            PublicInput,
            [
                PublicInput(
                    project=project,
                    stakeholder_group=groups[k % len(groups)],
                    channel="web",
                    message=f"Input number {k}: please keep the garden open at weekends.",
                    affected="directly",
                    impact=("positive", "negative", "both")[k % 3],
                    as_who="resident",
                    consent=True,
                    status="answered",
                )
                for k in range(n(5000))
            ],
        )
        bulk(
            InputResponse,
            [
                InputResponse(
                    input=item,
                    public_text="Thank you: the board has agreed weekend opening.",
                    incorporated="yes",
                    how_or_why="Weekend opening is in the plan.",
                )
                for item in inputs
            ],
        )
        bulk(
            AuditEvent,
            [
                AuditEvent(
                    organisation=organisation,
                    project=project,
                    actor_label="bench",
                    action="boards.vote.cast" if k % 50 else "refused.boards.item_update",
                    rule="" if k % 50 else "BOARD-8",
                    data={} if k % 50 else {"detail": "An agreed item cannot be edited."},
                )
                for k in range(n(10000))
            ],
        )
    return project, made


def report_for(project, as_of: datetime.date) -> str:
    """The JSON report as the API serves it."""
    try:
        from reports.report import build_report
    except ImportError:
        build_report = None
    if build_report is not None:
        return json.dumps(build_report(project, as_of), default=str)
    from projects.compliance import evaluate

    return json.dumps([result.as_dict() for result in evaluate(project, as_of)], default=str)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="size of the large project (1 = the issue's)"
    )
    arguments = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    fresh_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone
    from django_scopes import scopes_disabled

    call_command("migrate", verbosity=0)
    large, made = build("large", arguments.scale)
    small, _ = build("small", arguments.scale / 10, organisation=large.organisation)
    print(
        f"coprod compliance benchmark, {datetime.date.today()}, {platform.node()}, Python {platform.python_version()}"
    )
    print("Large project: " + ", ".join(f"{count:,} {name}" for name, count in sorted(made.items())))
    today = timezone.localdate()
    midway = datetime.date(2025, 6, 1)
    results = []
    with scopes_disabled():
        for project, label in ((small, "small (1/10)"), (large, "large")):
            for as_of in (today, midway):
                size = len(report_for(project, as_of))
                found = measure(f"{label}, as of {as_of}", lambda p=project, d=as_of: report_for(p, d))
                results.append(found)
                print(
                    f"  {found.label:32} median {found.median * 1000:7.1f} ms "
                    f"(min {min(found.seconds) * 1000:.1f}, max {max(found.seconds) * 1000:.1f}), "
                    f"{found.queries} queries, peak {found.peak_mb:.1f} MB, JSON {size / 1000:.0f} kB"
                )
    print(f"Load average: {load_average():.2f}")
    slowest = max(result.median for result in results)
    query_counts = {result.queries for result in results}
    print(
        f"{'PASS' if slowest < TARGET_SECONDS else 'FAIL'} time: slowest median {slowest:.3f} s "
        f"(target under {TARGET_SECONDS:.0f} s)"
    )
    print(
        f"{'PASS' if len(query_counts) == 1 else 'FAIL'} queries: {sorted(query_counts)} "
        "(the same at both sizes and dates)"
    )


if __name__ == "__main__":
    main()
