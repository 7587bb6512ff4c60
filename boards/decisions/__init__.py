"""How a body decides: agenda items, discussion, equal votes, closing a vote
into the ledger, and carrying decisions out. Rules: BOARD-3, BOARD-5, BOARD-6
(casting vote), BOARD-7, BOARD-8, BOARD-10, GROUP-2, GROUP-4, GROUP-6,
GROUP-7, GROUP-9, LEDGER-1, LEDGER-2."""

from boards.decisions.common import seat_of
from boards.decisions.effects import chair_set_directly
from boards.decisions.implementation import (
    can_report_implementation,
    implementation_state,
    implementation_update,
)
from boards.decisions.proposals import (
    clean_proposal,
    comment_add,
    decision_override_refused,
    item_propose,
    item_update,
)
from boards.decisions.voting import can_run_vote, vote_cast, voting_close, voting_open

__all__ = [
    "can_report_implementation",
    "can_run_vote",
    "chair_set_directly",
    "clean_proposal",
    "comment_add",
    "decision_override_refused",
    "implementation_state",
    "implementation_update",
    "item_propose",
    "item_update",
    "seat_of",
    "vote_cast",
    "voting_close",
    "voting_open",
]
