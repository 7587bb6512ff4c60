"""REST API for putting public input to a body (TEAM-9):
`POST /api/v1/orgs/<org>/projects/<project>/inputs/<id>/route/`.

The project's facilitators only (403 otherwise); refused with 409 while the
body takes no decisions (BOARD-4 for the board, GROUP-3 for the group:
forming or suspended), when it is closed, and when the input is already on
that body's agenda. Another organisation's input is a 404 (TENANT-1)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from boards import selectors
from boards.api_decisions import item_data
from boards.models import BodyKind
from boards.participation import TITLE_MAX, input_route_to_body
from boards.serializers_decisions import ItemDetailSerializer
from coprod.api import WRITE_ERRORS, ProjectView, doc, validated
from stakeholders.models import PublicInput


class InputRouteSerializer(serializers.Serializer):
    body = serializers.ChoiceField(choices=BodyKind.choices, help_text="`board` or `overview`.")
    title = serializers.CharField(
        max_length=TITLE_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="The item's title; by default taken from the input's words.",
    )
    note = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the facilitator puts it to the body; added to the item's description.",
    )
    deadline = serializers.DateField(required=False, allow_null=True, default=None)


class RoutedInputSerializer(serializers.Serializer):
    input = serializers.IntegerField(help_text="The public input now on the body's agenda.")
    body = serializers.ChoiceField(choices=BodyKind.choices)
    item = ItemDetailSerializer(help_text="The new agenda item; it links back to the input.")


class InputRouteView(ProjectView):
    serializer_class = InputRouteSerializer

    @doc(
        "Put a public input to a body",
        tag="participation",
        description="TEAM-9: turns a public input into a general agenda item of the Project Board or the "
        "Overview Group, which links back to the input; a new input is acknowledged. The item's "
        "description quotes the input, never the name or contact of the person who gave it. The "
        "project's facilitators. 409 naming BOARD-4 (board) or GROUP-3 (group) while the body is forming "
        "or suspended; 409 if it is closed or the input is already on its agenda.",
        request=InputRouteSerializer,
        ok={201: RoutedInputSerializer},
        errors=WRITE_ERRORS,
    )
    def post(self, request: Request, org: str, project: str, pk: int) -> Response:
        public_input = get_object_or_404(PublicInput.objects.filter(project=self.project), pk=pk)
        data = validated(InputRouteSerializer, request.data)
        body = selectors.body_get(project=self.project, kind=data.pop("body"))
        body.project = self.project
        item = input_route_to_body(public_input=public_input, body=body, actor=request.user, **data)
        payload = {"input": public_input.pk, "body": body.kind, "item": item_data(item, request.user)}
        return Response(payload, status=status.HTTP_201_CREATED)
