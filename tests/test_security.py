"""Hardened deployment: security headers and the Content-Security-Policy on
every kind of response, no inline code on any page (so the strict policy
breaks nothing), cookie flags and HTTPS behaviour with the production
settings, the docker compose configuration passing `check --deploy`, and the
login throttle (per account and per client address).

The production values are read from a fresh process started with a
production-like environment (settings are read once, at import), then applied
here with `override_settings`, so the tests prove what production runs.
Django's deployment checks with only the required variables set are in
tests/test_settings.py.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
import time_machine
import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from coprod.security import client_address
from projects.models import AuditEvent, Role
from tests.conftest import Tenant
from tests.factories import PASSWORD, MemberFactory, OrganisationFactory, UserFactory
from tests.test_settings import BASE_DIR, _clean_env, _manage, _production_env
from tests.urlwalk import all_routes, build_objects, fill

# Addresses from the documentation ranges: the throttle tests never touch
# 127.0.0.1, which every other test's client uses.
CLIENT = "203.0.113.7"
OTHER_CLIENT = "198.51.100.23"

SECURITY_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_REFERRER_POLICY",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_SAMESITE",
    "CONTENT_SECURITY_POLICY",
    "MIDDLEWARE",
    "AUTHENTICATION_BACKENDS",
]


@pytest.fixture(autouse=True)
def _no_throttle_state() -> Iterator[None]:
    """Login counters live in the cache, which outlives a test (and a test
    run, with Redis): start clean, and leave nothing locked for later tests."""
    cache.clear()
    yield
    cache.clear()


def _settings_of(**env: str) -> dict[str, Any]:
    """The security settings a fresh process resolves from this environment."""
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{name: getattr(s, name) for name in {SECURITY_SETTINGS!r}}}))"
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
    values = json.loads(result.stdout)
    if values["SECURE_PROXY_SSL_HEADER"] is not None:
        values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


@pytest.fixture(scope="module")
def production() -> dict[str, Any]:
    return _settings_of(**_production_env())


@pytest.fixture(scope="module")
def production_behind_proxy() -> dict[str, Any]:
    return _settings_of(**_production_env(), BEHIND_TLS_PROXY="true", TRUSTED_PROXY_COUNT="1")


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *sources = part.split()
        assert name not in directives, f"{name} twice in {header}"
        directives[name] = sources
    return directives


def _assert_strict_headers(response) -> None:
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header and "*" not in header
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] in {"same-origin", "strict-origin-when-cross-origin"}
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


# --- Headers -----------------------------------------------------------------------------


def test_headers_on_a_page_an_api_response_a_public_page_and_a_static_file(
    client: Client, tenant_a: Tenant, api_as
) -> None:
    client.force_login(tenant_a.member)
    page = client.get(reverse("projects:dashboard", kwargs={"org": tenant_a.organisation.slug}))
    assert page.status_code == 200
    _assert_strict_headers(page)

    api = api_as(tenant_a.member).get(f"/api/v1/orgs/{tenant_a.organisation.slug}/projects/")
    assert api.status_code == 200 and api["Content-Type"] == "application/json"
    _assert_strict_headers(api)

    public = Client().get(f"/p/{tenant_a.organisation.slug}/{tenant_a.project.slug}/")
    assert public.status_code == 200
    _assert_strict_headers(public)

    # Static files leave before the later middleware (X-Frame-Options: moot
    # for a stylesheet), but carry the policy and nosniff.
    static = Client().get(settings.STATIC_URL + "css/coprod.css")
    assert static.status_code == 200
    assert _policy(static)["script-src"] == ["'self'"]
    assert static["X-Content-Type-Options"] == "nosniff"


def test_the_policy_applies_with_debug_too(client: Client, db: None) -> None:
    """Developers meet a blocked inline script on their own screen first."""
    with override_settings(DEBUG=True):
        response = client.get(reverse("login"))
    assert _policy(response)["script-src"] == ["'self'"]


def test_htmx_is_configured_for_the_strict_policy(client: Client, db: None) -> None:
    """htmx would otherwise add an inline <style> for its request indicators
    (refused by style-src 'self') and could evaluate code from attributes."""
    html = client.get(reverse("login")).content.decode()
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert meta, "base.html lost its htmx-config meta tag"
    config = json.loads(meta.group(1))
    assert config["includeIndicatorStyles"] is False
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False


def test_api_docs_run_under_the_strict_policy(client: Client, db: None) -> None:
    """Swagger UI's start-up script is a file of its own (`?script`), not an
    inline one, so the docs need no exception to the policy."""
    page = client.get(reverse("api-docs"))
    assert page.status_code == 200
    _assert_strict_headers(page)
    html = page.content.decode()
    assert _inline_code(html) == []
    script = re.search(r'<script src="([^"]*\?[^"]*script[^"]*)"', html)
    assert script, "the docs page does not load its start-up script from a URL"
    started = client.get(script.group(1).replace("&amp;", "&"))
    assert started.status_code == 200
    assert started["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in started.content
    _assert_strict_headers(started)


def test_https_is_enforced_with_production_settings(production: dict[str, Any], db: None) -> None:
    with override_settings(**production):
        client = Client()
        plain = client.get(reverse("login"))
        assert plain.status_code == 301
        assert plain["Location"] == "https://testserver/accounts/login/"
        secure = client.get(reverse("login"), secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    _assert_strict_headers(secure)


def test_behind_a_tls_proxy_the_forwarded_scheme_counts(
    production_behind_proxy: dict[str, Any], db: None
) -> None:
    with override_settings(**production_behind_proxy):
        client = Client()
        forwarded = client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https")
        plain = client.get(reverse("login"))
    assert forwarded.status_code == 200
    assert "Strict-Transport-Security" in forwarded
    assert plain.status_code == 301


def test_cookies_are_secure_with_production_settings(production: dict[str, Any], tenant_a: Tenant) -> None:
    """A real login over HTTPS with the production values: the session cookie
    is Secure, HttpOnly and SameSite=Lax; the CSRF cookie Secure and Lax."""
    with override_settings(**production):
        client = Client(REMOTE_ADDR=CLIENT)
        form = client.get(reverse("login"), secure=True)
        csrf = form.cookies["csrftoken"]
        response = client.post(
            reverse("login"), {"username": tenant_a.member.username, "password": PASSWORD}, secure=True
        )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert csrf["secure"] and csrf["samesite"] == "Lax"


def _compose_environment() -> dict[str, str]:
    """The web service's environment as docker compose resolves it from an
    `.env` that sets only SECRET_KEY (every `${NAME:-default}` takes its default)."""
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
    given = {"SECRET_KEY": secrets.token_urlsafe(50)}
    innermost = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:[-?])(?P<arg>[^${}]*))?\}")

    def resolve(value: str) -> str:
        while True:

            def one(match: re.Match[str]) -> str:
                name, op, arg = match["name"], match["op"], match["arg"] or ""
                if given.get(name):
                    return given[name]
                if op == ":?":
                    raise AssertionError(f"{name} is required: {arg}")
                return arg

            resolved = innermost.sub(one, value)
            if resolved == value:
                return resolved
            value = resolved

    return {name: resolve(str(value)) for name, value in compose["services"]["web"]["environment"].items()}


def test_the_compose_configuration_passes_the_deployment_checks() -> None:
    """`check --deploy` with exactly what `docker compose up` gives the web
    container (plus the site's own host name): no warning at all."""
    env = {**_compose_environment(), "ALLOWED_HOSTS": "coprod.example.org"}
    assert env["DEBUG"] == "false"
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


# --- No inline code anywhere -----------------------------------------------------------

# A <script> of another type (application/json) is a data block: never run.
_SCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript"}


class _InlineCode(HTMLParser):
    """Everything in a page that `script-src 'self'; style-src 'self'` would block."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        script_type = (attributes.get("type") or "").strip().lower()
        if tag == "script" and not attributes.get("src") and script_type in _SCRIPT_TYPES:
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("inline <style>")
        for name, value in attrs:
            if name.startswith("on") or name.startswith(("hx-on", "data-hx-on")):
                self.found.append(f"{name}= on <{tag}>")
            elif name == "style":
                self.found.append(f"style= on <{tag}>")
            elif name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"javascript: URL on <{tag}>")


def _inline_code(html: str) -> list[str]:
    parser = _InlineCode()
    parser.feed(html)
    return parser.found


def test_the_inline_code_detector_finds_what_the_policy_blocks() -> None:
    """The positive control for the walk below."""
    page = (
        '<script>alert(1)</script><script type="module">x</script><script src="/a.js"></script>'
        '<script type="application/json" id="d">{}</script><style>p{}</style>'
        '<p style="color:red" onclick="x()" hx-on:click="y()"></p><a href="javascript:void(0)">a</a>'
    )
    assert _inline_code(page) == [
        "inline <script>",
        "inline <script>",
        "inline <style>",
        "style= on <p>",
        "onclick= on <p>",
        "hx-on:click= on <p>",
        "javascript: URL on <a>",
    ]


def _walk(client: Client, paths: list[str], *, accept: str | None = None) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    extra = {"HTTP_ACCEPT": accept} if accept else {}
    for path in paths:
        response = client.get(path, **extra)
        found = []
        if response.status_code >= 500:
            found.append(f"status {response.status_code}")
        if "Content-Security-Policy" not in response:
            found.append("no Content-Security-Policy")
        if response.get("Content-Type", "").startswith("text/html") and not getattr(
            response, "streaming", False
        ):
            found += _inline_code(response.content.decode())
        if found:
            problems[path] = found
    return problems


def test_no_page_has_inline_code(tenant_a: Tenant) -> None:
    """GET every routed page (from the URL resolver: new pages are included
    the moment they exist) as an organisation admin, the public pages also
    anonymously, and the API as its browsable HTML: none carries an inline
    script, style or event handler, and every answer carries the policy."""
    objects = build_objects(tenant_a)
    routes = list(all_routes())
    pages = [fill(route, tenant_a, objects) for route in routes if not route.is_api]
    api = [fill(route, tenant_a, objects) for route in routes if route.is_api]
    public = [fill(route, tenant_a, objects) for route in routes if route.is_public and not route.is_api]
    assert len(pages) > 50 and len(api) > 30  # the walk really walks

    # A page that raises is listed with the rest (as a 500), not the end of the walk.
    admin = Client(raise_request_exception=False)
    admin.force_login(tenant_a.admin)
    problems = _walk(admin, pages)
    problems |= _walk(admin, api, accept="text/html")
    anonymous = Client(raise_request_exception=False)
    problems |= {f"{path} (anonymous)": found for path, found in _walk(anonymous, public).items()}
    assert problems == {}, "\n".join(f"{path}: {', '.join(found)}" for path, found in problems.items())


def test_django_admin_has_no_inline_code(db: None) -> None:
    """Support staff's admin pages too: the index and every change list."""
    from django.contrib import admin as django_admin

    superuser = get_user_model().objects.create_superuser(
        "support@example.org", "support@example.org", PASSWORD
    )
    client = Client()
    client.force_login(superuser)
    paths = [reverse("admin:index")] + [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in django_admin.site._registry
    ]
    with scopes_disabled():
        assert _walk(client, paths) == {}


# --- Login throttle ----------------------------------------------------------------------


def _attempt(client: Client, username: str, password: str, address: str = CLIENT):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def _is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_lock_the_account(client: Client, tenant_a: Tenant) -> None:
    email = tenant_a.member.username
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT - 1):
        wrong = _attempt(client, email, "not the password")
        assert wrong.status_code == 200
        assert "Please enter a correct" in wrong.content.decode()

    locking = _attempt(client, email, "not the password")
    assert locking.status_code == 429

    # Now even the right password is refused, politely, keeping the email typed.
    refused = _attempt(client, email, PASSWORD)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= settings.LOGIN_LOCKOUT_SECONDS
    html = refused.content.decode()
    assert "Too many failed attempts to log in" in html
    assert "paused for 15 minutes" in html
    assert f'value="{email}"' in html
    assert not _is_logged_in(client)
    _assert_strict_headers(refused)

    # The same account typed differently, from another client: still locked.
    elsewhere = _attempt(Client(), email.upper(), PASSWORD, address=OTHER_CLIENT)
    assert elsewhere.status_code == 429


# Time travel moves the local-memory cache's clock, not Redis's (CI): these
# two tests keep their counters in a local-memory cache of their own.
LOCAL_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}
}


@override_settings(CACHES=LOCAL_CACHE)
def test_the_lock_ends_after_the_lockout(client: Client, tenant_a: Tenant) -> None:
    email = tenant_a.member.username
    with time_machine.travel("2026-03-02 09:00", tick=False) as clock:
        for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
            _attempt(client, email, "not the password")
        assert _attempt(client, email, PASSWORD).status_code == 429
        clock.shift(settings.LOGIN_LOCKOUT_SECONDS - 5)
        assert _attempt(client, email, PASSWORD).status_code == 429
        clock.shift(10)
        assert _attempt(client, email, PASSWORD).status_code == 302
        assert _is_logged_in(client)


@override_settings(CACHES=LOCAL_CACHE)
def test_failures_outside_the_window_do_not_add_up(client: Client, tenant_a: Tenant) -> None:
    email = tenant_a.member.username
    with time_machine.travel("2026-03-02 09:00", tick=False) as clock:
        for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT - 1):
            _attempt(client, email, "not the password")
        clock.shift(settings.LOGIN_FAILURE_WINDOW_SECONDS + 1)
        assert _attempt(client, email, "not the password").status_code == 200
        assert _attempt(client, email, PASSWORD).status_code == 302


def test_a_correct_password_forgives_the_accounts_earlier_failures(client: Client, tenant_a: Tenant) -> None:
    email = tenant_a.member.username
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT - 1):
        _attempt(client, email, "not the password")
    assert _attempt(client, email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT - 1):
        assert _attempt(client, email, "not the password").status_code == 200
    assert _attempt(client, email, PASSWORD).status_code == 302


@override_settings(LOGIN_FAILURES_PER_ADDRESS=3)
def test_guessing_many_accounts_from_one_address_locks_that_address(client: Client, tenant_a: Tenant) -> None:
    for number in range(3):
        _attempt(client, f"guess{number}@example.org", "password1")
    # A real account with its right password, from that address: refused.
    refused = _attempt(client, tenant_a.admin.username, PASSWORD)
    assert refused.status_code == 429
    assert not _is_logged_in(client)
    # From another address the same account logs in.
    other = Client()
    assert _attempt(other, tenant_a.admin.username, PASSWORD, address=OTHER_CLIENT).status_code == 302


@override_settings(LOGIN_FAILURES_PER_ADDRESS=3, TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_the_address_is_the_forwarded_one(client: Client, tenant_a: Tenant) -> None:
    """Every request arrives from the proxy; the client is the last
    X-Forwarded-For entry, and a forged entry further left changes nothing."""
    proxy = "10.0.0.2"
    for number in range(3):
        client.post(
            reverse("login"),
            {"username": f"guess{number}@example.org", "password": "password1"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, {CLIENT}",
        )
    locked = client.post(
        reverse("login"),
        {"username": tenant_a.admin.username, "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR=f"192.0.2.99, {CLIENT}",
    )
    assert locked.status_code == 429
    someone_else = Client().post(
        reverse("login"),
        {"username": tenant_a.admin.username, "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR=OTHER_CLIENT,
    )
    assert someone_else.status_code == 302


@pytest.mark.parametrize(
    ("proxies", "meta", "expected"),
    [
        (0, {"REMOTE_ADDR": "192.0.2.1", "HTTP_X_FORWARDED_FOR": "198.51.100.9"}, "192.0.2.1"),
        (1, {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 198.51.100.9"}, "198.51.100.9"),
        (
            2,
            {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 198.51.100.9, 10.0.0.3"},
            "198.51.100.9",
        ),
        # Shorter than the proxy chain, or not an address: the peer address.
        (2, {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.9"}, "10.0.0.2"),
        (1, {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "not-an-address"}, "10.0.0.2"),
        # IPv6 counts per /64; an IPv4-mapped address is the IPv4 one.
        (0, {"REMOTE_ADDR": "2001:db8:1:2:aaaa::1"}, "2001:db8:1:2::/64"),
        (0, {"REMOTE_ADDR": "::ffff:192.0.2.5"}, "192.0.2.5"),
        (0, {"REMOTE_ADDR": ""}, "unknown"),
    ],
)
def test_client_address(proxies: int, meta: dict[str, str], expected: str) -> None:
    request = RequestFactory().get("/", **meta)
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_address(request) == expected


def test_the_api_token_and_the_admin_login_share_the_throttle(client: Client, tenant_a: Tenant) -> None:
    """The throttle sits in the authentication backend: a lock gained on the
    login page holds on every other door that checks a password."""
    email = tenant_a.admin.username
    api = APIClient(REMOTE_ADDR=OTHER_CLIENT)
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        _attempt(client, email, "not the password")

    token = api.post("/api/v1/auth/token/", {"username": email, "password": PASSWORD}, format="json")
    assert token.status_code == 400
    assert "token" not in token.json()

    admin_login = Client().post(
        reverse("admin:login"), {"username": email, "password": PASSWORD}, REMOTE_ADDR=OTHER_CLIENT
    )
    assert admin_login.status_code == 200  # the form again, not a redirect into the admin
    assert "_auth_user_id" not in admin_login.wsgi_request.session


def test_wrong_api_token_requests_count_too(tenant_a: Tenant) -> None:
    email = tenant_a.admin.username
    api = APIClient(REMOTE_ADDR=CLIENT)
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        assert (
            api.post(
                "/api/v1/auth/token/", {"username": email, "password": "nope"}, format="json"
            ).status_code
            == 400
        )
    assert _attempt(Client(), email, PASSWORD, address=OTHER_CLIENT).status_code == 429


def test_a_lockout_is_audited_in_each_organisation_of_the_account(
    client: Client, tenant_a: Tenant, tenant_b: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    with scopes_disabled():
        MemberFactory(organisation=tenant_b.organisation, user=tenant_a.member, role=Role.MEMBER)
    with caplog.at_level(logging.WARNING, logger="coprod.security"):
        for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
            _attempt(client, tenant_a.member.username, "not the password")
    with scopes_disabled():
        events = list(AuditEvent.objects.filter(action="accounts.login.locked"))
    assert {event.organisation for event in events} == {tenant_a.organisation, tenant_b.organisation}
    for event in events:
        assert event.object_id == str(tenant_a.member.pk)
        assert event.actor is None
        assert event.data["failures"] == settings.LOGIN_FAILURES_PER_ACCOUNT
        assert CLIENT not in json.dumps(event.data)  # where from stays in the server log
    assert any("Login locked" in r.getMessage() and CLIENT in r.getMessage() for r in caplog.records)


def test_an_unknown_account_is_locked_without_an_audit_event(client: Client, db: None) -> None:
    """No organisation to tell, and the answer is the same as for a real
    account: the throttle does not reveal which accounts exist."""
    with scopes_disabled():
        organisation = OrganisationFactory()
        user = UserFactory(username="real@example.org")
        MemberFactory(organisation=organisation, user=user, role=Role.MEMBER)
    answers = []
    for number, email in enumerate(("nobody@example.org", "real@example.org")):
        for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
            _attempt(client, email, "not the password", address=f"192.0.2.{number}")
        answer = _attempt(client, email, "not the password", address=f"192.0.2.{number}")
        summary = re.search(r'<div class="error-summary".*?</div>', answer.content.decode(), flags=re.S)
        answers.append((answer.status_code, answer["Retry-After"], summary and summary.group(0)))
    assert answers[0] == answers[1]
    assert answers[0][0] == 429
    with scopes_disabled():
        assert [e.object_id for e in AuditEvent.objects.filter(action="accounts.login.locked")] == [
            str(user.pk)
        ]


def test_a_locked_login_does_not_check_the_password(client: Client, tenant_a: Tenant, monkeypatch) -> None:
    """While locked, nothing is learnt: the password is not even looked at."""
    email = tenant_a.member.username
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        _attempt(client, email, "not the password")
    checked = []
    monkeypatch.setattr(
        get_user_model(), "check_password", lambda self, raw: checked.append(raw) or True, raising=True
    )
    assert _attempt(client, email, PASSWORD).status_code == 429
    assert checked == []


# --- Dependency audit ----------------------------------------------------------------------


def _audit_with(monkeypatch, capsys, report: dict | None, *, ci: bool) -> tuple[int, str]:
    """Run tools/audit_dependencies.py against a canned pip-audit answer."""
    from tools import audit_dependencies

    def fake_run(*args: Any, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        stdout = json.dumps(report) if report is not None else ""
        return subprocess.CompletedProcess(args, 1, stdout=stdout, stderr="ConnectionError: no route to host")

    monkeypatch.setattr(audit_dependencies.subprocess, "run", fake_run)
    monkeypatch.setenv("CI", "true" if ci else "false")
    code = audit_dependencies.main()
    return code, capsys.readouterr().out


CLEAN = {"dependencies": [{"name": "django", "version": "5.2.19", "vulns": []}], "fixes": []}
VULNERABLE = {
    "dependencies": [
        {"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-1", "fix_versions": ["5.2.1"]}]},
        {"name": "celery", "version": "5.5.3", "vulns": []},
    ],
    "fixes": [],
}
UNREACHABLE = {
    "dependencies": [
        {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited"},
        {"name": "celery", "skip_reason": "Dependency not found on PyPI and could not be audited"},
    ],
    "fixes": [],
}


@pytest.mark.parametrize("ci", [True, False])
def test_dependency_audit_fails_on_a_known_vulnerability(monkeypatch, capsys, ci: bool) -> None:
    code, out = _audit_with(monkeypatch, capsys, VULNERABLE, ci=ci)
    assert code == 1
    assert "VULNERABLE django 5.2.0: PYSEC-1 (fixed in 5.2.1)" in out


def test_dependency_audit_passes_when_nothing_is_known(monkeypatch, capsys) -> None:
    code, out = _audit_with(monkeypatch, capsys, CLEAN, ci=True)
    assert code == 0
    assert "no known vulnerabilities in 1 packages" in out


@pytest.mark.parametrize("report", [UNREACHABLE, None], ids=["every-package-skipped", "pip-audit-crashed"])
def test_an_unreachable_vulnerability_service_is_never_reported_clean(
    monkeypatch, capsys, report: dict | None
) -> None:
    """pip-audit alone says "No known vulnerabilities found" when it could
    ask nobody; the audit says it did not run, and fails where it must."""
    for ci in (True, False):
        monkeypatch.delenv("AUDIT_REQUIRED", raising=False)
        code, out = _audit_with(monkeypatch, capsys, report, ci=ci)
        assert code == 0 and out.startswith("pip-audit NOT RUN") and "Nothing was checked" in out
        assert "no known vulnerabilities" not in out
    monkeypatch.setenv("AUDIT_REQUIRED", "true")
    code, out = _audit_with(monkeypatch, capsys, report, ci=True)
    assert code == 1 and out.startswith("pip-audit FAILED")
