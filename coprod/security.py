"""Hardening that Django does not ship: a Content-Security-Policy header on
every response, the client address behind trusted proxies, and a throttle on
password guessing (per account and per client address) shared by every way
in that checks a password: the login page, the admin login and the API token
endpoint.

The throttle lives in the authentication backend, so no entry point can skip
it; the login page adds a polite message and a 429 answer on top.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger("coprod.security")

# --- Content-Security-Policy ----------------------------------------------------------

CSP_HEADER = "Content-Security-Policy"


def build_policy(directives: Mapping[str, Sequence[str]]) -> str:
    """`{"script-src": ["'self'"]}` → `script-src 'self'`; a directive with
    no sources (e.g. `upgrade-insecure-requests`) is written bare."""
    parts = []
    for name, sources in directives.items():
        parts.append(" ".join([name, *sources]) if sources else name)
    return "; ".join(parts)


class ContentSecurityPolicyMiddleware:
    """Send `settings.CONTENT_SECURITY_POLICY` on every response, in
    development too, so a page that needs an inline script or style breaks
    on the developer's screen and in the browser tests rather than only in
    production. A response that already carries the header keeps it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if CSP_HEADER not in response:
            # Built per response (a dozen short strings), so tests can override the setting.
            response[CSP_HEADER] = build_policy(settings.CONTENT_SECURITY_POLICY)
        return response


# --- The client's address ------------------------------------------------------------


def client_address(request: HttpRequest) -> str:
    """The address the request came from, for rate limits.

    Behind `TRUSTED_PROXY_COUNT` reverse proxies that each append to
    X-Forwarded-For, the client is that many entries from the right (entries
    further left are whatever the client chose to send, so never trusted).
    A header shorter than the proxy chain, or not an address, falls back to
    the peer address. IPv6 addresses count per /64 network, the block one
    household or server is usually given, so rotating within it gains nothing.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    candidate = remote
    hops = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    if hops:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            candidate = forwarded[-hops]
    for value in (candidate, remote):
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            continue
        if isinstance(address, ipaddress.IPv6Address):
            if address.ipv4_mapped is not None:
                return str(address.ipv4_mapped)
            return str(ipaddress.ip_network(f"{address}/64", strict=False))
        return str(address)
    return "unknown"


# --- Login throttle ------------------------------------------------------------------

_PREFIX = "login-throttle"


@dataclass(frozen=True)
class Lockout:
    """Logging in is paused for `scope` ("account" or "address") for another
    `retry_after` seconds."""

    scope: str
    retry_after: int

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))


def _digest(value: str) -> str:
    # Keys carry a digest, not the typed text: bounded length, and no email
    # addresses or client addresses in plain text in the cache.
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:40]


def _subjects(request: HttpRequest | None, username: str | None) -> list[tuple[str, str, int]]:
    """(scope, key part, failure limit) for each thing a failure counts against."""
    subjects = []
    if username:
        # The same person types their address in any case; count them as one.
        subjects.append(
            ("account", _digest(username.strip().casefold()), settings.LOGIN_FAILURES_PER_ACCOUNT)
        )
    if request is not None:
        subjects.append(("address", _digest(client_address(request)), settings.LOGIN_FAILURES_PER_ADDRESS))
    return subjects


def _lock_key(scope: str, part: str) -> str:
    return f"{_PREFIX}:locked:{scope}:{part}"


def _failure_key(scope: str, part: str) -> str:
    return f"{_PREFIX}:failures:{scope}:{part}"


def login_lockout(request: HttpRequest | None, username: str | None) -> Lockout | None:
    """The longest lockout that applies to this account or this client, if any."""
    subjects = _subjects(request, username)
    if not subjects:
        return None
    keys = {_lock_key(scope, part): scope for scope, part, _ in subjects}
    locked = cache.get_many(list(keys))
    now = time.time()
    longest: Lockout | None = None
    for key, until in locked.items():
        remaining = math.ceil(float(until) - now)
        if remaining > 0 and (longest is None or remaining > longest.retry_after):
            longest = Lockout(scope=keys[key], retry_after=remaining)
    return longest


def record_login_failure(request: HttpRequest | None, username: str | None) -> None:
    """Count a failed password check; the failure that reaches a limit
    within LOGIN_FAILURE_WINDOW_SECONDS pauses logging in for
    LOGIN_LOCKOUT_SECONDS. The window is fixed from the first failure, so a
    slow trickle of guesses never builds up to a lockout of its own."""
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    lockout = settings.LOGIN_LOCKOUT_SECONDS
    for scope, part, limit in _subjects(request, username):
        key = _failure_key(scope, part)
        # add + incr is atomic on Redis and under the local-memory lock, so
        # concurrent guesses across gunicorn workers all count.
        cache.add(key, 0, timeout=window)
        try:
            failures = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=window)
            failures = 1
        if failures >= limit:
            cache.set(_lock_key(scope, part), time.time() + lockout, timeout=lockout)
            cache.delete(key)
            _report_lockout(scope=scope, request=request, username=username, failures=failures)


def clear_account_failures(username: str | None) -> None:
    """A correct password forgives the account's earlier failures (not the
    address's: one valid account must not reset a guessing run from there)."""
    for scope, part, _ in _subjects(None, username):
        cache.delete(_failure_key(scope, part))


def _report_lockout(*, scope: str, request: HttpRequest | None, username: str | None, failures: int) -> None:
    """Tell the operators (log) and, for a real account, the admins and
    auditors of each organisation it belongs to (audit log)."""
    address = client_address(request) if request is not None else "unknown"
    logger.warning(
        "Login locked for %s seconds after %s failed attempts (%s; client %s).",
        settings.LOGIN_LOCKOUT_SECONDS,
        failures,
        scope,
        address,
    )
    if scope != "account" or not username:
        return
    from django_scopes import scope as tenant_scope
    from django_scopes import scopes_disabled

    from coprod.audit import audit_record
    from projects.models import OrganisationMember

    user_model = get_user_model()
    lookup = {f"{user_model.USERNAME_FIELD}__iexact": username.strip()}
    users = list(user_model._default_manager.filter(**lookup)[:2])
    if len(users) != 1:  # no such account (or an ambiguous one): nothing to tell an organisation
        return
    user = users[0]
    with scopes_disabled():
        organisations = [
            m.organisation
            for m in OrganisationMember.objects.filter(user=user).select_related("organisation")
        ]
    for organisation in organisations:
        with tenant_scope(organisation=organisation):
            # The client address stays in the server log: an organisation's
            # admins need to know the account is under attack, not where from.
            audit_record(
                organisation=organisation,
                actor=None,
                action="accounts.login.locked",
                obj=user,
                data={
                    "failures": failures,
                    "window_seconds": settings.LOGIN_FAILURE_WINDOW_SECONDS,
                    "locked_seconds": settings.LOGIN_LOCKOUT_SECONDS,
                },
            )


class ThrottledModelBackend(ModelBackend):
    """Django's username-and-password check, refused without looking at the
    password while the account or the client is locked out (so a locked-out
    guesser learns nothing), counting each wrong password."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> AbstractBaseUser | None:
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        if login_lockout(request, username) is not None:
            # Stops `authenticate()` trying any further backend.
            raise PermissionDenied("Too many failed attempts to log in.")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            record_login_failure(request, username)
        else:
            clear_account_failures(username)
        return user


def lockout_message(lockout: Lockout) -> str:
    return ngettext(
        "Too many failed attempts to log in. For your security, logging in is paused for %(minutes)d "
        "minute. Please try again after that. If you have forgotten your password, you can reset it meanwhile.",
        "Too many failed attempts to log in. For your security, logging in is paused for %(minutes)d "
        "minutes. Please try again after that. If you have forgotten your password, you can reset it meanwhile.",
        lockout.minutes,
    ) % {"minutes": lockout.minutes}


class ThrottledAuthenticationForm(AuthenticationForm):
    """The login form, answering a locked-out attempt with a plain message
    (and without checking the password) instead of "wrong password"."""

    lockout: Lockout | None = None

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if username:
            self.lockout = login_lockout(self.request, username)
            if self.lockout is not None:
                raise ValidationError(lockout_message(self.lockout), code="locked_out")
        try:
            return super().clean()
        except ValidationError:
            # The attempt that reaches the limit (or one racing it) says so at once.
            self.lockout = login_lockout(self.request, username) if username else None
            if self.lockout is not None:
                raise ValidationError(lockout_message(self.lockout), code="locked_out") from None
            raise


class ThrottledLoginView(LoginView):
    """The login page: 429 with Retry-After while locked out, the typed
    email address kept in the form."""

    authentication_form = ThrottledAuthenticationForm

    def form_invalid(self, form: ThrottledAuthenticationForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_invalid(form)
        if form.lockout is not None and form.has_error(NON_FIELD_ERRORS, code="locked_out"):
            response.status_code = 429
            response["Retry-After"] = str(form.lockout.retry_after)
        return response
