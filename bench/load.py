"""Load benchmark of the pages people use most, against bare Django views
served the same way in the same run.

Run from the project folder, with PostgreSQL (the script drops and recreates
the database, so its name must end in `_bench`):

    .venv/bin/python bench/load.py [--database-url postgres://postgres@127.0.0.1:5432/coprod_load_bench]
        [--duration 15] [--clients 16] [--workers 2] [--threads 1] [--voters 200]
        [--generator auto|wrk|python] [--only NAME]

One command does everything:

1. drops and creates the database, migrates it and builds the data set
   (`bench/data.py`: the demo data grown to a busy project: bodies of twelve
   seats, forty ledger decisions, fifty answered inputs, meetings ahead, an
   item open for voting; and a board of `--voters` members for the burst);
2. starts gunicorn (`--workers` sync workers, as in the Dockerfile, or
   gthread workers of `--threads` threads) with DEBUG
   off on `bench.settings`: the app's settings and URLs plus two bare views,
   Redis as the cache when one answers on 127.0.0.1:6379 (as in production),
   requests marked as coming through a TLS proxy (`BEHIND_TLS_PROXY`);
3. measures each endpoint of `ENDPOINTS` (the public page, the public input
   POST, the member dashboard, the agenda item page, the vote POST and the
   compliance report's JSON) for `--duration` seconds at
   `--clients` concurrent connections, right after the bare view it is
   compared with, using wrk (or a Python client when wrk is not installed);
4. prints req/s, p50, p99 and errors per endpoint, the ratio to its bare
   view, and PASS or FAIL for each target;
5. has `--voters` members vote on one item at the same moment, twice (the
   second wave changes every vote), and checks that every vote is recorded
   exactly once and nothing answered 5xx.

Logins are sessions written straight into the session store
(`bench.data.session_for`); POSTs carry a CSRF cookie and the same token in
the form, as a browser does. The exit status is 1 when a target fails.

Adding an endpoint: add a row to `ENDPOINTS` (its path, method, the login
it needs, its form and the bare view it is compared with) and, if it has a
target, a row to `TARGETS`."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import fresh_database, settle_database  # noqa: E402
from tools.appserver import GunicornServer, GunicornStartError, free_port  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/coprod_load_bench"
REDIS = ("127.0.0.1", 6379)
BENCH_REDIS_DB = 13  # the cache's own Redis database: its keys also carry a prefix
CSRF_TOKEN = "benchCsrfToken0123456789abcdefgh"  # 32 characters: Django's unmasked secret form
assert len(CSRF_TOKEN) == 32


# --- The endpoints --------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """One thing to measure. `path` and `variants` are filled in from the
    data set; `login` is "member" (the board member with an item to vote
    on), "auditor" (the organisation's auditor, who reads the compliance
    report), "voters" (the first `--clients` members of the voting board,
    taking turns), or None (anonymous)."""

    name: str
    method: str
    path: Callable[[Any], str]
    expect: int
    baseline: str | None = None  # the bare endpoint it is compared with
    login: str | None = None
    forms: Callable[[Any], list[dict[str, str]]] | None = None


def _input_forms(data: Any) -> list[dict[str, str]]:
    """The public input form as a browser sends it: every field, the
    honeypot empty."""
    return [
        {
            "message": f"Bench input {n}: the bus from the estate stops too early for the evening sessions.",
            "affected": ("directly", "indirectly")[n % 2],
            "impact": ("positive", "negative", "both")[n % 3],
            "as_who": "service_user",
            "stakeholder_group": "",
            "name": "",
            "contact": "",
            "consent": "on",
            "website": "",
        }
        for n in range(8)
    ]


def _vote_forms(data: Any) -> list[dict[str, str]]:
    return [{"choice": "for"}, {"choice": "against"}]


def _bare_query_forms(data: Any) -> list[dict[str, str]]:
    return [{"n": str(n)} for n in (1, 2)]


ENDPOINTS: dict[str, Endpoint] = {
    endpoint.name: endpoint
    for endpoint in [
        # The bare views (bench/views.py).
        Endpoint("bare 50-row page", "GET", lambda d: "/bench/bare-page/", 200),
        Endpoint("bare one-query POST", "POST", lambda d: "/bench/bare-query/", 200, forms=_bare_query_forms),
        # The app.
        Endpoint("public project page", "GET", lambda d: d.public_page, 200, baseline="bare 50-row page"),
        Endpoint(
            "public input POST",
            "POST",
            lambda d: d.input_form,
            302,
            baseline="bare one-query POST",
            forms=_input_forms,
        ),
        Endpoint(
            "member dashboard", "GET", lambda d: d.dashboard, 200, baseline="bare 50-row page", login="member"
        ),
        Endpoint(
            "agenda item page",
            "GET",
            lambda d: d.member_item,
            200,
            baseline="bare 50-row page",
            login="member",
        ),
        Endpoint(
            "vote POST",
            "POST",
            lambda d: d.vote_url(d.load_item_pk),
            302,
            baseline="bare one-query POST",
            login="voters",
            forms=_vote_forms,
        ),
        Endpoint(
            "compliance JSON",
            "GET",
            lambda d: d.compliance,
            200,
            baseline="bare 50-row page",
            login="auditor",
        ),
    ]
}


@dataclass(frozen=True)
class Target:
    """`endpoint` must reach `min_ratio` of its bare view's req/s, and/or
    answer 99% of requests within `p99_ms`."""

    endpoint: str
    min_ratio: float | None = None
    p99_ms: float | None = None


P99_MS = 100.0
TARGETS = [
    Target("public project page", min_ratio=0.50, p99_ms=50.0),
    Target("public input POST", p99_ms=P99_MS),
    Target("member dashboard", p99_ms=P99_MS),
    Target("agenda item page", p99_ms=P99_MS),
    Target("vote POST", min_ratio=0.40, p99_ms=P99_MS),
    Target("compliance JSON", p99_ms=P99_MS),
]


# --- The database and the server -----------------------------------------------------------------


def redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def server_environment(database_url: str, cache_url: str) -> dict[str, str]:
    """What `coprod.settings` needs with DEBUG off, for this process and gunicorn."""
    environment = dict(os.environ)
    environment.pop("REDIS_URL", None)  # Celery stays in-process; the cache is BENCH_CACHE_URL
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url,
            "BENCH_CACHE_URL": cache_url,
            # The load comes from one address: the per-address limit would
            # answer 429 after a few posts (it is tested elsewhere).
            "INPUT_RATE_LIMIT_PER_HOUR": "1000000000",
            # As behind the TLS proxy of a real deployment: no redirect to
            # HTTPS, and the CSRF check reads the Referer like on HTTPS.
            "BEHIND_TLS_PROXY": "true",
            "LOG_LEVEL": "WARNING",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "PYTHONPATH": str(ROOT),
        }
    )
    return environment


def clear_bench_cache(cache_url: str) -> None:
    """Forget cached pages and rate counters of earlier runs (only the
    benchmark's own keys)."""
    if not cache_url:
        return
    import redis

    client = redis.Redis.from_url(cache_url)
    keys = list(client.scan_iter(match="coprod-bench:*", count=1000))
    if keys:
        client.delete(*keys)


def start_server(
    environment: dict[str, str], port: int, workers: int, log: Path, threads: int = 1
) -> GunicornServer:
    """gunicorn serving `bench.settings` with `workers` sync workers (or
    gthread workers of `threads` threads), started by this script and
    stopped with `stop()`. Its log keeps warnings and
    errors only (Django's own warnings, a 400 or 404 answered, included), no
    access lines. Exits the script when gunicorn does not come up."""
    server = GunicornServer(
        environment,
        port,
        workers,
        log,
        health_path="/bench/bare-query/",
        health_headers=PROXY_HEADERS,
        threads=threads,
        log_level="warning",
    )
    try:
        server.start()
    except GunicornStartError as error:
        sys.exit(str(error))
    return server


PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


# --- Requests ---------------------------------------------------------------------------------


@dataclass
class Prepared:
    """An endpoint made concrete: its path, headers, and request variants
    as (cookie, body) pairs taken in turn."""

    endpoint: Endpoint
    path: str
    headers: dict[str, str]
    variants: list[tuple[str, str]]


def prepare(endpoint: Endpoint, data: Any, sessions: dict[str, list[str]], port: int) -> Prepared:
    path = endpoint.path(data)
    headers = {**PROXY_HEADERS, "Referer": f"https://127.0.0.1:{port}{path}"}
    cookies = [
        f"csrftoken={CSRF_TOKEN}" + (f"; sessionid={key}" if key else "")
        for key in (sessions[endpoint.login] if endpoint.login else [""])
    ]
    forms = endpoint.forms(data) if endpoint.forms else [{}]
    variants = []
    # Every login sends every form in turn: with two votes, each voter
    # alternates for and against, so each POST really changes the row.
    for form in forms:
        body = (
            urllib.parse.urlencode({**form, "csrfmiddlewaretoken": CSRF_TOKEN})
            if endpoint.method == "POST"
            else ""
        )
        variants.extend((cookie, body) for cookie in cookies)
    return Prepared(endpoint, path, headers, variants)


def send_in_process(client: Any, prepared: Prepared, variant: int = 0) -> Any:
    """Send one variant of a prepared request through Django's test client
    (`client`), as the load generator sends it over HTTP: exactly its
    cookies (none left from earlier answers, such as messages that no
    followed redirect ever showed), its headers and its body. For checking
    and measuring the requests without gunicorn."""
    cookie, body = prepared.variants[variant % len(prepared.variants)]
    client.cookies.clear()
    for pair in cookie.split("; "):
        name, value = pair.split("=", 1)
        client.cookies[name] = value
    headers = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in prepared.headers.items()}
    if prepared.endpoint.method == "POST":
        return client.post(prepared.path, body, content_type="application/x-www-form-urlencoded", **headers)
    return client.get(prepared.path, **headers)


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    detail: str = ""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_wrk(prepared: Prepared, port: int, clients: int, seconds: float) -> Result:
    environment = dict(os.environ)
    environment.update(
        {
            "BENCH_METHOD": prepared.endpoint.method,
            "BENCH_PATH": prepared.path,
            "BENCH_HEADERS": "\n".join(f"{k}: {v}" for k, v in prepared.headers.items()),
            "BENCH_VARIANTS": "\n".join(f"{cookie}\t{body}" for cookie, body in prepared.variants),
            "BENCH_EXPECT": str(prepared.endpoint.expect),
        }
    )
    command = [
        "wrk",
        "-t1",  # one thread drives 16 connections easily; the cores go to the server
        f"-c{clients}",
        f"-d{max(1, round(seconds))}s",
        "--timeout=10s",
        "-s",
        str(ROOT / "bench" / "wrk.lua"),
        f"http://127.0.0.1:{port}",
    ]
    output = subprocess.run(command, env=environment, capture_output=True, text=True, check=True).stdout
    line = next((ln for ln in output.splitlines() if ln.startswith("BENCH-RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{output}")
    raw = json.loads(line.removeprefix("BENCH-RESULT "))
    socket_errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    detail = []
    if socket_errors:
        detail.append(
            f"socket errors: connect {raw['connect']}, read {raw['read']}, write {raw['write']}, "
            f"timeout {raw['timeout']}"
        )
    if raw["unexpected"]:
        detail.append(
            f"{raw['unexpected']} answers not {prepared.endpoint.expect} (first: {raw['first_unexpected']}), "
            f"{raw['server_errors']} of them 5xx"
        )
    return Result(
        prepared.endpoint.name,
        raw["requests"],
        raw["duration_us"] / 1e6,
        raw["p50_us"] / 1000,
        raw["p99_us"] / 1000,
        socket_errors + raw["unexpected"],
        "; ".join(detail),
    )


def run_python(prepared: Prepared, port: int, clients: int, seconds: float) -> Result:
    """The fallback load generator: `clients` threads, each on its own
    keep-alive connection (reopened when the server closes it)."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    failures: Counter[str] = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    method = prepared.endpoint.method

    def client(offset: int) -> None:
        connection: HTTPConnection | None = None
        mine: list[float] = []
        seen: Counter[int] = Counter()
        n = offset
        while time.monotonic() < deadline:
            cookie, body = prepared.variants[n % len(prepared.variants)]
            n += clients
            headers = dict(prepared.headers)
            if cookie:
                headers["Cookie"] = cookie
            if method == "POST":
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            started = time.perf_counter()
            try:
                if connection is None:
                    connection = HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request(method, prepared.path, body=body or None, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.will_close:
                    connection.close()
                    connection = None
            except OSError as exc:
                with lock:
                    failures[type(exc).__name__] += 1
                connection = None
                continue
            mine.append(time.perf_counter() - started)
            seen[response.status] += 1
        with lock:
            latencies.extend(mine)
            statuses.update(seen)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    wrong = sum(count for status, count in statuses.items() if status != prepared.endpoint.expect)
    latencies.sort()

    def percentile(p: float) -> float:
        return 1000 * latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] if latencies else 0.0

    detail = ", ".join(
        f"{count} × {status}"
        for status, count in sorted(statuses.items())
        if status != prepared.endpoint.expect
    )
    if failures:
        detail += (", " if detail else "") + ", ".join(
            f"{count} × {name}" for name, count in failures.items()
        )
    return Result(
        prepared.endpoint.name,
        len(latencies),
        elapsed,
        percentile(50),
        percentile(99),
        wrong + sum(failures.values()),
        detail,
    )


# --- The burst of votes ------------------------------------------------------------------------


def vote_burst(data: Any, voter_sessions: list[str], port: int, choice: str) -> dict[str, Any]:
    """Every voter POSTs their vote on the burst item at the same moment: the
    connections are opened first, then a barrier releases all the requests."""
    path = data.vote_url(data.burst_item_pk)
    body = urllib.parse.urlencode({"choice": choice, "csrfmiddlewaretoken": CSRF_TOKEN})
    barrier = threading.Barrier(len(voter_sessions))
    statuses: list[int | str] = [0] * len(voter_sessions)
    latencies: list[float] = [0.0] * len(voter_sessions)

    def voter(k: int, session_key: str) -> None:
        headers = {
            **PROXY_HEADERS,
            "Referer": f"https://127.0.0.1:{port}{path}",
            "Cookie": f"csrftoken={CSRF_TOKEN}; sessionid={session_key}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        connection = HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            connection.connect()
        except OSError as exc:
            statuses[k] = type(exc).__name__
        barrier.wait()
        if statuses[k]:
            return
        started = time.perf_counter()
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            statuses[k] = response.status
        except OSError as exc:
            statuses[k] = type(exc).__name__
        latencies[k] = time.perf_counter() - started
        connection.close()

    threads = [threading.Thread(target=voter, args=(k, key)) for k, key in enumerate(voter_sessions)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {"statuses": Counter(statuses), "wall": wall, "slowest": max(latencies)}


def recorded_votes(data: Any) -> dict[str, Any]:
    from django.db.models import Count
    from django_scopes import scopes_disabled

    from boards.models import AgendaItem, Vote

    with scopes_disabled():
        item = AgendaItem.objects.get(pk=data.burst_item_pk)
        votes = Vote.objects.filter(item=item, round=item.round)
        doubled = votes.values("seat").annotate(n=Count("pk")).filter(n__gt=1).count()
        return {
            "rows": votes.count(),
            "seats": votes.values("seat").distinct().count(),
            "doubled": doubled,
            "choices": Counter(votes.values_list("choice", flat=True)),
        }


# --- Reporting ------------------------------------------------------------------------------


def machine() -> str:
    load = os.getloadavg()
    return (
        f"{os.cpu_count()} CPUs, {platform.python_implementation()} {platform.python_version()}, "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )


def postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def check_targets(results: dict[str, Result], ratios: dict[str, float]) -> list[tuple[str, bool, str]]:
    checks = []
    for target in TARGETS:
        result = results.get(target.endpoint)
        if result is None:
            continue
        if target.min_ratio is not None:
            ratio = ratios[target.endpoint]
            checks.append(
                (
                    f"{target.endpoint} ≥ {target.min_ratio:.0%} of {ENDPOINTS[target.endpoint].baseline}",
                    ratio >= target.min_ratio,
                    f"{ratio:.0%}",
                )
            )
        if target.p99_ms is not None:
            value = f"{result.p99_ms:.1f} ms"
            # The bare view's own p99 in the same conditions tells how much
            # of it is the app and how much the server's queue.
            base = results.get(f"{ENDPOINTS[target.endpoint].baseline} (before {target.endpoint})")
            if base is not None:
                value += f" (the bare view's: {base.p99_ms:.1f} ms)"
            checks.append(
                (f"{target.endpoint} p99 < {target.p99_ms:.0f} ms", result.p99_ms < target.p99_ms, value)
            )
    bad = [name for name, result in results.items() if result.errors]
    checks.append(("no errors", not bad, ", ".join(bad) or "none"))
    return checks


# --- Main ------------------------------------------------------------------------------------


@dataclass
class Options:
    """The command line, checked."""

    database_url: str
    duration: float
    warmup: float
    clients: int
    workers: int
    threads: int
    voters: int
    generator: str
    only: list[str] = field(default_factory=list)


def parse() -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per endpoint (default 15)")
    parser.add_argument(
        "--warmup", type=float, default=2.0, help="seconds of warm-up per endpoint (default 2)"
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections (default 16)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker; above 1 gthread workers (default 1: sync)"
    )
    parser.add_argument("--voters", type=int, default=200, help="members voting at once (default 200)")
    parser.add_argument("--generator", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--only", action="append", default=[], help="measure only this endpoint (repeatable)")
    args = parser.parse_args()
    if args.voters < args.clients:
        parser.error("--voters must be at least --clients: each client votes as its own member")
    generator = args.generator
    if generator == "auto":
        generator = "wrk" if shutil.which("wrk") else "python"
    elif generator == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not installed (apt-get install wrk), use --generator python")
    for name in args.only:
        if name not in ENDPOINTS:
            parser.error(f"--only {name!r}: choose from {', '.join(ENDPOINTS)}")
    return Options(
        args.database_url,
        args.duration,
        args.warmup,
        args.clients,
        args.workers,
        args.threads,
        args.voters,
        generator,
        args.only,
    )


def main() -> int:
    options = parse()
    cache_url = f"redis://{REDIS[0]}:{REDIS[1]}/{BENCH_REDIS_DB}" if redis_answers() else ""
    environment = server_environment(options.database_url, cache_url)
    os.environ.update(environment)
    os.environ.pop("REDIS_URL", None)

    print(f"Load benchmark, {datetime.datetime.now():%Y-%m-%d %H:%M}; {machine()}")
    fresh_database(options.database_url)
    import django

    django.setup()
    from dataclasses import replace

    from django.core.management import call_command

    from bench import data as bench_data

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    data = bench_data.build(replace(bench_data.FULL, voters=options.voters))
    print(
        f"Data built in {time.perf_counter() - started:.0f} s (PostgreSQL {postgres_version()}): "
        + ", ".join(f"{name} {count}" for name, count in data.counts.items())
        + f"; {len(data.voter_ids)} voters"
    )
    clear_bench_cache(cache_url)
    call_command("collectstatic", interactive=False, verbosity=0)
    sessions = bench_data.logins(data)
    load_sessions = {**sessions, "voters": sessions["voters"][: options.clients]}
    from django.db import connections

    connections.close_all()

    port = free_port()
    log = Path(tempfile.gettempdir()) / f"coprod-bench-gunicorn-{port}.log"
    server = start_server(environment, port, options.workers, log, options.threads)
    try:
        print(
            f"gunicorn: {options.workers} "
            + (f"workers of {options.threads} threads" if options.threads > 1 else "sync workers")
            + f" on 127.0.0.1:{port} (DEBUG off, cache: "
            f"{'Redis' if cache_url else 'local memory'}); load generator: {options.generator}, "
            f"{options.clients} connections, {options.duration:.0f} s per endpoint after {options.warmup:.0f} s warm-up"
        )
        run = run_wrk if options.generator == "wrk" else run_python
        results: dict[str, Result] = {}
        ratios: dict[str, float] = {}

        def measure(name: str) -> Result:
            prepared = prepare(ENDPOINTS[name], data, load_sessions, port)
            if options.warmup:
                run(prepared, port, options.clients, options.warmup)
            return run(prepared, port, options.clients, options.duration)

        wanted = options.only or [name for name, e in ENDPOINTS.items() if e.baseline]
        print(
            f"\n{'endpoint':<22} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}  ratio to bare view"
        )
        for name in wanted:
            endpoint = ENDPOINTS[name]
            settle_database()  # also the first statistics of the data just built
            base = None
            if endpoint.baseline:
                # The bare view is measured right before each page compared
                # with it, so both see the same load from the rest of the machine.
                base = results[f"{endpoint.baseline} (before {name})"] = measure(endpoint.baseline)
                _print(base, "")
            result = results[name] = measure(name)
            comparison = ""
            if base is not None:
                ratios[name] = result.rps / base.rps if base.rps else 0.0
                comparison = f"{ratios[name]:.0%} of {endpoint.baseline}"
            _print(result, comparison)

        print("\nTargets:")
        checks = check_targets(results, ratios)
        for label, ok, value in checks:
            print(f"  {'PASS' if ok else 'FAIL'}  {label}: {value}")

        print(f"\nConcurrent votes: {options.voters} members vote on one item at the same moment")
        burst_ok = True
        for wave, choice in enumerate(("for", "against"), start=1):
            outcome = vote_burst(data, sessions["voters"][: options.voters], port, choice)
            votes = recorded_votes(data)
            statuses = outcome["statuses"]
            server_errors = sum(n for s, n in statuses.items() if isinstance(s, int) and s >= 500)
            ok = (
                votes["rows"] == options.voters
                and votes["seats"] == options.voters
                and votes["doubled"] == 0
                and votes["choices"].get(choice, 0) == options.voters
                and statuses.get(302, 0) == options.voters
                and server_errors == 0
            )
            burst_ok &= ok
            print(
                f"  {'PASS' if ok else 'FAIL'}  wave {wave} (everyone votes {choice!r}"
                f"{', changing their vote' if wave > 1 else ''}): answers "
                + ", ".join(f"{n} × {s}" for s, n in sorted(statuses.items(), key=str))
                + f" in {outcome['wall']:.2f} s (slowest {outcome['slowest'] * 1000:.0f} ms); recorded "
                f"{votes['rows']} votes from {votes['seats']} seats, {votes['doubled']} doubled, "
                + ", ".join(f"{n} {c}" for c, n in sorted(votes["choices"].items()))
            )
    finally:
        server.stop()
    print(f"\nDone; {machine()}. gunicorn's error log: {log}")
    failed = not all(ok for _, ok, _ in checks) or not burst_ok
    return 1 if failed else 0


def _print(result: Result, comparison: str) -> None:
    print(
        f"{result.name:<22} {result.rps:>8.0f} {result.p50_ms:>8.1f} {result.p99_ms:>8.1f} {result.errors:>7}"
        f"  {comparison}".rstrip()
    )
    if result.detail:
        print(f"    {result.detail}")


if __name__ == "__main__":
    sys.exit(main())
