from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Compliance reports and auditor exports, built on the compliance engine
    (`projects.compliance.evaluate`). The top of the import chain: it reads
    every other app and no app imports it."""

    name = "reports"
    verbose_name = "Compliance reports"
