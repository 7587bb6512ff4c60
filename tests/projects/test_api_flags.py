"""REST API of the cadence monitoring: flags of an organisation and of a
project (read by every member, filtered, never another organisation's), and
the caller's own choice of how they hear about flags."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from projects import monitoring
from projects.models import AuditEvent, Flag, FlagKind, OrganisationMember, Role
from tests.conftest import Tenant
from tests.factories import MemberFactory, ProjectFactory
from tests.projects.test_flag_views import NOW, _lapsed_board, make_flag


def flags_url(tenant: Tenant) -> str:
    return f"/api/v1/orgs/{tenant.organisation.slug}/flags/"


def project_flags_url(tenant: Tenant, slug: str | None = None) -> str:
    return f"/api/v1/orgs/{tenant.organisation.slug}/projects/{slug or tenant.project.slug}/flags/"


def notifications_url(tenant: Tenant) -> str:
    return f"/api/v1/orgs/{tenant.organisation.slug}/notifications/"


def titles(response) -> list[str]:
    return [flag["title"] for flag in response.json()["results"]]


# --- Reading flags ------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_gets_401(tenant_a: Tenant, api_as) -> None:
    for url in (flags_url(tenant_a), project_flags_url(tenant_a), notifications_url(tenant_a)):
        assert api_as(None).get(url).status_code == 401
    assert api_as(None).put(notifications_url(tenant_a), {"notifications": "none"}).status_code == 401


@pytest.mark.rule("TENANT-1")
@pytest.mark.django_db
def test_other_organisation_gets_404_and_lists_only_its_own(
    tenant_a: Tenant, tenant_b: Tenant, api_as
) -> None:
    make_flag(tenant_a, title="Riverside flag")
    make_flag(tenant_b, title="Hillview flag")
    api = api_as(tenant_b.admin)
    for url in (flags_url(tenant_a), project_flags_url(tenant_a), notifications_url(tenant_a)):
        assert api.get(url).status_code == 404
    assert api.put(notifications_url(tenant_a), {"notifications": "none"}, format="json").status_code == 404
    with scopes_disabled():
        assert OrganisationMember.objects.filter(notifications="none").count() == 0
    # Same project slug in both organisations: each lists its own.
    assert titles(api.get(flags_url(tenant_b))) == ["Hillview flag"]
    assert titles(api.get(project_flags_url(tenant_b))) == ["Hillview flag"]
    assert titles(api.get(flags_url(tenant_b), {"project": tenant_a.project.slug})) == ["Hillview flag"]


@pytest.mark.rule("BOARD-9")
@pytest.mark.parametrize("role", ["member", "auditor", "facilitator", "admin"])
@pytest.mark.django_db
def test_every_member_reads_every_part_of_a_flag(tenant_a: Tenant, api_as, role: str) -> None:
    flag = make_flag(tenant_a)
    api = api_as(getattr(tenant_a, role))
    for url in (flags_url(tenant_a), project_flags_url(tenant_a)):
        response = api.get(url)
        assert response.status_code == 200
        (data,) = response.json()["results"]
        assert data == {
            "id": flag.pk,
            "project": tenant_a.project.slug,
            "project_title": tenant_a.project.title,
            "kind": "no_recent_meeting",
            "kind_label": "No meeting held within the cadence",
            "rule": "BOARD-9",
            "title": flag.title,
            "details": flag.details,
            "fix": flag.fix,
            "url": flag.url,
            "since": "2026-11-19T09:00:00Z",
            "opened_at": data["opened_at"],
            "resolved_at": None,
            "is_open": True,
        }


@pytest.mark.django_db
def test_flags_are_read_only(tenant_a: Tenant, api_as) -> None:
    make_flag(tenant_a)
    for user in (tenant_a.admin, tenant_a.auditor):
        api = api_as(user)
        for method in ("post", "put", "patch", "delete"):
            assert getattr(api, method)(flags_url(tenant_a), {}, format="json").status_code == 405
            assert getattr(api, method)(project_flags_url(tenant_a), {}, format="json").status_code == 405
    with scopes_disabled():
        assert Flag.objects.filter(resolved_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_filters_by_kind_state_and_project(tenant_a: Tenant, api_as) -> None:
    with scopes_disabled():
        other = ProjectFactory(organisation=tenant_a.organisation, slug="bus-stops")
    make_flag(tenant_a, title="Board has not met")
    make_flag(tenant_a, title="Milestone unreviewed", kind=FlagKind.MILESTONE_UNREVIEWED, rule="GROUP-8")
    make_flag(tenant_a, title="Cleared", resolved=True)
    make_flag(tenant_a, title="Bus stops flag", project=other)
    api = api_as(tenant_a.member)
    assert set(titles(api.get(flags_url(tenant_a)))) == {
        "Board has not met",
        "Milestone unreviewed",
        "Bus stops flag",
    }
    assert titles(api.get(flags_url(tenant_a), {"kind": "milestone_unreviewed"})) == ["Milestone unreviewed"]
    assert titles(api.get(flags_url(tenant_a), {"state": "resolved"})) == ["Cleared"]
    assert len(titles(api.get(flags_url(tenant_a), {"state": "all"}))) == 4
    assert titles(api.get(flags_url(tenant_a), {"project": "bus-stops"})) == ["Bus stops flag"]
    assert titles(api.get(project_flags_url(tenant_a, "bus-stops"))) == ["Bus stops flag"]
    assert titles(api.get(project_flags_url(tenant_a), {"kind": "no_recent_meeting", "state": "all"})) == [
        "Cleared",
        "Board has not met",
    ]


@pytest.mark.parametrize(
    ("url", "query", "field"),
    [
        ("org", {"kind": "nonsense"}, "kind"),
        ("org", {"state": "closed"}, "state"),
        ("org", {"project": "no-such-project"}, "project"),
        ("org", {"project": "not a slug!"}, "project"),
        ("org", {"project": "x" * 500}, "project"),
        ("project", {"kind": "x" * 5000}, "kind"),
        ("project", {"state": "x" * 5000}, "state"),
    ],
)
@pytest.mark.django_db
def test_a_bad_filter_is_a_400_never_a_500(
    tenant_a: Tenant, api_as, url: str, query: dict, field: str
) -> None:
    make_flag(tenant_a)
    target = flags_url(tenant_a) if url == "org" else project_flags_url(tenant_a)
    response = api_as(tenant_a.member).get(target, query)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.django_db
def test_unknown_project_is_404(tenant_a: Tenant, api_as) -> None:
    assert api_as(tenant_a.member).get(project_flags_url(tenant_a, "no-such-project")).status_code == 404


@pytest.mark.django_db
def test_flag_list_query_count_does_not_grow_with_the_flags(tenant_a: Tenant, api_as) -> None:
    with scopes_disabled():
        projects = [ProjectFactory(organisation=tenant_a.organisation, slug=f"p-{n}") for n in range(5)]
    api = api_as(tenant_a.member)

    def count() -> tuple[int, int]:
        sizes = []
        for url in (flags_url(tenant_a), project_flags_url(tenant_a, "p-0")):
            # The caller's role is cached on the user object after the first
            # request of the test: warm it up so both sizes count the same work.
            api.get(url)
            with CaptureQueriesContext(connection) as queries:
                assert api.get(url, {"state": "all"}).status_code == 200
            sizes.append(len(queries))
        return sizes[0], sizes[1]

    for number in range(5):
        make_flag(tenant_a, title=f"Flag {number}", project=projects[number % 5])
    small = count()
    for number in range(5, 50):
        make_flag(tenant_a, title=f"Flag {number}", project=projects[number % 5], resolved=number % 2 == 0)
    assert count() == small


@pytest.mark.rule("GROUP-8")
@pytest.mark.django_db
def test_a_due_unreviewed_milestone_is_listed_as_a_group_8_flag(tenant_a: Tenant, api_as) -> None:
    import datetime

    from projects.models import Milestone

    with scopes_disabled():
        Milestone.objects.create(
            project=tenant_a.project, title="Pilot opens", due_on=datetime.date(2026, 11, 1)
        )
    monitoring.sweep(NOW)
    response = api_as(tenant_a.auditor).get(flags_url(tenant_a), {"kind": "milestone_unreviewed"})
    (flag,) = response.json()["results"]
    assert flag["rule"] == "GROUP-8"
    assert "Pilot opens" in flag["title"]
    assert flag["url"] == f"/o/{tenant_a.organisation.slug}/projects/{tenant_a.project.slug}/milestones/"
    assert flag["fix"]


@pytest.mark.rule("BOARD-9")
@pytest.mark.django_db
def test_a_board_that_has_not_met_is_listed_after_the_sweep(
    tenant_a: Tenant, tenant_b: Tenant, api_as
) -> None:
    _lapsed_board(tenant_a)
    monitoring.sweep(NOW)
    kinds = {
        flag["kind"] for flag in api_as(tenant_a.member).get(project_flags_url(tenant_a)).json()["results"]
    }
    assert kinds == {"no_recent_meeting", "no_meeting_scheduled"}
    assert api_as(tenant_b.member).get(flags_url(tenant_b)).json()["count"] == 0


# --- The caller's notifications ---------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "auditor", "facilitator", "admin"])
@pytest.mark.django_db
def test_each_member_chooses_for_themselves_per_organisation(
    tenant_a: Tenant, tenant_b: Tenant, api_as, role: str
) -> None:
    user = getattr(tenant_a, role)
    with scopes_disabled():
        MemberFactory(organisation=tenant_b.organisation, user=user, role=Role.MEMBER)
    api = api_as(user)
    assert api.get(notifications_url(tenant_a)).json() == {
        "organisation": tenant_a.organisation.slug,
        "role": role,
        "notifications": "every",
    }
    response = api.put(notifications_url(tenant_a), {"notifications": "digest"}, format="json")
    assert response.status_code == 200
    assert response.json()["notifications"] == "digest"
    with scopes_disabled():
        assert (
            OrganisationMember.objects.get(organisation=tenant_a.organisation, user=user).notifications
            == "digest"
        )
        assert (
            OrganisationMember.objects.get(organisation=tenant_b.organisation, user=user).notifications
            == "every"
        )
        # Only the caller's own membership changed.
        assert OrganisationMember.objects.filter(notifications="digest").count() == 1
        assert AuditEvent.objects.filter(
            organisation=tenant_a.organisation, action="projects.member.notifications_changed", actor=user
        ).exists()
    assert api.get(notifications_url(tenant_b)).json()["notifications"] == "every"


@pytest.mark.parametrize(
    "body", [{}, {"notifications": "sometimes"}, {"notifications": None}, {"notifications": "x" * 10_000}, []]
)
@pytest.mark.django_db
def test_a_bad_choice_is_a_400_and_changes_nothing(tenant_a: Tenant, api_as, body) -> None:
    response = api_as(tenant_a.facilitator).put(notifications_url(tenant_a), body, format="json")
    assert response.status_code == 400
    with scopes_disabled():
        assert not OrganisationMember.objects.exclude(notifications="every").exists()


@pytest.mark.django_db
def test_notifications_offer_only_get_and_put(tenant_a: Tenant, api_as) -> None:
    api = api_as(tenant_a.admin)
    assert api.post(notifications_url(tenant_a), {"notifications": "none"}, format="json").status_code == 405
    assert api.delete(notifications_url(tenant_a)).status_code == 405
