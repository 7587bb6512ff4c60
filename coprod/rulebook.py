"""The rule catalogue of RULES.md as an enum. IDs are a public interface:
errors, reports, exports and tests use them."""

from __future__ import annotations

from django.db import models


class Rule(models.TextChoices):
    SCOPE_1 = "SCOPE-1", "Project initiator recorded; anyone can propose a project"
    SCOPE_2 = "SCOPE-2", "Views gathered from every stakeholder group and answered"
    SCOPE_3 = "SCOPE-3", "Negatively affected groups identified and consulted"
    SCOPE_4 = "SCOPE-4", "Directly and indirectly affected groups identified"
    BOARD_1 = "BOARD-1", "A Project Board with the full remit"
    BOARD_2 = "BOARD-2", "Every stakeholder group holds a board seat"
    BOARD_3 = "BOARD-3", "Board chair appointed on merit by a board vote"
    BOARD_4 = "BOARD-4", "At least 30% of board seats are non-professional"
    BOARD_5 = "BOARD-5", "One seat, one vote, equal voice on the board"
    BOARD_6 = "BOARD-6", "Agreed dispute procedure; no casting vote for the project team"
    BOARD_7 = "BOARD-7", "Finance and personnel change only by board decision"
    BOARD_8 = "BOARD-8", "Agreed board items cannot be overruled"
    BOARD_9 = "BOARD-9", "The board meets often enough to decide every item"
    BOARD_10 = "BOARD-10", "The board stays in control until the project finishes"
    GROUP_1 = "GROUP-1", "A separate Overview Group with at most two project-team seats"
    GROUP_2 = "GROUP-2", "Group chair appointed on merit by a group vote"
    GROUP_3 = "GROUP-3", "At least 60% of group seats are non-professional"
    GROUP_4 = "GROUP-4", "One seat, one vote, equal voice in the group"
    GROUP_5 = "GROUP-5", "Agreed dispute procedure for the group; no casting vote"
    GROUP_6 = "GROUP-6", "Every agreed group item implemented or returned with support"
    GROUP_7 = "GROUP-7", "No agreed group item is overruled"
    GROUP_8 = "GROUP-8", "The group meets often enough and reviews every milestone"
    GROUP_9 = "GROUP-9", "The group stays in control until the project finishes"
    TEAM_1 = "TEAM-1", "Involvement planned per stage with terms"
    TEAM_2 = "TEAM-2", "Every group represented in comparable numbers"
    TEAM_3 = "TEAM-3", "Every group involved in every phase"
    TEAM_4 = "TEAM-4", "Negatively affected people hold seats"
    TEAM_5 = "TEAM-5", "Front-line and implementing professionals involved"
    TEAM_6 = "TEAM-6", "Indirectly affected people involved"
    TEAM_7 = "TEAM-7", "Every group specially invited"
    TEAM_8 = "TEAM-8", "Every group takes part in decisions"
    TEAM_9 = "TEAM-9", "Input open at every stage and always answered"
    TEAM_10 = "TEAM-10", "An open, accessible public project page"
    LEDGER_1 = "LEDGER-1", "Decisions are an append-only, hash-chained ledger"
    LEDGER_2 = "LEDGER-2", "A vote counts only when the votes cast meet the share"
    TENANT_1 = "TENANT-1", "Nothing of one organisation reaches another"


def rule_ids() -> list[str]:
    return [rule.value for rule in Rule]
