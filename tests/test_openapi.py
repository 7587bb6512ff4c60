"""The OpenAPI description of the REST API: generated without a single
warning, valid, served at /api/schema/ with browsable docs at /api/docs/, and
complete (every API route documented with its error answers)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from drf_spectacular.drainage import reset_generator_stats

from tests.urlwalk import all_routes

pytestmark = pytest.mark.django_db

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The schema written by `manage.py spectacular --validate --fail-on-warn`:
    the command raises if generation warns or the document is invalid."""
    target: Path = tmp_path_factory.mktemp("openapi") / "schema.yml"
    # The warning counter is process-wide: count this generation's warnings only.
    reset_generator_stats()
    call_command("spectacular", validate=True, fail_on_warn=True, file=str(target))
    return yaml.safe_load(target.read_text())


def test_schema_generates_without_warnings_and_validates(schema: dict) -> None:
    assert schema["openapi"].startswith("3.")
    assert schema["paths"]


def test_schema_and_docs_are_served() -> None:
    client = Client()
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/orgs/{org}/projects/" in response.content
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def _template(route: str) -> str:
    """`api/v1/orgs/<slug:org>/members/<int:pk>/` → `/api/v1/orgs/{org}/members/{id}/`
    (drf-spectacular names a `pk` parameter `id`, SCHEMA_COERCE_PATH_PK)."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route).replace("{pk}", "{id}")


def test_every_api_route_is_documented(schema: dict) -> None:
    routes = {_template(r.route) for r in all_routes() if r.route.startswith("api/v1/")}
    assert routes, "no API routes found"
    assert routes <= set(schema["paths"]), sorted(routes - set(schema["paths"]))


def test_every_operation_documents_its_answers(schema: dict) -> None:
    problems = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            where = f"{method.upper()} {path}"
            codes = set(operation["responses"])
            if not operation.get("summary") or not operation.get("description"):
                problems.append(f"{where}: no summary or description")
            if not any(code.startswith("2") for code in codes):
                problems.append(f"{where}: no success response")
            if "{org}" in path and not {"401", "404"} <= codes:
                # Anonymous 401 and not-a-member 404 apply everywhere under orgs/<org>/.
                problems.append(f"{where}: 401/404 not documented")
            if "{org}" in path and method != "get" and "403" not in codes:
                problems.append(f"{where}: 403 for roles that may not write is not documented")
            if "requestBody" in operation and "400" not in codes:
                problems.append(f"{where}: takes input but documents no 400")
            for code in codes - {"204"}:
                if "content" not in operation["responses"][code]:
                    problems.append(f"{where}: {code} has no body schema")
    assert not problems, "\n".join(problems)


def test_rule_refusals_are_documented(schema: dict) -> None:
    components = schema["components"]["schemas"]
    assert set(components["RuleError"]["required"]) == {"rule", "detail", "evidence"}
    assert "BOARD-10" in components["RuleEnum"]["enum"]
    status_post = schema["paths"]["/api/v1/orgs/{org}/projects/{project}/status/"]["post"]
    assert "BOARD-10" in status_post["description"]
    assert status_post["responses"]["403"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Refusal"
    }


@pytest.mark.rule("BOARD-7")
def test_budget_writes_are_documented_as_refused(schema: dict) -> None:
    for path, writes in (
        ("/api/v1/orgs/{org}/projects/{project}/budget-lines/", {"post"}),
        ("/api/v1/orgs/{org}/projects/{project}/budget-lines/{id}/", {"put", "patch", "delete"}),
    ):
        item = schema["paths"][path]
        assert set(item) & HTTP_METHODS == {"get"} | writes
        for method in {"get"} | writes:
            assert "BOARD-7" in item[method]["description"]
            assert "budget_change" in item[method]["description"]
        for method in writes:
            assert "403" in item[method]["responses"]
            assert "requestBody" not in item[method]


def test_token_endpoint_is_documented(schema: dict) -> None:
    operation = schema["paths"]["/api/v1/auth/token/"]["post"]
    request = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][request.rsplit("/", 1)[1]]
    assert set(component["required"]) == {"username", "password"}
    response = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert schema["components"]["schemas"][response.rsplit("/", 1)[1]]["properties"].keys() == {"token"}
