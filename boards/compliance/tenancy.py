"""Evaluator of TENANT-1 for one project: every record the project's
governance rests on belongs to the project's own organisation. Access is
guarded elsewhere (the tenancy middleware answers 404 to outsiders, every
model is scoped); this reads the data itself and looks for any reference
that crosses the boundary: a seat held by another organisation's person, a
seat or input in another project's stakeholder group, a vote cast by a seat
of another project, a project role or audit record of an outsider. Five
counting queries, whatever the size of the project."""

from __future__ import annotations

from django.db.models import F, Q
from guardian.models import UserObjectPermission

from boards.models import Seat, Vote
from coprod.rulebook import Rule
from projects.compliance import Evidence, ProjectContext, RuleResult, Status, evaluator
from projects.models import AuditEvent, OrganisationMember, Project
from stakeholders.models import PublicInput


def _project_role_holders(project: Project) -> tuple[int, list[int]]:
    """(holders of a role on the project, those of them who are not members
    of its organisation)."""
    holders = set(
        UserObjectPermission.objects.filter(
            content_type__app_label="projects", content_type__model="project", object_pk=str(project.pk)
        ).values_list("user_id", flat=True)
    )
    members = set(
        OrganisationMember.objects.filter(
            organisation=project.organisation_id, user_id__in=holders
        ).values_list("user_id", flat=True)
    )
    return len(holders), sorted(holders - members)


@evaluator(Rule.TENANT_1)
def project_stays_in_its_organisation(context: ProjectContext) -> RuleResult:
    project = context.project
    organisation = project.organisation_id
    seats = Seat.objects.filter(body__project=project)
    seat_count = seats.count()
    foreign_seats = list(
        seats.filter(
            ~Q(person__organisation=organisation)
            | (Q(stakeholder_group__isnull=False) & ~Q(stakeholder_group__project=project))
        ).values_list("pk", flat=True)[:20]
    )
    foreign_votes = list(
        Vote.objects.filter(item__body__project=project)
        .exclude(seat__body__project=F("item__body__project"))
        .values_list("pk", flat=True)[:20]
    )
    foreign_inputs = list(
        PublicInput.objects.filter(project=project, stakeholder_group__isnull=False)
        .exclude(stakeholder_group__project=project)
        .values_list("pk", flat=True)[:20]
    )
    holders, outsiders = _project_role_holders(project)
    foreign_audit = AuditEvent.objects.filter(project=project).exclude(organisation=organisation).count()
    evidence: list[Evidence] = [
        *(Evidence(kind="seat", id=pk, label=f"Seat #{pk} crosses the organisation") for pk in foreign_seats),
        *(
            Evidence(kind="vote", id=pk, label=f"Vote #{pk} by a seat of another project")
            for pk in foreign_votes
        ),
        *(
            Evidence(kind="input", id=pk, label=f"Input #{pk} in another project's group")
            for pk in foreign_inputs
        ),
        *(
            Evidence(kind="user", id=pk, label=f"User #{pk} holds a project role but is not a member")
            for pk in outsiders
        ),
    ]
    problems = len(foreign_seats) + len(foreign_votes) + len(foreign_inputs) + len(outsiders) + foreign_audit
    if problems:
        return RuleResult(
            Rule.TENANT_1,
            Status.FAIL,
            "Records of this project reach outside its organisation: "
            f"{len(foreign_seats)} seat(s), {len(foreign_votes)} vote(s), {len(foreign_inputs)} input(s), "
            f"{len(outsiders)} project role holder(s), {foreign_audit} audit record(s).",
            evidence,
        )
    return RuleResult(
        Rule.TENANT_1,
        Status.PASS,
        f"All {seat_count} seats are held by people of this organisation in this project's groups, every vote "
        f"was cast by a seat of this project, and all {holders} project role holder(s) are members. Outsiders "
        "get “not found” for every page and API address of the organisation (checked by the automated tests "
        "on every address).",
    )
