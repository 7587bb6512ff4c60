"""Composition rules as tables: pure functions, no database."""

from __future__ import annotations

import datetime

import pytest

from boards.composition import (
    POLICIES,
    SeatFacts,
    additional_non_professional_needed,
    balance,
    compose,
    first_new_violation,
    required_non_professional,
    upcoming_breaches,
    violations,
)
from coprod.rulebook import Rule

DAY = datetime.date(2026, 3, 1)


def seats(
    spec: str, group_ids: list[int | None] | None = None, end: datetime.date | None = None
) -> list[SeatFacts]:
    """'NNP' → two non-professional seats (service users) and one professional."""
    capacity = {"N": "service_user", "P": "professional", "T": "project_team", "C": "carer"}
    groups = group_ids or [None] * len(spec)
    return [
        SeatFacts(seat_id=i, capacity=capacity[c], group_id=groups[i], term_start=DAY, term_end=end)
        for i, c in enumerate(spec)
    ]


@pytest.mark.rule("BOARD-4")
@pytest.mark.rule("GROUP-3")
@pytest.mark.parametrize(
    ("total", "percent", "needed"),
    [
        (10, 30, 3),
        (5, 60, 3),
        (1, 30, 1),
        (0, 30, 0),
        (3, 30, 1),
        (7, 30, 3),
        (11, 30, 4),
        (4, 60, 3),
        (10, 60, 6),
    ],
)
def test_required_non_professional_uses_integer_ceiling(total: int, percent: int, needed: int) -> None:
    assert required_non_professional(total, percent) == needed


@pytest.mark.rule("BOARD-4")
@pytest.mark.parametrize(
    ("total", "non_professional", "percent", "add"),
    [(10, 2, 30, 2), (10, 3, 30, 0), (5, 1, 60, 5), (5, 2, 60, 3), (4, 0, 30, 2), (0, 0, 30, 0)],
)
def test_additional_needed_keeps_the_others(
    total: int, non_professional: int, percent: int, add: int
) -> None:
    got = additional_non_professional_needed(total, non_professional, percent)
    assert got == add
    # Adding exactly that many reaches the share; one fewer does not.
    assert (non_professional + got) * 100 >= percent * (total + got)
    if got:
        assert (non_professional + got - 1) * 100 < percent * (total + got - 1)


@pytest.mark.rule("BOARD-4")
@pytest.mark.parametrize(
    ("spec", "broken"),
    [("NNNPPPPPPP", False), ("NNPPPPPPPP", True), ("N", False), ("P", True), ("", True), ("NPP", False)],
)
def test_board_share(spec: str, broken: bool) -> None:
    found = violations(POLICIES["board"], compose(seats(spec), DAY))
    assert any(v.rule == Rule.BOARD_4 for v in found) is broken


@pytest.mark.rule("GROUP-3")
@pytest.mark.parametrize(
    ("spec", "broken"), [("NNNPP", False), ("NNPPP", True), ("NNNNT", False), ("NP", True)]
)
def test_group_share(spec: str, broken: bool) -> None:
    found = violations(POLICIES["overview"], compose(seats(spec), DAY))
    assert any(v.rule == Rule.GROUP_3 for v in found) is broken


@pytest.mark.rule("GROUP-1")
@pytest.mark.parametrize(("spec", "broken"), [("NNNNNNTT", False), ("NNNNNNNTTT", True)])
def test_group_project_team_cap(spec: str, broken: bool) -> None:
    found = violations(POLICIES["overview"], compose(seats(spec), DAY))
    assert any(v.rule == Rule.GROUP_1 for v in found) is broken


@pytest.mark.rule("BOARD-2")
def test_every_group_needs_a_board_seat_with_named_fix() -> None:
    found = violations(
        POLICIES["board"], compose(seats("NP", [1, 1]), DAY), {1: "Service users", 2: "Carers"}
    )
    board_2 = [v for v in found if v.rule == Rule.BOARD_2]
    assert len(board_2) == 1
    assert "Carers" in board_2[0].message
    assert "Carers" in board_2[0].fix
    # The Overview Group does not require every group.
    assert not [
        v
        for v in violations(POLICIES["overview"], compose(seats("NNN", [1, 1, 1]), DAY), {2: "Carers"})
        if v.rule == Rule.BOARD_2
    ]


@pytest.mark.rule("BOARD-4")
def test_fix_says_how_many_to_add() -> None:
    (violation,) = violations(POLICIES["board"], compose(seats("NNPPPPPPPP"), DAY))
    assert violation.fix == "Add 2 non-professional seats."  # 4 of 12 reaches 30%


@pytest.mark.rule("TEAM-1")
def test_term_end_is_checked_ahead() -> None:
    later = datetime.date(2026, 4, 1)
    before = seats("NNNPPPPPPP")
    # Ending one non-professional seat next month breaks the share then, not today.
    after = [*before[1:], SeatFacts(0, "service_user", None, DAY, later)]
    breach = first_new_violation(POLICIES["board"], before, after, DAY)
    assert breach is not None
    day, violation = breach
    assert day == later
    assert violation.rule == Rule.BOARD_4
    assert upcoming_breaches(POLICIES["board"], after, DAY)[0][0] == later


def test_an_allowed_change_has_no_new_violation() -> None:
    before = seats("NNNPPPPPPP")
    after = [*before, SeatFacts(99, "carer", None, DAY, None)]
    assert first_new_violation(POLICIES["board"], before, after, DAY) is None


def test_cannot_push_a_body_further_below_its_share() -> None:
    before = seats("NNPPPPPPPP")  # already below
    after = [*before, SeatFacts(99, "professional", None, DAY, None)]
    breach = first_new_violation(POLICIES["board"], before, after, DAY)
    assert breach is not None and breach[1].rule == Rule.BOARD_4


@pytest.mark.rule("TEAM-2")
@pytest.mark.parametrize(
    ("per_group", "unseated", "imbalanced"),
    [({1: 2, 2: 2}, [], []), ({1: 5, 2: 2}, [], [(1, 2)]), ({1: 4, 2: 2}, [], []), ({1: 1}, [2], [])],
)
def test_balance(per_group: dict[int, int], unseated: list[int], imbalanced: list[tuple[int, int]]) -> None:
    assert balance(per_group, [1, 2]) == (unseated, imbalanced)
