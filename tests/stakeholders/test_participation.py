"""Public participation: input at every stage, answered; scoping that
listens; invitations that reach every group."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from coprod.errors import Conflict, RuleViolation
from coprod.rulebook import Rule
from projects import monitoring
from projects import services as project_services
from projects.compliance import Status, evaluate
from projects.models import AuditEvent, Flag, Project
from stakeholders import participation
from stakeholders.models import GroupInvitation, PublicInput, StakeholderGroup
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 30)


def give_input(project: Project, group: StakeholderGroup | None = None, **extra) -> PublicInput:
    fields = {
        "message": "Please keep the Tuesday art group.",
        "affected": "directly",
        "impact": "negative",
        "as_who": "service_user",
        "consent": True,
        **extra,
    }
    return participation.input_submit(project=project, stakeholder_group=group, **fields)


def result(tenant: Tenant, rule: Rule):
    with scopes_disabled():
        (found,) = evaluate(tenant.project, TODAY, [rule])
    return found


@pytest.mark.rule("TEAM-9")
def test_anyone_gives_input_without_an_account_at_any_stage(tenant_a: Tenant, in_org_a: None) -> None:
    item = give_input(tenant_a.project, name="Sam", contact="sam@example.org")
    assert item.during_scoping and item.status == "new"
    event = AuditEvent.objects.get(action="stakeholders.input.received")
    assert "sam@example.org" not in str(event.data)
    with pytest.raises(ValidationError):
        give_input(tenant_a.project, consent=False)


@pytest.mark.rule("TEAM-9")
def test_input_cannot_be_closed_while_the_project_is_open(tenant_a: Tenant, in_org_a: None) -> None:
    with pytest.raises(RuleViolation) as refused:
        participation.input_close(project=tenant_a.project, actor=tenant_a.facilitator)
    assert refused.value.rule == Rule.TEAM_9
    assert AuditEvent.objects.filter(action__startswith="refused.", rule="TEAM-9").count() == 1
    with scopes_disabled():
        Project.objects.filter(pk=tenant_a.project.pk).update(status="closed")
    tenant_a.project.refresh_from_db()
    with pytest.raises(Conflict):
        give_input(tenant_a.project)


@pytest.mark.rule("TEAM-9")
def test_answer_is_emailed_and_contacts_purged_later(
    tenant_a: Tenant, in_org_a: None, django_capture_on_commit_callbacks
) -> None:
    item = give_input(tenant_a.project, name="Sam", contact="sam@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        participation.input_respond(
            item=item,
            public_text="Thank you: the art group stays.",
            incorporated="yes",
            how_or_why="Added to the timetable.",
            actor=tenant_a.facilitator,
        )
    assert mail.outbox[0].to == ["sam@example.org"]
    with pytest.raises(Conflict):
        participation.input_respond(
            item=item, public_text="Again", incorporated="no", how_or_why="x", actor=tenant_a.facilitator
        )
    assert participation.purge_contacts() == 0
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=91)
    assert participation.purge_contacts(now=later) == 1
    item.refresh_from_db()
    assert item.contact == "" and item.name == "" and item.message.startswith("Please keep")


@pytest.mark.rule("TEAM-9")
def test_unanswered_input_is_flagged_and_reported(tenant_a: Tenant, in_org_a: None) -> None:
    with time_machine.travel(datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC), tick=False):
        give_input(tenant_a.project)
    monitoring.sweep()
    with scopes_disabled():
        assert Flag.objects.filter(kind="input_unanswered", resolved_at__isnull=True).count() == 1
    assert result(tenant_a, Rule.TEAM_9).status == Status.FAIL


@pytest.mark.rule("SCOPE-2")
def test_scoping_cannot_finish_until_every_group_is_heard_and_answered(
    tenant_a: Tenant, in_org_a: None
) -> None:
    carers = StakeholderGroup.objects.create(
        project=tenant_a.project, name="Carers", affected="indirectly", impact="mixed"
    )
    with pytest.raises(RuleViolation) as refused:
        project_services.project_change_status(
            project=tenant_a.project, status="delivery", actor=tenant_a.facilitator
        )
    assert refused.value.rule == Rule.SCOPE_2
    assert "Carers" in refused.value.message
    item = give_input(tenant_a.project, carers, as_who="carer")
    with pytest.raises(RuleViolation) as refused:
        project_services.project_change_status(
            project=tenant_a.project, status="delivery", actor=tenant_a.facilitator
        )
    assert "no recorded response" in refused.value.message
    assert result(tenant_a, Rule.SCOPE_2).status == Status.WARN
    participation.input_respond(
        item=item,
        public_text="Thanks",
        incorporated="partly",
        how_or_why="Respite added.",
        actor=tenant_a.facilitator,
    )
    project_services.project_change_status(
        project=tenant_a.project, status="delivery", actor=tenant_a.facilitator
    )
    assert Project.objects.get(pk=tenant_a.project.pk).status == "delivery"
    assert result(tenant_a, Rule.SCOPE_2).status == Status.PASS


@pytest.mark.rule("SCOPE-3")
def test_scoping_needs_a_negatively_affected_group_consulted_or_a_reason(
    tenant_a: Tenant, in_org_a: None
) -> None:
    Project.objects.filter(pk=tenant_a.project.pk).update(no_negative_impact_reason="")
    tenant_a.project.refresh_from_db()
    with pytest.raises(RuleViolation) as refused:
        project_services.project_change_status(
            project=tenant_a.project, status="delivery", actor=tenant_a.facilitator
        )
    assert refused.value.rule == Rule.SCOPE_3
    assert result(tenant_a, Rule.SCOPE_3).status == Status.FAIL
    with pytest.raises(ValidationError):
        participation.no_negative_impact_record(
            project=tenant_a.project, reason="none", actor=tenant_a.facilitator
        )
    participation.no_negative_impact_record(
        project=tenant_a.project,
        reason="The change only adds opening hours; nobody loses a service or a place.",
        actor=tenant_a.facilitator,
    )
    assert result(tenant_a, Rule.SCOPE_3).status == Status.PASS
    project_services.project_change_status(
        project=tenant_a.project, status="delivery", actor=tenant_a.facilitator
    )


@pytest.mark.rule("SCOPE-4")
def test_scope_4_report(tenant_a: Tenant, in_org_a: None) -> None:
    assert result(tenant_a, Rule.SCOPE_4).status == Status.WARN  # no indirectly affected group yet
    StakeholderGroup.objects.create(
        project=tenant_a.project, name="Carers", affected="indirectly", impact="mixed"
    )
    assert result(tenant_a, Rule.SCOPE_4).status == Status.PASS


@pytest.mark.rule("SCOPE-1")
def test_scope_1_report(tenant_a: Tenant) -> None:
    found = result(tenant_a, Rule.SCOPE_1)
    assert found.status == Status.PASS and "Service user" in found.explanation


@pytest.mark.rule("TEAM-7")
def test_every_group_specially_invited(tenant_a: Tenant, in_org_a: None) -> None:
    group = StakeholderGroup.objects.get(project=tenant_a.project, name="Service users")
    assert result(tenant_a, Rule.TEAM_7).status == Status.FAIL
    invitation = participation.group_invitation_record(
        group=group, channel="letter", sent_on=datetime.date(2026, 2, 1), actor=tenant_a.facilitator
    )
    assert result(tenant_a, Rule.TEAM_7).status == Status.WARN  # no accessible format offered
    participation.group_invitation_record(
        group=group,
        channel="in_person",
        sent_on=datetime.date(2026, 2, 10),
        formats_offered=["easy_read", "bsl"],
        actor=tenant_a.facilitator,
    )
    GroupInvitation.objects.filter(pk=invitation.pk).update(formats_offered=["large_print"])
    assert result(tenant_a, Rule.TEAM_7).status == Status.PASS
    with pytest.raises(ValidationError):
        participation.group_invitation_record(
            group=group,
            channel="letter",
            sent_on=TODAY,
            formats_offered=["smoke_signals"],
            actor=tenant_a.facilitator,
        )


def test_staff_record_offline_input_with_its_channel(tenant_a: Tenant, in_org_a: None) -> None:
    item = participation.input_record(
        project=tenant_a.project,
        channel="phone",
        message="Rang to say the bus stop moved.",
        affected="indirectly",
        impact="negative",
        as_who="resident",
        consent=True,
        actor=tenant_a.facilitator,
    )
    assert item.channel == "phone" and item.recorded_by == tenant_a.facilitator
