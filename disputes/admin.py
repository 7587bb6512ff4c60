"""Django admin for support staff: disputes are read-only here; they move
only through their services (BOARD-6, GROUP-5)."""

from __future__ import annotations

from django.contrib import admin

from disputes.models import Dispute, DisputeParty, DisputeProcedure, StageRecord
from projects.admin import ReadOnlyAdmin


@admin.register(DisputeProcedure)
class DisputeProcedureAdmin(ReadOnlyAdmin):
    list_display = ("body", "is_current", "agreed_at")


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ("pk", "body", "subject", "status", "current_stage", "opened_at")
    list_filter = ("status", "subject")


@admin.register(DisputeParty)
class DisputePartyAdmin(ReadOnlyAdmin):
    list_display = ("dispute", "seat", "side", "agreed_at")


@admin.register(StageRecord)
class StageRecordAdmin(ReadOnlyAdmin):
    list_display = ("dispute", "order", "kind", "started_on", "due_on", "completed_at")
