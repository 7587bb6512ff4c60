"""Demo participation for the seeded Beacon Street project: every stakeholder
group specially invited (one by email, with the "how would you like to be
involved" link), views gathered from every group during scoping, the
neighbours who may lose out among them, each answered with the part of the
scope it shaped, and then the scope finalised. Called by `seed_demo`;
written through the services, so it obeys the rules it shows (SCOPE-2,
SCOPE-3, TEAM-7, TEAM-9). Idempotent."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from projects import services as project_services
from projects.models import Project
from stakeholders import participation
from stakeholders.models import GroupInvitation, PublicInput, StakeholderGroup


@dataclass(frozen=True)
class DemoView:
    group: str
    channel: str
    as_who: str
    affected: str
    impact: str
    message: str
    incorporated: str
    answer: str
    how_or_why: str
    scope_part: str
    invited_by: str
    formats: tuple[str, ...]


VIEWS: list[DemoView] = [
    DemoView(
        group="People who use the day service",
        channel="meeting",
        as_who="service_user",
        affected="directly",
        impact="both",
        message="Keep the drop-in mornings: that is when I need somewhere to go. The new building must not "
        "feel like a clinic.",
        incorporated="yes",
        answer="Drop-in mornings stay, and members will help choose the furniture and layout.",
        how_or_why="The service model keeps open drop-in mornings five days a week.",
        scope_part="aims",
        invited_by="in_person",
        formats=("easy_read", "large_print"),
    ),
    DemoView(
        group="Family carers",
        channel="phone",
        as_who="carer",
        affected="indirectly",
        impact="both",
        message="Carers need to know what happens at weekends. Saturdays are the hardest day for us.",
        incorporated="partly",
        answer="Weekend opening is being looked at by the Overview Group; carers have two seats on it.",
        how_or_why="Two carer seats on the Overview Group; weekend opening is on its agenda.",
        scope_part="groups",
        invited_by="letter",
        formats=("large_print", "translation"),
    ),
    DemoView(
        group="Local residents near the site",
        channel="paper",
        as_who="resident",
        affected="indirectly",
        impact="negative",
        message="We are worried about more people gathering outside in the evenings and about parking on "
        "Beacon Street.",
        incorporated="yes",
        answer="Opening ends at 6pm, the garden is at the back, and there will be no extra parking demand "
        "from staff.",
        how_or_why="Opening hours end at 6pm and staff park at the health centre; residents hold two seats.",
        scope_part="plan",
        invited_by="letter",
        formats=("large_print",),
    ),
    DemoView(
        group="NHS mental-health staff",
        channel="email",
        as_who="professional",
        affected="directly",
        impact="both",
        message="A quiet room for one-to-one sessions is essential, and handovers must stay simple.",
        incorporated="yes",
        answer="The plan has a quiet room and one shared handover sheet.",
        how_or_why="A quiet room is in the building adaptations budget.",
        scope_part="budget",
        invited_by="email",
        formats=(),
    ),
    DemoView(
        group="Council commissioners",
        channel="meeting",
        as_who="professional",
        affected="indirectly",
        impact="positive",
        message="We need evidence from the pilot before committing recurrent funding.",
        incorporated="yes",
        answer="The pilot evaluation is a milestone, published before roll-out.",
        how_or_why="Milestone: pilot evaluation published in April 2027.",
        scope_part="plan",
        invited_by="partner",
        formats=(),
    ),
    DemoView(
        group="Support workers at Harbourside Care",
        channel="meeting",
        as_who="professional",
        affected="directly",
        impact="both",
        message="Rotas need a month's notice of any change in opening times.",
        incorporated="no",
        answer="We will give as much notice as we can, but a fixed month could delay decisions members "
        "ask for.",
        how_or_why="Not adopted as a fixed rule: the board decides timing case by case with the provider.",
        scope_part="",
        invited_by="partner",
        formats=("easy_read",),
    ),
]
INVITED_ON = datetime.date(2026, 1, 19)


def seed_participation(project: Project, facilitator: AbstractBaseUser) -> None:
    groups = {group.name: group for group in StakeholderGroup.objects.filter(project=project)}
    for view in VIEWS:
        group = groups[view.group]
        _invite(group, view, facilitator)
        _hear(project, group, view, facilitator)
    if project.status == Project.Status.SCOPING:
        # Every group heard and answered, the neighbours among them: the
        # scope can be finalised (SCOPE-2, SCOPE-3).
        project_services.project_change_status(
            project=project, status=Project.Status.DELIVERY, actor=facilitator
        )


def _invite(group: StakeholderGroup, view: DemoView, actor: AbstractBaseUser) -> None:
    if GroupInvitation.objects.filter(stakeholder_group=group).exists():
        return
    participation.group_invitation_record(
        group=group,
        channel=view.invited_by,
        sent_on=INVITED_ON,
        actor=actor,
        formats_offered=list(view.formats),
        response=GroupInvitation.Response.ACCEPTED,
        response_note="Took part in the scoping workshops.",
        # An example address: emailing it only prints to the console in `make run`.
        email="team-lead@northmoor-nhs.example" if view.invited_by == "email" else "",
    )


def _hear(project: Project, group: StakeholderGroup, view: DemoView, actor: AbstractBaseUser) -> None:
    if PublicInput.objects.filter(project=project, stakeholder_group=group).exists():
        return
    item = participation.input_record(
        project=project,
        channel=view.channel,
        actor=actor,
        message=view.message,
        affected=view.affected,
        impact=view.impact,
        as_who=view.as_who,
        consent=True,
        stakeholder_group=group,
    )
    participation.input_respond(
        item=item,
        public_text=view.answer,
        incorporated=view.incorporated,
        how_or_why=view.how_or_why,
        scope_part=view.scope_part,
        actor=actor,
    )
