"""The load benchmark's harness still runs (`bench/load.py`; the benchmark
itself is not part of the suite): its data builder works on a small scale,
the bare views answer, and every endpoint it measures, requested the way the
load generator requests it (session cookie, CSRF cookie and token, form
fields), gets the answer the benchmark expects. Without gunicorn or wrk."""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from bench import data as bench_data
from bench import load
from bench import settings as bench_settings
from boards.models import Vote
from stakeholders.models import PublicInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def bench_urls(settings) -> None:
    settings.ROOT_URLCONF = "bench.urls"
    settings.TEMPLATES = bench_settings.TEMPLATES
    settings.INPUT_RATE_LIMIT_PER_HOUR = 1000


def test_every_endpoint_answers_as_the_benchmark_expects(bench_urls: None) -> None:
    data = bench_data.build(bench_data.SMOKE)
    smoke = bench_data.SMOKE
    assert data.counts["ledger entries"] >= smoke.ledger_entries
    assert data.counts["answered inputs"] >= smoke.answered_inputs
    assert data.counts["open seats per body"] >= smoke.seats_per_body
    assert data.counts["meetings ahead"] >= 2 * smoke.meetings_ahead
    assert len(data.voter_ids) == smoke.voters
    sessions = bench_data.logins(data, voters=2)
    with scopes_disabled():
        inputs_before = PublicInput.objects.count()

    for endpoint in load.ENDPOINTS.values():
        prepared = load.prepare(endpoint, data, sessions, port=8000)
        # A fresh client with CSRF checks on, as gunicorn would check them.
        response = load.send_in_process(Client(enforce_csrf_checks=True), prepared)
        assert response.status_code == endpoint.expect, (endpoint.name, response.status_code)
        if endpoint.expect == 302:
            assert "/accounts/login/" not in response["Location"], endpoint.name

    with scopes_disabled():
        assert PublicInput.objects.count() == inputs_before + 1
        vote = Vote.objects.get(item_id=data.load_item_pk)
    assert vote.choice == "for"
    # The next turn of the same voter changes the vote: a real upsert.
    vote_post = load.prepare(load.ENDPOINTS["vote POST"], data, sessions, port=8000)
    assert load.send_in_process(Client(enforce_csrf_checks=True), vote_post, variant=2).status_code == 302
    with scopes_disabled():
        assert Vote.objects.get(item_id=data.load_item_pk).choice == "against"


def test_bare_views(bench_urls: None, client: Client, django_user_model) -> None:
    for n in range(3):
        django_user_model.objects.create(username=f"row{n}@example.org")
    page = client.get("/bench/bare-page/")
    assert page.status_code == 200
    assert page.content.count(b"<tr><td>") == 3
    assert client.post("/bench/bare-query/", {"n": "999999"}).content == b"none"


def test_targets_are_checked_against_the_results() -> None:
    fast = load.Result("public project page", requests=900, seconds=10, p50_ms=5, p99_ms=20, errors=0)
    slow = load.Result("vote POST", requests=100, seconds=10, p50_ms=50, p99_ms=150, errors=3)
    checks = {
        label: ok
        for label, ok, _ in load.check_targets(
            {fast.name: fast, slow.name: slow}, {fast.name: 0.9, slow.name: 0.1}
        )
    }
    assert checks["public project page ≥ 50% of bare 50-row page"]
    assert checks["public project page p99 < 50 ms"]
    assert not checks["vote POST ≥ 40% of bare one-query POST"]
    assert not checks["vote POST p99 < 100 ms"]
    assert not checks["no errors"]
