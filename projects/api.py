"""REST API for organisations, members, invitations, proposals, the audit log,
projects and their plans (`/api/v1/…`).

Views only translate: they validate input with serializers, look objects up
through selectors (always filtered by the organisation of the URL, so another
organisation's id is a 404: TENANT-1), call the services for every write and
let `coprod.errors.api_exception_handler` turn refusals into 400/403/409.
Every view under `orgs/<org>/` uses `coprod.api.OrganisationAPIMixin`: 401 for
anonymous callers, 404 for non-members.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django_scopes import scope
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from guardian.shortcuts import get_users_with_perms
from rest_framework import generics, serializers, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import PermissionDenied
from rest_framework.fields import empty
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from coprod.api import OrganisationAPIMixin
from projects import selectors, services
from projects.models import (
    AuditEvent,
    BudgetLine,
    Milestone,
    Organisation,
    OrganisationInvitation,
    OrganisationMember,
    Phase,
    Project,
    ProjectProposal,
    Role,
)
from projects.permissions import (
    PROJECT_GRANTS,
    can_review_proposals,
    can_view_audit_log,
    can_view_project,
    role_in,
)
from projects.serializers import (
    AuditEventFilterSerializer,
    AuditEventSerializer,
    BudgetLineSerializer,
    ErrorSerializer,
    InvitationSerializer,
    MemberRoleSerializer,
    MemberSerializer,
    MilestoneSerializer,
    OrganisationSerializer,
    PhaseSerializer,
    ProjectCreateSerializer,
    ProjectRoleChangeSerializer,
    ProjectRoleSerializer,
    ProjectSerializer,
    ProjectStatusSerializer,
    ProposalAcceptSerializer,
    ProposalDeclineSerializer,
    ProposalFilterSerializer,
    ProposalSerializer,
    RuleErrorSerializer,
    TokenCredentialsSerializer,
    TokenResponseSerializer,
)

User = get_user_model()

# Token first: its `WWW-Authenticate` header is what makes DRF answer 401
# (not 403) to a caller without credentials. Sessions serve the browsable API.
AUTHENTICATION = [TokenAuthentication, SessionAuthentication]


# --- Documentation of error bodies -----------------------------------------------

_REFUSAL = PolymorphicProxySerializer(
    component_name="Refusal",
    serializers=[RuleErrorSerializer, ErrorSerializer],
    resource_type_field_name=None,
)

ERRORS: dict[int, OpenApiResponse] = {
    400: OpenApiResponse(
        {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "example": {"slug": ["Enter a valid “slug”."]},
        },
        description='Invalid input: `{"field": ["message", …]}`, or `non_field_errors` for the body '
        "as a whole. Nothing was changed.",
    ),
    401: OpenApiResponse(ErrorSerializer, description="Not authenticated."),
    403: OpenApiResponse(
        _REFUSAL,
        description="Your role does not allow this. When a rule refuses it, the body names the rule "
        '(`{"rule", "detail", "evidence"}`).',
    ),
    404: OpenApiResponse(
        ErrorSerializer,
        description="No such organisation or object here. Objects of another organisation, and "
        "organisations you are not a member of, are 'not found' too (TENANT-1).",
    ),
    405: OpenApiResponse(ErrorSerializer, description="This method is not offered here."),
    409: OpenApiResponse(
        _REFUSAL,
        description="The current state refuses this. When a rule refuses it, the body names the rule.",
    ),
}
READ_ERRORS = (401, 404)
READ_RESTRICTED_ERRORS = (401, 403, 404)
WRITE_ERRORS = (400, 401, 403, 404, 409)


def doc(
    summary: str,
    *,
    tag: str,
    ok: dict[int, Any],
    errors: tuple[int, ...],
    request: Any = None,
    description: str | None = None,
    parameters: list[Any] | None = None,
) -> Any:
    """`extend_schema` with our error bodies attached. Without a description
    the summary stands in, so no code docstring leaks into the API docs."""
    kwargs: dict[str, Any] = {
        "summary": summary,
        "description": description or f"{summary}.",
        "tags": [tag],
        "responses": {**ok, **{code: ERRORS[code] for code in errors}},
    }
    if request is not empty:
        kwargs["request"] = request  # None: no request body
    if parameters:
        kwargs["parameters"] = parameters
    return extend_schema(**kwargs)


def require_read(allowed: bool, message: str) -> None:
    """403 with a `detail` for a read the caller's role may not see."""
    if not allowed:
        raise PermissionDenied(message)


def can_view_members(user: Any, organisation: Organisation) -> bool:
    """Admins manage members; auditors read everything."""
    return role_in(user, organisation) in {Role.ADMIN, Role.AUDITOR}


def can_view_proposals(user: Any, organisation: Organisation) -> bool:
    """Those who decide proposals, and auditors (SCOPE-1)."""
    return can_review_proposals(user, organisation) or role_in(user, organisation) == Role.AUDITOR


def validated_query(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    """Query parameters through a serializer: a bad filter is a 400, never a 500."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- Base classes ------------------------------------------------------------------


class OrganisationView(OrganisationAPIMixin, generics.GenericAPIView):
    """A view under `orgs/<org>/`: member of the organisation or 404."""

    authentication_classes = AUTHENTICATION

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["organisation"] = self.organisation
        return context


class ProjectView(OrganisationView):
    """A view under `orgs/<org>/projects/<project>/`: the project is looked
    up within the organisation of the URL, or 404 (TENANT-1)."""

    project: Project

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # After the membership check, so outsiders learn nothing about slugs.
        self.project = selectors.project_get(organisation=self.organisation, slug=kwargs["project"])
        require_read(can_view_project(request.user, self.project), "You cannot see this project.")

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["project"] = getattr(self, "project", None)
        return context


# --- Authentication ----------------------------------------------------------------


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token."""

    serializer_class = TokenCredentialsSerializer
    authentication_classes = ()

    @extend_schema(
        summary="Obtain an API token",
        description="Send the token on every request as `Authorization: Token <token>`.",
        tags=["authentication"],
        request=TokenCredentialsSerializer,
        responses={200: TokenResponseSerializer, 400: ERRORS[400]},
        auth=[],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)


# --- Organisations -----------------------------------------------------------------


@extend_schema_view(
    get=doc(
        "Your organisations",
        tag="organisations",
        description="Every organisation you are a member of, with your role in it.",
        ok={200: OrganisationSerializer},
        errors=(401,),
    )
)
class OrganisationListView(generics.ListAPIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated]
    serializer_class = OrganisationSerializer

    def get_queryset(self) -> QuerySet[Organisation]:
        return selectors.organisations_for_user(self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        organisations = self.get_queryset()
        page = self.paginate_queryset(organisations)
        shown = page if page is not None else list(organisations)
        roles = {}
        for organisation in shown:
            # Outside /orgs/<org>/ no scope is active: enter each one to read the role.
            with scope(organisation=organisation):
                roles[organisation.pk] = role_in(request.user, organisation)
        data = OrganisationSerializer(shown, many=True, context={"roles": roles}).data
        return self.get_paginated_response(data) if page is not None else Response(data)


@extend_schema_view(
    get=doc(
        "An organisation, with your role",
        tag="organisations",
        ok={200: OrganisationSerializer},
        errors=READ_ERRORS,
    )
)
class OrganisationDetailView(OrganisationView):
    serializer_class = OrganisationSerializer

    def get(self, request: Request, org: str) -> Response:
        roles = {self.organisation.pk: role_in(request.user, self.organisation)}
        return Response(OrganisationSerializer(self.organisation, context={"roles": roles}).data)


# --- Members and invitations (TENANT-1) ----------------------------------------------


@extend_schema_view(
    get=doc(
        "Members of the organisation",
        tag="members",
        description="Admins and auditors only.",
        ok={200: MemberSerializer},
        errors=READ_RESTRICTED_ERRORS,
    )
)
class MemberListView(OrganisationView, generics.ListAPIView):
    serializer_class = MemberSerializer

    def get_queryset(self) -> QuerySet[OrganisationMember]:
        if getattr(self, "swagger_fake_view", False):
            return OrganisationMember.objects.none()
        require_read(
            can_view_members(self.request.user, self.organisation), "Only admins and auditors see members."
        )
        return selectors.member_list(organisation=self.organisation)


class MemberDetailView(OrganisationView):
    serializer_class = MemberSerializer

    def get_object(self) -> OrganisationMember:
        return get_object_or_404(selectors.member_list(organisation=self.organisation), pk=self.kwargs["pk"])

    @doc("A member", tag="members", ok={200: MemberSerializer}, errors=READ_RESTRICTED_ERRORS)
    def get(self, request: Request, org: str, pk: int) -> Response:
        require_read(
            can_view_members(request.user, self.organisation), "Only admins and auditors see members."
        )
        return Response(MemberSerializer(self.get_object()).data)

    @doc(
        "Change a member's role",
        tag="members",
        description="Admins only. The organisation always keeps at least one admin (409 otherwise).",
        request=MemberRoleSerializer,
        ok={200: MemberSerializer},
        errors=WRITE_ERRORS,
    )
    def patch(self, request: Request, org: str, pk: int) -> Response:
        membership = self.get_object()
        serializer = MemberRoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.member_change_role(
            membership=membership, role=serializer.validated_data["role"], actor=request.user
        )
        return Response(MemberSerializer(membership).data)

    @doc(
        "Remove a member",
        tag="members",
        description="Admins only. The last admin cannot be removed (409).",
        ok={204: None},
        errors=(401, 403, 404, 409),
    )
    def delete(self, request: Request, org: str, pk: int) -> Response:
        services.member_remove(membership=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=doc(
        "Pending invitations",
        tag="members",
        description="Admins and auditors only.",
        ok={200: InvitationSerializer},
        errors=READ_RESTRICTED_ERRORS,
    ),
    post=doc(
        "Invite someone by email",
        tag="members",
        description="Admins only. Sends an email with a link that works for a limited number of days.",
        request=InvitationSerializer,
        ok={201: InvitationSerializer},
        errors=WRITE_ERRORS,
    ),
)
class InvitationListView(OrganisationView, generics.ListCreateAPIView):
    serializer_class = InvitationSerializer

    def get_queryset(self) -> QuerySet[OrganisationInvitation]:
        if getattr(self, "swagger_fake_view", False):
            return OrganisationInvitation.objects.none()
        return selectors.pending_invitations(organisation=self.organisation)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_read(
            can_view_members(request.user, self.organisation), "Only admins and auditors see invitations."
        )
        return super().list(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = InvitationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = services.member_invite(
            organisation=self.organisation,
            email=serializer.validated_data["email"],
            role=serializer.validated_data["role"],
            actor=request.user,
            base_url=request.build_absolute_uri("/")[:-1],
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class InvitationRevokeView(OrganisationView):
    serializer_class = InvitationSerializer

    @doc(
        "Revoke an invitation",
        tag="members",
        description="Admins only. Only a pending invitation can be revoked (409 otherwise).",
        request=None,
        ok={200: InvitationSerializer},
        errors=(401, 403, 404, 409),
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        # Any invitation of this organisation (not only pending ones), so that
        # revoking a used one is a 409 that says why rather than a 404.
        invitation = get_object_or_404(
            OrganisationInvitation.objects.filter(organisation=self.organisation), pk=pk
        )
        services.invitation_revoke(invitation=invitation, actor=request.user)
        invitation.refresh_from_db()
        return Response(InvitationSerializer(invitation).data)


# --- Proposals (SCOPE-1) -----------------------------------------------------------


@extend_schema_view(
    get=doc(
        "Project proposals",
        tag="proposals",
        description="Proposals sent through the public form (SCOPE-1). Admins, facilitators and auditors.",
        parameters=[ProposalFilterSerializer],
        ok={200: ProposalSerializer},
        errors=(400, 401, 403, 404),
    )
)
class ProposalListView(OrganisationView, generics.ListAPIView):
    serializer_class = ProposalSerializer

    def get_queryset(self) -> QuerySet[ProjectProposal]:
        if getattr(self, "swagger_fake_view", False):
            return ProjectProposal.objects.none()
        require_read(
            can_view_proposals(self.request.user, self.organisation),
            "Only admins, facilitators and auditors see proposals.",
        )
        filters = validated_query(ProposalFilterSerializer, self.request)
        return selectors.proposal_list(organisation=self.organisation, status=filters.get("status"))


class ProposalView(OrganisationView):
    serializer_class = ProposalSerializer

    def get_object(self) -> ProjectProposal:
        return get_object_or_404(
            selectors.proposal_list(organisation=self.organisation), pk=self.kwargs["pk"]
        )


class ProposalDetailView(ProposalView):
    @doc("A project proposal", tag="proposals", ok={200: ProposalSerializer}, errors=READ_RESTRICTED_ERRORS)
    def get(self, request: Request, org: str, pk: int) -> Response:
        require_read(
            can_view_proposals(request.user, self.organisation),
            "Only admins, facilitators and auditors see proposals.",
        )
        return Response(ProposalSerializer(self.get_object()).data)


class ProposalAcceptView(ProposalView):
    @doc(
        "Accept a proposal",
        tag="proposals",
        description="SCOPE-1: creates the project in scoping, keeping the proposer's initiator type. "
        "Admins and facilitators. A proposal already decided is a 409.",
        request=ProposalAcceptSerializer,
        ok={201: ProjectSerializer},
        errors=WRITE_ERRORS,
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        proposal = self.get_object()
        serializer = ProposalAcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = services.proposal_accept(proposal=proposal, actor=request.user, **serializer.validated_data)
        return Response(ProjectSerializer(project).data, status=status.HTTP_201_CREATED)


class ProposalDeclineView(ProposalView):
    @doc(
        "Decline a proposal",
        tag="proposals",
        description="SCOPE-1: the reason is required and published; an empty reason is refused with "
        "409 naming SCOPE-1. Admins and facilitators.",
        request=ProposalDeclineSerializer,
        ok={200: ProposalSerializer},
        errors=WRITE_ERRORS,
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        proposal = self.get_object()
        serializer = ProposalDeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        proposal = services.proposal_decline(
            proposal=proposal, reason=serializer.validated_data["reason"], actor=request.user
        )
        return Response(ProposalSerializer(proposal).data)


# --- Audit log ---------------------------------------------------------------------


@extend_schema_view(
    get=doc(
        "The audit log",
        tag="audit",
        description="Who did what, newest first. Admins and auditors. Filter by project slug and by "
        "action code prefix.",
        parameters=[AuditEventFilterSerializer],
        ok={200: AuditEventSerializer},
        errors=(400, 401, 403, 404),
    )
)
class AuditEventListView(OrganisationView, generics.ListAPIView):
    serializer_class = AuditEventSerializer

    def get_queryset(self) -> QuerySet[AuditEvent]:
        if getattr(self, "swagger_fake_view", False):
            return AuditEvent.objects.none()
        require_read(
            can_view_audit_log(self.request.user, self.organisation),
            "Only admins and auditors see the audit log.",
        )
        filters = validated_query(AuditEventFilterSerializer, self.request)
        project = None
        if filters.get("project"):
            try:
                project = selectors.project_get(organisation=self.organisation, slug=filters["project"])
            except Http404:
                raise serializers.ValidationError(
                    {"project": ["No project of this organisation has this web address."]}
                ) from None
        return selectors.audit_events(
            organisation=self.organisation, project=project, action_prefix=filters.get("action", "")
        )


# --- Projects (SCOPE-1, BOARD-10) --------------------------------------------------


@extend_schema_view(
    get=doc("Projects", tag="projects", ok={200: ProjectSerializer}, errors=READ_ERRORS),
    post=doc(
        "Create a project",
        tag="projects",
        description="SCOPE-1: `initiator_type` (who started the project) is required. Admins and "
        "facilitators. A project starts as proposed or in scoping.",
        request=ProjectCreateSerializer,
        ok={201: ProjectSerializer},
        errors=WRITE_ERRORS,
    ),
)
class ProjectListView(OrganisationView, generics.ListCreateAPIView):
    serializer_class = ProjectSerializer

    def get_queryset(self) -> QuerySet[Project]:
        if getattr(self, "swagger_fake_view", False):
            return Project.objects.none()
        return selectors.project_list(organisation=self.organisation)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ProjectCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = services.project_create(
            organisation=self.organisation, actor=request.user, **serializer.validated_data
        )
        return Response(ProjectSerializer(project).data, status=status.HTTP_201_CREATED)


class ProjectDetailView(ProjectView):
    serializer_class = ProjectSerializer

    @doc("A project", tag="projects", ok={200: ProjectSerializer}, errors=READ_ERRORS)
    def get(self, request: Request, org: str, project: str) -> Response:
        return Response(ProjectSerializer(self.project).data)

    @doc(
        "Edit a project's description",
        tag="projects",
        description="Title, slug, summary and initiator type. The status is not an edit: sending "
        "`status` is refused with 403 naming BOARD-10; use `…/status/`.",
        request=ProjectSerializer,
        ok={200: ProjectSerializer},
        errors=WRITE_ERRORS,
    )
    def patch(self, request: Request, org: str, project: str) -> Response:
        serializer = ProjectSerializer(self.project, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        # `status` is read-only in the serializer, which would drop it
        # silently; hand it to the service so the client hears BOARD-10.
        if isinstance(request.data, Mapping) and "status" in request.data:
            changes["status"] = request.data["status"]
        updated = services.project_update(project=self.project, actor=request.user, **changes)
        return Response(ProjectSerializer(updated).data)


class ProjectStatusView(ProjectView):
    serializer_class = ProjectStatusSerializer

    @doc(
        "Move a project along its lifecycle",
        tag="projects",
        description="proposed → scoping → delivery, one step at a time (409 otherwise). `closed` is "
        "refused with 403 naming BOARD-10: only an agreed Project Board decision closes a project.",
        request=ProjectStatusSerializer,
        ok={200: ProjectSerializer},
        errors=WRITE_ERRORS,
    )
    def post(self, request: Request, org: str, project: str) -> Response:
        serializer = ProjectStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        updated = services.project_change_status(
            project=self.project, status=serializer.validated_data["status"], actor=request.user
        )
        return Response(ProjectSerializer(updated).data)


# --- Phases and milestones (TEAM-1) ------------------------------------------------


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
class PhaseListView(ProjectView, generics.ListCreateAPIView):
    serializer_class = PhaseSerializer

    def get_queryset(self) -> QuerySet[Phase]:
        if getattr(self, "swagger_fake_view", False):
            return Phase.objects.none()
        return self.project.phases.all()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = PhaseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        phase = services.phase_add(project=self.project, actor=request.user, **serializer.validated_data)
        return Response(PhaseSerializer(phase).data, status=status.HTTP_201_CREATED)


class PhaseDetailView(ProjectView):
    serializer_class = PhaseSerializer

    def get_object(self) -> Phase:
        return get_object_or_404(self.project.phases.all(), pk=self.kwargs["pk"])

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
        serializer = PhaseSerializer(phase, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        phase = services.phase_update(phase=phase, actor=request.user, **serializer.validated_data)
        return Response(PhaseSerializer(phase).data)

    @doc("Remove a phase", tag="plans", ok={204: None}, errors=(401, 403, 404, 409))
    def delete(self, request: Request, org: str, project: str, pk: int) -> Response:
        services.phase_remove(phase=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


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
class MilestoneListView(ProjectView, generics.ListCreateAPIView):
    serializer_class = MilestoneSerializer

    def get_queryset(self) -> QuerySet[Milestone]:
        if getattr(self, "swagger_fake_view", False):
            return Milestone.objects.none()
        return self.project.milestones.all()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = MilestoneSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        milestone = services.milestone_add(
            project=self.project, actor=request.user, **serializer.validated_data
        )
        return Response(MilestoneSerializer(milestone).data, status=status.HTTP_201_CREATED)


class MilestoneDetailView(ProjectView):
    serializer_class = MilestoneSerializer

    def get_object(self) -> Milestone:
        return get_object_or_404(self.project.milestones.all(), pk=self.kwargs["pk"])

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
        serializer = MilestoneSerializer(
            milestone, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        milestone = services.milestone_update(
            milestone=milestone, actor=request.user, **serializer.validated_data
        )
        return Response(MilestoneSerializer(milestone).data)

    @doc("Remove a milestone", tag="plans", ok={204: None}, errors=(401, 403, 404, 409))
    def delete(self, request: Request, org: str, project: str, pk: int) -> Response:
        services.milestone_remove(milestone=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Budget (BOARD-7: read-only) ---------------------------------------------------

_BUDGET_READ_ONLY = (
    "BOARD-7: the budget changes only through an agreed Project Board decision, so this resource is "
    "read-only: POST, PUT, PATCH and DELETE answer 405."
)


@extend_schema_view(
    get=doc(
        "Budget lines of a project",
        tag="plans",
        description=_BUDGET_READ_ONLY,
        ok={200: BudgetLineSerializer},
        errors=READ_ERRORS,
    )
)
class BudgetLineListView(ProjectView, generics.ListAPIView):
    serializer_class = BudgetLineSerializer

    def get_queryset(self) -> QuerySet[BudgetLine]:
        if getattr(self, "swagger_fake_view", False):
            return BudgetLine.objects.none()
        return self.project.budget_lines.all()


class BudgetLineDetailView(ProjectView):
    serializer_class = BudgetLineSerializer

    @doc(
        "A budget line",
        tag="plans",
        description=_BUDGET_READ_ONLY,
        ok={200: BudgetLineSerializer},
        errors=READ_ERRORS,
    )
    def get(self, request: Request, org: str, project: str, pk: int) -> Response:
        line = get_object_or_404(self.project.budget_lines.all(), pk=pk)
        return Response(BudgetLineSerializer(line).data)


# --- Per-project roles (django-guardian) ---------------------------------------------


def _grants_on(project: Project) -> list[dict[str, Any]]:
    """Everyone holding a project grant directly (not through a group)."""
    holders = get_users_with_perms(project, attach_perms=True, with_group_users=False)
    rows = []
    for user, perms in holders.items():
        grants = sorted(perm for perm in perms if perm in PROJECT_GRANTS)
        if grants:
            rows.append(_role_row(user, grants))
    return sorted(rows, key=lambda row: row["username"])


def _role_row(user: Any, grants: list[str]) -> dict[str, Any]:
    return {"user": user.pk, "username": user.get_username(), "name": user.get_full_name(), "grants": grants}


class ProjectRoleView(ProjectView):
    serializer_class = ProjectRoleSerializer

    def organisation_users(self) -> QuerySet:
        """Users who are members of this organisation (TENANT-1)."""
        members = selectors.member_list(organisation=self.organisation).values("user_id")
        return User.objects.filter(pk__in=members)

    def change(self, request: Request, users: QuerySet, action: Any) -> Response:
        serializer = ProjectRoleChangeSerializer(data=request.data, users=users)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        action(project=self.project, user=user, grant=serializer.validated_data["grant"], actor=request.user)
        grants = sorted(perm for perm in PROJECT_GRANTS if user.has_perm(f"projects.{perm}", self.project))
        return Response(ProjectRoleSerializer(_role_row(user, grants)).data)


class ProjectRoleListView(ProjectRoleView, generics.ListAPIView):
    @doc(
        "Who holds a role on this project",
        tag="projects",
        description="Project managers, project team members and project facilitators.",
        ok={200: ProjectRoleSerializer},
        errors=READ_ERRORS,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = _grants_on(self.project)
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
        return self.change(request, self.organisation_users(), services.project_grant_role)


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
        # Members, and anyone still holding a grant here (e.g. someone who
        # has since left the organisation), so a grant can always be taken away.
        holders = get_users_with_perms(self.project, with_group_users=False).values("pk")
        users = User.objects.filter(
            Q(pk__in=selectors.member_list(organisation=self.organisation).values("user_id"))
            | Q(pk__in=holders)
        )
        return self.change(request, users, services.project_revoke_role)
