"""Browser tests: Playwright driving the system Chromium against the running
app (gunicorn with production settings on the test database, see
`server.py`), with axe-core checking every page visited.

Every test in this folder is marked `browser`. Without /usr/bin/chromium the
tests are skipped locally (install it with `apt-get install chromium`) and
fail in CI (CI=true), where the browser journeys must run. When a test fails,
screenshots of the pages it visited and of the page as it was at the end go
to `test-artifacts/<test name>/`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.accessibility import visited
from tests.browser.server import AppServer, start_app_server, tests_database_url

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IN_CI = os.environ.get("CI", "").lower() == "true"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
BROWSER_DIR = Path(__file__).resolve().parent
DEFAULT_TIMEOUT_MS = 15_000


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test of this folder `browser` (before the root conftest
    sorts browser tests last)."""
    del config
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Keep each phase's report on the item so fixtures can see a failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)."
        if IN_CI:
            pytest.fail(f"{message} CI must run the browser tests.")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in the main thread; Django's
    # ORM then refuses to run in it unless told this is deliberate.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def app_server(
    django_db_setup, django_db_blocker, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppServer]:
    """The app as deployed: gunicorn with production settings on the test
    database (see tests/browser/server.py)."""
    with django_db_blocker.unblock():
        database_url = tests_database_url()
    from django.conf import settings

    yield from start_app_server(tmp_path_factory.mktemp("app-server"), database_url, settings.SECRET_KEY)


@pytest.fixture
def page(
    browser, app_server: AppServer, transactional_db, request: pytest.FixtureRequest
) -> Iterator[object]:
    """A fresh browser context (no cookies) with a page on the running app.

    `page.goto("/accounts/login/")` works: relative URLs resolve against the
    server."""
    app_server.clear_emails()
    context = browser.new_context(
        base_url=app_server.url, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    visited.pop(id(page), None)
    try:
        yield page
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            _save_screenshots(request.node.name, page)
        visited.pop(id(page), None)
        context.close()


def _save_screenshots(test_name: str, page) -> None:
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name)
    folder.mkdir(parents=True, exist_ok=True)
    for number, (url, png) in enumerate(visited.get(id(page), []), start=1):
        slug = re.sub(r"[^A-Za-z0-9]+", "-", url.split("://", 1)[-1].split("/", 1)[-1]).strip("-")
        (folder / f"{number:02d}-{slug or 'home'}.png").write_bytes(png)
    try:
        page.screenshot(path=str(folder / "zz-at-failure.png"), full_page=True)
        (folder / "zz-at-failure.html").write_text(page.content())
    except Exception as exc:  # the page may have crashed; keep the earlier screenshots
        (folder / "zz-at-failure.txt").write_text(f"No screenshot: {exc}\n")
