"""TENANT-1: nothing of one organisation is visible to, or changeable by,
another. Walks every URL pattern (UI and API) from the resolver."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.conftest import Tenant
from tests.urlwalk import all_routes, build_objects, fill, snapshot

METHODS = ("get", "post", "put", "patch", "delete")

pytestmark = pytest.mark.rule("TENANT-1")


def test_walk_finds_tenant_routes() -> None:
    routes = list(all_routes())
    tenant_routes = [r for r in routes if r.is_tenant]
    # Guards the walker itself: if it found nothing it would prove nothing.
    assert any(r.is_api for r in tenant_routes)
    assert any(not r.is_api for r in tenant_routes)


@pytest.mark.django_db
def test_outsider_gets_404_everywhere_and_changes_nothing(tenant_a: Tenant, tenant_b: Tenant) -> None:
    objects = build_objects(tenant_a)
    outsider = tenant_b.admin  # the most powerful role of the other organisation
    ui = Client()
    ui.force_login(outsider)
    api = APIClient()
    api.force_authenticate(outsider)
    before = snapshot()
    failures: list[str] = []
    checked = 0
    for route in all_routes():
        if not route.is_tenant or route.is_public:
            continue
        path = fill(route, tenant_a, objects)
        client = api if route.is_api else ui
        for method in METHODS:
            response = (
                getattr(client, method)(path, data={"name": "x", "title": "x"}, format="json")
                if route.is_api
                else getattr(client, method)(path, data={"name": "x", "title": "x"})
            )
            checked += 1
            if response.status_code != 404:
                failures.append(f"{method.upper()} {path} ({route.qualified_name}) -> {response.status_code}")
    assert checked > 0
    assert not failures, "Outsider was not refused with 404:\n" + "\n".join(failures)
    assert snapshot() == before


@pytest.mark.django_db
def test_public_routes_of_one_organisation_show_nothing_of_another(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    """Public pages resolve the organisation from the URL: a proposal id of
    organisation A under organisation B's slug is 404."""
    objects_a = build_objects(tenant_a)
    client = Client()
    for route in all_routes():
        if not (route.is_tenant and route.is_public) or "<int:pk>" not in route.route:
            continue
        path_under_b = fill(route, tenant_b, objects_a)
        assert client.get(path_under_b).status_code == 404, path_under_b


@pytest.mark.django_db
def test_anonymous_gets_login_redirect_401_or_404(tenant_a: Tenant) -> None:
    objects = build_objects(tenant_a)
    before = snapshot()
    failures: list[str] = []
    # One client of each kind (a new one loads every middleware, WhiteNoise's
    # scan of the static files included); anonymous, they carry no state.
    ui, api = Client(), APIClient()
    for route in all_routes():
        if route.is_public or not route.route:
            continue
        path = fill(route, tenant_a, objects)
        for method in METHODS:
            client = api if route.is_api else ui
            response = getattr(client, method)(path)
            status = response.status_code
            if route.is_api:
                ok = status in (401, 404)
            else:
                ok = status == 404 or (status == 302 and "/accounts/login/" in response["Location"])
            if not ok:
                failures.append(f"{method.upper()} {path} ({route.qualified_name}) -> {status}")
    assert not failures, "Anonymous access not refused:\n" + "\n".join(failures)
    assert snapshot() == before


@pytest.mark.django_db
def test_admin_site_refuses_organisation_users(tenant_a: Tenant) -> None:
    """Django admin spans tenants, so only support staff (superusers) get in."""
    client = Client()
    client.force_login(tenant_a.admin)
    response = client.get("/admin/projects/project/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
