"""Compliance report pages and downloads, under `/o/<org>/` (namespace
"reports"). URL kwargs are `org`, `project` (the project's slug) and `pk`;
the segment before `<int:pk>` is "meetings", so the tenancy walk names a real
meeting. The "as of" day is a query parameter (`?as_of=YYYY-MM-DD`)."""

from django.urls import path

from reports import views

app_name = "reports"

_compliance = "projects/<slug:project>/compliance/"
_meeting = "projects/<slug:project>/meetings/<int:pk>/"

urlpatterns = [
    path(_compliance, views.report, name="report"),
    path(_compliance + "report.pdf", views.report_pdf, name="report_pdf"),
    path(_compliance + "report.csv", views.report_csv, name="report_csv"),
    path(_compliance + "report.json", views.report_json, name="report_json"),
    path(_compliance + "audit-log.csv", views.audit_log_csv, name="audit_log_csv"),
    path(_compliance + "export.zip", views.export_bundle, name="export_bundle"),
    path(_compliance + "evidence/", views.evidence, name="evidence"),
    path("compliance/", views.organisation_report, name="organisation_report"),
    path("compliance/summary.csv", views.organisation_report_csv, name="organisation_report_csv"),
    path(_meeting + "record/", views.meeting_record, name="meeting_record"),
    path(_meeting + "record.pdf", views.meeting_record_pdf, name="meeting_record_pdf"),
]
