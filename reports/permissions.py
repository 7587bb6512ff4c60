"""Who sees the compliance report and its exports, as small predicates in the
style of `projects.permissions`.

The report is for the organisation's staff: admins, facilitators and
auditors (read-only). Members who sit on a body read the project, its ledger
and its flags, but the report is an audit of how the project is run, so it
stays with staff. The audit log, and so the export bundle that carries it, is
for admins and auditors only, as the audit log page is."""

from __future__ import annotations

from typing import Any

from projects.models import Organisation, Project, Role
from projects.permissions import can_view_audit_log, role_in

STAFF_ROLES = frozenset({Role.ADMIN, Role.FACILITATOR, Role.AUDITOR})


def can_view_compliance(user: Any, organisation: Organisation) -> bool:
    """The compliance reports of the organisation's projects, the
    organisation-wide summary and their exports (except the audit log)."""
    return role_in(user, organisation) in STAFF_ROLES


def can_view_project_compliance(user: Any, project: Project) -> bool:
    return can_view_compliance(user, project.organisation)


def can_export_audit_log(user: Any, project: Project) -> bool:
    """The project's audit log as CSV and the export bundle (which holds it)."""
    return can_view_audit_log(user, project.organisation)
