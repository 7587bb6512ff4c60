"""A board member decides with the Project Board in a real browser.

The organisation, the active board with its seats (every seat holder with an
account) and an item already put to the vote are arranged with factories and
the decision services. Then, through the pages: a board member opens the
item, speaks on it and votes for it with the keyboard alone (BOARD-5); a
facilitator closes the vote into the ledger (LEDGER-1, with the votes cast
meeting the non-professional share, LEDGER-2); the member finds the outcome
in the ledger, verified; and a project manager who tries to change the
budget finds the change put to the board as a proposal, the budget unchanged
(BOARD-7). axe-core checks every page visited: zero WCAG 2.2 A/AA
violations (DESIGN.md, TEAM-10)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled
from guardian.shortcuts import assign_perm
from playwright.sync_api import Page, expect

from boards import decisions
from boards.models import AgendaItem, Body, DecisionEntry, Seat, Vote
from projects.models import BudgetLine, Role
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

MEMBER = "maya@harbour.example"
FACILITATOR = "tom@harbour.example"
MANAGER = "rachel@harbour.example"
PROJECT_TITLE = "A community hub at the old library"
ITEM_TITLE = "Open the hub on Saturdays"
START = "2026-01-05"


def _arrange() -> dict[str, object]:
    """An active board of ten (four service users, six professionals), an
    item being voted on with four votes already cast, a budget line, and a
    project manager."""
    import datetime

    with scopes_disabled():
        organisation = OrganisationFactory(name="Harbour Town Council", slug="harbour")
        facilitator = UserFactory(username=FACILITATOR, first_name="Tom", last_name="Achebe")
        MemberFactory(organisation=organisation, user=facilitator, role=Role.FACILITATOR)
        manager = UserFactory(username=MANAGER, first_name="Rachel", last_name="Lowe")
        MemberFactory(organisation=organisation, user=manager, role=Role.MEMBER)
        project = ProjectFactory(organisation=organisation, title=PROJECT_TITLE, slug="community-hub")
        assign_perm("projects.manage_project", manager, project)
        users_group = StakeholderGroupFactory(project=project, name="People who use the day service")
        staff_group = StakeholderGroupFactory(
            project=project, name="Council and NHS staff", is_professional=True
        )
        BudgetLine.objects.create(
            project=project, partner="Harbour Town Council", purpose="Rent", amount=Decimal("9000")
        )
        board = Body.objects.get(project=project, kind="board")
        seats = []
        names = [
            ("Maya", "Thompson", "service_user"),
            ("David", "Okafor", "service_user"),
            ("Femi", "Adeyemi", "service_user"),
            ("Joan", "Whitfield", "service_user"),
            ("Nadia", "Haddad", "professional"),
            ("Priya", "Shah", "professional"),
            ("Sam", "Brook", "staff"),
            ("Lee", "Chan", "professional"),
            ("Ana", "Silva", "staff"),
            ("Ben", "Ortiz", "professional"),
        ]
        for index, (first, last, capacity) in enumerate(names):
            username = MEMBER if index == 0 else f"{first.lower()}@harbour.example"
            user = UserFactory(username=username, first_name=first, last_name=last)
            MemberFactory(organisation=organisation, user=user, role=Role.MEMBER)
            person = PersonFactory(organisation=organisation, name=f"{first} {last}", user=user)
            seats.append(
                Seat.objects.create(
                    body=board,
                    person=person,
                    capacity=capacity,
                    stakeholder_group=users_group if capacity == "service_user" else staff_group,
                    term_start=datetime.date.fromisoformat(START),
                )
            )
        board.status = Body.Status.ACTIVE
        board.save(update_fields=["status"])
    with scope(organisation=organisation):
        item = decisions.item_propose(
            body=board,
            title=ITEM_TITLE,
            description="Families who work in the week could come on Saturdays.",
            actor=facilitator,
        )
        decisions.voting_open(item=item, actor=facilitator)
        for seat, choice in zip(seats[1:5], ("for", "for", "against", "for"), strict=True):
            decisions.vote_cast(item=item, seat=seat, choice=choice, actor=seat.person.user)
    return {"item": item, "maya_seat": seats[0], "project": project}


def log_in(page: Page, username: str, name: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address or username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(f"Logged in as {name}")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text(re.compile(r"^Logged in as "))).to_have_count(0)


def open_project(page: Page) -> None:
    page.get_by_role("link", name="Projects", exact=True).first.click()
    page.get_by_role("link", name=PROJECT_TITLE).click()
    expect(page.get_by_role("heading", level=1, name=PROJECT_TITLE)).to_be_visible()
    assert_accessible(page)


def open_item(page: Page) -> None:
    open_project(page)
    page.get_by_role("region", name="Decisions").get_by_role(
        "link", name="Items of the Project Board"
    ).click()
    expect(page.get_by_role("heading", level=1, name="Items of the Project Board")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=ITEM_TITLE).click()
    expect(page.get_by_role("heading", level=1, name=ITEM_TITLE)).to_be_visible()
    assert_accessible(page)


def tab_to(page: Page, name: str, limit: int = 120) -> None:
    """Press Tab until the button called `name` has the focus: it must be
    reachable by keyboard alone."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement; return e && e.tagName === 'BUTTON' ? e.textContent.trim() : ''; }"
        )
        if focused == name:
            return
    raise AssertionError(f"The {name!r} button cannot be reached with the Tab key.")


@pytest.mark.rule("BOARD-5")
@pytest.mark.rule("LEDGER-1")
@pytest.mark.rule("BOARD-7")
def test_a_member_votes_and_finds_the_decision_in_the_ledger(page: Page) -> None:
    arranged = _arrange()
    item: AgendaItem = arranged["item"]  # type: ignore[assignment]

    # A board member opens the item and speaks on it.
    log_in(page, MEMBER, "Maya Thompson")
    open_item(page)
    expect(page.get_by_text("You sit on the Project Board as Service user.")).to_be_visible()
    expect(page.get_by_text("4 of 10 members have voted.")).to_be_visible()
    page.get_by_label("Your comment").fill("Saturday sessions would let my sister come with me.")
    page.get_by_role("button", name="Add the comment").click()
    expect(page.get_by_text("Your comment was added.")).to_be_visible()
    expect(page.get_by_text("Saturday sessions would let my sister come with me.")).to_be_visible()
    assert_accessible(page)

    # She votes with the keyboard alone: Tab to "For", press Enter.
    page.goto(page.url.split("#", 1)[0])
    tab_to(page, "For")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your vote “For” was recorded.")).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"You voted For\. You can change your vote until voting closes\."))
    ).to_be_visible()
    expect(page.get_by_text("5 of 10 members have voted.")).to_be_visible()
    assert_accessible(page)
    with scopes_disabled():
        vote = Vote.objects.get(item=item, seat=arranged["maya_seat"])
    assert vote.choice == "for" and vote.recorded_by is None
    log_out(page)

    # The facilitator closes the vote: the result goes into the ledger.
    log_in(page, FACILITATOR, "Tom Achebe")
    open_item(page)
    page.get_by_role("button", name="Close voting and record the result").click()
    expect(page.get_by_text("Voting closed: agreed. The decision is entry 1 of the ledger.")).to_be_visible()
    expect(page.get_by_role("heading", name="Outcome")).to_be_visible()
    assert_accessible(page)
    log_out(page)

    # The member finds the outcome in the ledger, with the chain verified.
    log_in(page, MEMBER, "Maya Thompson")
    open_project(page)
    page.get_by_role("region", name="Decisions").get_by_role("link", name="The decision ledger").click()
    expect(page.get_by_role("heading", level=1, name="Decision ledger")).to_be_visible()
    expect(page.get_by_text("Chain verified.")).to_be_visible()
    row = page.get_by_role("row", name=re.compile(ITEM_TITLE))
    expect(row).to_contain_text("Agreed")
    expect(row).to_contain_text("for 4, against 1, abstain 0")
    with scopes_disabled():
        entry = DecisionEntry.objects.get(item=item)
    expect(page.get_by_text(entry.entry_hash, exact=True)).to_be_visible()
    assert_accessible(page)
    row.get_by_role("link", name=ITEM_TITLE).click()
    expect(page.get_by_role("heading", level=1, name=f"Entry 1: {ITEM_TITLE}")).to_be_visible()
    expect(page.get_by_text("Maya Thompson (Service user): For")).to_be_visible()
    assert_accessible(page)
    log_out(page)

    # A project manager tries to change the budget: it becomes a proposal.
    log_in(page, MANAGER, "Rachel Lowe")
    open_project(page)
    page.get_by_role("navigation", name="Parts of this project").get_by_role("link", name="Budget").click()
    expect(page.get_by_role("heading", level=1, name="Budget")).to_be_visible()
    assert_accessible(page)
    form = page.get_by_role("region", name="Propose a budget change")
    form.get_by_label("Change a budget line").check()
    form.get_by_label("Which budget line?").select_option(label="Rent (Harbour Town Council, £9,000.00)")
    form.get_by_label("Amount in pounds").fill("12000")
    form.get_by_role("button", name="Put the change to the board").click()
    expect(
        page.get_by_text(
            "Your change was put to the Project Board as a proposal: it takes effect only if the board agrees it (BOARD-7)."
        )
    ).to_be_visible()
    expect(
        page.get_by_text("Change the budget line “Rent” (Harbour Town Council, now £9,000.00)")
    ).to_be_visible()
    assert_accessible(page)
    with scopes_disabled():
        assert BudgetLine.objects.get(project=arranged["project"]).amount == Decimal("9000")
        proposal = AgendaItem.objects.get(kind="budget_change")
    assert proposal.status == "open" and proposal.proposal["changes"][0]["amount"] == "12000.00"
