"""TENANT-1, object ids (issue 10): a user of organisation B, under B's own
organisation slug (and B's own project slug where the URL has one), names
objects of organisation A: their ids, ledger sequence numbers, project slugs.
Every such request is a 404 (a JSON 404 from the API) and changes nothing,
for GET and POST, on every URL pattern that takes an object id (walked from
the resolver by `tests.urlwalk`, so new endpoints are covered).

The walk proves each check could fail: the same request naming B's own
objects must find them (a status other than 404), run inside a transaction
that is rolled back so that B's successful writes leave nothing behind."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from projects.models import AuditEvent
from tests.conftest import Tenant
from tests.urlwalk import (
    FIELD_MODELS,
    GENERIC_FORM_BODY,
    Route,
    TenantObjects,
    all_routes,
    build_objects,
    changed,
    fill,
    harvest_forms,
    pk_model,
    plausible_api_body,
    request_fields,
    snapshot,
)

pytestmark = pytest.mark.rule("TENANT-1")

METHODS = ("get", "post")


def rolled_back(request: Callable[[], HttpResponse]) -> HttpResponse:
    """Send a request whose writes are undone afterwards (a savepoint)."""
    with transaction.atomic():
        response = request()
        transaction.set_rollback(True)
    return response


def is_json_404(response: HttpResponse) -> bool:
    return (
        response.status_code == 404
        and response.get("Content-Type", "").startswith("application/json")
        and "detail" in response.json()
    )


@pytest.mark.django_db
def test_objects_of_another_organisation_are_404_under_your_own_slugs(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    """B's admin, B's slugs, A's ids (or A's project slug): 404, for GET and POST."""
    objects_a = build_objects(tenant_a)
    objects_b = build_objects(tenant_b)
    # Every kind of object a URL or a request body names exists in both
    # organisations, with different ids.
    kinds = {pk_model(route, index) for route in all_routes() for index in _pk_indexes(route)}
    kinds |= set(FIELD_MODELS.values())
    assert kinds <= objects_a.ids.keys(), sorted(kind.__name__ for kind in kinds - objects_a.ids.keys())
    assert objects_a.ids.keys() == objects_b.ids.keys()
    assert all(objects_a.ids[kind] != objects_b.ids[kind] for kind in objects_a.ids)
    assert objects_a.own_project_slug != objects_b.own_project_slug

    user = tenant_b.admin  # the most powerful role there
    ui = Client(raise_request_exception=False)
    ui.force_login(user)
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(user)
    tenant_pages = [route for route in all_routes() if route.is_tenant and not route.is_public]
    forms = harvest_forms(ui, tenant_b, objects_b, tenant_pages)

    before = snapshot()
    failures: list[str] = []
    checked = 0
    for route in all_routes():
        if not route.is_tenant or not route.names_objects:
            continue
        own = fill(route, tenant_b, objects_b)
        variants: list[tuple[str, str]] = []
        if {"pk", "token"} & set(route.params):
            # Ledger sequence numbers count per project, so A's would name B's
            # own entry: they are swapped with the project slug, below.
            variants.append(("A's ids", fill(route, tenant_b, objects_a, sequence=objects_b.sequence)))
        if "project" in route.params:
            variants.append(
                ("A's project", fill(route, tenant_b, objects_b, project_slug=objects_a.own_project_slug))
            )
        client = api if route.is_api else ui
        found_own = False
        for method in METHODS:
            body = _body(route, method, objects_b, forms, own)
            control = rolled_back(partial(_send, client, route.is_api, method, own, body))
            found_own = found_own or control.status_code != 404
            for label, path in variants:
                response = _send(client, route.is_api, method, path, body)
                checked += 1
                status = response.status_code
                if status == 405 and control.status_code == 405:
                    continue  # the method is not offered here at all: nothing is learnt
                if not (is_json_404(response) if route.is_api else status == 404):
                    failures.append(f"{method.upper()} {path} ({route.qualified_name}, {label}) -> {status}")
        if not found_own:
            failures.append(
                f"{own} ({route.qualified_name}): B's own objects are 404 too, so this proves nothing"
            )
        after = snapshot()
        if tables := changed(before, after):
            failures.append(f"{route.qualified_name} changed {tables}")
            before = after
    assert checked > 100
    assert not failures, "Another organisation's objects were reachable:\n" + "\n".join(failures)


def _pk_indexes(route: Route) -> list[int]:
    return [index for index, segment in enumerate(route.route.split("/")) if segment.endswith(":pk>")]


def _body(route: Route, method: str, objects: TenantObjects, forms: dict[str, Any], own_path: str) -> Any:
    if method == "get":
        return None
    if route.is_api:
        return plausible_api_body(route, method, objects)
    form = forms.get(own_path)
    return form.body() if form is not None else GENERIC_FORM_BODY


def _send(client: Client, is_api: bool, method: str, path: str, body: Any) -> HttpResponse:
    if method == "get":
        return client.get(path)
    if is_api:
        return client.post(path, body, format="json")
    return client.post(path, body)


@pytest.mark.django_db
def test_request_bodies_naming_another_organisations_objects_are_refused(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    """The same through the body: B's own URL, but a request body whose
    object fields (`person`, `seat`, `meeting`, …) name A's objects. Refused as
    bad input (400) or not found (404), or, where the endpoint refuses every
    request (a chair is never installed directly), the very answer B's own
    object gets: never done, never a 500. Only refusals of B may be logged."""
    objects_a = build_objects(tenant_a)
    objects_b = build_objects(tenant_b)
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(tenant_b.admin)
    audit = AuditEvent._meta.label
    before = snapshot(exclude={audit})
    with scopes_disabled():
        last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    failures: list[str] = []
    checked = 0
    for route in all_routes():
        if not (route.is_api and route.is_tenant):
            continue
        path = fill(route, tenant_b, objects_b)
        for method in ("post", "put", "patch"):
            fields = request_fields(route, method) or {}
            naming = sorted(name for name in fields if name in FIELD_MODELS or name == "user")
            if not naming:
                continue
            own = plausible_api_body(route, method, objects_b)
            foreign = plausible_api_body(route, method, objects_a)
            for name in naming:
                body = {**own, name: foreign[name]}
                send = partial(getattr(api, method), path, format="json")
                response = send(body)
                checked += 1
                status = response.status_code
                if status in (400, 404):
                    continue
                control = rolled_back(partial(send, own))
                same_refusal = status == control.status_code and response.content == control.content
                if 400 <= status < 500 and same_refusal:
                    continue  # refused whatever the object: nothing is learnt
                failures.append(
                    f"{method.upper()} {path} ({route.qualified_name}) with A's {name} "
                    f"-> {status}: {response.content[:200]!r}"
                )
        if tables := changed(before, after := snapshot(exclude={audit})):
            failures.append(f"{route.qualified_name} changed {tables}")
            before = after
    with scopes_disabled():
        logged = AuditEvent.objects.filter(pk__gt=last_event)
        failures.extend(
            f"logged {event.action} in {event.organisation_id}"
            for event in logged
            if not event.action.startswith("refused.") or event.organisation_id != tenant_b.organisation.pk
        )
    assert checked > 10
    assert not failures, "A body naming another organisation's objects was not refused:\n" + "\n".join(
        failures
    )
