"""Start the app under gunicorn, wait until it answers, and stop it.

Two places run the real app in a separate gunicorn process rather than in
Django's test client: the browser journeys (`tests/browser/server.py`, also
used by `tools/screenshots.py`) and the load benchmark (`bench/load.py`).
Both need the same things: a free port, gunicorn started from the project
root with their own environment, a wait until a chosen page answers (or a
clear failure, with the end of gunicorn's log, when it exits or never
answers), and a graceful stop that does not leave workers behind. This
module is that launcher, so the two stay alike.

It imports nothing from Django: the caller builds the environment (settings
module, database, secrets) and the server process reads it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from http.client import HTTPConnection
from pathlib import Path
from types import TracebackType
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
LOG_TAIL_CHARS = 4000
POLL_SECONDS = 0.2
HEALTH_REQUEST_SECONDS = 5.0


class GunicornStartError(RuntimeError):
    """gunicorn exited during start-up or did not answer in time; the message
    carries the end of its log."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (the system
    picks it; another process could still take it before gunicorn binds)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class GunicornServer:
    """`python -m gunicorn coprod.wsgi:application` on 127.0.0.1:`port`,
    run from the project root with `environment`, its output (and Django's
    own log lines) written to `log`.

    `start()` returns once `health_path` answers 200 to a GET carrying
    `health_headers`, and raises `GunicornStartError` (after stopping the
    process) if gunicorn exits first or does not answer within
    `startup_timeout` seconds. `stop()` sends SIGTERM, so gunicorn lets its
    workers finish their requests, and kills it after `stop_timeout`
    seconds; it may be called more than once. Used as a context manager it
    starts on entry and stops on exit.

    `access_log` adds one log line per request (useful when reading a failed
    browser test, noise under load); `log_level` is gunicorn's own.
    """

    def __init__(
        self,
        environment: dict[str, str],
        port: int,
        workers: int,
        log: Path,
        *,
        health_path: str,
        health_headers: dict[str, str] | None = None,
        threads: int = 1,
        access_log: bool = False,
        log_level: str = "info",
        startup_timeout: float = 60.0,
        stop_timeout: float = 30.0,
    ) -> None:
        self.environment = environment
        self.port = port
        self.workers = workers
        self.log = log
        self.health_path = health_path
        self.health_headers = dict(health_headers or {})
        self.threads = threads
        self.access_log = access_log
        self.log_level = log_level
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self._log_file: IO[str] | None = None

    @property
    def url(self) -> str:
        """The server's base URL, without a trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        """The gunicorn command line: sync workers, or with `threads` above
        one, threaded workers (gthread)."""
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "coprod.wsgi:application",
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={self.workers}",
            *(
                ["--worker-class=sync"]
                if self.threads == 1
                else ["--worker-class=gthread", f"--threads={self.threads}"]
            ),
            "--timeout=60",
            "--error-logfile=-",
            f"--log-level={self.log_level}",
        ]
        if self.access_log:
            command.append("--access-logfile=-")
        return command

    def start(self) -> None:
        """Start gunicorn and wait until `health_path` answers."""
        if self.process is not None:
            raise RuntimeError("This gunicorn has already been started.")
        self._log_file = self.log.open("w")
        self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and gunicorn)
            self.command(),
            cwd=ROOT,
            env=self.environment,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            # Its own session: a Ctrl-C in the terminal reaches only the
            # caller, whose stop() then shuts gunicorn down gracefully.
            start_new_session=True,
        )
        try:
            self._wait_until_up()
        except BaseException:
            self.stop()
            raise

    def _wait_until_up(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise GunicornStartError(
                    f"gunicorn exited with status {self.process.returncode} at start-up; "
                    f"end of {self.log}:\n{self.log_tail()}"
                )
            if self._answers():
                return
            time.sleep(POLL_SECONDS)
        raise GunicornStartError(
            f"gunicorn did not answer {self.health_path} within {self.startup_timeout:.0f} s; "
            f"end of {self.log}:\n{self.log_tail()}"
        )

    def _answers(self) -> bool:
        connection = HTTPConnection("127.0.0.1", self.port, timeout=HEALTH_REQUEST_SECONDS)
        try:
            connection.request("GET", self.health_path, headers=self.health_headers)
            return connection.getresponse().status == 200
        except OSError:
            # Not listening yet, or a worker still booting.
            return False
        finally:
            connection.close()

    def log_tail(self) -> str:
        """The end of gunicorn's log (what explains a failed start)."""
        if self._log_file is not None and not self._log_file.closed:
            self._log_file.flush()
        try:
            return self.log.read_text(errors="replace")[-LOG_TAIL_CHARS:]
        except OSError as error:
            return f"(log unreadable: {error})"

    def stop(self) -> None:
        """Stop gunicorn (SIGTERM, then SIGKILL to its process group after
        `stop_timeout`) and close the log."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the arbiter stops its workers gracefully
            try:
                self.process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                # Its whole process group (it leads its own session), so no
                # worker outlives a stuck arbiter.
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self._log_file is not None:
            self._log_file.close()

    def __enter__(self) -> GunicornServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
