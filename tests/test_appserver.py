"""The gunicorn launcher shared by the browser journeys and the load benchmark
(`tools/appserver.py`): when the server cannot come up, the caller gets an
error that says why (the end of gunicorn's log) and no process is left
running."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest

from tools.appserver import GunicornServer, GunicornStartError, free_port


def _environment(**overrides: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    environment.update({"DEBUG": "true", "PYTHONUNBUFFERED": "1", **overrides})
    return environment


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        # As gunicorn binds: connections the health checks closed may still
        # be in TIME_WAIT; only a listener makes the bind fail.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def test_a_server_that_cannot_boot_raises_with_the_log(tmp_path: Path) -> None:
    log = tmp_path / "gunicorn.log"
    server = GunicornServer(
        _environment(DJANGO_SETTINGS_MODULE="coprod.no_such_settings"),
        free_port(),
        1,
        log,
        health_path="/accounts/login/",
        startup_timeout=30,
    )
    started = time.monotonic()
    with pytest.raises(GunicornStartError) as raised:
        server.start()
    # It reports the exit as soon as gunicorn gives up, not at the timeout.
    assert time.monotonic() - started < 30
    message = str(raised.value)
    assert "exited with status" in message
    assert str(log) in message
    # The worker's traceback, from the log, names what went wrong.
    assert "coprod.no_such_settings" in message
    assert isinstance(raised.value, RuntimeError)  # what the browser fixtures have always raised
    assert server.process is not None and server.process.poll() is not None
    assert server._log_file is not None and server._log_file.closed


def test_a_server_that_never_answers_the_health_path_is_stopped(tmp_path: Path) -> None:
    port = free_port()
    server = GunicornServer(
        _environment(DJANGO_SETTINGS_MODULE="coprod.settings"),
        port,
        1,
        tmp_path / "gunicorn.log",
        health_path="/no-such-page-for-the-launcher-test/",
        startup_timeout=2,
        stop_timeout=5,
    )
    with pytest.raises(
        GunicornStartError, match="did not answer /no-such-page-for-the-launcher-test/ within 2 s"
    ):
        server.start()
    assert server.process is not None and server.process.returncode is not None
    # Stopped with its workers: the port can be bound again.
    assert _port_is_free(port)
    server.stop()  # stopping again is harmless
