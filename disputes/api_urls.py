"""REST API routes for disputes, mounted at `/api/v1/orgs/<slug:org>/`.
Explicit paths whose parameters are only `org`, `project` (a project's slug),
`kind` (`board` or `overview`; anything else is a 404) and `pk` (a dispute
id); the segment before `<int:pk>` is "disputes" for the tenancy walk."""

from django.urls import path

from disputes import api

_project = "projects/<slug:project>/"
_dispute = _project + "disputes/<int:pk>/"

urlpatterns = [
    path(
        _project + "bodies/<str:kind>/dispute-procedure/",
        api.DisputeProcedureView.as_view(),
        name="api-dispute-procedure",
    ),
    path(_project + "disputes/", api.DisputeListView.as_view(), name="api-dispute-list"),
    path(_dispute, api.DisputeDetailView.as_view(), name="api-dispute-detail"),
    path(_dispute + "stages/", api.DisputeStageRecordView.as_view(), name="api-dispute-stages"),
    path(_dispute + "advance/", api.DisputeAdvanceView.as_view(), name="api-dispute-advance"),
    path(_dispute + "agree/", api.DisputeAgreeView.as_view(), name="api-dispute-agree"),
    path(_dispute + "withdraw/", api.DisputeWithdrawView.as_view(), name="api-dispute-withdraw"),
    path(_dispute + "close/", api.DisputeCloseView.as_view(), name="api-dispute-close"),
]
