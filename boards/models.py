"""The machinery shared by the Project Board and the Overview Group: bodies,
seats, meetings, agenda items, votes and the decision ledger. Built by the
governing-bodies and decisions work; the app exists now so that migrations and
imports have a fixed home."""
