"""Settings are strict and production-ready.

Each case starts a fresh Python process (`manage.py check`) with its own
environment, because settings are read once at import. A bad value must stop
start-up with a message naming the variable; production-like variables must
pass Django's deployment checks with no warning at all. The configuration
surface (settings, `.env.example`, `docker-compose.yml`) is checked to name
the same variables.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

BASE_DIR = Path(__file__).resolve().parent.parent
SETTINGS_FILES = [BASE_DIR / "coprod" / "settings.py"]
ENV_READ = re.compile(r"""env_(?:str|bool|int|list)\(\s*["']([A-Z][A-Z0-9_]*)["']""")
# Variables that only docker compose reads (its PostgreSQL container, the
# number of gunicorn and Celery worker processes).
COMPOSE_ONLY = {"POSTGRES_PASSWORD", "WEB_CONCURRENCY", "CELERY_WORKER_CONCURRENCY"}
# Variables that only matter when running the tests.
TEST_ONLY = {"TEST_DATABASE_NAME"}
# Variables compose must not pass: the image collects the static files at
# build time, so another STATIC_ROOT at run time would serve nothing.
NOT_FOR_COMPOSE = {"STATIC_ROOT"}


def settings_variables() -> set[str]:
    """Every environment variable the settings read."""
    return {name for path in SETTINGS_FILES for name in ENV_READ.findall(path.read_text())}


def _clean_env(**overrides: str) -> dict[str, str]:
    """This process's environment without any coprod setting, plus overrides."""
    env = {k: v for k, v in os.environ.items() if k not in settings_variables()}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(overrides)
    return env


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed command, our own interpreter
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=_clean_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _production_env() -> dict[str, str]:
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "coprod.example.org",
    }


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("CONN_MAX_AGE", "abc"),
        ("CONN_MAX_AGE", "-1"),
        ("EMAIL_PORT", "0"),
        ("EMAIL_USE_TLS", "sometimes"),
        ("INVITATION_MAX_AGE_DAYS", "two weeks"),
        ("SECURE_HSTS_SECONDS", "1.5"),
        ("SECURE_SSL_REDIRECT", "yes please"),
        ("DATA_UPLOAD_MAX_MEMORY_SIZE", "10"),
        ("TLS_PROXY_HEADER", "X-Forwarded Proto"),
        ("TRUSTED_PROXY_COUNT", "-1"),
        ("LOGIN_FAILURES_PER_ACCOUNT", "0"),
        ("LOGIN_LOCKOUT_SECONDS", "fifteen minutes"),
        ("DATABASE_URL", "nonsense://somewhere/coprod"),
    ],
)
def test_bad_value_stops_start_up_naming_the_variable(variable: str, value: str) -> None:
    env = {"DEBUG": "true", variable: value}
    result = _manage("check", **env)
    assert result.returncode != 0, f"{variable}={value!r} was accepted:\n{result.stdout}"
    assert variable in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_secret_key_required_without_debug() -> None:
    result = _manage("check", DEBUG="false", ALLOWED_HOSTS="coprod.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_debug_runs_without_any_configuration() -> None:
    """The positive control for the cases above: `make run` needs nothing set."""
    result = _manage("check", DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_deploy_checks_pass_with_production_variables() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout, result.stdout + result.stderr


def _resolved(expression: str, **env: str) -> Any:
    """The value of a Python expression over the settings (`s`), as a fresh
    process with this environment resolves them, through JSON."""
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({expression}))"
    )
    result = subprocess.run(  # noqa: S603 - fixed command, our own interpreter
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=_clean_env(DJANGO_SETTINGS_MODULE="coprod.settings", **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_settings_are_secure() -> None:
    """Read the resolved settings of a production-like process."""
    (
        debug,
        ssl_redirect,
        session_secure,
        csrf_secure,
        hsts,
        hosts,
        storage,
        session_httponly,
        session_samesite,
        csrf_samesite,
        hsts_subdomains,
        proxy_header,
    ) = _resolved(
        "[s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.ALLOWED_HOSTS, "
        "s.STORAGES['staticfiles']['BACKEND'], s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, "
        "s.CSRF_COOKIE_SAMESITE, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_PROXY_SSL_HEADER]",
        **_production_env(),
    )
    assert debug is False
    assert ssl_redirect and session_secure and csrf_secure and session_httponly
    assert session_samesite == csrf_samesite == "Lax"
    assert hsts >= 31_536_000 and hsts_subdomains
    # No proxy header is trusted unless BEHIND_TLS_PROXY says there is a proxy.
    assert proxy_header is None
    assert hosts == ["coprod.example.org"]
    assert storage == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def _database_options(**env: str) -> dict:
    """DATABASES["default"]["OPTIONS"] as a process with this environment resolves them."""
    return _resolved("s.DATABASES['default'].get('OPTIONS', {})", DEBUG="true", **env)


def test_postgresql_connections_prepare_repeated_queries_unless_turned_off() -> None:
    postgres = "postgres://coprod@db.example.org:5432/coprod"
    assert _database_options(DATABASE_URL=postgres) == {"server_side_binding": True, "prepare_threshold": 5}
    # Behind a pooler that cannot keep prepared statements.
    turned_off = _database_options(DATABASE_URL=postgres, DATABASE_PREPARED_STATEMENTS="false")
    assert "server_side_binding" not in turned_off and "prepare_threshold" not in turned_off
    # SQLite (`make run`) has nothing of the kind.
    assert "server_side_binding" not in _database_options()


def _env_example_names() -> list[str]:
    text = (BASE_DIR / ".env.example").read_text()
    # `NAME=` or `# NAME=` at the start of a line (an indented mention in a comment is not a listing).
    return re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE)


def _env_example_variables() -> set[str]:
    return set(_env_example_names())


class _UniqueKeyLoader(yaml.SafeLoader):
    """Docker Compose refuses a mapping with a repeated key; PyYAML keeps the
    last one silently. Refuse it here too."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        # Keys written in this mapping; `<<: *anchor` merges may be overridden.
        keys = [key.value for key, _ in node.value if key.tag != "tag:yaml.org,2002:merge"]
        repeated = sorted({str(k) for k in keys if keys.count(k) > 1})
        if repeated:
            raise yaml.constructor.ConstructorError(None, None, f"repeated keys {repeated}", node.start_mark)
        return super().construct_mapping(node, deep=deep)


def test_env_example_documents_every_setting() -> None:
    names = _env_example_names()
    assert sorted({n for n in names if names.count(n) > 1}) == [], "listed twice in .env.example"
    documented = _env_example_variables()
    read = settings_variables()
    assert read - documented == set(), "read by settings but missing from .env.example"
    assert documented - read - COMPOSE_ONLY == set(), "in .env.example but read by nothing"


def test_compose_passes_every_setting_to_the_app() -> None:
    compose = yaml.load((BASE_DIR / "docker-compose.yml").read_text(), Loader=_UniqueKeyLoader)  # noqa: S506
    services = compose["services"]
    environments = {name: services[name]["environment"] for name in ("migrate", "web", "worker", "beat")}
    first = environments["web"]
    for name, environment in environments.items():
        assert environment == first, f"{name} does not share the web environment"
    assert set(first) == settings_variables() - TEST_ONLY - NOT_FOR_COMPOSE
    assert first["DEBUG"] == "false"
    assert set(first) <= _env_example_variables()
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1
    # The compose-only variables are used by compose.
    text = (BASE_DIR / "docker-compose.yml").read_text()
    for name in COMPOSE_ONLY:
        assert "${" + name in text, f"{name} is documented as a compose variable but compose does not use it"
