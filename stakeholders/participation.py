"""Public participation (SCOPE-2, SCOPE-3, TEAM-7, TEAM-9): input from anyone
at any stage, its answers, the scoping checks, and invitations per group."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_scopes import scopes_disabled

from coprod.audit import audit_record, refusals_audited
from coprod.errors import Conflict, Refusal, RuleViolation
from coprod.rulebook import Rule
from coprod.services import require
from projects.models import Project
from projects.permissions import can_edit_project
from stakeholders.involvement import queue_invitation_email
from stakeholders.models import (
    ACCESSIBLE_FORMATS,
    GroupInvitation,
    InputResponse,
    InputStatus,
    PublicInput,
    ScopePart,
    StakeholderGroup,
)


def _audit(
    project: Project, actor: Any, action: str, obj: Any, rule: Rule | None = None, **data: Any
) -> None:
    audit_record(
        organisation=project.organisation,
        project=project,
        actor=actor,
        action=action,
        obj=obj,
        rule=rule,
        data=data,
    )


def _require_input_open(project: Project) -> None:
    if not project.is_open:
        raise Conflict(_("This project has closed; it no longer takes input."))


def input_submit(
    *,
    project: Project,
    message: str,
    affected: str,
    impact: str,
    as_who: str,
    consent: bool,
    name: str = "",
    contact: str = "",
    stakeholder_group: StakeholderGroup | None = None,
) -> PublicInput:
    """TEAM-9: anyone, without an account, can give input at any stage until
    the project closes. SCOPE-2: input given during scoping counts for it."""
    _require_input_open(project)
    if not consent:
        raise ValidationError(
            {"consent": _("Please agree to how we use what you tell us, so we can use it.")}
        )
    if stakeholder_group is not None and stakeholder_group.project_id != project.pk:
        raise ValidationError({"stakeholder_group": _("Choose a group of this project.")})
    with transaction.atomic():
        item = PublicInput(
            project=project,
            stakeholder_group=stakeholder_group,
            message=message.strip(),
            affected=affected,
            impact=impact,
            as_who=as_who,
            name=name.strip(),
            contact=contact.strip(),
            consent=True,
            during_scoping=project.status in (Project.Status.PROPOSED, Project.Status.SCOPING),
        )
        # Field validation here; the check constraints (valid choices) are
        # the database's to enforce on save: validating each with a query of
        # its own made them most of the cost of a public submission.
        item.full_clean(validate_constraints=False)
        item.save()
        # No contact details in the audit log.
        _audit(project, None, "stakeholders.input.received", item, Rule.TEAM_9, channel="web")
    return item


def input_record(*, project: Project, channel: str, actor: AbstractBaseUser, **fields: Any) -> PublicInput:
    """Staff record input received by phone, on paper, by email or at a
    meeting, with its channel, so people without the web count too."""
    require(can_edit_project(actor, project), _("Only the project's facilitators record input."))
    with transaction.atomic():
        item = input_submit(project=project, **fields)
        item.channel = channel
        item.recorded_by = actor
        item.full_clean()
        item.save(update_fields=["channel", "recorded_by"])
        _audit(project, actor, "stakeholders.input.recorded", item, Rule.TEAM_9, channel=channel)
    return item


@transaction.atomic
def input_acknowledge(*, item: PublicInput, actor: AbstractBaseUser) -> PublicInput:
    require(can_edit_project(actor, item.project), _("Only the project's facilitators handle input."))
    if item.status == InputStatus.NEW:
        item.status = InputStatus.ACKNOWLEDGED
        item.acknowledged_at = timezone.now()
        item.save(update_fields=["status", "acknowledged_at"])
        _audit(item.project, actor, "stakeholders.input.acknowledged", item, Rule.TEAM_9)
    return item


def _clean_scope_part(item: PublicInput, scope_part: str) -> str:
    if scope_part and scope_part not in ScopePart.values:
        raise ValidationError({"scope_part": _("Choose a part of the scope from the list.")})
    if scope_part and not item.during_scoping:
        raise ValidationError(
            {"scope_part": _("Only input given during scoping shapes the scope document (SCOPE-2).")}
        )
    return scope_part


@transaction.atomic
def input_respond(
    *,
    item: PublicInput,
    public_text: str,
    incorporated: str,
    how_or_why: str,
    actor: AbstractBaseUser,
    scope_part: str = "",
) -> InputResponse:
    """SCOPE-2, TEAM-9: every input gets a public answer saying whether and how
    it was incorporated, or why not; for scoping input, which part of the
    scope it shaped. The reply is emailed when a contact email was given."""
    require(can_edit_project(actor, item.project), _("Only the project's facilitators answer input."))
    item = (
        PublicInput.objects.select_for_update(of=("self",))
        .select_related("project__organisation")
        .get(pk=item.pk)
    )
    if hasattr(item, "response"):
        raise Conflict(_("This input has already been answered."))
    scope_part = _clean_scope_part(item, scope_part)
    if not public_text.strip() or not how_or_why.strip():
        raise ValidationError(
            {
                key: _("Required.")
                for key, value in (("public_text", public_text), ("how_or_why", how_or_why))
                if not value.strip()
            }
        )
    response = InputResponse(
        input=item,
        public_text=public_text.strip(),
        incorporated=incorporated,
        how_or_why=how_or_why.strip(),
        scope_part=scope_part,
        responded_by=actor,
    )
    response.full_clean()
    response.save()
    item.status = InputStatus.ANSWERED
    item.acknowledged_at = item.acknowledged_at or timezone.now()
    item.save(update_fields=["status", "acknowledged_at"])
    _audit(item.project, actor, "stakeholders.input.answered", item, Rule.SCOPE_2, incorporated=incorporated)
    email = _email_of(item.contact)
    if email:
        project = item.project
        body = (
            _("Thank you for your input on “%(title)s”.") % {"title": project.title}
            + "\n\n"
            + _("Our answer:")
            + f"\n{response.public_text}\n\n{response.get_incorporated_display()}: {response.how_or_why}\n"
        )
        response_id = response.pk

        subject = _("Our answer to your input on %(title)s") % {"title": project.title}

        def send() -> None:
            send_mail(subject, body, None, [email])
            InputResponse.objects.filter(pk=response_id).update(emailed_at=timezone.now())

        transaction.on_commit(send)
    return response


@transaction.atomic
def input_response_scope_part_set(
    *, response: InputResponse, scope_part: str, actor: AbstractBaseUser
) -> InputResponse:
    """SCOPE-2: name (or change, or clear) the part of the scope a scoping
    input shaped. The published answer itself is never edited."""
    item = response.input
    require(can_edit_project(actor, item.project), _("Only the project's facilitators answer input."))
    scope_part = _clean_scope_part(item, scope_part)
    response = InputResponse.objects.select_for_update().get(pk=response.pk)
    if response.scope_part != scope_part:
        old = response.scope_part
        response.scope_part = scope_part
        response.save(update_fields=["scope_part"])
        _audit(
            item.project,
            actor,
            "stakeholders.input.scope_part",
            item,
            Rule.SCOPE_2,
            scope_part=[old, scope_part],
        )
    return response


def _email_of(contact: str) -> str:
    try:
        validate_email(contact)
    except ValidationError:
        return ""
    return contact


@refusals_audited
def input_close(*, project: Project, actor: Any) -> None:
    """TEAM-9: the input form stays open through every phase; it closes only
    with the project."""
    if project.is_open:
        raise RuleViolation(
            Rule.TEAM_9,
            _(
                "Input stays open at every stage until the project closes: anyone may have their say at any time."
            ),
            refusal=Refusal.ACTOR,
        )
    raise Conflict(_("The project is closed, and input with it."))


def purge_contacts(*, now: datetime.datetime | None = None) -> int:
    """Delete the name and contact of inputs answered more than
    INPUT_CONTACT_RETENTION_DAYS ago; the input itself is kept. Spans
    organisations on purpose (a periodic job); one UPDATE."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.INPUT_CONTACT_RETENTION_DAYS)
    with scopes_disabled():
        answered_long_ago = InputResponse.objects.filter(input=OuterRef("pk"), responded_at__lt=cutoff)
        return (
            PublicInput.objects.filter(contact_deleted_at__isnull=True)
            .filter(Exists(answered_long_ago))
            .exclude(name="", contact="")
            .update(name="", contact="", contact_deleted_at=now)
        )


# --- Scoping that listens (SCOPE-2, SCOPE-3) -------------------------------------------


def scoping_gaps(project: Project) -> list[tuple[Rule, str]]:
    """What still stops scoping from being finalised, each with its rule."""
    groups = list(StakeholderGroup.objects.filter(project=project))
    inputs = list(PublicInput.objects.filter(project=project, during_scoping=True).select_related("response"))
    heard = {item.stakeholder_group_id for item in inputs if item.stakeholder_group_id}
    gaps: list[tuple[Rule, str]] = []
    if not groups:
        gaps.append((Rule.SCOPE_2, _("No stakeholder groups are identified yet.")))
    for group in groups:
        if group.pk not in heard:
            gaps.append((Rule.SCOPE_2, _("No views gathered yet from “%(group)s”.") % {"group": group.name}))
    unanswered = [item for item in inputs if not hasattr(item, "response")]
    if unanswered:
        gaps.append(
            (
                Rule.SCOPE_2,
                ngettext(
                    "%(count)s scoping input has no recorded response yet.",
                    "%(count)s scoping inputs have no recorded response yet.",
                    len(unanswered),
                )
                % {"count": len(unanswered)},
            )
        )
    at_risk = [group for group in groups if group.may_be_negatively_affected]
    consulted = [group for group in at_risk if group.pk in heard]
    if not consulted and not project.no_negative_impact_reason.strip():
        if at_risk:
            gaps.append((Rule.SCOPE_3, _("No group that may be negatively affected has been consulted yet.")))
        else:
            gaps.append(
                (
                    Rule.SCOPE_3,
                    "No group that may be negatively affected is identified: identify and consult one, or record "
                    "why none exists.",
                )
            )
    return gaps


def guard_scoping_complete(project: Project) -> None:
    """Registered on scoping → delivery (SCOPE-2, SCOPE-3)."""
    gaps = scoping_gaps(project)
    if gaps:
        raise RuleViolation(
            gaps[0][0],
            "Scoping cannot be finalised yet: " + " ".join(message for _rule, message in gaps),
            evidence=[{"rule": rule.value, "problem": message} for rule, message in gaps],
        )


@transaction.atomic
def no_negative_impact_record(*, project: Project, reason: str, actor: AbstractBaseUser) -> Project:
    """SCOPE-3: record why no group may be negatively affected."""
    require(can_edit_project(actor, project), _("Only the project's facilitators record this."))
    if len(reason.strip()) < 20:
        raise ValidationError(
            {"reason": _("Explain in at least a sentence why no group could be negatively affected.")}
        )
    project.no_negative_impact_reason = reason.strip()
    project.save(update_fields=["no_negative_impact_reason", "updated_at"])
    _audit(project, actor, "stakeholders.scope.no_negative_impact", project, Rule.SCOPE_3)
    return project


# --- Invitations per group (TEAM-7) ------------------------------------------------------


def group_invitation_record(
    *,
    group: StakeholderGroup,
    channel: str,
    sent_on: datetime.date,
    actor: AbstractBaseUser,
    formats_offered: list[str] | None = None,
    response: str = GroupInvitation.Response.AWAITING,
    response_note: str = "",
    email: str = "",
) -> GroupInvitation:
    """TEAM-7: every identified group is specially invited, with accessible
    formats offered. An invitation by email to an address given here is sent
    by coprod once recorded, with links to the public project page and to
    the group's "how would you like to be involved" form (TEAM-8)."""
    project = group.project
    require(can_edit_project(actor, project), _("Only the project's facilitators record invitations."))
    formats = list(dict.fromkeys(formats_offered or []))
    if any(fmt not in ACCESSIBLE_FORMATS for fmt in formats):
        raise ValidationError({"formats_offered": "Choose from: " + ", ".join(ACCESSIBLE_FORMATS) + "."})
    email = email.strip()
    if email and channel != GroupInvitation.Channel.EMAIL:
        raise ValidationError({"email": _("An email address goes only with an invitation sent by email.")})
    if email and not project.is_open:
        raise Conflict(_("The project has closed; it no longer invites people."))
    with transaction.atomic():
        invitation = GroupInvitation(
            project=project,
            stakeholder_group=group,
            channel=channel,
            sent_on=sent_on,
            formats_offered=formats,
            response=response,
            response_note=response_note.strip(),
            email=email,
            recorded_by=actor,
        )
        invitation.full_clean()
        invitation.save()
        _audit(
            project,
            actor,
            "stakeholders.group_invitation.recorded",
            invitation,
            Rule.TEAM_7,
            channel=channel,
            emailed=bool(email),
        )
        queue_invitation_email(invitation)
    return invitation


@transaction.atomic
def group_invitation_respond(
    *, invitation: GroupInvitation, response: str, actor: AbstractBaseUser, note: str = ""
) -> GroupInvitation:
    require(
        can_edit_project(actor, invitation.project), _("Only the project's facilitators record responses.")
    )
    invitation.response = response
    invitation.response_note = note.strip()
    invitation.full_clean()
    invitation.save(update_fields=["response", "response_note"])
    _audit(
        invitation.project,
        actor,
        "stakeholders.group_invitation.response",
        invitation,
        Rule.TEAM_7,
        response=response,
    )
    return invitation
