from django.apps import AppConfig


class StakeholdersConfig(AppConfig):
    name = "stakeholders"

    def ready(self) -> None:
        # Scoping ends only when it has listened (SCOPE-2, SCOPE-3).
        from projects.services import STATUS_GUARDS
        from stakeholders.participation import guard_scoping_complete

        guards = STATUS_GUARDS.setdefault(("scoping", "delivery"), [])
        if guard_scoping_complete not in guards:
            guards.append(guard_scoping_complete)

        # The cached public project page is refreshed when what it shows changes.
        from stakeholders.signals_public import connect_public_page_signals

        connect_public_page_signals()
