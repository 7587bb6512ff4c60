"""Auditors read everything and change nothing (issue 9).

The auditor role (`OrganisationMember.role == "auditor"`) is organisation-wide
and read-only. These tests walk every URL pattern of the project from the
resolver (`tests.urlwalk`, the walker of the tenancy tests), so a new endpoint
is covered the moment it exists:

- every write (a UI POST with the body the page's own form would send; an API
  POST, PUT, PATCH and DELETE with a body built from the OpenAPI description
  that names real objects) answers the auditor 403 (the 403 page; a JSON body
  with `detail` from the API) or 405, and changes nothing in the database
  except refusals the audit log records about the auditor;
- every staff page and API read answers the auditor 200;
- no page or API answer shows the auditor the contact details that members
  of the public leave with their input, which the project's facilitators see.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpResponse
from django.test import Client
from django_scopes import scope, scopes_disabled
from pypdf import PdfReader
from rest_framework.test import APIClient

from projects.models import AuditEvent, Organisation, OrganisationMember
from stakeholders import participation
from stakeholders.models import PublicInput
from tests.conftest import Tenant
from tests.urlwalk import (
    GENERIC_FORM_BODY,
    PUBLIC_NAMES,
    PUBLIC_NAMESPACES,
    Route,
    all_routes,
    build_objects,
    changed,
    documents,
    fill,
    harvest_forms,
    plausible_api_body,
    snapshot,
)

# Out of scope besides the public routes (PUBLIC_NAMES and PUBLIC_NAMESPACES
# in tests/urlwalk.py: login, logout, password reset, invitation acceptance,
# the API token, schema and docs, and the anonymous pages and forms such as
# the public input and proposal forms). Each is the auditor's own account,
# not the organisation's data; the last test below checks the two
# notification routes change nothing else.
OWN_ACCOUNT: dict[str, str] = {
    "password_change": "the auditor's own password",
    "projects:notification_settings": "the auditor's own choice of flag emails (their membership's preference)",
    "api-notifications": "the auditor's own choice of flag emails (their membership's preference)",
}

API_WRITE_METHODS = ("post", "put", "patch", "delete")

# A GET of a page that is nothing but the form of a write (recognised by the
# verb its URL name ends with) is refused like the write itself: 403. A new
# form page named otherwise fails the read walk until its verb is added here.
WRITE_FORM_SUFFIXES = ("_create", "_edit", "_delete", "_add", "_end", "_held", "_cancel", "_record", "_route")

# Reads the walk must reach with 200, so a walk that found nothing, or an
# auditor refused the pages the role exists for, fails.
MUST_READ = {
    "projects:project_detail",
    "projects:audit_log",
    "projects:flag_list",
    "projects:project_flags",
    "projects:member_list",
    "projects:proposal_list",
    "boards:ledger",
    "boards:ledger_entry",
    "participation:input_list",
    "participation:input_detail",
    "api-audit-event-list",
    "api-ledger-list",
    "api-flag-list",
    "api-project-detail",
    "api-input-list",
    "api-input-detail",
}


def staff_routes() -> list[Route]:
    """Every route the auditor walks: all but the public ones and their own account."""
    return [
        route
        for route in all_routes()
        if route.route and not route.is_public and route.qualified_name not in OWN_ACCOUNT
    ]


def logged_in(user: AbstractBaseUser) -> tuple[Client, APIClient]:
    """UI and API clients for `user`. A server error is an answer like any
    other here, so one broken page is reported with the rest of the walk."""
    ui = Client(raise_request_exception=False)
    ui.force_login(user)
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(user)
    return ui, api


def refusal_problem(route: Route, response: HttpResponse) -> str | None:
    """What is wrong with the answer to an auditor's write, or None for a
    proper refusal: 405, or 403 with the 403 page / a JSON `detail`."""
    status = response.status_code
    if status == 405:
        return None
    if status != 403:
        return f"answered {status}: {response.content[:300]!r}"
    if route.is_api:
        if not response["Content-Type"].startswith("application/json") or "detail" not in response.json():
            return f"403 without a JSON body naming the reason: {response.content[:200]!r}"
        return None
    templates = {template.name for template in response.templates}
    if "403.html" not in templates:
        return f"403 without the 403 page (rendered {sorted(templates)})"
    return None


AUDIT_COLUMNS = ("pk", "organisation_id", "project_id", "actor_id", "action", "rule", "data", "object_id")


def audit_rows() -> dict[int, dict[str, Any]]:
    with scopes_disabled():
        return {row["pk"]: row for row in AuditEvent.objects.values(*AUDIT_COLUMNS)}


def audit_problems(
    before: dict[int, dict[str, Any]],
    after: dict[int, dict[str, Any]],
    auditor: AbstractBaseUser,
    organisation: Organisation,
) -> list[str]:
    """What is allowed in the audit log: new rows only, each a refusal
    (`refused.…`) of the auditor in their organisation. Nothing edited or
    removed."""
    problems = [
        f"audit event {pk} was edited or removed" for pk, row in before.items() if after.get(pk) != row
    ]
    for pk in sorted(after.keys() - before.keys()):
        row = after[pk]
        if not (
            row["action"].startswith("refused.")
            and row["actor_id"] == auditor.pk
            and row["organisation_id"] == organisation.pk
        ):
            problems.append(f"audit event {pk} is not a refusal of the auditor: {row}")
    return problems


def test_exclusions_name_real_routes() -> None:
    """The out-of-scope list must not outlive the routes it excuses."""
    names = {route.qualified_name for route in all_routes()}
    assert set(OWN_ACCOUNT) <= names, sorted(set(OWN_ACCOUNT) - names)
    assert names >= MUST_READ, sorted(MUST_READ - names)
    assert {"public_project:input_form", "public:proposal_form"} <= {
        route.qualified_name for route in all_routes() if route.is_public
    }, (PUBLIC_NAMES, PUBLIC_NAMESPACES)


@pytest.mark.django_db
def test_auditor_writes_nothing_anywhere(tenant_a: Tenant) -> None:
    objects = build_objects(tenant_a)
    auditor = tenant_a.auditor
    admin_ui, admin_api = logged_in(tenant_a.admin)
    forms = harvest_forms(admin_ui, tenant_a, objects, staff_routes())
    ui, api = logged_in(auditor)

    audit_label = AuditEvent._meta.label
    before = snapshot(exclude={audit_label})
    events = audit_rows()
    failures: list[str] = []
    writes = ui_with_form = 0
    for route in staff_routes():
        path = fill(route, tenant_a, objects)
        if route.is_api:
            current_data = None
            if documents(route, "put") or documents(route, "patch"):
                # An update sends the object back as its reader sees it.
                current = admin_api.get(path)
                if current.status_code == 200:
                    current_data = current.json()
            for method in API_WRITE_METHODS:
                body = plausible_api_body(route, method, objects, current_data)
                response = getattr(api, method)(path, body, format="json")
                writes += 1
                if problem := refusal_problem(route, response):
                    failures.append(
                        f"{method.upper()} {path} ({route.qualified_name}) {problem}; body {body}"
                    )
        else:
            form = forms.get(path)
            ui_with_form += form is not None
            body = form.body() if form is not None else GENERIC_FORM_BODY
            response = ui.post(path, body)
            writes += 1
            if problem := refusal_problem(route, response):
                failures.append(f"POST {path} ({route.qualified_name}) {problem}")
        after = snapshot(exclude={audit_label})
        if tables := changed(before, after):
            failures.append(f"{route.qualified_name} ({path}) changed {tables}")
            before = after
        events_after = audit_rows()
        failures.extend(
            f"{route.qualified_name}: {p}"
            for p in audit_problems(events, events_after, auditor, tenant_a.organisation)
        )
        events = events_after

    # Guards the walk itself: it wrote everywhere, with the page's own form wherever one renders it.
    assert writes > 200
    assert ui_with_form >= 30
    assert not failures, "The auditor was not refused:\n" + "\n".join(failures)


@pytest.mark.django_db
def test_auditor_reads_every_staff_page(tenant_a: Tenant) -> None:
    objects = build_objects(tenant_a)
    ui, api = logged_in(tenant_a.auditor)
    failures: list[str] = []
    read: set[str] = set()
    for route in staff_routes():
        path = fill(route, tenant_a, objects)
        response = (api if route.is_api else ui).get(path)
        status = response.status_code
        if status == 302 and not route.is_api:
            # htmx fragments send a person who opens them directly to the full page.
            target = response["Location"]
            status = ui.get(target).status_code
            path = f"{path} → {target}"
        if status == 200:
            read.add(route.qualified_name)
        elif status == 405:
            pass  # an action: POST only
        elif status == 403 and not route.is_api and route.name.endswith(WRITE_FORM_SUFFIXES):
            pass  # the form of a write the auditor cannot make
        else:
            failures.append(f"GET {path} ({route.qualified_name}) -> {status}")
    assert not failures, "The auditor could not read:\n" + "\n".join(failures)
    assert read >= MUST_READ, sorted(MUST_READ - read)


@pytest.mark.django_db
def test_auditor_may_set_only_their_own_flag_emails(tenant_a: Tenant) -> None:
    """The out-of-scope notification routes: the auditor's own membership
    row changes (and the log records it), nothing else."""
    ui, api = logged_in(tenant_a.auditor)
    audit_label = AuditEvent._meta.label
    member_label = OrganisationMember._meta.label
    with scopes_disabled():
        others = list(
            OrganisationMember.objects.exclude(user=tenant_a.auditor).values_list(
                "pk", "role", "notifications"
            )
        )
    before = snapshot(exclude={audit_label, member_label})
    org = tenant_a.organisation.slug
    assert ui.post(f"/o/{org}/notifications/", {"notifications": "digest"}).status_code == 302
    response = api.put(f"/api/v1/orgs/{org}/notifications/", {"notifications": "none"}, format="json")
    assert response.status_code == 200, response.content
    assert changed(before, snapshot(exclude={audit_label, member_label})) == []
    with scopes_disabled():
        mine = OrganisationMember.objects.get(organisation=tenant_a.organisation, user=tenant_a.auditor)
        assert (mine.role, mine.notifications) == ("auditor", "none")
        assert (
            list(
                OrganisationMember.objects.exclude(user=tenant_a.auditor).values_list(
                    "pk", "role", "notifications"
                )
            )
            == others
        )


# --- Contact details of the public ------------------------------------------------------

PLANTED_NAME = "Zebedee Quillfeather"
PLANTED_EMAIL = "zebedee.quillfeather@example.org"
PLANTED_PHONE = "01632 960472"
PLANTED = (PLANTED_NAME, PLANTED_EMAIL, PLANTED_PHONE)


def plant_contacts(tenant: Tenant) -> tuple[PublicInput, PublicInput]:
    """Two inputs with contact details: one given through the public form (the
    service it calls), one recorded by a facilitator from a phone call."""
    with scope(organisation=tenant.organisation):
        fields = {
            "message": "The ramp at the back door is too steep.",
            "affected": "directly",
            "impact": "negative",
            "as_who": "service_user",
            "consent": True,
        }
        by_web = participation.input_submit(
            project=tenant.project, name=PLANTED_NAME, contact=PLANTED_EMAIL, **fields
        )
        by_phone = participation.input_record(
            project=tenant.project,
            channel="phone",
            actor=tenant.facilitator,
            name=PLANTED_NAME,
            contact=PLANTED_PHONE,
            **fields,
        )
    return by_web, by_phone


def readable_text(content: bytes, content_type: str) -> str:
    """What a person reads in an answer: the text of a PDF and of every file
    in a ZIP bundle too, where a byte search would miss compressed text."""
    if content_type.startswith("application/pdf") or content.startswith(b"%PDF"):
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    if content_type.startswith("application/zip") or content.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(content)) as bundle:
            return "\n".join(readable_text(bundle.read(name), "") for name in bundle.namelist())
    return content.decode(errors="replace")


def answer_text(response: HttpResponse) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return readable_text(content, response.get("Content-Type", ""))


def input_paths(tenant: Tenant, item: PublicInput) -> tuple[str, str]:
    org, project = tenant.organisation.slug, tenant.project.slug
    return (
        f"/o/{org}/projects/{project}/inputs/{item.pk}/",
        f"/api/v1/orgs/{org}/projects/{project}/inputs/{item.pk}/",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["auditor", "member"])
def test_contacts_of_the_public_are_hidden_from_readers(tenant_a: Tenant, role: str) -> None:
    objects = build_objects(tenant_a)
    by_web, by_phone = plant_contacts(tenant_a)
    objects.ids[PublicInput] = by_web.pk
    reader = getattr(tenant_a, role)
    ui, api = logged_in(reader)
    leaks: list[str] = []
    seen = 0
    paths = [(fill(route, tenant_a, objects), route.is_api) for route in staff_routes()]
    for item in (by_web, by_phone):
        page, endpoint = input_paths(tenant_a, item)
        paths += [
            (page, False),
            (endpoint, True),
            (endpoint.replace(f"{item.pk}/", "") + "?status=new", True),
        ]
    documents_read = 0
    for path, is_api in paths:
        response = (api if is_api else ui).get(path)
        content = answer_text(response)
        seen += response.status_code == 200
        if response.get("Content-Type", "").startswith(("application/pdf", "application/zip")):
            # Proves the PDF and ZIP text is really read, so the search below can fail.
            documents_read += tenant_a.project.title in content
        leaks.extend(f"{path} shows {value!r}" for value in PLANTED if value in content)
    assert not leaks, f"The {role} sees contact details of the public:\n" + "\n".join(leaks)
    assert seen > 50  # the walk read pages, it was not refused everywhere
    if role == "auditor":
        assert documents_read, "no PDF or ZIP answer was read as text"
    # The reader does read the inputs themselves, only not the contact details.
    page, endpoint = input_paths(tenant_a, by_web)
    assert "The ramp at the back door" in ui.get(page).content.decode()
    assert api.get(endpoint).json()["message"].startswith("The ramp at the back door")


@pytest.mark.django_db
def test_facilitator_sees_contacts_of_the_public(tenant_a: Tenant) -> None:
    """The other side of the test above, and proof its planted values show."""
    by_web, by_phone = plant_contacts(tenant_a)
    ui, api = logged_in(tenant_a.facilitator)
    for item, contact in ((by_web, PLANTED_EMAIL), (by_phone, PLANTED_PHONE)):
        page, endpoint = input_paths(tenant_a, item)
        html = ui.get(page).content.decode()
        assert PLANTED_NAME in html and contact in html
        data = api.get(endpoint).json()
        assert (data["name"], data["contact"]) == (PLANTED_NAME, contact)
