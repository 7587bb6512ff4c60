"""Staff pages of public participation: triage and answers (TEAM-9, SCOPE-2),
scoping (SCOPE-2, SCOPE-3), invitations (TEAM-7)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from stakeholders import participation
from stakeholders.models import GroupInvitation, PublicInput, StakeholderGroup
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db


def url(name: str, tenant: Tenant, **kwargs) -> str:
    return reverse(
        f"participation:{name}", kwargs={"org": tenant.organisation.slug, "project": "day-service", **kwargs}
    )


def web_input(tenant: Tenant, **extra) -> PublicInput:
    with scope(organisation=tenant.organisation):
        return participation.input_submit(
            project=tenant.project,
            message=extra.pop("message", "Open on Sundays please."),
            affected="directly",
            impact="positive",
            as_who="resident",
            consent=True,
            name="Sam Jones",
            contact="sam@example.org",
            **extra,
        )


@pytest.mark.rule("TEAM-9")
def test_input_list_filters_and_counts(tenant_a: Tenant, client_as) -> None:
    item = web_input(tenant_a)
    client = client_as(tenant_a.member)
    response = client.get(url("input_list", tenant_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Open on Sundays please." in html and "Please keep the garden." in html
    filtered = client.get(url("input_list", tenant_a), {"status": "new"}).content.decode()
    assert "Open on Sundays please." in filtered and "Please keep the garden." not in filtered
    assert client.get(url("input_list", tenant_a), {"status": "bogus"}).status_code == 200
    assert item.pk


@pytest.mark.rule("TEAM-9")
def test_contacts_only_for_editors(tenant_a: Tenant, client_as) -> None:
    item = web_input(tenant_a)
    for user in (tenant_a.member, tenant_a.auditor):
        html = client_as(user).get(url("input_detail", tenant_a, pk=item.pk)).content.decode()
        assert "Open on Sundays please." in html
        assert "sam@example.org" not in html and "Sam Jones" not in html
    html = client_as(tenant_a.facilitator).get(url("input_detail", tenant_a, pk=item.pk)).content.decode()
    assert "sam@example.org" in html and "Sam Jones" in html


@pytest.mark.rule("TEAM-9")
def test_facilitator_acknowledges_and_answers_and_the_answer_is_emailed(
    tenant_a: Tenant, client_as, django_capture_on_commit_callbacks
) -> None:
    item = web_input(tenant_a)
    client = client_as(tenant_a.facilitator)
    assert client.post(url("input_acknowledge", tenant_a, pk=item.pk)).status_code == 302
    with scopes_disabled():
        item.refresh_from_db()
    assert item.status == "acknowledged"
    bad = client.post(url("input_detail", tenant_a, pk=item.pk), {"public_text": "Yes", "incorporated": ""})
    assert bad.status_code == 400
    assert "Yes</textarea>" in bad.content.decode()
    # The callbacks run after the request, so enter the scope the request had.
    with scope(organisation=tenant_a.organisation), django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            url("input_detail", tenant_a, pk=item.pk),
            {"public_text": "We will open on Sundays.", "incorporated": "yes", "how_or_why": "From March."},
        )
    assert done.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["sam@example.org"]
    assert "We will open on Sundays." in mail.outbox[0].body
    public = client.get(
        reverse("public_project:project_page", kwargs={"org": "riverside", "project": "day-service"})
    )
    assert "We will open on Sundays." in public.content.decode()


@pytest.mark.rule("TEAM-9")
def test_members_and_auditors_cannot_answer_or_record(tenant_a: Tenant, client_as) -> None:
    item = web_input(tenant_a)
    for user in (tenant_a.member, tenant_a.auditor):
        client = client_as(user)
        answer = {"public_text": "x", "incorporated": "yes", "how_or_why": "y"}
        assert client.post(url("input_detail", tenant_a, pk=item.pk), answer).status_code == 403
        assert client.post(url("input_acknowledge", tenant_a, pk=item.pk)).status_code == 403
        assert client.get(url("input_record", tenant_a)).status_code == 403


@pytest.mark.rule("TEAM-9")
def test_offline_input_is_recorded_with_channel_and_group(tenant_a: Tenant, client_as) -> None:
    with scopes_disabled():
        group = StakeholderGroup.objects.get(project=tenant_a.project)
    client = client_as(tenant_a.facilitator)
    data = {
        "channel": "phone",
        "stakeholder_group": group.pk,
        "message": "Called about parking.",
        "affected": "indirectly",
        "impact": "both",
        "as_who": "carer",
        "consent": "on",
    }
    response = client.post(url("input_record", tenant_a), data)
    assert response.status_code == 302
    with scopes_disabled():
        saved = PublicInput.objects.get(message="Called about parking.")
    assert (
        saved.channel == "phone"
        and saved.stakeholder_group == group
        and saved.recorded_by == tenant_a.facilitator
    )
    refused = client.post(url("input_record", tenant_a), {**data, "channel": "web", "consent": ""})
    assert refused.status_code == 400 and "Called about parking." in refused.content.decode()


@pytest.mark.rule("TENANT-1")
def test_inputs_of_another_organisation_are_404(tenant_a: Tenant, tenant_b: Tenant, client_as) -> None:
    theirs = web_input(tenant_b)
    client = client_as(tenant_a.facilitator)
    assert client.get(url("input_detail", tenant_a, pk=theirs.pk)).status_code == 404
    assert client.post(url("input_acknowledge", tenant_a, pk=theirs.pk)).status_code == 404
    assert client_as(tenant_b.facilitator).get(url("input_list", tenant_a)).status_code == 404


@pytest.mark.rule("SCOPE-2")
@pytest.mark.rule("SCOPE-3")
def test_finalise_scope_is_refused_with_gaps_then_allowed(tenant_a: Tenant, client_as) -> None:
    with scopes_disabled():
        tenant_a.project.status = "scoping"
        tenant_a.project.no_negative_impact_reason = ""
        tenant_a.project.save(update_fields=["status", "no_negative_impact_reason"])
        carers = StakeholderGroup.objects.create(
            project=tenant_a.project, name="Carers", affected="indirectly", impact="negative"
        )
    client = client_as(tenant_a.facilitator)
    page = client.get(url("scoping", tenant_a)).content.decode()
    assert "No views gathered yet from “Carers”" in page and "SCOPE-3" in page
    refused = client.post(url("scoping_finalise", tenant_a))
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "SCOPE-2" in html and "Carers" in html
    item = web_input(tenant_a, stakeholder_group=carers, message="Respite is at risk.")
    with scope(organisation=tenant_a.organisation):
        participation.input_respond(
            item=item,
            public_text="We keep respite.",
            incorporated="yes",
            how_or_why="Budgeted.",
            actor=tenant_a.facilitator,
        )
    assert client.post(url("scoping_finalise", tenant_a)).status_code == 302
    with scopes_disabled():
        tenant_a.project.refresh_from_db()
    assert tenant_a.project.status == "delivery"


@pytest.mark.rule("SCOPE-3")
def test_no_negative_impact_reason_is_recorded(tenant_a: Tenant, client_as) -> None:
    client = client_as(tenant_a.facilitator)
    short = client.post(url("scoping", tenant_a), {"reason": "none"})
    assert short.status_code == 400 and "none" in short.content.decode()
    reason = "Only the garden changes, and nobody uses it in the week at all."
    assert client.post(url("scoping", tenant_a), {"reason": reason}).status_code == 302
    with scopes_disabled():
        tenant_a.project.refresh_from_db()
    assert tenant_a.project.no_negative_impact_reason == reason
    assert client_as(tenant_a.auditor).post(url("scoping", tenant_a), {"reason": reason}).status_code == 403


@pytest.mark.rule("TEAM-7")
def test_group_invitations_list_record_and_respond(tenant_a: Tenant, client_as) -> None:
    with scopes_disabled():
        group = StakeholderGroup.objects.get(project=tenant_a.project)
    client = client_as(tenant_a.facilitator)
    page = client.get(url("group_invitations", tenant_a)).content.decode()
    assert "Not invited" in page and "1 group not invited yet" in page
    data = {
        "stakeholder_group": group.pk,
        "channel": "letter",
        "sent_on": "2026-01-10",
        "formats_offered": ["easy_read", "large_print"],
        "response": "awaiting",
    }
    assert client.post(url("group_invitations", tenant_a), data).status_code == 302
    with scopes_disabled():
        invitation = GroupInvitation.objects.get(project=tenant_a.project)
    assert invitation.formats_offered == ["easy_read", "large_print"]
    page = client.get(url("group_invitations", tenant_a)).content.decode()
    assert "No reply yet" in page and "Easy read" in page
    bad = client.post(url("group_invitations", tenant_a), {**data, "formats_offered": ["smoke_signals"]})
    assert bad.status_code == 400
    edit = url("group_invitation_edit", tenant_a, pk=invitation.pk)
    assert client.post(edit, {"response": "accepted", "note": "Three people will come."}).status_code == 302
    with scopes_disabled():
        invitation.refresh_from_db()
    assert invitation.response == "accepted"
    assert client_as(tenant_a.member).post(edit, {"response": "declined"}).status_code == 403
    assert client_as(tenant_a.member).get(url("group_invitations", tenant_a)).status_code == 200
