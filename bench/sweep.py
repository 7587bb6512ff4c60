"""Benchmark of the cadence sweep (`projects.monitoring.sweep`) and of the
emails about its flags (`notify_new_flags`, `send_digests`): one sweep over
every organisation must not cost queries per body, nor the emails queries per
flag.

Run from the project folder, against a PostgreSQL database of its own (the
script drops and recreates it, so its name must end in `_bench`):

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/coprod_bench \\
        .venv/bin/python bench/sweep.py [--orgs 1000 --bodies-per-org 10 --small-orgs 100]

It builds the data with bulk_create under `scopes_disabled` (each
organisation has `bodies-per-org / 2` projects, each with its Project Board
and Overview Group: some suspended, some active with held meetings long ago
or lately, some forming; overdue and carried items, due milestones, stalled
group decisions, late dispute stages, unanswered public input, seat terms
ending soon; per organisation an admin who wants an email for every flag, a
facilitator who wants the daily digest, a member who facilitates one project
through a django-guardian grant and a member who chairs some of the bodies,
both wanting every email). It first builds `--small-orgs` organisations and
measures, then adds the rest and measures again, so both sizes share their
first organisations. At each size the sweep runs twice from no flags: the
first run raises everything, the second finds nothing new (the steady state
every 15 minutes). Then `notify_new_flags` runs twice (the first run emails
about every new flag, the second finds nothing new) and `send_digests` twice
on the same day (the second sends nothing), with Django's locmem email
backend. Each run is timed with its query count (CaptureQueriesContext, no
tracemalloc); each sweep and the first run of each email function are then
done again for their peak memory (tracemalloc), so neither measurement
disturbs the other.

The sweep is a batch job, not a page: there is no bare view to compare it
with, so the figures are absolute, against the targets of the issue (under
10 seconds, under 500 MB, the query count independent of the number of
bodies; for the emails, the query count independent of the number of flags)."""

from __future__ import annotations

import argparse
import datetime
import gc
import hashlib
import os
import platform
import resource
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import fresh_database  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coprod.settings")

TARGET_SECONDS = 10.0
TARGET_MB = 500.0
BATCH = 2000


# --- The database -----------------------------------------------------------------------


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
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone
    from django_scopes import scopes_disabled
    from guardian.models import UserObjectPermission

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
        # Who hears about flags: (role, notifications) of each account.
        accounts = {
            "admin": ("admin", "every"),
            "facilitator": ("facilitator", "digest"),
            "lead": ("member", "every"),  # facilitates project 0 (guardian grant)
            "chair": ("member", "every"),  # chairs the bodies where person 0 sits
        }
        users = bulk(
            User,
            [
                User(username=f"{name}@{org.slug}.example.org", email=f"{name}@{org.slug}.example.org")
                for org in organisations
                for name in accounts
            ],
        )
        user_of = {
            (org.pk, name): users[i * len(accounts) + k]
            for i, org in enumerate(organisations)
            for k, name in enumerate(accounts)
        }
        bulk(
            OrganisationMember,
            [
                OrganisationMember(
                    organisation=org, user=user_of[(org.pk, name)], role=role, notifications=notifications
                )
                for org in organisations
                for name, (role, notifications) in accounts.items()
            ],
        )
        people = bulk(
            Person,
            [
                Person(
                    organisation=org, name=f"Person {k}", user=user_of[(org.pk, "chair")] if k == 0 else None
                )
                for org in organisations
                for k in range(6)
            ],
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
        project_type = ContentType.objects.get_for_model(Project)
        facilitate = Permission.objects.get(content_type=project_type, codename="facilitate_project")
        bulk(
            UserObjectPermission,
            [
                UserObjectPermission(
                    user=user_of[(project.organisation_id, "lead")],
                    permission=facilitate,
                    content_type=project_type,
                    object_pk=str(project.pk),
                )
                for project in projects
                if project.slug == "project-0"
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
        seats = bulk(Seat, seats)
        # The chair: the first seat of each body held by person 0 (who has an account).
        chairs = {person.pk for person in people if person.user_id}
        chair_of: dict[int, int] = {}
        for seat in seats:
            if seat.person_id in chairs:
                chair_of.setdefault(seat.body_id, seat.pk)
        chaired = [body for body in bodies if body.pk in chair_of]
        for body in chaired:
            body.chair_seat_id = chair_of[body.pk]
        Body.objects.bulk_update(chaired, ["chair_seat"], batch_size=BATCH)
        made["chaired Body"] += len(chaired)

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
    """One timed run and, from a second identical run, its peak memory."""

    seconds: float
    cpu_seconds: float
    queries: int
    kinds: dict[str, int]
    peak_mb: float = 0.0
    raised: int = 0
    resolved: int = 0
    open: int = 0
    sent: int = 0


def _statement_kind(sql: str) -> str:
    return sql.lstrip().split(None, 1)[0].upper()


def timed(work: Callable[[], object]) -> tuple[Run, object]:
    """Wall time, Python CPU time and the queries of `work()`."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()
    gc.collect()
    with CaptureQueriesContext(connection) as captured:
        start, cpu_start = time.perf_counter(), time.process_time()
        result = work()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    kinds = Counter(_statement_kind(query["sql"]) for query in captured.captured_queries)
    run = Run(seconds=seconds, cpu_seconds=cpu, queries=len(captured), kinds=dict(kinds))
    del captured
    reset_queries()
    return run, result


def peak_mb(work: Callable[[], object]) -> float:
    """Peak memory of `work()` under tracemalloc (no query capture)."""
    from django.db import reset_queries

    reset_queries()
    gc.collect()
    tracemalloc.start()
    work()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    reset_queries()
    return peak / 1024 / 1024


def clear_flags() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM projects_digestemail")
        cursor.execute("DELETE FROM projects_flagemail")
        cursor.execute("DELETE FROM projects_flag")


def measure_sweeps(now: datetime.datetime) -> list[Run]:
    """Two sweeps from no flags, timed and counted; then the same two again
    under tracemalloc for their peak memory. Leaves every flag raised and
    not yet emailed about, as after the first sweep."""
    from projects import monitoring

    monitoring.load_checks()
    clear_flags()
    runs = []
    for _ in range(2):
        run, result = timed(lambda: monitoring.sweep(now))
        run.raised, run.resolved, run.open = result.raised, result.resolved, result.open
        runs.append(run)
    clear_flags()
    for run in runs:
        run.peak_mb = peak_mb(lambda: monitoring.sweep(now))
    return runs


@dataclass
class Expected:
    """What the emails should be, worked out from the data as built (not by
    the code under test): every open flag goes by email to the
    organisation's admin, to the chair of its body if the body has one, and
    to the project's lead on the project the lead facilitates; every
    organisation with an open flag gets one digest, for its facilitator,
    counting all its open flags."""

    emails: int
    digests: int
    digest_flags: int


def expected() -> Expected:
    from django_scopes import scopes_disabled
    from guardian.models import UserObjectPermission

    from boards.models import Body
    from projects.models import Flag

    with scopes_disabled():
        flags = list(
            Flag.objects.filter(resolved_at__isnull=True).values_list(
                "project_id", "body_id", "organisation_id"
            )
        )
        chaired = set(Body.objects.filter(chair_seat__isnull=False).values_list("pk", flat=True))
        led = {
            int(pk)
            for pk in UserObjectPermission.objects.filter(
                permission__codename="facilitate_project"
            ).values_list("object_pk", flat=True)
        }
    emails = sum(1 + (body_id in chaired) + (project_id in led) for project_id, body_id, _org in flags)
    return Expected(emails=emails, digests=len({org for _p, _b, org in flags}), digest_flags=len(flags))


def measure_emails(now: datetime.datetime) -> tuple[list[Run], list[Run], Expected, int]:
    """`notify_new_flags` twice after the first sweep (the first run emails
    about every new flag, the second finds nothing new), then `send_digests`
    twice on one day (the second sends nothing); each timed and counted, then
    the first run of each again under tracemalloc. Also returns the number of
    flags the digests counted."""
    from django.core import mail
    from django.db import connection

    from projects import monitoring

    want = expected()
    day = now.date()
    notify, digests = [], []
    for runs, work in (
        (notify, lambda: monitoring.notify_new_flags(now)),
        (digests, lambda: monitoring.send_digests(day)),
    ):
        for _ in range(2):
            mail.outbox = []
            run, sent = timed(work)
            run.sent = sent
            runs.append(run)
    counted = digest_flag_total()
    # Again from no emails, for the peak memory of the first run of each. The
    # locmem backend keeps every message in `mail.outbox`: that is counted.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM projects_flagemail")
        cursor.execute("UPDATE projects_flag SET notified_at = NULL")
        cursor.execute("DELETE FROM projects_digestemail")
    mail.outbox = []
    notify[0].peak_mb = peak_mb(lambda: monitoring.notify_new_flags(now))
    mail.outbox = []
    digests[0].peak_mb = peak_mb(lambda: monitoring.send_digests(day))
    mail.outbox = []
    return notify, digests, want, counted


def digest_flag_total() -> int:
    from django.db.models import Sum
    from django_scopes import scopes_disabled

    from projects.models import DigestEmail

    with scopes_disabled():
        return DigestEmail.objects.aggregate(total=Sum("flag_count"))["total"] or 0


def _kinds(run: Run) -> str:
    return ", ".join(f"{kind} {count}" for kind, count in sorted(run.kinds.items()))


def loads() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min)"


@dataclass
class Size:
    label: str
    orgs: int
    bodies: int
    load_before: str
    load_after: str
    sweeps: list[Run]
    notify: list[Run]
    digests: list[Run]
    want: Expected
    digest_flags: int


def report(size: Size) -> None:
    print(
        f"\n{size.label}: {size.orgs} organisations, {size.bodies} bodies (load average on "
        f"{os.cpu_count()} cores before measuring {size.load_before}, after {size.load_after}: "
        "other work on the machine slows every figure)"
    )
    for number, run in enumerate(size.sweeps, start=1):
        what = "raises every flag" if number == 1 else "steady state, nothing new"
        print(
            f"  sweep {number} ({what}): {run.seconds:6.2f} s (Python CPU {run.cpu_seconds:.2f} s), "
            f"{run.queries:3d} queries ({_kinds(run)}), "
            f"peak {run.peak_mb:7.1f} MB; raised {run.raised}, resolved {run.resolved}, open {run.open}"
        )
    for name, runs, unit in (
        ("notify_new_flags", size.notify, "emails"),
        ("send_digests", size.digests, "digests"),
    ):
        for number, run in enumerate(runs, start=1):
            what = "first run" if number == 1 else "again, nothing new"
            memory = f"peak {run.peak_mb:7.1f} MB; " if number == 1 else ""
            print(
                f"  {name} {number} ({what}): {run.seconds:6.2f} s (Python CPU {run.cpu_seconds:.2f} s), "
                f"{run.queries:3d} queries ({_kinds(run)}), {memory}{run.sent} {unit} sent"
            )
    print(
        f"  expected from the data: {size.want.emails} emails, {size.want.digests} digests counting "
        f"{size.want.digest_flags} flags (the digests sent counted {size.digest_flags})"
    )
    first = size.sweeps[0].seconds + size.notify[0].seconds
    print(f"  the periodic task's first run (sweep 1, then notify_new_flags 1): {first:.2f} s")


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


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
        f"{os.cpu_count()} CPU cores; load average at the start {loads()}"
    )
    print(
        f"Targets: under {TARGET_SECONDS:.0f} s and {TARGET_MB:.0f} MB per sweep at the full size; "
        "the same query count at both sizes, for the sweep and for the emails."
    )

    sizes: dict[str, Size] = {}
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
        load_before = loads()
        sweeps = measure_sweeps(now)
        notify, digests, want, digest_flags = measure_emails(now)
        size = Size(
            label=label.capitalize(),
            orgs=orgs,
            bodies=orgs * bodies_per_org,
            load_before=load_before,
            load_after=loads(),
            sweeps=sweeps,
            notify=notify,
            digests=digests,
            want=want,
            digest_flags=digest_flags,
        )
        sizes[label] = size
        report(size)

    small, full = sizes["small"], sizes["full"]
    worst_seconds = max(run.seconds for run in full.sweeps)
    worst_mb = max(run.peak_mb for run in full.sweeps)
    reads_small = [run.kinds.get("SELECT", 0) for run in small.sweeps]
    reads_full = [run.kinds.get("SELECT", 0) for run in full.sweeps]
    print("\nChecks")
    print(
        f"  {_verdict(worst_seconds < TARGET_SECONDS)}: slowest sweep at the full size "
        f"{worst_seconds:.2f} s (target under {TARGET_SECONDS:.0f} s)"
    )
    print(
        f"  {_verdict(worst_mb < TARGET_MB)}: highest peak memory of a sweep at the full size "
        f"{worst_mb:.1f} MB (target under {TARGET_MB:.0f} MB)"
    )
    print(
        f"  {_verdict(reads_small == reads_full)}: SELECT queries per sweep, small vs full: "
        f"{reads_small} vs {reads_full}"
    )
    print(
        f"  {_verdict(small.sweeps[1].queries == full.sweeps[1].queries)}: all queries of the steady-state "
        f"sweep, small vs full: {small.sweeps[1].queries} vs {full.sweeps[1].queries}"
    )
    print(
        f"  {_verdict(small.sweeps[0].queries == full.sweeps[0].queries)}: all queries of the sweep that raises "
        f"every flag, small vs full: {small.sweeps[0].queries} vs {full.sweeps[0].queries} "
        f"(raising {small.sweeps[0].raised} vs {full.sweeps[0].raised} flags)"
    )
    for name, index in (("first notify_new_flags", 0), ("notify_new_flags with nothing new", 1)):
        print(
            f"  {_verdict(small.notify[index].queries == full.notify[index].queries)}: queries of the {name}, "
            f"small vs full: {small.notify[index].queries} vs {full.notify[index].queries} "
            f"({small.notify[index].sent} vs {full.notify[index].sent} emails)"
        )
    for name, index in (("first send_digests", 0), ("send_digests again the same day", 1)):
        print(
            f"  {_verdict(small.digests[index].queries == full.digests[index].queries)}: queries of the {name}, "
            f"small vs full: {small.digests[index].queries} vs {full.digests[index].queries} "
            f"({small.digests[index].sent} vs {full.digests[index].sent} digests)"
        )
    for size in (small, full):
        emails_right = size.notify[0].sent == size.want.emails and size.notify[1].sent == 0
        print(
            f"  {_verdict(emails_right)}: {size.label.lower()} size, emails sent {size.notify[0].sent} then "
            f"{size.notify[1].sent}; expected {size.want.emails} then 0"
        )
        digests_right = (
            size.digests[0].sent == size.want.digests
            and size.digests[1].sent == 0
            and size.digest_flags == size.want.digest_flags
        )
        print(
            f"  {_verdict(digests_right)}: {size.label.lower()} size, digests sent {size.digests[0].sent} then "
            f"{size.digests[1].sent} counting {size.digest_flags} flags; expected {size.want.digests} then 0 "
            f"counting {size.want.digest_flags}"
        )
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nProcess peak RSS, data building included: {peak_rss:.0f} MB; load average at the end {loads()}")


if __name__ == "__main__":
    main()
