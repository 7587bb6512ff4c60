"""Putting public input to a body (TEAM-9), under `/o/<org>/` (included by
`boards.urls`, app name "boards"). The segment before `<int:pk>` is
"inputs": the id names a public input, for the tenant-isolation walk."""

from django.urls import path

from boards.views import participation as views

urlpatterns = [
    path("projects/<slug:project>/inputs/<int:pk>/route/", views.input_route, name="input_route"),
]
