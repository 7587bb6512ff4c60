"""Pages of disputes under `/o/<org>/` (namespace "disputes"). URL kwargs are
`org`, `project` (the project's slug), `kind` (`board` or `overview`; anything
else is a 404) and `pk`; the segment before `<int:pk>` is "disputes" so the
tenant-isolation walk names a real dispute. `dispute_detail` is linked from
the emails the services send."""

from django.urls import path

from disputes import views

app_name = "disputes"

_project = "projects/<slug:project>/"
_body = _project + "bodies/<str:kind>/disputes/"
_dispute = _project + "disputes/<int:pk>/"

urlpatterns = [
    path(_project + "disputes/", views.dispute_list, name="dispute_list"),
    path(_body, views.body_disputes, name="body_disputes"),
    path(_body + "new/", views.dispute_create, name="dispute_create"),
    path(_dispute, views.dispute_detail, name="dispute_detail"),
    path(_dispute + "record/", views.dispute_record, name="dispute_record"),
    path(_dispute + "advance/", views.dispute_advance, name="dispute_advance"),
    path(_dispute + "agree/", views.dispute_agree, name="dispute_agree"),
    path(_dispute + "withdraw/", views.dispute_withdraw, name="dispute_withdraw"),
    path(_dispute + "close/", views.dispute_close, name="dispute_close"),
]
