"""REST API routes of compliance reports, mounted at `/api/v1/orgs/<slug:org>/`.
Parameters are only `org`, `project` (a project's slug) and `pk`; the
segment before `<int:pk>` is "meetings" for the tenancy walk."""

from django.urls import path

from reports import api

_project = "projects/<slug:project>/"

urlpatterns = [
    path(_project + "compliance/", api.ComplianceReportView.as_view(), name="api-compliance-report"),
    path(_project + "compliance.csv", api.ComplianceCSVView.as_view(), name="api-compliance-csv"),
    path(_project + "compliance.pdf", api.CompliancePDFView.as_view(), name="api-compliance-pdf"),
    path(_project + "export.zip", api.ExportBundleView.as_view(), name="api-compliance-export"),
    path("compliance/", api.OrganisationComplianceView.as_view(), name="api-organisation-compliance"),
    path(_project + "meetings/<int:pk>/record/", api.MeetingRecordView.as_view(), name="api-meeting-record"),
]
