"""REST API routes of the Overview Group's milestone reviews (GROUP-8),
mounted at `/api/v1/orgs/<slug:org>/`. Parameters are only `org`, `project`
and `pk`; the segment before `<int:pk>` is `milestones`, so the tenancy walk
names a real milestone."""

from django.urls import path

from overview import api

_milestone = "projects/<slug:project>/milestones/<int:pk>/"

urlpatterns = [
    path(_milestone + "reviews/", api.MilestoneReviewListView.as_view(), name="api-milestone-review-list"),
    path(_milestone + "complete/", api.MilestoneCompleteView.as_view(), name="api-milestone-complete"),
]
