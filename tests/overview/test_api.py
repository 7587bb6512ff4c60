"""REST API of the Overview Group's milestone reviews (GROUP-8): the group
reviews every milestone at a held meeting before it can be marked complete."""

from __future__ import annotations

import datetime

import pytest
from django_scopes import scopes_disabled

from overview.models import MilestoneReview
from projects.models import AuditEvent, Milestone
from tests.conftest import Tenant
from tests.overview.conftest import HELD_ON, Setting, setting_for

pytestmark = pytest.mark.django_db


def reviews_url(tenant: Tenant, pk: int, project: str | None = None) -> str:
    slug = project or tenant.project.slug
    return f"/api/v1/orgs/{tenant.organisation.slug}/projects/{slug}/milestones/{pk}/reviews/"


def complete_url(tenant: Tenant, pk: int, project: str | None = None) -> str:
    slug = project or tenant.project.slug
    return f"/api/v1/orgs/{tenant.organisation.slug}/projects/{slug}/milestones/{pk}/complete/"


def stored(milestone: Milestone) -> Milestone:
    with scopes_disabled():
        return Milestone.objects.get(pk=milestone.pk)


def review_count() -> int:
    with scopes_disabled():
        return MilestoneReview.objects.count()


def refusals(tenant: Tenant) -> list[AuditEvent]:
    with scopes_disabled():
        return list(
            AuditEvent.objects.filter(
                organisation=tenant.organisation, action="refused.overview.milestone_complete"
            )
        )


# --- GROUP-8: no completion without a review -------------------------------------------------


@pytest.mark.rule("GROUP-8")
def test_completion_without_a_review_is_refused_409_logged_and_changes_nothing(
    tenant_a: Tenant, setting: Setting, api_as
) -> None:
    response = api_as(tenant_a.facilitator).post(
        complete_url(tenant_a, setting.milestone.pk), {}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["rule"] == "GROUP-8"
    assert "not reviewed" in body["detail"]
    assert stored(setting.milestone).completed_on is None
    (event,) = refusals(tenant_a)
    assert event.rule == "GROUP-8"
    assert event.actor == tenant_a.facilitator
    assert event.project_id == tenant_a.project.pk
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="overview.milestone.completed").exists()


@pytest.mark.rule("GROUP-8")
def test_completion_is_allowed_after_a_review_at_a_held_group_meeting(
    tenant_a: Tenant, setting: Setting, api_as
) -> None:
    api = api_as(tenant_a.facilitator)
    response = api.post(
        reviews_url(tenant_a, setting.milestone.pk),
        {"meeting": setting.held.pk, "summary": "The pilot opened on time; the group asks for a ramp."},
        format="json",
    )
    assert response.status_code == 201, response.json()
    review = response.json()
    assert review["meeting"] == setting.held.pk
    assert review["meeting_held_on"] == HELD_ON.isoformat()
    assert review["summary"] == "The pilot opened on time; the group asks for a ramp."
    listed = api_as(tenant_a.member).get(reviews_url(tenant_a, setting.milestone.pk)).json()["results"]
    assert [item["id"] for item in listed] == [review["id"]]

    response = api.post(complete_url(tenant_a, setting.milestone.pk), {"on": "2026-11-20"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["completed_on"] == "2026-11-20"
    assert stored(setting.milestone).completed_on == datetime.date(2026, 11, 20)
    assert not refusals(tenant_a)
    # Completing it twice is a conflict, and nothing changes.
    again = api.post(complete_url(tenant_a, setting.milestone.pk), {}, format="json")
    assert again.status_code == 409
    assert stored(setting.milestone).completed_on == datetime.date(2026, 11, 20)


@pytest.mark.rule("GROUP-8")
@pytest.mark.parametrize(
    ("which", "field"),
    [("scheduled", "meeting"), ("board_meeting", "meeting"), ("missing", "meeting"), ("huge", "meeting")],
)
def test_a_review_needs_a_held_meeting_of_this_projects_group(
    tenant_a: Tenant, setting: Setting, api_as, which: str, field: str
) -> None:
    meeting = {
        "scheduled": setting.scheduled.pk,
        "board_meeting": setting.board_meeting.pk,
        "missing": 999_999,
        "huge": 10**30,
    }[which]
    response = api_as(tenant_a.facilitator).post(
        reviews_url(tenant_a, setting.milestone.pk), {"meeting": meeting, "summary": "Fine."}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert review_count() == 0


@pytest.mark.rule("TENANT-1")
def test_a_meeting_of_another_organisation_does_not_exist_here(
    tenant_a: Tenant, tenant_b: Tenant, setting: Setting, api_as
) -> None:
    elsewhere = setting_for(tenant_b)
    response = api_as(tenant_a.facilitator).post(
        reviews_url(tenant_a, setting.milestone.pk),
        {"meeting": elsewhere.held.pk, "summary": "Fine."},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["meeting"] == ["Choose a meeting of this project's Overview Group."]
    assert review_count() == 0


HELD = "held meeting"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"summary": "Fine."},
        {"meeting": "abc", "summary": "Fine."},
        {"meeting": -1, "summary": "Fine."},
        {"meeting": HELD},
        {"meeting": HELD, "summary": ""},
        {"meeting": HELD, "summary": "   "},
        {"meeting": HELD, "summary": "x" * 10_001},
        {"meeting": HELD, "summary": ["a list"]},
        [],
    ],
)
def test_bad_review_input_is_a_400_never_a_500(tenant_a: Tenant, setting: Setting, api_as, body) -> None:
    if isinstance(body, dict) and body.get("meeting") == HELD:
        body = {**body, "meeting": setting.held.pk}
    response = api_as(tenant_a.facilitator).post(
        reviews_url(tenant_a, setting.milestone.pk), body, format="json"
    )
    assert response.status_code == 400
    assert review_count() == 0


def test_the_same_meeting_reviews_a_milestone_once(tenant_a: Tenant, setting: Setting, api_as) -> None:
    api = api_as(tenant_a.facilitator)
    payload = {"meeting": setting.held.pk, "summary": "Reached."}
    assert api.post(reviews_url(tenant_a, setting.milestone.pk), payload, format="json").status_code == 201
    response = api.post(reviews_url(tenant_a, setting.milestone.pk), payload, format="json")
    assert response.status_code == 400
    assert "meeting" in response.json()
    assert review_count() == 1


@pytest.mark.parametrize("body", [{"on": "2999-01-01"}, {"on": "not a date"}, {"on": 12}])
def test_bad_completion_input_is_a_400(tenant_a: Tenant, setting: Setting, api_as, body) -> None:
    api = api_as(tenant_a.facilitator)
    api.post(
        reviews_url(tenant_a, setting.milestone.pk),
        {"meeting": setting.held.pk, "summary": "Ok"},
        format="json",
    )
    response = api.post(complete_url(tenant_a, setting.milestone.pk), body, format="json")
    assert response.status_code == 400
    assert "on" in response.json()
    assert stored(setting.milestone).completed_on is None


# --- Who may ---------------------------------------------------------------------------------


@pytest.mark.rule("GROUP-8")
@pytest.mark.parametrize("role", ["member", "auditor"])
def test_members_and_auditors_read_but_change_nothing(
    tenant_a: Tenant, setting: Setting, api_as, role: str
) -> None:
    api = api_as(getattr(tenant_a, role))
    assert api.get(reviews_url(tenant_a, setting.milestone.pk)).status_code == 200
    response = api.post(
        reviews_url(tenant_a, setting.milestone.pk),
        {"meeting": setting.held.pk, "summary": "Ok"},
        format="json",
    )
    assert response.status_code == 403
    assert review_count() == 0
    # Even once reviewed, only those who run the project complete it.
    api_as(tenant_a.facilitator).post(
        reviews_url(tenant_a, setting.milestone.pk),
        {"meeting": setting.held.pk, "summary": "Ok"},
        format="json",
    )
    assert api.post(complete_url(tenant_a, setting.milestone.pk), {}, format="json").status_code == 403
    assert stored(setting.milestone).completed_on is None


def test_anonymous_gets_401(tenant_a: Tenant, setting: Setting, api_as) -> None:
    assert api_as(None).get(reviews_url(tenant_a, setting.milestone.pk)).status_code == 401
    assert api_as(None).post(complete_url(tenant_a, setting.milestone.pk), {}).status_code == 401


@pytest.mark.rule("TENANT-1")
def test_other_organisation_and_other_project_are_404(
    tenant_a: Tenant, tenant_b: Tenant, setting: Setting, api_as
) -> None:
    outsider = api_as(tenant_b.admin)
    assert outsider.get(reviews_url(tenant_a, setting.milestone.pk)).status_code == 404
    assert outsider.post(complete_url(tenant_a, setting.milestone.pk), {}, format="json").status_code == 404
    # A's milestone id under B's organisation (same project slug) is not found either.
    assert outsider.get(reviews_url(tenant_b, setting.milestone.pk)).status_code == 404
    assert outsider.post(complete_url(tenant_b, setting.milestone.pk), {}, format="json").status_code == 404
    # Another project of the same organisation does not own the milestone.
    from tests.factories import ProjectFactory

    with scopes_disabled():
        ProjectFactory(organisation=tenant_a.organisation, slug="bus-stops")
    api = api_as(tenant_a.facilitator)
    assert api.get(reviews_url(tenant_a, setting.milestone.pk, "bus-stops")).status_code == 404
    assert (
        api.post(complete_url(tenant_a, setting.milestone.pk, "bus-stops"), {}, format="json").status_code
        == 404
    )
    assert stored(setting.milestone).completed_on is None
    assert not refusals(tenant_a)
