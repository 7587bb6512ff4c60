"""Django admin for support staff (superusers): stakeholder groups and the
people directory, across all organisations (the tenancy middleware runs
/admin/ with scopes disabled)."""

from __future__ import annotations

from django.contrib import admin

from stakeholders.models import Person, StakeholderGroup


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
