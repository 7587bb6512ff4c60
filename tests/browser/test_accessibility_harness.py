"""The accessibility check itself: axe-core really runs and really fails a
page that breaks WCAG, so a green journey means something."""

from __future__ import annotations

import pytest

from tests.browser.accessibility import assert_accessible, axe_violations

CLEAN = """<!DOCTYPE html><html lang="en-GB"><head><title>Fine</title></head>
<body><main><h1>Fine</h1><img src="data:," alt="A blank picture"></main></body></html>"""
BROKEN = """<!DOCTYPE html><html lang="en-GB"><head><title>Broken</title></head>
<body><main><h1>Broken</h1><img src="data:,">
<label>Name</label><input type="text" id="name">
<p style="color:#bbb;background:#fff">Pale text</p></main></body></html>"""


@pytest.fixture
def blank_page(browser):
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


def test_clean_page_passes(blank_page) -> None:
    blank_page.set_content(CLEAN)
    assert_accessible(blank_page)


def test_violations_are_found_and_reported(blank_page) -> None:
    blank_page.set_content(BROKEN)
    ids = {violation["id"] for violation in axe_violations(blank_page)}
    assert {"image-alt", "label", "color-contrast"} <= ids
    with pytest.raises(AssertionError, match=r"image-alt \(critical\)"):
        assert_accessible(blank_page)
