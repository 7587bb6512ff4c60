"""Evaluators of the rules whose data the bodies own: composition and
involvement (`composition`), decisions, the ledger and meetings
(`decisions`), meetings and staying in control (`meetings`), the ledger
(`ledger`), openness to the public (`openness`) and the organisation boundary
(`tenancy`). Importing the
package registers them all."""

from boards.compliance import composition, decisions, ledger, meetings, openness, tenancy

__all__ = ["composition", "decisions", "ledger", "meetings", "openness", "tenancy"]
