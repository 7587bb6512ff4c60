"""coprod: run public service projects as real coproduction."""

from coprod.celery import app as celery_app

__all__ = ["celery_app"]
