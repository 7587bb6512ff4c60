"""English and Welsh (TEAM-10: an open, accessible public page): every page
carries a language switcher that works without JavaScript; choosing Welsh
changes the public page and its forms, and the cached public page is kept
per language."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from projects.models import Project
from stakeholders.public_forms import InvolvementForm, PublicInputForm
from stakeholders.signals_public import connect_public_page_signals
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    connect_public_page_signals()
    cache.clear()


def page_url(tenant: Tenant) -> str:
    return reverse(
        "public_project:project_page", kwargs={"org": tenant.organisation.slug, "project": "day-service"}
    )


def switch(client, language: str, next_url: str):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


@pytest.mark.rule("TEAM-10")
def test_every_page_has_a_language_switcher_that_needs_no_javascript(
    tenant_a: Tenant, client, client_as
) -> None:
    for response, shared in (
        # The public page is one copy for every anonymous visitor: no token in it.
        (client.get(page_url(tenant_a)), True),
        (client.get(reverse("login")), False),
        (
            client_as(tenant_a.facilitator).get(reverse("projects:dashboard", kwargs={"org": "riverside"})),
            False,
        ),
    ):
        html = response.content.decode()
        form = re.search(r'<form action="/i18n/setlang/" method="post"[^>]*>(.*?)</form>', html, re.S)
        assert form, "no language switcher"
        inner = form.group(1)
        assert ('name="csrfmiddlewaretoken"' in inner) is not shared
        assert '<label class="field__label" for="language-select">' in inner
        assert '<select id="language-select" name="language">' in inner
        assert 'value="en-gb"' in inner and 'value="cy"' in inner and "Cymraeg" in inner
        assert '<button type="submit"' in inner


@pytest.mark.rule("TEAM-10")
def test_choosing_welsh_changes_the_public_page_and_back(tenant_a: Tenant, client) -> None:
    url = page_url(tenant_a)
    english = client.get(url).content.decode()
    assert '<html lang="en-GB">' in english and "How to take part" in english
    done = switch(client, "cy", url)
    assert done.status_code == 302 and done["Location"] == url
    welsh = client.get(url).content.decode()
    assert '<html lang="cy">' in welsh
    assert "Sut i gymryd rhan" in welsh and "How to take part" not in welsh
    assert "Dywedwch wrthym beth yw eich barn" in welsh and "Bwrdd y Prosiect" in welsh
    assert "selected>Cymraeg</option>" in welsh
    # The cached page is kept per language: English again is English, not the Welsh copy.
    switch(client, "en-gb", url)
    again = client.get(url).content.decode()
    assert "How to take part" in again and "Sut i gymryd rhan" not in again


@pytest.mark.rule("TEAM-9")
def test_the_input_form_reads_in_welsh(tenant_a: Tenant, client, in_org_a: None) -> None:
    with translation.override("en-gb"):
        english = {
            name: str(field.label)
            for name, field in PublicInputForm(project=_project(tenant_a)).fields.items()
        }
    with translation.override("cy"):
        form = PublicInputForm(project=_project(tenant_a))
        welsh = {name: str(field.label) for name, field in form.fields.items()}
        choices = [str(label) for _value, label in form.fields["as_who"].choices]
        involvement = {name: str(field.label) for name, field in InvolvementForm().fields.items()}
    assert all(welsh[name] != english[name] for name in english), welsh
    assert "Fel gofalwr" in choices
    assert involvement["levels"] == "Sut hoffech chi gymryd rhan?"
    switch(client, "cy", "/")
    url = reverse("public_project:input_form", kwargs={"org": "riverside", "project": "day-service"})
    html = client.get(url).content.decode()
    assert "Beth hoffech chi ei ddweud wrthym?" in html and "Anfon" in html
    refused = client.post(url, {"message": ""}).content.decode()
    assert "Mae problem" in refused and "Dywedwch wrthym beth yw eich barn." in refused


def _project(tenant: Tenant) -> Project:
    return Project.objects.get(pk=tenant.project.pk)


def _po_entries(path: Path) -> dict[str, str]:
    """{msgid: msgstr} of the singular, translated entries of a .po file."""
    entries: dict[str, str] = {}
    current: dict[str, str] = {}
    field = ""
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if current.get("msgid") and current.get("msgstr") and "msgid_plural" not in current:
                entries[current["msgid"]] = current["msgstr"]
            current, field = {}, ""
        elif line.startswith("#"):
            continue
        elif match := re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line):
            field = match.group(1)
            current[field] = ast.literal_eval(f'"{match.group(2)}"')
        elif line.startswith('"') and field:
            current[field] += ast.literal_eval(line)
    return entries


def test_the_compiled_welsh_catalogue_matches_its_source() -> None:
    """The .mo shipped beside the .po holds every translation the .po has:
    run `manage.py compilemessages` after changing the .po."""
    folder = Path(settings.BASE_DIR) / "locale" / "cy" / "LC_MESSAGES"
    source = _po_entries(folder / "django.po")
    with (folder / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    assert len(source) > 200
    stale = [msgid for msgid, msgstr in source.items() if catalogue.gettext(msgid) != msgstr]
    assert not stale, f"django.mo is out of date for: {stale[:5]}"


def test_anonymous_visitors_share_one_copy_of_the_public_page(tenant_a: Tenant, client) -> None:
    """The public page is rendered once per project, version and language
    for every anonymous visitor, and follows changes to the project."""
    from django.test import Client
    from django_scopes import scopes_disabled

    first = client.get(page_url(tenant_a)).content
    assert Client().get(page_url(tenant_a)).content == first
    with scopes_disabled():
        project = tenant_a.project
        project.title = "A renamed day service"
        project.save()
    assert "A renamed day service" in Client().get(page_url(tenant_a)).content.decode()
    visitor = Client(enforce_csrf_checks=True)
    language_changed = visitor.post(reverse("set_language"), {"language": "cy", "next": page_url(tenant_a)})
    assert language_changed.status_code == 302  # no CSRF token needed to change language
