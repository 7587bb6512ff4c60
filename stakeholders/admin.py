"""Django admin for support staff (superusers): stakeholder groups, the
people directory, public input with its responses, and group invitations,
across all organisations (the tenancy middleware runs /admin/ with scopes
disabled).

Public input, the project's responses, the invitations of groups and the
answers to them are evidence for SCOPE-2, TEAM-7, TEAM-8 and TEAM-9, written
by services (contact details of input are deleted by the retention job):
read-only here."""

from __future__ import annotations

from django.contrib import admin

from projects.admin import ReadOnlyAdmin
from stakeholders.models import (
    GroupInvitation,
    InputResponse,
    InvolvementResponse,
    Person,
    PublicInput,
    StakeholderGroup,
)


@admin.register(StakeholderGroup)
class StakeholderGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "affected", "impact", "is_professional", "created_at"]
    search_fields = ["name", "description", "project__title"]
    list_filter = ["affected", "impact", "is_professional", "project__organisation"]
    list_select_related = ["project"]
    readonly_fields = ["created_at"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "email", "phone", "user", "erased_at"]
    search_fields = ["name", "email", "phone", "organisation__name"]
    list_filter = ["organisation", "erased_at"]
    list_select_related = ["organisation", "user"]
    autocomplete_fields = ["user"]
    # Erasure is a service (it replaces the name and contacts and unlinks the account).
    readonly_fields = ["created_at", "erased_at"]


@admin.register(PublicInput)
class PublicInputAdmin(ReadOnlyAdmin):
    list_display = [
        "__str__",
        "project",
        "stakeholder_group",
        "channel",
        "status",
        "during_scoping",
        "received_at",
    ]
    search_fields = ["message", "name", "project__title"]
    list_filter = ["status", "channel", "during_scoping", "project__organisation"]
    list_select_related = ["project", "stakeholder_group"]
    date_hierarchy = "received_at"


@admin.register(InputResponse)
class InputResponseAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "incorporated", "scope_part", "responded_at", "emailed_at"]
    search_fields = ["public_text", "how_or_why", "input__project__title"]
    list_filter = ["incorporated", "input__project__organisation"]
    list_select_related = ["input__project"]


@admin.register(GroupInvitation)
class GroupInvitationAdmin(ReadOnlyAdmin):
    list_display = ["stakeholder_group", "project", "channel", "sent_on", "response", "emailed_at"]
    search_fields = ["stakeholder_group__name", "project__title", "response_note"]
    list_filter = ["channel", "response", "project__organisation"]
    list_select_related = ["project", "stakeholder_group"]


@admin.register(InvolvementResponse)
class InvolvementResponseAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "project", "stakeholder_group", "not_now", "times_submitted", "updated_at"]
    search_fields = ["stakeholder_group__name", "project__title"]
    list_filter = ["not_now", "project__organisation"]
    list_select_related = ["project", "stakeholder_group", "invitation__stakeholder_group"]
