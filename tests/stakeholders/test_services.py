"""The stakeholder register and the people directory."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from coprod.errors import NotAllowed
from projects.models import AuditEvent
from stakeholders import services
from stakeholders.models import (
    NON_PROFESSIONAL_CAPACITIES,
    Capacity,
    Person,
    StakeholderGroup,
    is_non_professional,
)
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db


@pytest.mark.rule("SCOPE-4")
def test_group_records_how_it_is_affected(tenant_a: Tenant, in_org_a: None) -> None:
    group = services.stakeholder_group_add(
        project=tenant_a.project,
        name="Family carers",
        affected="indirectly",
        impact="mixed",
        actor=tenant_a.facilitator,
    )
    assert group.affected == StakeholderGroup.Affected.INDIRECTLY
    assert group.may_be_negatively_affected
    assert not group.is_professional
    event = AuditEvent.objects.get(action="stakeholders.group.created")
    assert event.rule == "SCOPE-4"
    assert event.data == {"affected": "indirectly", "impact": "mixed", "is_professional": False}


@pytest.mark.rule("SCOPE-4")
@pytest.mark.parametrize(("field", "value"), [("affected", "sideways"), ("impact", "great")])
def test_group_with_invalid_choice_is_refused(
    tenant_a: Tenant, in_org_a: None, field: str, value: str
) -> None:
    kwargs = {"affected": "directly", "impact": "positive", field: value}
    with pytest.raises(ValidationError) as refused:
        services.stakeholder_group_add(
            project=tenant_a.project, name="Odd", actor=tenant_a.facilitator, **kwargs
        )
    assert field in refused.value.message_dict


@pytest.mark.rule("TENANT-1")
def test_group_names_unique_per_project_only(tenant_a: Tenant, tenant_b: Tenant) -> None:
    # "Service users" exists in both tenants' projects (conftest).
    with scope(organisation=tenant_a.organisation), pytest.raises(ValidationError) as refused:
        services.stakeholder_group_add(
            project=tenant_a.project,
            name="service users ",
            affected="directly",
            impact="positive",
            actor=tenant_a.facilitator,
        )
    assert "name" in refused.value.message_dict


def test_members_cannot_change_the_register(tenant_a: Tenant, in_org_a: None) -> None:
    with pytest.raises(NotAllowed):
        services.stakeholder_group_add(
            project=tenant_a.project,
            name="Mine",
            affected="directly",
            impact="positive",
            actor=tenant_a.member,
        )


def test_capacity_decides_professional_status() -> None:
    assert is_non_professional(Capacity.CARER)
    assert not is_non_professional(Capacity.PROJECT_TEAM)
    assert len(NON_PROFESSIONAL_CAPACITIES) == 5


def test_person_added_without_contact_details_in_audit(tenant_a: Tenant, in_org_a: None) -> None:
    person = services.person_add(
        organisation=tenant_a.organisation,
        name="Ruth Okafor",
        email="Ruth@Example.org",
        access_needs="Large print",
        actor=tenant_a.facilitator,
    )
    assert person.email == "ruth@example.org"
    event = AuditEvent.objects.get(action="stakeholders.person.created")
    assert "ruth@example.org" not in str(event.data)


@pytest.mark.rule("TENANT-1")
def test_person_can_only_link_a_member_of_the_organisation(tenant_a: Tenant, tenant_b: Tenant) -> None:
    with scope(organisation=tenant_a.organisation):
        with pytest.raises(ValidationError) as refused:
            services.person_add(
                organisation=tenant_a.organisation,
                name="Stranger",
                user=tenant_b.member,
                actor=tenant_a.admin,
            )
        assert "user" in refused.value.message_dict
        person = services.person_add(
            organisation=tenant_a.organisation, name="Mo", user=tenant_a.member, actor=tenant_a.admin
        )
        with pytest.raises(ValidationError):
            services.person_add(
                organisation=tenant_a.organisation,
                name="Mo again",
                user=tenant_a.member,
                actor=tenant_a.admin,
            )
        assert Person.objects.filter(organisation=tenant_a.organisation, user=tenant_a.member).get() == person
