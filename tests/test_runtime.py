"""The web process's garbage-collector settings (coprod.runtime)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

from coprod.runtime import YOUNG_GENERATION_THRESHOLD, settle_heap

ROOT = Path(__file__).resolve().parent.parent


def test_settle_heap_freezes_what_start_up_made_and_collects_young_objects_less_often() -> None:
    before = gc.get_threshold()
    try:
        settle_heap()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (YOUNG_GENERATION_THRESHOLD, before[1], before[2])
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_the_wsgi_application_settles_its_heap_once_loaded() -> None:
    # In a process of its own: the test process's collector stays as it is.
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "coprod.settings", "DEBUG": "true"}
    script = "import gc, coprod.wsgi; print(gc.get_threshold()[0], gc.get_freeze_count() > 0)"
    result = subprocess.run(  # noqa: S603 - fixed command, our own interpreter
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == [str(YOUNG_GENERATION_THRESHOLD), "True"]
