"""Benchmark of the cadence sweep (`projects.monitoring.sweep`): one sweep
over every organisation must not cost queries per body.

Run from the project folder, against a PostgreSQL database of its own (the
script drops and recreates it, so its name must end in `_bench`):

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/coprod_bench \\
        .venv/bin/python bench/sweep.py [--orgs 1000 --bodies-per-org 10 --small-orgs 100]

It builds the data with bulk_create under `scopes_disabled` (each
organisation has `bodies-per-org / 2` projects, each with its Project Board
and Overview Group: some suspended, some active with held meetings long ago
or lately, some forming; overdue and carried items, due milestones, stalled
group decisions, late dispute stages, unanswered public input, seat terms
ending soon). It first builds `--small-orgs` organisations and measures, then
adds the rest and measures again, so both sizes share their first
organisations. At each size the sweep runs twice from no flags: the first run
raises everything, the second finds nothing new (the steady state every 15
minutes). Each run is done twice: once for wall time and the query count
(CaptureQueriesContext, no tracemalloc), once for peak memory (tracemalloc),
so neither measurement disturbs the other.

The sweep is a batch job, not a page: there is no bare view to compare it
with, so the figures are absolute, against the targets of the issue (under
10 seconds, under 500 MB, the query count independent of the number of
bodies)."""

from __future__ import annotations

import argparse
import datetime
import gc
import hashlib
import os
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coprod.settings")

TARGET_SECONDS = 10.0
TARGET_MB = 500.0
BATCH = 2000


# --- The database -----------------------------------------------------------------------


def fresh_database(url: str) -> None:
    """Drop and create the benchmark database (only one whose name ends in
    `_bench`: this script deletes everything in it)."""
    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/coprod_bench"
        )
    name = parsed.path.lstrip("/")
    if not name.endswith("_bench"):
        sys.exit(f"Refusing to drop {name!r}: the benchmark database's name must end in _bench.")
    options = ["-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432)]
    if parsed.username:
        options += ["-U", parsed.username]
    environment = dict(os.environ)
    if parsed.password:
        environment["PGPASSWORD"] = parsed.password
    subprocess.run(["dropdb", "--if-exists", *options, name], check=True, env=environment)
    subprocess.run(["createdb", *options, name], check=True, env=environment)


# --- Building the data ------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    bodies_per_org: int

    @property
    def projects_per_org(self) -> int:
        return max(1, self.bodies_per_org // 2)


def build(first: int, last: int, shape: Shape, now: datetime.datetime) -> dict[str, int]:
    """Organisations number `first` to `last - 1`, with everything the
    checks read. Returns the number of rows made of each kind."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from boards.models import AgendaItem, Body, DecisionEntry, Meeting, Seat
    from disputes.models import Dispute, StageRecord
    from overview.models import MilestoneReview
    from projects.models import Milestone, Organisation, OrganisationMember, Phase, Project
    from stakeholders.models import Person, PublicInput, StakeholderGroup

    User = get_user_model()
    today = timezone.localdate(now)
    days = datetime.timedelta

    def at(day: datetime.date, hour: int = 18) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))

    made: Counter[str] = Counter()

    def bulk(model, rows: list) -> list:
        made[model.__name__] += len(rows)
        return model.objects.bulk_create(rows, batch_size=BATCH)

    with scopes_disabled():
        organisations = bulk(
            Organisation,
            [Organisation(name=f"Bench {n:05d}", slug=f"bench-{n:05d}") for n in range(first, last)],
        )
        admins = bulk(
            User,
            [
                User(username=f"admin@{org.slug}.example.org", email=f"admin@{org.slug}.example.org")
                for org in organisations
            ],
        )
        bulk(
            OrganisationMember,
            [
                OrganisationMember(organisation=org, user=user, role="admin")
                for org, user in zip(organisations, admins, strict=True)
            ],
        )
        people = bulk(
            Person,
            [Person(organisation=org, name=f"Person {k}") for org in organisations for k in range(6)],
        )
        people_of = {org.pk: people[i * 6 : (i + 1) * 6] for i, org in enumerate(organisations)}

        projects = bulk(
            Project,
            [
                Project(
                    organisation=org,
                    title=f"Project {k}",
                    slug=f"project-{k}",
                    initiator_type="service_user",
                    status="delivery" if k % 2 else "scoping",
                    # auto_now_add stamps entries and input "now": a zero-day
                    # allowance makes them overdue at once, as old ones would be.
                    implementation_days=0 if k == 0 else 60,
                    input_answer_days=0 if k == 1 else 21,
                )
                for org in organisations
                for k in range(shape.projects_per_org)
            ],
        )
        groups = bulk(
            StakeholderGroup,
            [
                StakeholderGroup(project=project, name=name, affected="directly", impact="positive")
                for project in projects
                for name in ("Service users", "Carers")
            ],
        )
        groups_of = {project.pk: groups[i * 2 : (i + 1) * 2] for i, project in enumerate(projects)}
        phases = []
        for project in projects:
            phases.append(
                Phase(
                    project=project,
                    name="Design",
                    order=0,
                    starts_on=today - days(200),
                    ends_on=today + days(10),
                )
            )
            phases.append(
                Phase(
                    project=project,
                    name="Pilot",
                    order=1,
                    starts_on=today + days(11),
                    ends_on=today + days(300),
                )
            )
        bulk(Phase, phases)

        # Bodies: the number of a body within its organisation decides its state.
        bodies = []
        for index, project in enumerate(projects):
            base = (index % shape.projects_per_org) * 2
            for offset, kind in enumerate(("board", "overview")):
                number = base + offset
                if number % 10 == 0:
                    status, since = "suspended", now - days(30)
                elif number % 10 in (8, 9):
                    status, since = "forming", None
                else:
                    status, since = "active", now - days(400)
                bodies.append(
                    Body(
                        project=project,
                        kind=kind,
                        status=status,
                        status_since=since,
                        status_reason="A carer resigned." if status == "suspended" else "",
                    )
                )
        bodies = bulk(Body, bodies)
        live = [body for body in bodies if body.status in ("active", "suspended")]

        meetings = []
        for number, body in enumerate(live):
            held = today - days(300 if number % 2 else 12)
            meetings.append(Meeting(body=body, scheduled_at=at(held), status="held", held_on=held))
            meetings.append(
                Meeting(body=body, scheduled_at=at(held - days(40)), status="held", held_on=held - days(40))
            )
            if number % 3:
                meetings.append(Meeting(body=body, scheduled_at=at(today + days(20)), status="scheduled"))
        meetings = bulk(Meeting, meetings)
        held_group_meeting = {
            meeting.body_id: meeting for meeting in meetings if meeting.status == "held" and meeting.held_on
        }

        items = []
        for number, body in enumerate(live):
            items.append(
                AgendaItem(body=body, title="Saturday opening", deadline=today - days(5 + number % 20))
            )
            items.append(AgendaItem(body=body, title="Transport", deadline=today + days(30)))
        bulk(AgendaItem, items)

        milestones = []
        for project in projects:
            milestones.append(Milestone(project=project, title="Design agreed", due_on=today - days(10)))
            milestones.append(Milestone(project=project, title="Pilot opens", due_on=today + days(60)))
        milestones = bulk(Milestone, milestones)
        overview_of = {body.project_id: body for body in bodies if body.kind == "overview"}
        reviews = []
        for number, milestone in enumerate(milestones):
            group = overview_of[milestone.project_id]
            meeting = held_group_meeting.get(group.pk)
            if meeting is not None and number % 4 == 0:
                reviews.append(MilestoneReview(milestone=milestone, meeting=meeting, summary="Reached."))
        bulk(MilestoneReview, reviews)

        # Seats, some of whose terms end within the warning window.
        seats = []
        org_of_project = {project.pk: project.organisation_id for project in projects}
        for number, body in enumerate(bodies):
            if body.status != "active":
                continue
            group = groups_of[body.project_id]
            persons = people_of[org_of_project[body.project_id]]
            for k, capacity in enumerate(("service_user", "carer", "professional")):
                seats.append(
                    Seat(
                        body=body,
                        person=persons[(number + k) % len(persons)],
                        capacity=capacity,
                        stakeholder_group=group[k % 2],
                        term_start=today - days(100),
                        term_end=today + days(15) if k == 0 and number % 2 else None,
                    )
                )
        bulk(Seat, seats)

        # Agreed Overview Group decisions not carried out (GROUP-6).
        entries_items = []
        stalled_projects = [project for project in projects if project.implementation_days == 0]
        for project in stalled_projects:
            entries_items.append(
                AgendaItem(
                    body=overview_of[project.pk], title="Easy-read leaflets", status="agreed", decided_at=now
                )
            )
        entries_items = bulk(AgendaItem, entries_items)
        entries = []
        for project, item in zip(stalled_projects, entries_items, strict=True):
            digest = hashlib.sha256(f"bench-{project.pk}-1".encode()).hexdigest()
            entries.append(
                DecisionEntry(
                    project=project,
                    sequence=1,
                    body=overview_of[project.pk],
                    item=item,
                    outcome="agreed",
                    payload="{}",
                    prev_hash="0" * 64,
                    entry_hash=digest,
                )
            )
        bulk(DecisionEntry, entries)

        # A dispute per organisation with a stage past its time limit.
        first_board = {}
        for body in bodies:
            if body.kind == "board" and body.status == "active":
                first_board.setdefault(org_of_project[body.project_id], body)
        disputes = bulk(
            Dispute,
            [
                Dispute(body=body, subject="conduct", summary="How meetings are run", current_stage=1)
                for body in first_board.values()
            ],
        )
        bulk(
            StageRecord,
            [
                StageRecord(
                    dispute=dispute,
                    order=1,
                    kind="facilitated_discussion",
                    started_on=today - days(40),
                    due_on=today - days(10),
                )
                for dispute in disputes
            ],
        )

        # Public input, some of it unanswered past the project's allowance (TEAM-9).
        bulk(
            PublicInput,
            [
                PublicInput(
                    project=project,
                    message="Please keep the Saturday session.",
                    affected="directly",
                    impact="positive",
                    as_who="service_user",
                    consent=True,
                )
                for project in projects
            ],
        )
    return dict(made)


# --- Measuring --------------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    cpu_seconds: float
    queries: int
    kinds: dict[str, int]
    peak_mb: float
    raised: int
    resolved: int
    open: int


def _statement_kind(sql: str) -> str:
    return sql.lstrip().split(None, 1)[0].upper()


def measure(now: datetime.datetime) -> list[Run]:
    """Two sweeps from no flags, timed and counted; then the same two again
    under tracemalloc for their peak memory."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from projects import monitoring

    def clear_flags() -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM projects_flagemail")
            cursor.execute("DELETE FROM projects_flag")

    monitoring.load_checks()
    clear_flags()
    timed = []
    for _ in range(2):
        reset_queries()
        gc.collect()
        with CaptureQueriesContext(connection) as captured:
            start, cpu_start = time.perf_counter(), time.process_time()
            result = monitoring.sweep(now)
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        kinds = Counter(_statement_kind(query["sql"]) for query in captured.captured_queries)
        timed.append((seconds, cpu, len(captured), dict(kinds), result))
    clear_flags()
    runs = []
    for seconds, cpu, queries, kinds, result in timed:
        reset_queries()
        gc.collect()
        tracemalloc.start()
        monitoring.sweep(now)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        runs.append(
            Run(
                seconds=seconds,
                cpu_seconds=cpu,
                queries=queries,
                kinds=kinds,
                peak_mb=peak / 1024 / 1024,
                raised=result.raised,
                resolved=result.resolved,
                open=result.open,
            )
        )
    reset_queries()
    return runs


def report(label: str, orgs: int, bodies: int, runs: list[Run], load: float) -> None:
    print(
        f"\n{label}: {orgs} organisations, {bodies} bodies (load average before measuring {load:.1f} "
        f"on {os.cpu_count()} cores: other work on the machine slows the sweep)"
    )
    for number, run in enumerate(runs, start=1):
        what = "raises every flag" if number == 1 else "steady state, nothing new"
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(run.kinds.items()))
        print(
            f"  sweep {number} ({what}): {run.seconds:6.2f} s (Python CPU {run.cpu_seconds:.2f} s), "
            f"{run.queries:3d} queries ({kinds}), "
            f"peak {run.peak_mb:7.1f} MB; raised {run.raised}, resolved {run.resolved}, open {run.open}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=1000, help="organisations at the full size (1000)")
    parser.add_argument("--bodies-per-org", type=int, default=10, help="bodies per organisation (10)")
    parser.add_argument("--small-orgs", type=int, default=100, help="organisations at the small size (100)")
    options = parser.parse_args()
    if not 0 < options.small_orgs < options.orgs or options.bodies_per_org < 2:
        parser.error("need 0 < --small-orgs < --orgs and --bodies-per-org >= 2")

    url = os.environ.get("DATABASE_URL", "")
    fresh_database(url)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("migrate", verbosity=0)
    shape = Shape(options.bodies_per_org)
    now = timezone.now()
    bodies_per_org = shape.projects_per_org * 2

    print(
        f"coprod cadence sweep benchmark, {datetime.date.today():%Y-%m-%d}, Python {platform.python_version()}, "
        f"PostgreSQL {connection.pg_version // 10000}, "
        f"{os.cpu_count()} CPU cores"
    )
    print(
        f"Targets: under {TARGET_SECONDS:.0f} s and {TARGET_MB:.0f} MB per sweep at the full size; "
        "the same query count at both sizes."
    )

    results = {}
    built = 0
    for label, orgs in (("small", options.small_orgs), ("full", options.orgs)):
        start = time.perf_counter()
        made = build(built, orgs, shape, now)
        built = orgs
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"\nBuilt organisations up to {orgs} in {time.perf_counter() - start:.1f} s "
            f"({', '.join(f'{count} {name}' for name, count in sorted(made.items()))} added)"
        )
        load = os.getloadavg()[0]
        runs = measure(now)
        results[label] = runs
        report(label.capitalize(), orgs, orgs * bodies_per_org, runs, load)

    small, full = results["small"], results["full"]
    worst_seconds = max(run.seconds for run in full)
    worst_mb = max(run.peak_mb for run in full)
    reads_small = [run.kinds.get("SELECT", 0) for run in small]
    reads_full = [run.kinds.get("SELECT", 0) for run in full]
    print("\nChecks")
    print(
        f"  {'PASS' if worst_seconds < TARGET_SECONDS else 'FAIL'}: slowest sweep at the full size "
        f"{worst_seconds:.2f} s (target under {TARGET_SECONDS:.0f} s)"
    )
    print(
        f"  {'PASS' if worst_mb < TARGET_MB else 'FAIL'}: highest peak memory at the full size "
        f"{worst_mb:.1f} MB (target under {TARGET_MB:.0f} MB)"
    )
    print(
        f"  {'PASS' if reads_small == reads_full else 'FAIL'}: SELECT queries per sweep, small vs full: "
        f"{reads_small} vs {reads_full}"
    )
    same_steady = small[1].queries == full[1].queries
    print(
        f"  {'PASS' if same_steady else 'FAIL'}: all queries of the steady-state sweep, small vs full: "
        f"{small[1].queries} vs {full[1].queries}"
    )
    same_first = small[0].queries == full[0].queries
    print(
        f"  {'PASS' if same_first else 'FAIL'}: all queries of the sweep that raises every flag, small vs full: "
        f"{small[0].queries} vs {full[0].queries} (INSERT {small[0].kinds.get('INSERT', 0)} vs "
        f"{full[0].kinds.get('INSERT', 0)}: flags are inserted 1,000 to a statement)"
    )
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nProcess peak RSS, data building included: {peak_rss:.0f} MB")


if __name__ == "__main__":
    main()
