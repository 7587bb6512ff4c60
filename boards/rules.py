"""Which rule ID speaks for which body: the same principle has one ID for the
Project Board and another for the Overview Group."""

from __future__ import annotations

from dataclasses import dataclass

from boards.composition import BOARD
from coprod.rulebook import Rule


@dataclass(frozen=True)
class BodyRules:
    share: Rule
    chair: Rule
    voice: Rule
    ties: Rule
    override: Rule
    stays_in_control: Rule


_BOARD = BodyRules(Rule.BOARD_4, Rule.BOARD_3, Rule.BOARD_5, Rule.BOARD_6, Rule.BOARD_8, Rule.BOARD_10)
_GROUP = BodyRules(Rule.GROUP_3, Rule.GROUP_2, Rule.GROUP_4, Rule.GROUP_5, Rule.GROUP_7, Rule.GROUP_9)


def rules_for(kind: str) -> BodyRules:
    return _BOARD if kind == BOARD else _GROUP
