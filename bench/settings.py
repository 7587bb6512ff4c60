"""Settings of the load benchmark's server: the app's own settings
(`coprod.settings`, driven by the same environment variables: `bench/load.py`
sets them with DEBUG off), plus the two bare views to compare with, static
files collected outside the work tree, and the cache named by
`BENCH_CACHE_URL` (Redis, as in production, when the benchmark finds one)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from coprod.settings import *  # noqa: F403
from coprod.settings import TEMPLATES

ROOT_URLCONF = "bench.urls"
BENCH_TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATES = [{**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], BENCH_TEMPLATES]}]
STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT") or Path(tempfile.gettempdir()) / "coprod-bench-static")

_cache_url = os.environ.get("BENCH_CACHE_URL", "")
if _cache_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
            "KEY_PREFIX": "coprod-bench",
        }
    }
    # As coprod.settings does with a shared cache: sessions read from Redis.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
