"""Property-based tests of the whole REST API against its OpenAPI description
(TENANT-1 and "nothing a client sends may produce a 500").

Every operation of the description served at `/api/schema/` is called with
requests generated from that description (valid ones and, where the
operation takes input, invalid ones), as three personas: a facilitator of
organisation A, a plain member of A and an outsider (an admin of
organisation B). Path parameters name real objects of A, so the calls reach
the views instead of stopping at a trivial 404; now and then they name B's
objects instead, which must be "not found" under A's URL.

Each answer must:
- never be a 5xx;
- conform to the description: a documented status code, the documented
  content type and a body matching the documented schema;
- for the outsider, be 404 for everything under `/api/v1/orgs/<A>/`, and
  never carry A's planted marker text; for A's personas, never carry B's.

The example budget is fixed and the generation derandomised, so the run is
the same every time and stays within a few minutes on a small machine. Each
call runs in a savepoint that is rolled back, so every call sees the same
objects."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from boards.models import AgendaItem, Comment, ImplementationUpdate, Meeting
from disputes.models import Dispute, StageRecord
from overview.models import MilestoneReview
from projects.models import BudgetLine, Milestone, ProjectProposal
from projects.models import Phase as ProjectPhase
from stakeholders.models import GroupInvitation, InvolvementResponse, Person, PublicInput, StakeholderGroup
from tests.conftest import Tenant, _make_tenant
from tests.urlwalk import (
    PK_MODELS,
    Route,
    TenantObjects,
    all_routes,
    api_schema,
    build_objects,
    plausible_api_body,
)

# `django_db` also tells pytest-django to set the test database up.
pytestmark = [pytest.mark.rule("TENANT-1"), pytest.mark.django_db]

# The budget: examples generated per operation (each sent as every persona),
# on top of one plausible request per operation and persona.
MAX_EXAMPLES = 15
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
# Not `negative_data_rejection`: a request the description calls invalid may
# still be served (an empty optional query value read as absent, a garbled
# form body read as empty, so only optional fields missing): lenient, not
# wrong. Invalid requests are still sent, and must never fail or be answered
# off the contract.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

MARKER_A = "zqmarkriverside"
MARKER_B = "zqmarkhillview"


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every documented operation, in document order."""
    return [
        (method, path)
        for path, item in api_schema()["paths"].items()
        for method in item
        if method in HTTP_METHODS
    ]


@dataclass
class World:
    """What every example needs: the loaded description, the application,
    both organisations with their objects, the personas' tokens and the
    routes by their documented path."""

    schema: Any
    app: WSGIHandler
    a: Tenant
    b: Tenant
    objects_a: TenantObjects
    objects_b: TenantObjects
    tokens: dict[str, str]
    routes: dict[str, Route]


PERSONAS = ("facilitator", "member", "outsider")


def _plant(tenant: Tenant, objects: TenantObjects, marker: str) -> None:
    """Write `marker` into the text of the organisation's objects that the API
    shows, so that a leak of any of them shows in an answer."""
    organisation = tenant.organisation
    organisation.name = f"{organisation.name} {marker}"
    organisation.save(update_fields=["name"])
    project = tenant.project
    project.title = f"{project.title} {marker}"
    project.summary = f"About {marker}"
    project.save(update_fields=["title", "summary"])
    fields: dict[type, tuple[str, ...]] = {
        ProjectPhase: ("name",),
        Milestone: ("title",),
        BudgetLine: ("purpose",),
        ProjectProposal: ("title",),
        StakeholderGroup: ("name", "description"),
        Person: ("name",),
        PublicInput: ("message", "name"),
        Meeting: ("place", "minutes"),
        AgendaItem: ("title", "description"),
        ImplementationUpdate: ("note",),
        Dispute: ("summary",),
        StageRecord: ("notes",),
        GroupInvitation: ("response_note",),
    }
    for model, names in fields.items():
        instance = model._base_manager.get(pk=objects.ids[model])
        for name in names:
            setattr(instance, name, f"{getattr(instance, name) or ''} {marker}".strip())
        instance.save(update_fields=list(names))
    Comment.objects.create(
        item_id=objects.ids[AgendaItem], author=tenant.facilitator, text=f"A comment {marker}"
    )
    invitation = GroupInvitation.objects.get(pk=objects.ids[GroupInvitation])
    # Lists that would otherwise be empty, so their answers are checked too.
    InvolvementResponse.objects.create(
        invitation=invitation,
        project=project,
        stakeholder_group=invitation.stakeholder_group,
        levels=["events"],
        name=f"A resident {marker}",
        contact=f"resident@{marker}.example.org",
    )
    MilestoneReview.objects.create(
        milestone_id=objects.ids[Milestone],
        meeting_id=objects.overview_meeting_id,
        summary=f"On track {marker}",
        recorded_by=tenant.facilitator,
    )


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Two organisations with marked objects, built once for the module in a
    transaction that is rolled back at the end (the examples run in
    savepoints inside it)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with scopes_disabled():
                a = _make_tenant("riverside", "Riverside Council")
                b = _make_tenant("hillview", "Hillview NHS Trust")
                objects_a, objects_b = build_objects(a), build_objects(b)
                _plant(a, objects_a, MARKER_A)
                _plant(b, objects_b, MARKER_B)
                tokens = {
                    "facilitator": Token.objects.create(user=a.facilitator).key,
                    "member": Token.objects.create(user=a.member).key,
                    "outsider": Token.objects.create(user=b.admin).key,
                }
            app = WSGIHandler()
            _keep_connection()
            schema = schemathesis.openapi.from_wsgi("/api/schema/", app)
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    routes = {route.schema_path: route for route in all_routes() if route.is_api}
    try:
        yield World(schema, app, a, b, objects_a, objects_b, tokens, routes)
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _keep_connection() -> None:
    """Django closes the database connection around requests outside its
    test client (which connects this again after each of its requests), and
    closing it would end the transaction the module's data lives in: these
    requests go through the WSGI handler, so stop that until the module ends."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)


def _path_parameters(world: World, path: str, *, kind: str, foreign: bool) -> dict[str, Any]:
    """Real objects of A for the URL parameters (`foreign`: B's ids instead,
    under A's organisation and project)."""
    objects = world.objects_b if foreign else world.objects_a
    parameters: dict[str, Any] = {}
    segments = path.strip("/").split("/")
    for index, segment in enumerate(segments):
        match = re.fullmatch(r"\{(\w+)\}", segment)
        if not match:
            continue
        name = match.group(1)
        if name == "org":
            parameters[name] = world.a.organisation.slug
        elif name == "project":
            parameters[name] = world.a.project.slug
        elif name == "kind":
            parameters[name] = kind
        elif name == "id":
            parameters[name] = objects.ids[PK_MODELS[segments[index - 1]]]
        else:
            raise AssertionError(f"{path}: unknown path parameter {{{name}}}")
    return parameters


def _text(response: Any) -> str:
    content = response.content if isinstance(response.content, bytes) else bytes(response.content or b"")
    return content.decode("utf-8", errors="replace")


def _send(world: World, case: Any, persona: str, *, foreign: bool = False) -> None:
    """Send `case` as `persona` in a savepoint that is rolled back, and check
    the answer (`foreign`: the path names B's objects under A's URL)."""
    headers = {"Authorization": f"Token {world.tokens[persona]}"}
    _keep_connection()
    with transaction.atomic():
        response = case.call(app=world.app, headers=headers)
        transaction.set_rollback(True)
    case.validate_response(response, checks=CHECKS, headers=headers)
    body = _text(response)
    under_a = case.formatted_path.startswith(f"/api/v1/orgs/{world.a.organisation.slug}/")
    where = f"{case.method} {case.formatted_path} as {persona}"
    if persona == "outsider":
        if under_a:
            assert response.status_code == 404, f"{where}: {response.status_code}, not 404 (TENANT-1)"
        assert MARKER_A not in body, f"{where}: the answer shows organisation A's data (TENANT-1)"
    else:
        assert MARKER_B not in body, f"{where}: the answer shows organisation B's data (TENANT-1)"
        if foreign and "{id}" in case.path:
            assert response.status_code >= 400, f"{where}: B's object was found under A's URL (TENANT-1)"


def _has_input(operation: Any) -> bool:
    definition = operation.definition.raw
    return "requestBody" in definition or any(
        parameter.get("in") == "query" for parameter in definition.get("parameters", [])
    )


@pytest.mark.parametrize(("method", "path"), _operations(), ids=lambda value: value)
def test_operation_answers_within_its_contract(world: World, method: str, path: str) -> None:
    operation = world.schema[path][method.upper()]
    modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if _has_input(operation) else [])
    cases = st.one_of(*(operation.as_strategy(generation_mode=mode) for mode in modes))

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(
        case=cases, kind=st.sampled_from(["board", "overview"]), foreign=st.sampled_from([False, False, True])
    )
    def fuzz(case: Any, kind: str, foreign: bool) -> None:
        case.path_parameters = _path_parameters(world, path, kind=kind, foreign=foreign)
        for persona in PERSONAS:
            _send(world, case, persona, foreign=foreign)

    # A plausible request first: generated bodies are rarely accepted, so
    # this one reaches the success answers and checks their bodies.
    body = plausible_api_body(world.routes[path], method, world.objects_a)
    takes_body = "requestBody" in operation.definition.raw
    plausible = operation.Case(
        path_parameters=_path_parameters(world, path, kind="board", foreign=False),
        **({"body": body, "media_type": "application/json"} if takes_body else {}),
    )
    for persona in PERSONAS:
        _send(world, plausible, persona)
    fuzz()


def test_markers_show_where_they_belong(world: World) -> None:
    """Guards the leak check: the planted text is in the answers A's members
    get (so a leak would show), and in none the outsider gets."""
    client = APIClient()
    detail = f"/api/v1/orgs/{world.a.organisation.slug}/projects/{world.a.project.slug}/"
    client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens['member']}")
    assert MARKER_A in client.get(detail).content.decode()
    client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens['outsider']}")
    response = client.get(detail)
    assert response.status_code == 404
    organisations = client.get("/api/v1/orgs/").content.decode()
    assert MARKER_B in organisations
    assert MARKER_A not in organisations


def test_removing_what_records_still_need_is_refused_not_an_error(world: World) -> None:
    """Found by this fuzzing: removing a stakeholder group a seat represents
    (or a milestone the Overview Group reviewed) raised the database's
    ProtectedError, a 500. It is a refusal that says why: 409 in the API,
    the message on the confirmation page."""
    org, project = world.a.organisation.slug, world.a.project.slug
    group, milestone = world.objects_a.ids[StakeholderGroup], world.objects_a.ids[Milestone]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens['facilitator']}")
    ui = Client()
    ui.force_login(world.a.facilitator)
    attempts = [
        (api.delete, f"/api/v1/orgs/{org}/projects/{project}/stakeholder-groups/{group}/", 409),
        (api.delete, f"/api/v1/orgs/{org}/projects/{project}/milestones/{milestone}/", 409),
        (ui.post, f"/o/{org}/projects/{project}/stakeholders/{group}/delete/", 400),
        (ui.post, f"/o/{org}/projects/{project}/milestones/{milestone}/delete/", 400),
    ]
    for send, path, status in attempts:
        with transaction.atomic():
            response = send(path)
            transaction.set_rollback(True)
        assert response.status_code == status, f"{path}: {response.status_code}"
        assert "still refer to it" in response.content.decode(), path
    with scopes_disabled():
        assert StakeholderGroup.objects.filter(pk=group).exists()
        assert Milestone.objects.filter(pk=milestone).exists()


def test_every_operation_is_fuzzed(world: World) -> None:
    """Guards the parametrisation: the served description and the generated
    one list the same operations."""
    served = {
        (method, path)
        for path, item in world.schema.raw_schema["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }
    assert served == set(_operations())
    assert len(served) > 100
