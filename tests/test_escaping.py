"""Stored text is shown as text everywhere: a script payload planted in what
people type (comments, public input and the names given with it, people,
project titles, stakeholder groups, disputes, minutes, proposals) never
reaches a page as markup, spreadsheet cells that would run as formulas are
neutralised, PDFs show the text as typed, and plain-text emails carry it
literally (HTML parts, if any, escaped).

Every page checked must show the payload (escaped), so a page that stopped
showing it, or a list that names the wrong page, fails instead of passing
emptily."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django_scopes import scope, scopes_disabled
from pypdf import PdfReader
from rest_framework.test import APIClient

from boards.ledger import ledger_append
from boards.models import AgendaItem, Body, Comment, Meeting, Seat
from disputes.models import Dispute, StageRecord
from projects.models import AuditEvent, ProjectProposal
from stakeholders import involvement, participation
from stakeholders.involvement import involvement_token
from stakeholders.models import GroupInvitation, InputResponse, Person, PublicInput, StakeholderGroup
from tests.conftest import Tenant
from tests.urlwalk import TenantObjects, build_objects

pytestmark = pytest.mark.django_db

PAYLOAD = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>"
# What must never reach an HTML page as it is.
RAW = ("<script>alert(1)", "<img src=x onerror")
# What an escaped payload looks like in a page (the guard that it is shown).
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
FORMULAS = (
    '=HYPERLINK("http://evil.example","x")',
    '+HYPERLINK("http://evil.example","x")',
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Planted:
    tenant: Tenant
    objects: TenantObjects
    item: AgendaItem
    meeting: Meeting
    dispute: Dispute
    person: Person
    public_input: PublicInput
    proposal: ProjectProposal
    invitation: GroupInvitation

    @property
    def org(self) -> str:
        return self.tenant.organisation.slug

    @property
    def project(self) -> str:
        return self.tenant.project.slug


@pytest.fixture
def planted(tenant_a: Tenant) -> Planted:
    """Organisation A with the payload in everything people type, and
    formulas at the start of what spreadsheets show."""
    objects = build_objects(tenant_a)
    ids = objects.ids
    with scopes_disabled():
        project = tenant_a.project
        project.title = f"Day service {PAYLOAD}"
        project.summary = PAYLOAD
        project.save(update_fields=["title", "summary"])
        # Another project whose title starts like a formula (the organisation summary CSV).
        own = project.organisation.projects.get(slug=objects.own_project_slug)
        own.title = FORMULAS[0]
        own.save(update_fields=["title"])
        group = StakeholderGroup.objects.get(pk=ids[StakeholderGroup])
        group.name = f"Carers {PAYLOAD}"
        group.save(update_fields=["name"])
        person = Person.objects.get(pk=ids[Person])
        person.name = f"Pat {PAYLOAD}"
        person.save(update_fields=["name"])
        public_input = PublicInput.objects.get(pk=ids[PublicInput])
        public_input.message = f"Keep the garden {PAYLOAD}"
        public_input.name = f"Resident {PAYLOAD}"
        public_input.contact = "resident@example.org"
        public_input.save(update_fields=["message", "name", "contact"])
        InputResponse.objects.filter(input=public_input).update(
            public_text=f"We will {PAYLOAD}", how_or_why=f"Kept {PAYLOAD}"
        )
        board = Body.objects.get(project=project, kind="board")
        item = AgendaItem.objects.get(pk=ids[AgendaItem])
        item.description = PAYLOAD
        item.save(update_fields=["description"])
        Comment.objects.create(item=item, author=tenant_a.facilitator, text=f"I agree {PAYLOAD}")
        # Decisions whose titles start like formulas, and one with the payload (the ledger exports).
        with transaction.atomic():
            for title in (f"Open late {PAYLOAD}", *FORMULAS):
                decided = AgendaItem.objects.create(body=board, title=title)
                ledger_append(item=decided, outcome="agreed", content={"tally": {"for": 1}})
        meeting = Meeting.objects.get(pk=objects.overview_meeting_id)
        meeting.minutes = f"We met {PAYLOAD}"
        meeting.place = f"Hall {PAYLOAD}"
        meeting.save(update_fields=["minutes", "place"])
        Meeting.objects.filter(pk=ids[Meeting]).update(
            minutes=f"Board met {PAYLOAD}", place=f"Library {PAYLOAD}"
        )
        dispute = Dispute.objects.get(pk=ids[Dispute])
        dispute.summary = f"Meetings run late {PAYLOAD}"
        dispute.outcome_sought = PAYLOAD
        dispute.save(update_fields=["summary", "outcome_sought"])
        StageRecord.objects.filter(pk=ids[StageRecord]).update(notes=PAYLOAD)
        proposal = ProjectProposal.objects.get(pk=ids[ProjectProposal])
        proposal.title = f"A garden {PAYLOAD}"
        proposal.summary = PAYLOAD
        proposal.save(update_fields=["title", "summary"])
        for formula in (*FORMULAS, PAYLOAD):
            AuditEvent.objects.create(
                organisation=project.organisation,
                project=project,
                action="tests.planted",
                actor_label=formula,
                object_repr=formula,
            )
        invitation = GroupInvitation.objects.get(pk=ids[GroupInvitation])
        # The board's seat is this person's, so the body page shows the name.
        assert Seat.objects.get(pk=ids[Seat]).person_id == person.pk
    return Planted(tenant_a, objects, item, meeting, dispute, person, public_input, proposal, invitation)


def _url(name: str, **kwargs: object) -> str | None:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def _staff_pages(p: Planted) -> list[str]:
    org, project, board = p.org, p.project, "board"
    pages = [
        _url("projects:dashboard", org=org),
        _url("projects:project_list", org=org),
        _url("projects:project_detail", org=org, project=project),
        _url("projects:audit_log", org=org),
        _url("projects:proposal_list", org=org),
        _url("projects:proposal_detail", org=org, pk=p.proposal.pk),
        _url("stakeholders:group_list", org=org, project=project),
        _url("stakeholders:person_list", org=org),
        _url("boards:body_detail", org=org, project=project, kind=board),
        _url("boards:item_list", org=org, project=project, kind=board),
        _url("boards:item_detail", org=org, project=project, kind=board, pk=p.item.pk),
        _url("boards:meeting_list", org=org, project=project, kind=board),
        _url("boards:meeting_detail", org=org, project=project, kind="overview", pk=p.meeting.pk),
        _url("boards:ledger", org=org, project=project),
        _url("disputes:dispute_list", org=org, project=project),
        _url("disputes:dispute_detail", org=org, project=project, pk=p.dispute.pk),
        _url("participation:input_list", org=org, project=project),
        _url("participation:input_detail", org=org, project=project, pk=p.public_input.pk),
        _url("participation:scoping", org=org, project=project),
        _url("participation:group_invitations", org=org, project=project),
        # The compliance pages, if the reports app provides them.
        _url("reports:report", org=org, project=project),
        _url("reports:meeting_record", org=org, project=project, pk=p.meeting.pk),
    ]
    return [page for page in pages if page]


def _public_pages(p: Planted) -> list[str]:
    return [
        reverse("public_project:project_page", kwargs={"org": p.org, "project": p.project}),
        reverse("public_project:input_form", kwargs={"org": p.org, "project": p.project}),
        reverse(
            "public_project:involvement_form",
            kwargs={"org": p.org, "project": p.project, "token": involvement_token(p.invitation)},
        ),
        reverse("public:proposal_status", kwargs={"org": p.org, "pk": p.proposal.pk}),
    ]


def _assert_escaped(path: str, html: str) -> None:
    for raw in RAW:
        assert raw not in html, f"{path} shows {raw!r} unescaped"
    assert ESCAPED in html, f"{path} does not show the planted text (guard)"


def test_staff_pages_show_stored_text_escaped(planted: Planted) -> None:
    client = Client()
    client.force_login(planted.tenant.admin)
    pages = _staff_pages(planted)
    assert len(pages) >= 18
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, f"{path}: {response.status_code}"
        assert response["Content-Type"].startswith("text/html")
        _assert_escaped(path, response.content.decode())


def test_htmx_fragments_show_stored_text_escaped(planted: Planted) -> None:
    """Fragments swapped into a page by htmx (the people search) are escaped too."""
    client = Client()
    client.force_login(planted.tenant.admin)
    path = reverse("stakeholders:person_list", kwargs={"org": planted.org})
    response = client.get(path, {"q": "Pat"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    _assert_escaped(path, response.content.decode())


def test_public_pages_show_stored_text_escaped(planted: Planted) -> None:
    client = Client()
    for path in _public_pages(planted):
        response = client.get(path)
        assert response.status_code == 200, f"{path}: {response.status_code}"
        _assert_escaped(path, response.content.decode())


def test_api_answers_carry_stored_text_as_json_strings(planted: Planted) -> None:
    """JSON carries the text as typed (escaping is the page's job), with a
    JSON content type a browser will not render as a page."""
    api = APIClient()
    api.force_authenticate(planted.tenant.admin)
    response = api.get(f"/api/v1/orgs/{planted.org}/projects/{planted.project}/")
    assert response["Content-Type"] == "application/json"
    assert response.json()["summary"] == PAYLOAD
    assert "nosniff" in response.get("X-Content-Type-Options", "")


# --- Spreadsheets ----------------------------------------------------------------------------


def _csv_cells(content: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content, newline="")) for cell in row]


def _assert_neutralised(name: str, content: str, planted: tuple[str, ...] = FORMULAS) -> None:
    """No cell starts like a formula; each `planted` value is there, neutralised."""
    cells = _csv_cells(content)
    assert cells, f"{name} is empty"
    dangerous = [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    assert not dangerous, f"{name}: cells a spreadsheet would run: {dangerous}"
    assert "&lt;" not in content, f"{name}: HTML escaping in a spreadsheet"
    for formula in planted:
        assert f"'{formula}" in cells, f"{name}: the planted {formula!r} is not there, neutralised"


def _download(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, f"{path}: {response.status_code}"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8-sig")


def test_csv_exports_neutralise_formulas(planted: Planted) -> None:
    client = Client()
    client.force_login(planted.tenant.admin)
    api = APIClient()
    api.force_authenticate(planted.tenant.admin)
    org, project = planted.org, planted.project
    ledger = {
        "ledger CSV": _url("boards:ledger_export_csv", org=org, project=project),
        "ledger CSV (API)": f"/api/v1/orgs/{org}/projects/{project}/ledger/export.csv",
    }
    for name, path in ledger.items():
        content = _download(api if "API" in name else client, path)
        _assert_neutralised(name, content)
        assert any(PAYLOAD in cell for cell in _csv_cells(content)), f"{name}: the text is not as typed"
    reports = {
        "audit-log CSV": _url("reports:audit_log_csv", org=org, project=project),
        "compliance CSV": _url("reports:report_csv", org=org, project=project),
        "organisation summary CSV": _url("reports:organisation_report_csv", org=org),
    }
    found = {name: path for name, path in reports.items() if path}
    for name, path in found.items():
        content = _download(client, path)
        # The compliance report's cells come from the rules, not from what people typed;
        # the summary's from the projects' titles.
        planted = {"compliance CSV": (), "organisation summary CSV": FORMULAS[:1]}.get(name, FORMULAS)
        _assert_neutralised(name, content, planted)
    if "audit-log CSV" in found:
        assert PAYLOAD in _csv_cells(_download(client, found["audit-log CSV"]))


def test_export_bundle_spreadsheets_neutralise_formulas(planted: Planted) -> None:
    path = _url("reports:export_bundle", org=planted.org, project=planted.project)
    if path is None:
        pytest.skip("no export bundle in this build")
    client = Client()
    client.force_login(planted.tenant.admin)
    response = client.get(path)
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    with zipfile.ZipFile(io.BytesIO(content)) as bundle:
        sheets = [name for name in bundle.namelist() if name.endswith(".csv")]
        assert sheets
        for name in sheets:
            text = bundle.read(name).decode("utf-8-sig")
            _assert_neutralised(name, text, FORMULAS if "audit" in name else ())


# --- PDF ------------------------------------------------------------------------------------


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "".join(page.extract_text() or "" for page in reader.pages)


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_pdfs_show_stored_text_as_typed(planted: Planted) -> None:
    client = Client()
    client.force_login(planted.tenant.admin)
    pdfs = {
        "meeting record": _url(
            "reports:meeting_record_pdf", org=planted.org, project=planted.project, pk=planted.meeting.pk
        ),
        "compliance report": _url("reports:report_pdf", org=planted.org, project=planted.project),
    }
    pdfs = {name: path for name, path in pdfs.items() if path}
    if not pdfs:
        pytest.skip("no PDF reports in this build")
    for name, path in pdfs.items():
        response = client.get(path)
        assert response.status_code == 200, f"{path}: {response.status_code}"
        content = b"".join(response.streaming_content) if response.streaming else response.content
        assert content.startswith(b"%PDF")
        text = _squeezed(_pdf_text(content))
        # Markup in the HTML the PDF is made from would vanish from the text.
        assert _squeezed(PAYLOAD) in text, f"{name}: the planted text is not shown as typed"
        assert "&lt;" not in text and "&quot;" not in text, f"{name}: escaped twice"


# --- Emails ---------------------------------------------------------------------------------


def _assert_emails_literal(minimum: int) -> None:
    assert len(mail.outbox) >= minimum
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        assert "<script>alert(1)</script>" in text, f"{message.subject!r}: the planted text is not in it"
        assert "&lt;" not in text and "&quot;" not in text and "&#x27;" not in text, message.subject
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                _assert_escaped(message.subject, content)


def test_emails_carry_stored_text_literally(planted: Planted, django_capture_on_commit_callbacks) -> None:
    tenant = planted.tenant
    with scope(organisation=tenant.organisation), django_capture_on_commit_callbacks(execute=True):
        item = PublicInput.objects.create(
            project=tenant.project,
            message=PAYLOAD,
            affected="directly",
            impact="positive",
            as_who="service_user",
            consent=True,
            contact="resident@example.org",
        )
        participation.input_respond(
            item=item, public_text=PAYLOAD, incorporated="yes", how_or_why=PAYLOAD, actor=tenant.facilitator
        )
        group = StakeholderGroup.objects.get(pk=planted.objects.ids[StakeholderGroup])
        invitation = participation.group_invitation_record(
            group=group,
            channel="email",
            sent_on=datetime.date(2026, 3, 2),
            actor=tenant.facilitator,
            email="carers@example.org",
        )
        involvement.involvement_submit(invitation=invitation, levels=["events"])
    _assert_emails_literal(minimum=3)
