"""Query counts of every page and API endpoint of an organisation and its
project do not depend on how much data there is (issue 10: "Query counts of
every list and detail page are asserted and independent of data size").

Every GET route of an organisation, found from the resolver by the tenancy
walker (`tests/urlwalk.py`), is opened at two sizes of the same project: a
few of everything, then `FACTOR` times as much of everything the pages list
(`tests/query_fixtures.py`). The same URLs name the same objects at both
sizes, and those objects grow too (more comments and votes on the item,
more attendance at the meeting, more parties on the dispute ...). A page
whose query count grows with the data runs a query per row: an N+1.

Pages are opened as a facilitator, who sees the most; a page a facilitator
may not open is opened as the admin, then the auditor, then an ordinary
member who holds a seat on both bodies. `<kind>` pages are opened for both
bodies, list pages also with their filters and searches, and a fragment
that redirects a plain request is opened as htmx asks for it.

Routes outside an organisation (logging in, the API's list of the user's
organisations, the API schema) are not walked. Run with `-s` to see the
table of pages and their counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from boards.forms.decisions import kinds_for
from boards.models import Body, Seat
from projects.models import Project
from tests.conftest import Tenant, _make_tenant
from tests.query_fixtures import Named, grow, other_project, prepare
from tests.urlwalk import Route, all_routes, build_objects, fill

# The module's data are built once, outside the tests' own transactions;
# the mark still tells pytest-django to create the test database.
pytestmark = pytest.mark.django_db

# Units of everything at the small size, and how many times as much the
# large size has.
SMALL_UNITS = 2
FACTOR = 4

# Who opens a page: the first of these it does not refuse (403).
ROLES = ("facilitator", "admin", "auditor", "member")

# The only routes whose query count may differ between the two sizes, and
# why: their count follows the number of projects, not the size of any
# project, and that is checked too (see
# `test_organisation_summaries_cost_the_same_for_every_project`).
PER_PROJECT: dict[str, str] = {
    name: (
        "The organisation's compliance summary makes the report of each of its "
        "projects that no reader has made since the last audited change "
        "(`reports.summary`, measured here with nothing made yet): a fixed number "
        "of queries per project, however large the project, so the count follows "
        "the number of projects. Read again, it costs the same few queries for any "
        "number (tests/reports/test_shared_report.py)."
    )
    for name in (
        "reports:organisation_report",
        "reports:organisation_report_csv",
        "api-organisation-compliance",
    )
}

# Answers that are pages to measure: 200, a redirect (the measured request
# still ran the view's look-ups), and 409, the page that explains a refusal
# (nobody deletes an agenda item: its delete route always answers with that
# page, BOARD-5, BOARD-8). 405 is a POST-only action: not a page.
MEASURED = {200, 302, 409}
NOT_A_PAGE = {405}


@dataclass(frozen=True)
class Where:
    """What a filter of a page may name: the project, the body of the page
    (`board` or `overview`), a seat of that body and the kinds of item it
    is offered."""

    project: Project
    body: str
    seat: int
    kinds: list[str]


# The query strings a page is also opened with, besides none: its filters
# and searches, each of which takes another path through the view.
VARIANTS: dict[str, Callable[[Where], list[str]]] = {
    "stakeholders:person_list": lambda w: ["?q=holder"],
    "boards:seat_add": lambda w: ["?q=holder"],
    "boards:item_create": lambda w: [f"?kind={kind}" for kind in w.kinds],
    "projects:audit_log": lambda w: [f"?project={w.project.slug}&action=boards.vote.cast"],
    "projects:flag_list": lambda w: ["?state=all", f"?state=resolved&project={w.project.slug}"],
    "projects:project_flags": lambda w: ["?state=all"],
    "participation:input_list": lambda w: ["?status=answered", "?channel=phone"],
    "disputes:dispute_list": lambda w: [f"?body={w.body}&status=open"],
    "reports:report": lambda w: ["?as_of=2025-06-01"],
    "reports:evidence": lambda w: [f"?kind=seat&id={w.seat}"],
    "api-compliance-report": lambda w: ["?as_of=2025-06-01"],
}


def _queries(route: Route, tenant: Tenant, body: str) -> list[str]:
    variants = VARIANTS.get(route.qualified_name)
    if variants is None:
        return [""]
    with scopes_disabled():
        seat = Seat.objects.filter(body__project=tenant.project, body__kind=body).order_by("pk").first()
        kinds = [kind for kind, _label in kinds_for(Body.objects.get(project=tenant.project, kind=body))]
    return ["", *variants(Where(project=tenant.project, body=body, seat=seat.pk, kinds=kinds))]


@dataclass
class Measurement:
    route: Route
    path: str
    role: str
    status: int
    small: int
    headers: dict[str, str] = field(default_factory=dict)
    large: int = -1
    large_status: int = 0

    @property
    def label(self) -> str:
        body = " overview" if "/bodies/overview/" in self.path else ""
        query = self.path.partition("?")[2]
        htmx = " htmx" if self.headers else ""
        return f"{self.route.qualified_name}{body}{htmx}" + (f" ?{query}" if query else "")


def _paths(route: Route, tenant: Tenant, named: Named) -> Iterator[str]:
    bodies = [("board", named.board)] + ([("overview", named.overview)] if "kind" in route.params else [])
    for body, objects in bodies:
        path = fill(route, tenant, objects).replace("/bodies/board/", f"/bodies/{body}/", 1)
        for query in _queries(route, tenant, body):
            yield path + query


def _get(client: Client, path: str, headers: dict[str, str]) -> tuple[int, int]:
    """The status of a GET and the queries it ran, streamed bodies included
    (a file download may query while it streams)."""
    cache.clear()  # the public project page is cached: measure its render
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, headers=headers)
        if response.streaming:
            b"".join(response.streaming_content)
    return response.status_code, len(queries)


def _clients(tenant: Tenant) -> dict[str, tuple[Client, APIClient]]:
    clients = {}
    for role in ROLES:
        user = getattr(tenant, role)
        # A page that breaks answers 500 and is listed by the test of the
        # answers, rather than ending the walk.
        ui = Client(raise_request_exception=False)
        ui.force_login(user)
        api = APIClient(raise_request_exception=False)
        api.force_authenticate(user)
        clients[role] = (ui, api)
    return clients


def _measure(client: Client, path: str, headers: dict[str, str]) -> tuple[int, int]:
    _get(client, path, headers)  # warm the per-process caches (content types, templates)
    return _get(client, path, headers)


def _open(
    clients: dict[str, tuple[Client, APIClient]], route: Route, path: str
) -> tuple[str, Client, int, int]:
    """Open the page as the first role it does not refuse: (role, client,
    status, queries)."""
    for role, (ui, api) in clients.items():
        client = api if route.is_api else ui
        status, queries = _measure(client, path, {})
        if status != 403 or role == ROLES[-1]:
            return role, client, status, queries
    raise AssertionError("no roles")


def _measure_small(tenant: Tenant, named: Named) -> list[Measurement]:
    clients = _clients(tenant)
    found: list[Measurement] = []
    for route in all_routes():
        if not route.is_tenant:
            continue
        for path in _paths(route, tenant, named):
            role, client, status, queries = _open(clients, route, path)
            headers: dict[str, str] = {}
            if status == 302 and not route.is_api:
                # A fragment the page loads with htmx sends a plain request
                # to the full page: measure the fragment itself.
                hx_status, hx_queries = _measure(client, path, {"HX-Request": "true"})
                if hx_status == 200:
                    status, queries, headers = hx_status, hx_queries, {"HX-Request": "true"}
            found.append(
                Measurement(route=route, path=path, role=role, status=status, small=queries, headers=headers)
            )
    return found


@dataclass
class Walk:
    pages: list[Measurement]
    small_rows: Counter[str]
    added_rows: Counter[str]
    # The PER_PROJECT routes' count once more, after one more project.
    one_more_project: dict[str, int]


@pytest.fixture(scope="module")
def walk(django_db_setup, django_db_blocker) -> Iterator[Walk]:
    """Every page measured at both sizes, and the rows made for each size.
    Built once for the module, in a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        tenant = _make_tenant("riverside", "Riverside Council")
        named = prepare(tenant, build_objects(tenant))
        small_rows = grow(tenant, named, start=0, units=SMALL_UNITS)
        pages = _measure_small(tenant, named)
        added = grow(tenant, named, start=SMALL_UNITS, units=SMALL_UNITS * (FACTOR - 1))
        clients = _clients(tenant)

        def again(page: Measurement) -> tuple[int, int]:
            ui, api = clients[page.role]
            return _get(api if page.route.is_api else ui, page.path, page.headers)

        for page in pages:
            page.large_status, page.large = again(page)
        other_project(tenant, 10_000, Counter())
        one_more = {page.path: again(page)[1] for page in pages if page.route.qualified_name in PER_PROJECT}
        transaction.set_rollback(True)
        yield Walk(pages=pages, small_rows=small_rows, added_rows=added, one_more_project=one_more)


def _table(pages: list[Measurement]) -> str:
    width = max(len(page.label) for page in pages)
    lines = [f"{'page'.ljust(width)}  {'as':<11}  status  small  large"]
    for page in sorted(pages, key=lambda p: p.label):
        mark = "" if page.small == page.large else "  (grows)"
        lines.append(
            f"{page.label.ljust(width)}  {page.role:<11}  {page.status:>6}  {page.small:>5}  {page.large:>5}{mark}"
        )
    return "\n".join(lines)


def test_the_large_size_has_more_of_everything(walk: Walk) -> None:
    """Guards the premise: the large size added at least FACTOR - 1 times
    the small size's rows of every kind (more for rows that pair two kinds,
    like attendance of seats at meetings), so an N+1 anywhere would show."""
    assert set(walk.small_rows) == set(walk.added_rows)
    for model, count in walk.small_rows.items():
        assert count > 0, model
        assert walk.added_rows[model] >= count * (FACTOR - 1), model


def test_every_get_route_of_the_organisation_answers(walk: Walk) -> None:
    """The walk measured what it meant to: every GET route answers someone
    allowed to open it with a page (or 405 for a POST-only action), the same
    at both sizes. A 403, 404 or 500 means the walk named the wrong object
    or the page broke, and would hide an N+1."""
    assert sum(1 for page in walk.pages if page.status == 200 and page.route.is_api) > 40
    assert sum(1 for page in walk.pages if page.status == 200 and not page.route.is_api) > 80
    broken = [
        f"{page.path} ({page.label}, as {page.role}) -> {page.status}, then {page.large_status}"
        for page in walk.pages
        if page.status not in MEASURED | NOT_A_PAGE or page.large_status != page.status
    ]
    assert not broken, "\n".join(broken)
    walked = {page.route.qualified_name for page in walk.pages}
    assert set(VARIANTS) <= walked, f"VARIANTS names routes that no longer exist: {set(VARIANTS) - walked}"


@pytest.mark.parametrize("api", [False, True], ids=["pages", "api"])
def test_query_counts_do_not_grow_with_the_data(walk: Walk, api: bool) -> None:
    pages = [page for page in walk.pages if page.route.is_api == api and page.status in MEASURED]
    print(
        f"\n{'API endpoints' if api else 'Pages'}: queries with a few rows (small) and {FACTOR} times as many"
    )
    print(_table(pages))
    grows = [
        f"{page.label} {page.path}: {page.small} queries with a few rows, {page.large} with {FACTOR} times as many"
        for page in pages
        if page.small != page.large and page.route.qualified_name not in PER_PROJECT
    ]
    assert not grows, "Query count depends on the data (an N+1):\n" + "\n".join(grows)


def test_organisation_summaries_cost_the_same_for_every_project(walk: Walk) -> None:
    """The PER_PROJECT exception, held to what it claims: the growth between
    the sizes is exactly the cost of one more project times the projects
    added, so none of it comes from the size of a project."""
    pages = [page for page in walk.pages if page.route.qualified_name in PER_PROJECT]
    assert {page.route.qualified_name for page in pages} == set(PER_PROJECT)
    for page in pages:
        per_project = walk.one_more_project[page.path] - page.large
        assert per_project > 0, page.label
        assert page.large - page.small == per_project * walk.added_rows["Project"], (
            f"{page.label}: {page.small} -> {page.large} queries for {walk.added_rows['Project']} more "
            f"projects at {per_project} each"
        )
