"""Celery really works through Redis: a `celery -A coprod worker` process
picks up `coprod.ping` from the broker and its answer comes back through the
result backend.

Without REDIS_URL the settings run tasks eagerly in-process, and there is
nothing to prove: the test is skipped locally but fails in CI (CI=true),
where Redis must be configured.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery

BASE_DIR = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("REDIS_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"
TIMEOUT_SECONDS = 60


@pytest.fixture
def redis_url() -> str:
    if not REDIS_URL:
        message = "REDIS_URL is not set: Celery runs tasks eagerly, so there is no broker to test."
        if IN_CI:
            pytest.fail(f"{message} CI must provide Redis (see .ci/run).")
        pytest.skip(f"{message} Set REDIS_URL=redis://127.0.0.1:6379/0 to run it.")
    return REDIS_URL


def _client_app() -> Celery:
    """A Celery app configured from the project's settings, like the real one,
    but never eager: the task must travel through the broker."""
    app = Celery("coprod-broker-test")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.task_always_eager = False
    return app


def test_ping_round_trip_through_redis(redis_url: str) -> None:
    queue = f"coprod-test-{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "REDIS_URL": redis_url, "DEBUG": "true"}
    with tempfile.TemporaryFile(mode="w+") as log:
        worker = subprocess.Popen(  # noqa: S603 - fixed command, our own interpreter
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "coprod",
                "worker",
                "--pool=solo",
                "-c",
                "1",
                "-Q",
                queue,
                "-n",
                f"{queue}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        app = _client_app()
        assert app.conf.broker_url == redis_url
        try:
            result = app.send_task("coprod.ping", queue=queue)
            deadline = time.monotonic() + TIMEOUT_SECONDS
            while not result.ready():
                if worker.poll() is not None:
                    log.seek(0)
                    pytest.fail(f"The Celery worker exited with {worker.returncode}:\n{log.read()}")
                if time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"No answer from the worker within {TIMEOUT_SECONDS} s:\n{log.read()}")
                time.sleep(0.2)
            assert result.get(timeout=5) == "pong"
            result.forget()
        finally:
            _stop(worker)
            _forget_queue(app, queue)
            app.close()


def _stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)  # warm shutdown
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)


def _forget_queue(app: Celery, queue: str) -> None:
    """Remove the throw-away queue from Redis."""
    try:
        with app.connection_for_write() as connection:
            # Kombu keeps the queue's messages and its binding under these keys.
            connection.default_channel.client.delete(queue, f"_kombu.binding.{queue}")
    except Exception:  # noqa: S110 - best-effort clean-up of a test queue
        pass
