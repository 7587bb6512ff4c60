"""Public pages of a project, under `/p/<org>/<project>/` (namespace
"public_project"): no account needed (TEAM-7, TEAM-8, TEAM-9, TEAM-10)."""

from django.urls import path

from stakeholders import public_views

app_name = "public_project"

urlpatterns = [
    path("", public_views.project_page, name="project_page"),
    path("input/", public_views.input_form, name="input_form"),
    path("input/thanks/", public_views.input_thanks, name="input_thanks"),
    # The invitation's signed link (TEAM-7, TEAM-8): no account needed.
    path("involve/<str:token>/", public_views.involvement_form, name="involvement_form"),
    path("involve/<str:token>/thanks/", public_views.involvement_thanks, name="involvement_thanks"),
]
