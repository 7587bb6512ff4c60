"""REST API of public participation, under
`/api/v1/orgs/<org>/projects/<project>/`: input and its answers (TEAM-9,
SCOPE-2), the scoping gaps and "finalise scope" (SCOPE-2, SCOPE-3), and
invitations per group (TEAM-7).

Any member of the organisation reads (ProjectView: 401 anonymous, 404
outside the organisation); the services refuse writes by anyone who cannot
edit the project (403). Names and contacts of the public are returned only to
those who can edit the project, never to members or auditors."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from coprod.api import READ_ERRORS, WRITE_ERRORS, ProjectView, doc, validated
from coprod.errors import Conflict
from coprod.rulebook import Rule
from coprod.services import require
from projects.models import Project
from projects.permissions import can_edit_project
from projects.services import project_change_status
from stakeholders import involvement, participation
from stakeholders.involvement import INVOLVEMENT_LINK_MAX_AGE_DAYS
from stakeholders.models import (
    ACCESSIBLE_FORMATS,
    ContactPreference,
    GroupInvitation,
    Incorporation,
    InputAsWho,
    InputImpact,
    InvitationChannel,
    InvitationResponse,
    InvolvementLevel,
    InvolvementResponse,
    PublicInput,
    ScopePart,
    StakeholderGroup,
)
from stakeholders.participation_forms import OFFLINE_CHANNELS
from stakeholders.public_forms import MESSAGE_MAX, clean_contact

TAG = "participation"
_CONTACTS = "`name` and `contact` are returned only to those who can edit the project."

# --- Serializers ------------------------------------------------------------------------


_SCOPE_PART = (
    "For input given during scoping: the part of the scope it shaped (SCOPE-2), one of "
    + ", ".join(f"`{value}`" for value in ScopePart.values)
    + ", or empty. The scope document lists each part with the inputs that shaped it."
)


class InputResponseSerializer(serializers.Serializer):
    public_text = serializers.CharField(max_length=MESSAGE_MAX, help_text="The answer, published.")
    incorporated = serializers.ChoiceField(choices=Incorporation.choices)
    how_or_why = serializers.CharField(
        max_length=MESSAGE_MAX, help_text="How it was incorporated, or why not."
    )
    scope_part = serializers.ChoiceField(
        choices=ScopePart.choices, required=False, allow_blank=True, default="", help_text=_SCOPE_PART
    )
    responded_at = serializers.DateTimeField(read_only=True)
    emailed_at = serializers.DateTimeField(read_only=True, allow_null=True)


class ScopePartSerializer(serializers.Serializer):
    scope_part = serializers.ChoiceField(choices=ScopePart.choices, allow_blank=True, help_text=_SCOPE_PART)


class RoutedItemSerializer(serializers.Serializer):
    """An agenda item a facilitator put the input to (TEAM-9)."""

    body = serializers.CharField(help_text="`board` or `overview`.")
    item = serializers.IntegerField(help_text="The agenda item's id on that body.")
    title = serializers.CharField()
    status = serializers.CharField(help_text="The item's status, as `status` of an agenda item.")


class PublicInputSerializer(serializers.ModelSerializer):
    """One input. `name` and `contact` only for editors of the project."""

    # Not `read_only`: drf-spectacular documents read-only fields as always
    # present, and these are left out for readers who may not see contacts.
    # The serializer only answers; input goes through InputRecordSerializer.
    name = serializers.CharField(required=False, help_text=_CONTACTS)
    contact = serializers.CharField(required=False, help_text=_CONTACTS)
    response = serializers.SerializerMethodField()
    routed_to = serializers.SerializerMethodField()

    class Meta:
        model = PublicInput
        fields = [
            "id",
            "channel",
            "stakeholder_group",
            "message",
            "affected",
            "impact",
            "as_who",
            "status",
            "during_scoping",
            "received_at",
            "acknowledged_at",
            "name",
            "contact",
            "response",
            "routed_to",
        ]
        read_only_fields = fields

    def get_response(self, obj: PublicInput) -> InputResponseSerializer | None:
        answer = getattr(obj, "response", None)
        return InputResponseSerializer(answer).data if answer is not None else None

    @extend_schema_field(RoutedItemSerializer(many=True))
    def get_routed_to(self, obj: PublicInput) -> list[dict[str, Any]]:
        # The link lives on the agenda item (boards); read through the reverse relation.
        return [
            {"body": item.body.kind, "item": item.pk, "title": item.title, "status": item.status}
            for item in obj.agenda_items.all()
        ]

    def to_representation(self, instance: PublicInput) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.context.get("can_see_contacts"):
            data.pop("name", None)
            data.pop("contact", None)
        return data


# drf-spectacular reads the method's return annotation as a nested object.
PublicInputSerializer.get_response.__annotations__["return"] = InputResponseSerializer(allow_null=True)


class InputRecordSerializer(serializers.Serializer):
    """Input received by phone, on paper, by email or at a meeting."""

    channel = serializers.ChoiceField(choices=OFFLINE_CHANNELS)
    stakeholder_group = serializers.PrimaryKeyRelatedField(
        queryset=StakeholderGroup.objects.none(),
        required=False,
        allow_null=True,
        help_text="A stakeholder group of this project, which the input speaks for (SCOPE-2).",
    )
    message = serializers.CharField(max_length=MESSAGE_MAX)
    affected = serializers.ChoiceField(choices=StakeholderGroup.Affected.choices)
    impact = serializers.ChoiceField(choices=InputImpact.choices)
    as_who = serializers.ChoiceField(choices=InputAsWho.choices)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    contact = serializers.CharField(
        max_length=254,
        required=False,
        allow_blank=True,
        default="",
        help_text="An email address or phone number.",
    )
    consent = serializers.BooleanField(help_text="Must be true: they agreed to how their input is used.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        project = self.context.get("project")
        if project is not None:
            self.fields["stakeholder_group"].queryset = StakeholderGroup.objects.filter(project=project)

    def validate_contact(self, value: str) -> str:
        try:
            return clean_contact(value)
        except Exception as exc:  # Django's ValidationError → DRF's
            raise serializers.ValidationError(list(getattr(exc, "messages", [str(exc)]))) from None

    def validate_consent(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError("They must agree to how their input is used.")
        return value


class ScopingGapSerializer(serializers.Serializer):
    rule = serializers.ChoiceField(choices=Rule.choices)
    problem = serializers.CharField()


class ScopingSerializer(serializers.Serializer):
    # A plain string: the enum is documented on Project.status already.
    status = serializers.CharField(help_text="The project's stage, as `status` of the project.")
    complete = serializers.BooleanField(help_text="True when nothing stops scoping from being finalised.")
    gaps = ScopingGapSerializer(many=True)
    no_negative_impact_reason = serializers.CharField(
        help_text="SCOPE-3: why no group could lose out, if recorded."
    )


class GroupInvitationSerializer(serializers.ModelSerializer):
    stakeholder_group = serializers.PrimaryKeyRelatedField(
        queryset=StakeholderGroup.objects.none(), help_text="A stakeholder group of this project."
    )
    channel = serializers.ChoiceField(choices=InvitationChannel.choices)
    formats_offered = serializers.ListField(
        child=serializers.ChoiceField(choices=list(ACCESSIBLE_FORMATS.items())), required=False, default=list
    )
    response = serializers.ChoiceField(
        choices=InvitationResponse.choices, default=InvitationResponse.AWAITING
    )
    response_note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    email = serializers.EmailField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Only with `channel` `email`: coprod sends the invitation there, with links to the public "
        "project page and to the group's involvement form (TEAM-8). "
        + _CONTACTS.replace("`name` and `contact` are", "It is"),
    )
    emailed_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = GroupInvitation
        fields = [
            "id",
            "stakeholder_group",
            "channel",
            "sent_on",
            "formats_offered",
            "response",
            "response_note",
            "email",
            "emailed_at",
            "created_at",
        ]
        read_only_fields = ["id", "emailed_at", "created_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        project = self.context.get("project")
        if project is not None:
            self.fields["stakeholder_group"].queryset = StakeholderGroup.objects.filter(project=project)

    def to_representation(self, instance: GroupInvitation) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.context.get("can_see_contacts"):
            data.pop("email", None)
        return data


class GroupInvitationResponseSerializer(serializers.Serializer):
    response = serializers.ChoiceField(choices=InvitationResponse.choices)
    response_note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


_PERSONAL = "`name`, `contact_preference`, `contact` and `access_needs` are returned only to those who can edit the project."


class InvolvementResponseSerializer(serializers.ModelSerializer):
    """An answer to an invitation's "how would you like to be involved" form
    (TEAM-8). Personal fields only for editors of the project."""

    levels = serializers.ListField(
        child=serializers.ChoiceField(choices=InvolvementLevel.choices),
        help_text="The levels at which they would like to take part.",
    )
    # Not `read_only`, so the description does not promise them to every
    # reader (see PublicInputSerializer). The serializer only answers.
    name = serializers.CharField(required=False, help_text=_PERSONAL)
    # "" when they gave no preference.
    contact_preference = serializers.ChoiceField(
        choices=ContactPreference.choices, allow_blank=True, required=False, help_text=_PERSONAL
    )
    contact = serializers.CharField(required=False, help_text=_PERSONAL)
    access_needs = serializers.CharField(required=False, help_text=_PERSONAL)

    class Meta:
        model = InvolvementResponse
        fields = [
            "id",
            "invitation",
            "stakeholder_group",
            "levels",
            "not_now",
            "name",
            "contact_preference",
            "contact",
            "access_needs",
            "submitted_at",
            "updated_at",
            "times_submitted",
        ]
        read_only_fields = fields

    def to_representation(self, instance: InvolvementResponse) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.context.get("can_see_contacts"):
            for key in ("name", "contact_preference", "contact", "access_needs"):
                data.pop(key, None)
        return data


# --- Views ------------------------------------------------------------------------------


class ContactsMixin:
    """Serializer context saying whether the caller sees the public's names
    and contacts: only those who can edit the project."""

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()  # type: ignore[misc]
        project = getattr(self, "project", None)
        context["can_see_contacts"] = project is not None and can_edit_project(
            self.request.user,  # type: ignore[attr-defined]
            project,
        )
        return context


class InputView(ContactsMixin, ProjectView):
    serializer_class = PublicInputSerializer

    def visible(self) -> QuerySet[PublicInput]:
        return (
            PublicInput.objects.filter(project=self.project)
            .select_related("response")
            .prefetch_related("agenda_items__body")
        )

    def get_object(self) -> PublicInput:
        return get_object_or_404(self.visible(), pk=self.kwargs["pk"])

    def item_data(self, item: PublicInput) -> dict[str, Any]:
        item = get_object_or_404(self.visible(), pk=item.pk)
        return PublicInputSerializer(item, context=self.get_serializer_context()).data


@extend_schema_view(
    get=doc(
        "Input on a project",
        tag=TAG,
        description="Every input, newest first (TEAM-9). " + _CONTACTS,
        ok={200: PublicInputSerializer(many=True)},
        errors=READ_ERRORS,
    ),
    post=doc(
        "Record input received offline",
        tag=TAG,
        description="Input that came by phone, on paper, by email or at a meeting, so people without the "
        "web count too (TEAM-9). The project's facilitators. 409 once the project has closed.",
        request=InputRecordSerializer,
        ok={201: PublicInputSerializer},
        errors=WRITE_ERRORS,
    ),
)
class InputListView(InputView):
    # The whole list, not pages: so say the description (a bare array).
    pagination_class = None

    def get(self, request: Request, org: str, project: str) -> Response:
        items = self.visible().order_by("-received_at", "-pk")
        return Response(PublicInputSerializer(items, many=True, context=self.get_serializer_context()).data)

    def post(self, request: Request, org: str, project: str) -> Response:
        data = validated(InputRecordSerializer, request.data, context={"project": self.project})
        item = participation.input_record(project=self.project, actor=request.user, **data)
        return Response(self.item_data(item), status=status.HTTP_201_CREATED)


class InputDetailView(InputView):
    @doc("One input", tag=TAG, description=_CONTACTS, ok={200: PublicInputSerializer}, errors=READ_ERRORS)
    def get(self, request: Request, org: str, project: str, pk: int) -> Response:
        return Response(self.item_data(self.get_object()))


class InputAcknowledgeView(InputView):
    @doc(
        "Acknowledge an input",
        tag=TAG,
        description="Marks a new input as acknowledged (TEAM-9); acknowledging again changes nothing. "
        "The project's facilitators.",
        ok={200: PublicInputSerializer},
        errors=WRITE_ERRORS,
    )
    def post(self, request: Request, org: str, project: str, pk: int) -> Response:
        item = participation.input_acknowledge(item=self.get_object(), actor=request.user)
        return Response(self.item_data(item))


class InputRespondView(InputView):
    @doc(
        "Answer an input publicly",
        tag=TAG,
        description="The public answer, and whether and how the input was incorporated, or why not "
        "(SCOPE-2, TEAM-9). Published on the public project page without names; emailed when the contact "
        "is an email address. 409 if it is already answered. The project's facilitators.",
        request=InputResponseSerializer,
        ok={201: PublicInputSerializer},
        errors=WRITE_ERRORS,
    )
    def post(self, request: Request, org: str, project: str, pk: int) -> Response:
        item = self.get_object()
        data = validated(InputResponseSerializer, request.data)
        participation.input_respond(item=item, actor=request.user, **data)
        return Response(self.item_data(item), status=status.HTTP_201_CREATED)

    @doc(
        "Name the part of the scope an input shaped",
        tag=TAG,
        description='SCOPE-2: sets, changes or clears (`""`) `scope_part` of the answer to an input given '
        "during scoping; the published answer itself never changes. 409 if the input is not answered yet; "
        "400 if it was not given during scoping. The project's facilitators.",
        request=ScopePartSerializer,
        ok={200: PublicInputSerializer},
        errors=WRITE_ERRORS,
    )
    def patch(self, request: Request, org: str, project: str, pk: int) -> Response:
        item = self.get_object()
        data = validated(ScopePartSerializer, request.data)
        answer = getattr(item, "response", None)
        if answer is None:
            require(
                can_edit_project(request.user, self.project), "Only the project's facilitators answer input."
            )
            raise Conflict("Answer the input first.")
        participation.input_response_scope_part_set(
            response=answer, scope_part=data["scope_part"], actor=request.user
        )
        return Response(self.item_data(item))


def _scoping_data(project: Project) -> dict[str, Any]:
    gaps = participation.scoping_gaps(project)
    return {
        "status": project.status,
        "complete": not gaps,
        "gaps": [{"rule": rule.value, "problem": problem} for rule, problem in gaps],
        "no_negative_impact_reason": project.no_negative_impact_reason,
    }


class ScopingView(ProjectView):
    serializer_class = ScopingSerializer

    @doc(
        "What still stops scoping from being finalised",
        tag=TAG,
        description="Each gap names its rule: SCOPE-2 (views from every group, every scoping input "
        "answered) or SCOPE-3 (a group that may be negatively affected consulted, or a recorded reason).",
        ok={200: ScopingSerializer},
        errors=READ_ERRORS,
    )
    def get(self, request: Request, org: str, project: str) -> Response:
        return Response(_scoping_data(self.project))


class ScopingFinaliseView(ProjectView):
    serializer_class = ScopingSerializer

    @doc(
        "Finalise scope",
        tag=TAG,
        description="Moves the project from scoping to delivery. 409 naming SCOPE-2 or SCOPE-3, with every "
        "gap in `evidence`, while scoping has not listened to everyone; 409 if the project is not in "
        "scoping. The project's facilitators.",
        ok={200: ScopingSerializer},
        errors=WRITE_ERRORS,
    )
    def post(self, request: Request, org: str, project: str) -> Response:
        updated = project_change_status(
            project=self.project, status=Project.Status.DELIVERY, actor=request.user
        )
        return Response(_scoping_data(updated))


class GroupInvitationView(ContactsMixin, ProjectView):
    serializer_class = GroupInvitationSerializer

    def visible(self) -> QuerySet[GroupInvitation]:
        return GroupInvitation.objects.filter(project=self.project).select_related("stakeholder_group")

    def get_object(self) -> GroupInvitation:
        return get_object_or_404(self.visible(), pk=self.kwargs["pk"])


@extend_schema_view(
    get=doc(
        "Invitations of the project's groups",
        tag=TAG,
        description="TEAM-7: every identified group specially invited, with the accessible formats offered "
        "and the response.",
        ok={200: GroupInvitationSerializer(many=True)},
        errors=READ_ERRORS,
    ),
    post=doc(
        "Record an invitation",
        tag=TAG,
        description="`formats_offered` from: "
        + ", ".join(ACCESSIBLE_FORMATS)
        + ". The project's facilitators.",
        request=GroupInvitationSerializer,
        ok={201: GroupInvitationSerializer},
        errors=WRITE_ERRORS,
    ),
)
class GroupInvitationListView(GroupInvitationView):
    # The whole list, not pages: so say the description (a bare array).
    pagination_class = None

    def get(self, request: Request, org: str, project: str) -> Response:
        return Response(
            GroupInvitationSerializer(self.visible(), many=True, context=self.get_serializer_context()).data
        )

    def post(self, request: Request, org: str, project: str) -> Response:
        data = validated(GroupInvitationSerializer, request.data, context={"project": self.project})
        group = data.pop("stakeholder_group")
        invitation = participation.group_invitation_record(group=group, actor=request.user, **data)
        return Response(
            GroupInvitationSerializer(invitation, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


class GroupInvitationDetailView(GroupInvitationView):
    @doc("One invitation", tag=TAG, ok={200: GroupInvitationSerializer}, errors=READ_ERRORS)
    def get(self, request: Request, org: str, project: str, pk: int) -> Response:
        return Response(
            GroupInvitationSerializer(self.get_object(), context=self.get_serializer_context()).data
        )

    @doc(
        "Record the response to an invitation",
        tag=TAG,
        description="The project's facilitators.",
        request=GroupInvitationResponseSerializer,
        ok={200: GroupInvitationSerializer},
        errors=WRITE_ERRORS,
    )
    def patch(self, request: Request, org: str, project: str, pk: int) -> Response:
        invitation = self.get_object()
        data = validated(GroupInvitationResponseSerializer, request.data)
        invitation = participation.group_invitation_respond(
            invitation=invitation, response=data["response"], note=data["response_note"], actor=request.user
        )
        return Response(GroupInvitationSerializer(invitation, context=self.get_serializer_context()).data)


class GroupInvitationEmailView(GroupInvitationView):
    @doc(
        "Email an invitation again",
        tag=TAG,
        description="TEAM-7: sends the invitation again to its recorded address, with a fresh personal link "
        "to the involvement form (links expire after "
        f"{INVOLVEMENT_LINK_MAX_AGE_DAYS} days). 409 unless it was sent by email to a recorded address, "
        "or once the project has closed. The project's facilitators.",
        ok={200: GroupInvitationSerializer},
        errors=(401, 403, 404, 409),
    )
    def post(self, request: Request, org: str, project: str, pk: int) -> Response:
        invitation = involvement.group_invitation_email(invitation=self.get_object(), actor=request.user)
        return Response(GroupInvitationSerializer(invitation, context=self.get_serializer_context()).data)


class InvolvementResponseListView(ContactsMixin, ProjectView):
    serializer_class = InvolvementResponseSerializer
    # The whole list, not pages: so say the description (a bare array).
    pagination_class = None

    def visible(self) -> QuerySet[InvolvementResponse]:
        return InvolvementResponse.objects.filter(project=self.project).order_by("-updated_at", "-pk")

    @doc(
        "How invited people would like to be involved",
        tag=TAG,
        description='TEAM-7, TEAM-8: the answers to the "how would you like to be involved" form that an '
        "emailed invitation links to, newest first: one per invitation (answering again updates it), with "
        "the levels chosen (`board`, `overview`, `events`, `input`) or `not_now`. " + _PERSONAL,
        ok={200: InvolvementResponseSerializer(many=True)},
        errors=READ_ERRORS,
    )
    def get(self, request: Request, org: str, project: str) -> Response:
        return Response(
            InvolvementResponseSerializer(
                self.visible(), many=True, context=self.get_serializer_context()
            ).data
        )
