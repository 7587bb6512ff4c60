"""A carer on the Overview Group raises a dispute about a decision in a real
browser, and it is settled through the procedure the group agreed (GROUP-5).

The project, the seated and active Overview Group, its agreed procedure
(mediation, then a vote of the whole group) and a decision are arranged with
factories and services. Then, through the pages: Joan, a carer, raises a
dispute about the decision from its page, naming the professional on the
other side; Tom, the facilitator, names an independent mediator; Priya, the
mediator, records the mediation; Joan and Dr Haddad each agree, Dr Haddad
following the link in the email she was sent; the dispute shows as settled.
axe-core checks every page visited: zero WCAG 2.2 A/AA violations."""

from __future__ import annotations

import datetime
from urllib.parse import urlparse

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import Page, expect

from boards import decisions
from boards.models import Body, Seat
from disputes.models import Dispute
from projects.models import Role
from tests.browser.accessibility import assert_accessible
from tests.browser.server import AppServer
from tests.factories import (
    PASSWORD,
    MemberFactory,
    OrganisationFactory,
    PersonFactory,
    ProjectFactory,
    StakeholderGroupFactory,
    UserFactory,
)

PROJECT_TITLE = "A community hub at the old library"
DECISION = "Close the day centre on Friday afternoons"
JOAN = "joan@harbour.example"
NADIA = "nadia@harbour.example"
PRIYA = "priya@harbour.example"
TOM = "tom@harbour.example"


def _person(organisation, username: str, name: str, role: str = Role.MEMBER):
    first, last = name.rsplit(" ", 1)
    user = UserFactory(username=username, first_name=first, last_name=last)
    MemberFactory(organisation=organisation, user=user, role=role)
    return PersonFactory(organisation=organisation, name=name, user=user, email=username)


def _arrange() -> None:
    with scopes_disabled():
        organisation = OrganisationFactory(name="Harbour Town Council", slug="harbour")
        tom = UserFactory(username=TOM, first_name="Tom", last_name="Achebe")
        MemberFactory(organisation=organisation, user=tom, role=Role.FACILITATOR)
        project = ProjectFactory(organisation=organisation, title=PROJECT_TITLE, slug="community-hub")
        users = StakeholderGroupFactory(project=project, name="People who use the day service")
        carers = StakeholderGroupFactory(project=project, name="Family carers", affected="indirectly")
        staff = StakeholderGroupFactory(project=project, name="Council and NHS staff", is_professional=True)
        overview = Body.objects.get(project=project, kind="overview")
        seats = [
            Seat.objects.create(
                body=overview,
                person=_person(organisation, username, name),
                capacity=capacity,
                stakeholder_group=group,
                term_start=datetime.date(2026, 1, 1),
            )
            for username, name, capacity, group in (
                (JOAN, "Joan Whitfield", "carer", carers),
                ("maya@harbour.example", "Maya Thompson", "service_user", users),
                ("femi@harbour.example", "Femi Adeyemi", "service_user", users),
                (NADIA, "Nadia Haddad", "professional", staff),
            )
        ]
        overview.status = Body.Status.ACTIVE
        overview.save(update_fields=["status"])
        _person(organisation, PRIYA, "Priya Shah")

    def vote(item) -> None:
        decisions.voting_open(item=item, actor=tom)
        for seat in seats:
            decisions.vote_cast(item=item, seat=seat, choice="for", actor=seat.person.user)
        decisions.voting_close(item=item, actor=tom)

    with scope(organisation=organisation):
        procedure = decisions.item_propose(
            body=overview,
            title="Our dispute procedure",
            kind="dispute_procedure",
            proposal={"stages": [{"kind": "mediation", "days": 28}, {"kind": "body_vote", "days": 14}]},
            actor=tom,
        )
        vote(procedure)
        vote(decisions.item_propose(body=overview, title=DECISION, actor=tom))


def log_in(page: Page, username: str, name: str) -> None:
    if page.get_by_role("button", name="Log out").count():
        page.get_by_role("button", name="Log out").click()
    page.goto("/accounts/login/")
    page.get_by_label("Email address or username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(f"Logged in as {name}")).to_be_visible()


def open_group_disputes(page: Page) -> None:
    """Projects → the project → the Overview Group → its disputes."""
    page.get_by_role("link", name="Projects", exact=True).first.click()
    page.get_by_role("link", name=PROJECT_TITLE).click()
    page.get_by_role("region", name="Governing bodies").get_by_role(
        "link", name="Overview Group", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1, name="Overview Group")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Disputes and the dispute procedure").click()
    expect(page.get_by_role("heading", level=1, name="Disputes of the Overview Group")).to_be_visible()
    assert_accessible(page)


@pytest.mark.rule("GROUP-5")
def test_a_carer_raises_a_dispute_and_it_is_settled_by_agreement(page: Page, app_server: AppServer) -> None:
    _arrange()
    app_server.clear_emails()

    # Joan, a carer, finds the decision and raises a dispute about it.
    log_in(page, JOAN, "Joan Whitfield")
    page.get_by_role("link", name="Projects", exact=True).first.click()
    page.get_by_role("link", name=PROJECT_TITLE).click()
    assert_accessible(page)
    page.get_by_role("link", name="Items of the Overview Group").click()
    page.get_by_role("link", name=DECISION).click()
    expect(page.get_by_role("heading", level=1, name=DECISION)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Raise a dispute about this decision").click()
    expect(page.get_by_role("heading", level=1, name="Raise a dispute")).to_be_visible()
    # The decision is already chosen; she names who she disagrees with, in her own words.
    expect(page.get_by_label("A decision that was made", exact=False)).to_be_checked()
    expect(page.get_by_label("Which decision?")).to_contain_text(DECISION)
    assert_accessible(page)
    # Sent without saying what the disagreement is: the form says so and keeps her choices.
    page.get_by_label("Nadia Haddad (Professional)").check()
    page.get_by_role("button", name="Raise the dispute").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_label("Nadia Haddad (Professional)")).to_be_checked()
    assert_accessible(page)
    page.get_by_label("What is the disagreement?", exact=True).fill(
        "Closing on Friday afternoons leaves carers without their only break in the week."
    )
    page.get_by_label("What would you like to happen?").fill("Keep Friday afternoons open.")
    page.get_by_role("button", name="Raise the dispute").click()
    expect(page.get_by_text("Your dispute was raised.")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name="Dispute")).to_contain_text("Open")
    expect(
        page.get_by_role("heading", name="Stage 1: Mediation by a named independent person Now")
    ).to_be_visible()
    assert_accessible(page)
    with scopes_disabled():
        dispute = Dispute.objects.get()
        assert dispute.subject == "decision" and dispute.entry.item.title == DECISION
    # Both parties were emailed a link to the dispute page (by the server).
    (sent,) = app_server.sent_emails()
    assert NADIA in sent["To"] and JOAN in sent["To"]
    body = sent.get_payload(decode=True).decode()
    link = next(line for line in body.splitlines() if "/disputes/" in line).split()[-1]

    # Tom, the facilitator, names the independent mediator.
    log_in(page, TOM, "Tom Achebe")
    open_group_disputes(page)
    page.get_by_role("link", name=f"Dispute {dispute.pk}").click()
    expect(page.get_by_text("First name the independent mediator")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Independent mediator").select_option(label="Priya Shah")
    page.get_by_role("button", name="Save the record").click()
    expect(page.get_by_text("The stage was recorded.")).to_be_visible()
    # Tom keeps the record, but there is no way for him to close it.
    expect(page.get_by_text("cannot close, withdraw or decide a dispute")).to_be_visible()
    expect(page.get_by_role("button", name="Withdraw the dispute")).to_have_count(0)
    assert_accessible(page)

    # Priya, the mediator, records the mediation.
    log_in(page, PRIYA, "Priya Shah")
    open_group_disputes(page)
    page.get_by_role("link", name=f"Dispute {dispute.pk}").click()
    expect(page.get_by_text("You are the independent mediator of this stage.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("What happened").fill("We met at the library on Tuesday with Joan and Dr Haddad.")
    page.get_by_label("Result of this stage").fill("Proposal: keep Friday afternoons open from 1 to 4pm.")
    page.get_by_role("button", name="Save the record").click()
    expect(page.get_by_text("The stage was recorded.")).to_be_visible()
    expect(page.get_by_text("Proposal: keep Friday afternoons open from 1 to 4pm.")).to_be_visible()
    assert_accessible(page)

    # Joan agrees.
    log_in(page, JOAN, "Joan Whitfield")
    page.goto(urlparse(link).path)
    page.get_by_label("Anything you want to add").fill("Happy with 1 to 4pm.")
    page.get_by_role("button", name="I agree to settle the dispute").click()
    expect(page.get_by_text("The dispute ends when every party has agreed.")).to_be_visible()
    expect(page.get_by_text("1 of 2 has agreed to settle.")).to_be_visible()
    assert_accessible(page)

    # Dr Haddad follows the link in her email and agrees: the dispute is settled.
    log_in(page, NADIA, "Nadia Haddad")
    page.goto(urlparse(link).path)
    expect(page.get_by_text("Closing on Friday afternoons leaves carers")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="I agree to settle the dispute").click()
    expect(page.get_by_text("Every party has agreed: the dispute is settled.")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name="Dispute")).to_contain_text("Settled by agreement")
    expect(page.get_by_text("every party agreed")).to_be_visible()
    expect(page.get_by_role("button", name="I agree to settle the dispute")).to_have_count(0)
    assert_accessible(page)

    with scopes_disabled():
        dispute = Dispute.objects.get()
        assert dispute.status == "agreed"
        assert sorted(dispute.parties.values_list("seat__person__name", flat=True)) == [
            "Joan Whitfield",
            "Nadia Haddad",
        ]
        assert dispute.stages.get().mediator.name == "Priya Shah"
