"""How would you like to be involved? (TEAM-7, TEAM-8)

An invitation of a stakeholder group sent by email carries two links: the
project's public page and a short public form where the person says at which
levels they would like to take part (the Project Board, the Overview Group,
events, giving their views), and, if they wish, their name, how to get in
touch and what helps them take part. No account is needed: the link holds a
token signed with the site's secret key (`django.core.signing`), tied to the
invitation and its project, and it expires after
`INVOLVEMENT_LINK_MAX_AGE_DAYS`. One answer per invitation: answering again
updates it. The answer sets the invitation's response and the project's
facilitators hear about it by email, after the transaction commits."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled
from guardian.shortcuts import get_users_with_perms

from coprod.audit import audit_record
from coprod.errors import Conflict
from coprod.rulebook import Rule
from coprod.services import require
from projects.models import OrganisationMember, Project, Role
from projects.permissions import can_edit_project
from stakeholders.models import (
    ACCESSIBLE_FORMATS,
    ContactPreference,
    GroupInvitation,
    InvitationChannel,
    InvitationResponse,
    InvolvementLevel,
    InvolvementResponse,
)

SALT = "stakeholders.involvement"
# Long enough for a letter-paced reply, short enough that an old forwarded
# email stops working; a facilitator can email a fresh link at any time.
INVOLVEMENT_LINK_MAX_AGE_DAYS = 60
_PHONE = re.compile(r"^\+?[0-9 ()\-.]{6,30}$")


# --- The signed link --------------------------------------------------------------------


class InvalidLink(Exception):
    """The link was changed, belongs to another project, or its invitation
    no longer exists."""


class ExpiredLink(Exception):
    """The link was genuine but is older than INVOLVEMENT_LINK_MAX_AGE_DAYS."""


def link_max_age() -> datetime.timedelta:
    return datetime.timedelta(days=INVOLVEMENT_LINK_MAX_AGE_DAYS)


def involvement_token(invitation: GroupInvitation) -> str:
    """A token naming the invitation and its project, signed and timestamped."""
    return signing.dumps({"i": invitation.pk, "p": invitation.project_id}, salt=SALT)


def invitation_from_token(token: str, project: Project) -> GroupInvitation:
    """The invitation a token names, if it is genuine, not expired, and of
    `project` (the project of the URL, within the organisation's scope)."""
    try:
        data = signing.loads(token, salt=SALT, max_age=link_max_age())
    except signing.SignatureExpired:
        raise ExpiredLink from None
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidLink from None
    if not isinstance(data, dict) or data.get("p") != project.pk or not isinstance(data.get("i"), int):
        raise InvalidLink
    invitation = (
        GroupInvitation.objects.filter(pk=data["i"], project=project)
        .select_related("project__organisation", "stakeholder_group")
        .first()
    )
    if invitation is None:
        raise InvalidLink
    return invitation


def involvement_path(invitation: GroupInvitation) -> str:
    project = invitation.project
    return reverse(
        "public_project:involvement_form",
        kwargs={
            "org": project.organisation.slug,
            "project": project.slug,
            "token": involvement_token(invitation),
        },
    )


def public_page_url(project: Project) -> str:
    return settings.SITE_URL + reverse(
        "public_project:project_page", kwargs={"org": project.organisation.slug, "project": project.slug}
    )


# --- Emailing the invitation (TEAM-7) ------------------------------------------------------


def queue_invitation_email(invitation: GroupInvitation) -> None:
    """Send the invitation's email once the transaction commits, with the
    links to the public page and to the involvement form."""
    if invitation.channel != InvitationChannel.EMAIL or not invitation.email:
        return
    project = invitation.project
    context = {
        "project": project,
        "organisation": project.organisation,
        "group": invitation.stakeholder_group,
        "project_url": public_page_url(project),
        "involvement_url": settings.SITE_URL + involvement_path(invitation),
        "expires_on": timezone.localdate() + link_max_age(),
        "formats": [
            str(ACCESSIBLE_FORMATS[fmt]) for fmt in invitation.formats_offered if fmt in ACCESSIBLE_FORMATS
        ],
    }
    subject = _("You are invited to take part in “%(title)s”") % {"title": project.title}
    body = render_to_string("stakeholders/groupinvitation_email.txt", context)
    address, invitation_id = invitation.email, invitation.pk

    def send() -> None:
        send_mail(subject, body, None, [address])
        with scopes_disabled():
            GroupInvitation.objects.filter(pk=invitation_id).update(emailed_at=timezone.now())

    transaction.on_commit(send)


@transaction.atomic
def group_invitation_email(*, invitation: GroupInvitation, actor: AbstractBaseUser) -> GroupInvitation:
    """TEAM-7: email the invitation (again) with a fresh link, for example
    when the first one has expired."""
    require(can_edit_project(actor, invitation.project), "Only the project's facilitators send invitations.")
    if invitation.channel != InvitationChannel.EMAIL or not invitation.email:
        raise Conflict(_("Only an invitation sent by email to a recorded address can be emailed."))
    if not invitation.project.is_open:
        raise Conflict(_("The project has closed; it no longer invites people."))
    audit_record(
        organisation=invitation.project.organisation,
        project=invitation.project,
        actor=actor,
        action="stakeholders.group_invitation.emailed",
        obj=invitation,
        rule=Rule.TEAM_7,
    )
    queue_invitation_email(invitation)
    return invitation


# --- The answer (TEAM-8) ---------------------------------------------------------------------


def _clean_levels(levels: list[str] | None, not_now: bool) -> list[str]:
    chosen = set(levels or [])
    unknown = chosen - set(InvolvementLevel.values)
    if unknown:
        raise ValidationError({"levels": _("Choose from the ways of taking part listed.")})
    if chosen and not_now:
        raise ValidationError(
            {
                "not_now": _(
                    "Either choose how you would like to be involved, or that you do not want to be now."
                )
            }
        )
    if not chosen and not not_now:
        raise ValidationError(
            {"levels": _("Choose at least one way you would like to be involved, or tell us not now.")}
        )
    # In the order the form lists them, whatever order they came in.
    return [level for level in InvolvementLevel.values if level in chosen]


def _clean_contact(preference: str, contact: str) -> str:
    contact = contact.strip()
    if preference and preference not in ContactPreference.values:
        raise ValidationError({"contact_preference": _("Choose one of the ways listed.")})
    if not contact:
        return ""
    if preference == ContactPreference.EMAIL:
        try:
            validate_email(contact)
        except ValidationError:
            raise ValidationError({"contact": _("Enter an email address like name@example.org.")}) from None
    elif preference == ContactPreference.PHONE and (
        not _PHONE.match(contact) or sum(ch.isdigit() for ch in contact) < 6
    ):
        raise ValidationError({"contact": _("Enter a telephone number, for example 01632 960 123.")})
    return contact


def involvement_submit(
    *,
    invitation: GroupInvitation,
    levels: list[str] | None = None,
    not_now: bool = False,
    name: str = "",
    contact_preference: str = "",
    contact: str = "",
    access_needs: str = "",
) -> InvolvementResponse:
    """TEAM-7, TEAM-8: the invited person says how they would like to be
    involved, without an account (the signed link stands in for one). One
    answer per invitation; answering again updates it. The invitation's
    response follows the answer: wants to take part, or declined for now.
    The project's facilitators are told by email after commit."""
    levels = _clean_levels(levels, not_now)
    contact = _clean_contact(contact_preference, contact)
    with transaction.atomic():
        # The row lock makes two submissions at once update one answer.
        invitation = (
            GroupInvitation.objects.select_for_update(of=("self",))
            .select_related("project__organisation", "stakeholder_group")
            .get(pk=invitation.pk)
        )
        project = invitation.project
        if not project.is_open:
            raise Conflict(_("This project has finished, so it no longer takes replies."))
        answer = InvolvementResponse.objects.filter(invitation=invitation).first()
        updated = answer is not None
        if answer is None:
            answer = InvolvementResponse(
                invitation=invitation, project=project, stakeholder_group=invitation.stakeholder_group
            )
        else:
            answer.times_submitted += 1
        answer.levels = levels
        answer.not_now = not_now
        answer.name = name.strip()
        answer.contact_preference = contact_preference
        answer.contact = contact
        answer.access_needs = access_needs.strip()
        answer.full_clean()
        answer.save()
        invitation.response = InvitationResponse.DECLINED if not_now else InvitationResponse.ACCEPTED
        invitation.save(update_fields=["response"])
        # No name, contact or access needs in the audit log.
        audit_record(
            organisation=project.organisation,
            project=project,
            actor=None,
            action="stakeholders.involvement.updated" if updated else "stakeholders.involvement.received",
            obj=answer,
            rule=Rule.TEAM_8,
            data={"invitation": invitation.pk, "levels": levels, "not_now": not_now},
        )
        _queue_facilitator_notice(answer, updated=updated)
    return answer


# --- Telling the facilitators ------------------------------------------------------------


def project_facilitator_emails(project: Project) -> list[str]:
    """Who hears about a reply: the project's own facilitators (the
    `facilitate_project` grant); if it has none, the organisation's
    facilitators; if none, its admins. Members of the project's organisation
    only (TENANT-1)."""
    with scopes_disabled():
        members = {
            member.user_id: member
            for member in OrganisationMember.objects.filter(
                organisation_id=project.organisation_id
            ).select_related("user")
        }
    own = {
        user.pk
        for user in get_users_with_perms(
            project, only_with_perms_in=["facilitate_project"], with_group_users=False
        )
        if user.pk in members
    }
    chosen = own or {uid for uid, m in members.items() if m.role == Role.FACILITATOR}
    chosen = chosen or {uid for uid, m in members.items() if m.role == Role.ADMIN}
    return sorted({members[uid].user.email for uid in chosen if members[uid].user.email})


def _queue_facilitator_notice(answer: InvolvementResponse, *, updated: bool) -> None:
    invitation = answer.invitation
    project = invitation.project
    link = settings.SITE_URL + reverse(
        "participation:group_invitations", kwargs={"org": project.organisation.slug, "project": project.slug}
    )
    context: dict[str, Any] = {
        "project": project,
        "group": invitation.stakeholder_group,
        "answer": answer,
        "updated": updated,
        "link": link,
    }
    subject = _("[%(title)s] %(group)s: how they would like to be involved") % {
        "title": project.title,
        "group": invitation.stakeholder_group.name,
    }
    # The email names no one and carries no contact details: those stay on the page.
    body = render_to_string("stakeholders/involvementresponse_email.txt", context)

    def send() -> None:
        for address in project_facilitator_emails(project):
            send_mail(subject, body, None, [address])

    transaction.on_commit(send)
