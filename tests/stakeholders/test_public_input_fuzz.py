"""Property tests of the public input form (TEAM-9): whatever anyone sends,
in any script, of any size, the form never answers 500; a valid submission is
stored exactly once with its text as typed (less the surrounding whitespace
the form trims); an invalid one comes back with the typed text in the form,
so nothing typed is lost.

The form is posted as a browser posts it (urlencoded), from a different
client address each time, with the per-address limit raised: the limit is
tested in test_public.py."""

from __future__ import annotations

import itertools
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils.html import escape
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stakeholders.models import InputAsWho, InputImpact, PublicInput, StakeholderGroup
from stakeholders.public_forms import MESSAGE_MAX
from tests.conftest import Tenant
from tests.stakeholders.test_public import form_url

pytestmark = [pytest.mark.django_db, pytest.mark.rule("TEAM-9")]

FUZZ = settings(
    max_examples=60,
    deadline=None,  # the machine may be busy; speed is not what is tested here
    database=None,  # no example files in the work tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ADDRESSES = (f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}" for n in itertools.count(1))

# Odd but valid text: right-to-left scripts and overrides, emoji sequences,
# combining marks, zero-width and line-separator characters, the last code
# points of the planes; and NUL, which PostgreSQL cannot store in text.
ODD = [
    "مرحبا، الخدمة مغلقة يوم السبت",
    "שלום \u202eevil\u202c",
    "👩\u200d👩\u200d👧 🏳️\u200d🌈 👍🏽",
    "Zalgo: Z\u0351\u0364a\u036bl\u0350g\u0356o",
    "\ufeffBOM and\u200b zero width",
    "line\u2028separator\u2029paragraph",
    "\uffff\U0010ffff\U0001f600",
    "tab\tand\r\nnew line\rreturn",
    "<script>alert(1)</script> & \"quotes\" 'single'",
    "nul\x00inside",
    "\x00",
]
any_text = st.one_of(
    st.text(max_size=300),  # any Unicode, no surrogates (they cannot be sent as UTF-8)
    st.sampled_from(ODD),
    st.lists(st.sampled_from(ODD), min_size=1, max_size=5).map(" ".join),
    st.sampled_from(["", " ", "\n\t ", "\u3000\u2003"]),  # empty, or only whitespace
)
# Over the limits: more than MESSAGE_MAX characters, or more than the
# request body limit (1 MB by default), which gets its own 413 page.
huge_text = st.one_of(
    st.text(min_size=1, max_size=12).map(lambda t: t * (MESSAGE_MAX // len(t) + 1)),
    st.just("é" * (MESSAGE_MAX + 1)),
    st.just("x" * 1_100_000),
)


def _choice(values: list[str]) -> st.SearchStrategy[str | None]:
    """Mostly a valid choice; sometimes something else, or nothing at all."""
    return st.one_of(st.sampled_from(values), any_text, st.none())


def _message_ok(message: str | None) -> bool:
    """What the form accepts as a message: text left after trimming, no NUL,
    within the limit."""
    if message is None:
        return False
    trimmed = message.strip()
    return bool(trimmed) and "\x00" not in trimmed and len(trimmed) <= MESSAGE_MAX


@pytest.fixture
def fuzz_form(tenant_a: Tenant, settings) -> dict[str, Any]:
    settings.INPUT_RATE_LIMIT_PER_HOUR = 1_000_000
    with scopes_disabled():
        group = StakeholderGroup.objects.get(project=tenant_a.project, name="Service users")
    return {"url": form_url(tenant_a), "project": tenant_a.project, "group": group}


def _post(form: dict[str, Any], fields: dict[str, str | None]) -> tuple[Any, list[PublicInput]]:
    """Post the fields (None: left out) and return the answer and what was stored."""
    sent = {name: value for name, value in fields.items() if value is not None}
    with scopes_disabled():
        before = set(PublicInput.objects.filter(project=form["project"]).values_list("pk", flat=True))
    response = Client().post(
        form["url"],
        urlencode(sent),
        content_type="application/x-www-form-urlencoded",
        REMOTE_ADDR=next(ADDRESSES),
    )
    with scopes_disabled():
        new = list(PublicInput.objects.filter(project=form["project"]).exclude(pk__in=before))
    return response, new


@FUZZ
@given(
    message=st.one_of(any_text, st.text(min_size=1, max_size=MESSAGE_MAX // 20).map(lambda t: t * 20)),
    name=st.text(max_size=200),
    contact=st.sampled_from(["", "sam@example.org", "07700 900123", "+44 (0)20 7946 0958", "  a@b.org  "]),
    affected=st.sampled_from(StakeholderGroup.Affected.values),
    impact=st.sampled_from(InputImpact.values),
    as_who=st.sampled_from(InputAsWho.values),
    with_group=st.booleans(),
)
def test_a_valid_submission_is_stored_once_as_typed(
    fuzz_form: dict[str, Any],
    message: str,
    name: str,
    contact: str,
    affected: str,
    impact: str,
    as_who: str,
    with_group: bool,
) -> None:
    # The message is any text, so also empty or with a NUL: those must be refused.
    valid_name = len(name.strip()) <= 200 and "\x00" not in name
    fields = {
        "message": message,
        "affected": affected,
        "impact": impact,
        "as_who": as_who,
        "stakeholder_group": str(fuzz_form["group"].pk) if with_group else "",
        "name": name,
        "contact": contact,
        "consent": "on",
        "website": "",
    }
    response, new = _post(fuzz_form, fields)
    if not (_message_ok(message) and valid_name):
        assert response.status_code == 400
        assert not new
        return
    assert response.status_code == 302, response.content[:2000]
    assert response["Location"].endswith("/input/thanks/")
    assert len(new) == 1
    (stored,) = new
    assert stored.message == message.strip()
    assert stored.name == name.strip()
    assert stored.contact == contact.strip()
    assert (stored.affected, stored.impact, stored.as_who) == (affected, impact, as_who)
    assert stored.stakeholder_group_id == (fuzz_form["group"].pk if with_group else None)


@settings(FUZZ, max_examples=120)
@given(
    message=st.one_of(any_text, huge_text, st.none()),
    name=st.one_of(any_text, huge_text, st.none()),
    contact=st.one_of(any_text, st.emails(), st.none()),
    affected=_choice(StakeholderGroup.Affected.values),
    impact=_choice(InputImpact.values),
    as_who=_choice(InputAsWho.values),
    stakeholder_group=st.one_of(
        st.just("group"),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        any_text,
        st.none(),
    ),
    consent=st.one_of(st.sampled_from(["on", "true", "1"]), any_text, st.none()),
    website=st.one_of(st.just(""), any_text, st.none()),
)
def test_anything_sent_gets_an_answer_and_keeps_what_was_typed(
    fuzz_form: dict[str, Any], **fields: str | None
) -> None:
    if fields["stakeholder_group"] == "group":
        fields["stakeholder_group"] = str(fuzz_form["group"].pk)
    response, new = _post(fuzz_form, fields)  # a crash would raise here: never a 500
    size = len(urlencode({k: v for k, v in fields.items() if v is not None}).encode())
    if size > 1_048_576:
        assert response.status_code == 413
        assert not new
        return
    assert response.status_code in (302, 400), response.status_code
    robot = bool((fields["website"] or "").strip())
    if response.status_code == 302:
        assert _message_ok(fields["message"])
        if robot:
            assert not new  # a filled honeypot: thanked, nothing saved
        else:
            assert len(new) == 1
            assert new[0].message == fields["message"].strip()
        return
    assert not new
    html = response.content.decode()
    # Nothing typed is lost: every text field is back in the form as typed.
    for name in ("message", "name", "contact"):
        if fields[name]:
            assert escape(fields[name]) in html, name
