"""Public pages that need no account (SCOPE-1: anyone can propose a project)."""

from django.urls import path

from projects import views

app_name = "public"

urlpatterns = [
    path("propose/<slug:org>/", views.proposal_form, name="proposal_form"),
    path("propose/<slug:org>/<int:pk>/", views.proposal_status, name="proposal_status"),
]
