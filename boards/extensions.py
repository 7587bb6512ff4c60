"""Extension points through which later apps (disputes) plug into how bodies
decide, keeping imports one-way (boards never imports disputes).

- `PROPOSAL_CLEANERS[kind]`: checks and normalises the structured proposal of
  an item kind that another app owns.
- `EFFECT_HANDLERS[kind]`: applies an agreed item of that kind inside the
  closing transaction.
- `decision_recorded`: sent inside the closing transaction after every ledger
  entry, with `entry`, `item` and `actor`; receivers act on outcomes (a tie
  sent to the dispute procedure opens a dispute; a vote on a dispute ends it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.dispatch import Signal

ProposalCleaner = Callable[[Any, dict[str, Any]], dict[str, Any]]
EffectHandler = Callable[[Any, Any, Any], None]

PROPOSAL_CLEANERS: dict[str, ProposalCleaner] = {}
EFFECT_HANDLERS: dict[str, EffectHandler] = {}

decision_recorded = Signal()
