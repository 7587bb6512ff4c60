"""Load demonstration data: two organisations, a realistic coproduction project
with its stakeholder register, people, plan and budget, public proposals, and
demo logins for every role.

Everything is written through the services, inside the organisation's scope,
as a request would, so the demo data obeys the same rules (SCOPE-1, BOARD-7,
TENANT-1) and leaves the same audit trail as real use. Running it again
changes nothing: each step looks for what it would create first.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django_scopes import scope, scopes_disabled

from projects import services as project_services
from projects.models import (
    BudgetLine,
    InitiatorType,
    Milestone,
    Organisation,
    OrganisationInvitation,
    OrganisationMember,
    Phase,
    Project,
    ProjectProposal,
    Role,
)
from projects.permissions import project_grants_of
from stakeholders import services as stakeholder_services
from stakeholders.models import Capacity, Person, StakeholderGroup

DEMO_PASSWORD = "coprod-demo-2026"  # noqa: S105 - documented demo password, refused in production

User = get_user_model()


@dataclass(frozen=True)
class DemoUser:
    email: str
    first_name: str
    last_name: str
    role: str
    note: str


NORTHMOOR_ADMIN = DemoUser("admin@northmoor.example", "Helen", "Marsh", Role.ADMIN, "organisation admin")
NORTHMOOR_USERS = [
    DemoUser(
        "facilitator@northmoor.example",
        "Tom",
        "Achebe",
        Role.FACILITATOR,
        "facilitator; facilitates the Beacon Street project",
    ),
    DemoUser(
        "auditor@northmoor.example", "Grace", "Lindqvist", Role.AUDITOR, "auditor (read-only, everything)"
    ),
    DemoUser(
        "pm@northmoor.example",
        "Priya",
        "Shah",
        Role.MEMBER,
        "member; project manager of the Beacon Street project",
    ),
    DemoUser(
        "serviceuser@northmoor.example",
        "Maya",
        "Thompson",
        Role.MEMBER,
        "member; service user at the Beacon Street day service",
    ),
    DemoUser(
        "carer@northmoor.example",
        "David",
        "Okafor",
        Role.MEMBER,
        "member; carer for his son, who uses the day service",
    ),
    DemoUser(
        "resident@northmoor.example",
        "Joan",
        "Whitfield",
        Role.MEMBER,
        "member; local resident on Beacon Street",
    ),
    DemoUser(
        "nurse@northmoor.example",
        "Aisha",
        "Rahman",
        Role.MEMBER,
        "member; community mental-health nurse",
    ),
]
EASTBROOK_ADMIN = DemoUser(
    "admin@eastbrook.example", "Owen", "Pritchard", Role.ADMIN, "admin of Eastbrook Housing Trust"
)
SUPPORT_USER = DemoUser(
    "support@coprod.example", "Sam", "Support", "", "Django admin at /admin/ (support staff, superuser)"
)

BEACON_SUMMARY = (
    "The Beacon Street day service is where people with long-term mental-health conditions "
    "come for company, activities and support. The building is tired, the opening hours no "
    "longer suit many people, and some have stopped coming. We want to redesign the service "
    "together: the people who use it, their families, the staff who run it, neighbours and "
    "the people who pay for it. Nothing is decided yet. Tell us what works, what does not, "
    "and what you would change."
)

BEACON_GROUPS: list[dict[str, Any]] = [
    {
        "name": "People who use the day service",
        "description": "Adults who come to Beacon Street now, or used to and stopped.",
        "affected": StakeholderGroup.Affected.DIRECTLY,
        "impact": StakeholderGroup.Impact.POSITIVE,
        "is_professional": False,
    },
    {
        "name": "Family carers",
        "description": "Parents, partners and friends who support someone who uses the service. "
        "Changes to opening hours change their days too.",
        "affected": StakeholderGroup.Affected.INDIRECTLY,
        "impact": StakeholderGroup.Impact.MIXED,
        "is_professional": False,
    },
    {
        "name": "Local residents near the site",
        "description": "Neighbours on Beacon Street and Harbour Lane: building work, parking and "
        "longer opening hours may affect them.",
        "affected": StakeholderGroup.Affected.INDIRECTLY,
        "impact": StakeholderGroup.Impact.NEGATIVE,
        "is_professional": False,
    },
    {
        "name": "NHS mental-health staff",
        "description": "Community mental-health nurses, psychologists and occupational therapists "
        "who refer people to the service and work alongside it.",
        "affected": StakeholderGroup.Affected.DIRECTLY,
        "impact": StakeholderGroup.Impact.MIXED,
        "is_professional": True,
    },
    {
        "name": "Council commissioners",
        "description": "The adult social care commissioning team that funds the service.",
        "affected": StakeholderGroup.Affected.INDIRECTLY,
        "impact": StakeholderGroup.Impact.POSITIVE,
        "is_professional": True,
    },
    {
        "name": "Support workers at Harbourside Care",
        "description": "The provider's support workers who run the day service every day.",
        "affected": StakeholderGroup.Affected.DIRECTLY,
        "impact": StakeholderGroup.Impact.MIXED,
        "is_professional": True,
    },
]

# (name, email, phone, access needs, linked demo login or None)
NORTHMOOR_PEOPLE: list[tuple[str, str, str, str, str | None]] = [
    (
        "Maya Thompson",
        "serviceuser@northmoor.example",
        "",
        "Prefers papers a week before meetings.",
        "serviceuser@northmoor.example",
    ),
    ("David Okafor", "carer@northmoor.example", "07700 900101", "", "carer@northmoor.example"),
    (
        "Joan Whitfield",
        "resident@northmoor.example",
        "01632 960245",
        "Large print (18 point) for all papers. Step-free access.",
        "resident@northmoor.example",
    ),
    ("Aisha Rahman", "nurse@northmoor.example", "", "", "nurse@northmoor.example"),
    ("Priya Shah", "pm@northmoor.example", "", "", "pm@northmoor.example"),
    (
        "Kwame Mensah",
        "kwame.mensah@example.net",
        "07700 900214",
        "BSL interpreter for meetings; please book two weeks ahead.",
        None,
    ),
    ("Lucy Brennan", "lucy.brennan@example.net", "", "Step-free access; uses a wheelchair.", None),
    ("Graham Pike", "", "01632 960388", "No email: please post papers and phone before meetings.", None),
    ("Sofia Novak", "sofia.novak@example.net", "", "Easy-read versions of papers.", None),
    (
        "Margaret Ellis",
        "margaret.ellis@example.net",
        "01632 960512",
        "Large print. Hearing loop in meeting rooms.",
        None,
    ),
    ("Imran Qureshi", "imran.qureshi@example.net", "", "Meetings after 4pm (works shifts).", None),
    ("Beth Carver", "beth.carver@example.net", "", "", None),
    ("Dr Nadia Haddad", "nadia.haddad@northmoor-nhs.example", "", "", None),
    ("Chris Doyle", "chris.doyle@northmoor-council.example", "", "", None),
    (
        "Femi Adeyemi",
        "femi.adeyemi@harbourside-care.example",
        "",
        "Step-free access; quiet room for breaks.",
        None,
    ),
    ("Rachel Green", "rachel.green@harbourside-care.example", "", "", None),
]

BEACON_PHASES: list[tuple[str, str, datetime.date, datetime.date]] = [
    (
        "Scoping",
        "Find out who the service affects and gather everyone's views.",
        datetime.date(2026, 1, 12),
        datetime.date(2026, 4, 30),
    ),
    (
        "Co-design",
        "Design the new service together in open workshops.",
        datetime.date(2026, 5, 1),
        datetime.date(2026, 10, 31),
    ),
    (
        "Pilot",
        "Try the new service at Beacon Street for six months and learn from it.",
        datetime.date(2026, 11, 2),
        datetime.date(2027, 4, 30),
    ),
    (
        "Roll-out",
        "Make the changes permanent and open them to everyone.",
        datetime.date(2027, 5, 3),
        datetime.date(2027, 12, 17),
    ),
]

# (title, phase name, due date)
BEACON_MILESTONES: list[tuple[str, str, datetime.date]] = [
    ("Every stakeholder group's views gathered and answered", "Scoping", datetime.date(2026, 4, 17)),
    ("Co-designed service model agreed by the Project Board", "Co-design", datetime.date(2026, 10, 16)),
    ("Pilot opens at Beacon Street", "Pilot", datetime.date(2026, 11, 2)),
    ("Pilot evaluation published", "Pilot", datetime.date(2027, 4, 23)),
    ("New service open to everyone", "Roll-out", datetime.date(2027, 9, 6)),
]

# (partner, purpose, amount)
BEACON_BUDGET: list[tuple[str, str, Decimal]] = [
    ("Northmoor NHS Foundation Trust", "Day service staffing during the pilot", Decimal("180000.00")),
    ("Northmoor Borough Council", "Building adaptations at Beacon Street", Decimal("65000.00")),
    (
        "Northmoor Community Foundation (charity grant)",
        "Peer support and paying service users and carers for their time",
        Decimal("24000.00"),
    ),
]

# Seats on the Beacon Street Project Board: (person, capacity, stakeholder group).
# One or more per group and half of them non-professional, so the board can be
# activated (BOARD-2, BOARD-4); the demo leaves that step to the facilitator.
BEACON_BOARD_SEATS: list[tuple[str, str, str | None]] = [
    ("Maya Thompson", Capacity.SERVICE_USER, "People who use the day service"),
    ("Kwame Mensah", Capacity.SERVICE_USER, "People who use the day service"),
    ("David Okafor", Capacity.CARER, "Family carers"),
    ("Joan Whitfield", Capacity.PUBLIC, "Local residents near the site"),
    ("Aisha Rahman", Capacity.PROFESSIONAL, "NHS mental-health staff"),
    ("Chris Doyle", Capacity.STATUTORY_BODY, "Council commissioners"),
    ("Femi Adeyemi", Capacity.STAFF, "Support workers at Harbourside Care"),
    ("Priya Shah", Capacity.PROJECT_TEAM, None),
]
BOARD_TERMS_START = datetime.date(2026, 1, 12)
# Members serve until the roll-out ends: every seat has a term (TEAM-1).
TERMS_END = datetime.date(2027, 12, 17)

PENDING_PROPOSAL = {
    "title": "A quiet room at Northmoor library for people with anxiety",
    "summary": "The library is the only free warm place in town, but it is loud. A bookable quiet "
    "room with soft lighting would help people like me who get overwhelmed.",
    "initiator_type": InitiatorType.PUBLIC,
    "proposer_name": "Lena Fischer",
    "proposer_contact": "lena.fischer@example.net",
}
DECLINED_PROPOSAL = {
    "title": "Free parking for all visitors at Northmoor General Hospital",
    "summary": "Parking at the hospital costs too much for people who visit every day.",
    "initiator_type": InitiatorType.SERVICE_USER,
    "proposer_name": "Arthur Bell",
    "proposer_contact": "",
}
DECLINE_REASON = (
    "Hospital parking charges are set by Northmoor NHS Foundation Trust, not by the partnership. "
    "We have passed your proposal to the trust's patient experience team, who will reply to you."
)

EASTBROOK_PROJECT = {
    "title": "Making our sheltered-housing common rooms work for residents",
    "slug": "common-rooms",
    "summary": "Residents of Eastbrook's sheltered housing say the common rooms sit empty. "
    "Together we will decide what they should be for.",
    "initiator_type": InitiatorType.PUBLIC,
}
EASTBROOK_GROUPS: list[dict[str, Any]] = [
    {
        "name": "Residents of sheltered housing",
        "affected": StakeholderGroup.Affected.DIRECTLY,
        "impact": StakeholderGroup.Impact.POSITIVE,
        "is_professional": False,
    },
    {
        "name": "Scheme managers",
        "affected": StakeholderGroup.Affected.DIRECTLY,
        "impact": StakeholderGroup.Impact.MIXED,
        "is_professional": True,
    },
]


class Command(BaseCommand):
    help = "Load demo organisations, a coproduction project, people and logins (safe to run again)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo data even with DEBUG off. The demo logins share a published password: "
            "never use this on a site people rely on.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Refusing to load demo data with DEBUG off: the demo logins share a published password. "
                "Use --force on a throw-away installation."
            )
        # Demo invitations are accepted at once: send no mail to the .example addresses.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
            transaction.atomic(),
        ):
            self._seed()
        self._print_logins()

    # --- Steps --------------------------------------------------------------

    def _seed(self) -> None:
        support = _user(SUPPORT_USER)
        if not support.is_superuser:
            support.is_staff = True
            support.is_superuser = True
            support.save(update_fields=["is_staff", "is_superuser"])

        northmoor_admin = _user(NORTHMOOR_ADMIN)
        northmoor = _organisation("Northmoor Health and Care Partnership", "northmoor", northmoor_admin)
        with scope(organisation=northmoor):
            users = {u.email: _member(northmoor, u, northmoor_admin) for u in NORTHMOOR_USERS}
            project = _project(
                northmoor,
                actor=northmoor_admin,
                title="Redesigning the Beacon Street community mental-health day service",
                slug="beacon-day-service",
                summary=BEACON_SUMMARY,
                initiator_type=InitiatorType.SERVICE_USER,
            )
            _grant(project, users["facilitator@northmoor.example"], "facilitate_project", northmoor_admin)
            _grant(project, users["pm@northmoor.example"], "manage_project", northmoor_admin)
            facilitator = users["facilitator@northmoor.example"]
            for group in BEACON_GROUPS:
                _group(project, group, facilitator)
            for name, email, phone, needs, login in NORTHMOOR_PEOPLE:
                _person(
                    northmoor,
                    actor=facilitator,
                    name=name,
                    email=email,
                    phone=phone,
                    access_needs=needs,
                    user=users.get(login) if login else None,
                )
            phases = {}
            for name, description, starts_on, ends_on in BEACON_PHASES:
                phases[name] = _phase(project, facilitator, name, description, starts_on, ends_on)
            for title, phase_name, due_on in BEACON_MILESTONES:
                _milestone(project, facilitator, title, phases[phase_name], due_on)
            for partner, purpose, amount in BEACON_BUDGET:
                _budget_line(project, northmoor_admin, partner, purpose, amount)
            _board_seats(project, facilitator)
            # The bodies at work: activated, meeting, deciding, a decision
            # returned and a dispute in mediation (boards.demo reaches across
            # apps for the demo only).
            from boards.demo import seed_governance
            from overview.demo import seed_reviews
            from stakeholders.demo import seed_participation

            seed_participation(project, facilitator)
            seed_governance(project, facilitator)
            seed_reviews(project, facilitator)
            _proposal(northmoor, PENDING_PROPOSAL)
            declined = _proposal(northmoor, DECLINED_PROPOSAL)
            if declined.status == ProjectProposal.Status.PENDING:
                project_services.proposal_decline(proposal=declined, reason=DECLINE_REASON, actor=facilitator)

        eastbrook_admin = _user(EASTBROOK_ADMIN)
        eastbrook = _organisation("Eastbrook Housing Trust", "eastbrook", eastbrook_admin)
        with scope(organisation=eastbrook):
            # Helen belongs to both organisations, so the organisation switcher
            # has something to switch between; everyone else sees only Northmoor.
            _member(eastbrook, DemoUser(NORTHMOOR_ADMIN.email, "", "", Role.MEMBER, ""), eastbrook_admin)
            common_rooms = _project(eastbrook, actor=eastbrook_admin, **EASTBROOK_PROJECT)
            for group in EASTBROOK_GROUPS:
                _group(common_rooms, group, eastbrook_admin)
            _person(
                eastbrook,
                actor=eastbrook_admin,
                name="Edna Morris",
                email="",
                phone="01632 960777",
                access_needs="Large print. Meetings in the ground-floor common room.",
                user=None,
            )

    def _print_logins(self) -> None:
        rows = [NORTHMOOR_ADMIN, *NORTHMOOR_USERS, EASTBROOK_ADMIN, SUPPORT_USER]
        width = max(len(row.email) for row in rows)
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Demo logins (all with the same password):"))
        self.stdout.write(f"  password: {DEMO_PASSWORD}")
        for row in rows:
            self.stdout.write(f"  {row.email.ljust(width)}  {row.note}")
        self.stdout.write(
            "  Organisations: /o/northmoor/ (Northmoor Health and Care Partnership), "
            "/o/eastbrook/ (Eastbrook Housing Trust)"
        )


# --- Idempotent helpers: find what exists, otherwise create it through the services.


def _user(spec: DemoUser) -> AbstractBaseUser:
    user = User.objects.filter(username=spec.email).first()
    if user is None:
        user = User(
            username=spec.email, email=spec.email, first_name=spec.first_name, last_name=spec.last_name
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _organisation(name: str, slug: str, admin: AbstractBaseUser) -> Organisation:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        with scopes_disabled():
            # The service records the audit event inside the new organisation.
            organisation = project_services.organisation_create(name=name, slug=slug, actor=admin)
    return organisation


def _member(organisation: Organisation, spec: DemoUser, admin: AbstractBaseUser) -> AbstractBaseUser:
    """A member through the invitation service: invited by the admin and
    accepted at once (the account is created on acceptance when missing)."""
    user = User.objects.filter(username=spec.email).first()
    if user is not None and OrganisationMember.objects.filter(organisation=organisation, user=user).exists():
        return user
    invitation = OrganisationInvitation.objects.filter(
        organisation=organisation, email=spec.email, status=OrganisationInvitation.Status.PENDING
    ).first() or project_services.member_invite(
        organisation=organisation, email=spec.email, role=spec.role, actor=admin
    )
    if user is None:
        project_services.invitation_accept(
            invitation=invitation,
            first_name=spec.first_name,
            last_name=spec.last_name,
            password=DEMO_PASSWORD,
        )
        return User.objects.get(username=spec.email)
    project_services.invitation_accept(invitation=invitation, user=user)
    return user


def _project(organisation: Organisation, *, actor: AbstractBaseUser, **fields: Any) -> Project:
    project = Project.objects.filter(organisation=organisation, slug=fields["slug"]).first()
    if project is None:
        project = project_services.project_create(
            organisation=organisation, actor=actor, status=Project.Status.SCOPING, **fields
        )
    return project


def _grant(project: Project, user: AbstractBaseUser, grant: str, actor: AbstractBaseUser) -> None:
    if grant not in project_grants_of(user, project):
        project_services.project_grant_role(project=project, user=user, grant=grant, actor=actor)


def _group(project: Project, fields: dict[str, Any], actor: AbstractBaseUser) -> StakeholderGroup:
    group = StakeholderGroup.objects.filter(project=project, name=fields["name"]).first()
    if group is None:
        group = stakeholder_services.stakeholder_group_add(project=project, actor=actor, **fields)
    return group


def _person(organisation: Organisation, *, actor: AbstractBaseUser, name: str, **fields: Any) -> Person:
    person = Person.objects.filter(organisation=organisation, name=name).first()
    if person is None:
        person = stakeholder_services.person_add(organisation=organisation, name=name, actor=actor, **fields)
    return person


def _phase(
    project: Project,
    actor: AbstractBaseUser,
    name: str,
    description: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
) -> Phase:
    phase = Phase.objects.filter(project=project, name=name).first()
    if phase is None:
        phase = project_services.phase_add(
            project=project,
            name=name,
            description=description,
            starts_on=starts_on,
            ends_on=ends_on,
            actor=actor,
        )
    return phase


def _milestone(
    project: Project, actor: AbstractBaseUser, title: str, phase: Phase, due_on: datetime.date
) -> Milestone:
    milestone = Milestone.objects.filter(project=project, title=title).first()
    if milestone is None:
        milestone = project_services.milestone_add(
            project=project, title=title, phase=phase, due_on=due_on, actor=actor
        )
    return milestone


def _budget_line(
    project: Project, actor: AbstractBaseUser, partner: str, purpose: str, amount: Decimal
) -> BudgetLine:
    line = BudgetLine.objects.filter(project=project, partner=partner, purpose=purpose).first()
    if line is None:
        # BOARD-7: outside a board decision, only the initial budget agreed at
        # set-up may be recorded; the authority goes to the audit log.
        line = project_services.budget_line_record(
            project=project,
            partner=partner,
            purpose=purpose,
            amount=amount,
            authority="initial budget agreed at project set-up",
            actor=actor,
        )
    return line


def _board_seats(project: Project, actor: AbstractBaseUser) -> None:
    """Seat the board members. The demo spans every app, so this command
    reaches up from projects to boards: it is the one place that may."""
    from boards import services as board_services
    from boards.models import Body, BodyKind, Seat

    board = Body.objects.get(project=project, kind=BodyKind.BOARD)
    groups = {group.name: group for group in StakeholderGroup.objects.filter(project=project)}
    for name, capacity, group_name in BEACON_BOARD_SEATS:
        person = Person.objects.get(organisation=project.organisation, name=name)
        if Seat.objects.filter(body=board, person=person, is_open=True).exists():
            continue
        board_services.seat_add(
            body=board,
            person=person,
            capacity=capacity,
            stakeholder_group=groups[group_name] if group_name else None,
            term_start=BOARD_TERMS_START,
            term_end=TERMS_END,
            actor=actor,
        )


def _proposal(organisation: Organisation, fields: dict[str, Any]) -> ProjectProposal:
    proposal = ProjectProposal.objects.filter(organisation=organisation, title=fields["title"]).first()
    if proposal is None:
        proposal = project_services.proposal_submit(organisation=organisation, **fields)
    return proposal
