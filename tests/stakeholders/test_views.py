"""Browser pages of the stakeholder register (SCOPE-3, SCOPE-4) and the
people directory: who may see what, success and error paths, htmx search,
and query counts that do not grow with the rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from projects.models import AuditEvent
from stakeholders.models import Person, StakeholderGroup
from tests.factories import PersonFactory, StakeholderGroupFactory

LONG = "x" * 10_000
HTMX = {"HTTP_HX_REQUEST": "true"}


def groups_url(tenant, name: str = "group_list", **kwargs) -> str:
    return reverse(
        f"stakeholders:{name}",
        kwargs={"org": tenant.organisation.slug, "project": tenant.project.slug, **kwargs},
    )


def people_url(tenant, name: str = "person_list", **kwargs) -> str:
    return reverse(f"stakeholders:{name}", kwargs={"org": tenant.organisation.slug, **kwargs})


def audited(organisation, action: str) -> int:
    with scopes_disabled():
        return AuditEvent.objects.filter(organisation=organisation, action=action).count()


def html_of(response) -> str:
    return response.content.decode()


def group_data(**overrides) -> dict:
    return {
        "name": "Carers",
        "description": "Family and friends who care.",
        "affected": "indirectly",
        "impact": "mixed",
        **overrides,
    }


# --- Access ----------------------------------------------------------------------------------


@pytest.mark.rule("TENANT-1")
def test_anonymous_and_outsiders(client, client_as, tenant_a, outsider) -> None:
    for url in (groups_url(tenant_a), groups_url(tenant_a, "group_create"), people_url(tenant_a)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client = client_as(outsider)
    for url in (groups_url(tenant_a), groups_url(tenant_a, "group_create"), people_url(tenant_a)):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("role", "register", "create", "people", "person_create"),
    [
        ("admin", 200, 200, 200, 200),
        ("facilitator", 200, 200, 200, 200),
        ("auditor", 200, 403, 200, 403),
        ("member", 200, 403, 403, 403),
    ],
)
def test_permissions_per_role(client_as, tenant_a, role, register, create, people, person_create) -> None:
    client = client_as(getattr(tenant_a, role))
    assert client.get(groups_url(tenant_a)).status_code == register
    assert client.get(groups_url(tenant_a, "group_create")).status_code == create
    assert client.get(people_url(tenant_a)).status_code == people
    assert client.get(people_url(tenant_a, "person_create")).status_code == person_create


def test_register_is_read_only_for_members_and_auditors(client_as, tenant_a) -> None:
    with scopes_disabled():
        group = StakeholderGroup.objects.get(project=tenant_a.project)
    for user in (tenant_a.member, tenant_a.auditor):
        client = client_as(user)
        html = html_of(client.get(groups_url(tenant_a)))
        assert "Service users" in html
        assert groups_url(tenant_a, "group_create") not in html
        assert groups_url(tenant_a, "group_edit", pk=group.pk) not in html
        assert client.post(groups_url(tenant_a, "group_create"), group_data()).status_code == 403
        assert client.post(groups_url(tenant_a, "group_delete", pk=group.pk)).status_code == 403
    with scopes_disabled():
        assert StakeholderGroup.objects.filter(project=tenant_a.project).count() == 1


@pytest.mark.rule("TENANT-1")
def test_group_of_another_organisation_is_404(client_as, tenant_a, tenant_b) -> None:
    with scopes_disabled():
        theirs = StakeholderGroup.objects.get(project=tenant_b.project)
    client = client_as(tenant_a.facilitator)
    for name in ("group_edit", "group_delete"):
        url = groups_url(tenant_a, name, pk=theirs.pk)
        assert client.get(url).status_code == 404
        assert client.post(url, group_data()).status_code == 404
    with scopes_disabled():
        assert StakeholderGroup.objects.get(pk=theirs.pk).name == "Service users"


# --- The register (SCOPE-4) -------------------------------------------------------------------


@pytest.mark.rule("SCOPE-4")
def test_register_hints_until_indirect_and_non_professional_groups_exist(client_as, tenant_a) -> None:
    client = client_as(tenant_a.facilitator)
    with scopes_disabled():
        StakeholderGroup.objects.filter(project=tenant_a.project).update(is_professional=True)
    html = html_of(client.get(groups_url(tenant_a)))
    assert "SCOPE-4" in html
    assert "No indirectly affected group yet" in html and "No non-professional group yet" in html
    with scopes_disabled():
        StakeholderGroupFactory(
            project=tenant_a.project, name="Carers", affected="indirectly", is_professional=False
        )
    html = html_of(client.get(groups_url(tenant_a)))
    assert "SCOPE-4" not in html
    assert "Indirectly" in html and "Non-professionals" in html and "Professionals" in html


@pytest.mark.rule("SCOPE-4")
def test_register_shows_how_groups_are_affected(client_as, tenant_a) -> None:
    with scopes_disabled():
        StakeholderGroupFactory(project=tenant_a.project, name="Neighbours", impact="negative")
    html = html_of(client_as(tenant_a.member).get(groups_url(tenant_a)))
    assert "Neighbours" in html and "Negatively" in html and "Positively" in html and "Directly" in html


@pytest.mark.rule("SCOPE-4")
def test_add_group(client_as, tenant_a) -> None:
    client = client_as(tenant_a.facilitator)
    response = client.post(groups_url(tenant_a, "group_create"), group_data())
    assert response.status_code == 302 and response["Location"] == groups_url(tenant_a)
    with scopes_disabled():
        group = StakeholderGroup.objects.get(project=tenant_a.project, name="Carers")
    assert group.affected == "indirectly" and group.impact == "mixed" and group.is_professional is False
    assert audited(tenant_a.organisation, "stakeholders.group.created") == 1
    assert "Stakeholder group “Carers” added." in html_of(client.get(response["Location"]))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (group_data(name=""), "Enter a name for the group."),
        (group_data(name=LONG), "at most 200 characters"),
        (group_data(affected=""), "Say whether this group is affected directly or indirectly."),
        (group_data(impact="catastrophic"), "Select a valid choice"),
        (group_data(name="Service users"), "already has a stakeholder group with this name"),
        (group_data(name="  service USERS "), "already has a stakeholder group with this name"),
    ],
)
def test_add_group_error_paths(client_as, tenant_a, data, message) -> None:
    response = client_as(tenant_a.facilitator).post(groups_url(tenant_a, "group_create"), data)
    assert response.status_code == 400
    html = html_of(response)
    assert message in html and "There is a problem" in html
    assert "Family and friends who care." in html  # what was typed is kept
    with scopes_disabled():
        assert StakeholderGroup.objects.filter(project=tenant_a.project).count() == 1
    assert audited(tenant_a.organisation, "stakeholders.group.created") == 0


@pytest.mark.rule("TENANT-1")
def test_same_group_name_in_another_organisations_project_is_fine(client_as, tenant_a, tenant_b) -> None:
    # Both organisations already have a project "day-service" with a group "Service users".
    response = client_as(tenant_b.facilitator).post(groups_url(tenant_b, "group_create"), group_data())
    assert response.status_code == 302
    response = client_as(tenant_a.facilitator).post(groups_url(tenant_a, "group_create"), group_data())
    assert response.status_code == 302
    with scopes_disabled():
        assert StakeholderGroup.objects.filter(name="Carers").count() == 2


def test_edit_and_delete_group(client_as, tenant_a) -> None:
    with scopes_disabled():
        group = StakeholderGroupFactory(project=tenant_a.project, name="Drivers")
    client = client_as(tenant_a.facilitator)
    edit = groups_url(tenant_a, "group_edit", pk=group.pk)
    assert 'value="Drivers"' in html_of(client.get(edit))
    clash = client.post(edit, group_data(name="Service users"))
    assert clash.status_code == 400 and "already has a stakeholder group with this name" in html_of(clash)
    with scopes_disabled():
        assert StakeholderGroup.objects.get(pk=group.pk).name == "Drivers"
    response = client.post(edit, group_data(name="Bus drivers", is_professional="on", affected="directly"))
    assert response.status_code == 302
    with scopes_disabled():
        group.refresh_from_db()
    assert group.name == "Bus drivers" and group.is_professional is True
    assert audited(tenant_a.organisation, "stakeholders.group.updated") == 1
    delete = groups_url(tenant_a, "group_delete", pk=group.pk)
    assert "Remove the stakeholder group" in html_of(client.get(delete))
    assert client.post(delete).status_code == 302
    with scopes_disabled():
        assert not StakeholderGroup.objects.filter(pk=group.pk).exists()
    assert audited(tenant_a.organisation, "stakeholders.group.removed") == 1


def test_register_queries_do_not_grow_with_rows(client_as, tenant_a) -> None:
    client = client_as(tenant_a.member)
    url = groups_url(tenant_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    with scopes_disabled():
        for n in range(2):
            StakeholderGroupFactory(project=tenant_a.project, name=f"Group a{n}")
    few = count()  # 3 groups
    with scopes_disabled():
        for n in range(27):
            StakeholderGroupFactory(project=tenant_a.project, name=f"Group b{n}", affected="indirectly")
    assert count() == few  # 30 groups
    assert html_of(client.get(url)).count("<tr>") == 31


# --- People directory -----------------------------------------------------------------------------


def test_directory_search(client_as, tenant_a, tenant_b) -> None:
    with scopes_disabled():
        PersonFactory(organisation=tenant_a.organisation, name="Ada Carer", email="ada@example.org")
        PersonFactory(organisation=tenant_a.organisation, name="Bob Resident", email="bob@example.org")
        PersonFactory(organisation=tenant_b.organisation, name="Ada Elsewhere", email="ada2@example.org")
    client = client_as(tenant_a.auditor)
    html = html_of(client.get(people_url(tenant_a)))
    assert "Ada Carer" in html and "Bob Resident" in html and "Ada Elsewhere" not in html
    assert people_url(tenant_a, "person_create") not in html  # auditors change nothing
    found = html_of(client.get(people_url(tenant_a), {"q": "ada"}))
    assert "Ada Carer" in found and "Bob Resident" not in found and "Ada Elsewhere" not in found
    assert 'value="ada"' in found and "1 person matches “ada”." in found


def test_directory_search_with_htmx_returns_results_only(client_as, tenant_a) -> None:
    with scopes_disabled():
        PersonFactory(organisation=tenant_a.organisation, name="Ada Carer")
        PersonFactory(organisation=tenant_a.organisation, name="Bob Resident")
    response = client_as(tenant_a.facilitator).get(people_url(tenant_a), {"q": "bob"}, **HTMX)
    assert response.status_code == 200
    html = html_of(response)
    assert "<html" not in html and 'id="people-results"' in html
    assert "Bob Resident" in html and "Ada Carer" not in html
    assert 'id="results-count" hx-swap-oob="innerHTML"' in html


def test_directory_search_too_long_is_400(client_as, tenant_a) -> None:
    response = client_as(tenant_a.facilitator).get(people_url(tenant_a), {"q": "a" * 101})
    assert response.status_code == 400
    assert "at most 100 characters" in html_of(response)


def test_directory_is_paginated(client_as, tenant_a) -> None:
    with scopes_disabled():
        for n in range(55):
            PersonFactory(organisation=tenant_a.organisation, name=f"Person {n:02d}")
    client = client_as(tenant_a.facilitator)
    first = html_of(client.get(people_url(tenant_a), {"q": "person"}))
    assert "Page 1 of 2" in first and "q=person&amp;page=2" in first
    second = html_of(client.get(people_url(tenant_a), {"q": "person", "page": 2}))
    assert "Person 54" in second and "Person 00" not in second


def test_add_person(client_as, tenant_a) -> None:
    client = client_as(tenant_a.facilitator)
    response = client.post(
        people_url(tenant_a, "person_create"),
        {
            "name": "Ada Carer",
            "email": "ADA@Example.org",
            "phone": "01632 960000",
            "user": tenant_a.member.pk,
            "access_needs": "Large print",
        },
    )
    assert response.status_code == 302 and response["Location"] == people_url(tenant_a)
    with scopes_disabled():
        person = Person.objects.get(organisation=tenant_a.organisation)
    assert person.email == "ada@example.org" and person.user == tenant_a.member
    assert audited(tenant_a.organisation, "stakeholders.person.created") == 1


@pytest.mark.rule("TENANT-1")
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "Enter the person’s name."),
        ({"name": LONG}, "at most 200 characters"),
        ({"email": "not-an-email"}, "Enter an email address like name@example.org."),
        ({"user": "outsider"}, "Select a valid choice"),
    ],
)
def test_add_person_error_paths(client_as, tenant_a, outsider, overrides, message) -> None:
    data = {
        "name": "Ada Carer",
        "email": "",
        "phone": "",
        "access_needs": "Typed needs",
        "user": "",
        **overrides,
    }
    if data["user"] == "outsider":
        data["user"] = outsider.pk  # an account of another organisation
    response = client_as(tenant_a.facilitator).post(people_url(tenant_a, "person_create"), data)
    assert response.status_code == 400
    html = html_of(response)
    assert message in html and "Typed needs" in html
    with scopes_disabled():
        assert not Person.objects.exists()


def test_linking_an_account_twice_is_refused(client_as, tenant_a) -> None:
    with scopes_disabled():
        PersonFactory(organisation=tenant_a.organisation, name="Already", user=tenant_a.member)
    response = client_as(tenant_a.facilitator).post(
        people_url(tenant_a, "person_create"), {"name": "Twice", "user": tenant_a.member.pk}
    )
    assert response.status_code == 400
    assert "already linked" in html_of(response) and 'value="Twice"' in html_of(response)


def test_edit_person(client_as, tenant_a, tenant_b) -> None:
    with scopes_disabled():
        person = PersonFactory(organisation=tenant_a.organisation, name="Ada Carer")
        theirs = PersonFactory(organisation=tenant_b.organisation, name="Not yours")
    client = client_as(tenant_a.facilitator)
    url = people_url(tenant_a, "person_edit", pk=person.pk)
    assert 'value="Ada Carer"' in html_of(client.get(url))
    bad = client.post(url, {"name": "", "email": "ada@example.org"})
    assert bad.status_code == 400
    with scopes_disabled():
        assert Person.objects.get(pk=person.pk).name == "Ada Carer"
    response = client.post(
        url, {"name": "Ada Lovelace", "email": "ada@example.org", "access_needs": "Quiet room"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        person.refresh_from_db()
    assert person.name == "Ada Lovelace" and person.access_needs == "Quiet room"
    assert audited(tenant_a.organisation, "stakeholders.person.updated") == 1
    assert client.get(people_url(tenant_a, "person_edit", pk=theirs.pk)).status_code == 404
    assert client_as(tenant_a.auditor).get(url).status_code == 403
