"""REST API of public participation: allowed and refused (TEAM-7, TEAM-9,
SCOPE-2, SCOPE-3, TENANT-1)."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled

from stakeholders import participation
from stakeholders.models import GroupInvitation, PublicInput, StakeholderGroup
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/riverside/projects/day-service/"


def web_input(tenant: Tenant) -> PublicInput:
    with scope(organisation=tenant.organisation):
        return participation.input_submit(
            project=tenant.project,
            message="Longer hours.",
            affected="directly",
            impact="positive",
            as_who="resident",
            consent=True,
            name="Sam Jones",
            contact="sam@example.org",
        )


def group_of(tenant: Tenant) -> StakeholderGroup:
    with scopes_disabled():
        return StakeholderGroup.objects.get(project=tenant.project)


RECORD = {
    "channel": "paper",
    "message": "A letter about buses.",
    "affected": "indirectly",
    "impact": "negative",
    "as_who": "carer",
    "consent": True,
}


@pytest.mark.rule("TEAM-9")
def test_inputs_read_contacts_only_for_editors(tenant_a: Tenant, api_as) -> None:
    item = web_input(tenant_a)
    assert api_as(None).get(BASE + "inputs/").status_code == 401
    for user in (tenant_a.member, tenant_a.auditor):
        response = api_as(user).get(BASE + f"inputs/{item.pk}/")
        assert response.status_code == 200
        assert response.json()["message"] == "Longer hours." and "contact" not in response.json()
        listed = api_as(user).get(BASE + "inputs/").json()
        assert all("contact" not in row for row in listed)
    mine = api_as(tenant_a.facilitator).get(BASE + f"inputs/{item.pk}/").json()
    assert mine["contact"] == "sam@example.org" and mine["name"] == "Sam Jones"


@pytest.mark.rule("TENANT-1")
def test_other_organisation_is_404(tenant_a: Tenant, tenant_b: Tenant, api_as) -> None:
    theirs = web_input(tenant_b)
    assert api_as(tenant_b.facilitator).get(BASE + "inputs/").status_code == 404
    assert api_as(tenant_a.facilitator).get(BASE + f"inputs/{theirs.pk}/").status_code == 404
    assert api_as(tenant_a.facilitator).post(BASE + f"inputs/{theirs.pk}/acknowledge/").status_code == 404


@pytest.mark.rule("TEAM-9")
def test_record_acknowledge_and_answer(tenant_a: Tenant, api_as) -> None:
    api = api_as(tenant_a.facilitator)
    created = api.post(
        BASE + "inputs/", {**RECORD, "stakeholder_group": group_of(tenant_a).pk}, format="json"
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["channel"] == "paper"
    assert api.post(BASE + f"inputs/{pk}/acknowledge/").json()["status"] == "acknowledged"
    answer = {"public_text": "Buses added.", "incorporated": "partly", "how_or_why": "Two of three routes."}
    answered = api.post(BASE + f"inputs/{pk}/response/", answer, format="json")
    assert answered.status_code == 201 and answered.json()["response"]["incorporated"] == "partly"
    assert api.post(BASE + f"inputs/{pk}/response/", answer, format="json").status_code == 409


@pytest.mark.rule("TEAM-9")
def test_bad_input_is_400(tenant_a: Tenant, api_as) -> None:
    api = api_as(tenant_a.facilitator)
    for bad in (
        {**RECORD, "channel": "web"},
        {**RECORD, "consent": False},
        {**RECORD, "contact": "nonsense"},
        {**RECORD, "message": "x" * 10_001},
        {**RECORD, "stakeholder_group": 999_999},
    ):
        response = api.post(BASE + "inputs/", bad, format="json")
        assert response.status_code == 400, bad
    item = web_input(tenant_a)
    assert (
        api.post(BASE + f"inputs/{item.pk}/response/", {"incorporated": "maybe"}, format="json").status_code
        == 400
    )


@pytest.mark.rule("TEAM-9")
def test_members_and_auditors_cannot_write(tenant_a: Tenant, api_as) -> None:
    item = web_input(tenant_a)
    for user in (tenant_a.member, tenant_a.auditor):
        api = api_as(user)
        assert api.post(BASE + "inputs/", RECORD, format="json").status_code == 403
        assert api.post(BASE + f"inputs/{item.pk}/acknowledge/").status_code == 403
        answer = {"public_text": "x", "incorporated": "yes", "how_or_why": "y"}
        assert api.post(BASE + f"inputs/{item.pk}/response/", answer, format="json").status_code == 403
        assert api.post(BASE + "scoping/finalise/").status_code == 403


@pytest.mark.rule("SCOPE-2")
def test_scoping_gaps_and_finalise(tenant_a: Tenant, api_as) -> None:
    with scopes_disabled():
        tenant_a.project.status = "scoping"
        tenant_a.project.save(update_fields=["status"])
        StakeholderGroup.objects.create(
            project=tenant_a.project, name="Carers", affected="indirectly", impact="positive"
        )
    api = api_as(tenant_a.facilitator)
    gaps = api.get(BASE + "scoping/").json()
    assert gaps["complete"] is False and gaps["gaps"][0]["rule"] == "SCOPE-2"
    refused = api.post(BASE + "scoping/finalise/")
    assert refused.status_code == 409 and refused.json()["rule"] == "SCOPE-2"
    with scopes_disabled():
        StakeholderGroup.objects.filter(name="Carers").delete()
    done = api.post(BASE + "scoping/finalise/")
    assert done.status_code == 200 and done.json()["status"] == "delivery"


@pytest.mark.rule("TEAM-7")
def test_group_invitations(tenant_a: Tenant, tenant_b: Tenant, api_as) -> None:
    api = api_as(tenant_a.facilitator)
    data = {
        "stakeholder_group": group_of(tenant_a).pk,
        "channel": "email",
        "sent_on": "2026-01-05",
        "formats_offered": ["bsl"],
    }
    created = api.post(BASE + "group-invitations/", data, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert (
        api.post(
            BASE + "group-invitations/", {**data, "formats_offered": ["morse"]}, format="json"
        ).status_code
        == 400
    )
    foreign = {**data, "stakeholder_group": group_of(tenant_b).pk}
    assert api.post(BASE + "group-invitations/", foreign, format="json").status_code == 400
    patched = api.patch(BASE + f"group-invitations/{pk}/", {"response": "declined"}, format="json")
    assert patched.status_code == 200 and patched.json()["response"] == "declined"
    assert (
        api.patch(BASE + f"group-invitations/{pk}/", {"response": "perhaps"}, format="json").status_code
        == 400
    )
    assert (
        api_as(tenant_a.auditor)
        .patch(BASE + f"group-invitations/{pk}/", {"response": "accepted"}, format="json")
        .status_code
        == 403
    )
    assert api_as(tenant_a.member).get(BASE + "group-invitations/").json()[0]["formats_offered"] == ["bsl"]
    with scopes_disabled():
        assert GroupInvitation.objects.get(pk=pk).response == "declined"
