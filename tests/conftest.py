"""Personas and two organisations, each with a project.

Fixtures are built outside any scope (`scopes_disabled`), as a support
engineer would; test bodies that call services enter the organisation's
scope like production does (`scope(organisation=...)`), and requests through
the test client are scoped by the tenancy middleware.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django_scopes import scope, scopes_disabled
from rest_framework.test import APIClient

from projects.models import Organisation, Project, Role
from stakeholders.models import InputResponse, PublicInput
from tests.factories import (
    MemberFactory,
    OrganisationFactory,
    ProjectFactory,
    StakeholderGroupFactory,
    UserFactory,
)


def pytest_configure(config: pytest.Config) -> None:
    del config
    from django.conf import settings

    # Real hashing costs ~0.3 s a user; the tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Browser tests drive a server in another process: they need real
    # transactions, so keep them last where they cannot disturb the others.
    items.sort(key=lambda item: 1 if item.get_closest_marker("browser") else 0)
    config.stash[RUNS_BROWSER_TESTS] = any(item.get_closest_marker("browser") for item in items)


RUNS_BROWSER_TESTS = pytest.StashKey[bool]()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, request: pytest.FixtureRequest
) -> None:
    """With browser tests in the run, an SQLite test database lives in a file:
    the server they drive is another process and must open it too."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if (
        request.config.stash.get(RUNS_BROWSER_TESTS, False)
        and database["ENGINE"].endswith("sqlite3")
        and not database["TEST"].get("NAME")
    ):
        folder = tempfile.mkdtemp(prefix="coprod-tests-")
        database["TEST"]["NAME"] = os.path.join(folder, "test.sqlite3")


@dataclass
class Tenant:
    organisation: Organisation
    project: Project
    admin: AbstractBaseUser
    facilitator: AbstractBaseUser
    auditor: AbstractBaseUser
    member: AbstractBaseUser


def _make_tenant(slug: str, name: str) -> Tenant:
    with scopes_disabled():
        organisation = OrganisationFactory(slug=slug, name=name)
        users = {}
        for role in (Role.ADMIN, Role.FACILITATOR, Role.AUDITOR, Role.MEMBER):
            user = UserFactory(username=f"{role}@{slug}.example.org")
            MemberFactory(organisation=organisation, user=user, role=role)
            users[role] = user
        project = ProjectFactory(organisation=organisation, title=f"Day service {slug}", slug="day-service")
        group = StakeholderGroupFactory(project=project, name="Service users")
        # Scoping has listened (SCOPE-2, SCOPE-3), so lifecycle tests can move
        # the project on; the scoping tests build their own gaps.
        heard = PublicInput.objects.create(
            project=project,
            stakeholder_group=group,
            message="Please keep the garden.",
            affected="directly",
            impact="positive",
            as_who="service_user",
            consent=True,
            during_scoping=True,
            status="answered",
        )
        InputResponse.objects.create(
            input=heard, public_text="We will.", incorporated="yes", how_or_why="Kept."
        )
        project.no_negative_impact_reason = "A test project: nobody could be negatively affected by it."
        project.save(update_fields=["no_negative_impact_reason"])
        return Tenant(
            organisation=organisation,
            project=project,
            admin=users[Role.ADMIN],
            facilitator=users[Role.FACILITATOR],
            auditor=users[Role.AUDITOR],
            member=users[Role.MEMBER],
        )


@pytest.fixture
def tenant_a(db: None) -> Tenant:
    return _make_tenant("riverside", "Riverside Council")


@pytest.fixture
def tenant_b(db: None) -> Tenant:
    # Same project slug and group names as tenant A on purpose: uniqueness and
    # look-ups must be scoped to the organisation.
    return _make_tenant("hillview", "Hillview NHS Trust")


@pytest.fixture
def org_a(tenant_a: Tenant) -> Organisation:
    return tenant_a.organisation


@pytest.fixture
def project_a(tenant_a: Tenant) -> Project:
    return tenant_a.project


@pytest.fixture
def admin_user(tenant_a: Tenant) -> AbstractBaseUser:
    return tenant_a.admin


@pytest.fixture
def facilitator(tenant_a: Tenant) -> AbstractBaseUser:
    return tenant_a.facilitator


@pytest.fixture
def auditor(tenant_a: Tenant) -> AbstractBaseUser:
    return tenant_a.auditor


@pytest.fixture
def member(tenant_a: Tenant) -> AbstractBaseUser:
    return tenant_a.member


@pytest.fixture
def outsider(tenant_b: Tenant) -> AbstractBaseUser:
    """A facilitator of the other organisation: powerful there, nobody here."""
    return tenant_b.facilitator


@pytest.fixture
def in_org_a(org_a: Organisation) -> Iterator[None]:
    """Run the test body inside organisation A's scope, as a request would."""
    with scope(organisation=org_a):
        yield


def login(client: Client, user: AbstractBaseUser) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def client_as(client: Client):
    """`client_as(user)`: the Django test client logged in as `user`."""

    def _as(user: AbstractBaseUser) -> Client:
        client.logout()
        client.force_login(user)
        return client

    return _as


@pytest.fixture
def api_as():
    """`api_as(user)`: a DRF API client authenticated as `user` (or anonymous)."""

    def _as(user: AbstractBaseUser | None) -> APIClient:
        api = APIClient()
        if user is not None:
            api.force_authenticate(user)
        return api

    return _as


@pytest.fixture(autouse=True)
def _email_locmem(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache: login-failure counts, public
    input rate limits and cached public pages must not leak between tests."""
    from django.core.cache import cache

    cache.clear()


IN_CI = os.environ.get("CI", "").lower() == "true"
