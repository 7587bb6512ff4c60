"""Browser pages and downloads of the compliance report: the report of a
project "as of" a day with its charts, its exports (PDF, CSV, JSON, the
audit log as CSV and the offline-checkable bundle), the organisation-wide
summary, and the record of a meeting.

Views translate only: the data comes from `reports.report`,
`reports.charts`, `reports.meetings` and `reports.summary`; who may see what
is `reports.permissions`. Look-ups go through the organisation and project
of the URL, so another organisation's project or meeting is a 404
(TENANT-1). A bad "as of" date is a form error (400), never a 500. Nothing
here changes anything."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from boards.ledger import ledger_head
from projects.models import Project
from projects.views import (
    allow,
    org_crumbs,
    organisation_of,
    page,
    project_context,
    project_crumbs,
    project_for,
    wrong_method,
)
from reports import evidence as evidence_links
from reports import exports
from reports.document import report_document
from reports.forms import AsOfForm
from reports.meetings import build_meeting_record, meeting_of
from reports.permissions import can_export_audit_log, can_view_compliance, can_view_project_compliance
from reports.report import STATUS_LABELS, report_for
from reports.summary import organisation_summary


def _download(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _compliance_project(request: HttpRequest, slug: str) -> Project:
    """The project of the URL (404 elsewhere), for staff only (403)."""
    project = project_for(request, slug)
    allow(can_view_project_compliance(request.user, project))
    return project


def _export_urls(project: Project, as_of: datetime.date, request: HttpRequest) -> dict[str, str]:
    kwargs = {"org": project.organisation.slug, "project": project.slug}
    query = "?" + urlencode({"as_of": as_of.isoformat()})
    urls = {
        "pdf": reverse("reports:report_pdf", kwargs=kwargs) + query,
        "csv": reverse("reports:report_csv", kwargs=kwargs) + query,
        "json": reverse("reports:report_json", kwargs=kwargs) + query,
        "ledger_json": reverse("boards:ledger_export_json", kwargs=kwargs),
        "ledger_csv": reverse("boards:ledger_export_csv", kwargs=kwargs),
        "ledger": reverse("boards:ledger", kwargs=kwargs),
    }
    if can_export_audit_log(request.user, project):
        urls["audit_csv"] = reverse("reports:audit_log_csv", kwargs=kwargs) + query
        urls["bundle"] = reverse("reports:export_bundle", kwargs=kwargs) + query
    return urls


def _as_of(request: HttpRequest, project: Project) -> tuple[AsOfForm, datetime.date | None]:
    """The "as of" day asked for (today when none): the form and the day,
    or the form with its error and None."""
    form = AsOfForm(request.GET if "as_of" in request.GET else None, project=project)
    if not form.is_bound:
        return form, timezone.localdate()
    if form.is_valid():
        return form, form.cleaned_data["as_of"]
    return form, None


def _report_page(
    request: HttpRequest, project: Project, form: AsOfForm, as_of: datetime.date | None
) -> HttpResponse:
    context = project_context(request, project, "compliance")
    context.update(
        {
            "form": form,
            "breadcrumbs": project_crumbs(project, (_("Compliance report"), None)),
            "report_url": reverse(
                "reports:report", kwargs={"org": project.organisation.slug, "project": project.slug}
            ),
        }
    )
    if as_of is None:
        return page(request, "reports/report.html", context, status=400)
    context.update(report_document(project, as_of))
    context["export_urls"] = _export_urls(project, as_of, request)
    return page(request, "reports/report.html", context)


def report(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """The compliance report of a project as of a day: a summary by section,
    every rule with its status, explanation and evidence, the charts, and
    the exports."""
    obj = _compliance_project(request, project)
    if refused := wrong_method(request, "GET"):
        return refused
    form, as_of = _as_of(request, obj)
    return _report_page(request, obj, form, as_of)


def _export(
    request: HttpRequest, slug: str, *, audit_log: bool = False
) -> tuple[Project, datetime.date] | HttpResponse:
    """Shared start of every download: the project and the day, or the
    answer instead of a file (403 for who may not have it, 405 for another
    method, the report page with the date's error, 400, for a bad day).
    `audit_log`: the file holds the audit log (admins and auditors only)."""
    obj = _compliance_project(request, slug)
    if audit_log:
        allow(can_export_audit_log(request.user, obj))
    if refused := wrong_method(request, "GET"):
        return refused
    form, as_of = _as_of(request, obj)
    if as_of is None:
        return _report_page(request, obj, form, None)
    return obj, as_of


def report_pdf(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """The report as a paged PDF: cover (project, organisation, as of, when
    made, ledger head), contents, summary, charts and every rule."""
    found = _export(request, project)
    if isinstance(found, HttpResponse):
        return found
    obj, as_of = found
    context = report_document(obj, as_of)
    pdf = exports.render_pdf("reports/report_pdf.html", context)
    return _download(pdf, "application/pdf", exports.file_stem(context["report"], "compliance") + ".pdf")


def report_csv(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """One row per rule, spreadsheet-safe."""
    found = _export(request, project)
    if isinstance(found, HttpResponse):
        return found
    obj, as_of = found
    data = report_for(obj, as_of)
    return _download(
        exports.report_csv(data), "text/csv; charset=utf-8", exports.file_stem(data, "compliance") + ".csv"
    )


def report_json(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """The same data as the API answers."""
    found = _export(request, project)
    if isinstance(found, HttpResponse):
        return found
    obj, as_of = found
    data = report_for(obj, as_of)
    return _download(
        exports.report_json(data),
        "application/json; charset=utf-8",
        exports.file_stem(data, "compliance") + ".json",
    )


def audit_log_csv(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """The project's audit events up to the "as of" day (admins and auditors)."""
    found = _export(request, project, audit_log=True)
    if isinstance(found, HttpResponse):
        return found
    obj, as_of = found
    head = ledger_head(obj)
    content = exports.audit_csv(obj, as_of, {"sequence": head[0], "hash": head[1]} if head else None)
    filename = f"audit-log-{obj.organisation.slug}-{obj.slug}-{as_of.isoformat()}.csv"
    return _download(content, "text/csv; charset=utf-8", filename)


def export_bundle(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """report.json, ledger.json, audit-log.csv, verify_ledger.py and a
    README, zipped (admins and auditors: it holds the audit log)."""
    found = _export(request, project, audit_log=True)
    if isinstance(found, HttpResponse):
        return found
    obj, as_of = found
    content, data = exports.bundle(obj, as_of)
    return _download(content, "application/zip", exports.file_stem(data, "export") + ".zip")


def evidence(request: HttpRequest, org: str, project: str) -> HttpResponse:
    """Follow an evidence link whose page needs a look-up (see
    `reports.evidence`): the record must be this project's, or 404."""
    obj = _compliance_project(request, project)
    if refused := wrong_method(request, "GET"):
        return refused
    kind, record_id = request.GET.get("kind", ""), request.GET.get("id", "")
    if not kind and not record_id:
        # No record named (a link copied without its query): back to the report.
        return redirect("reports:report", org=obj.organisation.slug, project=obj.slug)
    target = evidence_links.lookup(obj, kind, record_id)
    if target is None:
        raise Http404("No such record in this project.")
    return redirect(target)


# --- The organisation ------------------------------------------------------------------------------


def organisation_report(request: HttpRequest, org: str) -> HttpResponse:
    """Every project of the organisation: counts per status and failing rules, today."""
    organisation = organisation_of(request)
    allow(can_view_compliance(request.user, organisation))
    if refused := wrong_method(request, "GET"):
        return refused
    summary = organisation_summary(organisation)
    context = {
        "organisation": organisation,
        "summary": summary,
        "statuses": list(STATUS_LABELS.items()),
        "generated_at": datetime.datetime.fromisoformat(summary["generated_at"]),
        "csv_url": reverse("reports:organisation_report_csv", kwargs={"org": organisation.slug}),
        "nav_active": "projects",
        "breadcrumbs": org_crumbs(organisation, (_("Compliance across projects"), None)),
    }
    return page(request, "reports/organisation_report.html", context)


def organisation_report_csv(request: HttpRequest, org: str) -> HttpResponse:
    organisation = organisation_of(request)
    allow(can_view_compliance(request.user, organisation))
    if refused := wrong_method(request, "GET"):
        return refused
    summary = organisation_summary(organisation)
    as_of = datetime.date.fromisoformat(summary["as_of"])
    content = exports.summary_csv(summary["projects"], as_of, summary["generated_at"])
    return _download(
        content, "text/csv; charset=utf-8", f"compliance-{organisation.slug}-{as_of.isoformat()}.csv"
    )


# --- Meeting records -------------------------------------------------------------------------------


def _meeting_context(
    request: HttpRequest, slug: str, pk: int
) -> tuple[Project, dict[str, Any] | HttpResponse]:
    """The meeting of the URL (404 for another project's), any reader of the
    project (as the meeting page), GET only."""
    obj = project_for(request, slug)
    meeting = meeting_of(obj, pk)
    if refused := wrong_method(request, "GET"):
        return obj, refused
    record = build_meeting_record(obj, meeting)
    return obj, {"record": record, "meeting": meeting, "body": meeting.body}


def meeting_record(request: HttpRequest, org: str, project: str, pk: int) -> HttpResponse:
    """The protocol of one meeting: attendance by capacity, items discussed,
    outcomes with tallies and links to their ledger entries, the minutes."""
    obj, record_context = _meeting_context(request, project, pk)
    if isinstance(record_context, HttpResponse):
        return record_context
    record = record_context["record"]
    context = project_context(request, obj, "bodies")
    context.update(record_context)
    context.update(
        {
            "pdf_url": reverse(
                "reports:meeting_record_pdf",
                kwargs={"org": obj.organisation.slug, "project": obj.slug, "pk": record.meeting.pk},
            ),
            "breadcrumbs": project_crumbs(
                obj,
                (record.body.get_kind_display(), record.body.get_absolute_url()),
                (_("Meeting on %(day)s") % {"day": record.day.strftime("%d %b %Y")}, record.meeting_url),
                (_("Record"), None),
            ),
        }
    )
    return page(request, "reports/meeting_record.html", context)


def meeting_record_pdf(request: HttpRequest, org: str, project: str, pk: int) -> HttpResponse:
    obj, context = _meeting_context(request, project, pk)
    if isinstance(context, HttpResponse):
        return context
    record = context["record"]
    context.update({"project": obj, "organisation": obj.organisation})
    pdf = exports.render_pdf("reports/meeting_record_pdf.html", context)
    filename = f"meeting-{obj.organisation.slug}-{obj.slug}-{record.body.kind}-{record.day.isoformat()}.pdf"
    return _download(pdf, "application/pdf", filename)
