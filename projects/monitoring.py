"""Cadence monitoring (BOARD-9, GROUP-6, GROUP-8, TEAM-3, TEAM-9 report side):
checks that notice a body losing control, the flags they raise and resolve,
and the emails about them.

Each app registers its checks in its own `monitoring.py`; a check reads all
organisations at once with a fixed number of queries (it spans tenants on
purpose) and returns what should be flagged now. The sweep raises what is
new and resolves what cleared, idempotently: a unique constraint on open
flags and conditional updates make a second sweep, a retried task or a second
beat harmless.

Emails are claimed before they are sent, and sent once the claim is
committed, so nobody is emailed twice: the new flags, then the unsent emails
(and each day's digests) are read under row locks that skip rows another run
holds (PostgreSQL) and claimed with one conditional UPDATE each; a claim that
changes fewer rows than it read (possible only without row locks) gives up
rather than risk a second email, and the unique constraints on the claim rows
settle any race that is left. It is at most once: a worker that dies between
the claim and the send loses those emails rather than repeating them (an
error while sending releases the ones not yet tried). Who is told is loaded
for all the flags at once (`Audience`), so neither the emails nor the digests
cost queries per flag."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django_scopes import scopes_disabled
from guardian.utils import get_user_obj_perms_model

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

# Ids per statement on databases that limit the parameters of one statement
# (SQLite). PostgreSQL takes any number, so there every step is one statement
# and the query count does not grow with the number of flags.
_CHUNK = 500


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


def path_template(name: str, *params: str) -> Callable[..., str]:
    """The path of the URL `name` as a function of its `params`, for checks
    and emails that need a link for every row of every organisation:
    reverse() once (it is the slow part), then fill the values in per row
    with `str.format`. Each parameter is reversed as a distinct run of digits,
    which every path converter (int, slug, str) accepts. The values are
    inserted as they are, so pass slugs, kinds and ids (URL-safe) only.

        item_path = path_template("boards:item_detail", "org", "project", "kind", "pk")
        item_path(org="riverside", project="day-service", kind="board", pk=12)
    """
    markers = {param: f"90{index:02d}9090{index:02d}" for index, param in enumerate(params)}
    template = reverse(name, kwargs=markers).replace("{", "{{").replace("}", "}}")
    for param, marker in markers.items():
        if template.count(marker) != 1:
            raise ValueError(f"Cannot make a template of {name!r}: {param!r} is not in the path once.")
        template = template.replace(marker, "{" + param + "}")
    return template.format


@dataclass(frozen=True)
class SweepResult:
    raised: int
    resolved: int
    open: int


def _is_postgresql() -> bool:
    return connection.vendor == "postgresql"


_Item = TypeVar("_Item")


def _chunks(items: Sequence[_Item]) -> Iterator[Sequence[_Item]]:
    """`items` whole on PostgreSQL, in chunks of `_CHUNK` elsewhere."""
    if _is_postgresql():
        if items:
            yield items
        return
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _update_in(queryset: models.QuerySet, pks: Sequence[int], **values: Any) -> int:
    """`queryset.filter(pk__in=pks).update(**values)`, one statement on
    PostgreSQL whatever the number of ids."""
    return sum(queryset.filter(pk__in=chunk).update(**values) for chunk in _chunks(pks))


class ClaimLost(Exception):
    """Fewer rows were claimed than were read: another run took some of them
    in between (possible only on a database without row locks)."""


def _claim(queryset: models.QuerySet, pks: Sequence[int], **values: Any) -> None:
    """Mark the rows read (under `_locked`) as taken by this run, with a
    conditional update. If another run got to any of them first, give up the
    whole claim (the transaction rolls back) rather than risk a second email."""
    if _update_in(queryset, pks, **values) != len(pks):
        raise ClaimLost


def _locked(queryset: models.QuerySet) -> models.QuerySet:
    """Lock the rows read (call inside a transaction), skipping those another
    run holds, so two runs at once claim different rows. Databases without
    row locks (SQLite) let one writer in at a time instead."""
    features = connection.features
    if not features.has_select_for_update:
        return queryset
    return queryset.select_for_update(
        skip_locked=features.has_select_for_update_skip_locked,
        of=("self",) if features.has_select_for_update_of else (),
    )


def _insert(model: type[models.Model], columns: dict[str, list[Any]]) -> None:
    """Insert rows given column by column (by attribute name, all lists of
    the same length), skipping any that conflicts with a unique constraint:
    a concurrent run inserting the same flag or claim makes it a no-op,
    never a duplicate. PostgreSQL: one `INSERT … SELECT FROM UNNEST` with one
    array per column, whatever the number of rows, the values passed as they
    are: no model instances and no per-value preparation, which at tens of
    thousands of rows were most of the cost. Elsewhere: the ORM, in batches.
    A column not given gets its default, `auto_now_add` the time of the
    insert, as the ORM would."""
    count = len(next(iter(columns.values())))
    if not count:
        return
    if not _is_postgresql():
        names = list(columns)
        model._default_manager.bulk_create(
            [model(**dict(zip(names, row, strict=True))) for row in zip(*columns.values(), strict=True)],
            ignore_conflicts=True,
            batch_size=_CHUNK,
        )
        return
    quote = connection.ops.quote_name
    inserted_at = timezone.now()
    names, arrays, casts = [], [], []
    for model_field in model._meta.concrete_fields:
        if model_field.primary_key:
            continue
        if model_field.attname in columns:
            values = columns[model_field.attname]
        elif getattr(model_field, "auto_now_add", False) or getattr(model_field, "auto_now", False):
            values = [inserted_at] * count
        elif model_field.has_default() or not model_field.null:
            # Prepared once for every row.
            values = [model_field.get_db_prep_save(model_field.get_default(), connection)] * count
        else:
            continue  # null
        names.append(quote(model_field.column))
        arrays.append(values)
        casts.append(f"%s::{model_field.db_type(connection)}[]")
    # Only the model's own table, column names and types go into the text;
    # every value is a parameter.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(names)}) "  # noqa: S608  # nosec B608  # see above
        f"SELECT * FROM UNNEST({', '.join(casts)}) ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, arrays)


def _flag_columns(specs: Sequence[FlagSpec]) -> dict[str, list[Any]]:
    """The new flags column by column, as plain values, the text cut to the
    columns' lengths as the model's fields would."""
    columns: dict[str, list[Any]] = {
        "organisation_id": [spec.organisation_id for spec in specs],
        "project_id": [spec.project_id for spec in specs],
        "kind": [str(spec.kind) for spec in specs],
        "rule": [spec.rule.value for spec in specs],
        "key": [spec.key for spec in specs],
        "body_id": [spec.body_id for spec in specs],
        "since": [spec.since for spec in specs],
    }
    for name in ("title", "details", "fix", "url"):
        limit = Flag._meta.get_field(name).max_length
        columns[name] = [getattr(spec, name)[:limit] for spec in specs]
    return columns


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
        new = [spec for project_key, spec in wanted.items() if project_key not in existing]
        _insert(Flag, _flag_columns(new))
        cleared = [pk for pk, project_id, key in open_flags if (project_id, key) not in wanted]
        resolved = _update_in(Flag.objects.filter(resolved_at__isnull=True), cleared, resolved_at=now)
        still_open = Flag.objects.filter(resolved_at__isnull=True).count()
    return SweepResult(raised=len(new), resolved=resolved, open=still_open)


# --- Recipients and emails -----------------------------------------------------------


class FlagRef(NamedTuple):
    """What deciding who hears about a flag needs to know of it."""

    pk: int
    organisation_id: int
    project_id: int
    body_id: int | None


@dataclass
class Member:
    """A member of an organisation, as the emails need them."""

    role: str
    notifications: str
    email: str


@dataclass
class Audience:
    """Who hears about a set of flags, loaded for all of them in three
    queries whatever their number: the members of their organisations (with
    their role, their choice of notifications and their address), the users
    the projects' facilitator grant was given to (django-guardian), and the
    chairs of the bodies. Only members of a flag's own organisation hear
    about it (TENANT-1)."""

    members: dict[int, dict[int, Member]] = field(default_factory=dict)
    facilitators: dict[int, set[int]] = field(default_factory=dict)
    chairs: dict[int, int] = field(default_factory=dict)
    _staff: dict[int, frozenset[int]] = field(default_factory=dict)

    @classmethod
    def load(cls, flags: Sequence[FlagRef]) -> Audience:
        """Call under `scopes_disabled`: the flags span organisations."""
        audience = cls()
        organisation_ids = sorted({flag.organisation_id for flag in flags})
        project_ids = sorted({flag.project_id for flag in flags})
        body_ids = sorted({flag.body_id for flag in flags if flag.body_id})
        members: dict[int, dict[int, Member]] = defaultdict(dict)
        for chunk in _chunks(organisation_ids):
            for organisation_id, user_id, role, notifications, email in OrganisationMember.objects.filter(
                organisation_id__in=chunk
            ).values_list("organisation_id", "user_id", "role", "notifications", "user__email"):
                members[organisation_id][user_id] = Member(role, notifications, email or "")
        audience.members = dict(members)
        audience.facilitators = _project_facilitators(project_ids)
        Body = apps.get_model("boards", "Body")  # a lower app does not import boards
        for chunk in _chunks(body_ids):
            audience.chairs.update(
                Body.objects.filter(pk__in=chunk, chair_seat__person__user__isnull=False).values_list(
                    "pk", "chair_seat__person__user_id"
                )
            )
        return audience

    def recipients(self, flag: FlagRef) -> set[int]:
        """User ids to tell about a flag: the organisation's facilitators and
        admins, whoever facilitates this project, and the chair of the body
        concerned; members of the flag's organisation only."""
        members = self.members.get(flag.organisation_id, {})
        staff = self._staff.get(flag.organisation_id)
        if staff is None:
            staff = self._staff[flag.organisation_id] = frozenset(
                user_id
                for user_id, member in members.items()
                if member.role in (Role.ADMIN, Role.FACILITATOR)
            )
        users = set(staff)
        users.update(user_id for user_id in self.facilitators.get(flag.project_id, ()) if user_id in members)
        chair = self.chairs.get(flag.body_id) if flag.body_id else None
        if chair is not None and chair in members:
            users.add(chair)
        return users

    def member(self, organisation_id: int, user_id: int) -> Member:
        return self.members[organisation_id][user_id]


def _project_facilitators(project_ids: Sequence[int]) -> dict[int, set[int]]:
    """Users holding the `facilitate_project` grant on each project, straight
    from django-guardian's user object permissions (group grants do not
    count, as before), for many projects in one query."""
    permissions = get_user_obj_perms_model(Project)
    by_project: dict[int, set[int]] = defaultdict(set)
    generic = permissions.objects.is_generic()
    for chunk in _chunks(project_ids):
        grants = permissions.objects.filter(
            permission__codename="facilitate_project",
            permission__content_type__app_label=Project._meta.app_label,
            permission__content_type__model=Project._meta.model_name,
        )
        if generic:
            grants = grants.filter(
                content_type=models.F("permission__content_type"), object_pk__in=[str(pk) for pk in chunk]
            )
            column = "object_pk"
        else:
            grants = grants.filter(content_object_id__in=chunk)
            column = "content_object_id"
        for object_pk, user_id in grants.values_list(column, "user_id"):
            by_project[int(object_pk)].add(user_id)
    return dict(by_project)


def recipients_for(flag: Flag) -> set[int]:
    """User ids to tell about one flag (see `Audience.recipients`)."""
    with scopes_disabled():
        ref = FlagRef(flag.pk, flag.organisation_id, flag.project_id, flag.body_id)
        return Audience.load([ref]).recipients(ref)


def _send(
    messages: Sequence[EmailMessage], release: Callable[[Sequence[int]], None], pks: Sequence[int]
) -> int:
    """Send already claimed messages over one mail connection. If sending
    fails, the claims of the messages not yet tried are released, so the next
    run sends them; the one that failed is not retried (at most once)."""
    sent = 0
    with get_connection() as mailer:
        for index, message in enumerate(messages):
            try:
                mailer.send_messages([message])
            except Exception:
                release(pks[index + 1 :])
                raise
            sent += 1
    return sent


def notify_new_flags(now: datetime.datetime | None = None) -> int:
    """Email the chair and the facilitators once about each new flag, if they
    chose an email for every flag. Returns the number of emails sent. A
    fixed number of queries whatever the number of flags (PostgreSQL)."""
    now = now or timezone.now()
    with scopes_disabled():
        with suppress(ClaimLost), transaction.atomic():
            # Claim the new flags: only one run gets to create their email rows.
            flags = [
                FlagRef(*row)
                for row in _locked(
                    Flag.objects.filter(resolved_at__isnull=True, notified_at__isnull=True).order_by("pk")
                ).values_list("pk", "organisation_id", "project_id", "body_id")
            ]
            if flags:
                _claim(
                    Flag.objects.filter(notified_at__isnull=True),
                    [flag.pk for flag in flags],
                    notified_at=now,
                )
                audience = Audience.load(flags)
                # Who chose an email for every flag, in order of flag and person.
                claims = [
                    (flag.pk, user_id)
                    for flag in flags
                    for user_id in sorted(audience.recipients(flag))
                    if audience.member(flag.organisation_id, user_id).notifications
                    == NotificationPreference.EVERY
                ]
                _insert(
                    FlagEmail,
                    {
                        "flag_id": [flag_id for flag_id, _user in claims],
                        "user_id": [user for _flag, user in claims],
                    },
                )
        try:
            with transaction.atomic():
                # Claim the emails themselves (also those a failed run left):
                # a retried or parallel run skips them.
                pending = _claim_emails(now)
        except ClaimLost:
            pending = []
    # Sent after the claims are committed.
    link = path_template("projects:project_flags", "org", "project")
    messages, pks = [], []
    for pk, address, title, details, fix, rule, project_title, project_slug, org_slug in pending:
        if not address:
            continue
        messages.append(
            EmailMessage(
                subject=f"[{project_title}] {title}",
                body=(
                    f"{title}\n\n{details}\n\nWhat would clear it: {fix}\n\n"
                    f"Rule: {rule}\nSee the flag: {settings.SITE_URL}{link(org=org_slug, project=project_slug)}\n"
                    f"Change how you hear about flags on your organisation page.\n"
                ),
                to=[address],
            )
        )
        pks.append(pk)

    def release(unsent: Sequence[int]) -> None:
        with scopes_disabled():
            _update_in(FlagEmail.objects.filter(sent_at=now), unsent, sent_at=None)

    return _send(messages, release, pks)


def _claim_emails(now: datetime.datetime) -> list[tuple[Any, ...]]:
    """Claim every email not sent yet (call inside a transaction); returns
    what each needs: its id, the address and the flag's text and project."""
    pending = list(
        _locked(FlagEmail.objects.filter(sent_at__isnull=True).order_by("pk")).values_list(
            "pk",
            "user__email",
            "flag__title",
            "flag__details",
            "flag__fix",
            "flag__rule",
            "flag__project__title",
            "flag__project__slug",
            "flag__organisation__slug",
        )
    )
    _claim(FlagEmail.objects.filter(sent_at__isnull=True), [row[0] for row in pending], sent_at=now)
    return pending


def send_digests(day: datetime.date | None = None) -> int:
    """Once a day, one email per person who chose the digest, listing the
    open flags of each organisation they belong to that concern them. A
    fixed number of queries whatever the number of flags and people
    (PostgreSQL)."""
    day = day or timezone.localdate()
    with scopes_disabled():
        open_flags = list(
            Flag.objects.filter(resolved_at__isnull=True).values_list(
                "pk",
                "organisation_id",
                "project_id",
                "body_id",
                "title",
                "rule",
                "project__title",
                "project__slug",
                "organisation__slug",
                "organisation__name",
            )
        )
        refs = [FlagRef(*row[:4]) for row in open_flags]
        audience = Audience.load(refs) if refs else Audience()
        by_member: dict[tuple[int, int], list[tuple[Any, ...]]] = defaultdict(list)
        for ref, row in zip(refs, open_flags, strict=True):
            for user_id in audience.recipients(ref):
                if (
                    audience.member(ref.organisation_id, user_id).notifications
                    == NotificationPreference.DIGEST
                ):
                    by_member[(ref.organisation_id, user_id)].append(row)
        if not by_member:
            return 0
        sent_at = timezone.now()
        try:
            with transaction.atomic():
                claims = _claim_digests(day, by_member, sent_at)
        except ClaimLost:
            return 0
    link = path_template("projects:project_flags", "org", "project")
    messages, pks = [], []
    for pk, org_id, user_id in claims:
        address = audience.member(org_id, user_id).email
        if not address:
            continue
        flags = by_member[(org_id, user_id)]
        lines = [
            f"- {project_title}: {title} ({rule})\n  {settings.SITE_URL}{link(org=org_slug, project=project_slug)}"
            for _pk, _o, _p, _b, title, rule, project_title, project_slug, org_slug, _name in flags
        ]
        messages.append(
            EmailMessage(
                subject=f"{len(flags)} open flag(s) in {flags[0][9]}",
                body="Open flags today:\n\n" + "\n".join(lines) + "\n",
                to=[address],
            )
        )
        pks.append(pk)

    def release(unsent_pks: Sequence[int]) -> None:
        with scopes_disabled():
            _update_in(DigestEmail.objects.filter(sent_at=sent_at), unsent_pks, sent_at=None)

    return _send(messages, release, pks)


def _claim_digests(
    day: datetime.date, by_member: dict[tuple[int, int], list[tuple[Any, ...]]], sent_at: datetime.datetime
) -> list[tuple[int, int, int]]:
    """Create and claim today's digests of these members (call inside a
    transaction): whoever already had one, or is being sent one by a
    parallel run, is skipped. Returns (id, organisation, user) of each."""
    pairs = sorted(by_member)
    _insert(
        DigestEmail,
        {
            "organisation_id": [org_id for org_id, _user in pairs],
            "user_id": [user_id for _org, user_id in pairs],
            "day": [day] * len(pairs),
            "flag_count": [len(by_member[pair]) for pair in pairs],
        },
    )
    unsent = DigestEmail.objects.filter(day=day, sent_at__isnull=True)
    claims = [
        (pk, org_id, user_id)
        for pk, org_id, user_id in _locked(unsent.order_by("pk")).values_list(
            "pk", "organisation_id", "user_id"
        )
        if (org_id, user_id) in by_member
    ]
    _claim(unsent, [pk for pk, _org, _user in claims], sent_at=sent_at)
    return claims
