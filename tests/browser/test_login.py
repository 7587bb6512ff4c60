"""The login page: accessible when empty and when showing an error, and it
logs a member in to their organisation."""

from __future__ import annotations

import re

from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from projects.models import Role
from tests.browser.accessibility import assert_accessible
from tests.factories import PASSWORD, MemberFactory, OrganisationFactory, UserFactory


def test_login_page_is_accessible_and_logs_in(page: Page) -> None:
    with scopes_disabled():
        organisation = OrganisationFactory(name="Riverside Council", slug="riverside")
        user = UserFactory(username="maya@riverside.example", first_name="Maya", last_name="Thompson")
        MemberFactory(organisation=organisation, user=user, role=Role.MEMBER)

    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", level=1, name="Log in")).to_be_visible()
    assert_accessible(page)

    # A wrong password shows the error on the page, and that state is accessible too.
    page.get_by_label("Email address or username").fill("maya@riverside.example")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1, name="Log in")).to_be_visible()
    expect(page.get_by_label("Email address or username")).to_have_value("maya@riverside.example")
    assert_accessible(page)

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Logged in as Maya Thompson")).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    assert_accessible(page)
