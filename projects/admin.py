"""Django admin for support staff (superusers), across all organisations.

The tenancy middleware runs /admin/ with scopes disabled. The admin writes
models directly, bypassing the services, so what the rules reserve for a
process is read-only here: the audit log (never edited), budget lines
(BOARD-7: only an agreed board decision changes them), a project's status
(BOARD-10: only a board decision closes a project) and a proposal's decision
(SCOPE-1: decided by a facilitator with a published reason), and the flags
raised and resolved by the cadence checks with the emails claimed for them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from projects.models import (
    AuditEvent,
    BudgetLine,
    DigestEmail,
    Flag,
    FlagEmail,
    Milestone,
    Organisation,
    OrganisationInvitation,
    OrganisationMember,
    Phase,
    Project,
    ProjectProposal,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable by support staff, never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OrganisationMemberInline(admin.TabularInline):
    model = OrganisationMember
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["joined_at"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    list_filter = ["created_at"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at"]
    inlines = [OrganisationMemberInline]


@admin.register(OrganisationMember)
class OrganisationMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "joined_at"]
    search_fields = ["user__username", "user__email", "organisation__name"]
    list_filter = ["role", "organisation"]
    list_select_related = ["user", "organisation"]
    autocomplete_fields = ["user"]
    readonly_fields = ["joined_at"]


@admin.register(OrganisationInvitation)
class OrganisationInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "status", "created_at", "accepted_at"]
    search_fields = ["email", "organisation__name"]
    list_filter = ["status", "role", "organisation"]
    list_select_related = ["organisation"]
    readonly_fields = ["created_at", "accepted_at", "accepted_by", "invited_by"]


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["title", "phase", "due_on", "completed_on"]
    # GROUP-8: a milestone completes after the Overview Group's review, not by hand.
    readonly_fields = ["completed_on"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "slug", "status", "initiator_type", "created_at"]
    search_fields = ["title", "slug", "summary", "organisation__name"]
    list_filter = ["status", "initiator_type", "organisation"]
    list_select_related = ["organisation"]
    # BOARD-10: the lifecycle moves through services and board decisions only.
    readonly_fields = ["status", "created_at", "updated_at"]
    inlines = [PhaseInline, MilestoneInline]


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "order", "starts_on", "ends_on"]
    search_fields = ["name", "project__title"]
    list_filter = ["project__organisation"]
    list_select_related = ["project"]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "phase", "due_on", "completed_on"]
    search_fields = ["title", "project__title"]
    list_filter = ["project__organisation", "due_on"]
    list_select_related = ["project", "phase"]
    readonly_fields = ["completed_on"]


@admin.register(BudgetLine)
class BudgetLineAdmin(ReadOnlyAdmin):
    """BOARD-7: budget lines change only through an agreed board decision."""

    list_display = ["partner", "purpose", "amount", "project", "created_at"]
    search_fields = ["partner", "purpose", "project__title"]
    list_filter = ["project__organisation"]
    list_select_related = ["project"]


@admin.register(ProjectProposal)
class ProjectProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "initiator_type", "status", "created_at", "decided_at"]
    search_fields = ["title", "summary", "proposer_name", "organisation__name"]
    list_filter = ["status", "initiator_type", "organisation"]
    list_select_related = ["organisation"]
    # SCOPE-1: a facilitator decides, with a published reason, through the service.
    readonly_fields = ["status", "decision_reason", "decided_by", "decided_at", "project", "created_at"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit log is evidence: nobody edits or deletes it."""

    list_display = ["created_at", "organisation", "project", "actor_label", "action", "rule", "object_repr"]
    search_fields = ["action", "actor_label", "object_repr", "object_id"]
    list_filter = ["rule", "organisation", "created_at"]
    list_select_related = ["organisation", "project"]
    date_hierarchy = "created_at"


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    """Raised and resolved by the cadence checks themselves (BOARD-9, GROUP-6,
    GROUP-8, TEAM-3, TEAM-9), never by hand."""

    list_display = ["title", "organisation", "project", "kind", "rule", "since", "opened_at", "resolved_at"]
    search_fields = ["title", "key", "project__title", "organisation__name"]
    list_filter = ["kind", "rule", "organisation", "resolved_at"]
    list_select_related = ["organisation", "project"]
    date_hierarchy = "opened_at"


@admin.register(FlagEmail)
class FlagEmailAdmin(ReadOnlyAdmin):
    """The claim that makes a flag's email go out once."""

    list_display = ["flag", "user", "claimed_at", "sent_at"]
    search_fields = ["flag__title", "user__username", "user__email"]
    list_filter = ["flag__organisation", "sent_at"]
    list_select_related = ["flag", "user"]


@admin.register(DigestEmail)
class DigestEmailAdmin(ReadOnlyAdmin):
    """The claim that makes the daily digest go out once per person and day."""

    list_display = ["user", "organisation", "day", "flag_count", "sent_at"]
    search_fields = ["user__username", "user__email", "organisation__name"]
    list_filter = ["organisation", "day"]
    list_select_related = ["organisation", "user"]
