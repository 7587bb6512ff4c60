"""Cadence checks of the bodies (BOARD-9, GROUP-6, GROUP-8, TEAM-3, and the
share rules ahead of time). Each reads every organisation at once with a
fixed number of queries, whatever the number of bodies."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from boards.composition import POLICIES, SeatFacts, compose, violations
from boards.models import (
    AgendaItem,
    Body,
    BodyStatus,
    DecisionEntry,
    ImplementationUpdate,
    ItemStatus,
    Meeting,
    Seat,
)
from boards.rules import rules_for
from coprod.rulebook import Rule
from projects.models import FlagKind, Phase
from projects.monitoring import FlagSpec, check

_PLACEHOLDER = re.compile(r"ORG|PROJECT|KIND|999999999")
_TEMPLATES: dict[str, str] = {}


def _path(name: str, **values: str) -> str:
    """reverse() once per URL name, then fill the placeholders in a single
    pass (inserted values are never rescanned): the checks need a path for
    every body and item of every organisation, and reverse() is the slow part."""
    template = _TEMPLATES.get(name)
    if template is None:
        kwargs = {"org": "ORG", "project": "PROJECT", "kind": "KIND"}
        if name == "boards:item_detail":
            kwargs["pk"] = "999999999"
        template = _TEMPLATES[name] = reverse(name, kwargs=kwargs)
    keys = {"ORG": "org", "PROJECT": "project", "KIND": "kind", "999999999": "pk"}
    return _PLACEHOLDER.sub(lambda match: values[keys[match.group()]], template)


def _body_url(org: str, project: str, kind: str) -> str:
    return _path("boards:body_detail", org=org, project=project, kind=kind)


def _cadence_rule(kind: str) -> Rule:
    return Rule.BOARD_9 if kind == "board" else Rule.GROUP_8


def _at_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _bodies() -> list[Body]:
    return list(
        Body.objects.filter(
            status__in=(BodyStatus.ACTIVE, BodyStatus.SUSPENDED), project__status__in=("scoping", "delivery")
        )
        .select_related("project__organisation")
        .annotate(
            last_held=Max("meetings__held_on", filter=Q(meetings__status=Meeting.Status.HELD)),
        )
    )


@check
def suspended_bodies(now: datetime.datetime) -> Iterator[FlagSpec]:
    """A body below its share after a departure takes no decisions until it
    is restored: say so until it is."""
    for body in Body.objects.filter(status=BodyStatus.SUSPENDED).select_related("project__organisation"):
        project = body.project
        yield FlagSpec(
            organisation_id=project.organisation_id,
            project_id=project.pk,
            kind=FlagKind.BODY_SUSPENDED,
            rule=rules_for(body.kind).share,
            key=f"body:{body.pk}:suspended",
            title=f"The {body.get_kind_display()} is suspended and takes no decisions",
            details=body.status_reason,
            fix="Seat non-professional members until the body meets its share again; it then reactivates.",
            url=_body_url(project.organisation.slug, project.slug, body.kind),
            since=body.status_since or now,
            body_id=body.pk,
        )


@check
def meeting_cadence(now: datetime.datetime) -> Iterator[FlagSpec]:
    """BOARD-9, GROUP-8: no held meeting within the cadence (plus grace), or
    nothing scheduled inside the next cadence window."""
    today = timezone.localdate(now)
    bodies = _bodies()
    scheduled = set(
        Meeting.objects.filter(
            body__in=[body.pk for body in bodies], status=Meeting.Status.SCHEDULED, scheduled_at__gte=now
        ).values_list("body_id", "scheduled_at")
    )
    next_by_body: dict[int, datetime.datetime] = {}
    for body_id, when in scheduled:
        if body_id not in next_by_body or when < next_by_body[body_id]:
            next_by_body[body_id] = when
    for body in bodies:
        project = body.project
        org = project.organisation
        started = (
            timezone.localdate(body.status_since)
            if body.status_since
            else timezone.localdate(body.created_at)
        )
        last = body.last_held or started
        allowed = body.meeting_cadence_days + project.cadence_grace_days
        url = _body_url(org.slug, project.slug, body.kind)
        if (today - last).days > allowed:
            yield FlagSpec(
                organisation_id=org.pk,
                project_id=project.pk,
                kind=FlagKind.NO_RECENT_MEETING,
                rule=_cadence_rule(body.kind),
                key=f"body:{body.pk}:no-recent-meeting",
                title=f"The {body.get_kind_display()} has not met for {(today - last).days} days",
                details=f"It should meet at least every {body.meeting_cadence_days} days "
                f"(plus {project.cadence_grace_days} days' grace). Last held meeting: "
                f"{body.last_held:%-d %B %Y}."
                if body.last_held
                else "It has not held a meeting yet.",
                fix="Hold a meeting and record it as held.",
                url=url,
                since=_at_start(last + datetime.timedelta(days=allowed + 1)),
                body_id=body.pk,
            )
        upcoming = next_by_body.get(body.pk)
        window_end = now + datetime.timedelta(days=body.meeting_cadence_days)
        if upcoming is None or upcoming > window_end:
            yield FlagSpec(
                organisation_id=org.pk,
                project_id=project.pk,
                kind=FlagKind.NO_MEETING_SCHEDULED,
                rule=_cadence_rule(body.kind),
                key=f"body:{body.pk}:no-meeting-scheduled",
                title=f"The {body.get_kind_display()} has no meeting scheduled in the next "
                f"{body.meeting_cadence_days} days",
                fix="Schedule the next meeting.",
                url=url,
                since=now,
                body_id=body.pk,
            )


@check
def undecided_items(now: datetime.datetime) -> Iterator[FlagSpec]:
    """BOARD-9, GROUP-8: an item still undecided after its deadline, or
    carried over for more held meetings than the project allows. Reads plain
    values, not model instances, because it walks every open item."""
    today = timezone.localdate(now)
    rows = AgendaItem.objects.filter(
        status__in=(ItemStatus.OPEN, ItemStatus.VOTING), body__project__status__in=("scoping", "delivery")
    ).values_list(
        "pk",
        "title",
        "deadline",
        "created_at",
        "body_id",
        "body__kind",
        "body__project_id",
        "body__project__slug",
        "body__project__carry_over_limit",
        "body__project__organisation_id",
        "body__project__organisation__slug",
    )
    held: dict[int, list[datetime.date]] = defaultdict(list)
    for body_id, day in (
        Meeting.objects.filter(
            status=Meeting.Status.HELD, body__items__status__in=(ItemStatus.OPEN, ItemStatus.VOTING)
        )
        .values_list("body_id", "held_on")
        .distinct()
    ):
        held[body_id].append(day)
    for (
        pk,
        title,
        deadline,
        created_at,
        body_id,
        kind,
        project_id,
        project_slug,
        limit,
        org_id,
        org_slug,
    ) in rows:
        url = _path("boards:item_detail", org=org_slug, project=project_slug, kind=kind, pk=str(pk))
        if deadline and deadline < today:
            yield FlagSpec(
                organisation_id=org_id,
                project_id=project_id,
                kind=FlagKind.ITEM_OVERDUE,
                rule=_cadence_rule(kind),
                key=f"item:{pk}:overdue",
                title=f"“{title}” is undecided past its deadline ({deadline:%-d %B %Y})",
                fix="Put it to the vote at the next meeting, or agree a new deadline.",
                url=url,
                since=_at_start(deadline + datetime.timedelta(days=1)),
                body_id=body_id,
            )
        created = timezone.localdate(created_at)
        carried = sorted(day for day in held[body_id] if day >= created)
        if len(carried) > limit:
            yield FlagSpec(
                organisation_id=org_id,
                project_id=project_id,
                kind=FlagKind.ITEM_CARRIED_OVER,
                rule=_cadence_rule(kind),
                key=f"item:{pk}:carried-over",
                title=f"“{title}” has been carried over {len(carried)} meetings",
                details=f"The project allows {limit} before it is flagged.",
                fix="Decide it, or agree what the body needs in order to decide it.",
                url=url,
                since=_at_start(carried[limit]),
                body_id=body_id,
            )


@check
def stalled_group_decisions(now: datetime.datetime) -> Iterator[FlagSpec]:
    """GROUP-6: an agreed Overview Group decision neither implemented nor
    returned after the project's number of days."""
    finished = ImplementationUpdate.objects.filter(entry=OuterRef("pk"), status__in=("done", "cannot"))
    entries = (
        DecisionEntry.objects.filter(
            body__kind="overview", outcome="agreed", project__status__in=("scoping", "delivery")
        )
        .annotate(finished=Exists(finished))
        .filter(finished=False)
        .select_related("project__organisation", "item", "body")
    )
    for entry in entries:
        project = entry.project
        due = entry.recorded_at + datetime.timedelta(days=project.implementation_days)
        if now <= due:
            continue
        org = project.organisation
        yield FlagSpec(
            organisation_id=org.pk,
            project_id=project.pk,
            kind=FlagKind.IMPLEMENTATION_STALLED,
            rule=Rule.GROUP_6,
            key=f"entry:{entry.pk}:stalled",
            title=f"Group decision #{entry.sequence} “{entry.item.title}” is not implemented after "
            f"{project.implementation_days} days",
            fix="Report it done, or return it to the group with the reason, information, resources and skills.",
            url=reverse(
                "boards:ledger_entry", kwargs={"org": org.slug, "project": project.slug, "pk": entry.pk}
            ),
            since=due,
            body_id=entry.body_id,
        )


@check
def term_ends_ahead(now: datetime.datetime) -> Iterator[FlagSpec]:
    """TEAM-3 and the share rules, ahead of time: a seat term ending within
    the project's warning window that would leave a stakeholder group without
    a seat in the next phase, or the body below its share on that date."""
    today = timezone.localdate(now)
    ending = list(
        Seat.objects.filter(is_open=True, term_end__gt=today, body__status=BodyStatus.ACTIVE).select_related(
            "body__project__organisation", "stakeholder_group"
        )
    )
    ending = [seat for seat in ending if (seat.term_end - today).days <= seat.body.project.term_warning_days]
    if not ending:
        return
    body_ids = {seat.body_id for seat in ending}
    project_ids = {seat.body.project_id for seat in ending}
    all_seats: dict[int, list[SeatFacts]] = defaultdict(list)
    project_seats: dict[int, list[Seat]] = defaultdict(list)
    for seat in Seat.objects.filter(body__project_id__in=project_ids, is_open=True).select_related("body"):
        project_seats[seat.body.project_id].append(seat)
        if seat.body_id in body_ids:
            all_seats[seat.body_id].append(seat.facts)
    phases: dict[int, list[Phase]] = defaultdict(list)
    for phase in Phase.objects.filter(project_id__in=project_ids).order_by("starts_on"):
        phases[phase.project_id].append(phase)
    for seat in ending:
        body = seat.body
        project = body.project
        org = project.organisation
        end = seat.term_end
        url = _body_url(org.slug, project.slug, body.kind)
        after = compose(all_seats[body.pk], end)
        share = [
            v for v in violations(POLICIES[body.kind], after) if v.rule == POLICIES[body.kind].share_rule
        ]
        if share:
            yield FlagSpec(
                organisation_id=org.pk,
                project_id=project.pk,
                kind=FlagKind.TERM_GAP_AHEAD,
                rule=POLICIES[body.kind].share_rule,
                key=f"seat:{seat.pk}:share-ahead",
                title=f"A term ends on {end:%-d %B %Y} and the {body.get_kind_display()} would fall below its share",
                details=share[0].message,
                fix=share[0].fix,
                url=url,
                since=now,
                body_id=body.pk,
            )
        next_phase = next((phase for phase in phases[project.pk] if phase.ends_on >= end), None)
        group = seat.stakeholder_group
        if group is None or next_phase is None:
            continue
        others = [
            other
            for other in project_seats[project.pk]
            if other.pk != seat.pk
            and other.stakeholder_group_id == group.pk
            and other.term_start <= next_phase.ends_on
            and (other.term_end is None or other.term_end > max(end, next_phase.starts_on))
        ]
        if not others:
            yield FlagSpec(
                organisation_id=org.pk,
                project_id=project.pk,
                kind=FlagKind.TERM_GAP_AHEAD,
                rule=Rule.TEAM_3,
                key=f"seat:{seat.pk}:group-gap",
                title=f"“{group.name}” will have no seat in {next_phase.name} when a term ends on {end:%-d %B %Y}",
                fix=f"Seat someone from “{group.name}” for {next_phase.name}.",
                url=reverse("boards:timeline", kwargs={"org": org.slug, "project": project.slug}),
                since=now,
                body_id=body.pk,
            )
