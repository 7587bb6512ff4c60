"""REST API for organisations, members, invitations, proposals, the audit log
and projects (`/api/v1/…`); a project's plans, budget and roles are in
`projects.api_plans`.

Views only translate: they validate input with serializers, look objects up
through selectors (always filtered by the organisation of the URL, so another
organisation's id is a 404: TENANT-1), call the services for every write and
let `coprod.errors.api_exception_handler` turn refusals into 400/403/409.
Every view under `orgs/<org>/` derives from `coprod.api.OrganisationView` (or
`ProjectView`): 401 for anonymous callers, 404 for non-members. The error
documentation (`ERRORS`, `doc()`) lives in `coprod.api` too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django_scopes import scope
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from coprod.api import (
    ERRORS,
    READ_ERRORS,
    READ_RESTRICTED_ERRORS,
    WRITE_ERRORS,
    OrganisationView,
    ProjectView,
    doc,
    require_read,
    validated,
    validated_query,
)
from projects import selectors, services
from projects.models import (
    AuditEvent,
    Organisation,
    OrganisationInvitation,
    OrganisationMember,
    Project,
    ProjectProposal,
)
from projects.permissions import (
    can_view_audit_log,
    can_view_members,
    can_view_proposals,
    role_in,
)
from projects.serializers import (
    AuditEventFilterSerializer,
    AuditEventSerializer,
    InvitationSerializer,
    MemberRoleSerializer,
    MemberSerializer,
    OrganisationSerializer,
    ProjectCreateSerializer,
    ProjectSerializer,
    ProjectStatusSerializer,
    ProposalAcceptSerializer,
    ProposalDeclineSerializer,
    ProposalFilterSerializer,
    ProposalSerializer,
    TokenCredentialsSerializer,
    TokenResponseSerializer,
)

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
        # 404 for a `page` past the end.
        errors=(401, 404),
    )
)
class OrganisationListView(generics.ListAPIView):
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


class MemberView(OrganisationView):
    serializer_class = MemberSerializer

    def visible(self) -> QuerySet[OrganisationMember]:
        return selectors.member_list(organisation=self.organisation)

    def check_can_read(self) -> None:
        require_read(
            can_view_members(self.request.user, self.organisation), "Only admins and auditors see members."
        )


@extend_schema_view(
    get=doc(
        "Members of the organisation",
        tag="members",
        description="Admins and auditors only.",
        ok={200: MemberSerializer},
        errors=READ_RESTRICTED_ERRORS,
    )
)
class MemberListView(MemberView, generics.ListAPIView):
    def visible(self) -> QuerySet[OrganisationMember]:
        self.check_can_read()
        return super().visible()


class MemberDetailView(MemberView):
    @doc("A member", tag="members", ok={200: MemberSerializer}, errors=READ_RESTRICTED_ERRORS)
    def get(self, request: Request, org: str, pk: int) -> Response:
        self.check_can_read()
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
        role = validated(MemberRoleSerializer, request.data)["role"]
        membership = services.member_change_role(membership=membership, role=role, actor=request.user)
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

    def visible(self) -> QuerySet[OrganisationInvitation]:
        return selectors.pending_invitations(organisation=self.organisation)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_read(
            can_view_members(request.user, self.organisation), "Only admins and auditors see invitations."
        )
        return super().list(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(InvitationSerializer, request.data)
        invitation = services.member_invite(
            organisation=self.organisation,
            email=data["email"],
            role=data["role"],
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
        invitation = selectors.invitation_get(organisation=self.organisation, pk=pk)
        services.invitation_revoke(invitation=invitation, actor=request.user)
        invitation.refresh_from_db()
        return Response(InvitationSerializer(invitation).data)


# --- Proposals (SCOPE-1) -----------------------------------------------------------

_PROPOSAL_READERS = "Only admins, facilitators and auditors see proposals."


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

    def visible(self) -> QuerySet[ProjectProposal]:
        require_read(can_view_proposals(self.request.user, self.organisation), _PROPOSAL_READERS)
        filters = validated_query(ProposalFilterSerializer, self.request)
        return selectors.proposal_list(organisation=self.organisation, status=filters.get("status"))


class ProposalView(OrganisationView):
    serializer_class = ProposalSerializer

    def visible(self) -> QuerySet[ProjectProposal]:
        return selectors.proposal_list(organisation=self.organisation)


class ProposalDetailView(ProposalView):
    @doc("A project proposal", tag="proposals", ok={200: ProposalSerializer}, errors=READ_RESTRICTED_ERRORS)
    def get(self, request: Request, org: str, pk: int) -> Response:
        require_read(can_view_proposals(request.user, self.organisation), _PROPOSAL_READERS)
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
        data = validated(ProposalAcceptSerializer, request.data)
        project = services.proposal_accept(proposal=proposal, actor=request.user, **data)
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
        reason = validated(ProposalDeclineSerializer, request.data)["reason"]
        proposal = services.proposal_decline(proposal=proposal, reason=reason, actor=request.user)
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

    def visible(self) -> QuerySet[AuditEvent]:
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

    def visible(self) -> QuerySet[Project]:
        return selectors.project_list(organisation=self.organisation)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(ProjectCreateSerializer, request.data)
        project = services.project_create(organisation=self.organisation, actor=request.user, **data)
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
        changes = validated(ProjectSerializer, request.data, instance=self.project, partial=True)
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
        new_status = validated(ProjectStatusSerializer, request.data)["status"]
        updated = services.project_change_status(project=self.project, status=new_status, actor=request.user)
        return Response(ProjectSerializer(updated).data)
