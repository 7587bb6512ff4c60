"""Screenshots of the main pages for the README, from the demo data served by
gunicorn with production settings, taken in the system Chromium.

    make screenshots            (or: DEBUG=true .venv/bin/python tools/screenshots.py)

It builds a fresh SQLite database in a temporary folder (migrate and
`seed_demo`), starts the app on it and saves PNGs to docs/screenshots/: the
pages a facilitator, a board member, an auditor and a member of the public
see, at a desktop width, and the public pages also at 360 px (a small
phone)."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ORG = "northmoor"
PROJECT = "beacon-day-service"


def pages(lookup: dict[str, int]) -> list[tuple[str, str | None, str, int]]:
    """(file name, login or None, path, viewport width)."""
    project = f"/o/{ORG}/projects/{PROJECT}"
    return [
        ("01-dashboard", "facilitator@northmoor.example", f"/o/{ORG}/", 1280),
        ("02-project", "facilitator@northmoor.example", f"{project}/", 1280),
        ("03-board", "facilitator@northmoor.example", f"{project}/bodies/board/", 1280),
        (
            "04-item-vote",
            "serviceuser@northmoor.example",
            f"{project}/bodies/board/items/{lookup['item']}/",
            1280,
        ),
        ("05-ledger", "facilitator@northmoor.example", f"{project}/ledger/", 1280),
        ("06-input-triage", "facilitator@northmoor.example", f"{project}/inputs/", 1280),
        ("07-flags", "facilitator@northmoor.example", f"/o/{ORG}/flags/", 1280),
        ("08-compliance-report", "auditor@northmoor.example", f"{project}/compliance/", 1280),
        ("09-public-project", None, f"/p/{ORG}/{PROJECT}/", 1280),
        ("10-public-project-phone", None, f"/p/{ORG}/{PROJECT}/", 360),
        ("11-public-input-phone", None, f"/p/{ORG}/{PROJECT}/input/", 360),
    ]


def main() -> int:
    if not Path(CHROMIUM).exists():
        print(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium).", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="coprod-screens-") as work:
        database_url = f"sqlite:///{Path(work) / 'demo.sqlite3'}"
        os.environ["DATABASE_URL"] = database_url
        os.environ.setdefault("DEBUG", "true")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coprod.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django_scopes import scopes_disabled

        from boards.models import AgendaItem
        from projects.management.commands.seed_demo import DEMO_PASSWORD
        from tests.browser.server import start_app_server

        call_command("migrate", verbosity=0)
        call_command("seed_demo", verbosity=0, stdout=io.StringIO())
        with scopes_disabled():
            item = (
                AgendaItem.objects.filter(body__project__slug=PROJECT, body__kind="board")
                .order_by("-status", "-pk")
                .values_list("pk", flat=True)
                .first()
            )
        with contextlib.contextmanager(start_app_server)(Path(work), database_url) as server:
            return _shoot(server.url, pages({"item": item or 0}), DEMO_PASSWORD)


def _shoot(base_url: str, wanted: list[tuple[str, str | None, str, int]], password: str) -> int:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS

    OUT.mkdir(parents=True, exist_ok=True)
    failures = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, login, path, width in wanted:
            context = browser.new_context(
                base_url=base_url, locale="en-GB", viewport={"width": width, "height": 900}
            )
            page = context.new_page()
            if login:
                page.goto("/accounts/login/")
                page.get_by_label("Email address or username").fill(login)
                page.get_by_label("Password").fill(password)
                page.get_by_role("button", name="Log in").click()
            response = page.goto(path)
            status = response.status if response else 0
            if status != 200:
                print(f"{name}: {path} answered {status}", file=sys.stderr)
                failures += 1
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
            print(f"{name}.png  {path}  ({width} px, {login or 'no account'})")
            context.close()
        browser.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
