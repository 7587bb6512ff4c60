"""Staff and member pages of the Overview Group's own work, under `/o/<org>/`:
milestone reviews and completion (GROUP-8). URL kwargs are `org`, `project`
and `pk`; the segment before `<int:pk>` is `milestones`, so the tenancy walk
names a real milestone."""

from django.urls import path

from overview import views

app_name = "overview"

_milestone = "projects/<slug:project>/milestones/<int:pk>/"

urlpatterns = [
    path(_milestone + "review/", views.milestone_review, name="milestone_review"),
    path(_milestone + "complete/", views.milestone_complete, name="milestone_complete"),
]
