"""Smoke test of every browser page: it renders, and its skeleton is the one
assistive technology relies on (one h1, a main landmark with a skip link to
it, the page language) with no inline script a Content-Security-Policy would
block (TEAM-10 asks for WCAG 2.2 AA pages; axe-core checks the rest in the
browser tests)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from projects.models import BudgetLine, Milestone, OrganisationInvitation, ProjectProposal, Role
from projects.services import invitation_token
from tests.factories import MemberFactory, OrganisationFactory, PersonFactory, PhaseFactory


class _Skeleton(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.h1 = 0
        self.main_ids: list[str | None] = []
        self.ids: list[str] = []
        self.html_lang: str | None = None
        self.inline_scripts = 0
        self.inline_handlers: list[str] = []
        self.skip_link = False
        self.labels_for: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "h1":
            self.h1 += 1
        if tag == "main":
            self.main_ids.append(attributes.get("id"))
        if tag == "html":
            self.html_lang = attributes.get("lang")
        if tag == "script" and not attributes.get("src"):
            self.inline_scripts += 1
        if (
            tag == "a"
            and attributes.get("href") == "#main"
            and "skip-link" in (attributes.get("class") or "")
        ):
            self.skip_link = True
        if tag == "label" and attributes.get("for"):
            self.labels_for.append(attributes["for"])
        if attributes.get("id"):
            self.ids.append(attributes["id"])
        self.inline_handlers += [name for name in attributes if name.startswith("on")]
        if "style" in attributes:
            self.inline_handlers.append("style")


def assert_page_skeleton(html: str, url: str) -> None:
    parser = _Skeleton()
    parser.feed(html)
    assert parser.html_lang == "en-GB", url
    assert parser.h1 == 1, f"{url}: {parser.h1} h1 elements"
    assert parser.main_ids == ["main"], url
    assert parser.skip_link, url
    assert parser.inline_scripts == 0, url
    assert parser.inline_handlers == [], url
    duplicates = {i for i in parser.ids if parser.ids.count(i) > 1}
    assert not duplicates, f"{url}: duplicate ids {duplicates}"
    missing = [target for target in parser.labels_for if target not in parser.ids]
    assert not missing, f"{url}: labels for missing ids {missing}"
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url


@pytest.fixture
def plan(tenant_a):
    """A project with something on every page: phase, milestone, budget line,
    proposal, person, invitation."""
    with scopes_disabled():
        project = tenant_a.project
        phase = PhaseFactory(project=project, name="Scoping")
        milestone = Milestone.objects.create(
            project=project, phase=phase, title="Timetable agreed", due_on=datetime.date(2026, 3, 1)
        )
        BudgetLine.objects.create(
            project=project, partner="Council", purpose="Venue hire", amount=Decimal("1200")
        )
        proposal = ProjectProposal.objects.create(
            organisation=tenant_a.organisation,
            title="Benches at the bus stop",
            summary="Somewhere to sit.",
            initiator_type="service_user",
        )
        person = PersonFactory(organisation=tenant_a.organisation, name="Ada Carer")
        invitation = OrganisationInvitation.objects.create(
            organisation=tenant_a.organisation, email="new@example.org", role=Role.MEMBER
        )
        group = project.stakeholder_groups.get()
        member = tenant_a.organisation.members.get(user=tenant_a.member)
    return {
        "phase": phase,
        "milestone": milestone,
        "proposal": proposal,
        "person": person,
        "invitation": invitation,
        "group": group,
        "membership": member,
    }


def _staff_urls(tenant_a, plan) -> list[str]:
    org = tenant_a.organisation.slug
    p = {"org": org, "project": tenant_a.project.slug}
    return [
        reverse("projects:dashboard", kwargs={"org": org}),
        reverse("projects:project_list", kwargs={"org": org}),
        reverse("projects:project_create", kwargs={"org": org}),
        reverse("projects:project_detail", kwargs=p),
        reverse("projects:project_edit", kwargs=p),
        reverse("projects:phase_list", kwargs=p),
        reverse("projects:phase_edit", kwargs={**p, "pk": plan["phase"].pk}),
        reverse("projects:phase_delete", kwargs={**p, "pk": plan["phase"].pk}),
        reverse("projects:milestone_list", kwargs=p),
        reverse("projects:milestone_edit", kwargs={**p, "pk": plan["milestone"].pk}),
        reverse("projects:milestone_delete", kwargs={**p, "pk": plan["milestone"].pk}),
        reverse("projects:budget", kwargs=p),
        reverse("projects:project_roles", kwargs=p),
        reverse("projects:proposal_list", kwargs={"org": org}),
        reverse("projects:proposal_detail", kwargs={"org": org, "pk": plan["proposal"].pk}),
        reverse("stakeholders:group_list", kwargs=p),
        reverse("stakeholders:group_create", kwargs=p),
        reverse("stakeholders:group_edit", kwargs={**p, "pk": plan["group"].pk}),
        reverse("stakeholders:group_delete", kwargs={**p, "pk": plan["group"].pk}),
        reverse("stakeholders:person_list", kwargs={"org": org}),
        reverse("stakeholders:person_list", kwargs={"org": org}) + "?q=ada",
        reverse("stakeholders:person_create", kwargs={"org": org}),
        reverse("stakeholders:person_edit", kwargs={"org": org, "pk": plan["person"].pk}),
    ]


def test_every_page_renders_for_the_facilitator(client_as, tenant_a, plan) -> None:
    client = client_as(tenant_a.facilitator)
    for url in _staff_urls(tenant_a, plan):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_page_skeleton(response.content.decode(), url)


def test_admin_only_pages_render(client_as, tenant_a, plan) -> None:
    org = tenant_a.organisation.slug
    client = client_as(tenant_a.admin)
    for url in (
        reverse("projects:member_list", kwargs={"org": org}),
        reverse("projects:member_edit", kwargs={"org": org, "pk": plan["membership"].pk}),
        reverse("projects:audit_log", kwargs={"org": org}),
        reverse("projects:audit_log", kwargs={"org": org}) + "?action=nonsense",
    ):
        response = client.get(url)
        assert response.status_code in (200, 400), url
        assert_page_skeleton(response.content.decode(), url)


def test_public_and_account_pages_render(client: Client, tenant_a, plan) -> None:
    org = tenant_a.organisation.slug
    urls = [
        reverse("public:proposal_form", kwargs={"org": org}),
        reverse("public:proposal_status", kwargs={"org": org, "pk": plan["proposal"].pk}),
        reverse("login"),
        reverse("password_reset"),
        reverse("password_reset_done"),
        reverse("invitation_accept", kwargs={"token": invitation_token(plan["invitation"])}),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_page_skeleton(response.content.decode(), url)
    client.force_login(tenant_a.member)
    response = client.get(reverse("password_change"))
    assert response.status_code == 200
    assert_page_skeleton(response.content.decode(), "password_change")


def test_error_pages_have_the_same_skeleton(client_as, tenant_a, plan) -> None:
    client = client_as(tenant_a.member)
    org = tenant_a.organisation.slug
    forbidden = client.get(reverse("projects:audit_log", kwargs={"org": org}))
    assert forbidden.status_code == 403
    assert_page_skeleton(forbidden.content.decode(), "403")
    missing = client.get(reverse("projects:project_detail", kwargs={"org": org, "project": "nope"}))
    assert missing.status_code == 404
    assert_page_skeleton(missing.content.decode(), "404")
    bad_link = client.get(reverse("invitation_accept", kwargs={"token": "forged"}))
    assert bad_link.status_code == 404
    assert_page_skeleton(bad_link.content.decode(), "invitation")


def test_500_page_renders_without_a_request(settings) -> None:
    """Django renders 500.html with an empty context: nothing in it may need
    a request, a database or a context processor."""
    from django.template import loader

    html = loader.get_template("500.html").render({})
    assert_page_skeleton(html, "500")


def test_organisation_switcher_lists_only_own_organisations(client_as, tenant_a, tenant_b) -> None:
    with scopes_disabled():
        other = OrganisationFactory(name="Lakeside Charity", slug="lakeside")
        MemberFactory(organisation=other, user=tenant_a.facilitator, role=Role.MEMBER)
    client = client_as(tenant_a.facilitator)
    home = client.get(reverse("home"))
    assert home.status_code == 200
    html = home.content.decode()
    assert "Lakeside Charity" in html and "Riverside Council" in html
    assert "Hillview NHS Trust" not in html
    assert_page_skeleton(html, "home")
    dashboard = client.get(reverse("projects:dashboard", kwargs={"org": "lakeside"})).content.decode()
    assert "Switch organisation" in dashboard
    assert 'href="/o/riverside/"' in dashboard
    assert "Hillview" not in dashboard


def test_password_reset_email_uses_our_template(client, tenant_a) -> None:
    from django.core import mail

    response = client.post(reverse("password_reset"), {"email": tenant_a.member.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Choose a new password for coprod"
    link = re.search(r"https?://[^\s]+(/accounts/reset/[^\s]+/)", message.body)
    assert link, message.body
    page = client.get(link.group(1), follow=True)
    assert page.status_code == 200 and "Choose a new password" in page.content.decode()
    assert_page_skeleton(page.content.decode(), "password_reset_confirm")
