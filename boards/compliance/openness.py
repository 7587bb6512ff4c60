"""Evaluator of TEAM-10: the project is open to the public. Every project has
a public page (no account) that shows its bodies with their composition, the
decisions of the ledger with their implementation, and the public answers to
input; this counts what that page has to show on the report's date and links
to it. Its accessibility (WCAG 2.2 AA) is checked by the automated browser
tests of every release, not per project."""

from __future__ import annotations

from django.urls import reverse

from boards.compliance.composition import board_data
from boards.compliance.decisions import decision_data
from coprod.rulebook import Rule
from projects.compliance import Evidence, ProjectContext, RuleResult, Status, evaluator
from stakeholders.models import InputResponse


@evaluator(Rule.TEAM_10)
def open_to_the_public(context: ProjectContext) -> RuleResult:
    project = context.project
    url = reverse(
        "public_project:project_page", kwargs={"org": project.organisation.slug, "project": project.slug}
    )
    bodies = board_data(context).bodies
    decisions = len(decision_data(context).entries)
    answered = sum(
        1
        for responded_at in InputResponse.objects.filter(input__project=project).values_list(
            "responded_at", flat=True
        )
        if context.on_or_before(responded_at)
    )
    evidence = [Evidence(kind="public_page", id=project.slug, label="The public project page", url=url)]
    shown = (
        f"The public page shows {len(bodies)} bod{'ies' if len(bodies) != 1 else 'y'} with their composition, "
        f"{decisions} ledger decision(s) with their implementation and {answered} public answer(s) to input"
    )
    if not bodies:
        return RuleResult(
            Rule.TEAM_10,
            Status.WARN,
            f"{shown}: with no Project Board or Overview Group set up, the public cannot see who governs.",
            evidence,
        )
    return RuleResult(
        Rule.TEAM_10,
        Status.PASS,
        f"{shown}; no account is needed, and it meets WCAG 2.2 AA (checked by automated browser tests).",
        evidence,
    )
