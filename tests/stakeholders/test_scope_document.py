"""The scope document (SCOPE-2): each part of the scope with the scoping
inputs that shaped it and the project's answers, on the staff page, in the
API and on the public page."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from projects.models import BudgetLine, Milestone
from stakeholders import participation
from stakeholders.models import InputResponse, PublicInput
from stakeholders.scope_document import scope_document
from stakeholders.signals_public import connect_public_page_signals
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db


def url(name: str, tenant: Tenant, **kwargs) -> str:
    return reverse(
        f"participation:{name}", kwargs={"org": tenant.organisation.slug, "project": "day-service", **kwargs}
    )


def scoping_input(tenant: Tenant, message: str) -> PublicInput:
    with scope(organisation=tenant.organisation):
        item = participation.input_submit(
            project=tenant.project,
            message=message,
            affected="directly",
            impact="negative",
            as_who="carer",
            consent=True,
            name="Jo Private",
        )
    assert item.during_scoping  # the fixture project is in scoping
    return item


def answer(tenant: Tenant, item: PublicInput, part: str = "", text: str = "We heard you.") -> None:
    with scope(organisation=tenant.organisation):
        participation.input_respond(
            item=item,
            public_text=text,
            incorporated="yes",
            how_or_why="Changed the plan.",
            scope_part=part,
            actor=tenant.facilitator,
        )


@pytest.mark.rule("SCOPE-2")
def test_the_document_lists_each_part_with_the_inputs_that_shaped_it(tenant_a: Tenant, client_as) -> None:
    with scopes_disabled():
        Milestone.objects.create(
            project=tenant_a.project, title="Pilot opens", due_on=datetime.date(2026, 9, 1)
        )
        BudgetLine.objects.create(
            project=tenant_a.project, partner="NHS", purpose="Rent", amount=Decimal("900")
        )
    budget = scoping_input(tenant_a, "Transport costs must be in the budget.")
    plan = scoping_input(tenant_a, "Open the pilot before winter.")
    unanswered = scoping_input(tenant_a, "Who chairs the board?")
    answer(tenant_a, budget, "budget", "We added a transport line.")
    answer(tenant_a, plan, "plan", "The pilot opens in September.")
    with scope(organisation=tenant_a.organisation):
        document = scope_document(tenant_a.project)
    parts = {section.part: [item.pk for item in section.inputs] for section in document.sections}
    assert parts == {"aims": [], "groups": [], "plan": [plan.pk], "budget": [budget.pk]}
    # The fixture's answered scoping input names no part yet.
    assert len(document.unplaced) == 1 and [item.pk for item in document.unanswered] == [unanswered.pk]
    assert document.budget_total == Decimal("900")
    for user in (tenant_a.facilitator, tenant_a.member, tenant_a.auditor):
        response = client_as(user).get(url("scope_document", tenant_a))
        assert response.status_code == 200
    html = response.content.decode()
    budget_part = html.split('id="part-budget-title"', 1)[1].split("</section>", 1)[0]
    assert (
        "Transport costs must be in the budget." in budget_part
        and "We added a transport line." in budget_part
    )
    assert "Rent" in budget_part and "Open the pilot" not in budget_part
    plan_part = html.split('id="part-plan-title"', 1)[1].split("</section>", 1)[0]
    assert "Open the pilot before winter." in plan_part and "Pilot opens" in plan_part
    assert "Who chairs the board?" in html and "not answered yet" in html
    assert "Jo Private" not in html
    assert (
        url("scope_document", tenant_a)
        in client_as(tenant_a.facilitator).get(url("scoping", tenant_a)).content.decode()
    )


@pytest.mark.rule("SCOPE-2")
def test_the_answer_form_names_the_part_and_it_can_be_set_later(tenant_a: Tenant, client_as) -> None:
    client = client_as(tenant_a.facilitator)
    item = scoping_input(tenant_a, "Carers need respite places.")
    page = client.get(url("input_detail", tenant_a, pk=item.pk)).content.decode()
    assert "Which part of the scope did it shape?" in page
    done = client.post(
        url("input_detail", tenant_a, pk=item.pk),
        {"public_text": "Yes.", "incorporated": "yes", "how_or_why": "Added.", "scope_part": "groups"},
    )
    assert done.status_code == 302
    with scopes_disabled():
        assert InputResponse.objects.get(input=item).scope_part == "groups"
    # Changed later, from the input's page; the published answer stays as it was.
    assert (
        client.post(url("input_scope_part", tenant_a, pk=item.pk), {"scope_part": "aims"}).status_code == 302
    )
    bad = client.post(url("input_scope_part", tenant_a, pk=item.pk), {"scope_part": "weather"})
    assert bad.status_code == 400
    with scopes_disabled():
        response = InputResponse.objects.get(input=item)
    assert response.scope_part == "aims" and response.public_text == "Yes."
    assert (
        client_as(tenant_a.member)
        .post(url("input_scope_part", tenant_a, pk=item.pk), {"scope_part": "plan"})
        .status_code
        == 403
    )


@pytest.mark.rule("SCOPE-2")
def test_only_scoping_input_shapes_the_scope(tenant_a: Tenant, in_org_a: None) -> None:
    with scopes_disabled():
        tenant_a.project.status = "delivery"
        tenant_a.project.save(update_fields=["status"])
    later = participation.input_submit(
        project=tenant_a.project,
        message="Later on.",
        affected="directly",
        impact="positive",
        as_who="resident",
        consent=True,
    )
    assert not later.during_scoping
    with pytest.raises(ValidationError) as refused:
        participation.input_respond(
            item=later,
            public_text="x",
            incorporated="no",
            how_or_why="y",
            scope_part="plan",
            actor=tenant_a.facilitator,
        )
    assert "scope_part" in refused.value.message_dict


@pytest.mark.rule("SCOPE-2")
def test_the_public_page_shows_how_people_shaped_the_scope(tenant_a: Tenant, client) -> None:
    connect_public_page_signals()
    cache.clear()
    page_url = reverse("public_project:project_page", kwargs={"org": "riverside", "project": "day-service"})
    assert "How what people told us shaped the project" not in client.get(page_url).content.decode()
    item = scoping_input(tenant_a, "Keep the garden for quiet time.")
    answer(tenant_a, item, "aims", "Quiet time is now an aim.")
    html = client.get(page_url).content.decode()
    section = html.split('id="scope-title"', 1)[1].split('id="responses-title"', 1)[0]
    assert "What the project sets out to do" in section
    assert "Keep the garden for quiet time." in section and "Quiet time is now an aim." in section
    assert "Jo Private" not in html


@pytest.mark.rule("SCOPE-2")
def test_api_answers_with_a_part_and_changes_it(tenant_a: Tenant, api_as) -> None:
    item = scoping_input(tenant_a, "Mind the bus routes.")
    api = api_as(tenant_a.facilitator)
    base = f"/api/v1/orgs/riverside/projects/day-service/inputs/{item.pk}/response/"
    assert api.patch(base, {"scope_part": "plan"}, format="json").status_code == 409  # not answered yet
    created = api.post(
        base,
        {"public_text": "Yes.", "incorporated": "partly", "how_or_why": "Some routes.", "scope_part": "plan"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["response"]["scope_part"] == "plan"
    changed = api.patch(base, {"scope_part": "budget"}, format="json")
    assert changed.status_code == 200 and changed.json()["response"]["scope_part"] == "budget"
    assert api.patch(base, {"scope_part": "weather"}, format="json").status_code == 400
    assert api_as(tenant_a.member).patch(base, {"scope_part": ""}, format="json").status_code == 403
