"""The running app for the browser journeys: gunicorn with production
settings (DEBUG off, collected static files served by WhiteNoise, two
workers sharing Redis when REDIS_URL is set), pointed at the test database, so the journeys exercise what a
deployment serves rather than Django's development server.

The test process writes its data with the ORM in committed transactions
(the journeys use `transactional_db`), so the gunicorn workers see it.
Emails are written to files by Django's file-based backend, in a folder the
tests read (`sent_emails`). On SQLite the test database must be a file that
both processes open (see `tests/conftest.py`). Starting and stopping
gunicorn is `tools/appserver.py`'s, shared with the load benchmark."""

from __future__ import annotations

import email
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

from tools.appserver import GunicornServer, free_port

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 60
STOP_SECONDS = 10


@dataclass
class AppServer:
    url: str
    mail_dir: Path
    log: Path

    def sent_emails(self) -> list[Message]:
        """Every email the server has sent, oldest first."""
        messages: list[Message] = []
        for path in sorted(self.mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime):
            # The file-based backend writes each message followed by a line of dashes.
            for chunk in path.read_text(encoding="utf-8").split("-" * 79):
                if chunk.strip():
                    messages.append(email.message_from_string(chunk.strip()))
        return messages

    def clear_emails(self) -> None:
        for path in self.mail_dir.glob("*.log"):
            path.unlink()


def tests_database_url() -> str:
    """The test database as a DATABASE_URL for the server process."""
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(settings["NAME"])
        if name == ":memory:" or name.startswith("file:memorydb"):
            raise RuntimeError(
                "The browser tests need a file-based SQLite test database (see tests/conftest.py)."
            )
        return f"sqlite:///{name}"
    user = settings.get("USER") or ""
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{settings.get('HOST') or '127.0.0.1'}:{settings.get('PORT') or 5432}/{settings['NAME']}"


def _production_environment(port: int, mail_dir: Path, database_url: str, secret_key: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    environment.update(
        {
            "DEBUG": "false",
            # The test process's key: links it signs (invitations, involvement
            # forms) must verify on the server.
            "SECRET_KEY": secret_key,
            "DATABASE_URL": database_url,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": f"http://127.0.0.1:{port}",
            # Plain HTTP on the loopback: no TLS redirect; cookies stay secure
            # (Chromium sends secure cookies to http://127.0.0.1).
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            "CONN_MAX_AGE": "0",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "tests.browser.server_settings",
        }
    )
    environment.pop("TEST_DATABASE_NAME", None)
    return environment


def start_app_server(
    work_dir: Path,
    database_url: str,
    secret_key: str = "app-server-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz",  # noqa: S107
) -> Iterator[AppServer]:
    """Collect static files, start gunicorn on `database_url`, wait until it
    answers, and stop it afterwards (a generator: use it as a fixture or with
    contextlib.contextmanager). Raises RuntimeError (`GunicornStartError`),
    with the end of gunicorn's log, when the server does not come up."""
    port = free_port()
    mail_dir = work_dir / "mail"
    mail_dir.mkdir(parents=True, exist_ok=True)
    environment = _production_environment(port, mail_dir, database_url, secret_key)
    # Collected into the run's own folder: a staticfiles/ folder in the
    # project would be scanned by WhiteNoise in every later test client.
    environment["STATIC_ROOT"] = str(work_dir / "static")
    python = sys.executable
    subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [python, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=environment, check=True
    )
    # Two workers share the cache only through Redis (CI, production); with
    # the local-memory cache each worker would keep its own public-page
    # versions and login counts, so one worker serves a run without Redis.
    workers = 2 if environment.get("REDIS_URL") else 1
    log = work_dir / "gunicorn.log"
    # Access lines in the log help when reading a failed journey; the login
    # page answering 200 means the workers have booted with the settings.
    with GunicornServer(
        environment,
        port,
        workers,
        log,
        health_path="/accounts/login/",
        access_log=True,
        stop_timeout=STOP_SECONDS,
        startup_timeout=STARTUP_SECONDS,
    ) as gunicorn:
        yield AppServer(url=gunicorn.url, mail_dir=mail_dir, log=log)
