"""TENANT-1 where multi-tenant platforms have leaked: two organisations built
to look alike (the same project web address, the same stakeholder group
names, the same people by name and email, users with addresses at the same
domain, and users who belong to both), then

- uniqueness checks: a web address or name used only by the other
  organisation is free here, and a clash here says nothing of the other one;
- notifications: flag emails, daily digests, replies to involvement forms,
  answers to input, dispute notices and invitations go only to people of the
  organisation they are about, and name nothing of the other one;
- list pages an organisation's admin sees (members, people directory, audit
  log, flags, proposals, projects, compliance), as someone who belongs to
  both organisations;
- search and pickers (the people directory search in the pages and the API,
  the person picker of the seat form, the audit log's project filter);
- Django admin: support staff only.

Each organisation's records carry a marker (`zqleaka`, `zqleakb`) in text
the pages and emails show, so a leak shows as the other marker."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth.models import AbstractBaseUser
from django.core import mail
from django.test import Client
from django_scopes import scope, scopes_disabled
from rest_framework.test import APIClient

from boards.models import Body, Seat
from disputes import services as dispute_services
from projects import monitoring
from projects.models import (
    AuditEvent,
    NotificationPreference,
    OrganisationMember,
    Project,
    ProjectProposal,
    Role,
)
from stakeholders import involvement, participation
from stakeholders.models import GroupInvitation, Person, PublicInput, StakeholderGroup
from tests.boards.conftest import activate_directly, fill, voters
from tests.boards.test_decisions import user_of
from tests.conftest import Tenant
from tests.disputes.test_services import agree_procedure
from tests.factories import MemberFactory, PersonFactory, ProjectFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.rule("TENANT-1")]

MARK = {"a": "zqleaka", "b": "zqleakb"}
SAME_NAME = "Sam Same"
SAME_EMAIL = "sam.same@shared.example.org"
NOW = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)


@dataclass
class Twins:
    """Two look-alike organisations and the people who belong to both."""

    a: Tenant
    b: Tenant
    # Facilitator of both: every flag emailed in A, a daily digest in B.
    shared: AbstractBaseUser
    # Admin of both: sees every list page of both.
    shared_admin: AbstractBaseUser
    people: dict[str, dict[str, Person]]

    def tenant(self, key: str) -> Tenant:
        return self.a if key == "a" else self.b

    def other(self, key: str) -> str:
        return "b" if key == "a" else "a"


def _look_alike(tenant: Tenant, key: str) -> dict[str, Person]:
    """The same names as the other organisation, a marker where it is safe."""
    organisation, project = tenant.organisation, tenant.project
    project.title = f"Day service {MARK[key]}"
    project.summary = f"Shared lunches {MARK[key]}"
    project.save(update_fields=["title", "summary"])
    for role in (Role.ADMIN, Role.FACILITATOR, Role.AUDITOR, Role.MEMBER):
        user = getattr(tenant, role)
        # Separate accounts, addresses at one domain.
        user.email = f"{role}.{organisation.slug}@shared.example.org"
        user.save(update_fields=["email"])
    same = PersonFactory(organisation=organisation, name=SAME_NAME, email=SAME_EMAIL)
    only = PersonFactory(
        organisation=organisation, name=f"Only here {MARK[key]}", email=f"only.{key}@{key}-only.example.org"
    )
    StakeholderGroup.objects.filter(project=project).update(description=f"People who use it {MARK[key]}")
    ProjectProposal.objects.create(
        organisation=organisation,
        title=f"A community garden {MARK[key]}",
        summary="Grow food together",
        initiator_type="public",
    )
    AuditEvent.objects.create(
        organisation=organisation, project=project, action="tests.seeded", object_repr=f"Seeded {MARK[key]}"
    )
    return {"same": same, "only": only}


@pytest.fixture
def twins(tenant_a: Tenant, tenant_b: Tenant) -> Twins:
    with scopes_disabled():
        people = {"a": _look_alike(tenant_a, "a"), "b": _look_alike(tenant_b, "b")}
        shared = UserFactory(username="both@shared.example.org")
        MemberFactory(
            organisation=tenant_a.organisation,
            user=shared,
            role=Role.FACILITATOR,
            notifications=NotificationPreference.EVERY,
        )
        MemberFactory(
            organisation=tenant_b.organisation,
            user=shared,
            role=Role.FACILITATOR,
            notifications=NotificationPreference.DIGEST,
        )
        shared_admin = UserFactory(username="boss@shared.example.org")
        for tenant in (tenant_a, tenant_b):
            MemberFactory(organisation=tenant.organisation, user=shared_admin, role=Role.ADMIN)
        # A web address only the other organisation uses.
        ProjectFactory(organisation=tenant_b.organisation, title=f"Allotments {MARK['b']}", slug="allotments")
    return Twins(tenant_a, tenant_b, shared, shared_admin, people)


def _api(user: AbstractBaseUser) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _ui(user: AbstractBaseUser) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _visible(html: str) -> str:
    """A page without its organisation switcher, which names every
    organisation the user belongs to (that is not a leak)."""
    return re.sub(r'<nav class="org-switcher".*?</nav>', "", html, flags=re.S)


def _names_other(twins: Twins, key: str, text: str) -> list[str]:
    """What of the other organisation `text` names: its marker, name, or web addresses."""
    text = _visible(text)
    other = twins.tenant(twins.other(key)).organisation
    needles = [
        MARK[twins.other(key)],
        other.name,
        f"/o/{other.slug}/",
        f"/p/{other.slug}/",
        f"/{other.slug}/",
    ]
    return [needle for needle in needles if needle in text]


# --- Uniqueness ------------------------------------------------------------------------


def test_project_web_address_is_unique_within_the_organisation_only(twins: Twins) -> None:
    api = _api(twins.a.facilitator)
    url = f"/api/v1/orgs/{twins.a.organisation.slug}/projects/"
    body = {"title": "Allotments", "summary": "Growing", "initiator_type": "public"}
    # `allotments` is taken only in B: free here.
    assert api.post(url, {**body, "slug": "allotments"}, format="json").status_code == 201
    # `day-service` is taken here (and in B): refused, naming nothing of B.
    response = api.post(url, {**body, "slug": "day-service"}, format="json")
    assert response.status_code == 400
    assert "slug" in response.json()
    assert not _names_other(twins, "a", response.content.decode())
    # The same through the page, as someone who belongs to both organisations.
    ui = _ui(twins.shared)
    form = {**body, "title": "Day service again"}
    page = ui.post(f"/o/{twins.a.organisation.slug}/projects/new/", {**form, "slug": "day-service"})
    assert page.status_code == 400
    assert not _names_other(twins, "a", page.content.decode())
    with scopes_disabled():
        assert Project.objects.filter(organisation=twins.a.organisation, slug="allotments").count() == 1
        assert Project.objects.filter(slug="day-service").count() == 2


def test_group_names_are_unique_within_the_project_only(twins: Twins) -> None:
    with scopes_disabled():
        StakeholderGroup.objects.create(
            project=twins.b.project, name="Carers", affected="directly", impact="positive"
        )
    api = _api(twins.a.facilitator)
    url = f"/api/v1/orgs/{twins.a.organisation.slug}/projects/day-service/stakeholder-groups/"
    body = {"affected": "directly", "impact": "positive", "is_professional": False}
    assert api.post(url, {**body, "name": "Carers"}, format="json").status_code == 201
    response = api.post(url, {**body, "name": "Service users"}, format="json")
    assert response.status_code == 400
    assert not _names_other(twins, "a", response.content.decode())


def test_the_same_person_can_be_in_both_directories(twins: Twins) -> None:
    api = _api(twins.a.facilitator)
    url = f"/api/v1/orgs/{twins.a.organisation.slug}/people/"
    response = api.post(url, {"name": "Bea Both", "email": twins.people["b"]["only"].email}, format="json")
    assert response.status_code == 201
    assert not _names_other(twins, "a", response.content.decode())


def test_inviting_a_member_of_the_other_organisation(
    twins: Twins, django_capture_on_commit_callbacks
) -> None:
    """Membership of B is not membership of A: the invitation goes out, and
    says nothing of B. A clash with A's own members names nothing of B."""
    api = _api(twins.a.admin)
    url = f"/api/v1/orgs/{twins.a.organisation.slug}/invitations/"
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(url, {"email": twins.b.member.email, "role": "member"}, format="json")
    assert response.status_code == 201
    (message,) = mail.outbox
    assert message.to == [twins.b.member.email]
    assert twins.a.organisation.name in message.body
    assert not _names_other(twins, "a", message.subject + message.body)
    clash = api.post(url, {"email": twins.a.member.email, "role": "member"}, format="json")
    assert clash.status_code == 400
    assert not _names_other(twins, "a", clash.content.decode())


# --- Notifications ---------------------------------------------------------------------


def _addresses(twins: Twins, key: str) -> set[str]:
    """Every address that belongs to organisation `key`: its members' and its directory's."""
    organisation = twins.tenant(key).organisation
    with scopes_disabled():
        members = OrganisationMember.objects.filter(organisation=organisation).values_list(
            "user__email", flat=True
        )
        people = Person.objects.filter(organisation=organisation).values_list("email", flat=True)
        return {address.lower() for address in [*members, *people] if address}


def _assert_each_email_stays_home(twins: Twins, extra: dict[str, set[str]] | None = None) -> dict[str, int]:
    """Every email names exactly one organisation, goes only to addresses of
    that organisation (or `extra` ones given for it) and to none that only
    the other one has. Returns how many emails each organisation's were."""
    extra = extra or {"a": set(), "b": set()}
    own = {key: _addresses(twins, key) | extra[key] for key in ("a", "b")}
    counts = {"a": 0, "b": 0}
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        keys = {
            key
            for key in ("a", "b")
            if MARK[key] in text or f"/{twins.tenant(key).organisation.slug}/" in text
        }
        assert len(keys) == 1, f"Email names {sorted(keys) or 'no'} organisation(s): {message.subject!r}"
        (key,) = keys
        assert not _names_other(twins, key, text), message.subject
        for address in (address.lower() for address in message.to + message.cc + message.bcc):
            assert address in own[key], f"{address} got an email of organisation {key}: {message.subject!r}"
            assert address not in own[twins.other(key)] - own[key], address
        counts[key] += 1
    return counts


def _suspend_board(tenant: Tenant) -> None:
    with scopes_disabled():
        board = Body.objects.get(project=tenant.project, kind="board")
        fill(board, "NNNPPPPPPP")
        Body.objects.filter(pk=board.pk).update(
            status="suspended", status_since=NOW, status_reason="A carer resigned"
        )


def test_flag_emails_and_digests_reach_only_their_organisation(twins: Twins) -> None:
    _suspend_board(twins.a)
    _suspend_board(twins.b)
    with time_machine.travel(NOW, tick=False):
        monitoring.sweep(NOW)
        monitoring.notify_new_flags(NOW)
        monitoring.send_digests(NOW.date())
    counts = _assert_each_email_stays_home(twins)
    assert counts["a"] and counts["b"]
    shared = [message for message in mail.outbox if twins.shared.email in message.to]
    # Every flag of A by email, B's in one digest: each about its own organisation.
    assert any(MARK["a"] in message.subject + message.body for message in shared)
    assert any(MARK["b"] in message.subject + message.body for message in shared)
    assert all(len(message.to) == 1 for message in mail.outbox)


def test_involvement_replies_tell_only_their_own_facilitators(
    twins: Twins, django_capture_on_commit_callbacks
) -> None:
    for key in ("a", "b"):
        tenant = twins.tenant(key)
        with scopes_disabled():
            group = StakeholderGroup.objects.get(project=tenant.project, name="Service users")
            invitation = GroupInvitation.objects.create(
                project=tenant.project, stakeholder_group=group, channel="letter", sent_on=NOW.date()
            )
        with scope(organisation=tenant.organisation), django_capture_on_commit_callbacks(execute=True):
            involvement.involvement_submit(invitation=invitation, levels=["events"], name=SAME_NAME)
    counts = _assert_each_email_stays_home(twins)
    assert counts["a"] and counts["b"]
    # The facilitator of both hears of each reply once, each about its own project.
    shared = [message for message in mail.outbox if twins.shared.email in message.to]
    assert sorted(MARK["a"] in message.body + message.subject for message in shared) == [False, True]


def test_answers_to_input_go_to_the_person_who_gave_it(
    twins: Twins, django_capture_on_commit_callbacks
) -> None:
    contact = "resident@shared.example.org"
    for key in ("a", "b"):
        tenant = twins.tenant(key)
        with scopes_disabled():
            item = PublicInput.objects.create(
                project=tenant.project,
                message="More buses, please.",
                affected="directly",
                impact="positive",
                as_who="service_user",
                consent=True,
                name=SAME_NAME,
                contact=contact,
            )
        with scope(organisation=tenant.organisation), django_capture_on_commit_callbacks(execute=True):
            participation.input_respond(
                item=item,
                public_text="We will ask the council.",
                incorporated="yes",
                how_or_why="Added to the plan.",
                actor=tenant.facilitator,
            )
    counts = _assert_each_email_stays_home(twins, extra={"a": {contact}, "b": {contact}})
    assert counts == {"a": 1, "b": 1}


def test_group_invitations_are_emailed_about_their_own_project(
    twins: Twins, django_capture_on_commit_callbacks
) -> None:
    for key in ("a", "b"):
        tenant = twins.tenant(key)
        with scopes_disabled():
            group = StakeholderGroup.objects.get(project=tenant.project, name="Service users")
        with scope(organisation=tenant.organisation), django_capture_on_commit_callbacks(execute=True):
            participation.group_invitation_record(
                group=group, channel="email", sent_on=NOW.date(), actor=tenant.facilitator, email=SAME_EMAIL
            )
    assert _assert_each_email_stays_home(twins) == {"a": 1, "b": 1}


def test_dispute_notices_go_to_the_parties_of_this_body(
    twins: Twins, django_capture_on_commit_callbacks
) -> None:
    seats: dict[str, list[Seat]] = {}
    for key in ("a", "b"):
        with scopes_disabled():
            board = Body.objects.get(project=twins.tenant(key).project, kind="board")
            seats[key] = voters(board, "NNNNPPPPPP")
            activate_directly(board)
            # The same names on both boards.
            for index, seat in enumerate(seats[key]):
                Person.objects.filter(pk=seat.person_id).update(name=f"Board member {index}")
    tenant = twins.a
    with scope(organisation=tenant.organisation):
        board = Body.objects.get(project=tenant.project, kind="board")
        agree_procedure(board, seats["a"], tenant.facilitator)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            dispute_services.dispute_raise(
                body=board,
                summary=f"Meetings run too late {MARK['a']}",
                respondents=[seats["a"][5]],
                actor=user_of(seats["a"][0]),
            )
    assert mail.outbox, "raising a dispute tells its parties"
    assert _assert_each_email_stays_home(twins)["b"] == 0


# --- List pages of an organisation's admin ------------------------------------------------


def _list_pages(slug: str) -> list[str]:
    return [
        f"/o/{slug}/",
        f"/o/{slug}/projects/",
        f"/o/{slug}/members/",
        f"/o/{slug}/people/",
        f"/o/{slug}/audit/",
        f"/o/{slug}/flags/?state=all",
        f"/o/{slug}/proposals/",
        f"/o/{slug}/compliance/",
        f"/o/{slug}/compliance/summary.csv",
        f"/o/{slug}/projects/day-service/compliance/audit-log.csv",
        f"/api/v1/orgs/{slug}/members/",
        f"/api/v1/orgs/{slug}/people/",
        f"/api/v1/orgs/{slug}/audit-events/",
        f"/api/v1/orgs/{slug}/proposals/",
        f"/api/v1/orgs/{slug}/projects/",
        f"/api/v1/orgs/{slug}/flags/?state=all",
        f"/api/v1/orgs/{slug}/compliance/",
    ]


def _other_only_addresses(twins: Twins, key: str) -> set[str]:
    return _addresses(twins, twins.other(key)) - _addresses(twins, key)


def test_list_pages_show_only_their_organisation_to_someone_in_both(twins: Twins) -> None:
    _suspend_board(twins.a)
    _suspend_board(twins.b)
    with time_machine.travel(NOW, tick=False):
        monitoring.sweep(NOW)
    ui, api = _ui(twins.shared_admin), _api(twins.shared_admin)
    checked = 0
    for key in ("a", "b"):
        slug = twins.tenant(key).organisation.slug
        other_people = {person.pk for person in twins.people[twins.other(key)].values()}
        seen_own_marker = False
        for path in _list_pages(slug):
            client: Callable[..., Any] = api.get if path.startswith("/api/") else ui.get
            response = client(path)
            if response.status_code == 404 and "compliance" in path:
                continue  # the reports are being built: not every page exists everywhere yet
            assert response.status_code == 200, f"{path}: {response.status_code}"
            text = (
                b"".join(response.streaming_content).decode()
                if response.streaming
                else response.content.decode()
            )
            text = _visible(text)
            assert MARK[twins.other(key)] not in text, f"{path} shows the other organisation's records"
            leaked = [address for address in _other_only_addresses(twins, key) if address in text.lower()]
            assert not leaked, f"{path} shows addresses of the other organisation: {leaked}"
            linked = {int(pk) for pk in re.findall(r"/people/(\d+)/", text)}
            assert not linked & other_people, f"{path} links the other organisation's people"
            seen_own_marker |= MARK[key] in text
            checked += 1
        assert seen_own_marker, "the pages show the organisation's own marked records (guard)"
    assert checked >= 2 * 10


# --- Search and pickers ----------------------------------------------------------------


def _person_ids(text: str) -> set[int]:
    return {int(pk) for pk in re.findall(r"/people/(\d+)/edit/", text)}


def test_people_search_finds_only_this_organisations_people(twins: Twins) -> None:
    for key in ("a", "b"):
        slug = twins.tenant(key).organisation.slug
        own, other = twins.people[key], twins.people[twins.other(key)]
        ui, api = _ui(twins.shared_admin), _api(twins.shared_admin)
        page = ui.get(f"/o/{slug}/people/", {"q": "Sam"}).content.decode()
        assert _person_ids(page) == {own["same"].pk}
        results = api.get(f"/api/v1/orgs/{slug}/people/", {"search": "shared.example.org"}).json()["results"]
        assert {row["id"] for row in results} == {own["same"].pk}
        # The other organisation's only person is not found by name or address.
        for term in (other["only"].name, other["only"].email, MARK[twins.other(key)]):
            page = ui.get(f"/o/{slug}/people/", {"q": term}).content.decode()
            # (The term itself is echoed back in the search box and links.)
            assert not _person_ids(page), term
            assert api.get(f"/api/v1/orgs/{slug}/people/", {"search": term}).json()["count"] == 0


def test_seat_person_picker_offers_only_this_organisations_people(twins: Twins) -> None:
    ui = _ui(twins.shared_admin)
    for key in ("a", "b"):
        slug = twins.tenant(key).organisation.slug
        with scopes_disabled():
            own_ids = set(
                Person.objects.filter(organisation=twins.tenant(key).organisation).values_list(
                    "pk", flat=True
                )
            )
        for query in ({}, {"q": "Sam"}, {"q": "shared.example.org"}, {"q": MARK[twins.other(key)]}):
            page = ui.get(f"/o/{slug}/projects/day-service/bodies/board/seats/new/", query)
            assert page.status_code == 200
            picker = re.search(r'<select name="person".*?</select>', page.content.decode(), flags=re.S)
            assert picker is not None
            offered = {int(value) for value in re.findall(r'<option value="(\d+)"', picker.group(0))}
            offered_elsewhere = offered - own_ids
            assert not offered_elsewhere, f"{query}: the picker offers the other organisation's people"
        # A person of the other organisation posted anyway is refused.
        other_person = twins.people[twins.other(key)]["same"]
        response = ui.post(
            f"/o/{slug}/projects/day-service/bodies/board/seats/new/",
            {"person": other_person.pk, "capacity": "carer", "term_start": "2026-03-02"},
        )
        assert response.status_code == 400
        with scopes_disabled():
            assert not Seat.objects.filter(
                person=other_person, body__project__organisation=twins.tenant(key).organisation
            ).exists()


def test_project_filters_name_this_organisations_project(twins: Twins) -> None:
    """Both organisations have a `day-service` project: the audit log's and
    the flag list's filters pick this one's; a slug only the other uses is
    no project here."""
    ui, api = _ui(twins.shared_admin), _api(twins.shared_admin)
    for key in ("a", "b"):
        slug = twins.tenant(key).organisation.slug
        page = ui.get(f"/o/{slug}/audit/", {"project": "day-service"})
        assert page.status_code == 200
        assert MARK[key] in page.content.decode() and MARK[twins.other(key)] not in page.content.decode()
        events = api.get(f"/api/v1/orgs/{slug}/audit-events/", {"project": "day-service"}).json()["results"]
        assert events and all(MARK[twins.other(key)] not in str(event) for event in events)
        # B's project web address `allotments` is not a project of A.
        if key == "a":
            assert ui.get(f"/o/{slug}/audit/", {"project": "allotments"}).status_code == 400
            assert api.get(f"/api/v1/orgs/{slug}/audit-events/", {"project": "allotments"}).status_code == 400
            assert ui.get(f"/o/{slug}/flags/", {"project": "allotments"}).status_code == 400
            assert api.get(f"/api/v1/orgs/{slug}/flags/", {"project": "allotments"}).status_code == 400


# --- Django admin ----------------------------------------------------------------------


def test_django_admin_lists_are_for_support_staff_only(twins: Twins) -> None:
    """Django admin spans organisations, so an organisation's admin (even of
    both organisations) reaches none of its lists; support staff do."""
    ui = _ui(twins.shared_admin)
    lists = [f"/admin/{model._meta.app_label}/{model._meta.model_name}/" for model in admin.site._registry]
    assert len(lists) > 10
    for path in lists:
        response = ui.get(path)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], path
    staff = UserFactory(username="support@coprod.example.org", is_staff=True, is_superuser=True)
    support = _ui(staff)
    assert support.get("/admin/projects/project/").status_code == 200
