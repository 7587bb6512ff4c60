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
