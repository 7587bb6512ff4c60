"""Keeps the cached public project page fresh (TEAM-10): any change to what
the page shows bumps the project's cache version, so the next visitor gets a
newly built page. Connect once with `connect_public_page_signals()` (from
`StakeholdersConfig.ready`); it is idempotent."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django_scopes import scopes_disabled

VERSION_KEY = "public-project:{pk}:version"


def page_version(project_id: int) -> str:
    """The current version of the project's public page (created on first use)."""
    key = VERSION_KEY.format(pk=project_id)
    version = cache.get(key)
    if version is None:
        version = uuid.uuid4().hex
        # add(): two first visitors at once agree on one version.
        if not cache.add(key, version, timeout=None):
            version = cache.get(key) or version
    return version


def invalidate_public_page(project_id: int | None) -> None:
    if project_id is not None:
        cache.set(VERSION_KEY.format(pk=project_id), uuid.uuid4().hex, timeout=None)


def _project_id_of(instance: Any) -> int | None:
    """The project a changed record belongs to. Related rows are read through
    the base manager, outside any scope (signals may fire from jobs)."""
    from boards.models import AgendaItem, Body, DecisionEntry, ImplementationUpdate, Meeting, Seat
    from projects.models import Project
    from stakeholders.models import InputResponse

    with scopes_disabled():
        if isinstance(instance, Project):
            return instance.pk
        if isinstance(instance, Seat | Meeting | AgendaItem):
            return Body._base_manager.filter(pk=instance.body_id).values_list("project_id", flat=True).first()
        if isinstance(instance, ImplementationUpdate):
            return (
                DecisionEntry._base_manager.filter(pk=instance.entry_id)
                .values_list("project_id", flat=True)
                .first()
            )
        if isinstance(instance, InputResponse):
            from stakeholders.models import PublicInput

            return (
                PublicInput._base_manager.filter(pk=instance.input_id)
                .values_list("project_id", flat=True)
                .first()
            )
        return getattr(instance, "project_id", None)


def _changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    del sender, kwargs
    invalidate_public_page(_project_id_of(instance))


def watched_models() -> list[type]:
    from boards.models import AgendaItem, Body, DecisionEntry, ImplementationUpdate, Meeting, Seat
    from projects.models import Project
    from stakeholders.models import InputResponse, PublicInput, StakeholderGroup

    return [
        Project,
        Body,
        Seat,
        Meeting,
        # Items routed from public input show beside the answer (TEAM-9).
        AgendaItem,
        DecisionEntry,
        ImplementationUpdate,
        PublicInput,
        InputResponse,
        StakeholderGroup,
    ]


def connect_public_page_signals() -> None:
    for model in watched_models():
        uid = f"public-page-{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid + "-save", weak=False)
        post_delete.connect(_changed, sender=model, dispatch_uid=uid + "-delete", weak=False)
