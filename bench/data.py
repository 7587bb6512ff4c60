"""The data set the load benchmark (`bench/load.py`) runs against.

It starts from the demo data (`manage.py seed_demo`: Northmoor's Beacon Street
project with its active Project Board and Overview Group) and grows it
through the services, as real use would, to what a busy project's public
page shows: bodies of about twelve seats each, about forty ledger decisions,
about fifty public inputs with their answers, and meetings ahead. A board
item is left open for voting, so a seat holder (David Okafor, the demo's
carer: an ordinary board member, not the chair) has something to vote on.

The concurrent-vote test needs many voters on one body: a second project
gets a Project Board of `voters` seats, each held by its own member. Those
members, people and seats are made with `bulk_create` (the services seat one
person at a time and check the whole body each time); the rows respect every
database constraint, and the board is then activated through the service,
which checks its composition (BOARD-2, BOARD-4). Two items are open for
voting on it: one for the steady load of vote POSTs, one for the burst.

Logins are made by writing sessions straight into the session store, so the
load generator needs no password and no login round trip."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from importlib import import_module
from io import StringIO

PROJECT_SLUG = "beacon-day-service"
ORG_SLUG = "northmoor"
VOTING_PROJECT_SLUG = "bench-voting"
MEMBER_LOGIN = "carer@northmoor.example"  # David Okafor: a board seat (not the chair), a login
FACILITATOR_LOGIN = "facilitator@northmoor.example"
ADMIN_LOGIN = "admin@northmoor.example"
AUDITOR_LOGIN = "auditor@northmoor.example"  # reads the compliance report
MEMBER_ITEM_TITLE = "Choose the pilot's opening hours"
LOAD_ITEM_TITLE = "Repairs reported by text message"
BURST_ITEM_TITLE = "Evening appointments for repairs"


@dataclass(frozen=True)
class Scale:
    """What the demo project should have once grown (the builder adds what
    the demo data lacks, so it keeps working when the demo changes), and the
    size of the concurrent-vote board."""

    seats_per_body: int = 12  # open seats on each body
    ledger_entries: int = 40  # decisions in the project's ledger
    answered_inputs: int = 50  # public inputs, each with its published answer
    meetings_ahead: int = 3  # scheduled meetings per body
    voters: int = 200  # seats (and members) of the concurrent-vote board


FULL = Scale()
SMOKE = Scale(seats_per_body=9, ledger_entries=10, answered_inputs=2, meetings_ahead=2, voters=6)


@dataclass
class BenchData:
    """What the load generator needs to address the data."""

    org: str
    project: str
    member_id: int
    auditor_id: int
    member_item_pk: int
    voting_project: str
    load_item_pk: int
    burst_item_pk: int
    voter_ids: list[int] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def public_page(self) -> str:
        return f"/p/{self.org}/{self.project}/"

    @property
    def input_form(self) -> str:
        return f"/p/{self.org}/{self.project}/input/"

    @property
    def dashboard(self) -> str:
        return f"/o/{self.org}/"

    @property
    def member_item(self) -> str:
        return f"/o/{self.org}/projects/{self.project}/bodies/board/items/{self.member_item_pk}/"

    @property
    def compliance(self) -> str:
        return f"/api/v1/orgs/{self.org}/projects/{self.project}/compliance/"

    def vote_url(self, item_pk: int) -> str:
        return f"/o/{self.org}/projects/{self.voting_project}/bodies/board/items/{item_pk}/vote/"


# --- Building --------------------------------------------------------------------------------


def build(scale: Scale = FULL) -> BenchData:
    """Load the demo data and add `scale` on top. Run it on an empty
    database: it is not meant to be run twice."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction
    from django_scopes import scope, scopes_disabled

    from projects.models import Organisation, Project

    User = get_user_model()
    call_command("seed_demo", "--force", stdout=StringIO())
    with scopes_disabled():
        organisation = Organisation.objects.get(slug=ORG_SLUG)
        project = Project.objects.get(organisation=organisation, slug=PROJECT_SLUG)
    facilitator = User.objects.get(username=FACILITATOR_LOGIN)
    admin = User.objects.get(username=ADMIN_LOGIN)
    member = User.objects.get(username=MEMBER_LOGIN)
    with scope(organisation=organisation), transaction.atomic():
        _grow_demo_project(project, facilitator, scale)
        member_item = _item_in_voting(project, "board", facilitator, MEMBER_ITEM_TITLE)
        voting_project, voter_ids, load_item, burst_item = _voting_board(organisation, admin, scale.voters)
        counts = _counts(project)
    return BenchData(
        org=ORG_SLUG,
        project=PROJECT_SLUG,
        member_id=member.pk,
        auditor_id=User.objects.get(username=AUDITOR_LOGIN).pk,
        member_item_pk=member_item.pk,
        voting_project=voting_project.slug,
        load_item_pk=load_item.pk,
        burst_item_pk=burst_item.pk,
        voter_ids=voter_ids,
        counts=counts,
    )


def find() -> BenchData:
    """The data set `build` made earlier in this database, found again by
    its slugs and titles (for scripts that reuse a built database)."""
    from django.contrib.auth import get_user_model
    from django_scopes import scopes_disabled

    from boards.models import AgendaItem, ItemStatus

    User = get_user_model()
    with scopes_disabled():
        voting = AgendaItem.objects.filter(
            body__project__organisation__slug=ORG_SLUG, status=ItemStatus.VOTING
        ).select_related("body__project")
        items = {(item.body.project.slug, item.title): item.pk for item in voting}
    voter_ids = list(
        User.objects.filter(username__endswith="@bench.example")
        .order_by("username")
        .values_list("pk", flat=True)
    )
    return BenchData(
        org=ORG_SLUG,
        project=PROJECT_SLUG,
        member_id=User.objects.get(username=MEMBER_LOGIN).pk,
        auditor_id=User.objects.get(username=AUDITOR_LOGIN).pk,
        member_item_pk=items[(PROJECT_SLUG, MEMBER_ITEM_TITLE)],
        voting_project=VOTING_PROJECT_SLUG,
        load_item_pk=items[(VOTING_PROJECT_SLUG, LOAD_ITEM_TITLE)],
        burst_item_pk=items[(VOTING_PROJECT_SLUG, BURST_ITEM_TITLE)],
        voter_ids=voter_ids,
    )


def _grow_demo_project(project, facilitator, scale: Scale) -> None:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from boards import services as body_services
    from boards.models import Body, DecisionEntry, Meeting, MeetingStatus, Seat
    from stakeholders import services as stakeholder_services
    from stakeholders.models import Capacity, InputResponse, StakeholderGroup

    groups = {group.name: group for group in StakeholderGroup.objects.filter(project=project)}
    extra = {
        "board": [
            (Capacity.SERVICE_USER, "People who use the day service"),
            (Capacity.CARER, "Family carers"),
            (Capacity.PROFESSIONAL, "NHS mental-health staff"),
            (Capacity.PUBLIC, "Local residents near the site"),
        ],
        "overview": [
            (Capacity.SERVICE_USER, "People who use the day service"),
            (Capacity.CARER, "Family carers"),
            (Capacity.PUBLIC, "Local residents near the site"),
            (Capacity.COMMUNITY_REP, "Local residents near the site"),
        ],
    }
    today = timezone.localdate()
    for body in Body.objects.filter(project=project).select_related("project__organisation"):
        open_seats = Seat.objects.filter(body=body, is_open=True).count()
        for n in range(max(0, scale.seats_per_body - open_seats)):
            capacity, group_name = extra[body.kind][n % len(extra[body.kind])]
            person = stakeholder_services.person_add(
                organisation=project.organisation,
                name=f"Bench {body.kind} member {n + 1:02d}",
                actor=facilitator,
            )
            body_services.seat_add(
                body=body,
                person=person,
                capacity=capacity,
                stakeholder_group=groups[group_name],
                term_start=today - datetime.timedelta(days=60),
                actor=facilitator,
            )
        scheduled = Meeting.objects.filter(body=body, status=MeetingStatus.SCHEDULED).count()
        for n in range(scheduled, scale.meetings_ahead):
            day = today + datetime.timedelta(days=35 + 21 * n + (7 if body.kind == "overview" else 0))
            body_services.meeting_schedule(
                body=body,
                scheduled_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(14, 0))),
                place="Beacon Street community room, 14 Beacon Street",
                accessibility="Step-free access, hearing loop, easy-read papers.",
                actor=facilitator,
            )
    _decisions(
        project, facilitator, scale.ledger_entries - DecisionEntry.objects.filter(project=project).count()
    )
    answered = InputResponse.objects.filter(input__project=project).count()
    _inputs(project, facilitator, scale.answered_inputs - answered, list(groups.values()))


def _decisions(project, facilitator, count: int) -> None:  # type: ignore[no-untyped-def]
    """`count` general items decided by a show of hands at each body's held
    meeting; one in five is voted down, so the ledger shows both outcomes."""
    from boards import decisions
    from boards.models import Body, Meeting, MeetingStatus, Seat

    bodies = list(Body.objects.filter(project=project).order_by("kind"))
    meetings = {
        body.pk: Meeting.objects.filter(body=body, status=MeetingStatus.HELD).latest("held_on")
        for body in bodies
    }
    seats = {body.pk: list(Seat.objects.filter(body=body, is_open=True)) for body in bodies}
    for n in range(count):
        body = bodies[n % len(bodies)]
        item = decisions.item_propose(
            body=body,
            title=f"Pilot question {n + 1}: {TOPICS[n % len(TOPICS)]}",
            description="Raised by members at the last meeting; the proposal is in the papers.",
            actor=facilitator,
        )
        decisions.voting_open(item=item, actor=facilitator)
        rejected = n % 5 == 4
        for k, seat in enumerate(seats[body.pk]):
            choice = ("against" if k % 3 else "for") if rejected else ("for" if k % 4 else "abstain")
            decisions.vote_cast(
                item=item, seat=seat, choice=choice, actor=facilitator, meeting=meetings[body.pk]
            )
        decisions.voting_close(item=item, actor=facilitator)


TOPICS = [
    "open on Saturday mornings",
    "a peer-support lunch club",
    "easy-read timetables",
    "a quiet room upstairs",
    "transport for people outside town",
    "a garden project with the neighbours",
    "evening sessions for people who work",
    "a carers' drop-in once a month",
]


def _inputs(project, facilitator, count: int, groups: list) -> None:  # type: ignore[no-untyped-def]
    from stakeholders import participation
    from stakeholders.models import InputAsWho, InputImpact, StakeholderGroup

    as_who = InputAsWho.values
    impacts = InputImpact.values
    affected = StakeholderGroup.Affected.values
    for n in range(count):
        item = participation.input_submit(
            project=project,
            message=(
                f"Input {n + 1}: I have come to Beacon Street for years. Please think about "
                f"{TOPICS[n % len(TOPICS)]}: it would make a real difference to people like me."
            ),
            affected=affected[n % len(affected)],
            impact=impacts[n % len(impacts)],
            as_who=as_who[n % len(as_who)],
            consent=True,
            stakeholder_group=groups[n % len(groups)] if n % 3 else None,
        )
        participation.input_respond(
            item=item,
            public_text="Thank you. The Overview Group discussed this at its last meeting.",
            incorporated=("yes", "partly", "no")[n % 3],
            how_or_why="It is part of the pilot plan from the spring; the details are in the minutes.",
            actor=facilitator,
        )


def _item_in_voting(project, kind: str, actor, title: str):  # type: ignore[no-untyped-def]
    from boards import decisions
    from boards.models import Body

    body = Body.objects.select_related("project__organisation").get(project=project, kind=kind)
    item = decisions.item_propose(body=body, title=title, actor=actor)
    return decisions.voting_open(item=item, actor=actor)


def _voting_board(organisation, admin, voters: int):  # type: ignore[no-untyped-def]
    """A project whose board has `voters` seats, each held by a member of
    the organisation with their own login, and two items open for voting."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from boards import services as body_services
    from boards.models import Body, Seat
    from projects import services as project_services
    from projects.models import InitiatorType, OrganisationMember, Role
    from stakeholders import services as stakeholder_services
    from stakeholders.models import Capacity, Person

    User = get_user_model()
    project = project_services.project_create(
        organisation=organisation,
        title="Tenants and staff choose the new repairs service",
        slug=VOTING_PROJECT_SLUG,
        initiator_type=InitiatorType.PUBLIC,
        status="scoping",
        actor=admin,
    )
    tenants = stakeholder_services.stakeholder_group_add(
        project=project, name="Tenants", affected="directly", impact="positive", actor=admin
    )
    officers = stakeholder_services.stakeholder_group_add(
        project=project,
        name="Housing officers",
        affected="directly",
        impact="mixed",
        is_professional=True,
        actor=admin,
    )
    users = []
    for n in range(voters):
        user = User(username=f"voter{n + 1:03d}@bench.example", email=f"voter{n + 1:03d}@bench.example")
        user.set_unusable_password()  # they log in by session only
        users.append(user)
    users = User.objects.bulk_create(users)
    OrganisationMember.objects.bulk_create(
        [OrganisationMember(organisation=organisation, user=user, role=Role.MEMBER) for user in users]
    )
    people = Person.objects.bulk_create(
        [
            Person(organisation=organisation, name=f"Voter {n + 1:03d}", user=user)
            for n, user in enumerate(users)
        ]
    )
    board = Body.objects.select_related("project__organisation").get(project=project, kind="board")
    start = timezone.localdate() - datetime.timedelta(days=30)
    # Seven in ten non-professional, well over the board's 30% (BOARD-4),
    # and both groups seated (BOARD-2) from four voters on.
    staff = {3, 6, 9}
    Seat.objects.bulk_create(
        [
            Seat(
                body=board,
                person=person,
                capacity=Capacity.STAFF if n % 10 in staff else Capacity.SERVICE_USER,
                stakeholder_group=officers if n % 10 in staff else tenants,
                term_start=start,
            )
            for n, person in enumerate(people)
        ]
    )
    body_services.body_activate(body=board, actor=admin)
    load_item = _item_in_voting(project, "board", admin, LOAD_ITEM_TITLE)
    burst_item = _item_in_voting(project, "board", admin, BURST_ITEM_TITLE)
    return project, [user.pk for user in users], load_item, burst_item


def _counts(project) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from boards.models import Body, DecisionEntry, Meeting, Seat
    from stakeholders.models import InputResponse

    seats = [
        Seat.objects.filter(body=body, is_open=True).count() for body in Body.objects.filter(project=project)
    ]
    return {
        "open seats per body": min(seats),
        "ledger entries": DecisionEntry.objects.filter(project=project).count(),
        "answered inputs": InputResponse.objects.filter(input__project=project).count(),
        "meetings ahead": Meeting.objects.filter(body__project=project, status="scheduled").count(),
    }


# --- Logins ----------------------------------------------------------------------------------


def logins(data: BenchData, voters: int | None = None) -> dict[str, list[str]]:
    """A session key for each login an endpoint of `bench.load.ENDPOINTS` may
    name: "member", "auditor", and "voters" (the first `voters` members of
    the voting board, every one of them by default)."""
    return {
        "member": [session_for(data.member_id)],
        "auditor": [session_for(data.auditor_id)],
        "voters": [session_for(pk) for pk in data.voter_ids[:voters]],
    }


def session_for(user_id: int) -> str:
    """A logged-in session for the user, written straight into the session
    store (what `django.contrib.auth.login` stores); returns its key."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model

    user = get_user_model().objects.get(pk=user_id)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    # As `login()` stores it: the first backend, the one that checks passwords.
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key
