"""What only the Overview Group has: its review of every milestone before the
milestone can be marked complete (GROUP-8)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from boards.models import Meeting
from projects.models import Milestone


class MilestoneReview(models.Model):
    """The Overview Group's review of a milestone at one of its held meetings:
    what it found. A milestone completes only after one (GROUP-8)."""

    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="reviews")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="milestone_reviews")
    summary = models.TextField(max_length=10_000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organisation="milestone__project__organisation")

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "meeting"], name="one_review_per_milestone_per_meeting"
            )
        ]

    def __str__(self) -> str:
        return f"Review of {self.milestone} at {self.meeting}"
