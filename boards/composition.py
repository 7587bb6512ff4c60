"""Composition rules of the two bodies as pure functions over plain data: no
ORM, no dates from the clock. One source of truth, used both to block changes
(services) and to report compliance (compliance evaluators).

Rules: BOARD-2 (every stakeholder group seated on the board), BOARD-4 (≥ 30%
non-professional seats), GROUP-1 (≤ 2 project-team seats on the Overview
Group), GROUP-3 (≥ 60% non-professional seats). Shares use integer
arithmetic: 10 seats at 30% need 3 non-professionals; 5 seats at 60% need 3.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from coprod.rulebook import Rule

NON_PROFESSIONAL = frozenset({"service_user", "carer", "public", "community_rep", "independent"})
PROJECT_TEAM = "project_team"
BOARD = "board"
OVERVIEW = "overview"


@dataclass(frozen=True)
class BodyPolicy:
    """What differs between the Project Board and the Overview Group."""

    kind: str
    share_rule: Rule
    min_non_professional_percent: int
    project_team_cap: int | None
    every_group_seated: bool

    @property
    def label(self) -> str:
        return "Project Board" if self.kind == BOARD else "Overview Group"


POLICIES: dict[str, BodyPolicy] = {
    BOARD: BodyPolicy(
        kind=BOARD,
        share_rule=Rule.BOARD_4,
        min_non_professional_percent=30,
        project_team_cap=None,
        every_group_seated=True,
    ),
    OVERVIEW: BodyPolicy(
        kind=OVERVIEW,
        share_rule=Rule.GROUP_3,
        min_non_professional_percent=60,
        project_team_cap=2,
        every_group_seated=False,
    ),
}


@dataclass(frozen=True)
class SeatFacts:
    """What composition needs to know of a seat."""

    seat_id: int | None
    capacity: str
    group_id: int | None
    term_start: datetime.date
    term_end: datetime.date | None = None  # first day the seat no longer counts

    @property
    def non_professional(self) -> bool:
        return self.capacity in NON_PROFESSIONAL

    def active_on(self, day: datetime.date) -> bool:
        return self.term_start <= day and (self.term_end is None or day < self.term_end)


@dataclass(frozen=True)
class Violation:
    """One way a composition breaks its policy, with the concrete fix."""

    rule: Rule
    message: str
    fix: str
    group_id: int | None = None


@dataclass
class Composition:
    """Counts of one body's active seats on one day."""

    total: int
    non_professional: int
    project_team: int
    seats_per_group: dict[int, int] = field(default_factory=dict)

    @property
    def non_professional_percent(self) -> float:
        return 0.0 if self.total == 0 else 100.0 * self.non_professional / self.total


def required_non_professional(total: int, percent: int) -> int:
    """Least number of non-professional seats out of `total` that reaches
    `percent`: ceil(total * percent / 100) in integers."""
    if total < 0 or not 0 <= percent <= 100:
        raise ValueError("total must be ≥ 0 and percent within 0..100")
    return -(-total * percent // 100)


def additional_non_professional_needed(total: int, non_professional: int, percent: int) -> int:
    """How many non-professional seats must be added (keeping the others) to
    reach `percent`. Solves (n + x) * 100 >= percent * (total + x)."""
    if percent >= 100:
        return total - non_professional
    shortfall = percent * total - 100 * non_professional
    if shortfall <= 0:
        return 0
    return -(-shortfall // (100 - percent))


def compose(seats: Iterable[SeatFacts], day: datetime.date) -> Composition:
    active = [seat for seat in seats if seat.active_on(day)]
    per_group = Counter(seat.group_id for seat in active if seat.group_id is not None)
    return Composition(
        total=len(active),
        non_professional=sum(1 for seat in active if seat.non_professional),
        project_team=sum(1 for seat in active if seat.capacity == PROJECT_TEAM),
        seats_per_group=dict(per_group),
    )


def violations(
    policy: BodyPolicy,
    composition: Composition,
    group_names: dict[int, str] | None = None,
) -> list[Violation]:
    """Every way `composition` breaks `policy`, each with what to change.
    `group_names` are the project's stakeholder groups (for BOARD-2)."""
    found: list[Violation] = []
    needed = required_non_professional(composition.total, policy.min_non_professional_percent)
    if composition.total == 0:
        found.append(
            Violation(
                policy.share_rule,
                f"The {policy.label} has no seats.",
                "Add seats, including non-professional members.",
            )
        )
    elif composition.non_professional < needed:
        add = additional_non_professional_needed(
            composition.total, composition.non_professional, policy.min_non_professional_percent
        )
        found.append(
            Violation(
                policy.share_rule,
                f"{composition.non_professional} of {composition.total} seats are non-professional; "
                f"at least {policy.min_non_professional_percent}% ({needed}) are needed.",
                f"Add {add} non-professional seat{'s' if add != 1 else ''}.",
            )
        )
    if policy.project_team_cap is not None and composition.project_team > policy.project_team_cap:
        extra = composition.project_team - policy.project_team_cap
        found.append(
            Violation(
                Rule.GROUP_1,
                f"{composition.project_team} project-team seats; at most {policy.project_team_cap} are allowed.",
                f"End {extra} project-team seat{'s' if extra != 1 else ''}.",
            )
        )
    if policy.every_group_seated and group_names:
        for group_id, name in sorted(group_names.items(), key=lambda item: item[1].lower()):
            if composition.seats_per_group.get(group_id, 0) == 0:
                found.append(
                    Violation(
                        Rule.BOARD_2,
                        f"The group “{name}” has no board seat.",
                        f"Seat someone representing “{name}”.",
                        group_id=group_id,
                    )
                )
    return found


def change_points(seats: Iterable[SeatFacts], today: datetime.date) -> list[datetime.date]:
    """Today and every later day on which some seat starts or ends: the only
    days on which a composition can change."""
    days = {today}
    for seat in seats:
        for day in (seat.term_start, seat.term_end):
            if day is not None and day > today:
                days.add(day)
    return sorted(days)


def first_new_violation(
    policy: BodyPolicy,
    before: Sequence[SeatFacts],
    after: Sequence[SeatFacts],
    today: datetime.date,
    group_names: dict[int, str] | None = None,
) -> tuple[datetime.date, Violation] | None:
    """The first day, from today on, on which `after` breaks the policy in a
    way that `before` does not; None when the change introduces no breach.
    Checking ahead means a change that is fine today but fails when a term
    ends next month is refused now."""
    for day in change_points([*before, *after], today):
        old = {(v.rule, v.group_id) for v in violations(policy, compose(before, day), group_names)}
        for violation in violations(policy, compose(after, day), group_names):
            if (violation.rule, violation.group_id) not in old:
                return day, violation
            if violation.rule == policy.share_rule and _share_worse(policy, before, after, day):
                return day, violation
    return None


def _share_worse(
    policy: BodyPolicy, before: Sequence[SeatFacts], after: Sequence[SeatFacts], day: datetime.date
) -> bool:
    """A body already below its share may not be pushed further below it."""
    old, new = compose(before, day), compose(after, day)
    old_gap = required_non_professional(old.total, policy.min_non_professional_percent) - old.non_professional
    new_gap = required_non_professional(new.total, policy.min_non_professional_percent) - new.non_professional
    return new_gap > old_gap


def upcoming_breaches(
    policy: BodyPolicy,
    seats: Sequence[SeatFacts],
    today: datetime.date,
    group_names: dict[int, str] | None = None,
) -> list[tuple[datetime.date, Violation]]:
    """Days after today on which the body will break its policy if nothing
    changes (term ends unreplaced), for the warning on the body page."""
    found = []
    current = {(v.rule, v.group_id) for v in violations(policy, compose(seats, today), group_names)}
    for day in change_points(seats, today)[1:]:
        for violation in violations(policy, compose(seats, day), group_names):
            if (violation.rule, violation.group_id) not in current:
                found.append((day, violation))
                current.add((violation.rule, violation.group_id))
    return found


def balance(
    seats_per_group: dict[int, int], group_ids: Iterable[int]
) -> tuple[list[int], list[tuple[int, int]]]:
    """TEAM-2: groups with no seat, and pairs (big, small) where one group has
    more than twice the seats of another."""
    counts = {group_id: seats_per_group.get(group_id, 0) for group_id in group_ids}
    unseated = sorted(group_id for group_id, count in counts.items() if count == 0)
    seated = {group_id: count for group_id, count in counts.items() if count > 0}
    imbalanced = sorted(
        (big, small)
        for big, big_count in seated.items()
        for small, small_count in seated.items()
        if big_count > 2 * small_count
    )
    return unseated, imbalanced
