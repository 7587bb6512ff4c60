"""The bare Django views the load benchmark compares the app's pages with.

They run through the same settings, middleware and template engine as the
app, served by the same gunicorn in the same run, and do the least a page of
their kind can do: one query and a template (`bare_page`), or one query and
a short answer (`bare_query`). The ratio of an app page's throughput to its
bare view's is what the targets are set on, so the figures mean the same on
a faster or a slower machine."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

ROWS = 50


@require_http_methods(["GET", "HEAD"])
def bare_page(request: HttpRequest) -> HttpResponse:
    """A 50-row table from one query, rendered by a template."""
    rows = list(get_user_model().objects.order_by("pk").values_list("pk", "username", "date_joined")[:ROWS])
    return render(request, "bench/bare_page.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
def bare_query(request: HttpRequest) -> HttpResponse:
    """One SELECT and a short answer. A POST goes through the CSRF check like
    any form post of the app."""
    found = get_user_model().objects.filter(pk=request.POST.get("n") or request.GET.get("n") or 1).exists()
    return HttpResponse("found" if found else "none", content_type="text/plain")
