"""A member of the public, on a narrow phone screen, reads a project's public
page and gives input (once without JavaScript, once by keyboard alone); a
facilitator answers; the answer appears on the public page (TEAM-9, TEAM-10).
axe-core checks every page."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from projects.models import Role
from stakeholders.signals_public import connect_public_page_signals
from tests.browser.accessibility import assert_accessible
from tests.factories import PASSWORD, MemberFactory, OrganisationFactory, ProjectFactory, UserFactory

PUBLIC = "/p/riverside/day-centre/"


@pytest.fixture
def project(transactional_db):
    connect_public_page_signals()
    cache.clear()
    with scopes_disabled():
        organisation = OrganisationFactory(name="Riverside Council", slug="riverside")
        facilitator = UserFactory(username="fay@riverside.example", first_name="Fay", last_name="Ward")
        MemberFactory(organisation=organisation, user=facilitator, role=Role.FACILITATOR)
        return ProjectFactory(
            organisation=organisation, title="Day centre", slug="day-centre", status="scoping"
        )


def fill_form_by_keyboard(page: Page, message: str) -> None:
    page.get_by_label("What would you like to tell us?").focus()
    page.keyboard.type(message)
    page.keyboard.press("Tab")  # the first radio of "How does the project affect you?"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # on to the next group's first radio
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.get_by_label("Your name").focus()
    page.keyboard.type("Sam")
    page.keyboard.press("Tab")
    page.keyboard.type("sam@example.org")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the consent checkbox
    expect(page.get_by_role("checkbox", name="I agree", exact=False)).to_be_checked()
    page.get_by_role("button", name="Send").focus()
    page.keyboard.press("Enter")


@pytest.mark.rule("TEAM-10")
@pytest.mark.rule("TEAM-9")
def test_public_gives_input_and_sees_the_answer(page: Page, browser, app_server, project) -> None:
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(PUBLIC)
    expect(page.get_by_role("heading", level=1, name="Day centre")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)

    page.get_by_role("link", name="Tell us what you think").click()
    # An empty form shows the errors, accessibly, and keeps what was typed.
    page.get_by_label("Your name").fill("Sam")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_label("Your name")).to_have_value("Sam")
    assert_accessible(page)
    page.get_by_label("Your name").fill("")

    fill_form_by_keyboard(page, "Please keep the minibus.")
    expect(page.get_by_role("heading", level=1, name="Thank you: we have your message")).to_be_visible()
    assert_accessible(page)

    # Without JavaScript the form works the same.
    context = browser.new_context(
        base_url=app_server.url, java_script_enabled=False, viewport={"width": 360, "height": 780}
    )
    try:
        plain = context.new_page()
        plain.goto(PUBLIC + "input/")
        plain.get_by_label("What would you like to tell us?").fill("Lunch should be cheaper.")
        plain.get_by_label("Indirectly").check()
        plain.get_by_label("Both", exact=True).check()
        plain.get_by_label("As a carer").check()
        plain.get_by_role("checkbox", name="I agree", exact=False).check()
        plain.get_by_role("button", name="Send").click()
        expect(plain.get_by_role("heading", level=1, name="Thank you: we have your message")).to_be_visible()
    finally:
        context.close()

    # A facilitator answers.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/accounts/login/")
    page.get_by_label("Email address or username").fill("fay@riverside.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto("/o/riverside/projects/day-centre/inputs/")
    assert_accessible(page)
    page.get_by_role("link", name="Please keep the minibus.", exact=False).click()
    expect(page.get_by_text("sam@example.org")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your answer").fill("The minibus stays.")
    page.get_by_label("Incorporated", exact=True).check()
    page.get_by_label("How it was incorporated, or why not").fill("It is in next year's budget.")
    page.get_by_role("button", name="Publish the answer").click()
    expect(page.get_by_role("heading", name="Our public answer")).to_be_visible()
    assert_accessible(page)
    page.goto("/o/riverside/projects/day-centre/scoping/")
    assert_accessible(page)
    page.goto("/o/riverside/projects/day-centre/group-invitations/")
    assert_accessible(page)

    # The public page shows the answer, without the name.
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(PUBLIC)
    expect(page.get_by_text("The minibus stays.")).to_be_visible()
    expect(page.get_by_text("Please keep the minibus.")).to_be_visible()
    assert "sam@example.org" not in page.content()
    assert_accessible(page)


@pytest.mark.rule("TEAM-8")
@pytest.mark.rule("TEAM-7")
def test_invited_person_says_how_they_would_like_to_be_involved(
    page: Page, browser, app_server, project
) -> None:
    """The personal link of an emailed invitation opens a short form, usable
    by keyboard and without JavaScript, also in Welsh; the facilitator sees
    the answer."""
    from django.utils import timezone
    from django_scopes import scope

    from stakeholders.involvement import involvement_path
    from stakeholders.models import StakeholderGroup
    from stakeholders.participation import group_invitation_record

    with scopes_disabled():
        group = StakeholderGroup.objects.create(
            project=project, name="Carers", affected="indirectly", impact="mixed"
        )
        facilitator = project.organisation.members.get().user
    with scope(organisation=project.organisation):
        invitation = group_invitation_record(
            group=group,
            channel="email",
            sent_on=timezone.localdate(),
            email="carers@example.org",
            formats_offered=["easy_read"],
            actor=facilitator,
        )
        link = involvement_path(invitation)

    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(link)
    expect(page.get_by_role("heading", level=1, name="How would you like to be involved?")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
    # Nothing chosen: a clear, accessible error, and what was typed stays.
    page.get_by_label("Your name").fill("Ali")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_label("Your name")).to_have_value("Ali")
    assert_accessible(page)
    # By keyboard: tick two levels.
    page.get_by_label("A seat on the Project Board", exact=False).focus()
    page.keyboard.press("Space")
    page.get_by_label("Coming to events and workshops").focus()
    page.keyboard.press("Space")
    page.get_by_label("By telephone or text message").check()
    page.get_by_label("Your email address, phone number or postal address").fill("01632 960 123")
    page.get_by_label("What would help you take part?").fill("Step-free access.")
    page.get_by_role("button", name="Send my answer").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Thank you: we have your answer")).to_be_visible()
    expect(page.get_by_text("Coming to events and workshops")).to_be_visible()
    assert_accessible(page)

    # Without JavaScript, in Welsh, the same link changes the answer.
    context = browser.new_context(
        base_url=app_server.url, java_script_enabled=False, viewport={"width": 360, "height": 780}
    )
    try:
        plain = context.new_page()
        plain.goto(link)
        # The switcher is a native disclosure: it opens without JavaScript.
        plain.locator("#language-switcher summary").click()
        plain.get_by_label("Choose a language").select_option("cy")
        plain.get_by_role("button", name="Change language").click()
        expect(plain.get_by_role("heading", level=1, name="Sut hoffech chi gymryd rhan?")).to_be_visible()
        expect(plain.locator("html")).to_have_attribute("lang", "cy")
        plain.get_by_label("Nid wyf am gymryd rhan ar hyn o bryd").check()
        for level in ("Sedd ar Fwrdd y Prosiect", "Dod i ddigwyddiadau a gweithdai"):
            plain.get_by_label(level, exact=False).uncheck()
        plain.get_by_role("button", name="Anfon fy ateb").click()
        expect(
            plain.get_by_role("heading", level=1, name="Diolch: mae eich ateb wedi'n cyrraedd")
        ).to_be_visible()
    finally:
        context.close()

    # The Welsh pages pass axe-core too (axe needs JavaScript, so in the first browser).
    page.goto(link)
    page.locator("#language-switcher summary").click()
    page.get_by_label("Choose a language").select_option("cy")
    page.get_by_role("button", name="Change language").click()
    expect(page.get_by_role("heading", level=1, name="Sut hoffech chi gymryd rhan?")).to_be_visible()
    expect(page.get_by_label("Nid wyf am gymryd rhan ar hyn o bryd")).to_be_checked()  # the answer above
    assert_accessible(page)
    # A broken link gets a clear page, in the chosen language too.
    page.goto(link.replace("/involve/", "/involve/x"))
    expect(page.get_by_role("heading", level=1, name="Nid yw'r ddolen hon yn gweithio")).to_be_visible()
    assert_accessible(page)
    page.locator("#language-switcher summary").click()
    page.get_by_label("Dewiswch iaith").select_option("en-gb")
    page.get_by_role("button", name="Newid iaith").click()
    expect(page.get_by_role("heading", level=1, name="This link does not work")).to_be_visible()

    # The facilitator sees one answer, updated, with how to reach them.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/accounts/login/")
    page.get_by_label("Email address or username").fill("fay@riverside.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto("/o/riverside/projects/day-centre/group-invitations/")
    expect(page.get_by_text("Not to be involved at the moment")).to_be_visible()
    expect(page.get_by_text("through the involvement form")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Record response", exact=False).click()
    expect(
        page.get_by_role("heading", name="Their answer to the involvement form", exact=False)
    ).to_be_visible()
    assert_accessible(page)
