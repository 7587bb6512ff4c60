"""axe-core accessibility checks for Playwright pages (DESIGN.md: zero WCAG
2.2 A/AA violations on every page a journey visits; TEAM-10 for public pages).

`assert_accessible(page)` injects the vendored axe-core into the page, runs
it against the WCAG 2.0, 2.1 and 2.2 A/AA rules, and fails with every
violation: rule id, impact, what it means, and the elements that break it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE_PATH = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Screenshots of the pages a test has checked, written out if the test fails
# (see conftest.py). Keyed by the page object.
visited: dict[int, list[tuple[str, bytes]]] = {}

_RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, summary: n.failureSummary })),
  }));
}"""


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now and return its violations."""
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated, not added as a <script> tag: the site's Content-Security-
        # Policy refuses inline scripts, and the browser tests keep it on.
        page.evaluate(AXE_PATH.read_text(encoding="utf-8"))
    return page.evaluate(_RUN_AXE, WCAG_TAGS)


def format_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{len(violations)} accessibility violation(s) (WCAG 2.2 A/AA) on {url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>"
        )
        for node in violation["nodes"][:10]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}: {node['html'][:200]}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    ... and {len(violation['nodes']) - 10} more element(s)")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail if axe-core finds any WCAG 2.2 A/AA violation on the page."""
    violations = axe_violations(page)
    visited.setdefault(id(page), []).append((page.url, page.screenshot(full_page=True)))
    assert not violations, format_violations(page.url, violations)
