"""What one request of each load-benchmark endpoint costs, measured in-process.

`bench/load.py` measures throughput and latency through gunicorn; this script
explains them: it sends the same requests (`bench.load.ENDPOINTS`, the same
logins and forms) through Django's test client against the same data set,
without HTTP, and prints for each endpoint the queries it makes and the CPU
and wall time it takes (medians). With `--profile NAME` it prints the
functions that cost most in one endpoint; with `--sql NAME` the queries.

    .venv/bin/python bench/request_cost.py [--database-url postgres://…/coprod_cost_bench]
        [--requests 40] [--only NAME] [--profile NAME [--profile-file F]]
        [--sql NAME [--sql-width N]] [--reuse]

The database is dropped and rebuilt (its name must end in `_bench`) unless
`--reuse` is given, in which case the data set found there is used (built by
an earlier run of this script or of `bench/load.py`). The cache is Redis
when one answers on 127.0.0.1:6379, as in the load benchmark."""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import fresh_database, settle_database  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/coprod_cost_bench"


def _environment(database_url: str) -> None:
    from bench.load import BENCH_REDIS_DB, REDIS, redis_answers, server_environment

    # The same cache as the load benchmark's server: Redis when one answers.
    cache_url = f"redis://{REDIS[0]}:{REDIS[1]}/{BENCH_REDIS_DB}" if redis_answers() else ""
    environment = server_environment(database_url, cache_url=cache_url)
    environment["SECRET_KEY"] = os.environ.get("BENCH_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.update(environment)
    os.environ.pop("REDIS_URL", None)


# The Host the requests are addressed to: the load benchmark's Referer names
# the server's port, and the CSRF check compares it with the Host.
PORT = 8000


def _send(client: Any, prepared: Any, variant: int) -> None:
    from bench.load import send_in_process

    response = send_in_process(client, prepared, variant)
    if response.status_code != prepared.endpoint.expect:
        sys.exit(
            f"{prepared.endpoint.name}: answered {response.status_code}, expected {prepared.endpoint.expect}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--requests", type=int, default=40, help="requests per endpoint (default 40)")
    parser.add_argument("--only", action="append", default=[], help="this endpoint only (repeatable)")
    parser.add_argument("--profile", help="print the costliest functions of this endpoint")
    parser.add_argument("--sql", help="print the queries of one request of this endpoint")
    parser.add_argument("--sql-width", type=int, default=300, help="characters of each query shown (300)")
    parser.add_argument("--profile-file", help="also save the profile there, for pstats or snakeviz")
    parser.add_argument("--reuse", action="store_true", help="use the data set already in the database")
    options = parser.parse_args()

    _environment(options.database_url)
    if not options.reuse:
        fresh_database(options.database_url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench import data as bench_data
    from bench.load import ENDPOINTS, prepare

    if options.reuse:
        data = bench_data.find()
    else:
        call_command("migrate", verbosity=0)
        data = bench_data.build(bench_data.FULL)
    # Production settings serve hashed static names from a manifest, which
    # every page's template reads: collect it here too, not only in load.py.
    call_command("collectstatic", interactive=False, verbosity=0)
    settle_database()
    sessions = bench_data.logins(data, voters=1)
    # As the load benchmark's server sees it: through the TLS proxy, at 127.0.0.1.
    client = Client(enforce_csrf_checks=True, HTTP_HOST=f"127.0.0.1:{PORT}")

    wanted = options.only or list(ENDPOINTS)
    print(f"{'endpoint':<22} {'queries':>7} {'CPU ms':>8} {'wall ms':>8}")
    for name in wanted:
        prepared = prepare(ENDPOINTS[name], data, sessions, PORT)
        for n in range(5):  # warm caches, connections and templates
            _send(client, prepared, n)
        with CaptureQueriesContext(connection) as captured:
            _send(client, prepared, 0)
        queries = list(captured.captured_queries)  # the next request empties the log
        cpu, wall = [], []
        for n in range(options.requests):
            started_cpu, started_wall = time.process_time(), time.perf_counter()
            _send(client, prepared, n)
            cpu.append(time.process_time() - started_cpu)
            wall.append(time.perf_counter() - started_wall)
        print(
            f"{name:<22} {len(queries):>7} "
            f"{statistics.median(cpu) * 1000:>8.1f} {statistics.median(wall) * 1000:>8.1f}"
        )
        if options.sql == name:
            for query in queries:
                print(f"    {query['time']}s  {query['sql'][: options.sql_width]}")
        if options.profile == name:
            profiler = cProfile.Profile()
            profiler.enable()
            for n in range(options.requests):
                _send(client, prepared, n)
            profiler.disable()
            if options.profile_file:
                profiler.dump_stats(options.profile_file)
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(45)
            stats.sort_stats("tottime").print_stats(30)
            print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
