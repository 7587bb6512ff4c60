"""Django admin for support staff: milestone reviews, read-only (GROUP-8)."""

from __future__ import annotations

from django.contrib import admin

from overview.models import MilestoneReview
from projects.admin import ReadOnlyAdmin


@admin.register(MilestoneReview)
class MilestoneReviewAdmin(ReadOnlyAdmin):
    list_display = ("milestone", "meeting", "recorded_at")
