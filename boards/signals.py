"""Every project has exactly one Project Board and one Overview Group from the
moment it exists (BOARD-1, GROUP-1): they are created with the project."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver
from django_scopes import scopes_disabled

from boards.models import Body, BodyKind
from projects.models import Project


@receiver(post_save, sender=Project, dispatch_uid="boards.create_bodies_for_new_project")
def create_bodies_for_new_project(
    sender: type[Project], instance: Project, created: bool, **kwargs: Any
) -> None:
    if not created or kwargs.get("raw"):
        return
    # Tied to this project by its foreign key, so no other tenant is touched.
    with scopes_disabled():
        for kind in BodyKind.values:
            Body.objects.using(kwargs.get("using") or "default").get_or_create(project=instance, kind=kind)
