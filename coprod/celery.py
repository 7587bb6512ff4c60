"""Celery application. Without REDIS_URL tasks run eagerly in-process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coprod.settings")

app = Celery("coprod")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="coprod.ping")
def ping() -> str:
    """Round trip used by the CI test that proves the broker configuration."""
    return "pong"
