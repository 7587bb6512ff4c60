"""Cadence monitoring (BOARD-9, GROUP-6, GROUP-8, TEAM-3, TEAM-9 report side):
checks that notice a body losing control, the flags they raise and resolve,
and the emails about them.

Each app registers its checks in its own `monitoring.py`; a check reads all
organisations at once with a fixed number of queries (it spans tenants on
purpose) and returns what should be flagged now. The sweep raises what is
new and resolves what cleared, idempotently: a unique constraint on open
flags and conditional updates make a second sweep, a retried task or a second
beat harmless. Emails are claimed row by row before they are sent, after
commit, so nobody is emailed twice (at most once: a worker that dies between
the claim and the send loses that email rather than repeating it)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django_scopes import scopes_disabled
from guardian.shortcuts import get_users_with_perms

from coprod.rulebook import Rule
from projects.models import (
    DigestEmail,
    Flag,
    FlagEmail,
    NotificationPreference,
    OrganisationMember,
    Project,
    Role,
)


@dataclass(frozen=True)
class FlagSpec:
    """A condition that should be flagged now."""

    organisation_id: int
    project_id: int
    kind: str
    rule: Rule
    key: str
    title: str
    since: datetime.datetime
    details: str = ""
    fix: str = ""
    url: str = ""
    body_id: int | None = None


Check = Callable[[datetime.datetime], Iterable[FlagSpec]]
CHECKS: dict[str, Check] = {}


def check(function: Check) -> Check:
    """Register a cadence check."""
    CHECKS[f"{function.__module__}.{function.__qualname__}"] = function
    return function


def load_checks() -> dict[str, Check]:
    autodiscover_modules("monitoring")
    return CHECKS


@dataclass(frozen=True)
class SweepResult:
    raised: int
    resolved: int
    open: int


def sweep(now: datetime.datetime | None = None) -> SweepResult:
    """Run every check over every organisation; raise new flags and resolve
    the ones whose condition cleared. Safe to run concurrently and again."""
    now = now or timezone.now()
    checks = load_checks()
    with scopes_disabled():
        wanted: dict[tuple[int, str], FlagSpec] = {}
        for run in checks.values():
            for spec in run(now):
                wanted.setdefault((spec.project_id, spec.key), spec)
        open_flags = list(
            Flag.objects.filter(resolved_at__isnull=True).values_list("pk", "project_id", "key")
        )
        existing = {(project_id, key) for _pk, project_id, key in open_flags}
        new = [
            Flag(
                organisation_id=spec.organisation_id,
                project_id=spec.project_id,
                kind=spec.kind,
                rule=spec.rule.value,
                key=spec.key,
                title=spec.title[:300],
                details=spec.details[:5000],
                fix=spec.fix[:2000],
                url=spec.url[:500],
                since=spec.since,
                body_id=spec.body_id,
            )
            for (project_id, key), spec in wanted.items()
            if (project_id, key) not in existing
        ]
        # A concurrent sweep may insert the same flags: the partial unique
        # index turns the second insert into a no-op instead of a duplicate.
        # PostgreSQL takes the whole list in one statement, so the query count
        # does not grow with the number of flags; SQLite needs batches.
        batch = None if connection.vendor == "postgresql" else 500
        Flag.objects.bulk_create(new, ignore_conflicts=True, batch_size=batch)
        cleared = [pk for pk, project_id, key in open_flags if (project_id, key) not in wanted]
        resolved = 0
        step = (len(cleared) or 1) if batch is None else batch
        for start in range(0, len(cleared), step):
            resolved += Flag.objects.filter(
                pk__in=cleared[start : start + step], resolved_at__isnull=True
            ).update(resolved_at=now)
        still_open = Flag.objects.filter(resolved_at__isnull=True).count()
    return SweepResult(raised=len(new), resolved=resolved, open=still_open)


# --- Recipients and emails -----------------------------------------------------------


def recipients_for(flag: Flag) -> set[int]:
    """User ids to tell about a flag: the project's facilitators (the
    organisation's facilitators and admins, and whoever facilitates this
    project) and the chair of the body concerned. Only members of the flag's
    own organisation (TENANT-1)."""
    members = dict(
        OrganisationMember.objects.filter(organisation_id=flag.organisation_id).values_list("user_id", "role")
    )
    users = {user_id for user_id, role in members.items() if role in (Role.ADMIN, Role.FACILITATOR)}
    project = Project.objects.get(pk=flag.project_id)
    users.update(
        user.pk
        for user in get_users_with_perms(
            project, only_with_perms_in=["facilitate_project"], with_group_users=False
        )
        if user.pk in members
    )
    if flag.body_id:
        from django.apps import apps

        Body = apps.get_model("boards", "Body")
        chair_user = (
            Body.objects.filter(pk=flag.body_id).values_list("chair_seat__person__user_id", flat=True).first()
        )
        if chair_user and chair_user in members:
            users.add(chair_user)
    return users


def _wants(organisation_id: int, preference: str) -> set[int]:
    return set(
        OrganisationMember.objects.filter(
            organisation_id=organisation_id, notifications=preference
        ).values_list("user_id", flat=True)
    )


def flag_link(flag: Flag) -> str:
    return settings.SITE_URL + reverse(
        "projects:project_flags", kwargs={"org": flag.organisation.slug, "project": flag.project.slug}
    )


def notify_new_flags(now: datetime.datetime | None = None) -> int:
    """Email the chair and the facilitators once about each new flag, if they
    chose an email for every flag. Returns the number of emails sent."""
    now = now or timezone.now()
    sent = 0
    with scopes_disabled():
        for flag in Flag.objects.filter(resolved_at__isnull=True, notified_at__isnull=True).select_related(
            "organisation", "project"
        ):
            with transaction.atomic():
                # Claim the flag: only one sweep gets to create its email rows.
                if not Flag.objects.filter(pk=flag.pk, notified_at__isnull=True).update(notified_at=now):
                    continue
                wanted = recipients_for(flag) & _wants(flag.organisation_id, NotificationPreference.EVERY)
                FlagEmail.objects.bulk_create(
                    [FlagEmail(flag=flag, user_id=user_id) for user_id in sorted(wanted)],
                    ignore_conflicts=True,
                )
        for email in FlagEmail.objects.filter(sent_at__isnull=True).select_related(
            "flag__organisation", "flag__project", "user"
        ):
            # Claim the email itself: a retried or parallel run skips it.
            if not FlagEmail.objects.filter(pk=email.pk, sent_at__isnull=True).update(sent_at=now):
                continue
            if not email.user.email:
                continue
            flag = email.flag
            send_mail(
                subject=f"[{flag.project.title}] {flag.title}",
                message=(
                    f"{flag.title}\n\n{flag.details}\n\nWhat would clear it: {flag.fix}\n\n"
                    f"Rule: {flag.rule}\nSee the flag: {flag_link(flag)}\n"
                    f"Change how you hear about flags on your organisation page.\n"
                ),
                from_email=None,
                recipient_list=[email.user.email],
            )
            sent += 1
    return sent


def send_digests(day: datetime.date | None = None) -> int:
    """Once a day, one email per person who chose the digest, listing the
    open flags of each organisation they belong to that concern them."""
    day = day or timezone.localdate()
    sent = 0
    with scopes_disabled():
        open_flags = list(
            Flag.objects.filter(resolved_at__isnull=True).select_related("organisation", "project")
        )
        by_user: dict[tuple[int, int], list[Flag]] = {}
        digest_members = {
            (member.organisation_id, member.user_id): member
            for member in OrganisationMember.objects.filter(
                notifications=NotificationPreference.DIGEST
            ).select_related("user")
        }
        for flag in open_flags:
            for user_id in recipients_for(flag):
                if (flag.organisation_id, user_id) in digest_members:
                    by_user.setdefault((flag.organisation_id, user_id), []).append(flag)
        for (organisation_id, user_id), flags in by_user.items():
            member = digest_members[(organisation_id, user_id)]
            DigestEmail.objects.bulk_create(
                [
                    DigestEmail(
                        organisation_id=organisation_id, user_id=user_id, day=day, flag_count=len(flags)
                    )
                ],
                ignore_conflicts=True,
            )
            if not DigestEmail.objects.filter(
                organisation_id=organisation_id, user_id=user_id, day=day, sent_at__isnull=True
            ).update(sent_at=timezone.now()):
                continue
            if not member.user.email:
                continue
            lines = [
                f"- {flag.project.title}: {flag.title} ({flag.rule})\n  {flag_link(flag)}" for flag in flags
            ]
            send_mail(
                subject=f"{len(flags)} open flag(s) in {flags[0].organisation.name}",
                message="Open flags today:\n\n" + "\n".join(lines) + "\n",
                from_email=None,
                recipient_list=[member.user.email],
            )
            sent += 1
    return sent
