"""Where a piece of compliance evidence can be opened: one resolver from an
evidence kind and id (within one project of one organisation) to the staff
page of that record.

Evaluators name records as `Evidence(kind, id, label, url="")`. The report
turns each into a link without a single query: the URL of every kind is
reversed once per report, with a marker where the id goes, and each row only
fills its id in. Records whose page address needs more than their id (a seat
or an item lives under its body's kind; a decision is cited by its ledger
sequence, but its page by its row id) link to `reports:evidence`, which looks
the record up in this project when someone follows the link and redirects to
its page, or answers 404 for a record of another project or organisation
(TENANT-1). A link the evaluator already set is kept when it is a path on
this site; a kind nobody knows gets no link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from boards.models import AgendaItem, Body, DecisionEntry, ImplementationUpdate, Seat, Vote
from projects.models import Project

# Reversed in place of an id, then cut out: no slug or literal segment of our
# URLs contains it, and the id is the last number of every pattern below.
_MARKER = 987654321


@dataclass(frozen=True)
class _Template:
    """A reversed URL with a hole for the id (or no hole: the same page for
    every record of the kind, such as a list that shows them all)."""

    prefix: str
    suffix: str = ""
    takes_id: bool = True

    def fill(self, record_id: int | str) -> str:
        if not self.takes_id:
            return self.prefix
        text = str(record_id)
        if not text.isdigit():
            return ""  # these pages are addressed by integer ids only
        return f"{self.prefix}{text}{self.suffix}"


def url_template(name: str, **kwargs: Any) -> _Template:
    """The URL `name` with a hole where its `pk` goes: reversed once, filled per row."""
    url = reverse(name, kwargs={**kwargs, "pk": _MARKER})
    prefix, suffix = url.rsplit(str(_MARKER), 1)
    return _Template(prefix, suffix)


def _page(name: str, query: dict[str, str] | None = None, **kwargs: Any) -> _Template:
    url = reverse(name, kwargs=kwargs)
    return _Template(f"{url}?{urlencode(query)}" if query else url, takes_id=False)


# Kinds whose page needs a look-up first (see `lookup`), keyed by the evidence
# kind. The value finds the page of the record within the project, or None.
Lookup = Callable[[Project, int], str | None]


def _body_url(project: Project, kind: str, name: str = "boards:body_detail", **kwargs: Any) -> str:
    return reverse(
        name, kwargs={"org": project.organisation.slug, "project": project.slug, "kind": kind, **kwargs}
    )


def _lookup_body(project: Project, pk: int) -> str | None:
    kind = Body.objects.filter(project=project, pk=pk).values_list("kind", flat=True).first()
    return _body_url(project, kind) if kind else None


def _lookup_seat(project: Project, pk: int) -> str | None:
    kind = Seat.objects.filter(body__project=project, pk=pk).values_list("body__kind", flat=True).first()
    return _body_url(project, kind) if kind else None


def _lookup_item(project: Project, pk: int) -> str | None:
    kind = (
        AgendaItem.objects.filter(body__project=project, pk=pk).values_list("body__kind", flat=True).first()
    )
    return _body_url(project, kind, "boards:item_detail", pk=pk) if kind else None


def _lookup_vote(project: Project, pk: int) -> str | None:
    found = (
        Vote.objects.filter(item__body__project=project, pk=pk)
        .values_list("item_id", "item__body__kind")
        .first()
    )
    return _body_url(project, found[1], "boards:item_detail", pk=found[0]) if found else None


def _entry_url(project: Project, pk: int) -> str:
    return reverse(
        "boards:ledger_entry", kwargs={"org": project.organisation.slug, "project": project.slug, "pk": pk}
    )


def _lookup_decision(project: Project, sequence: int) -> str | None:
    pk = DecisionEntry.objects.filter(project=project, sequence=sequence).values_list("pk", flat=True).first()
    return _entry_url(project, pk) if pk else None


def _lookup_implementation(project: Project, pk: int) -> str | None:
    entry = (
        ImplementationUpdate.objects.filter(entry__project=project, pk=pk)
        .values_list("entry_id", flat=True)
        .first()
    )
    return _entry_url(project, entry) if entry else None


LOOKUPS: dict[str, Lookup] = {
    "body": _lookup_body,
    "seat": _lookup_seat,
    "item": _lookup_item,
    "vote": _lookup_vote,
    "decision": _lookup_decision,  # the id is the ledger sequence
    "implementation": _lookup_implementation,
}


def lookup(project: Project, kind: str, record_id: str) -> str | None:
    """The page of one record of the project, found when a reader follows an
    evidence link (`reports:evidence`). None for an unknown kind, a bad id, or
    a record that is not this project's."""
    finder = LOOKUPS.get(kind)
    if finder is None or not record_id.isdigit() or len(record_id) > 18:
        return None
    return finder(project, int(record_id))


def safe_path(url: str) -> str:
    """Only a path on this site: a stored link never leaves the site or runs
    script."""
    return url if url.startswith("/") and not url.startswith("//") else ""


class EvidenceLinks:
    """Links for the evidence of one project's report. Build one per report;
    `url()` then costs no query and no `reverse()`."""

    def __init__(self, project: Project) -> None:
        org, slug = project.organisation.slug, project.slug
        on_project = {"org": org, "project": slug}
        evidence = reverse("reports:evidence", kwargs=on_project)
        self.templates: dict[str, _Template] = {
            "project": _page("projects:project_detail", **on_project),
            "stakeholder_group": _page("stakeholders:group_list", **on_project),
            "phase": _page("projects:phase_list", **on_project),
            "milestone": url_template("overview:milestone_review", **on_project),
            "budget_line": _page("projects:budget", **on_project),
            "input": url_template("participation:input_detail", **on_project),
            "invitation": _page("participation:group_invitations", **on_project),
            "group_invitation": _page("participation:group_invitations", **on_project),
            "meeting": url_template("reports:meeting_record", **on_project),
            "dispute": url_template("disputes:dispute_detail", **on_project),
            "flag": _page("projects:project_flags", **on_project),
            "audit_event": _page("projects:audit_log", {"project": slug}, org=org),
            "person": _page("stakeholders:person_list", org=org),
            "user": _page("projects:member_list", org=org),
            "proposal": url_template("projects:proposal_detail", org=org),
            **{kind: _Template(f"{evidence}?kind={kind}&id=") for kind in LOOKUPS},
        }

    def url(self, kind: str, record_id: int | str, given: str = "") -> str:
        """The page of a record, the evaluator's own link when it gave a safe
        one, or "" when the kind has no page."""
        if given:
            return safe_path(given)
        template = self.templates.get(kind)
        return template.fill(record_id) if template is not None else ""
