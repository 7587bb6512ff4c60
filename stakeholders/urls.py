"""Stakeholder register and people directory pages, under `/o/<org>/`."""

from django.urls import path

from stakeholders import views

app_name = "stakeholders"

_groups = "projects/<slug:project>/stakeholders/"

urlpatterns = [
    path(_groups, views.group_list, name="group_list"),
    path(_groups + "new/", views.group_create, name="group_create"),
    path(_groups + "<int:pk>/edit/", views.group_edit, name="group_edit"),
    path(_groups + "<int:pk>/delete/", views.group_delete, name="group_delete"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
]
