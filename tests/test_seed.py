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
from django_scopes import scope, scopes_disabled

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
        assert project.status == Project.Status.SCOPING
        assert project.initiator_type == "service_user"
        groups = StakeholderGroup.objects.filter(project=project)
        assert groups.count() == 6
        assert groups.filter(impact=StakeholderGroup.Impact.NEGATIVE).exists()
        assert groups.filter(affected=StakeholderGroup.Affected.INDIRECTLY, is_professional=False).exists()
        assert Person.objects.filter(organisation=northmoor).count() >= 15
        assert Person.objects.filter(organisation=northmoor, access_needs__icontains="BSL").exists()
        assert [p.name for p in project.phases.all()] == ["Scoping", "Co-design", "Pilot", "Roll-out"]
        assert project.milestones.count() >= 4
        assert project.budget_lines.count() == 3
        budget_events = AuditEvent.objects.filter(project=project, action="projects.budget_line.recorded")
        assert budget_events.count() == 3
        assert all(e.data["authority"] == "initial budget agreed at project set-up" for e in budget_events)
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


def test_demo_board_is_seated_and_can_be_activated() -> None:
    """The demo Project Board has a seat for every stakeholder group and
    enough non-professional seats, so the facilitator can activate it
    (BOARD-2, BOARD-4); the demo leaves it forming for them to try."""
    from boards import services as board_services
    from boards.models import Body, BodyKind, BodyStatus, Seat

    _seed()
    with scopes_disabled():
        project = Project.objects.get(organisation__slug="northmoor", slug="beacon-day-service")
        board = Body.objects.get(project=project, kind=BodyKind.BOARD)
        assert board.status == BodyStatus.FORMING
        seats = Seat.objects.filter(body=board, is_open=True)
        seated_groups = set(seats.exclude(stakeholder_group=None).values_list("stakeholder_group", flat=True))
        assert seated_groups == set(
            StakeholderGroup.objects.filter(project=project).values_list("pk", flat=True)
        )
        facilitator = get_user_model().objects.get(username="facilitator@northmoor.example")
    with scope(organisation=project.organisation):
        board = board_services.body_activate(body=board, actor=facilitator)
    assert board.status == BodyStatus.ACTIVE


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
