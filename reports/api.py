"""REST API of compliance reports, under `/api/v1/orgs/<org>/`:
`projects/<project>/compliance/` (JSON), `…/compliance.csv`,
`…/compliance.pdf`, `…/export.zip` (the offline-checkable bundle),
`compliance/` (every project of the organisation) and
`projects/<project>/meetings/<id>/record/` (the record of a meeting).

Reads only. Admins, facilitators and auditors see compliance reports (403
for other members); the bundle holds the audit log, so admins and auditors
only, as the audit log. Any member reads a meeting's record, as the meeting
itself. Another organisation's project or meeting is a 404 (TENANT-1); a bad
`as_of` is a 400 on `as_of`, never a 500."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from boards.api_decisions import CSVRenderer
from boards.models import Meeting
from coprod.api import READ_ERRORS, OrganisationView, ProjectView, doc, require_read, validated
from reports import exports
from reports.document import report_document
from reports.meetings import build_meeting_record, meeting_of
from reports.permissions import can_export_audit_log, can_view_compliance, can_view_project_compliance
from reports.report import report_for
from reports.serializers import (
    AsOfQuerySerializer,
    ComplianceReportSerializer,
    MeetingRecordSerializer,
    OrganisationComplianceSerializer,
)
from reports.summary import organisation_summary

TAG = "compliance"
ERRORS = (400, 401, 403, 404)
STAFF_ONLY = "Only admins, facilitators and auditors see compliance reports."
_AS_OF = (
    "`as_of` (YYYY-MM-DD, default today) is any day from the project's start (the day it was recorded, or its "
    "first phase's start if earlier) to today; another day, or a malformed one, is a 400 on `as_of`. "
)
_MADE = (
    "It states when it was made (`generated_at`), for which day (`as_of`) and the ledger head it was made "
    "from (`ledger_head`, to check with `verify_ledger.py --head SEQUENCE:HASH`)."
)


class _FileRenderer(BaseRenderer):
    """Lets a client ask for the file's type; the view writes the file
    itself, and an error body is rendered as JSON text."""

    charset = None

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return JSONRenderer().render(data)


class PDFRenderer(_FileRenderer):
    media_type = "application/pdf"
    format = "pdf"


class ZipRenderer(_FileRenderer):
    media_type = "application/zip"
    format = "zip"


def _file(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ComplianceView(ProjectView):
    """A compliance read of one project: the project of the URL (404), staff
    only (403), then the `as_of` day (400)."""

    serializer_class = ComplianceReportSerializer

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        require_read(can_view_project_compliance(request.user, self.project), STAFF_ONLY)

    def as_of(self) -> datetime.date:
        data = validated(AsOfQuerySerializer, self.request.query_params, context={"project": self.project})
        return data.get("as_of") or timezone.localdate()


class ComplianceReportView(ComplianceView):
    @doc(
        "Compliance report of a project",
        tag=TAG,
        description="Every rule of RULES.md the compliance engine evaluates, as of a day: its status (`pass`, "
        "`warn`, `fail`, `n/a`), a plain-language explanation and the evidence (records with links to their "
        "pages), counted overall and per section (SCOPE, BOARD, GROUP, TEAM, LEDGER, TENANT). "
        + _AS_OF
        + _MADE,
        parameters=[AsOfQuerySerializer],
        ok={200: ComplianceReportSerializer},
        errors=ERRORS,
    )
    def get(self, request: Request, org: str, project: str) -> Response:
        return Response(report_for(self.project, self.as_of()))


class _FileView(ComplianceView):
    """A download: a refusal or a bad `as_of` is JSON whatever type the
    client asked for, so it never reads as a broken file."""

    def handle_exception(self, exc: Exception) -> Response:
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)


class ComplianceCSVView(_FileView):
    renderer_classes = [JSONRenderer, CSVRenderer]

    @doc(
        "Compliance report as CSV",
        tag=TAG,
        description="One row per rule: "
        + ", ".join(f"`{column}`" for column in exports.REPORT_COLUMNS + exports.META_COLUMNS)
        + " (evidence labels joined by ` | `; `ledger_head` as `SEQUENCE:HASH`). A cell that a spreadsheet "
        "would read as a formula (starting with =, +, -, @, a tab or a carriage return) is prefixed with an "
        "apostrophe. " + _AS_OF,
        parameters=[AsOfQuerySerializer],
        ok={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The report as CSV.")},
        errors=ERRORS,
    )
    def get(self, request: Request, org: str, project: str) -> HttpResponse:
        report = report_for(self.project, self.as_of())
        return _file(
            exports.report_csv(report),
            "text/csv; charset=utf-8",
            exports.file_stem(report, "compliance") + ".csv",
        )


class CompliancePDFView(_FileView):
    renderer_classes = [JSONRenderer, PDFRenderer]

    @doc(
        "Compliance report as PDF",
        tag=TAG,
        description="A paged document: a cover page (project, organisation, as of, when made, ledger head), "
        "contents, the summary, the charts (composition of each body against its threshold, stakeholder "
        "coverage per phase, decisions over time) and every rule with its status, explanation and evidence. "
        + _AS_OF,
        parameters=[AsOfQuerySerializer],
        ok={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The report as PDF.")},
        errors=ERRORS,
    )
    def get(self, request: Request, org: str, project: str) -> HttpResponse:
        context = report_document(self.project, self.as_of())
        pdf = exports.render_pdf("reports/report_pdf.html", context)
        return _file(pdf, "application/pdf", exports.file_stem(context["report"], "compliance") + ".pdf")


class ExportBundleView(_FileView):
    renderer_classes = [JSONRenderer, ZipRenderer]

    @doc(
        "Export bundle (zip)",
        tag=TAG,
        description="Everything an auditor needs offline: `report.json` (as `…/compliance/`), `ledger.json` "
        "(the ledger export, LEDGER-1), `audit-log.csv` (the project's audit events up to the end of the "
        "`as_of` day), `verify_ledger.py` (the standalone verifier) and `README.txt` (how to re-check the "
        "chain: `python verify_ledger.py ledger.json`). The report names the head of the ledger in the "
        "bundle. Admins and auditors only, since it holds the audit log (403 otherwise). " + _AS_OF,
        parameters=[AsOfQuerySerializer],
        ok={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The bundle.")},
        errors=ERRORS,
    )
    def get(self, request: Request, org: str, project: str) -> HttpResponse:
        require_read(
            can_export_audit_log(request.user, self.project),
            "Only admins and auditors export the bundle: it holds the audit log.",
        )
        content, report = exports.bundle(self.project, self.as_of())
        return _file(content, "application/zip", exports.file_stem(report, "export") + ".zip")


class OrganisationComplianceView(OrganisationView):
    serializer_class = OrganisationComplianceSerializer

    @doc(
        "Compliance of every project",
        tag=TAG,
        description="One row per project of the organisation, as of today: how many rules pass, warn, fail or "
        "do not apply, and the IDs of the rules it fails. Admins, facilitators and auditors.",
        ok={200: OrganisationComplianceSerializer},
        errors=(401, 403, 404),
    )
    def get(self, request: Request, org: str) -> Response:
        require_read(can_view_compliance(request.user, self.organisation), STAFF_ONLY)
        return Response(organisation_summary(self.organisation))


class MeetingRecordView(ProjectView):
    serializer_class = MeetingRecordSerializer

    def get_queryset(self) -> QuerySet[Meeting]:
        """The project's meetings; the OpenAPI generator reads the id's type from it."""
        if getattr(self, "swagger_fake_view", False):
            return Meeting.objects.none()
        return Meeting.objects.filter(body__project=self.project)

    @doc(
        "Record of a meeting",
        tag=TAG,
        description="The protocol a body files for a meeting: attendance by capacity (counts and names), "
        "the items discussed (a show of hands recorded there, or a vote closed on the day it was held), their "
        "outcomes with the tallies and quorum from the ledger, and the minutes. Any member of the "
        "organisation, as the meeting itself. No contact details.",
        ok={200: MeetingRecordSerializer},
        errors=READ_ERRORS,
    )
    def get(self, request: Request, org: str, project: str, pk: int) -> Response:
        meeting = meeting_of(self.project, pk)
        return Response(build_meeting_record(self.project, meeting).as_dict())
