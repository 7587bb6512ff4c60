"""A facilitator's first journey, in a real browser against the demo data:
log in, start a project (saying who initiated it, SCOPE-1), and identify its
stakeholder groups, directly and indirectly affected, including a group that
may lose out (SCOPE-3, SCOPE-4). Every page visited, including the pages
showing form errors, must have no WCAG 2.2 A/AA violation (TEAM-10 asks the
same of public pages; DESIGN.md of every page)."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from projects.management.commands.seed_demo import DEMO_PASSWORD
from projects.models import Organisation, Project
from stakeholders.models import StakeholderGroup
from tests.browser.accessibility import assert_accessible

FACILITATOR = "facilitator@northmoor.example"
PROJECT_TITLE = "A community hub at the old Harbour Lane library"


def log_in(page: Page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", level=1, name="Log in")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Email address or username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(re.compile(r"^Logged in as "))).to_be_visible()


def add_group(page: Page, *, name: str, description: str, affected: str, impact: str) -> None:
    page.get_by_role("link", name="Add a stakeholder group").click()
    expect(page.get_by_role("heading", level=1, name="Add a stakeholder group")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Name of the group").fill(name)
    page.get_by_label("Who is in this group?").fill(description)
    page.get_by_role("group", name=re.compile("How is this group affected")).get_by_label(
        affected, exact=True
    ).check()
    page.get_by_role("group", name=re.compile("for better or worse")).get_by_label(impact, exact=True).check()
    page.get_by_role("button", name="Add the group").click()
    expect(page.get_by_role("heading", level=1, name="Stakeholder groups")).to_be_visible()
    expect(page.get_by_role("rowheader", name=re.compile(re.escape(name)))).to_be_visible()
    assert_accessible(page)


@pytest.mark.rule("SCOPE-1")
@pytest.mark.rule("SCOPE-4")
def test_facilitator_creates_a_project_and_identifies_stakeholders(page: Page) -> None:
    call_command("seed_demo", "--force", stdout=StringIO())

    log_in(page, FACILITATOR, DEMO_PASSWORD)

    # The facilitator belongs to one organisation: they land on its dashboard.
    expect(page).to_have_url(re.compile(r"/o/northmoor/$"))
    expect(
        page.get_by_role("link", name="Redesigning the Beacon Street community mental-health day service")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Start a new project").first.click()
    expect(page.get_by_role("heading", level=1, name="Start a new project")).to_be_visible()
    assert_accessible(page)

    # SCOPE-1: without saying who initiated it, the project is not created;
    # the form keeps what was typed and says what is missing.
    page.get_by_label("Project title").fill(PROJECT_TITLE)
    page.get_by_role("button", name="Create the project").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_label("Project title")).to_have_value(PROJECT_TITLE)
    assert_accessible(page)

    page.get_by_label("What is the project about?").fill(
        "The old library on Harbour Lane is empty. Residents, the day service and local groups "
        "want to turn it into a community hub. We will decide together what it is for."
    )
    page.get_by_role("group", name=re.compile("Who started this project")).get_by_label(
        "Member of the public", exact=True
    ).check()
    page.get_by_role("button", name="Create the project").click()
    expect(page.get_by_text(f"Project “{PROJECT_TITLE}” created.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="Parts of this project").get_by_role(
        "link", name="Stakeholder groups"
    ).click()
    expect(page.get_by_role("heading", level=1, name="Stakeholder groups")).to_be_visible()
    expect(page.get_by_text("No stakeholder groups identified yet.")).to_be_visible()
    assert_accessible(page)

    add_group(
        page,
        name="People who use the day service",
        description="Adults who would come to the hub for activities and support.",
        affected="Directly",
        impact="Positively",
    )
    add_group(
        page,
        name="Neighbours on Harbour Lane",
        description="People living next to the library: more visitors, noise and parking.",
        affected="Indirectly",
        impact="Negatively",
    )

    # What the browser did is what the database holds.
    with scopes_disabled():
        northmoor = Organisation.objects.get(slug="northmoor")
        project = Project.objects.get(organisation=northmoor, title=PROJECT_TITLE)
        assert project.initiator_type == "public"
        groups = {g.name: g for g in StakeholderGroup.objects.filter(project=project)}
    assert set(groups) == {"People who use the day service", "Neighbours on Harbour Lane"}
    neighbours = groups["Neighbours on Harbour Lane"]
    assert neighbours.affected == StakeholderGroup.Affected.INDIRECTLY
    assert neighbours.impact == StakeholderGroup.Impact.NEGATIVE
    assert not neighbours.is_professional
