from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "disputes"

    def ready(self) -> None:
        # Plug the dispute procedure into how bodies decide (boards never
        # imports disputes): the procedure is agreed by a body's own decision,
        # ties can be sent to it, and a body's vote settles a dispute.
        from boards.extensions import EFFECT_HANDLERS, PROPOSAL_CLEANERS, decision_recorded
        from disputes import services

        PROPOSAL_CLEANERS["dispute_procedure"] = services.clean_procedure_proposal
        PROPOSAL_CLEANERS["dispute_decision"] = services.refuse_manual_dispute_decision
        EFFECT_HANDLERS["dispute_procedure"] = services.install_agreed_procedure
        decision_recorded.connect(services.on_decision_recorded, dispatch_uid="disputes.on_decision_recorded")
