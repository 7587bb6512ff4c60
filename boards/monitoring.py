"""Cadence checks of the bodies (BOARD-9, GROUP-6, GROUP-8, TEAM-3, and the
share rules ahead of time). Each reads every organisation at once with a
fixed number of queries, whatever the number of bodies, and reads plain
values rather than model instances: the checks walk every body, seat and
open item of every organisation, and building instances (and calling
reverse() per row) was most of the sweep's time. Paths come from one
reversed template per check (`projects.monitoring.path_template`)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterator

from django.db.models import Exists, Max, Min, OuterRef, Q
from django.utils import timezone

from boards.composition import POLICIES, SeatFacts, compose, violations
from boards.models import (
    AgendaItem,
    Body,
    BodyKind,
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
from projects.monitoring import FlagSpec, check, path_template

# get_kind_display() without an instance.
_KIND_LABEL: dict[str, str] = {value: str(label) for value, label in BodyKind.choices}
_LIVE_PROJECTS = ("scoping", "delivery")


def _body_path() -> Callable[..., str]:
    return path_template("boards:body_detail", "org", "project", "kind")


def _cadence_rule(kind: str) -> Rule:
    return Rule.BOARD_9 if kind == "board" else Rule.GROUP_8


def _at_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@check
def suspended_bodies(now: datetime.datetime) -> Iterator[FlagSpec]:
    """A body below its share after a departure takes no decisions until it
    is restored: say so until it is."""
    body_path = _body_path()
    rows = Body.objects.filter(status=BodyStatus.SUSPENDED).values_list(
        "pk",
        "kind",
        "status_reason",
        "status_since",
        "project_id",
        "project__slug",
        "project__organisation_id",
        "project__organisation__slug",
    )
    for pk, kind, reason, since, project_id, project_slug, org_id, org_slug in rows:
        yield FlagSpec(
            organisation_id=org_id,
            project_id=project_id,
            kind=FlagKind.BODY_SUSPENDED,
            rule=rules_for(kind).share,
            key=f"body:{pk}:suspended",
            title=f"The {_KIND_LABEL[kind]} is suspended and takes no decisions",
            details=reason,
            fix="Seat non-professional members until the body meets its share again; it then reactivates.",
            url=body_path(org=org_slug, project=project_slug, kind=kind),
            since=since or now,
            body_id=pk,
        )


@check
def meeting_cadence(now: datetime.datetime) -> Iterator[FlagSpec]:
    """BOARD-9, GROUP-8: no held meeting within the cadence (plus grace), or
    nothing scheduled inside the next cadence window. One query: the last
    held and the next scheduled meeting are aggregates of the body's row."""
    today = timezone.localdate(now)
    body_path = _body_path()
    rows = (
        Body.objects.filter(
            status__in=(BodyStatus.ACTIVE, BodyStatus.SUSPENDED), project__status__in=_LIVE_PROJECTS
        )
        .annotate(
            last_held=Max("meetings__held_on", filter=Q(meetings__status=Meeting.Status.HELD)),
            next_scheduled=Min(
                "meetings__scheduled_at",
                filter=Q(meetings__status=Meeting.Status.SCHEDULED, meetings__scheduled_at__gte=now),
            ),
        )
        .values_list(
            "pk",
            "kind",
            "status_since",
            "created_at",
            "meeting_cadence_days",
            "project_id",
            "project__slug",
            "project__cadence_grace_days",
            "project__organisation_id",
            "project__organisation__slug",
            "last_held",
            "next_scheduled",
        )
    )
    for (
        pk,
        kind,
        status_since,
        created_at,
        cadence_days,
        project_id,
        project_slug,
        grace_days,
        org_id,
        org_slug,
        last_held,
        upcoming,
    ) in rows:
        started = timezone.localdate(status_since) if status_since else timezone.localdate(created_at)
        last = last_held or started
        allowed = cadence_days + grace_days
        url = body_path(org=org_slug, project=project_slug, kind=kind)
        label = _KIND_LABEL[kind]
        if (today - last).days > allowed:
            yield FlagSpec(
                organisation_id=org_id,
                project_id=project_id,
                kind=FlagKind.NO_RECENT_MEETING,
                rule=_cadence_rule(kind),
                key=f"body:{pk}:no-recent-meeting",
                title=f"The {label} has not met for {(today - last).days} days",
                details=f"It should meet at least every {cadence_days} days "
                f"(plus {grace_days} days' grace). Last held meeting: {last_held:%-d %B %Y}."
                if last_held
                else "It has not held a meeting yet.",
                fix="Hold a meeting and record it as held.",
                url=url,
                since=_at_start(last + datetime.timedelta(days=allowed + 1)),
                body_id=pk,
            )
        window_end = now + datetime.timedelta(days=cadence_days)
        if upcoming is None or upcoming > window_end:
            yield FlagSpec(
                organisation_id=org_id,
                project_id=project_id,
                kind=FlagKind.NO_MEETING_SCHEDULED,
                rule=_cadence_rule(kind),
                key=f"body:{pk}:no-meeting-scheduled",
                title=f"The {label} has no meeting scheduled in the next {cadence_days} days",
                fix="Schedule the next meeting.",
                url=url,
                since=now,
                body_id=pk,
            )


@check
def undecided_items(now: datetime.datetime) -> Iterator[FlagSpec]:
    """BOARD-9, GROUP-8: an item still undecided after its deadline, or
    carried over for more held meetings than the project allows."""
    today = timezone.localdate(now)
    item_path = path_template("boards:item_detail", "org", "project", "kind", "pk")
    rows = AgendaItem.objects.filter(
        status__in=(ItemStatus.OPEN, ItemStatus.VOTING), body__project__status__in=_LIVE_PROJECTS
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
        url = item_path(org=org_slug, project=project_slug, kind=kind, pk=pk)
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
    entry_path = path_template("boards:ledger_entry", "org", "project", "pk")
    finished = ImplementationUpdate.objects.filter(entry=OuterRef("pk"), status__in=("done", "cannot"))
    rows = (
        DecisionEntry.objects.filter(
            body__kind="overview", outcome="agreed", project__status__in=_LIVE_PROJECTS
        )
        .annotate(finished=Exists(finished))
        .filter(finished=False)
        .values_list(
            "pk",
            "sequence",
            "recorded_at",
            "body_id",
            "item__title",
            "project_id",
            "project__slug",
            "project__implementation_days",
            "project__organisation_id",
            "project__organisation__slug",
        )
    )
    for (
        pk,
        sequence,
        recorded_at,
        body_id,
        item_title,
        project_id,
        project_slug,
        days,
        org_id,
        org_slug,
    ) in rows:
        due = recorded_at + datetime.timedelta(days=days)
        if now <= due:
            continue
        yield FlagSpec(
            organisation_id=org_id,
            project_id=project_id,
            kind=FlagKind.IMPLEMENTATION_STALLED,
            rule=Rule.GROUP_6,
            key=f"entry:{pk}:stalled",
            title=f"Group decision #{sequence} “{item_title}” is not implemented after {days} days",
            fix="Report it done, or return it to the group with the reason, information, resources and skills.",
            url=entry_path(org=org_slug, project=project_slug, pk=pk),
            since=due,
            body_id=body_id,
        )


@check
def term_ends_ahead(now: datetime.datetime) -> Iterator[FlagSpec]:
    """TEAM-3 and the share rules, ahead of time: a seat term ending within
    the project's warning window that would leave a stakeholder group without
    a seat in the next phase, or the body below its share on that date."""
    today = timezone.localdate(now)
    ending = [
        row
        for row in Seat.objects.filter(
            is_open=True, term_end__gt=today, body__status=BodyStatus.ACTIVE
        ).values_list(
            "pk",
            "term_end",
            "stakeholder_group_id",
            "stakeholder_group__name",
            "body_id",
            "body__kind",
            "body__project_id",
            "body__project__slug",
            "body__project__term_warning_days",
            "body__project__organisation_id",
            "body__project__organisation__slug",
        )
        if (row[1] - today).days <= row[8]
    ]
    if not ending:
        return
    body_ids = {row[4] for row in ending}
    project_ids = sorted({row[6] for row in ending})
    body_seats: dict[int, list[SeatFacts]] = defaultdict(list)
    # Per project: (seat, group, term start, term end) of every open seat.
    project_seats: dict[int, list[tuple[int, int | None, datetime.date, datetime.date | None]]] = defaultdict(
        list
    )
    for pk, body_id, project_id, capacity, group_id, term_start, term_end in Seat.objects.filter(
        body__project_id__in=project_ids, is_open=True
    ).values_list(
        "pk", "body_id", "body__project_id", "capacity", "stakeholder_group_id", "term_start", "term_end"
    ):
        project_seats[project_id].append((pk, group_id, term_start, term_end))
        if body_id in body_ids:
            body_seats[body_id].append(
                SeatFacts(
                    seat_id=pk, capacity=capacity, group_id=group_id, term_start=term_start, term_end=term_end
                )
            )
    phases: dict[int, list[tuple[str, datetime.date, datetime.date]]] = defaultdict(list)
    for project_id, name, starts_on, ends_on in (
        Phase.objects.filter(project_id__in=project_ids)
        .order_by("starts_on")
        .values_list("project_id", "name", "starts_on", "ends_on")
    ):
        phases[project_id].append((name, starts_on, ends_on))
    body_path = _body_path()
    timeline_path = path_template("boards:timeline", "org", "project")
    for (
        pk,
        end,
        group_id,
        group_name,
        body_id,
        kind,
        project_id,
        project_slug,
        _warning_days,
        org_id,
        org_slug,
    ) in ending:
        policy = POLICIES[kind]
        share = [
            v for v in violations(policy, compose(body_seats[body_id], end)) if v.rule == policy.share_rule
        ]
        if share:
            yield FlagSpec(
                organisation_id=org_id,
                project_id=project_id,
                kind=FlagKind.TERM_GAP_AHEAD,
                rule=policy.share_rule,
                key=f"seat:{pk}:share-ahead",
                title=f"A term ends on {end:%-d %B %Y} and the {_KIND_LABEL[kind]} would fall below its share",
                details=share[0].message,
                fix=share[0].fix,
                url=body_path(org=org_slug, project=project_slug, kind=kind),
                since=now,
                body_id=body_id,
            )
        next_phase = next((phase for phase in phases[project_id] if phase[2] >= end), None)
        if group_id is None or next_phase is None:
            continue
        phase_name, phase_start, phase_end = next_phase
        covered = any(
            other_pk != pk
            and other_group == group_id
            and other_start <= phase_end
            and (other_end is None or other_end > max(end, phase_start))
            for other_pk, other_group, other_start, other_end in project_seats[project_id]
        )
        if not covered:
            yield FlagSpec(
                organisation_id=org_id,
                project_id=project_id,
                kind=FlagKind.TERM_GAP_AHEAD,
                rule=Rule.TEAM_3,
                key=f"seat:{pk}:group-gap",
                title=f"“{group_name}” will have no seat in {phase_name} when a term ends on {end:%-d %B %Y}",
                fix=f"Seat someone from “{group_name}” for {phase_name}.",
                url=timeline_path(org=org_slug, project=project_slug),
                since=now,
                body_id=body_id,
            )
