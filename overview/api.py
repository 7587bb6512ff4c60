"""REST API of the Overview Group's milestone reviews (GROUP-8), under
`/api/v1/orgs/<org>/projects/<project>/milestones/<id>/`: the group's
reviews of a milestone (`reviews/`) and marking it complete (`complete/`).

Any member of the organisation reads. `overview.services` decides every
write: the project's facilitators and managers record reviews and complete
milestones (403 for auditors and members); completion without a review is a
409 naming GROUP-8, kept in the audit log. Look-ups are filtered by the
organisation and project of the URL, so another organisation's milestone is
a 404 (TENANT-1), and the meeting of a review is looked up among this
project's Overview Group meetings only, so any other id is a 400."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from boards.models import Meeting
from coprod.api import READ_ERRORS, ProjectView, doc, validated
from overview import services
from overview.models import MilestoneReview
from projects.models import Milestone
from projects.serializers import MilestoneSerializer

TAG = "overview"


class MilestoneReviewSerializer(serializers.ModelSerializer):
    """The Overview Group's review of a milestone at one of its held meetings."""

    meeting_held_on = serializers.DateField(source="meeting.held_on", read_only=True)

    class Meta:
        model = MilestoneReview
        fields = ["id", "meeting", "meeting_held_on", "summary", "recorded_at"]
        read_only_fields = fields


class MilestoneReviewCreateSerializer(serializers.Serializer):
    meeting = serializers.PrimaryKeyRelatedField(
        queryset=Meeting.objects.none(),
        help_text="The id of a held meeting of this project's Overview Group.",
        error_messages={"does_not_exist": "Choose a meeting of this project's Overview Group."},
    )
    summary = serializers.CharField(
        max_length=10_000, help_text="What the group found: whether the milestone was reached, and why."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        project = self.context.get("project")
        if project is not None:
            # This project's Overview Group only (TENANT-1): any other id does not exist here.
            self.fields["meeting"].queryset = Meeting.objects.filter(
                body__project=project, body__kind="overview"
            )


class MilestoneCompleteSerializer(serializers.Serializer):
    on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The day it was completed; today if left out.",
    )

    def validate_on(self, day: Any) -> Any:
        if day is not None and day > timezone.localdate():
            raise serializers.ValidationError("A milestone cannot be completed in the future.")
        return day


class MilestoneView(ProjectView):
    """A view under `milestones/<id>/`: a milestone of this project, or 404."""

    milestone: Milestone

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.milestone = get_object_or_404(Milestone, project=self.project, pk=kwargs["pk"])


@extend_schema_view(
    get=doc(
        "Overview Group reviews of a milestone",
        tag=TAG,
        description="GROUP-8: the group reviews every milestone at one of its held meetings before the "
        "milestone can be marked complete. Newest first. Any member reads.",
        ok={200: MilestoneReviewSerializer},
        errors=READ_ERRORS,
    ),
    post=doc(
        "Record an Overview Group review of a milestone",
        tag=TAG,
        description="GROUP-8: `meeting` must be a meeting of this project's Overview Group recorded as "
        "held, at which the milestone was not already reviewed (400 otherwise). The project's facilitators "
        "and managers (403 for auditors and members).",
        request=MilestoneReviewCreateSerializer,
        ok={201: MilestoneReviewSerializer},
        errors=(400, 401, 403, 404),
    ),
)
class MilestoneReviewListView(MilestoneView, generics.ListCreateAPIView):
    serializer_class = MilestoneReviewSerializer

    def visible(self) -> QuerySet[MilestoneReview]:
        return (
            MilestoneReview.objects.filter(milestone=self.milestone)
            .select_related("meeting")
            .order_by("-recorded_at", "-pk")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(MilestoneReviewCreateSerializer, request.data, context=self.get_serializer_context())
        review = services.milestone_review_record(
            milestone=self.milestone, meeting=data["meeting"], summary=data["summary"], actor=request.user
        )
        return Response(MilestoneReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class MilestoneCompleteView(MilestoneView):
    serializer_class = MilestoneSerializer

    @doc(
        "Mark a milestone complete",
        tag=TAG,
        description="GROUP-8: refused with 409 naming GROUP-8 until the Overview Group has reviewed the "
        "milestone (record a review first: POST …/reviews/); the refusal is kept in the audit log and "
        "nothing changes. 409 too if it is already complete. `on` is never in the future (400). The "
        "project's facilitators and managers (403 for auditors and members).",
        request=MilestoneCompleteSerializer,
        ok={200: MilestoneSerializer},
        errors=(400, 401, 403, 404, 409),
    )
    def post(self, request: Request, org: str, project: str, pk: int) -> Response:
        data = validated(MilestoneCompleteSerializer, request.data)
        milestone = services.milestone_complete(milestone=self.milestone, actor=request.user, on=data["on"])
        return Response(MilestoneSerializer(milestone, context=self.get_serializer_context()).data)
