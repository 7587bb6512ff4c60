"""Staff and member pages of the governing bodies, under `/o/<org>/`
(included by `boards.urls`, app name "boards"). URL kwargs are `org`,
`project` (the project's slug), `kind` (`board` or `overview`; anything else
is a 404) and `pk`; the segment before `<int:pk>` names its kind ("seats",
"meetings") for the tenant-isolation walk."""

from django.urls import path

from boards.views import bodies as views

_body = "projects/<slug:project>/bodies/<str:kind>/"

urlpatterns = [
    path(_body, views.body_detail, name="body_detail"),
    path(_body + "activate/", views.body_activate, name="body_activate"),
    path(_body + "edit/", views.body_edit, name="body_edit"),
    path(_body + "seats/new/", views.seat_add, name="seat_add"),
    path(_body + "seats/<int:pk>/edit/", views.seat_edit, name="seat_edit"),
    path(_body + "seats/<int:pk>/end/", views.seat_end, name="seat_end"),
    path(_body + "meetings/", views.meeting_list, name="meeting_list"),
    path(_body + "meetings/new/", views.meeting_create, name="meeting_create"),
    path(_body + "meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path(_body + "meetings/<int:pk>/held/", views.meeting_held, name="meeting_held"),
    path(_body + "meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("projects/<slug:project>/timeline/", views.timeline, name="timeline"),
]
