"""How would you like to be involved? An emailed group invitation carries a
signed link to a public form; the answer is stored once per invitation,
updates the invitation's response and is emailed to the project's
facilitators (TEAM-7, TEAM-8, TENANT-1)."""

from __future__ import annotations

import re
import time
from unittest import mock

import pytest
from django.core import mail, signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from guardian.shortcuts import assign_perm

from projects.models import Role
from stakeholders import involvement, participation
from stakeholders.models import GroupInvitation, InvolvementResponse, StakeholderGroup
from tests.conftest import Tenant
from tests.factories import MemberFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def staff_url(name: str, tenant: Tenant, **kwargs) -> str:
    return reverse(
        f"participation:{name}", kwargs={"org": tenant.organisation.slug, "project": "day-service", **kwargs}
    )


def group_of(tenant: Tenant) -> StakeholderGroup:
    with scopes_disabled():
        return StakeholderGroup.objects.get(project=tenant.project)


def emailed_invitation(tenant: Tenant, email: str = "carers-network@example.org") -> GroupInvitation:
    with scope(organisation=tenant.organisation):
        return participation.group_invitation_record(
            group=group_of(tenant),
            channel="email",
            sent_on=timezone.localdate(),
            formats_offered=["easy_read"],
            email=email,
            actor=tenant.facilitator,
        )


def form_url(invitation: GroupInvitation) -> str:
    with scopes_disabled():
        return involvement.involvement_path(invitation)


def answer(**extra) -> dict:
    return {
        "levels": ["board", "events"],
        "name": "Ali Khan",
        "contact_preference": "email",
        "contact": "ali@example.org",
        "access_needs": "Large print papers, please.",
        **extra,
    }


@pytest.mark.rule("TEAM-7")
def test_an_emailed_invitation_links_to_the_public_page_and_the_involvement_form(
    tenant_a: Tenant, client_as, django_capture_on_commit_callbacks
) -> None:
    client = client_as(tenant_a.facilitator)
    data = {
        "stakeholder_group": group_of(tenant_a).pk,
        "channel": "email",
        "sent_on": timezone.localdate().isoformat(),
        "formats_offered": ["large_print"],
        "email": "carers-network@example.org",
        "response": "awaiting",
    }
    with scope(organisation=tenant_a.organisation), django_capture_on_commit_callbacks(execute=True):
        assert client.post(staff_url("group_invitations", tenant_a), data).status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["carers-network@example.org"]
    assert "Day service riverside" in message.subject
    assert "http://127.0.0.1:8000/p/riverside/day-service/\n" in message.body
    link = re.search(r"(http://127\.0\.0\.1:8000/p/riverside/day-service/involve/[^/\s]+/)", message.body)
    assert link, message.body
    assert "Large print" in message.body
    with scopes_disabled():
        invitation = GroupInvitation.objects.get(project=tenant_a.project)
    assert invitation.email == "carers-network@example.org" and invitation.emailed_at is not None
    # The link in the email opens the form, for anyone, without an account.
    client.logout()
    page = client.get(link.group(1).removeprefix("http://127.0.0.1:8000"))
    assert page.status_code == 200
    assert "How would you like to be involved?" in page.content.decode()


@pytest.mark.rule("TEAM-7")
def test_an_address_goes_only_with_an_email_invitation(tenant_a: Tenant, client_as) -> None:
    client = client_as(tenant_a.facilitator)
    data = {
        "stakeholder_group": group_of(tenant_a).pk,
        "channel": "letter",
        "sent_on": "2026-01-10",
        "email": "someone@example.org",
        "response": "awaiting",
    }
    refused = client.post(staff_url("group_invitations", tenant_a), data)
    assert refused.status_code == 400
    assert "An email address goes only with an invitation sent by email." in refused.content.decode()
    with scope(organisation=tenant_a.organisation), pytest.raises(Exception) as error:
        participation.group_invitation_record(
            group=group_of(tenant_a),
            channel="phone",
            sent_on=timezone.localdate(),
            email="someone@example.org",
            actor=tenant_a.facilitator,
        )
    assert "email" in str(error.value)
    # The database backs it up.
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        GroupInvitation.objects.create(
            project=tenant_a.project,
            stakeholder_group=group_of(tenant_a),
            channel="letter",
            sent_on=timezone.localdate(),
            email="x@example.org",
        )
    assert mail.outbox == []


@pytest.mark.rule("TEAM-8")
@pytest.mark.rule("TEAM-7")
def test_the_answer_is_stored_sets_the_response_and_tells_the_facilitators(
    tenant_a: Tenant, client, django_capture_on_commit_callbacks
) -> None:
    invitation = emailed_invitation(tenant_a)
    mail.outbox.clear()
    url = form_url(invitation)
    with scope(organisation=tenant_a.organisation), django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, answer())
    assert response.status_code == 302 and response["Location"].endswith("/thanks/")
    with scopes_disabled():
        reply = InvolvementResponse.objects.get()
        invitation.refresh_from_db()
    assert reply.levels == ["board", "events"] and not reply.not_now
    assert (reply.project_id, reply.stakeholder_group_id, reply.invitation_id) == (
        tenant_a.project.pk,
        invitation.stakeholder_group_id,
        invitation.pk,
    )
    assert reply.name == "Ali Khan" and reply.contact == "ali@example.org"
    assert invitation.response == "accepted"
    thanks = client.get(response["Location"]).content.decode()
    assert "A seat on the Project Board" in thanks and "Coming to events and workshops" in thanks
    # The facilitators of the organisation hear of it, without the person's details.
    assert [m.to for m in mail.outbox] == [[tenant_a.facilitator.email]]
    assert "Service users" in mail.outbox[0].subject
    assert "A seat on the Project Board" in mail.outbox[0].body
    assert "Ali Khan" not in mail.outbox[0].body and "ali@example.org" not in mail.outbox[0].body
    assert "/o/riverside/projects/day-service/group-invitations/" in mail.outbox[0].body


@pytest.mark.rule("TEAM-8")
def test_answering_again_updates_the_one_answer(tenant_a: Tenant, client) -> None:
    invitation = emailed_invitation(tenant_a)
    url = form_url(invitation)
    assert client.post(url, answer()).status_code == 302
    # The form shows the earlier answer, to change.
    page = client.get(url).content.decode()
    assert "You answered on" in page and 'value="Ali Khan"' in page
    assert client.post(url, {"not_now": "on"}).status_code == 302
    with scopes_disabled():
        replies = list(InvolvementResponse.objects.all())
        invitation.refresh_from_db()
    assert len(replies) == 1
    assert replies[0].not_now and replies[0].levels == [] and replies[0].times_submitted == 2
    assert replies[0].name == "" and replies[0].access_needs == ""
    assert invitation.response == "declined"


@pytest.mark.rule("TEAM-8")
def test_the_form_keeps_what_was_typed_and_explains_errors(tenant_a: Tenant, client) -> None:
    url = form_url(emailed_invitation(tenant_a))
    nothing = client.post(url, {"name": "Ali"})
    assert nothing.status_code == 400
    html = nothing.content.decode()
    assert "Choose at least one way you would like to be involved" in html and 'value="Ali"' in html
    both = client.post(url, {"levels": ["input"], "not_now": "on"})
    assert both.status_code == 400 and "Either choose" in both.content.decode()
    bad_email = client.post(url, answer(contact="not an address"))
    assert bad_email.status_code == 400 and "Enter an email address" in bad_email.content.decode()
    bad_level = client.post(url, answer(levels=["cabinet"]))
    assert bad_level.status_code == 400
    with scopes_disabled():
        assert not InvolvementResponse.objects.exists()


@pytest.mark.rule("TEAM-8")
def test_bad_expired_and_foreign_links_get_a_clear_page(tenant_a: Tenant, tenant_b: Tenant, client) -> None:
    invitation = emailed_invitation(tenant_a)
    good = form_url(invitation)
    tampered = client.get(good.replace("/involve/", "/involve/x"))
    assert tampered.status_code == 404 and "This link does not work" in tampered.content.decode()
    assert client.post(good[:-5] + "/", answer()).status_code == 404
    # Genuine but old.
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 61 * 86400):
        old = form_url(invitation)
    expired = client.get(old)
    assert expired.status_code == 410 and "This link has expired" in expired.content.decode()
    assert client.post(old, answer()).status_code == 410
    # A genuine link of organisation A under organisation B's address: not found there.
    token = good.rstrip("/").rsplit("/", 1)[1]
    foreign = f"/p/{tenant_b.organisation.slug}/day-service/involve/{token}/"
    assert client.get(foreign).status_code == 404
    # Another project of the same organisation: not found either.
    with scopes_disabled():
        ProjectFactory(organisation=tenant_a.organisation, slug="allotments")
    assert client.get(f"/p/riverside/allotments/involve/{token}/").status_code == 404
    # A token signed for something else entirely.
    other = signing.dumps({"i": invitation.pk, "p": tenant_a.project.pk}, salt="something.else")
    assert client.get(f"/p/riverside/day-service/involve/{other}/").status_code == 404
    with scopes_disabled():
        assert not InvolvementResponse.objects.exists()


@pytest.mark.rule("TEAM-8")
def test_a_closed_project_takes_no_answers(tenant_a: Tenant, client) -> None:
    url = form_url(emailed_invitation(tenant_a))
    with scopes_disabled():
        tenant_a.project.status = "closed"
        tenant_a.project.save(update_fields=["status"])
    page = client.get(url)
    assert page.status_code == 410 and "This project has finished" in page.content.decode()
    assert client.post(url, answer()).status_code == 410


@pytest.mark.rule("TEAM-8")
def test_facilitators_see_answers_with_contacts_members_without(tenant_a: Tenant, client, client_as) -> None:
    invitation = emailed_invitation(tenant_a)
    client.post(form_url(invitation), answer())
    html = client_as(tenant_a.facilitator).get(staff_url("group_invitations", tenant_a)).content.decode()
    assert "A seat on the Project Board" in html and "Ali Khan" in html and "Large print papers" in html
    assert "through the involvement form" in html
    for user in (tenant_a.member, tenant_a.auditor):
        html = client_as(user).get(staff_url("group_invitations", tenant_a)).content.decode()
        assert "A seat on the Project Board" in html
        assert "Ali Khan" not in html and "ali@example.org" not in html and "Large print papers" not in html
        assert "carers-network@example.org" not in html
    edit = client_as(tenant_a.facilitator).get(staff_url("group_invitation_edit", tenant_a, pk=invitation.pk))
    page = edit.content.decode()
    assert "Ali Khan" in page and "/p/riverside/day-service/involve/" in page


@pytest.mark.rule("TEAM-7")
def test_emailing_again_sends_a_fresh_link(
    tenant_a: Tenant, client_as, django_capture_on_commit_callbacks
) -> None:
    invitation = emailed_invitation(tenant_a)
    mail.outbox.clear()
    client = client_as(tenant_a.facilitator)
    with scope(organisation=tenant_a.organisation), django_capture_on_commit_callbacks(execute=True):
        done = client.post(staff_url("group_invitation_email", tenant_a, pk=invitation.pk))
    assert done.status_code == 302 and len(mail.outbox) == 1
    assert "/involve/" in mail.outbox[0].body
    assert (
        client_as(tenant_a.member)
        .post(staff_url("group_invitation_email", tenant_a, pk=invitation.pk))
        .status_code
        == 403
    )
    with scope(organisation=tenant_a.organisation):
        letter = participation.group_invitation_record(
            group=group_of(tenant_a),
            channel="letter",
            sent_on=timezone.localdate(),
            actor=tenant_a.facilitator,
        )
    refused = client_as(tenant_a.facilitator).post(
        staff_url("group_invitation_email", tenant_a, pk=letter.pk), follow=True
    )
    assert "Only an invitation sent by email" in refused.content.decode()
    assert len(mail.outbox) == 1


@pytest.mark.rule("TENANT-1")
def test_only_the_projects_own_facilitators_are_told(tenant_a: Tenant, tenant_b: Tenant) -> None:
    project = tenant_a.project
    # No project facilitator yet: the organisation's facilitators.
    assert involvement.project_facilitator_emails(project) == [tenant_a.facilitator.email]
    with scopes_disabled():
        own = UserFactory(username="own@riverside.example.org")
        MemberFactory(organisation=tenant_a.organisation, user=own, role=Role.MEMBER)
        assign_perm("projects.facilitate_project", own, project)
        # A grant held by someone outside the organisation counts for nothing.
        assign_perm("projects.facilitate_project", tenant_b.facilitator, project)
    assert involvement.project_facilitator_emails(project) == ["own@riverside.example.org"]
    assert tenant_b.facilitator.email not in involvement.project_facilitator_emails(project)


@pytest.mark.rule("TEAM-8")
@pytest.mark.rule("TENANT-1")
def test_api_lists_answers_personal_fields_for_editors_only(
    tenant_a: Tenant, tenant_b: Tenant, client, api_as
) -> None:
    invitation = emailed_invitation(tenant_a)
    client.post(form_url(invitation), answer())
    path = "/api/v1/orgs/riverside/projects/day-service/involvement-responses/"
    mine = api_as(tenant_a.facilitator).get(path)
    assert mine.status_code == 200
    [row] = mine.json()
    assert row["levels"] == ["board", "events"] and row["invitation"] == invitation.pk
    assert row["name"] == "Ali Khan" and row["access_needs"] == "Large print papers, please."
    [plain] = api_as(tenant_a.member).get(path).json()
    assert plain["levels"] == ["board", "events"]
    assert not {"name", "contact", "contact_preference", "access_needs"} & set(plain)
    assert api_as(tenant_b.admin).get(path).status_code == 404
    assert api_as(None).get(path).status_code == 401
    # The invitation's address is for editors too.
    invitations = "/api/v1/orgs/riverside/projects/day-service/group-invitations/"
    assert api_as(tenant_a.facilitator).get(invitations).json()[0]["email"] == "carers-network@example.org"
    assert "email" not in api_as(tenant_a.member).get(invitations).json()[0]


@pytest.mark.rule("TEAM-7")
def test_api_records_an_emailed_invitation_and_emails_it_again(
    tenant_a: Tenant, api_as, django_capture_on_commit_callbacks
) -> None:
    api = api_as(tenant_a.facilitator)
    base = "/api/v1/orgs/riverside/projects/day-service/group-invitations/"
    data = {
        "stakeholder_group": group_of(tenant_a).pk,
        "channel": "email",
        "sent_on": timezone.localdate().isoformat(),
        "email": "group@example.org",
    }
    with scope(organisation=tenant_a.organisation), django_capture_on_commit_callbacks(execute=True):
        created = api.post(base, data, format="json")
    assert created.status_code == 201 and created.json()["email"] == "group@example.org"
    assert len(mail.outbox) == 1
    bad = api.post(base, {**data, "channel": "letter"}, format="json")
    assert bad.status_code == 400 and "email" in bad.json()
    with scope(organisation=tenant_a.organisation), django_capture_on_commit_callbacks(execute=True):
        again = api.post(f"{base}{created.json()['id']}/email/")
    assert again.status_code == 200 and len(mail.outbox) == 2
    assert api_as(tenant_a.member).post(f"{base}{created.json()['id']}/email/").status_code == 403
