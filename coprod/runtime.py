"""How a long-running web process treats Python's garbage collector."""

from __future__ import annotations

import gc

# Young objects are collected after this many new container objects instead
# of CPython's 700; the older generations keep their default pace relative
# to it. A request makes thousands of short-lived objects (query sets,
# template contexts), so the default ran a young collection many times per
# request, and every so often a full one over the whole heap.
YOUNG_GENERATION_THRESHOLD = 50_000


def settle_heap() -> None:
    """Called once a worker has loaded the app: move everything start-up made
    (modules, URL patterns, settings, translations) out of the collector's
    sight, and collect young objects less often.

    Measured in-process on the load benchmark's data: a mix of 2,000
    requests cost 8% less CPU (the item page, the vote and the dashboard
    5–19% less each), and the slowest requests, full collections of about
    100 ms, fell under 40 ms. The price is memory: reference cycles are
    collected in larger batches, so a worker settled at 120–135 MB instead
    of about 100 MB over 6,000 requests."""
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, old)
