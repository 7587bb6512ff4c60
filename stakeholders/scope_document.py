"""The scope document (SCOPE-2): the project's scope part by part (its aims,
the groups it involves and affects, its plan, its budget), and under each
part the scoping inputs that shaped it with the project's answers: whether
and how each was incorporated, or why not. Reads only; a fixed number of
queries whatever the size of the project."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from projects.models import BudgetLine, Milestone, Phase, Project
from stakeholders.models import PublicInput, ScopePart, StakeholderGroup


@dataclass
class ScopeSection:
    """One part of the scope: what the project has for it, and the inputs
    that shaped it."""

    part: str
    title: str
    inputs: list[PublicInput] = field(default_factory=list)


@dataclass
class ScopeDocument:
    project: Project
    sections: list[ScopeSection]
    groups: list[StakeholderGroup]
    phases: list[Phase]
    milestones: list[Milestone]
    budget_lines: list[BudgetLine]
    budget_total: Decimal
    # Answered scoping input that names no part yet, and input not answered.
    unplaced: list[PublicInput]
    unanswered: list[PublicInput]

    @property
    def shaped_count(self) -> int:
        return sum(len(section.inputs) for section in self.sections)


def scoping_inputs(project: Project) -> list[PublicInput]:
    return list(
        PublicInput.objects.filter(project=project, during_scoping=True)
        .select_related("response", "stakeholder_group")
        .order_by("received_at", "pk")
    )


def _sections(
    inputs: list[PublicInput],
) -> tuple[list[ScopeSection], list[PublicInput], list[PublicInput]]:
    """The inputs sorted into the parts of the scope they shaped, then those
    answered without naming a part, then those not answered yet."""
    sections = [ScopeSection(part=value, title=str(label)) for value, label in ScopePart.choices]
    by_part = {section.part: section for section in sections}
    unplaced: list[PublicInput] = []
    unanswered: list[PublicInput] = []
    for item in inputs:
        response = getattr(item, "response", None)
        if response is None:
            unanswered.append(item)
        elif response.scope_part in by_part:
            by_part[response.scope_part].inputs.append(item)
        else:
            unplaced.append(item)
    return sections, unplaced, unanswered


def scope_document(project: Project) -> ScopeDocument:
    """SCOPE-2: each part of the scope with the inputs that shaped it."""
    sections, unplaced, unanswered = _sections(scoping_inputs(project))
    lines = list(BudgetLine.objects.filter(project=project).order_by("partner", "purpose", "pk"))
    return ScopeDocument(
        project=project,
        sections=sections,
        groups=list(StakeholderGroup.objects.filter(project=project).order_by("name", "pk")),
        phases=list(Phase.objects.filter(project=project).order_by("order", "starts_on", "pk")),
        milestones=list(Milestone.objects.filter(project=project).order_by("due_on", "pk")),
        budget_lines=lines,
        budget_total=sum((line.amount for line in lines), Decimal("0")),
        unplaced=unplaced,
        unanswered=unanswered,
    )


def public_scope_sections(project: Project) -> list[dict[str, Any]]:
    """For the public page: per part of the scope, what people said and the
    answers, without names or contacts; parts nobody shaped are left out."""
    sections, _unplaced, _unanswered = _sections(scoping_inputs(project))
    return [
        {
            "part": section.part,
            "title": section.title,
            "inputs": [
                {
                    "message": item.message,
                    "received_at": item.received_at,
                    "answer": item.response.public_text,
                    "incorporated": item.response.get_incorporated_display(),
                    "how_or_why": item.response.how_or_why,
                }
                for item in section.inputs
            ],
        }
        for section in sections
        if section.inputs
    ]
