"""Serializers of the REST API for organisations, members, invitations,
proposals, the audit log, projects and their plans.

Serializers only validate input and shape output: they never save. Views pass
`validated_data` to the services, which enforce the rules (SCOPE-1, BOARD-7,
BOARD-10, TENANT-1) and write the audit log. Field limits mirror the models so
that oversized or malformed input is a 400 with field errors, never a 500.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer

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
    ProposalStatus,
    Role,
)
from projects.permissions import PROJECT_GRANT_CHOICES

User = get_user_model()

# PostgreSQL integer columns stop here; a larger number is bad input, not a crash.
MAX_INT = 2_147_483_647
# Longer than any field of the audit log's action code, and than any search.
MAX_QUERY_LENGTH = 200


# --- Authentication ----------------------------------------------------------


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")


class TokenCredentialsSerializer(AuthTokenSerializer):
    """A username and password."""

    # DRF's own credentials check, with lengths bounded so that a huge body
    # is a field error rather than work for the password hasher.

    username = serializers.CharField(label="Username", max_length=150, write_only=True)
    password = serializers.CharField(
        label="Password",
        max_length=4096,
        style={"input_type": "password"},
        trim_whitespace=False,
        write_only=True,
    )


# --- Organisations and members -----------------------------------------------


class OrganisationSerializer(serializers.ModelSerializer):
    """An organisation, with your role in it."""

    # The view passes the roles in the context: {organisation id: role}.

    role = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = ["id", "name", "slug", "role", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Role.choices))
    def get_role(self, organisation: Organisation) -> str | None:
        return self.context.get("roles", {}).get(organisation.pk)


class MemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.get_full_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = OrganisationMember
        fields = ["id", "user", "username", "name", "email", "role", "joined_at"]
        read_only_fields = ["id", "user", "username", "name", "email", "joined_at"]


class MemberRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class InvitationSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrganisationInvitation
        fields = ["id", "email", "role", "status", "invited_by", "created_at"]
        read_only_fields = ["id", "status", "invited_by", "created_at"]
        extra_kwargs = {"role": {"required": True}}


# --- Proposals (SCOPE-1) -----------------------------------------------------


class ProposalSerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = ProjectProposal
        fields = [
            "id",
            "title",
            "summary",
            "initiator_type",
            "proposer_name",
            "proposer_contact",
            "status",
            "decision_reason",
            "decided_by",
            "decided_at",
            "project",
            "created_at",
        ]
        read_only_fields = fields


class ProposalFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ProposalStatus.choices, required=False)


class ProposalAcceptSerializer(serializers.Serializer):
    slug = serializers.SlugField(max_length=60, help_text="Web address of the new project.")
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ProposalDeclineSerializer(serializers.Serializer):
    # Blank is accepted here on purpose: the service refuses it with SCOPE-1
    # (409) so the client learns the rule, not just "this field is required".
    reason = serializers.CharField(
        max_length=5000,
        allow_blank=True,
        help_text="Why the proposal is declined; it is published (SCOPE-1).",
    )


# --- Audit log ---------------------------------------------------------------


class AuditEventSerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "project",
            "actor",
            "actor_label",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "rule",
            "data",
        ]
        read_only_fields = fields


class AuditEventFilterSerializer(serializers.Serializer):
    project = serializers.SlugField(max_length=60, required=False, help_text="A project's slug.")
    action = serializers.CharField(
        max_length=100, required=False, help_text="An action code prefix, e.g. `projects.project.`"
    )


# --- Projects ----------------------------------------------------------------


class ProjectSerializer(serializers.ModelSerializer):
    """A project as read, and its editable description for PATCH. The status
    is read-only here: it moves through `…/status/` (BOARD-10)."""

    class Meta:
        model = Project
        fields = ["id", "title", "slug", "summary", "initiator_type", "status", "created_at", "updated_at"]
        read_only_fields = ["id", "status", "created_at", "updated_at"]


class ProjectCreateSerializer(serializers.ModelSerializer):
    """SCOPE-1: `initiator_type` is required."""

    status = serializers.ChoiceField(
        choices=[(s.value, s.label) for s in (Project.Status.PROPOSED, Project.Status.SCOPING)],
        required=False,
        default=Project.Status.PROPOSED,
        help_text="A new project starts as proposed (default) or in scoping.",
    )

    class Meta:
        model = Project
        fields = ["title", "slug", "summary", "initiator_type", "status"]
        extra_kwargs = {"initiator_type": {"required": True}}


class ProjectStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[
            (s.value, s.label)
            for s in (Project.Status.SCOPING, Project.Status.DELIVERY, Project.Status.CLOSED)
        ],
        help_text="The next step of the lifecycle. `closed` is refused with BOARD-10: only a board decision closes a project.",
    )


class PhaseSerializer(serializers.ModelSerializer):
    order = serializers.IntegerField(
        min_value=0, max_value=MAX_INT, required=False, help_text="Defaults to after the last phase."
    )

    class Meta:
        model = Phase
        fields = ["id", "name", "description", "order", "starts_on", "ends_on"]
        read_only_fields = ["id"]


class MilestoneSerializer(serializers.ModelSerializer):
    """The phase must be one of this project's phases (TENANT-1): any other id
    is 'does not exist', whether or not it exists elsewhere."""

    phase = serializers.PrimaryKeyRelatedField(
        queryset=Phase.objects.none(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": "Choose a phase of this project."},
    )

    class Meta:
        model = Milestone
        fields = ["id", "title", "description", "due_on", "phase", "completed_on"]
        read_only_fields = ["id", "completed_on"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        project = self.context.get("project")
        if project is not None:
            self.fields["phase"].queryset = Phase.objects.filter(project=project)


class BudgetLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = BudgetLine
        fields = ["id", "partner", "purpose", "amount", "created_at"]
        read_only_fields = fields


# --- Per-project roles -------------------------------------------------------


class ProjectRoleSerializer(serializers.Serializer):
    """Someone holding one or more grants on a project."""

    user = serializers.IntegerField(help_text="The user's id.")
    username = serializers.CharField()
    name = serializers.CharField()
    grants = serializers.ListField(
        child=serializers.ChoiceField(choices=PROJECT_GRANT_CHOICES),
        help_text="Codenames of the grants held.",
    )


class ProjectRoleChangeSerializer(serializers.Serializer):
    """Give or take a grant. The view limits `user` to members of this
    organisation (and, for revoking, to people already holding a grant), so
    another organisation's user id reads as 'does not exist' (TENANT-1)."""

    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(),
        error_messages={"does_not_exist": "Choose a member of this organisation."},
    )
    grant = serializers.ChoiceField(choices=PROJECT_GRANT_CHOICES)

    def __init__(self, *args: Any, users: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if users is not None:
            self.fields["user"].queryset = users
