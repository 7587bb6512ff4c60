"""Writes for the stakeholder register of a project and the organisation's
people directory."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coprod.audit import audit_record, refusals_audited
from coprod.errors import Conflict
from coprod.rulebook import Rule
from coprod.services import apply_changes, delete_unless_referenced, require
from projects.models import Organisation, OrganisationMember, Project
from stakeholders import permissions
from stakeholders.models import ANONYMISED_NAME, Person, StakeholderGroup

GROUP_FIELDS = {"name", "description", "affected", "impact", "is_professional"}
PERSON_FIELDS = {"name", "email", "phone", "user", "access_needs"}


def _check_group_name(project: Project, name: str, *, exclude_pk: int | None = None) -> None:
    clash = StakeholderGroup.objects.filter(project=project, name__iexact=name.strip())
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"name": _("This project already has a stakeholder group with this name.")})


def stakeholder_group_add(
    *,
    project: Project,
    name: str,
    affected: str,
    impact: str,
    is_professional: bool = False,
    description: str = "",
    actor: AbstractBaseUser,
) -> StakeholderGroup:
    """SCOPE-4: records whether a group is affected directly or indirectly and
    whether its members are professionals; SCOPE-3: and how it may be affected."""
    require(
        permissions.can_manage_stakeholders(actor, project),
        _("You cannot change this project's stakeholders."),
    )
    if not project.is_open:
        raise Conflict(_("This project is closed."))
    with transaction.atomic():
        _check_group_name(project, name)
        group = StakeholderGroup(
            project=project,
            name=name.strip(),
            description=description,
            affected=affected,
            impact=impact,
            is_professional=is_professional,
        )
        group.full_clean()
        group.save()
        audit_record(
            organisation=project.organisation,
            project=project,
            actor=actor,
            action="stakeholders.group.created",
            obj=group,
            rule=Rule.SCOPE_4,
            data={"affected": affected, "impact": impact, "is_professional": is_professional},
        )
    return group


@transaction.atomic
def stakeholder_group_update(
    *, group: StakeholderGroup, actor: AbstractBaseUser, **changes: Any
) -> StakeholderGroup:
    project = group.project
    require(
        permissions.can_manage_stakeholders(actor, project),
        _("You cannot change this project's stakeholders."),
    )
    if "name" in changes:
        changes["name"] = str(changes["name"]).strip()
        _check_group_name(project, changes["name"], exclude_pk=group.pk)
    diff = apply_changes(group, changes, GROUP_FIELDS)
    if diff:
        group.full_clean()
        group.save()
        audit_record(
            organisation=project.organisation,
            project=project,
            actor=actor,
            action="stakeholders.group.updated",
            obj=group,
            data=diff,
        )
    return group


@transaction.atomic
def stakeholder_group_remove(*, group: StakeholderGroup, actor: AbstractBaseUser) -> None:
    project = group.project
    require(
        permissions.can_manage_stakeholders(actor, project),
        _("You cannot change this project's stakeholders."),
    )
    audit_record(
        organisation=project.organisation,
        project=project,
        actor=actor,
        action="stakeholders.group.removed",
        obj=group,
        data={"name": group.name},
    )
    # Seats on a body may represent the group (BOARD-2 composition): refuse, not a 500.
    delete_unless_referenced(group, _("The stakeholder group “%(name)s”") % {"name": group.name})


def _check_linked_user(organisation: Organisation, user: Any, *, exclude_pk: int | None = None) -> None:
    """TENANT-1: a directory entry may only link to a member of this organisation."""
    if user is None:
        return
    if not OrganisationMember.objects.filter(organisation=organisation, user=user).exists():
        raise ValidationError({"user": _("Choose a member of this organisation.")})
    clash = Person.objects.filter(organisation=organisation, user=user)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"user": _("This account is already linked to someone in the directory.")})


def person_add(
    *,
    organisation: Organisation,
    name: str,
    email: str = "",
    phone: str = "",
    user: Any = None,
    access_needs: str = "",
    actor: AbstractBaseUser,
) -> Person:
    require(
        permissions.can_manage_directory(actor, organisation), _("You cannot change the people directory.")
    )
    with transaction.atomic():
        _check_linked_user(organisation, user)
        person = Person(
            organisation=organisation,
            name=name.strip(),
            email=email.strip().lower(),
            phone=phone.strip(),
            user=user,
            access_needs=access_needs,
        )
        person.full_clean()
        person.save()
        # Names only: contact details stay out of the audit log.
        audit_record(organisation=organisation, actor=actor, action="stakeholders.person.created", obj=person)
    return person


@transaction.atomic
def person_update(*, person: Person, actor: AbstractBaseUser, **changes: Any) -> Person:
    organisation = person.organisation
    require(
        permissions.can_manage_directory(actor, organisation), _("You cannot change the people directory.")
    )
    if "user" in changes and changes["user"] != person.user:
        _check_linked_user(organisation, changes["user"], exclude_pk=person.pk)
    if "email" in changes:
        changes["email"] = str(changes["email"]).strip().lower()
    diff = apply_changes(person, changes, PERSON_FIELDS)
    if diff:
        person.full_clean()
        person.save()
        audit_record(
            organisation=organisation,
            actor=actor,
            action="stakeholders.person.updated",
            obj=person,
            data={"fields": sorted(diff)},
        )
    return person


@refusals_audited
@transaction.atomic
def person_erase(*, person: Person, actor: AbstractBaseUser) -> Person:
    """A UK GDPR erasure request: replace the person's name and contact details
    and unlink their account. Seats, votes and ledger entries keep pointing at
    the same record by id, so the decision ledger still verifies and reads
    "anonymised member (service user)"."""
    organisation = person.organisation
    require(
        permissions.can_manage_directory(actor, organisation), _("You cannot change the people directory.")
    )
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.erased_at is not None:
        raise Conflict(_("This person has already been anonymised."))
    person.name = ANONYMISED_NAME
    person.email = ""
    person.phone = ""
    person.access_needs = ""
    person.user = None
    person.erased_at = timezone.now()
    person.save()
    audit_record(
        organisation=organisation,
        actor=actor,
        action="stakeholders.person.erased",
        obj=person,
        data={"reason": "erasure request"},
    )
    return person
