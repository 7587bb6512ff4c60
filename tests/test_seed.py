"""The demo data (`manage.py seed_demo`): it loads, loading it again changes
nothing, its logins work, and the Django admin shows all of it to support
staff."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from projects.management.commands.seed_demo import (
    DEMO_PASSWORD,
    EASTBROOK_ADMIN,
    NORTHMOOR_ADMIN,
    NORTHMOOR_USERS,
    SUPPORT_USER,
)
from projects.models import AuditEvent, Organisation, OrganisationMember, Project, ProjectProposal, Role
from projects.permissions import project_grants_of
from stakeholders.models import Person, StakeholderGroup

pytestmark = pytest.mark.django_db

DEMO_LOGINS = [NORTHMOOR_ADMIN, *NORTHMOOR_USERS, EASTBROOK_ADMIN, SUPPORT_USER]


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    """Rows of every model the demo data touches, across all organisations."""
    labels = {"projects", "stakeholders", "auth", "guardian"}
    with scopes_disabled():
        return {
            model._meta.label: model._default_manager.count()
            for model in apps.get_models()
            if model._meta.app_label in labels
        }


def test_seed_twice_changes_nothing() -> None:
    before = _counts()
    _seed()
    first = _counts()
    assert first != before, "seeding wrote nothing"
    _seed()
    assert _counts() == first


def test_seed_builds_the_demo_project() -> None:
    _seed()
    with scopes_disabled():
        northmoor = Organisation.objects.get(slug="northmoor")
        project = Project.objects.get(organisation=northmoor, slug="beacon-day-service")
        assert project.status == Project.Status.DELIVERY  # scoping listened to every group
        assert project.initiator_type == "service_user"
        groups = StakeholderGroup.objects.filter(project=project)
        assert groups.count() == 6
        assert groups.filter(impact=StakeholderGroup.Impact.NEGATIVE).exists()
        assert groups.filter(affected=StakeholderGroup.Affected.INDIRECTLY, is_professional=False).exists()
        assert Person.objects.filter(organisation=northmoor).count() >= 15
        assert Person.objects.filter(organisation=northmoor, access_needs__icontains="BSL").exists()
        assert [p.name for p in project.phases.all()] == ["Scoping", "Co-design", "Pilot", "Roll-out"]
        assert project.milestones.count() >= 4
        # Three lines agreed at set-up, one added later by a board decision (BOARD-7).
        assert project.budget_lines.count() == 4
        budget_events = AuditEvent.objects.filter(project=project, action="projects.budget_line.recorded")
        authorities = sorted(e.data["authority"] for e in budget_events)
        assert authorities[:1] == ["board decision #3"]
        assert authorities[1:] == ["initial budget agreed at project set-up"] * 3
        proposals = ProjectProposal.objects.filter(organisation=northmoor)
        assert proposals.filter(status=ProjectProposal.Status.PENDING).count() == 1
        declined = proposals.get(status=ProjectProposal.Status.DECLINED)
        assert declined.decision_reason
        users = get_user_model().objects
        assert project_grants_of(users.get(username="facilitator@northmoor.example"), project) == [
            "facilitate_project"
        ]
        assert project_grants_of(users.get(username="pm@northmoor.example"), project) == ["manage_project"]

        eastbrook = Organisation.objects.get(slug="eastbrook")
        assert Project.objects.filter(organisation=eastbrook).count() == 1
        # One person can switch between the two organisations; the rest see only Northmoor.
        helen = users.get(username=NORTHMOOR_ADMIN.email)
        assert set(OrganisationMember.objects.filter(user=helen).values_list("role", flat=True)) == {
            Role.ADMIN,
            Role.MEMBER,
        }
        facilitator = users.get(username="facilitator@northmoor.example")
        assert not OrganisationMember.objects.filter(organisation=eastbrook, user=facilitator).exists()


def test_demo_bodies_govern_and_decide() -> None:
    """The demo board seats every stakeholder group with enough
    non-professional seats (BOARD-2, BOARD-4), and both bodies are active,
    have met, decided (a chair, a budget change), returned a decision with
    what the group needs (GROUP-6), and keep a verifiable ledger (LEDGER-1);
    one Overview Group member resigned (a past seat); a dispute is in
    mediation (BOARD-6, GROUP-5)."""
    from boards.ledger import verify
    from boards.models import AgendaItem, Body, BodyKind, BodyStatus, Seat
    from disputes.models import Dispute

    _seed()
    with scopes_disabled():
        project = Project.objects.get(organisation__slug="northmoor", slug="beacon-day-service")
        board = Body.objects.get(project=project, kind=BodyKind.BOARD)
        group = Body.objects.get(project=project, kind=BodyKind.OVERVIEW)
        assert board.status == BodyStatus.ACTIVE and group.status == BodyStatus.ACTIVE
        seats = Seat.objects.filter(body=board, is_open=True)
        seated_groups = set(seats.exclude(stakeholder_group=None).values_list("stakeholder_group", flat=True))
        assert seated_groups == set(
            StakeholderGroup.objects.filter(project=project).values_list("pk", flat=True)
        )
        assert board.chair_seat is not None and board.chair_seat.capacity == "service_user"
        assert Seat.objects.filter(body=group, is_open=False, end_reason="resigned").count() == 1
        returned = AgendaItem.objects.get(body=group, kind="return")
        assert returned.return_information and returned.return_resources and returned.return_skills
        dispute = Dispute.objects.get(body=group)
        assert dispute.status == "open" and dispute.stages.get(order=2).mediator is not None
        assert verify(project).ok


def test_demo_logins_work_and_are_printed() -> None:
    output = _seed()
    assert DEMO_PASSWORD in output
    for login in DEMO_LOGINS:
        assert login.email in output
        client = Client()
        assert client.login(username=login.email, password=DEMO_PASSWORD), login.email


def test_seed_refuses_without_debug_unless_forced(settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=StringIO())
    assert not Organisation.objects.filter(slug="northmoor").exists()


def test_admin_shows_every_model_to_support_staff() -> None:
    """Every model of projects and stakeholders is registered, and each list
    and change page renders with the demo data (scopes are disabled for
    /admin/ by the tenancy middleware)."""
    _seed()
    client = Client()
    assert client.login(username=SUPPORT_USER.email, password=DEMO_PASSWORD)
    for app_label in ("projects", "stakeholders"):
        for model in apps.get_app_config(app_label).get_models():
            assert admin.site.is_registered(model), f"{model._meta.label} is not in the Django admin"
            info = (model._meta.app_label, model._meta.model_name)
            response = client.get(reverse("admin:{}_{}_changelist".format(*info)))
            assert response.status_code == 200, model._meta.label
            with scopes_disabled():
                obj = model._default_manager.first()
            if obj is not None:
                response = client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
                assert response.status_code == 200, model._meta.label


def test_audit_log_is_read_only_in_admin() -> None:
    _seed()
    client = Client()
    assert client.login(username=SUPPORT_USER.email, password=DEMO_PASSWORD)
    with scopes_disabled():
        event = AuditEvent.objects.first()
    assert client.get(reverse("admin:projects_auditevent_add")).status_code == 403
    assert client.get(reverse("admin:projects_auditevent_delete", args=[event.pk])).status_code == 403
    response = client.post(
        reverse("admin:projects_auditevent_change", args=[event.pk]), {"action": "tampered"}
    )
    assert response.status_code == 403
    with scopes_disabled():
        event.refresh_from_db()
    assert event.action != "tampered"


def test_members_cannot_use_admin() -> None:
    _seed()
    client = Client()
    assert client.login(username="facilitator@northmoor.example", password=DEMO_PASSWORD)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
