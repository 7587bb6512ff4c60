"""What the benchmark scripts share: a disposable PostgreSQL database, and
measuring one call for wall time, queries and peak memory."""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse


def fresh_database(url: str) -> None:
    """Drop and create the benchmark database (only one whose name ends in
    `_bench`: the scripts delete everything in it)."""
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
    # --force: a server left running by an interrupted run must not keep it.
    subprocess.run(["dropdb", "--if-exists", "--force", *options, name], check=True, env=environment)
    subprocess.run(["createdb", *options, name], check=True, env=environment)


def settle_database() -> None:
    """VACUUM ANALYZE the benchmark database: the planner gets statistics of
    the data just built (a production database has them), and the dead rows
    an earlier measurement left (votes changed, audit records written) are
    cleared now rather than by autovacuum in the middle of the next one."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


@dataclass
class Measurement:
    label: str
    seconds: list[float]
    queries: int
    peak_mb: float

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def measure(label: str, call: Callable[[], Any], *, repeat: int = 5) -> Measurement:
    """Run `call` `repeat` times for wall time (the query count from the first
    run), then once more under tracemalloc for its peak memory, so neither
    measurement disturbs the other."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seconds = []
    queries = 0
    for attempt in range(repeat):
        gc.collect()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            call()
            seconds.append(time.perf_counter() - started)
        if attempt == 0:
            queries = len(captured.captured_queries)
    gc.collect()
    tracemalloc.start()
    call()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Measurement(label, seconds, queries, peak / 1_000_000)


def load_average() -> float:
    return os.getloadavg()[0]
