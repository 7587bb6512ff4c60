"""Pages of how a body decides and of the project's decision ledger, under
`/o/<org>/` (included by `boards.urls`, app name "boards"). URL kwargs are
`org`, `project` (the project's slug), `kind` (`board` or `overview`;
anything else is a 404) and `pk`; the segment before `<int:pk>` names its
kind for the tenant-isolation walk: "items" for agenda items, "ledger" for
ledger entries."""

from django.urls import path

from boards.views import decisions as views

_items = "projects/<slug:project>/bodies/<str:kind>/items/"
_item = _items + "<int:pk>/"
_ledger = "projects/<slug:project>/ledger/"

urlpatterns = [
    path(_items, views.item_list, name="item_list"),
    path(_items + "new/", views.item_create, name="item_create"),
    path(_item, views.item_detail, name="item_detail"),
    path(_item + "edit/", views.item_edit, name="item_edit"),
    path(_item + "delete/", views.item_delete, name="item_delete"),
    path(_item + "tally/", views.item_tally, name="item_tally"),
    path(_item + "comment/", views.item_comment, name="item_comment"),
    path(_item + "vote/", views.item_vote, name="item_vote"),
    path(_item + "open-voting/", views.item_open_voting, name="item_open_voting"),
    path(_item + "close-voting/", views.item_close_voting, name="item_close_voting"),
    path(_item + "record-hands/", views.item_record_hands, name="item_record_hands"),
    path(_item + "implementation/", views.item_implementation, name="item_implementation"),
    path(_ledger, views.ledger, name="ledger"),
    path(_ledger + "export.json", views.ledger_export_json, name="ledger_export_json"),
    path(_ledger + "export.csv", views.ledger_export_csv, name="ledger_export_csv"),
    path(_ledger + "<int:pk>/", views.ledger_entry, name="ledger_entry"),
    path("projects/<slug:project>/budget/propose/", views.budget_propose, name="budget_propose"),
]
