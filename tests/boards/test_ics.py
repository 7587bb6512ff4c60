"""The public iCalendar feed of a body's meetings (TEAM-10: the process is
open): RFC 5545 written by hand, so its format, escaping and folding are
checked here; it never shows the online link or anyone's name, and one
organisation's slug never shows another's meetings (TENANT-1)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from boards.models import Body, Meeting
from boards.views.bodies import ics_escape, ics_fold
from tests.boards.conftest import board_of, seat_directly
from tests.conftest import Tenant
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def feed_url(organisation_slug: str, project_slug: str, kind: str = "board") -> str:
    return reverse(
        "public_boards:body_calendar",
        kwargs={"org": organisation_slug, "project": project_slug, "kind": kind},
    )


def meeting(body: Body, **fields) -> Meeting:
    with scopes_disabled():
        return Meeting.objects.create(
            body=body,
            scheduled_at=fields.pop(
                "scheduled_at", datetime.datetime(2026, 6, 1, 17, 30, tzinfo=datetime.UTC)
            ),
            **fields,
        )


def unfold(text: str) -> list[str]:
    """Content lines as RFC 5545 §3.1 reads them back."""
    return text.replace("\r\n ", "").split("\r\n")


def events(text: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in unfold(text):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            assert current is not None
            found.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = value
    return found


# --- The escaping and folding helpers -------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("Room 2, first floor", "Room 2\\, first floor"),
        ("Lift; hearing loop", "Lift\\; hearing loop"),
        ("C:\\temp", "C:\\\\temp"),
        ("Line one\nLine two", "Line one\\nLine two"),
        ("Windows\r\nline", "Windows\\nline"),
        ("Old Mac\rline", "Old Mac\\nline"),
        ("a\\,b", "a\\\\\\,b"),
        ("Colons: stay", "Colons: stay"),
    ],
)
def test_text_values_are_escaped(raw: str, escaped: str) -> None:
    assert ics_escape(raw) == escaped


def test_short_lines_are_not_folded() -> None:
    line = "SUMMARY:" + "x" * 67
    assert len(line.encode()) == 75
    assert ics_fold(line) == line


@pytest.mark.parametrize("text", ["x" * 300, "é" * 200, "Café ☕ " * 40, "🙂" * 50, "a" + "€" * 100])
def test_long_lines_fold_at_75_octets_without_splitting_characters(text: str) -> None:
    line = f"LOCATION:{text}"
    folded = ics_fold(line)
    physical = folded.split("\r\n")
    assert len(physical) > 1
    for index, part in enumerate(physical):
        encoded = part.encode("utf-8")  # every part is whole UTF-8: no character split
        assert len(encoded) <= 75, (index, len(encoded))
        if index:
            assert part.startswith(" ")  # a continuation line starts with one space
    assert folded.replace("\r\n ", "") == line


# --- The feed --------------------------------------------------------------------------------------


def test_feed_is_a_valid_calendar_with_one_event_per_meeting(client: Client, tenant_a: Tenant) -> None:
    board = board_of(tenant_a)
    summer = meeting(
        board,
        place="Library, Market Square; room 2",
        accessibility="Step-free access.\nHearing loop; BSL interpreter, on request.",
        duration_minutes=90,
    )
    winter = meeting(
        board,
        scheduled_at=datetime.datetime(2026, 12, 1, 18, 0, tzinfo=datetime.UTC),
        place="Town hall",
        status=Meeting.Status.CANCELLED,
        minutes="Cancelled: snow",
    )
    held = meeting(
        board,
        scheduled_at=datetime.datetime(2026, 2, 1, 18, 0, tzinfo=datetime.UTC),
        online_link="https://meet.example.org/secret-room",
        status=Meeting.Status.HELD,
        held_on=datetime.date(2026, 2, 1),
    )
    meeting(board_of(tenant_a, "overview"), place="Elsewhere")  # the other body's meeting is not in this feed

    response = client.get(feed_url("riverside", "day-service"))  # no login
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    raw = response.content
    text = raw.decode("utf-8")
    # CRLF line endings everywhere, no bare LF or CR, and a final CRLF.
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "") and "\r" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)

    found = {event["UID"]: event for event in events(text)}
    assert set(found) == {f"meeting-{m.pk}@coprod" for m in (summer, winter, held)}
    first = found[f"meeting-{summer.pk}@coprod"]
    assert first["DTSTART"] == "20260601T173000Z"
    assert first["DTEND"] == "20260601T190000Z"
    assert first["DTSTAMP"] == "20260302T100000Z"
    assert first["SUMMARY"] == "Project Board meeting — Day service riverside"
    assert first["LOCATION"] == "Library\\, Market Square\\; room 2"
    assert first["DESCRIPTION"] == "Step-free access.\\nHearing loop\\; BSL interpreter\\, on request."
    assert first["STATUS"] == "CONFIRMED"
    assert found[f"meeting-{winter.pk}@coprod"]["STATUS"] == "CANCELLED"
    assert found[f"meeting-{held.pk}@coprod"]["STATUS"] == "CONFIRMED"
    assert "LOCATION" not in found[f"meeting-{held.pk}@coprod"]
    assert "Elsewhere" not in text


def test_feed_never_shows_the_online_link_or_personal_data(client: Client, tenant_a: Tenant) -> None:
    board = board_of(tenant_a)
    seat = seat_directly(board, "carer")
    with scopes_disabled():
        seat.person.name = "Ada Privateperson"
        seat.person.save(update_fields=["name"])
    meeting(
        board,
        place="Library",
        online_link="https://meet.example.org/secret-room",
        minutes="Ada Privateperson said something.",
        status=Meeting.Status.HELD,
        held_on=datetime.date(2026, 2, 1),
    )
    text = client.get(feed_url("riverside", "day-service")).content.decode()
    unfolded = "".join(unfold(text))
    assert "secret-room" not in unfolded and "meet.example.org" not in unfolded
    assert "Privateperson" not in unfolded
    assert "Ada" not in unfolded


def test_long_values_are_folded_in_the_feed(client: Client, tenant_a: Tenant) -> None:
    board = board_of(tenant_a)
    place = "The Old Library, " + "Café Ærøskøbing ☕, " * 12 + "Harbour Lane"
    meeting(board, place=place)
    text = client.get(feed_url("riverside", "day-service")).content.decode("utf-8")
    assert any(line.startswith(" ") for line in text.split("\r\n"))
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    (event,) = events(text)
    assert event["LOCATION"] == ics_escape(place)


def test_dates_at_the_limits_stay_valid(client: Client, tenant_a: Tenant) -> None:
    """Meetings typed through the API can be anywhere a date can be: years
    before 1000 keep four digits, and an end beyond year 9999 becomes a
    DURATION instead of a crash."""
    board = board_of(tenant_a)
    early = meeting(board, scheduled_at=datetime.datetime(999, 5, 1, 9, 0, tzinfo=datetime.UTC), place="Old")
    late = meeting(
        board, scheduled_at=datetime.datetime(9999, 12, 31, 23, 0, tzinfo=datetime.UTC), place="New"
    )
    response = client.get(feed_url("riverside", "day-service"))
    assert response.status_code == 200
    found = {event["UID"]: event for event in events(response.content.decode())}
    first = found[f"meeting-{early.pk}@coprod"]
    assert (first["DTSTART"], first["DTEND"]) == ("09990501T090000Z", "09990501T110000Z")
    last = found[f"meeting-{late.pk}@coprod"]
    assert last["DTSTART"] == "99991231T230000Z"
    assert last["DURATION"] == "PT120M" and "DTEND" not in last


def test_an_empty_body_gives_an_empty_calendar(client: Client, tenant_a: Tenant) -> None:
    response = client.get(feed_url("riverside", "day-service", "overview"))
    assert response.status_code == 200
    lines = unfold(response.content.decode())
    assert "BEGIN:VEVENT" not in lines
    assert lines[0] == "BEGIN:VCALENDAR" and "END:VCALENDAR" in lines


@pytest.mark.rule("TENANT-1")
def test_another_organisations_slug_gives_404(client: Client, tenant_a: Tenant, tenant_b: Tenant) -> None:
    with scopes_disabled():
        only_a = ProjectFactory(organisation=tenant_a.organisation, slug="only-in-riverside")
    meeting(board_of(tenant_a), place="Riverside library")
    meeting(board_of(tenant_b), place="Hillview hall")
    assert client.get(feed_url("riverside", only_a.slug)).status_code == 200
    assert client.get(feed_url("hillview", only_a.slug)).status_code == 404
    assert client.get(feed_url("no-such-org", "day-service")).status_code == 404
    assert client.get(feed_url("riverside", "day-service", "committee")).status_code == 404
    # Both organisations have a "day-service" project: each feed shows its own meetings only.
    theirs = client.get(feed_url("hillview", "day-service")).content.decode()
    ours = client.get(feed_url("riverside", "day-service")).content.decode()
    assert "Hillview hall" in theirs and "Riverside library" not in theirs
    assert "Riverside library" in ours and "Hillview hall" not in ours


def test_feed_is_read_only(client: Client, tenant_a: Tenant) -> None:
    assert client.post(feed_url("riverside", "day-service")).status_code == 405
    assert client.head(feed_url("riverside", "day-service")).status_code == 200


def test_body_page_links_to_the_feed(client_as, tenant_a: Tenant) -> None:
    html = client_as(tenant_a.member).get(
        reverse("boards:body_detail", kwargs={"org": "riverside", "project": "day-service", "kind": "board"})
    )
    assert feed_url("riverside", "day-service") in html.content.decode()
