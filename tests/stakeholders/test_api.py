"""REST API for the people directory and the stakeholder groups of a project
(SCOPE-4, TENANT-1): allowed paths with their audit records, and refusals
(anonymous 401, another organisation 404, read-only roles 403, bad input 400
with nothing written)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from projects.models import AuditEvent
from stakeholders.models import Person, StakeholderGroup
from tests.conftest import Tenant
from tests.factories import PersonFactory, ProjectFactory, StakeholderGroupFactory

pytestmark = pytest.mark.django_db

PROJECT = "day-service"


def url(name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs=kwargs)


def audit(action: str) -> list[AuditEvent]:
    with scopes_disabled():
        return list(AuditEvent.objects.filter(action=action))


def count(model: type, **filters: Any) -> int:
    with scopes_disabled():
        return model.objects.filter(**filters).count()


def reload(obj: Any) -> Any:
    with scopes_disabled():
        return type(obj).objects.get(pk=obj.pk)


def person_for(tenant: Tenant, **kwargs: Any) -> Person:
    with scopes_disabled():
        return PersonFactory(organisation=tenant.organisation, **kwargs)


def group_of(tenant: Tenant, name: str = "Service users") -> StakeholderGroup:
    with scopes_disabled():
        return StakeholderGroup.objects.get(project=tenant.project, name=name)


# --- People directory ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"), [("admin", 200), ("facilitator", 200), ("auditor", 200), ("member", 403)]
)
def test_directory_by_role(tenant_a: Tenant, tenant_b: Tenant, api_as, role: str, expected: int) -> None:
    person_for(tenant_a, name="Ada Brown")
    person_for(tenant_b, name="Bea Hill")
    response = api_as(getattr(tenant_a, role)).get(url("api-person-list", org="riverside"))
    assert response.status_code == expected
    if expected == 200:
        # TENANT-1: organisation B's directory is not here.
        assert [row["name"] for row in response.json()["results"]] == ["Ada Brown"]
    else:
        assert "detail" in response.json()


def test_directory_search(tenant_a: Tenant, api_as) -> None:
    person_for(tenant_a, name="Ada Brown", email="ada@example.org")
    person_for(tenant_a, name="Carl Dee", email="carl@brownfield.example.org")
    person_for(tenant_a, name="Eve Fox", email="eve@example.org")
    api = api_as(tenant_a.facilitator)
    rows = api.get(url("api-person-list", org="riverside"), {"search": "brown"}).json()["results"]
    assert [row["name"] for row in rows] == ["Ada Brown", "Carl Dee"]


@pytest.mark.parametrize("search", ["a\x00b", "x" * 201])
def test_directory_bad_search_is_400(tenant_a: Tenant, api_as, search: str) -> None:
    response = api_as(tenant_a.admin).get(url("api-person-list", org="riverside"), {"search": search})
    assert response.status_code == 400
    assert "search" in response.json()


@pytest.mark.parametrize("role", ["admin", "facilitator"])
def test_add_person(tenant_a: Tenant, api_as, role: str) -> None:
    response = api_as(getattr(tenant_a, role)).post(
        url("api-person-list", org="riverside"),
        {
            "name": "  Ada Brown ",
            "email": "Ada@Example.org",
            "phone": "01234 567890",
            "access_needs": "Large print, please.",
            "user": tenant_a.member.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["name"], body["email"], body["user"]) == ("Ada Brown", "ada@example.org", tenant_a.member.pk)
    with scopes_disabled():
        person = Person.objects.get(pk=body["id"])
    assert person.organisation == tenant_a.organisation
    assert person.access_needs == "Large print, please."
    [event] = audit("stakeholders.person.created")
    # Contact details stay out of the audit log.
    assert "ada@example.org" not in str(event.data)


@pytest.mark.rule("TENANT-1")
def test_person_can_only_link_a_member_of_this_organisation(
    tenant_a: Tenant, tenant_b: Tenant, api_as
) -> None:
    api = api_as(tenant_a.admin)
    path = url("api-person-list", org="riverside")
    theirs = api.post(path, {"name": "Bea", "user": tenant_b.member.pk}, format="json")
    nobody = api.post(path, {"name": "Bea", "user": 999_999}, format="json")
    assert theirs.status_code == nobody.status_code == 400
    # No hint whether the account exists in another organisation.
    assert theirs.json() == nobody.json() == {"user": ["Choose a member of this organisation."]}
    assert count(Person) == 0

    person = person_for(tenant_a)
    detail = url("api-person-detail", org="riverside", pk=person.pk)
    assert api.patch(detail, {"user": tenant_b.member.pk}, format="json").status_code == 400
    assert reload(person).user is None


def test_an_account_is_linked_to_one_person_only(tenant_a: Tenant, api_as) -> None:
    person_for(tenant_a, user=tenant_a.member)
    response = api_as(tenant_a.admin).post(
        url("api-person-list", org="riverside"), {"name": "Twin", "user": tenant_a.member.pk}, format="json"
    )
    assert response.status_code == 400
    assert "user" in response.json()
    assert count(Person) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "Ada", "email": "not-an-email"}, "email"),
        ({"name": "Ada", "phone": "1" * 41}, "phone"),
        ({"name": "Ada", "access_needs": "x" * 2001}, "access_needs"),
        ({"name": "Ada", "user": "me"}, "user"),
        ({"name": "Ada", "user": 10**30}, "user"),
        ({"name": "Ada\x00"}, "name"),
    ],
)
def test_add_person_bad_input_is_400(tenant_a: Tenant, api_as, body: dict, field: str) -> None:
    response = api_as(tenant_a.admin).post(url("api-person-list", org="riverside"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert count(Person) == 0


def test_person_detail_and_edit(tenant_a: Tenant, api_as) -> None:
    person = person_for(tenant_a, name="Ada Brown")
    detail = url("api-person-detail", org="riverside", pk=person.pk)
    assert api_as(tenant_a.auditor).get(detail).json()["name"] == "Ada Brown"
    response = api_as(tenant_a.facilitator).patch(
        detail, {"phone": "07700 900000", "user": tenant_a.auditor.pk}, format="json"
    )
    assert response.status_code == 200
    person = reload(person)
    assert (person.phone, person.user) == ("07700 900000", tenant_a.auditor)
    [event] = audit("stakeholders.person.updated")
    assert event.data == {"fields": ["phone", "user"]}


@pytest.mark.parametrize("role", ["auditor", "member"])
def test_directory_writes_refused_for_readers(tenant_a: Tenant, api_as, role: str) -> None:
    person = person_for(tenant_a, name="Ada Brown")
    api = api_as(getattr(tenant_a, role))
    assert api.post(url("api-person-list", org="riverside"), {"name": "Me"}, format="json").status_code == 403
    response = api.patch(
        url("api-person-detail", org="riverside", pk=person.pk), {"name": "Mine"}, format="json"
    )
    assert response.status_code == 403
    assert count(Person) == 1
    assert reload(person).name == "Ada Brown"


def test_members_do_not_see_contact_details(tenant_a: Tenant, api_as) -> None:
    person = person_for(tenant_a)
    response = api_as(tenant_a.member).get(url("api-person-detail", org="riverside", pk=person.pk))
    assert response.status_code == 403
    assert person.email not in response.content.decode()


@pytest.mark.rule("TENANT-1")
def test_person_of_another_organisation_is_404(tenant_a: Tenant, tenant_b: Tenant, api_as) -> None:
    theirs = person_for(tenant_b, name="Bea Hill")
    api = api_as(tenant_a.admin)
    detail = url("api-person-detail", org="riverside", pk=theirs.pk)
    assert api.get(detail).status_code == 404
    assert api.patch(detail, {"name": "Taken"}, format="json").status_code == 404
    assert reload(theirs).name == "Bea Hill"
    # And from the outside: tenant B's admin cannot reach A's directory.
    ours = person_for(tenant_a)
    assert (
        api_as(tenant_b.admin).get(url("api-person-detail", org="riverside", pk=ours.pk)).status_code == 404
    )
    assert api_as(None).get(url("api-person-detail", org="riverside", pk=ours.pk)).status_code == 401


# --- Stakeholder groups (SCOPE-4) --------------------------------------------------------


def _group(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Carers",
        "description": "Family members who care for service users.",
        "affected": "indirectly",
        "impact": "mixed",
        "is_professional": False,
        **overrides,
    }


def test_groups_visible_to_every_member(tenant_a: Tenant, api_as) -> None:
    for role in ("admin", "facilitator", "auditor", "member"):
        response = api_as(getattr(tenant_a, role)).get(
            url("api-stakeholder-group-list", org="riverside", project=PROJECT)
        )
        assert response.status_code == 200
        assert [row["name"] for row in response.json()["results"]] == ["Service users"]


@pytest.mark.rule("SCOPE-4")
def test_add_group_records_how_it_is_affected(tenant_a: Tenant, api_as) -> None:
    response = api_as(tenant_a.facilitator).post(
        url("api-stakeholder-group-list", org="riverside", project=PROJECT), _group(), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["affected"], body["impact"], body["is_professional"]) == ("indirectly", "mixed", False)
    assert body["may_be_negatively_affected"] is True
    group = group_of(tenant_a, "Carers")
    assert (group.affected, group.impact) == ("indirectly", "mixed")
    [event] = audit("stakeholders.group.created")
    assert event.rule == "SCOPE-4"
    assert event.data == {"affected": "indirectly", "impact": "mixed", "is_professional": False}


@pytest.mark.rule("SCOPE-4")
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"affected": None}, "affected"),
        ({"affected": "sideways"}, "affected"),
        ({"impact": "unknown"}, "impact"),
        ({"impact": ""}, "impact"),
        ({"is_professional": "perhaps"}, "is_professional"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"description": "x" * 5001}, "description"),
        ({"name": "service USERS"}, "name"),  # already in this project, whatever the case
    ],
)
def test_add_group_bad_input_is_400(tenant_a: Tenant, api_as, overrides: dict, field: str) -> None:
    body = {k: v for k, v in _group(**overrides).items() if v is not None}
    response = api_as(tenant_a.admin).post(
        url("api-stakeholder-group-list", org="riverside", project=PROJECT), body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert count(StakeholderGroup, project=tenant_a.project) == 1
    assert audit("stakeholders.group.created") == []


@pytest.mark.rule("TENANT-1")
def test_same_group_names_in_both_organisations(tenant_a: Tenant, tenant_b: Tenant, api_as) -> None:
    # Both tenants already have a "Service users" group in a project with the same slug.
    for tenant in (tenant_a, tenant_b):
        response = api_as(tenant.admin).post(
            url("api-stakeholder-group-list", org=tenant.organisation.slug, project=PROJECT),
            _group(),
            format="json",
        )
        assert response.status_code == 201
    assert count(StakeholderGroup, name="Carers") == 2
    # And the same name in another project of the same organisation.
    with scopes_disabled():
        ProjectFactory(organisation=tenant_a.organisation, slug="respite")
    response = api_as(tenant_a.admin).post(
        url("api-stakeholder-group-list", org="riverside", project="respite"), _group(), format="json"
    )
    assert response.status_code == 201


@pytest.mark.rule("SCOPE-4")
def test_edit_and_remove_a_group(tenant_a: Tenant, api_as) -> None:
    group = group_of(tenant_a)
    detail = url("api-stakeholder-group-detail", org="riverside", project=PROJECT, pk=group.pk)
    api = api_as(tenant_a.facilitator)
    assert api_as(tenant_a.member).get(detail).json()["name"] == "Service users"

    response = api.patch(detail, {"affected": "indirectly", "is_professional": True}, format="json")
    assert response.status_code == 200
    group = reload(group)
    assert (group.affected, group.is_professional) == ("indirectly", True)
    [event] = audit("stakeholders.group.updated")
    assert event.data == {"affected": ["directly", "indirectly"], "is_professional": [False, True]}

    assert api.patch(detail, {"impact": "catastrophic"}, format="json").status_code == 400
    assert reload(group).impact == "positive"

    assert api.delete(detail).status_code == 204
    assert count(StakeholderGroup, project=tenant_a.project) == 0
    assert len(audit("stakeholders.group.removed")) == 1


def test_renaming_a_group_to_a_taken_name_is_400(tenant_a: Tenant, api_as) -> None:
    with scopes_disabled():
        carers = StakeholderGroupFactory(project=tenant_a.project, name="Carers")
    response = api_as(tenant_a.admin).patch(
        url("api-stakeholder-group-detail", org="riverside", project=PROJECT, pk=carers.pk),
        {"name": "Service Users"},
        format="json",
    )
    assert response.status_code == 400
    assert "name" in response.json()
    assert reload(carers).name == "Carers"


@pytest.mark.parametrize("role", ["auditor", "member"])
def test_group_writes_refused_for_readers(tenant_a: Tenant, api_as, role: str) -> None:
    group = group_of(tenant_a)
    api = api_as(getattr(tenant_a, role))
    list_path = url("api-stakeholder-group-list", org="riverside", project=PROJECT)
    detail = url("api-stakeholder-group-detail", org="riverside", project=PROJECT, pk=group.pk)
    assert api.post(list_path, _group(), format="json").status_code == 403
    assert api.patch(detail, {"name": "Mine"}, format="json").status_code == 403
    assert api.delete(detail).status_code == 403
    assert count(StakeholderGroup, project=tenant_a.project) == 1
    assert reload(group).name == "Service users"


@pytest.mark.rule("TENANT-1")
def test_group_of_another_organisation_is_404(tenant_a: Tenant, tenant_b: Tenant, api_as) -> None:
    theirs = group_of(tenant_b)
    api = api_as(tenant_a.admin)
    # Same project slug and group name in both organisations: only the id differs.
    detail = url("api-stakeholder-group-detail", org="riverside", project=PROJECT, pk=theirs.pk)
    assert api.get(detail).status_code == 404
    assert api.patch(detail, {"name": "Taken"}, format="json").status_code == 404
    assert api.delete(detail).status_code == 404
    assert reload(theirs).name == "Service users"
    ours = group_of(tenant_a)
    outsider = api_as(tenant_b.admin)
    ours_detail = url("api-stakeholder-group-detail", org="riverside", project=PROJECT, pk=ours.pk)
    assert outsider.get(ours_detail).status_code == 404
    assert outsider.delete(ours_detail).status_code == 404
    assert api_as(None).get(ours_detail).status_code == 401
    assert count(StakeholderGroup) == 2


def test_group_of_another_project_is_404(tenant_a: Tenant, api_as) -> None:
    with scopes_disabled():
        sibling = StakeholderGroupFactory(project=ProjectFactory(organisation=tenant_a.organisation))
    response = api_as(tenant_a.admin).get(
        url("api-stakeholder-group-detail", org="riverside", project=PROJECT, pk=sibling.pk)
    )
    assert response.status_code == 404
