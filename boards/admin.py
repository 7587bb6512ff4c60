"""Django admin for support staff. The ledger is read-only here, as
everywhere (LEDGER-1); so are votes and implementation updates, which only
the decision services write. Bodies, seats and meetings can be viewed and
corrected by support staff."""

from __future__ import annotations

from django.contrib import admin

from boards.models import (
    AgendaItem,
    Attendance,
    Body,
    Comment,
    DecisionEntry,
    ImplementationUpdate,
    Meeting,
    Seat,
    Vote,
)
from projects.admin import ReadOnlyAdmin


@admin.register(Body)
class BodyAdmin(ReadOnlyAdmin):
    list_display = ("project", "kind", "status", "status_since", "tie_procedure")
    list_filter = ("kind", "status")
    search_fields = ("project__title", "project__organisation__name")


@admin.register(Seat)
class SeatAdmin(ReadOnlyAdmin):
    list_display = ("person", "body", "capacity", "stakeholder_group", "term_start", "term_end", "is_open")
    list_filter = ("capacity", "is_open", "body__kind")
    search_fields = ("person__name", "body__project__title")


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("body", "scheduled_at", "status", "held_on")
    list_filter = ("status",)


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ("meeting", "seat", "attended")


@admin.register(AgendaItem)
class AgendaItemAdmin(ReadOnlyAdmin):
    list_display = ("title", "body", "kind", "status", "round", "deadline")
    list_filter = ("kind", "status")
    search_fields = ("title",)


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ("item", "author", "created_at")


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = ("item", "seat", "round", "choice", "recorded_by")


@admin.register(DecisionEntry)
class DecisionEntryAdmin(ReadOnlyAdmin):
    list_display = ("project", "sequence", "body", "outcome", "entry_hash", "recorded_at")
    list_filter = ("outcome",)
    search_fields = ("project__title", "entry_hash")


@admin.register(ImplementationUpdate)
class ImplementationUpdateAdmin(ReadOnlyAdmin):
    list_display = ("entry", "status", "created_at")
