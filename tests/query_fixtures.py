"""Data for the query-count walk (`tests/test_query_counts.py`): one
organisation whose project has a few of everything a page lists, grown in
place to many times as much, so the same pages (the same named objects) can
be measured at two sizes.

Rows are made with `bulk_create` outside any scope, as a support engineer
would, and deterministically (names and dates from a running number, no
random values). They respect every database constraint and are consistent
enough for every page to render; they do not go through the services,
which check rules one object at a time and would make the large size slow.
Ledger entries are the exception: they go through `ledger_append`, the one
writer of the hash chain, so the ledger pages and the verifier see a sound
chain (LEDGER-1)."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone
from django_scopes import scopes_disabled
from guardian.shortcuts import assign_perm

from boards.ledger import ledger_append
from boards.models import (
    AgendaItem,
    Attendance,
    Body,
    Comment,
    DecisionEntry,
    ImplementationUpdate,
    Meeting,
    Seat,
    Vote,
)
from disputes.models import DEFAULT_STAGES, Dispute, DisputeParty, DisputeProcedure, StageRecord
from overview.models import MilestoneReview
from projects.models import (
    AuditEvent,
    BudgetLine,
    Flag,
    FlagKind,
    Milestone,
    OrganisationInvitation,
    OrganisationMember,
    Phase,
    Project,
    ProjectProposal,
    Role,
)
from stakeholders.models import (
    GroupInvitation,
    InputResponse,
    InvolvementResponse,
    Person,
    PublicInput,
    StakeholderGroup,
)
from tests.conftest import Tenant
from tests.urlwalk import TenantObjects

# Where a seat, meeting, item, dispute or vote needs a date: fixed, so the
# data are the same on every run (pages compare with today only to decide
# what is upcoming, which is the same at both sizes).
EPOCH = datetime.date(2025, 1, 6)
NON_PROFESSIONAL = ("service_user", "carer", "public", "community_rep", "independent")
PROFESSIONAL = ("professional", "staff", "statutory_body", "technician", "project_team")
AUDIT_ACTIONS = ("projects.phase.created", "boards.vote.cast", "refused.boards.item_update")


def _at(day: datetime.date, hour: int = 18) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


@dataclass
class Named:
    """The objects the walk's URLs name, in both bodies: `board` is the
    walker's own `TenantObjects`; `overview` names the Overview Group's seat,
    meeting, item and dispute instead, for the `<kind>` pages of that body."""

    board: TenantObjects
    overview: TenantObjects


def prepare(tenant: Tenant, objects: TenantObjects) -> Named:
    """Make the project's bodies active with a chair and an agreed dispute
    procedure each (what a running project looks like: pages show voting,
    chairs and the way to raise a dispute), give the Overview Group a seat,
    an item and a dispute of its own for the walk to name, and make the
    ordinary member a seat holder of both bodies."""
    with scopes_disabled():
        project = tenant.project
        board = Body.objects.get(project=project, kind="board")
        overview = Body.objects.get(project=project, kind="overview")
        person = Person.objects.get(pk=objects.ids[Person])
        group = StakeholderGroup.objects.get(pk=objects.ids[StakeholderGroup])
        seat = Seat.objects.create(
            body=overview, person=person, capacity="service_user", stakeholder_group=group, term_start=EPOCH
        )
        item = AgendaItem.objects.create(
            body=overview, title="Review the opening hours", proposed_by=tenant.member
        )
        dispute = Dispute.objects.create(body=overview, subject="conduct", summary="Papers arrive late")
        StageRecord.objects.create(
            dispute=dispute,
            order=1,
            kind="facilitated_discussion",
            started_on=EPOCH,
            due_on=EPOCH + datetime.timedelta(days=14),
        )
        # The named person is the ordinary member's own record, so the member
        # holds a seat on both bodies and can open the pages only seat
        # holders may (raising a dispute).
        Person.objects.filter(pk=person.pk).update(user=tenant.member)
        now = timezone.now()
        Body.objects.filter(pk=board.pk).update(
            status="active", status_since=now, chair_seat_id=objects.ids[Seat]
        )
        Body.objects.filter(pk=overview.pk).update(status="active", status_since=now, chair_seat=seat)
        # Both bodies have agreed a dispute procedure, so disputes can be raised.
        DisputeProcedure.objects.create(
            body=board,
            stages=DEFAULT_STAGES,
            agreed_by=DecisionEntry.objects.get(pk=objects.ids[DecisionEntry]),
        )
        adopt = AgendaItem.objects.create(
            body=overview, kind="dispute_procedure", title="Adopt a dispute procedure", status="agreed"
        )
        with transaction.atomic():
            agreed = ledger_append(item=adopt, outcome="agreed", content={"tally": {"for": 1}})
        DisputeProcedure.objects.create(body=overview, stages=DEFAULT_STAGES, agreed_by=agreed)
        ids = {
            **objects.ids,
            Seat: seat.pk,
            Meeting: objects.overview_meeting_id,
            AgendaItem: item.pk,
            Dispute: dispute.pk,
        }
        return Named(board=objects, overview=replace(objects, ids=ids))


def _bulk(made: Counter[str], model: type[models.Model], rows: list) -> list:
    made[model.__name__] += len(rows)
    return model.objects.bulk_create(rows)


def other_project(tenant: Tenant, n: int, made: Counter[str]) -> Project:
    """Another project of the organisation, with an open flag and an audit
    event of its own: what the organisation's lists and its compliance
    summary show one row of."""
    with scopes_disabled():
        # Not bulk_create: the signal that gives a project its two bodies
        # does not run on bulk_create.
        project = Project.objects.create(
            organisation=tenant.organisation,
            title=f"Other project {n:03d}",
            slug=f"qc-project-{n}",
            initiator_type="staff",
            status="scoping",
        )
        made["Project"] += 1
        _bulk(
            made,
            AuditEvent,
            [
                AuditEvent(
                    organisation=tenant.organisation,
                    project=project,
                    actor=tenant.admin,
                    actor_label=tenant.admin.get_username(),
                    action=AUDIT_ACTIONS[2],
                    rule="BOARD-8",
                )
            ],
        )
        _bulk(
            made,
            Flag,
            [
                Flag(
                    organisation=tenant.organisation,
                    project=project,
                    kind=FlagKind.NO_RECENT_MEETING,
                    rule="BOARD-9",
                    key=f"qc-other:{n}",
                    title=f"No meeting of other project {n}",
                    since=timezone.now(),
                )
            ],
        )
        return project


def grow(tenant: Tenant, named: Named, *, start: int, units: int) -> Counter[str]:
    """Add `units` units of everything a page lists, numbered from `start`
    (so successive calls never clash): members and their project grants,
    invitations, proposals, people, projects, audit events and flags of the
    organisation; phases, milestones with reviews, budget lines, groups with
    invitations and involvement replies, public inputs with responses,
    seats, meetings with attendance, items with comments, votes and ledger
    entries with implementation updates, and disputes with parties and
    stages of the project. The objects the walk names get their share too
    (more comments and votes on the named item, more attendance at the named
    meeting, more parties and stages on the named dispute, more updates on
    the named ledger entry, more reviews of the named milestone, more seats
    for the named person), so detail pages grow as well as lists. Returns
    the rows made, by model."""
    made: Counter[str] = Counter()
    with scopes_disabled(), transaction.atomic():
        organisation = tenant.organisation
        project = tenant.project
        slug = organisation.slug
        board = Body.objects.get(project=project, kind="board")
        overview = Body.objects.get(project=project, kind="overview")
        bodies = {board.pk: (board, named.board), overview.pk: (overview, named.overview)}
        numbers = range(start, start + units)
        ids = named.board.ids
        named_group = StakeholderGroup.objects.get(pk=ids[StakeholderGroup])
        named_person = Person.objects.get(pk=ids[Person])
        named_phase = Phase.objects.get(pk=ids[Phase])
        facilitator = tenant.facilitator
        now = timezone.now()

        # --- The organisation ----------------------------------------------------------
        User = get_user_model()
        users = _bulk(
            made,
            User,
            [
                User(
                    username=f"qc{n}@{slug}.example.org",
                    email=f"qc{n}@{slug}.example.org",
                    first_name="Member",
                    last_name=f"{n:03d}",
                    password="!",
                )
                for n in numbers
            ],
        )
        if not all(user.pk for user in users):  # backends that do not return ids
            users = list(User.objects.filter(username__in=[u.username for u in users]).order_by("pk"))
        _bulk(
            made,
            OrganisationMember,
            [OrganisationMember(organisation=organisation, user=user, role=Role.MEMBER) for user in users],
        )
        for n, user in zip(numbers, users, strict=True):
            assign_perm(("projects.team_project", "projects.manage_project")[n % 2], user, project)
            made["UserObjectPermission"] += 1
        _bulk(
            made,
            OrganisationInvitation,
            [
                OrganisationInvitation(
                    organisation=organisation,
                    email=f"qc-invite{n}@{slug}.example.org",
                    invited_by=tenant.admin,
                )
                for n in numbers
            ],
        )
        _bulk(
            made,
            ProjectProposal,
            [
                ProjectProposal(
                    organisation=organisation,
                    title=f"Proposal {n:03d}",
                    summary="A bench by the bus stop.",
                    initiator_type="public",
                    proposer_name=f"Proposer {n}",
                    **(
                        {
                            "status": "declined",
                            "decision_reason": "Outside what the council runs.",
                            "decided_by": facilitator,
                            "decided_at": now,
                        }
                        if n % 2
                        else {}
                    ),
                )
                for n in numbers
            ],
        )
        people = _bulk(
            made,
            Person,
            [
                Person(organisation=organisation, name=f"Seat holder {n:03d}", email=f"holder{n}@example.org")
                for n in numbers
            ]
            + [
                Person(organisation=organisation, name=f"Officer {n:03d}", user=user)
                for n, user in zip(numbers, users, strict=True)
            ],
        )
        holders, officers = people[:units], people[units:]
        for n in numbers:
            other_project(tenant, n, made)
        _bulk(
            made,
            AuditEvent,
            [
                AuditEvent(
                    organisation=organisation,
                    project=project,
                    actor=users[i],
                    actor_label=users[i].username,
                    action=AUDIT_ACTIONS[k],
                    object_type="boards.agendaitem",
                    object_id=str(ids[AgendaItem]),
                    object_repr="Open on Saturdays",
                    rule="BOARD-8" if k == 2 else "",
                    data={"n": n},
                )
                for i, n in enumerate(numbers)
                for k in range(len(AUDIT_ACTIONS))
            ],
        )
        kinds = FlagKind.values
        _bulk(
            made,
            Flag,
            [
                Flag(
                    organisation=organisation,
                    project=project,
                    kind=kinds[(n + k) % len(kinds)],
                    rule="BOARD-9",
                    key=f"qc:{n}:{k}",
                    body_id=board.pk,
                    title=f"Flag {n}:{k}",
                    details="Seen by the checks.",
                    fix="Hold a meeting.",
                    url=project.get_absolute_url(),
                    since=now,
                    resolved_at=now if k == 1 else None,
                )
                for n in numbers
                for k in range(2)
            ],
        )

        # --- The project's plan and register ---------------------------------------
        phases = _bulk(
            made,
            Phase,
            [
                Phase(
                    project=project,
                    name=f"Phase {n:03d}",
                    order=100 + n,
                    starts_on=EPOCH + datetime.timedelta(days=n),
                    ends_on=EPOCH + datetime.timedelta(days=n + 60),
                )
                for n in numbers
            ],
        )
        milestones = _bulk(
            made,
            Milestone,
            [
                Milestone(
                    project=project,
                    phase=phase,
                    title=f"Milestone {n:03d}",
                    due_on=EPOCH + datetime.timedelta(days=30 + n),
                )
                for n, phase in zip(numbers, phases, strict=True)
            ],
        )
        _bulk(
            made,
            BudgetLine,
            [
                BudgetLine(
                    project=project, partner=f"Partner {n:03d}", purpose="Room hire", amount=Decimal(100 + n)
                )
                for n in numbers
            ],
        )
        groups = _bulk(
            made,
            StakeholderGroup,
            [
                StakeholderGroup(
                    project=project,
                    name=f"Group {n:03d}",
                    affected=("directly", "indirectly")[n % 2],
                    impact=("positive", "negative", "mixed")[n % 3],
                    is_professional=n % 3 == 0,
                )
                for n in numbers
            ],
        )
        invitations = _bulk(
            made,
            GroupInvitation,
            [
                GroupInvitation(
                    project=project,
                    stakeholder_group=group if k else named_group,
                    channel="email",
                    email=f"group{n}-{k}@example.org",
                    sent_on=EPOCH + datetime.timedelta(days=n),
                    formats_offered=["easy_read", "large_print"],
                    response=("awaiting", "accepted")[k],
                    recorded_by=facilitator,
                )
                for n, group in zip(numbers, groups, strict=True)
                for k in range(2)
            ],
        )
        _bulk(
            made,
            InvolvementResponse,
            [
                InvolvementResponse(
                    invitation=invitation,
                    project=project,
                    stakeholder_group_id=invitation.stakeholder_group_id,
                    levels=["board", "input"],
                    name="A resident",
                    contact_preference="email",
                    contact="resident@example.org",
                )
                for invitation in invitations[1::2]
            ],
        )
        inputs = _bulk(
            made,
            PublicInput,
            [
                PublicInput(
                    project=project,
                    stakeholder_group=group if k else named_group,
                    channel=("web", "phone")[k],
                    message=f"Input {n}:{k}: please keep the garden.",
                    affected="directly",
                    impact=("positive", "negative")[k],
                    as_who="resident",
                    name=f"Resident {n}",
                    contact=f"resident{n}@example.org",
                    consent=True,
                    during_scoping=k == 0,
                    status=("answered", "new")[k],
                    recorded_by=facilitator if k else None,
                )
                for n, group in zip(numbers, groups, strict=True)
                for k in range(2)
            ],
        )
        answered = inputs[0::2]
        _bulk(
            made,
            InputResponse,
            [
                InputResponse(
                    input=item,
                    public_text="We will.",
                    incorporated="yes",
                    how_or_why="It is in the plan.",
                    scope_part="aims",
                    responded_by=facilitator,
                )
                for item in answered
            ],
        )

        # --- Seats, meetings and attendance ---------------------------------------------
        seat_rows = []
        for i, n in enumerate(numbers):
            seat_rows += [
                Seat(
                    body=board,
                    person=holders[i],
                    capacity=NON_PROFESSIONAL[n % 5],
                    stakeholder_group=named_group,
                    phase=named_phase,
                    term_start=EPOCH,
                ),
                Seat(
                    body=board,
                    person=officers[i],
                    capacity=PROFESSIONAL[n % 5],
                    stakeholder_group=groups[i],
                    phase=phases[i],
                    term_start=EPOCH,
                    term_end=EPOCH + datetime.timedelta(days=700),
                ),
                Seat(
                    body=overview,
                    person=holders[i],
                    capacity=NON_PROFESSIONAL[(n + 1) % 5],
                    stakeholder_group=groups[i],
                    term_start=EPOCH,
                ),
                # An ended seat of the named person: the record of who sat.
                Seat(
                    body=board,
                    person=named_person,
                    capacity="carer",
                    stakeholder_group=named_group,
                    term_start=EPOCH - datetime.timedelta(days=400 - n),
                    term_end=EPOCH - datetime.timedelta(days=200 - n),
                    is_open=False,
                    end_reason="term_ended",
                    ended_by=facilitator,
                ),
            ]
        seats = _bulk(made, Seat, seat_rows)
        open_seats = {board.pk: [], overview.pk: []}
        for seat in seats:
            if seat.is_open:
                open_seats[seat.body_id].append(seat)
        meetings = _bulk(
            made,
            Meeting,
            [
                Meeting(
                    body=body,
                    scheduled_at=_at(day),
                    place="Library",
                    accessibility="Step-free; hearing loop.",
                    minutes=f"Minutes of meeting {n}." if held else "",
                    status="held" if held else "scheduled",
                    held_on=day if held else None,
                )
                for n in numbers
                for body in (board, overview)
                for held, day in (
                    (True, EPOCH + datetime.timedelta(days=7 * n)),
                    (False, datetime.date(2030, 1, 1) + datetime.timedelta(days=7 * n)),
                )
            ],
        )
        held = [meeting for meeting in meetings if meeting.status == "held"]
        _bulk(
            made,
            Attendance,
            [
                Attendance(meeting_id=meeting_id, seat=seat, attended=bool(k % 3))
                for body_id, (body, objects) in bodies.items()
                for meeting_id in [objects.ids[Meeting]] + [m.pk for m in held if m.body_id == body_id]
                for k, seat in enumerate(open_seats[body_id])
            ],
        )
        named_milestone = ids[Milestone]
        _bulk(
            made,
            MilestoneReview,
            [
                MilestoneReview(
                    milestone_id=named_milestone,
                    meeting=meeting,
                    summary="On track.",
                    recorded_by=facilitator,
                )
                for meeting in held
                if meeting.body_id == overview.pk
            ]
            + [
                MilestoneReview(
                    milestone=milestone,
                    meeting_id=named.board.overview_meeting_id,
                    summary="Reviewed.",
                    recorded_by=facilitator,
                )
                for milestone in milestones
            ],
        )

        # --- Items, comments, votes, the ledger -----------------------------------------
        item_rows = []
        for i, n in enumerate(numbers):
            for body in (board, overview):
                item_rows += [
                    AgendaItem(body=body, title=f"Item {n:03d} open", proposed_by=users[i], deadline=EPOCH),
                    AgendaItem(
                        body=body,
                        title=f"Item {n:03d} voting",
                        status="voting",
                        voting_opened_at=now,
                        proposed_by=facilitator,
                    ),
                    AgendaItem(body=body, title=f"Item {n:03d} decided", status="agreed", decided_at=now),
                ]
            item_rows.append(
                AgendaItem(
                    body=board,
                    title=f"Routed input {n:03d}",
                    source_input=answered[i],
                    proposed_by=facilitator,
                )
            )
        items = _bulk(made, AgendaItem, item_rows)
        by_body: dict[int, list[AgendaItem]] = {board.pk: [], overview.pk: []}
        for item in items:
            by_body[item.body_id].append(item)
        comments = []
        votes = []
        for body_id, (_body, objects) in bodies.items():
            body_seats = open_seats[body_id]
            named_item = objects.ids[AgendaItem]
            discussed = [named_item] + [
                item.pk for item in by_body[body_id] if not item.title.endswith("decided")
            ]
            for k, seat in enumerate(body_seats):
                for item_id in discussed:
                    comments.append(
                        Comment(
                            item_id=item_id,
                            author=facilitator,
                            seat=seat,
                            text=f"Comment {k} by a seat holder.",
                        )
                    )
                    votes.append(
                        Vote(
                            item_id=item_id,
                            seat=seat,
                            round=1,
                            choice=("for", "against", "abstain")[k % 3],
                            recorded_by=facilitator if k % 2 else None,
                            recorded_at_meeting_id=objects.ids[Meeting] if k % 2 else None,
                        )
                    )
        _bulk(made, Comment, comments)
        _bulk(made, Vote, votes)
        entries = []
        for item in items:
            if item.status == "agreed":
                entries.append(
                    ledger_append(
                        item=item,
                        outcome="agreed",
                        content={"tally": {"for": 3, "against": 1, "abstain": 0}, "round": 1},
                    )
                )
                made["DecisionEntry"] += 1
        # Each decision is returned once as "cannot be carried out" (GROUP-6).
        _bulk(
            made,
            AgendaItem,
            [
                AgendaItem(
                    body_id=entry.body_id,
                    kind="return",
                    title=f"Returned: {entry.item.title}",
                    returns_entry=entry,
                    return_reason="The room is not free.",
                    proposed_by=facilitator,
                )
                for entry in entries
            ],
        )
        _bulk(
            made,
            ImplementationUpdate,
            [
                ImplementationUpdate(entry=entry, status="cannot", note="Cannot be done.", author=facilitator)
                for entry in entries
            ]
            + [
                ImplementationUpdate(
                    entry_id=ids[DecisionEntry], status="in_progress", note=f"Update {n}.", author=facilitator
                )
                for n in numbers
            ],
        )

        # --- Disputes ---------------------------------------------------------------------
        decided_of = {entry.body_id: [] for entry in entries}
        for entry in entries:
            decided_of[entry.body_id].append(entry)
        disputes = _bulk(
            made,
            Dispute,
            [
                Dispute(
                    body=board,
                    subject="item",
                    item=by_body[board.pk][3 * i],
                    summary=f"Dispute {n}: the item was rushed.",
                    raised_by=users[i],
                    current_stage=1,
                )
                for i, n in enumerate(numbers)
            ]
            + [
                # On a decision, settled by another decision of the body.
                Dispute(
                    body=overview,
                    subject="decision",
                    entry=decided_of[overview.pk][i],
                    summary=f"Dispute {n}: the decision was not carried out.",
                    raised_by=users[i],
                    status="decided",
                    current_stage=1,
                    closing_entry=decided_of[overview.pk][i],
                    closed_at=now,
                )
                for i, n in enumerate(numbers)
            ],
        )
        parties = []
        stages = []
        for i, (n, dispute) in enumerate(zip([*numbers, *numbers], disputes, strict=True)):
            body_seats = open_seats[dispute.body_id]
            raising = body_seats[i % units]
            responding = body_seats[(i % units + 1) % len(body_seats)]
            parties.append(DisputeParty(dispute=dispute, seat=raising, side="raising", agreed_at=now))
            if responding != raising:
                parties.append(DisputeParty(dispute=dispute, seat=responding, side="responding"))
            stages.append(
                StageRecord(
                    dispute=dispute,
                    order=1,
                    kind="facilitated_discussion",
                    started_on=EPOCH + datetime.timedelta(days=n),
                    due_on=EPOCH + datetime.timedelta(days=n + 14),
                    mediator=named_person,
                    recorded_by=facilitator,
                )
            )
        for body_id, (_body, objects) in bodies.items():
            dispute_id = objects.ids[Dispute]
            parties += [
                DisputeParty(dispute_id=dispute_id, seat=seat, side=("raising", "responding")[k % 2])
                for k, seat in enumerate(open_seats[body_id])
            ]
            stages += [
                StageRecord(
                    dispute_id=dispute_id,
                    order=100 + n,
                    kind="mediation",
                    started_on=EPOCH + datetime.timedelta(days=n),
                    due_on=EPOCH + datetime.timedelta(days=n + 28),
                    mediator=holders[i],
                    notes="Met twice.",
                    result="No agreement yet.",
                    recorded_by=facilitator,
                    completed_at=now,
                )
                for i, n in enumerate(numbers)
            ]
        _bulk(made, DisputeParty, parties)
        _bulk(made, StageRecord, stages)
    return made
