"""Browser pages of the Overview Group's milestone reviews (GROUP-8): the
milestones page leads to each milestone's reviews; facilitators record a
review at a held group meeting and mark the milestone complete, which is
refused with the rule ID until the group has reviewed it. The milestone flag
of the cadence checks follows the reviews."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from overview.models import MilestoneReview
from projects import monitoring
from projects.models import AuditEvent, Flag, Milestone
from tests.conftest import Tenant
from tests.overview.conftest import Setting, setting_for

pytestmark = pytest.mark.django_db


def url(name: str, tenant: Tenant, pk: int, project: str | None = None) -> str:
    return reverse(
        f"overview:{name}",
        kwargs={"org": tenant.organisation.slug, "project": project or tenant.project.slug, "pk": pk},
    )


def stored(milestone: Milestone) -> Milestone:
    with scopes_disabled():
        return Milestone.objects.get(pk=milestone.pk)


def review_count() -> int:
    with scopes_disabled():
        return MilestoneReview.objects.count()


def test_milestones_page_links_to_each_milestones_reviews(
    tenant_a: Tenant, setting: Setting, client_as
) -> None:
    milestones = reverse(
        "projects:milestone_list",
        kwargs={"org": tenant_a.organisation.slug, "project": tenant_a.project.slug},
    )
    for user, wording in (
        (tenant_a.facilitator, "Record a review or mark complete"),
        (tenant_a.member, "See the reviews"),
    ):
        page = client_as(user).get(milestones).content.decode()
        assert f'href="{url("milestone_review", tenant_a, setting.milestone.pk)}"' in page
        assert wording in page


@pytest.mark.rule("GROUP-8")
def test_facilitator_records_a_review_then_completes(tenant_a: Tenant, setting: Setting, client_as) -> None:
    client = client_as(tenant_a.facilitator)
    page = client.get(url("milestone_review", tenant_a, setting.milestone.pk)).content.decode()
    assert "The Overview Group has not reviewed this milestone yet." in page
    # Only held meetings of the group are offered.
    assert f'<option value="{setting.held.pk}">6 October 2026 – Riverside library</option>' in page
    assert f'value="{setting.scheduled.pk}"' not in page
    assert f'value="{setting.board_meeting.pk}"' not in page

    response = client.post(
        url("milestone_review", tenant_a, setting.milestone.pk),
        {"meeting": setting.held.pk, "summary": "Reached; the group asks for easy-read signs."},
    )
    assert response.status_code == 302
    assert review_count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "Reached; the group asks for easy-read signs." in page
    assert "At the meeting of 6 October 2026" in page

    response = client.post(
        url("milestone_complete", tenant_a, setting.milestone.pk), {"completed_on": "2026-11-02"}
    )
    assert response.status_code == 302
    assert stored(setting.milestone).completed_on == datetime.date(2026, 11, 2)
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="overview.milestone.completed", rule="GROUP-8").count() == 1


@pytest.mark.rule("GROUP-8")
def test_completion_without_a_review_shows_group_8_and_changes_nothing(
    tenant_a: Tenant, setting: Setting, client_as
) -> None:
    response = client_as(tenant_a.facilitator).post(
        url("milestone_complete", tenant_a, setting.milestone.pk), {}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "GROUP-8: The Overview Group has not reviewed this milestone yet" in page
    assert stored(setting.milestone).completed_on is None
    with scopes_disabled():
        (event,) = AuditEvent.objects.filter(action="refused.overview.milestone_complete")
    assert event.rule == "GROUP-8" and event.actor == tenant_a.facilitator


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"meeting": "SCHEDULED", "summary": "Fine"},
        {"meeting": "BOARD", "summary": "Fine"},
        {"meeting": "abc", "summary": "Fine"},
        {"meeting": "99999999999999999999", "summary": "Fine"},
        {"meeting": "HELD", "summary": ""},
        {"meeting": "HELD", "summary": "x" * 10_001},
    ],
)
def test_a_bad_review_is_a_400_that_keeps_what_was_typed(
    tenant_a: Tenant, setting: Setting, client_as, data: dict
) -> None:
    ids = {"HELD": setting.held.pk, "SCHEDULED": setting.scheduled.pk, "BOARD": setting.board_meeting.pk}
    data = {key: ids.get(value, value) for key, value in data.items()}
    response = client_as(tenant_a.facilitator).post(
        url("milestone_review", tenant_a, setting.milestone.pk), data
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    if data.get("summary") == "Fine":
        assert re.search(r">\s*Fine</textarea>", page)
    assert review_count() == 0


@pytest.mark.rule("TENANT-1")
def test_a_meeting_of_another_organisation_is_not_a_choice(
    tenant_a: Tenant, tenant_b: Tenant, setting: Setting, client_as
) -> None:
    elsewhere = setting_for(tenant_b)
    response = client_as(tenant_a.facilitator).post(
        url("milestone_review", tenant_a, setting.milestone.pk),
        {"meeting": elsewhere.held.pk, "summary": "Fine"},
    )
    assert response.status_code == 400
    assert "Choose a held meeting of this project" in response.content.decode()
    assert review_count() == 0


def test_completing_in_the_future_is_a_400(tenant_a: Tenant, setting: Setting, client_as) -> None:
    client = client_as(tenant_a.facilitator)
    client.post(
        url("milestone_review", tenant_a, setting.milestone.pk), {"meeting": setting.held.pk, "summary": "Ok"}
    )
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    for day in (future, "31/02/2026"):
        response = client.post(
            url("milestone_complete", tenant_a, setting.milestone.pk), {"completed_on": day}
        )
        assert response.status_code == 400
        assert stored(setting.milestone).completed_on is None


@pytest.mark.rule("GROUP-8")
@pytest.mark.parametrize("role", ["member", "auditor"])
def test_members_and_auditors_read_the_reviews_but_change_nothing(
    tenant_a: Tenant, setting: Setting, client_as, role: str
) -> None:
    client = client_as(tenant_a.facilitator)
    client.post(
        url("milestone_review", tenant_a, setting.milestone.pk), {"meeting": setting.held.pk, "summary": "Ok"}
    )
    client = client_as(getattr(tenant_a, role))
    response = client.get(url("milestone_review", tenant_a, setting.milestone.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Record a review" not in page and "Mark the milestone complete" not in page
    assert (
        client.post(
            url("milestone_review", tenant_a, setting.milestone.pk),
            {"meeting": setting.held.pk, "summary": "Again"},
        ).status_code
        == 403
    )
    assert client.post(url("milestone_complete", tenant_a, setting.milestone.pk), {}).status_code == 403
    assert review_count() == 1
    assert stored(setting.milestone).completed_on is None


def test_completion_is_a_post(tenant_a: Tenant, setting: Setting, client_as) -> None:
    assert (
        client_as(tenant_a.facilitator)
        .get(url("milestone_complete", tenant_a, setting.milestone.pk))
        .status_code
        == 405
    )


@pytest.mark.rule("TENANT-1")
def test_other_organisation_and_other_project_are_404(
    tenant_a: Tenant, tenant_b: Tenant, setting: Setting, client_as
) -> None:
    outsider = client_as(tenant_b.admin)
    for name in ("milestone_review", "milestone_complete"):
        assert outsider.get(url(name, tenant_a, setting.milestone.pk)).status_code == 404
        assert outsider.post(url(name, tenant_a, setting.milestone.pk), {}).status_code == 404
        # A's milestone under B's organisation, whose project has the same slug.
        assert outsider.post(url(name, tenant_b, setting.milestone.pk), {}).status_code == 404
    assert stored(setting.milestone).completed_on is None


def test_anonymous_is_sent_to_log_in(tenant_a: Tenant, setting: Setting, client) -> None:
    response = client.get(url("milestone_review", tenant_a, setting.milestone.pk))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.rule("GROUP-8")
def test_a_due_milestone_is_flagged_until_the_group_reviews_it(
    tenant_a: Tenant, setting: Setting, client_as
) -> None:
    now = timezone.make_aware(datetime.datetime(2026, 11, 30, 9, 0))
    monitoring.sweep(now)
    with scopes_disabled():
        flag = Flag.objects.get(kind="milestone_unreviewed")
    assert flag.rule == "GROUP-8" and flag.resolved_at is None
    client = client_as(tenant_a.facilitator)
    flags_page = reverse(
        "projects:project_flags", kwargs={"org": tenant_a.organisation.slug, "project": tenant_a.project.slug}
    )
    assert "Milestone “Pilot opens” is due" in client.get(flags_page).content.decode()

    client.post(
        url("milestone_review", tenant_a, setting.milestone.pk), {"meeting": setting.held.pk, "summary": "Ok"}
    )
    result = monitoring.sweep(now)
    assert result.resolved == 1
    with scopes_disabled():
        flag.refresh_from_db()
    assert flag.resolved_at == now
    assert "Milestone “Pilot opens” is due" not in client.get(flags_page).content.decode()
    assert "Milestone “Pilot opens” is due" in client.get(flags_page, {"state": "resolved"}).content.decode()
