"""Putting public input to a body as an agenda item (TEAM-9): the item
links back to the input, the input shows where it went, the public answer
says so; only an active body takes it (BOARD-4, GROUP-3); facilitators only;
another organisation's input is a 404 (TENANT-1)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from boards.models import AgendaItem, Body
from boards.participation import input_route_to_body
from coprod.errors import Conflict, NotAllowed, RuleViolation
from projects.models import AuditEvent
from stakeholders import participation
from stakeholders.models import PublicInput
from stakeholders.signals_public import connect_public_page_signals
from tests.boards.conftest import activate_directly
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db


def new_input(tenant: Tenant, message: str = "Please run the bus on Saturdays too.") -> PublicInput:
    with scope(organisation=tenant.organisation):
        return participation.input_submit(
            project=tenant.project,
            message=message,
            affected="directly",
            impact="negative",
            as_who="service_user",
            consent=True,
            name="Priya Secret",
            contact="priya@example.org",
        )


def route_url(tenant: Tenant, item: PublicInput) -> str:
    return reverse(
        "boards:input_route",
        kwargs={"org": tenant.organisation.slug, "project": "day-service", "pk": item.pk},
    )


def api_url(tenant: Tenant, item: PublicInput) -> str:
    return f"/api/v1/orgs/{tenant.organisation.slug}/projects/day-service/inputs/{item.pk}/route/"


@pytest.mark.rule("TEAM-9")
def test_a_facilitator_puts_input_to_the_board(tenant_a: Tenant, board: Body, client_as) -> None:
    activate_directly(board)
    item = new_input(tenant_a)
    client = client_as(tenant_a.facilitator)
    detail = reverse(
        "participation:input_detail", kwargs={"org": "riverside", "project": "day-service", "pk": item.pk}
    )
    # The triage page offers it, without JavaScript: a plain form posting to the route.
    page = client.get(detail).content.decode()
    assert f'action="{route_url(tenant_a, item)}"' in page and 'name="body" value="board"' in page
    response = client.post(
        route_url(tenant_a, item), {"body": "board", "title": "Saturday buses", "note": "Cost it first."}
    )
    assert response.status_code == 302 and response["Location"] == detail
    with scopes_disabled():
        agenda_item = AgendaItem.objects.get(source_input=item)
        item.refresh_from_db()
        audit = AuditEvent.objects.get(action="boards.item.routed_from_input")
    assert (
        agenda_item.body == board and agenda_item.kind == "general" and agenda_item.title == "Saturday buses"
    )
    assert agenda_item.proposed_by == tenant_a.facilitator
    assert "Please run the bus on Saturdays too." in agenda_item.description
    assert "Cost it first." in agenda_item.description
    assert "Priya" not in agenda_item.description and "priya@example.org" not in agenda_item.description
    assert item.status == "acknowledged"
    assert audit.rule == "TEAM-9" and audit.data == {"input": item.pk}
    # The input shows where it went, and the item links back to it.
    page = client.get(detail).content.decode()
    item_url = reverse(
        "boards:item_detail",
        kwargs={"org": "riverside", "project": "day-service", "kind": "board", "pk": agenda_item.pk},
    )
    assert item_url in page and "Saturday buses" in page
    assert detail in client.get(item_url).content.decode()
    listing = reverse("participation:input_list", kwargs={"org": "riverside", "project": "day-service"})
    assert "On the agenda of the Project Board" in client.get(listing).content.decode()


@pytest.mark.rule("TEAM-9")
def test_the_public_answer_says_where_the_input_went(tenant_a: Tenant, board: Body, client) -> None:
    connect_public_page_signals()
    cache.clear()
    activate_directly(board)
    item = new_input(tenant_a)
    page_url = reverse("public_project:project_page", kwargs={"org": "riverside", "project": "day-service"})
    client.get(page_url)  # cached before the routing, which must refresh it
    with scope(organisation=tenant_a.organisation):
        input_route_to_body(public_input=item, body=board, actor=tenant_a.facilitator, title="Saturday buses")
        participation.input_respond(
            item=item,
            public_text="The board will decide.",
            incorporated="partly",
            how_or_why="Costed for the board.",
            actor=tenant_a.facilitator,
        )
    html = client.get(page_url).content.decode()
    assert "The board will decide." in html
    assert "We put it to the Project Board to decide, as “Saturday buses” (open for discussion)." in html


@pytest.mark.rule("TEAM-9")
def test_the_same_input_goes_on_each_agenda_once(
    tenant_a: Tenant, board: Body, overview: Body, in_org_a: None
) -> None:
    activate_directly(board)
    activate_directly(overview)
    item = new_input(tenant_a)
    first = input_route_to_body(public_input=item, body=board, actor=tenant_a.facilitator)
    assert first.title.startswith(f"Public input #{item.pk}: Please run the bus")
    with pytest.raises(Conflict, match="already on the agenda of the Project Board"):
        input_route_to_body(public_input=item, body=board, actor=tenant_a.facilitator)
    second = input_route_to_body(public_input=item, body=overview, actor=tenant_a.facilitator)
    assert {a.body.kind for a in item.agenda_items.all()} == {"board", "overview"}
    assert second.pk != first.pk


@pytest.mark.rule("BOARD-4")
@pytest.mark.rule("GROUP-3")
@pytest.mark.rule("TEAM-9")
def test_a_body_that_takes_no_decisions_gets_no_input(
    tenant_a: Tenant, board: Body, overview: Body, client_as, api_as
) -> None:
    item = new_input(tenant_a)
    assert board.status == "forming"
    with scope(organisation=tenant_a.organisation), pytest.raises(RuleViolation) as refused:
        input_route_to_body(public_input=item, body=board, actor=tenant_a.facilitator)
    assert refused.value.rule.value == "BOARD-4" and refused.value.http_status == 409
    page = client_as(tenant_a.facilitator).post(route_url(tenant_a, item), {"body": "overview", "title": "x"})
    assert page.status_code == 409
    html = page.content.decode()
    assert "GROUP-3:" in html and "takes no decisions while it is forming" in html
    assert 'value="x"' in html  # what was typed is kept
    with scopes_disabled():
        board.status = Body.Status.SUSPENDED
        board.status_reason = "Below 30% non-professional seats after a resignation."
        board.save(update_fields=["status", "status_reason"])
    api = api_as(tenant_a.facilitator).post(api_url(tenant_a, item), {"body": "board"}, format="json")
    assert api.status_code == 409 and api.json()["rule"] == "BOARD-4"
    assert "after a resignation" in api.json()["detail"]
    with scopes_disabled():
        assert not AgendaItem.objects.filter(source_input=item).exists()
        # The refusal is kept in the audit log.
        assert AuditEvent.objects.filter(action="refused.boards.input_route_to_body", rule="BOARD-4").exists()
        board.status = Body.Status.CLOSED
        board.save(update_fields=["status"])
    with scope(organisation=tenant_a.organisation), pytest.raises(Conflict):
        input_route_to_body(public_input=item, body=board, actor=tenant_a.facilitator)


@pytest.mark.rule("TEAM-9")
def test_only_facilitators_route_input(tenant_a: Tenant, board: Body, client_as, api_as) -> None:
    activate_directly(board)
    item = new_input(tenant_a)
    for user in (tenant_a.member, tenant_a.auditor):
        assert client_as(user).get(route_url(tenant_a, item)).status_code == 403
        assert (
            client_as(user).post(route_url(tenant_a, item), {"body": "board", "title": "x"}).status_code
            == 403
        )
        assert api_as(user).post(api_url(tenant_a, item), {"body": "board"}, format="json").status_code == 403
        with scope(organisation=tenant_a.organisation), pytest.raises(NotAllowed):
            input_route_to_body(public_input=item, body=board, actor=user)
    with scopes_disabled():
        assert not AgendaItem.objects.filter(source_input=item).exists()


@pytest.mark.rule("TENANT-1")
def test_another_organisations_input_is_not_found(
    tenant_a: Tenant, tenant_b: Tenant, board: Body, client_as, api_as
) -> None:
    activate_directly(board)
    theirs = new_input(tenant_b)
    # Organisation A's facilitator, organisation A's URL, organisation B's input id.
    assert client_as(tenant_a.facilitator).get(route_url(tenant_a, theirs)).status_code == 404
    response = api_as(tenant_a.facilitator).post(api_url(tenant_a, theirs), {"body": "board"}, format="json")
    assert response.status_code == 404
    with scope(organisation=tenant_a.organisation), pytest.raises(ValidationError):
        input_route_to_body(public_input=theirs, body=board, actor=tenant_a.facilitator)
    with scopes_disabled():
        assert not AgendaItem.objects.filter(source_input=theirs).exists()


@pytest.mark.rule("TEAM-9")
def test_api_routes_input_and_checks_what_is_sent(tenant_a: Tenant, overview: Body, api_as) -> None:
    activate_directly(overview)
    item = new_input(tenant_a)
    api = api_as(tenant_a.facilitator)
    assert api.post(api_url(tenant_a, item), {"body": "cabinet"}, format="json").status_code == 400
    assert (
        api.post(api_url(tenant_a, item), {"body": "overview", "title": "x" * 201}, format="json").status_code
        == 400
    )
    created = api.post(api_url(tenant_a, item), {"body": "overview", "deadline": "2026-12-31"}, format="json")
    assert created.status_code == 201
    data = created.json()
    assert data["input"] == item.pk and data["body"] == "overview"
    assert data["item"]["kind"] == "general" and data["item"]["deadline"] == "2026-12-31"
    assert "Please run the bus on Saturdays too." in data["item"]["description"]
    again = api.post(api_url(tenant_a, item), {"body": "overview"}, format="json")
    assert again.status_code == 409
    # The input's own representation names where it went.
    shown = api.get(f"/api/v1/orgs/riverside/projects/day-service/inputs/{item.pk}/").json()
    assert shown["routed_to"] == [
        {"body": "overview", "item": data["item"]["id"], "title": data["item"]["title"], "status": "open"}
    ]
