"""The public project page (TEAM-10) and the public input form (TEAM-9)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from boards import decisions
from boards.ledger import ledger_head
from boards.models import Body
from stakeholders.models import InputResponse, PublicInput
from stakeholders.signals_public import connect_public_page_signals
from tests.boards.conftest import activate_directly, voters
from tests.boards.test_decisions import run_vote
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    connect_public_page_signals()  # until StakeholdersConfig.ready connects them
    cache.clear()


def page_url(tenant: Tenant) -> str:
    return reverse(
        "public_project:project_page", kwargs={"org": tenant.organisation.slug, "project": "day-service"}
    )


def form_url(tenant: Tenant) -> str:
    return reverse(
        "public_project:input_form", kwargs={"org": tenant.organisation.slug, "project": "day-service"}
    )


def valid(**extra) -> dict[str, str]:
    return {
        "message": "The bus stop is too far from the centre.",
        "affected": "directly",
        "impact": "negative",
        "as_who": "service_user",
        "name": "Sam Jones",
        "contact": "sam@example.org",
        "consent": "on",
        **extra,
    }


def close(tenant: Tenant) -> None:
    with scopes_disabled():
        tenant.project.status = "closed"
        tenant.project.save(update_fields=["status"])


@pytest.mark.rule("TEAM-10")
def test_public_page_shows_bodies_decisions_and_answers_without_names(tenant_a: Tenant, client) -> None:
    with scope(organisation=tenant_a.organisation):
        board = Body.objects.get(project=tenant_a.project, kind="board")
        seats = voters(board, "NNNNPPPPPP")
        activate_directly(board)
        item = decisions.item_propose(body=board, title="Open on Saturdays", actor=tenant_a.facilitator)
        run_vote(item, seats, "ffffaaaaff", tenant_a.facilitator)
        head = ledger_head(tenant_a.project)
        PublicInput.objects.filter(project=tenant_a.project).update(
            name="Priya Secret", contact="priya@example.org"
        )
        person_names = [seat.person.name for seat in seats]
    response = client.get(page_url(tenant_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert len(response.content) < 100_000
    assert "Project Board" in html and "Overview Group" in html
    assert "10 seats, 4 of them not professionals" in html
    assert "Service user" in html
    assert "Open on Saturdays" in html
    assert head is not None and head[1] in html
    assert "Please keep the garden." in html and "We will." in html
    assert "Priya Secret" not in html and "priya@example.org" not in html
    assert not any(name in html for name in person_names)
    assert reverse("public_project:input_form", kwargs={"org": "riverside", "project": "day-service"}) in html
    assert "calendar.ics" in html
    assert "<script" not in html.split("</head>", 1)[1]  # nothing in the page needs JavaScript


@pytest.mark.rule("TEAM-10")
def test_public_page_is_cached_and_a_change_invalidates_it(
    tenant_a: Tenant, client, django_assert_max_num_queries
) -> None:
    first = client.get(page_url(tenant_a)).content.decode()
    assert "Day service riverside" in first
    with django_assert_max_num_queries(3):  # organisation and project only: the content comes from the cache
        again = client.get(page_url(tenant_a))
    assert again.status_code == 200
    with scope(organisation=tenant_a.organisation):
        item = PublicInput.objects.create(
            project=tenant_a.project,
            message="More ramps please.",
            affected="directly",
            impact="positive",
            as_who="resident",
            consent=True,
        )
        InputResponse.objects.create(
            input=item, public_text="Two ramps are planned.", incorporated="yes", how_or_why="In the plan."
        )
    assert "Two ramps are planned." in client.get(page_url(tenant_a)).content.decode()


@pytest.mark.rule("TEAM-10")
def test_closed_project_page_still_shows_read_only(tenant_a: Tenant, client) -> None:
    close(tenant_a)
    response = client.get(page_url(tenant_a))
    assert response.status_code == 200
    assert "has finished" in response.content.decode()
    assert form_url(tenant_a) not in response.content.decode()


@pytest.mark.rule("TENANT-1")
def test_unknown_project_or_organisation_is_404(tenant_a: Tenant, client) -> None:
    assert client.get("/p/riverside/nope/").status_code == 404
    assert client.get("/p/nope/day-service/").status_code == 404
    assert client.get("/p/nope/day-service/input/").status_code == 404


@pytest.mark.rule("TEAM-9")
def test_input_form_saves_and_thanks_with_when_to_expect_an_answer(tenant_a: Tenant, client) -> None:
    response = client.post(form_url(tenant_a), valid())
    assert response.status_code == 302
    thanks = client.get(response["Location"])
    assert "You can expect an answer within 21 days" in thanks.content.decode()
    with scopes_disabled():
        saved = PublicInput.objects.get(message="The bus stop is too far from the centre.")
    assert saved.contact == "sam@example.org" and saved.channel == "web" and saved.status == "new"


@pytest.mark.rule("TEAM-9")
def test_input_form_errors_keep_what_was_typed_and_link_to_fields(tenant_a: Tenant, client) -> None:
    typed = "<script>alert('x')</script> keep this"
    response = client.post(
        form_url(tenant_a), valid(message=typed, consent="", contact="not a contact", affected="")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; keep this" in html
    assert "<script>alert" not in html
    assert 'href="#id_consent"' in html and 'href="#id_affected_0"' in html and 'href="#id_contact"' in html
    assert 'value="not a contact"' in html
    with scopes_disabled():
        assert not PublicInput.objects.filter(message__contains="keep this").exists()


@pytest.mark.rule("TEAM-9")
def test_honeypot_silently_succeeds_without_saving(tenant_a: Tenant, client) -> None:
    with scopes_disabled():
        before = PublicInput.objects.count()
    response = client.post(form_url(tenant_a), valid(website="http://spam.example"))
    assert response.status_code == 302 and "thanks" in response["Location"]
    with scopes_disabled():
        assert PublicInput.objects.count() == before
    html = client.get(form_url(tenant_a)).content.decode()
    assert 'autocomplete="off"' in html and 'tabindex="-1"' in html and "Leave this empty" in html


@pytest.mark.rule("TEAM-9")
def test_rate_limit_gives_a_polite_429_that_keeps_the_text(tenant_a: Tenant, client, settings) -> None:
    settings.INPUT_RATE_LIMIT_PER_HOUR = 5
    for number in range(5):
        assert client.post(form_url(tenant_a), valid(message=f"Message {number}")).status_code == 302
    response = client.post(form_url(tenant_a), valid(message="The sixth message, kept"))
    assert response.status_code == 429
    html = response.content.decode()
    assert "The sixth message, kept" in html and "Please wait" in html
    # Another address is not affected.
    assert client.post(form_url(tenant_a), valid(), REMOTE_ADDR="10.0.0.9").status_code == 302
    with scopes_disabled():
        assert not PublicInput.objects.filter(message="The sixth message, kept").exists()


@pytest.mark.rule("TEAM-9")
def test_oversized_body_gets_a_clear_413_not_a_500(tenant_a: Tenant, client) -> None:
    response = client.post(form_url(tenant_a), valid(message="x" * 1_100_000))
    assert response.status_code == 413
    assert "too long" in response.content.decode()


@pytest.mark.rule("TEAM-9")
def test_message_over_the_limit_is_a_field_error(tenant_a: Tenant, client) -> None:
    response = client.post(form_url(tenant_a), valid(message="y" * 10_001))
    assert response.status_code == 400
    assert "field__error" in response.content.decode()


@pytest.mark.rule("TEAM-9")
def test_form_closes_only_with_the_project(tenant_a: Tenant, client) -> None:
    assert client.get(form_url(tenant_a)).status_code == 200
    for status in ("scoping", "delivery"):
        with scopes_disabled():
            tenant_a.project.status = status
            tenant_a.project.save(update_fields=["status"])
        assert client.get(form_url(tenant_a)).status_code == 200
    close(tenant_a)
    assert client.get(form_url(tenant_a)).status_code == 410
    response = client.post(form_url(tenant_a), valid())
    assert response.status_code == 410
    assert "no longer takes input" in response.content.decode()


@pytest.mark.rule("TEAM-9")
def test_csrf_is_still_checked(tenant_a: Tenant) -> None:
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(form_url(tenant_a), valid()).status_code == 403
