"""REST API routes for the governing bodies, mounted at
`/api/v1/orgs/<slug:org>/`. Explicit paths whose parameters are only `org`,
`project` (a project's slug), `kind` (`board` or `overview`; anything else is
a 404) and `pk` (an integer id), as in `projects/api_urls.py`. The literal
segment before `<int:pk>` names the kind of id for the tenancy walk: `items`
for agenda items, `ledger` for ledger entries."""

from django.urls import include, path

from boards import api, api_decisions, api_participation

body_urls = [
    path("", api.BodyDetailView.as_view(), name="api-body-detail"),
    path("activate/", api.BodyActivateView.as_view(), name="api-body-activate"),
    path("close/", api.BodyCloseView.as_view(), name="api-body-close"),
    path("seats/", api.SeatListView.as_view(), name="api-seat-list"),
    path("seats/<int:pk>/", api.SeatDetailView.as_view(), name="api-seat-detail"),
    path("seats/<int:pk>/end/", api.SeatEndView.as_view(), name="api-seat-end"),
    path("meetings/", api.MeetingListView.as_view(), name="api-meeting-list"),
    path("meetings/<int:pk>/", api.MeetingDetailView.as_view(), name="api-meeting-detail"),
    path("meetings/<int:pk>/held/", api.MeetingHeldView.as_view(), name="api-meeting-held"),
    path("meetings/<int:pk>/cancel/", api.MeetingCancelView.as_view(), name="api-meeting-cancel"),
    # How the body decides (api_decisions).
    path("chair/", api_decisions.BodyChairView.as_view(), name="api-body-chair"),
    path("items/", api_decisions.ItemListView.as_view(), name="api-item-list"),
    path("items/<int:pk>/", api_decisions.ItemDetailView.as_view(), name="api-item-detail"),
    path("items/<int:pk>/comments/", api_decisions.CommentListView.as_view(), name="api-item-comments"),
    path("items/<int:pk>/votes/", api_decisions.VoteListView.as_view(), name="api-item-votes"),
    path("items/<int:pk>/open/", api_decisions.VotingOpenView.as_view(), name="api-item-open"),
    path("items/<int:pk>/close/", api_decisions.VotingCloseView.as_view(), name="api-item-close"),
]

# The project's decision ledger (api_decisions).
ledger_urls = [
    path("", api_decisions.LedgerListView.as_view(), name="api-ledger-list"),
    path("verify/", api_decisions.LedgerVerifyView.as_view(), name="api-ledger-verify"),
    path("export.json", api_decisions.LedgerExportJSONView.as_view(), name="api-ledger-export-json"),
    path("export.csv", api_decisions.LedgerExportCSVView.as_view(), name="api-ledger-export-csv"),
    path("<int:pk>/", api_decisions.LedgerEntryView.as_view(), name="api-ledger-entry"),
    path("<int:pk>/void/", api_decisions.LedgerVoidView.as_view(), name="api-ledger-void"),
    path(
        "<int:pk>/implementation/",
        api_decisions.LedgerImplementationView.as_view(),
        name="api-ledger-implementation",
    ),
]

urlpatterns = [
    path("projects/<slug:project>/bodies/", api.BodyListView.as_view(), name="api-body-list"),
    path("projects/<slug:project>/bodies/<slug:kind>/", include(body_urls)),
    path("projects/<slug:project>/timeline/", api.TimelineView.as_view(), name="api-term-timeline"),
    path("projects/<slug:project>/ledger/", include(ledger_urls)),
    # Public input put to a body (TEAM-9); `inputs` names a public input's id.
    path(
        "projects/<slug:project>/inputs/<int:pk>/route/",
        api_participation.InputRouteView.as_view(),
        name="api-input-route",
    ),
]
