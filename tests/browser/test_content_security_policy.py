"""The strict Content-Security-Policy in a real browser: pages, htmx
(swaps on load and on typing), the browsable API and the API docs run with no
violation reported by Chromium. (The login throttle's page is tested with
Django's client in tests/test_security.py: the server these journeys drive
may keep its cache per process.)"""

from __future__ import annotations

import re
from io import StringIO

from django.core.management import call_command
from playwright.sync_api import Page, expect

from projects.management.commands.seed_demo import DEMO_PASSWORD

# Runs before any page script (through the DevTools protocol, so the policy
# does not apply to it) and collects what the policy blocked on this page.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


def _violations(page: Page) -> list[str]:
    return page.evaluate("() => window.__cspViolations || []")


def test_pages_htmx_and_api_docs_run_under_the_policy(page: Page) -> None:
    call_command("seed_demo", "--force", stdout=StringIO())
    page.context.add_init_script(RECORD_VIOLATIONS)
    blocked: dict[str, list[str]] = {}

    def check(label: str) -> None:
        page.wait_for_load_state("networkidle")
        blocked[label] = _violations(page)

    page.goto("/accounts/login/")
    page.get_by_label("Email address or username").fill("admin@northmoor.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(re.compile(r"^Logged in as "))).to_be_visible()

    # The dashboard loads its flag summary with htmx (hx-trigger="load").
    page.goto("/o/northmoor/")
    expect(page.locator("#flag-summary-organisation")).to_be_visible()
    check("dashboard")

    page.get_by_role("link", name=re.compile("Beacon Street")).first.click()
    expect(page.locator("#flag-summary-project")).to_be_visible()
    check("project page")

    # Typing in the people search swaps the results in place (htmx).
    page.goto("/o/northmoor/people/")
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true") as swap:
        page.get_by_role("searchbox").fill("zzzz-nobody")
    assert swap.value.status == 200
    expect(page.locator("#people-results")).not_to_contain_text("@northmoor.example")
    check("people search")

    page.goto("/p/northmoor/beacon-day-service/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check("public project page")

    page.goto("/api/v1/orgs/")
    expect(page.get_by_role("heading", level=1, name="Organisation List")).to_be_visible()
    check("browsable API")

    # Swagger UI starts from its own script file and renders every operation.
    page.goto("/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() > 20
    check("API docs")

    assert {label: found for label, found in blocked.items() if found} == {}
