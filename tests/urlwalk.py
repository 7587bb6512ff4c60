"""Every URL pattern of the project, found from the resolver (not a hand
list), with its kwargs filled from real objects of one organisation. Used by
the tenancy and auditor tests so that a new endpoint is covered the moment it
exists.

Besides the routes and their paths this module gives the walks what they
need to send plausible writes (the forms the pages render, request bodies
built from the OpenAPI description) and to prove nothing changed (a digest of
the content of every table, not only row counts, so an edit shows too)."""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver
from django_scopes import scopes_disabled

from boards.models import AgendaItem, Body, DecisionEntry, ImplementationUpdate, Meeting, Seat
from disputes.models import Dispute, StageRecord
from projects.models import (
    AuditEvent,
    BudgetLine,
    Milestone,
    OrganisationInvitation,
    OrganisationMember,
    ProjectProposal,
)
from stakeholders.models import GroupInvitation, Person, PublicInput, StakeholderGroup
from tests.conftest import Tenant
from tests.factories import PersonFactory, PhaseFactory, ProjectFactory

# The path segment before `<int:pk>` says which kind of object the id names.
# A new kind of endpoint fails the walk until it is added here, on purpose.
PK_MODELS: dict[str, type[models.Model]] = {
    "phases": PhaseFactory._meta.model,
    "milestones": Milestone,
    "budget-lines": BudgetLine,
    "stakeholders": StakeholderGroup,
    "stakeholder-groups": StakeholderGroup,
    "people": Person,
    "members": OrganisationMember,
    "invitations": OrganisationInvitation,
    "proposals": ProjectProposal,
    "audit-events": AuditEvent,
    "propose": ProjectProposal,
    "seats": Seat,
    "meetings": Meeting,
    "items": AgendaItem,
    "ledger": DecisionEntry,
    "decisions": DecisionEntry,
    "entries": DecisionEntry,
    "implementation": ImplementationUpdate,
    "disputes": Dispute,
    "stages": StageRecord,
    "inputs": PublicInput,
    "group-invitations": GroupInvitation,
}

# URL names that anyone may open without an account.
PUBLIC_NAMES = {
    "home",
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "invitation_accept",
    "api-token",
    "api-schema",
    "api-docs",
    "set_language",
}
PUBLIC_NAMESPACES = {"public", "public_boards", "public_project"}

_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
# URL parameters that name an object of an organisation. `kind` is not one:
# it is `board` or `overview`, the same words in every organisation.
OBJECT_PARAMS = {"project", "pk", "sequence", "token"}


# Downloads (exports, calendars, PDFs): files, never pages with forms.
FILE_SUFFIXES = (".pdf", ".csv", ".json", ".ics", ".zip", ".txt")


@dataclass(frozen=True)
class Route:
    route: str
    name: str
    namespace: str

    @property
    def qualified_name(self) -> str:
        return f"{self.namespace}:{self.name}" if self.namespace else self.name

    @property
    def is_public(self) -> bool:
        return self.namespace in PUBLIC_NAMESPACES or self.name in PUBLIC_NAMES

    @property
    def is_tenant(self) -> bool:
        return "<slug:org>" in self.route

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    @property
    def is_download(self) -> bool:
        return self.route.endswith(FILE_SUFFIXES)

    @property
    def params(self) -> list[str]:
        """The names of the route's URL parameters, in order."""
        return [match.group("name") for match in _PARAM.finditer(self.route)]

    @property
    def names_objects(self) -> bool:
        """Whether the path names an object of the organisation (a project
        slug, an id or a ledger sequence number), not only the organisation."""
        return bool(OBJECT_PARAMS & set(self.params))

    @property
    def schema_path(self) -> str:
        """The path as the OpenAPI description writes it
        (`/api/v1/orgs/{org}/members/{id}/`: drf-spectacular names `pk` `id`)."""
        return "/" + _PARAM.sub(lambda m: "{" + m.group("name") + "}", self.route).replace("{pk}", "{id}")


def all_routes() -> Iterator[Route]:
    """Every routed pattern except Django admin (support staff only; covered
    by its own test) and regex patterns of third-party apps."""

    def walk(patterns: list, prefix: str, namespace: str) -> Iterator[Route]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue
                ns = pattern.namespace or namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if route.startswith("^") or "(?P" in route:
                    # Regex patterns: DRF format suffixes and the like.
                    continue
                yield Route(route=route, name=pattern.name or "", namespace=namespace)

    yield from walk(get_resolver().url_patterns, "", "")


@dataclass
class TenantObjects:
    """At least one object of every kind a URL can name, in one organisation."""

    ids: dict[type[models.Model], int]
    # A project slug no other organisation uses (every tenant of the tests
    # has a `day-service` project, on purpose), for swapping project slugs.
    own_project_slug: str = ""
    # The ledger sequence number of the seeded decision.
    sequence: int = 1
    # An ordinary member's user id, for bodies that name a user (grants).
    member_user_id: int = 0
    # A held meeting of the Overview Group, where milestones are reviewed.
    overview_meeting_id: int = 0
    # Genuine signed tokens, by the literal segment before `<token>` in the
    # URL (a token names an object as surely as an id does).
    tokens: dict[str, str] = field(default_factory=dict)


def build_objects(tenant: Tenant) -> TenantObjects:
    with scopes_disabled():
        project = tenant.project
        organisation = tenant.organisation
        phase = PhaseFactory(project=project)
        milestone = Milestone.objects.create(
            project=project, title="Pilot opens", due_on=datetime.date(2026, 9, 1)
        )
        line = BudgetLine.objects.create(
            project=project, partner="NHS", purpose="Rent", amount=Decimal("1000")
        )
        person = PersonFactory(organisation=organisation)
        invitation = OrganisationInvitation.objects.create(
            organisation=organisation, email=f"new@{organisation.slug}.example.org"
        )
        proposal = ProjectProposal.objects.create(
            organisation=organisation, title="A garden", summary="Grow food together", initiator_type="public"
        )
        membership = OrganisationMember.objects.filter(organisation=organisation, user=tenant.member).get()
        group = StakeholderGroup.objects.filter(project=project).first()
        event = AuditEvent.objects.create(organisation=organisation, project=project, action="tests.seeded")
        board = Body.objects.get(project=project, kind="board")
        seat = Seat.objects.create(
            body=board,
            person=person,
            capacity="carer",
            stakeholder_group=group,
            term_start=datetime.date(2026, 1, 1),
        )
        meeting = Meeting.objects.create(
            body=board,
            scheduled_at=datetime.datetime(2026, 2, 1, 18, 0, tzinfo=datetime.UTC),
            place="Library",
        )
        item = AgendaItem.objects.create(body=board, title="Open on Saturdays")
        from django.db import transaction

        from boards.ledger import ledger_append
        from stakeholders.involvement import involvement_token

        with transaction.atomic():
            entry = ledger_append(item=item, outcome="agreed", content={"tally": {"for": 1}})
        update = ImplementationUpdate.objects.create(entry=entry, status="in_progress")
        dispute = Dispute.objects.create(body=board, subject="conduct", summary="How meetings are run")
        stage = StageRecord.objects.create(
            dispute=dispute,
            order=1,
            kind="facilitated_discussion",
            started_on=datetime.date(2026, 2, 1),
            due_on=datetime.date(2026, 2, 15),
        )
        public_input = PublicInput.objects.filter(project=project).first()
        group_invitation = GroupInvitation.objects.create(
            project=project, stakeholder_group=group, channel="letter", sent_on=datetime.date(2026, 1, 5)
        )
        review_meeting = Meeting.objects.create(
            body=Body.objects.get(project=project, kind="overview"),
            scheduled_at=datetime.datetime(2026, 2, 8, 18, 0, tzinfo=datetime.UTC),
            place="Community centre",
            status="held",
            held_on=datetime.date(2026, 2, 8),
        )
        own_project = ProjectFactory(
            organisation=organisation, title=f"Only at {organisation.name}", slug=f"only-{organisation.slug}"
        )
        return TenantObjects(
            ids={
                phase._meta.model: phase.pk,
                Milestone: milestone.pk,
                BudgetLine: line.pk,
                Person: person.pk,
                OrganisationInvitation: invitation.pk,
                ProjectProposal: proposal.pk,
                OrganisationMember: membership.pk,
                StakeholderGroup: group.pk,
                AuditEvent: event.pk,
                Seat: seat.pk,
                Meeting: meeting.pk,
                AgendaItem: item.pk,
                DecisionEntry: entry.pk,
                ImplementationUpdate: update.pk,
                Dispute: dispute.pk,
                StageRecord: stage.pk,
                PublicInput: public_input.pk,
                GroupInvitation: group_invitation.pk,
            },
            own_project_slug=own_project.slug,
            sequence=entry.sequence,
            member_user_id=tenant.member.pk,
            overview_meeting_id=review_meeting.pk,
            tokens={"involve": involvement_token(group_invitation)},
        )


def pk_model(route: Route, index: int) -> type[models.Model]:
    """The model an `<int:pk>` at segment `index` of the route names: the
    nearest literal segment before the id says which kind of object it is."""
    segments = route.route.split("/")
    kind = next(seg for seg in reversed(segments[:index]) if not _PARAM.fullmatch(seg))
    if kind not in PK_MODELS:
        raise AssertionError(
            f"{route.qualified_name} ({route.route}): add `{kind}` to PK_MODELS so the "
            "walks can name a real object"
        )
    return PK_MODELS[kind]


def fill(
    route: Route,
    tenant: Tenant,
    objects: TenantObjects,
    *,
    project_slug: str | None = None,
    sequence: int | None = None,
) -> str:
    """The concrete path for a route: the tenant's organisation slug, its
    project (or `project_slug`), and the ids of `objects`, which are usually
    the same tenant's; the object-id tenancy walk passes another's."""
    segments = route.route.split("/")
    path_parts: list[str] = []
    for index, segment in enumerate(segments):
        match = _PARAM.fullmatch(segment)
        if not match:
            if _PARAM.search(segment):
                raise AssertionError(f"{route.qualified_name}: a parameter inside a segment ({segment})")
            path_parts.append(segment)
            continue
        name = match.group("name")
        if name == "org":
            path_parts.append(tenant.organisation.slug)
        elif name == "project":
            path_parts.append(project_slug or tenant.project.slug)
        elif name == "pk":
            path_parts.append(str(objects.ids[pk_model(route, index)]))
        elif name == "kind":
            path_parts.append("board")
        elif name == "sequence":
            path_parts.append(str(sequence if sequence is not None else objects.sequence))
        elif name == "token":
            kind = next(seg for seg in reversed(segments[:index]) if not _PARAM.fullmatch(seg))
            path_parts.append(objects.tokens.get(kind, "not-a-valid-token"))
        elif name == "uidb64":
            path_parts.append("MQ")
        else:
            raise AssertionError(f"{route.qualified_name}: unknown URL parameter <{name}>")
    return "/" + "/".join(path_parts)


# --- "Nothing changed" --------------------------------------------------------------

# Written by any logged-in request and holding no organisation data.
VOLATILE_MODELS = {"sessions.Session"}


def snapshot(*, exclude: frozenset[str] | set[str] = frozenset()) -> dict[str, str]:
    """A digest of the content of every table (model label → digest of all
    rows, every column, in pk order): an added, edited or removed row shows,
    not only a changed count. `exclude` names models the caller checks
    itself (the auditor walk allows refusals in the audit log)."""
    from django.apps import apps

    digests: dict[str, str] = {}
    with scopes_disabled():
        for model in apps.get_models(include_auto_created=True):
            opts = model._meta
            if opts.proxy or not opts.managed or opts.label in VOLATILE_MODELS or opts.label in exclude:
                continue
            columns = [f.attname for f in opts.concrete_fields]
            rows = model._base_manager.order_by("pk").values_list(*columns)
            digests[opts.label] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return digests


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The models whose content differs between two snapshots."""
    return sorted(label for label in before.keys() | after.keys() if before.get(label) != after.get(label))


# --- Plausible bodies: the forms the pages render -------------------------------------


@dataclass
class HarvestedForm:
    """A POST form as a browser would submit it."""

    action: str
    data: dict[str, list[str]] = field(default_factory=dict)
    # Inputs left empty but `required`, with their type: filled in later.
    required_empty: dict[str, str] = field(default_factory=dict)
    first_radio: dict[str, str] = field(default_factory=dict)
    button_pressed: bool = False

    def body(self) -> dict[str, list[str]]:
        data = {name: list(values) for name, values in self.data.items()}
        for name, value in self.first_radio.items():
            data.setdefault(name, [value])
        for name, kind in self.required_empty.items():
            if not any(data.get(name, [])):
                data[name] = [PLAUSIBLE_BY_INPUT_TYPE.get(kind, "Plausible text")]
        return data


PLAUSIBLE_BY_INPUT_TYPE = {
    "date": "2026-03-02",
    "datetime-local": "2026-03-02T18:00",
    "time": "18:00",
    "number": "1",
    "email": "plausible@example.org",
    "url": "https://example.org/",
    "tel": "01632 960001",
}


class _FormParser(HTMLParser):
    """Collects the POST forms of a page, with the values a browser would send
    when the person submits them as shown (the first option when none is
    selected, plausible text in required fields left empty)."""

    def __init__(self, page_path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[HarvestedForm] = []
        self._form: HarvestedForm | None = None
        self._select: tuple[str, bool] | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: tuple[str, bool] | None = None
        self._text: list[str] = []

    def _add(self, name: str, value: str) -> None:
        assert self._form is not None
        self._form.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: (value if value is not None else "") for key, value in attrs}
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                action = urlsplit(urljoin(self.page_path, a.get("action") or self.page_path)).path
                self._form = HarvestedForm(action=action)
                self.forms.append(self._form)
            return
        if self._form is None or "disabled" in a:
            return
        name = a.get("name", "")
        if tag in ("input", "button"):
            kind = a.get("type", "text" if tag == "input" else "submit").lower()
            if not name or kind in ("image", "reset", "button", "file"):
                return
            if kind == "submit":
                # The first named button is the one a keyboard user presses.
                if not self._form.button_pressed:
                    self._form.button_pressed = True
                    self._add(name, a.get("value", ""))
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(name, a.get("value", "on"))
                elif kind == "radio" and "required" in a:
                    self._form.first_radio.setdefault(name, a.get("value", "on"))
                return
            value = a.get("value", "")
            self._add(name, value)
            if not value and "required" in a:
                self._form.required_empty[name] = kind
        elif tag == "select" and name:
            self._select = (name, "required" in a)
            self._select_first = None
            self._select_chosen = False
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select_first is None and value:
                self._select_first = value
            if "selected" in a:
                self._add(self._select[0], value)
                self._select_chosen = True
        elif tag == "textarea" and name:
            self._textarea = (name, "required" in a)
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            if not self._select_chosen and self._select_first is not None:
                self._add(self._select[0], self._select_first)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, required = self._textarea
            text = "".join(self._text).lstrip("\n")
            self._add(name, text)
            if not text and required:
                self._form.required_empty[name] = "textarea"
            self._textarea = None


def post_forms(html: str, page_path: str) -> list[HarvestedForm]:
    """The POST forms of a page, keyed by the path they post to."""
    parser = _FormParser(page_path)
    parser.feed(html)
    return parser.forms


def harvest_forms(
    client: Any, tenant: Tenant, objects: TenantObjects, routes: Iterable[Route]
) -> dict[str, HarvestedForm]:
    """The POST forms that the pages of `routes` (API routes and downloads
    left out) render for `client`'s user, keyed by the path they post to:
    plausible bodies for the writes of the UI."""
    forms: dict[str, HarvestedForm] = {}
    for route in routes:
        if route.is_api or route.is_download:
            continue
        path = fill(route, tenant, objects)
        response = client.get(path)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            for form in post_forms(response.content.decode(), path):
                forms.setdefault(form.action, form)
    return forms


# Sent where no page renders a form for a route (forms for seat holders only
# and the like): the names the forms of the project use most.
GENERIC_FORM_BODY = {
    "name": ["Plausible name"],
    "title": ["Plausible title"],
    "reason": ["Plausible reason"],
    "summary": ["Plausible summary"],
    "text": ["Plausible text"],
    "confirm": ["on"],
}


# --- Plausible bodies: the API, from its OpenAPI description ---------------------------

# Request fields that name an object, and the object's model.
FIELD_MODELS: dict[str, type[models.Model]] = {
    "person": Person,
    "mediator": Person,
    "seat": Seat,
    "attended": Seat,
    "respondents": Seat,
    "stakeholder_group": StakeholderGroup,
    "phase": PhaseFactory._meta.model,
    "meeting": Meeting,
    "item": AgendaItem,
    "entry": DecisionEntry,
}


@cache
def api_schema() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    components = api_schema()["components"]["schemas"]
    while "$ref" in node:
        node = components[node["$ref"].rsplit("/", 1)[-1]]
    for combinator in ("allOf", "oneOf", "anyOf"):
        if combinator in node:
            options = [option for option in node[combinator] if _resolve(option).get("type") != "null"]
            merged = {key: value for key, value in node.items() if key != combinator}
            return {**_resolve(options[0]), **merged} if options else merged
    return node


def documents(route: Route, method: str) -> bool:
    """Whether the OpenAPI description offers `method` on the route."""
    return method in api_schema()["paths"].get(route.schema_path, {})


def request_fields(route: Route, method: str) -> dict[str, dict[str, Any]] | None:
    """The writable fields of the documented JSON request body, or None."""
    operation = api_schema()["paths"].get(route.schema_path, {}).get(method)
    if not operation or "requestBody" not in operation:
        return None
    content = operation["requestBody"].get("content", {})
    schema = content.get("application/json", next(iter(content.values()), {})).get("schema")
    if not schema:
        return None
    properties = _resolve(schema).get("properties", {})
    return {name: _resolve(prop) for name, prop in properties.items() if not _resolve(prop).get("readOnly")}


def _example(route: Route, name: str, prop: dict[str, Any], objects: TenantObjects) -> Any:
    enum = [value for value in prop.get("enum", []) if value not in ("", None)]
    if enum:
        return enum[0]
    kind, fmt = prop.get("type"), prop.get("format", "")
    if kind == "boolean":
        return True
    if kind == "integer":
        if name == "user":
            return objects.member_user_id
        if name == "meeting" and "/milestones/" in route.route:
            # Milestones are reviewed by the Overview Group (GROUP-8).
            return objects.overview_meeting_id
        model = FIELD_MODELS.get(name)
        return objects.ids[model] if model else max(prop.get("minimum", 1), 1)
    if kind == "number":
        return max(prop.get("minimum", 100), 100)
    if kind == "array":
        item = _resolve(prop.get("items", {}))
        return [_example(route, name, item, objects)] if item else []
    if kind == "object":
        return {}
    if name == "slug":
        return "plausible-slug"
    if name == "contact":
        return "plausible@example.org"
    if fmt == "date" and "end" in name:
        return "2026-12-31"  # after every start date the examples give
    return {
        "date": "2026-03-02",
        "date-time": "2026-03-02T18:00:00Z",
        "email": "plausible@example.org",
        "uri": "https://example.org/",
        "decimal": "100.00",
    }.get(fmt, f"Plausible {name.replace('_', ' ')}")


def plausible_api_body(
    route: Route, method: str, objects: TenantObjects, current: Any = None
) -> dict[str, Any]:
    """A request body the endpoint would accept from someone allowed to call
    it: every documented writable field, an example of the field's type that
    names the tenant's real objects, or for PUT and PATCH the value `current`
    (the object as GET answers it) has, so an update is a round trip."""
    fields = request_fields(route, method)
    if fields is None:
        return {}
    if method not in ("put", "patch") or not isinstance(current, dict):
        current = {}
    body: dict[str, Any] = {}
    for name, prop in fields.items():
        value = current.get(name)
        allowed = [choice for choice in prop.get("enum", []) if choice is not None]
        if value is None or isinstance(value, dict) or (allowed and value not in allowed):
            value = _example(route, name, prop, objects)
        body[name] = value
    return body
