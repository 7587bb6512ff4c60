"""A facilitator seats the governing bodies of a project in a real browser.

The people, the project and its stakeholder groups are arranged with
factories; the seating and the activation are done through the pages. The
board is first seated with too few non-professionals: activating it is
refused with the rule ID and the concrete fix (BOARD-4); adding the missing
non-professional seat lets it become active. The Overview Group is then
seated and activated (GROUP-3). axe-core checks every page visited, the
refusals included: zero WCAG 2.2 A/AA violations (DESIGN.md, TEAM-10)."""

from __future__ import annotations

import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from boards.models import Body, Seat
from projects.models import Role
from tests.browser.accessibility import assert_accessible
from tests.factories import (
    PASSWORD,
    MemberFactory,
    OrganisationFactory,
    PersonFactory,
    ProjectFactory,
    StakeholderGroupFactory,
    UserFactory,
)

FACILITATOR = "tom@harbour.example"
PROJECT_TITLE = "A community hub at the old library"
USERS = "People who use the day service"
CARERS = "Family carers"
STAFF = "Council and NHS staff"


def _arrange() -> None:
    with scopes_disabled():
        organisation = OrganisationFactory(name="Harbour Town Council", slug="harbour")
        tom = UserFactory(username=FACILITATOR, first_name="Tom", last_name="Achebe")
        MemberFactory(organisation=organisation, user=tom, role=Role.FACILITATOR)
        project = ProjectFactory(organisation=organisation, title=PROJECT_TITLE, slug="community-hub")
        StakeholderGroupFactory(project=project, name=USERS)
        StakeholderGroupFactory(project=project, name=CARERS, affected="indirectly")
        StakeholderGroupFactory(project=project, name=STAFF, is_professional=True)
        for name in (
            "Maya Thompson",
            "David Okafor",
            "Dr Nadia Haddad",
            "Femi Adeyemi",
            "Joan Whitfield",
            "Priya Shah",
        ):
            PersonFactory(organisation=organisation, name=name, email="")


def log_in(page: Page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address or username").fill(FACILITATOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Logged in as Tom Achebe")).to_be_visible()


def open_body(page: Page, name: str) -> None:
    page.get_by_role("link", name="Projects", exact=True).first.click()
    page.get_by_role("link", name=PROJECT_TITLE).click()
    expect(page.get_by_role("heading", level=1, name=PROJECT_TITLE)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("region", name="Governing bodies").get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    assert_accessible(page)


def add_seat(page: Page, body: str, *, person: str, capacity: str, group: str) -> None:
    page.get_by_role("link", name="Add a seat").click()
    expect(page.get_by_role("heading", level=1, name=f"Add a seat to the {body}")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Person", exact=True).select_option(label=person)
    page.get_by_label("Capacity").select_option(label=capacity)
    page.get_by_label("Stakeholder group they represent").select_option(label=group)
    page.get_by_role("button", name="Add the seat").click()
    expect(page.get_by_text(f"{person} now has a seat on the {body}")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name=body)).to_be_visible()
    assert_accessible(page)


@pytest.mark.rule("BOARD-4")
@pytest.mark.rule("BOARD-2")
@pytest.mark.rule("GROUP-3")
def test_facilitator_seats_and_activates_both_bodies(page: Page) -> None:
    _arrange()
    log_in(page)
    open_body(page, "Project Board")
    expect(page.get_by_text("Forming", exact=True)).to_be_visible()
    # No seats yet: the page says what must change.
    expect(page.get_by_text("The Project Board has no seats.")).to_be_visible()

    # A form sent without a capacity comes back with the error and keeps the person.
    page.get_by_role("link", name="Add a seat").click()
    page.get_by_label("Person", exact=True).select_option(label="Maya Thompson")
    page.get_by_role("button", name="Add the seat").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_label("Person", exact=True)).to_have_value(re.compile(r"\d+"))
    assert_accessible(page)
    page.get_by_label("Capacity").select_option(label="Service user")
    page.get_by_label("Stakeholder group they represent").select_option(label=USERS)
    page.get_by_role("button", name="Add the seat").click()
    expect(page.get_by_text("Maya Thompson now has a seat on the Project Board")).to_be_visible()
    assert_accessible(page)

    # David is a nurse and a carer; here he sits as a professional: the capacity decides.
    add_seat(page, "Project Board", person="David Okafor", capacity="Professional", group=CARERS)
    add_seat(page, "Project Board", person="Dr Nadia Haddad", capacity="Professional", group=STAFF)
    add_seat(page, "Project Board", person="Femi Adeyemi", capacity="Staff", group=STAFF)

    # 1 of 4 seats is non-professional: activation is refused with the rule and the fix.
    expect(page.get_by_role("img", name="Non-professional share of the Project Board")).to_be_visible()
    # The chart's figures are also in the text beside it.
    expect(page.locator("#share-text")).to_contain_text("1 of 4 active seats (25%) are non-professional")
    page.get_by_role("button", name="Activate the Project Board").click()
    refusal = page.get_by_role("alert").filter(has_text="cannot become active yet")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("BOARD-4")
    expect(refusal).to_contain_text("Add 1 non-professional seat.")
    assert_accessible(page)
    with scopes_disabled():
        board = Body.objects.get(project__slug="community-hub", kind="board")
        assert board.status == Body.Status.FORMING

    add_seat(page, "Project Board", person="Joan Whitfield", capacity="Carer", group=CARERS)
    expect(page.get_by_text("Yes: today its members meet all its composition rules.")).to_be_visible()
    page.get_by_role("button", name="Activate the Project Board").click()
    expect(page.get_by_text("The Project Board is now active: it can take decisions.")).to_be_visible()
    expect(page.get_by_text("Active", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Activate the Project Board")).to_have_count(0)
    assert_accessible(page)

    # The Overview Group: at least 60% non-professional, at most two project-team seats.
    open_body(page, "Overview Group")
    add_seat(page, "Overview Group", person="Maya Thompson", capacity="Service user", group=USERS)
    add_seat(page, "Overview Group", person="Priya Shah", capacity="Project team", group=STAFF)
    page.get_by_role("button", name="Activate the Overview Group").click()
    refusal = page.get_by_role("alert").filter(has_text="cannot become active yet")
    expect(refusal).to_contain_text("GROUP-3")
    expect(refusal).to_contain_text("Add 1 non-professional seat.")
    assert_accessible(page)
    add_seat(page, "Overview Group", person="Joan Whitfield", capacity="Carer", group=CARERS)
    page.get_by_role("button", name="Activate the Overview Group").click()
    expect(page.get_by_text("The Overview Group is now active: it can take decisions.")).to_be_visible()
    assert_accessible(page)

    # Who sits when: reachable from the body page, accessible too.
    page.get_by_role("link", name="See who sits when, phase by phase").click()
    expect(page.get_by_role("heading", level=1, name="Who sits when")).to_be_visible()
    assert_accessible(page)

    # What the browser did is what the database holds.
    with scopes_disabled():
        bodies = {body.kind: body for body in Body.objects.filter(project__slug="community-hub")}
        assert bodies["board"].status == Body.Status.ACTIVE
        assert bodies["overview"].status == Body.Status.ACTIVE
        board_seats = {
            (seat.person.name, seat.capacity, seat.stakeholder_group.name)
            for seat in Seat.objects.filter(body=bodies["board"]).select_related(
                "person", "stakeholder_group"
            )
        }
    assert board_seats == {
        ("Maya Thompson", "service_user", USERS),
        ("David Okafor", "professional", CARERS),
        ("Dr Nadia Haddad", "professional", STAFF),
        ("Femi Adeyemi", "staff", STAFF),
        ("Joan Whitfield", "carer", CARERS),
    }
