"""Browser pages of the cadence monitoring: the flags of an organisation and
of a project, their summary on the dashboard and the project page, and each
member's choice of how they hear about flags. Also the whole path from the
sweep to the email, which must link to the project's flag page and reach
only people of the flag's own organisation."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django_scopes import scopes_disabled

from boards.models import Body, BodyStatus
from projects import monitoring
from projects.models import AuditEvent, Flag, FlagKind, OrganisationMember, Project, Role
from tests.conftest import Tenant
from tests.factories import MemberFactory, ProjectFactory, UserFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
NOW = timezone.make_aware(datetime.datetime(2026, 11, 30, 9, 0))


def org_url(name: str, tenant: Tenant, **kwargs) -> str:
    return reverse(f"projects:{name}", kwargs={"org": tenant.organisation.slug, **kwargs})


def project_url(name: str, tenant: Tenant, project: Project | None = None) -> str:
    return org_url(name, tenant, project=(project or tenant.project).slug)


def make_flag(
    tenant: Tenant,
    *,
    title: str = "The Project Board has not met for 60 days",
    kind: str = FlagKind.NO_RECENT_MEETING,
    rule: str = "BOARD-9",
    project: Project | None = None,
    resolved: bool = False,
    key: str | None = None,
    url: str = "",
) -> Flag:
    project = project or tenant.project
    with scopes_disabled():
        return Flag.objects.create(
            organisation=tenant.organisation,
            project=project,
            kind=kind,
            rule=rule,
            key=key or f"test:{title}:{Flag.objects.count()}",
            title=title,
            details="It should meet at least every 42 days (plus 7 days' grace).",
            fix="Hold a meeting and record it as held.",
            url=url
            or reverse(
                "boards:body_detail",
                kwargs={"org": tenant.organisation.slug, "project": project.slug, "kind": "board"},
            ),
            since=NOW - datetime.timedelta(days=11),
            resolved_at=NOW if resolved else None,
        )


# --- Who reads the flag pages ----------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_is_sent_to_log_in(tenant_a: Tenant, client) -> None:
    for url in (
        org_url("flag_list", tenant_a),
        project_url("project_flags", tenant_a),
        org_url("notification_settings", tenant_a),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


@pytest.mark.rule("TENANT-1")
@pytest.mark.django_db
def test_other_organisation_gets_404_and_never_sees_flags(
    tenant_a: Tenant, tenant_b: Tenant, client_as
) -> None:
    make_flag(tenant_a, title="Riverside board has not met")
    make_flag(tenant_b, title="Hillview board has not met")
    client = client_as(tenant_b.admin)
    for url in (
        org_url("flag_list", tenant_a),
        project_url("project_flags", tenant_a),
        org_url("flag_summary", tenant_a),
        org_url("notification_settings", tenant_a),
    ):
        assert client.get(url, **HTMX).status_code == 404
    # B's pages list B's flags only, although both projects share the slug.
    for url in (org_url("flag_list", tenant_b), project_url("project_flags", tenant_b)):
        page = client.get(url).content.decode()
        assert "Hillview board has not met" in page
        assert "Riverside board has not met" not in page
    summary = client.get(org_url("flag_summary", tenant_b), **HTMX).content.decode()
    assert "Hillview board has not met" in summary
    assert "Riverside board has not met" not in summary


@pytest.mark.rule("BOARD-9")
@pytest.mark.parametrize("role", ["member", "auditor", "facilitator", "admin"])
@pytest.mark.django_db
def test_everyone_in_the_organisation_reads_every_part_of_a_flag(
    tenant_a: Tenant, client_as, role: str
) -> None:
    flag = make_flag(tenant_a)
    client = client_as(getattr(tenant_a, role))
    for url in (org_url("flag_list", tenant_a), project_url("project_flags", tenant_a)):
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert flag.title in page
        assert "No meeting held within the cadence" in page  # the kind's label
        assert "BOARD-9" in page
        assert "since 19 Nov 2026" in page
        assert escape(flag.details) in page
        assert "What would clear it:" in page and escape(flag.fix) in page
        assert f'href="{flag.url}"' in page
        assert "Open" in page


@pytest.mark.django_db
def test_auditors_and_members_cannot_post_to_flag_pages(tenant_a: Tenant, client_as) -> None:
    make_flag(tenant_a)
    for user in (tenant_a.auditor, tenant_a.member, tenant_a.admin):
        client = client_as(user)
        assert client.post(org_url("flag_list", tenant_a)).status_code == 405
        assert client.post(project_url("project_flags", tenant_a)).status_code == 405
    with scopes_disabled():
        assert Flag.objects.filter(resolved_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_a_stored_link_off_the_site_is_not_rendered(tenant_a: Tenant, client_as) -> None:
    make_flag(tenant_a, title="Odd link", url="javascript:alert(1)")
    make_flag(tenant_a, title="Other site", url="//evil.example.org/")
    page = client_as(tenant_a.member).get(org_url("flag_list", tenant_a)).content.decode()
    assert "Odd link" in page and "Other site" in page
    assert "javascript:" not in page
    assert "evil.example.org" not in page


# --- Filters -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_filter_by_kind_works_without_javascript(tenant_a: Tenant, client_as) -> None:
    make_flag(tenant_a, title="Board has not met")
    make_flag(
        tenant_a, title="Pilot opens is due unreviewed", kind=FlagKind.MILESTONE_UNREVIEWED, rule="GROUP-8"
    )
    client = client_as(tenant_a.member)
    page = client.get(org_url("flag_list", tenant_a), {"kind": "milestone_unreviewed"}).content.decode()
    assert "Pilot opens is due unreviewed" in page
    assert "Board has not met" not in page
    # The select keeps the chosen kind, so the page says what it shows.
    assert re.search(r'<option value="milestone_unreviewed" selected>', page)
    page = client.get(org_url("flag_list", tenant_a)).content.decode()
    assert "Pilot opens is due unreviewed" in page and "Board has not met" in page


@pytest.mark.django_db
def test_filter_by_state_shows_resolved_flags_only_when_asked(tenant_a: Tenant, client_as) -> None:
    make_flag(tenant_a, title="Still open")
    make_flag(tenant_a, title="Cleared last week", resolved=True)
    client = client_as(tenant_a.member)
    page = client.get(org_url("flag_list", tenant_a)).content.decode()
    assert "Still open" in page and "Cleared last week" not in page
    page = client.get(org_url("flag_list", tenant_a), {"state": "resolved"}).content.decode()
    assert "Cleared last week" in page and "Still open" not in page
    assert "Resolved 30 Nov 2026" in page
    page = client.get(project_url("project_flags", tenant_a), {"state": "all"}).content.decode()
    assert "Cleared last week" in page and "Still open" in page


@pytest.mark.django_db
def test_filter_by_project_on_the_organisation_page(tenant_a: Tenant, client_as) -> None:
    with scopes_disabled():
        other = ProjectFactory(organisation=tenant_a.organisation, title="Bus stops", slug="bus-stops")
    make_flag(tenant_a, title="Day service flag")
    make_flag(tenant_a, title="Bus stops flag", project=other)
    client = client_as(tenant_a.member)
    page = client.get(org_url("flag_list", tenant_a), {"project": "bus-stops"}).content.decode()
    assert "Bus stops flag" in page and "Day service flag" not in page
    page = client.get(project_url("project_flags", tenant_a, other)).content.decode()
    assert "Bus stops flag" in page and "Day service flag" not in page


@pytest.mark.parametrize(
    "query",
    [{"kind": "nonsense"}, {"state": "closed"}, {"project": "no-such-project"}, {"kind": "x" * 5000}],
)
@pytest.mark.django_db
def test_a_bad_filter_is_a_400_with_the_reason_never_a_500(tenant_a: Tenant, client_as, query: dict) -> None:
    make_flag(tenant_a, title="Hidden by a bad filter")
    response = client_as(tenant_a.member).get(org_url("flag_list", tenant_a), query)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Hidden by a bad filter" not in page


@pytest.mark.django_db
def test_htmx_filter_swaps_only_the_results(tenant_a: Tenant, client_as) -> None:
    make_flag(tenant_a, title="Board has not met")
    response = client_as(tenant_a.member).get(
        org_url("flag_list", tenant_a), {"kind": "item_overdue"}, **HTMX
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="flag-results"')
    assert "<html" not in page
    assert "Board has not met" not in page
    assert "0 open flags" in page


@pytest.mark.django_db
def test_flag_list_query_count_does_not_grow_with_the_flags(tenant_a: Tenant, client_as) -> None:
    with scopes_disabled():
        projects = [
            ProjectFactory(organisation=tenant_a.organisation, slug=f"p-{number}") for number in range(5)
        ]
    client = client_as(tenant_a.member)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    for number in range(5):
        make_flag(tenant_a, title=f"Flag {number}", project=projects[number % 5])
    small = (
        count(org_url("flag_list", tenant_a)),
        count(project_url("project_flags", tenant_a, projects[0])),
    )
    for number in range(5, 50):
        make_flag(tenant_a, title=f"Flag {number}", project=projects[number % 5])
    large = (
        count(org_url("flag_list", tenant_a)),
        count(project_url("project_flags", tenant_a, projects[0])),
    )
    assert small == large


# --- Summary on the dashboard and the project page ----------------------------------------


@pytest.mark.django_db
def test_dashboard_and_project_page_load_the_flag_summary(tenant_a: Tenant, client_as) -> None:
    for number in range(7):
        make_flag(tenant_a, title=f"Summary flag {number}")
    client = client_as(tenant_a.member)
    dashboard = client.get(reverse("projects:dashboard", kwargs={"org": tenant_a.organisation.slug}))
    assert f'hx-get="{org_url("flag_summary", tenant_a)}"' in dashboard.content.decode()
    # Without JavaScript the section still links to the flags.
    assert f'href="{org_url("flag_list", tenant_a)}"' in dashboard.content.decode()
    detail = client.get(project_url("project_detail", tenant_a)).content.decode()
    assert f'hx-get="{project_url("project_flag_summary", tenant_a)}"' in detail

    summary = client.get(org_url("flag_summary", tenant_a), **HTMX).content.decode()
    assert "7 open flags" in summary
    assert len(re.findall(r"Summary flag \d", summary)) == 5
    assert org_url("flag_list", tenant_a) in summary
    summary = client.get(project_url("project_flag_summary", tenant_a), **HTMX).content.decode()
    assert "7 open flags" in summary
    assert project_url("project_flags", tenant_a) in summary
    # Opened directly, the fragment sends the person to the full page.
    response = client.get(org_url("flag_summary", tenant_a))
    assert response.status_code == 302 and response["Location"] == org_url("flag_list", tenant_a)


@pytest.mark.django_db
def test_project_flag_page_shows_the_thresholds(tenant_a: Tenant, client_as) -> None:
    with scopes_disabled():
        Project.objects.filter(pk=tenant_a.project.pk).update(carry_over_limit=4)
    page = client_as(tenant_a.member).get(project_url("project_flags", tenant_a)).content.decode()
    assert "Held meetings an item may be carried over before it is flagged." in page
    assert "<dd>4</dd>" in page


# --- How a member hears about flags ---------------------------------------------------------


def _membership(tenant: Tenant, user) -> OrganisationMember:
    with scopes_disabled():
        return OrganisationMember.objects.get(organisation=tenant.organisation, user=user)


@pytest.mark.parametrize("role", ["member", "auditor", "facilitator", "admin"])
@pytest.mark.django_db
def test_member_chooses_notifications_per_organisation(
    tenant_a: Tenant, tenant_b: Tenant, client_as, role: str
) -> None:
    user = getattr(tenant_a, role)
    with scopes_disabled():
        MemberFactory(organisation=tenant_b.organisation, user=user, role=Role.FACILITATOR)
    client = client_as(user)
    response = client.get(org_url("notification_settings", tenant_a))
    assert response.status_code == 200
    assert re.search(r'value="every"[^>]*checked', response.content.decode())
    response = client.post(org_url("notification_settings", tenant_a), {"notifications": "digest"})
    assert response.status_code == 302
    assert _membership(tenant_a, user).notifications == "digest"
    # Another organisation's choice is its own.
    assert _membership(tenant_b, user).notifications == "every"
    with scopes_disabled():
        event = AuditEvent.objects.get(
            organisation=tenant_a.organisation, action="projects.member.notifications_changed"
        )
    assert event.actor == user and event.data == {"notifications": ["every", "digest"]}
    page = client.get(org_url("notification_settings", tenant_a)).content.decode()
    assert re.search(r'value="digest"[^>]*checked', page)


@pytest.mark.parametrize("value", ["", "sometimes", "x" * 5000])
@pytest.mark.django_db
def test_a_bad_notification_choice_is_a_400_and_changes_nothing(
    tenant_a: Tenant, client_as, value: str
) -> None:
    client = client_as(tenant_a.facilitator)
    response = client.post(org_url("notification_settings", tenant_a), {"notifications": value})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert _membership(tenant_a, tenant_a.facilitator).notifications == "every"


# --- From the sweep to the pages and the emails -------------------------------------------


def _lapsed_board(tenant: Tenant, days: int = 100) -> Body:
    """An active Project Board that has never met since it became active `days` ago."""
    with scopes_disabled():
        board = Body.objects.get(project=tenant.project, kind="board")
        board.status = BodyStatus.ACTIVE
        board.status_since = NOW - datetime.timedelta(days=days)
        board.save(update_fields=["status", "status_since"])
        return board


@pytest.mark.rule("BOARD-9")
@pytest.mark.django_db
def test_a_board_that_has_not_met_is_flagged_on_the_pages(tenant_a: Tenant, client_as) -> None:
    _lapsed_board(tenant_a)
    result = monitoring.sweep(NOW)
    assert result.raised >= 2
    client = client_as(tenant_a.member)
    page = client.get(project_url("project_flags", tenant_a)).content.decode()
    assert "The Project Board has not met for 100 days" in page
    assert "The Project Board has no meeting scheduled" in page
    assert "BOARD-9" in page
    body_url = reverse(
        "boards:body_detail",
        kwargs={"org": tenant_a.organisation.slug, "project": tenant_a.project.slug, "kind": "board"},
    )
    assert f'href="{body_url}"' in page
    page = client.get(org_url("flag_list", tenant_a), {"kind": "no_recent_meeting"}).content.decode()
    assert "has not met for 100 days" in page and "no meeting scheduled" not in page


@pytest.mark.rule("TENANT-1")
@pytest.mark.rule("BOARD-9")
@pytest.mark.django_db
def test_sweep_then_emails_link_to_the_flag_page_and_reach_only_that_organisation(
    tenant_a: Tenant, tenant_b: Tenant, settings
) -> None:
    _lapsed_board(tenant_a)
    with scopes_disabled():
        # Same email domain as organisation A, but a facilitator of B only.
        lookalike = UserFactory(username="lookalike@riverside.example.org")
        MemberFactory(organisation=tenant_b.organisation, user=lookalike, role=Role.FACILITATOR)
        # A chooses: the admin wants no emails, the facilitator every one.
        OrganisationMember.objects.filter(organisation=tenant_a.organisation, user=tenant_a.admin).update(
            notifications="none"
        )
    monitoring.sweep(NOW)
    sent = monitoring.notify_new_flags(NOW)
    assert sent == len(mail.outbox) >= 2
    flag_page = reverse(
        "projects:project_flags", kwargs={"org": tenant_a.organisation.slug, "project": tenant_a.project.slug}
    )
    recipients = {address for message in mail.outbox for address in message.to}
    assert recipients == {tenant_a.facilitator.email}
    for message in mail.outbox:
        assert settings.SITE_URL + flag_page in message.body
        assert tenant_b.organisation.slug not in message.body
        assert "What would clear it:" in message.body
    assert lookalike.email not in recipients
    assert tenant_b.facilitator.email not in recipients and tenant_b.admin.email not in recipients
    # Nobody is emailed twice about the same flags.
    assert monitoring.notify_new_flags(NOW) == 0
