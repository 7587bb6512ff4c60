"""REST API for a project's plans and people (`/api/v1/orgs/<org>/projects/<project>/…`):
phases and milestones (TEAM-1), the budget (BOARD-7) and per-project roles.

Split from `projects.api`, with the same conventions: views only translate,
look-ups are filtered by the organisation and project of the URL (another
organisation's id is a 404: TENANT-1), the services decide every write and
`coprod.errors.api_exception_handler` turns refusals into 400/403/409. Once
the board governs, the plan, the budget and project-team roles change only
through its agreed decisions (BOARD-7): the services refuse other writes with
the rule ID. The budget is never written here at all: every write is a 403
naming BOARD-7, logged, that points to proposing a `budget_change` item.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema_view
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from coprod.api import READ_ERRORS, WRITE_ERRORS, ProjectView, doc, validated
from coprod.audit import refusals_audited
from coprod.errors import Refusal, RuleViolation
from coprod.rulebook import Rule
from projects import selectors, services
from projects.models import BudgetLine, Milestone, Phase, Project
from projects.permissions import project_grants_of
from projects.serializers import (
    BudgetLineSerializer,
    MilestoneSerializer,
    PhaseSerializer,
    ProjectRoleChangeSerializer,
    ProjectRoleSerializer,
)

User = get_user_model()


# --- Phases and milestones (TEAM-1) ------------------------------------------------


class PhaseView(ProjectView):
    serializer_class = PhaseSerializer

    def visible(self) -> QuerySet[Phase]:
        return self.project.phases.all()


@extend_schema_view(
    get=doc("Phases of a project", tag="plans", ok={200: PhaseSerializer}, errors=READ_ERRORS),
    post=doc(
        "Add a phase",
        tag="plans",
        description="TEAM-1: involvement is planned per phase. Admins, facilitators and the project's "
        "managers and facilitators.",
        request=PhaseSerializer,
        ok={201: PhaseSerializer},
        errors=WRITE_ERRORS,
    ),
)
class PhaseListView(PhaseView, generics.ListCreateAPIView):
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        phase = services.phase_add(
            project=self.project, actor=request.user, **validated(PhaseSerializer, request.data)
        )
        return Response(PhaseSerializer(phase).data, status=status.HTTP_201_CREATED)


class PhaseDetailView(PhaseView):
    @doc("A phase", tag="plans", ok={200: PhaseSerializer}, errors=READ_ERRORS)
    def get(self, request: Request, org: str, project: str, pk: int) -> Response:
        return Response(PhaseSerializer(self.get_object()).data)

    @doc(
        "Edit a phase",
        tag="plans",
        request=PhaseSerializer,
        ok={200: PhaseSerializer},
        errors=WRITE_ERRORS,
    )
    def patch(self, request: Request, org: str, project: str, pk: int) -> Response:
        phase = self.get_object()
        changes = validated(PhaseSerializer, request.data, instance=phase, partial=True)
        phase = services.phase_update(phase=phase, actor=request.user, **changes)
        return Response(PhaseSerializer(phase).data)

    @doc("Remove a phase", tag="plans", ok={204: None}, errors=(401, 403, 404, 409))
    def delete(self, request: Request, org: str, project: str, pk: int) -> Response:
        services.phase_remove(phase=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MilestoneView(ProjectView):
    serializer_class = MilestoneSerializer

    def visible(self) -> QuerySet[Milestone]:
        return self.project.milestones.all()


@extend_schema_view(
    get=doc("Milestones of a project", tag="plans", ok={200: MilestoneSerializer}, errors=READ_ERRORS),
    post=doc(
        "Add a milestone",
        tag="plans",
        description="`phase` must be a phase of this project. Completion is not set here: the "
        "Overview Group reviews a milestone first (GROUP-8).",
        request=MilestoneSerializer,
        ok={201: MilestoneSerializer},
        errors=WRITE_ERRORS,
    ),
)
class MilestoneListView(MilestoneView, generics.ListCreateAPIView):
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(MilestoneSerializer, request.data, context=self.get_serializer_context())
        milestone = services.milestone_add(project=self.project, actor=request.user, **data)
        return Response(MilestoneSerializer(milestone).data, status=status.HTTP_201_CREATED)


class MilestoneDetailView(MilestoneView):
    @doc("A milestone", tag="plans", ok={200: MilestoneSerializer}, errors=READ_ERRORS)
    def get(self, request: Request, org: str, project: str, pk: int) -> Response:
        return Response(MilestoneSerializer(self.get_object()).data)

    @doc(
        "Edit a milestone",
        tag="plans",
        description="`phase` must be a phase of this project.",
        request=MilestoneSerializer,
        ok={200: MilestoneSerializer},
        errors=WRITE_ERRORS,
    )
    def patch(self, request: Request, org: str, project: str, pk: int) -> Response:
        milestone = self.get_object()
        changes = validated(
            MilestoneSerializer,
            request.data,
            instance=milestone,
            partial=True,
            context=self.get_serializer_context(),
        )
        milestone = services.milestone_update(milestone=milestone, actor=request.user, **changes)
        return Response(MilestoneSerializer(milestone).data)

    @doc("Remove a milestone", tag="plans", ok={204: None}, errors=(401, 403, 404, 409))
    def delete(self, request: Request, org: str, project: str, pk: int) -> Response:
        services.milestone_remove(milestone=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Budget (BOARD-7: read here, changed only by an agreed board decision) ---------------

_BUDGET_RULE = (
    "BOARD-7: the budget changes only through an agreed Project Board decision. Here it is read-only: "
    "POST, PUT, PATCH and DELETE are refused with 403 naming BOARD-7, and the attempt is kept in the "
    "audit log. To change the budget, propose a `budget_change` item to the board: "
    "POST …/bodies/board/items/."
)


@refusals_audited
def budget_write_refused(*, project: Project, actor: AbstractBaseUser | None, attempt: str) -> None:
    """BOARD-7: nobody writes the budget directly, whatever their role; the
    board agrees a `budget_change` item and the closing of its vote applies
    it. Always refused, and logged after the (empty) transaction."""
    raise RuleViolation(
        Rule.BOARD_7,
        "The budget is the Project Board's: it changes only through an agreed board decision. Propose a "
        "budget_change item to the board: POST "
        f"/api/v1/orgs/{project.organisation.slug}/projects/{project.slug}/bodies/board/items/ with "
        '`{"kind": "budget_change", "title": …, "proposal": {"changes": [{"action": "add", "partner": …, '
        '"purpose": …, "amount": …}]}}` (or `"action": "change"` / `"remove"` with the line\'s `id`).',
        refusal=Refusal.ACTOR,
        evidence=[{"attempt": attempt, "propose_at": "bodies/board/items/", "item_kind": "budget_change"}],
    )


def _refused_write(summary: str) -> Any:
    return doc(
        summary,
        tag="plans",
        description=_BUDGET_RULE,
        ok={204: OpenApiResponse(description="Not returned: the budget is never written directly.")},
        errors=(401, 403, 404),
    )


class BudgetLineView(ProjectView):
    serializer_class = BudgetLineSerializer

    def visible(self) -> QuerySet[BudgetLine]:
        return self.project.budget_lines.all()


@extend_schema_view(
    get=doc(
        "Budget lines of a project",
        tag="plans",
        description=_BUDGET_RULE,
        ok={200: BudgetLineSerializer},
        errors=READ_ERRORS,
    )
)
class BudgetLineListView(BudgetLineView, generics.ListAPIView):
    @_refused_write("Add a budget line (always refused: BOARD-7)")
    def post(self, request: Request, org: str, project: str) -> Response:
        budget_write_refused(project=self.project, actor=request.user, attempt="add")
        return Response(status=status.HTTP_204_NO_CONTENT)  # not reached


class BudgetLineDetailView(BudgetLineView):
    @doc(
        "A budget line",
        tag="plans",
        description=_BUDGET_RULE,
        ok={200: BudgetLineSerializer},
        errors=READ_ERRORS,
    )
    def get(self, request: Request, org: str, project: str, pk: int) -> Response:
        return Response(BudgetLineSerializer(self.get_object()).data)

    def refuse(self, attempt: str) -> Response:
        # Looked up first: another organisation's or project's id is a 404 (TENANT-1).
        line = self.get_object()
        budget_write_refused(project=self.project, actor=self.request.user, attempt=f"{attempt} {line.pk}")
        return Response(status=status.HTTP_204_NO_CONTENT)  # not reached

    @_refused_write("Replace a budget line (always refused: BOARD-7)")
    def put(self, request: Request, org: str, project: str, pk: int) -> Response:
        return self.refuse("replace")

    @_refused_write("Change a budget line (always refused: BOARD-7)")
    def patch(self, request: Request, org: str, project: str, pk: int) -> Response:
        return self.refuse("change")

    @_refused_write("Remove a budget line (always refused: BOARD-7)")
    def delete(self, request: Request, org: str, project: str, pk: int) -> Response:
        return self.refuse("remove")


# --- Per-project roles (django-guardian) ---------------------------------------------


def _role_row(user: Any, grants: list[str]) -> dict[str, Any]:
    return {"user": user.pk, "username": user.get_username(), "name": user.get_full_name(), "grants": grants}


class ProjectRoleView(ProjectView):
    serializer_class = ProjectRoleSerializer

    def change(self, request: Request, users: QuerySet, action: Any) -> Response:
        data = validated(ProjectRoleChangeSerializer, request.data, users=users)
        action(project=self.project, user=data["user"], grant=data["grant"], actor=request.user)
        grants = sorted(project_grants_of(data["user"], self.project))
        return Response(ProjectRoleSerializer(_role_row(data["user"], grants)).data)


class ProjectRoleListView(ProjectRoleView, generics.ListAPIView):
    @doc(
        "Who holds a role on this project",
        tag="projects",
        description="Project managers, project team members and project facilitators.",
        ok={200: ProjectRoleSerializer},
        errors=READ_ERRORS,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = [
            _role_row(user, grants) for user, grants in selectors.project_role_holders(project=self.project)
        ]
        page = self.paginate_queryset(rows)
        if page is None:
            return Response(ProjectRoleSerializer(rows, many=True).data)
        return self.get_paginated_response(ProjectRoleSerializer(page, many=True).data)

    def get_queryset(self) -> QuerySet:
        return User.objects.none()  # The rows come from guardian, see `get`.

    @doc(
        "Give someone a role on this project",
        tag="projects",
        description="`user` must be a member of this organisation. Admins and facilitators.",
        request=ProjectRoleChangeSerializer,
        ok={200: ProjectRoleSerializer},
        errors=WRITE_ERRORS,
    )
    def post(self, request: Request, org: str, project: str) -> Response:
        users = selectors.member_users(organisation=self.organisation)
        return self.change(request, users, services.project_grant_role)


class ProjectRoleRevokeView(ProjectRoleView):
    @doc(
        "Take a role on this project away",
        tag="projects",
        description="Admins and facilitators.",
        request=ProjectRoleChangeSerializer,
        ok={200: ProjectRoleSerializer},
        errors=WRITE_ERRORS,
    )
    def post(self, request: Request, org: str, project: str) -> Response:
        # Members, and anyone still holding a grant here, so a grant can always be taken away.
        users = selectors.project_grant_users(project=self.project)
        return self.change(request, users, services.project_revoke_role)
