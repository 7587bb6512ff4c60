"""The report's three charts as data and geometry, drawn as inline SVG by
`templates/reports/_chart_*.html` on the page and in the PDF alike:

(a) each body's composition on the "as of" day against its threshold
    (BOARD-4, GROUP-3), computed by `boards.composition.compose()` on the
    seats active that day, the same function that blocks changes;
(b) stakeholder coverage per phase: seats of each group whose term overlaps
    each phase (TEAM-3);
(c) decisions over time: per month, decisions agreed, implemented and
    returned to their body because they could not be carried out (GROUP-6).

Every chart carries its own words: a title and a description for the SVG
(role="img"), numbers and labels in the drawing, so colour is never the
only signal, and a data table with the same figures. Six queries in all,
whatever the size of the project."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format

from boards.composition import POLICIES, compose, required_non_professional
from boards.models import Body, DecisionEntry, ImplementationStatus, ImplementationUpdate, Outcome, Seat
from projects.models import Phase, Project
from stakeholders.models import StakeholderGroup

# Colours chosen for contrast on white (and white text on the dark ones).
MEETS = "#0b6b35"
BELOW = "#a4261d"
OTHER = "#d5d9dc"
INK = "#1b1b1b"
COVERED = "#dcefe2"
GAP = "#fbe4e2"
SERIES_COLOURS = {"agreed": "#1a4a80", "implemented": "#0b6b35", "returned": "#a4261d"}
SERIES = (("agreed", "A", "agreed"), ("implemented", "I", "implemented"), ("returned", "R", "returned"))


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- (a) Composition against the threshold ------------------------------------------------


@dataclass
class BodyBar:
    kind: str
    label: str
    status: str
    total: int
    non_professional: int
    project_team: int
    percent: int
    threshold: int
    needed: int
    meets: bool
    # Geometry (SVG user units).
    y: int = 0
    share_width: int = 0
    threshold_x: int = 0
    threshold_anchor: str = "middle"
    colour: str = MEETS

    @property
    def words(self) -> str:
        if self.total == 0:
            return f"{self.label}: no active seats."
        verdict = "meets the rule" if self.meets else "below the rule"
        return (
            f"{self.label}: {self.non_professional} of {self.total} active seats non-professional "
            f"({self.percent}%), at least {self.threshold}% ({self.needed}) needed – {verdict}."
        )


@dataclass
class CompositionChart:
    bars: list[BodyBar]
    width: int = 640
    bar_width: int = 600
    height: int = 0

    @property
    def description(self) -> str:
        return " ".join(bar.words for bar in self.bars) or "The project has no bodies yet."


def _composition(bodies: list[Body], seats: list[Seat], as_of: datetime.date) -> CompositionChart:
    chart = CompositionChart(bars=[])
    row = 96
    for index, body in enumerate(bodies):
        policy = POLICIES[body.kind]
        composition = compose([seat.facts for seat in seats if seat.body_id == body.pk], as_of)
        needed = required_non_professional(composition.total, policy.min_non_professional_percent)
        bar = BodyBar(
            kind=body.kind,
            label=policy.label,
            status=body.get_status_display(),
            total=composition.total,
            non_professional=composition.non_professional,
            project_team=composition.project_team,
            percent=round(composition.non_professional_percent),
            threshold=policy.min_non_professional_percent,
            needed=needed,
            meets=composition.total > 0 and composition.non_professional >= needed,
            y=index * row,
        )
        bar.share_width = round(chart.bar_width * bar.percent / 100)
        bar.threshold_x = 20 + round(chart.bar_width * bar.threshold / 100)
        bar.colour = MEETS if bar.meets else BELOW
        chart.bars.append(bar)
    chart.height = max(row * len(chart.bars), 40)
    return chart


# --- (b) Stakeholder coverage per phase ----------------------------------------------------


@dataclass
class CoverageCell:
    x: int
    count: int

    @property
    def fill(self) -> str:
        return COVERED if self.count else GAP

    @property
    def text(self) -> str:
        return str(self.count) if self.count else "none"


@dataclass
class CoverageRow:
    name: str
    short_name: str
    y: int
    cells: list[CoverageCell]


@dataclass
class PhaseColumn:
    name: str
    short_name: str
    starts_on: datetime.date
    ends_on: datetime.date
    x: int
    started: bool


@dataclass
class CoverageChart:
    phases: list[PhaseColumn]
    rows: list[CoverageRow]
    gaps: list[str]
    label_width: int = 240
    cell_width: int = 120
    row_height: int = 36
    header_height: int = 44
    width: int = 0
    height: int = 0

    @property
    def description(self) -> str:
        if not self.rows or not self.phases:
            return "Phases and stakeholder groups are needed before coverage can be shown."
        text = (
            f"Seats of {len(self.rows)} stakeholder groups in each of {len(self.phases)} phases. "
            f"{len(self.gaps)} group and phase pairs have no seat"
        )
        if self.gaps:
            shown = "; ".join(self.gaps[:10])
            more = f"; and {len(self.gaps) - 10} more" if len(self.gaps) > 10 else ""
            return f"{text}: {shown}{more}."
        return f"{text}."


def _coverage(
    groups: list[StakeholderGroup], phases: list[Phase], seats: list[Seat], as_of: datetime.date
) -> CoverageChart:
    chart = CoverageChart(phases=[], rows=[], gaps=[])
    for index, phase in enumerate(phases):
        chart.phases.append(
            PhaseColumn(
                name=phase.name,
                short_name=_short(phase.name, 14),
                starts_on=phase.starts_on,
                ends_on=phase.ends_on,
                x=chart.label_width + index * chart.cell_width,
                started=phase.starts_on <= as_of,
            )
        )
    by_group: dict[int, list[Seat]] = {}
    for seat in seats:
        if seat.stakeholder_group_id is not None:
            by_group.setdefault(seat.stakeholder_group_id, []).append(seat)
    for row_index, group in enumerate(groups):
        cells = []
        for column, phase in zip(chart.phases, phases, strict=True):
            # As TEAM-3 counts it: a seat whose term overlaps the phase (planned seats included).
            count = sum(
                1
                for seat in by_group.get(group.pk, [])
                if seat.term_start <= phase.ends_on
                and (seat.term_end is None or seat.term_end > phase.starts_on)
            )
            cells.append(CoverageCell(x=column.x, count=count))
            if not count:
                chart.gaps.append(f"{group.name} in {phase.name}")
        chart.rows.append(
            CoverageRow(
                name=group.name,
                short_name=_short(group.name, 28),
                y=chart.header_height + row_index * chart.row_height,
                cells=cells,
            )
        )
    chart.width = chart.label_width + chart.cell_width * max(len(chart.phases), 1)
    chart.height = chart.header_height + chart.row_height * max(len(chart.rows), 1)
    return chart


# --- (c) Decisions and implementation over time ---------------------------------------------


@dataclass
class MonthBar:
    series: str
    letter: str
    value: int
    x: int
    y: int
    height: int
    colour: str


@dataclass
class Month:
    start: datetime.date
    label: str
    agreed: int = 0
    implemented: int = 0
    returned: int = 0
    x: int = 0
    bars: list[MonthBar] = field(default_factory=list)


@dataclass
class DecisionChart:
    months: list[Month]
    plot_height: int = 160
    top: int = 24
    group_width: int = 72
    left: int = 8
    width: int = 0
    height: int = 0

    @property
    def totals(self) -> dict[str, int]:
        return {name: sum(getattr(month, name) for month in self.months) for name, _, _ in SERIES}

    @property
    def description(self) -> str:
        if not self.months:
            return "No decision has been agreed yet."
        totals = self.totals
        return (
            f"Per month from {self.months[0].label} to {self.months[-1].label}: "
            f"{totals['agreed']} decisions agreed, {totals['implemented']} implemented and "
            f"{totals['returned']} returned to their body because they could not be carried out. "
            "Bars are marked A (agreed), I (implemented) and R (returned)."
        )

    @property
    def legend(self) -> list[tuple[str, str, str]]:
        return [(letter, label, SERIES_COLOURS[name]) for name, letter, label in SERIES]


def _month(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date().replace(day=1)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _decisions(
    agreed: list[datetime.datetime], updates: list[tuple[datetime.datetime, str]], as_of: datetime.date
) -> DecisionChart:
    chart = DecisionChart(months=[])
    counts: dict[datetime.date, dict[str, int]] = {}
    events = [(moment, "agreed") for moment in agreed] + [
        (moment, "implemented" if status == ImplementationStatus.DONE else "returned")
        for moment, status in updates
    ]
    for moment, name in events:
        bucket = counts.setdefault(_month(moment), {})
        bucket[name] = bucket.get(name, 0) + 1
    if not counts:
        chart.width, chart.height = 320, 40
        return chart
    month = min(counts)
    last = as_of.replace(day=1)
    while month <= last:
        found = counts.get(month, {})
        chart.months.append(
            Month(
                start=month,
                label=date_format(month, "M Y"),
                agreed=found.get("agreed", 0),
                implemented=found.get("implemented", 0),
                returned=found.get("returned", 0),
            )
        )
        month = _next_month(month)
    peak = max(max(m.agreed, m.implemented, m.returned) for m in chart.months) or 1
    bar_width, base = 18, chart.top + chart.plot_height
    for index, month_row in enumerate(chart.months):
        month_row.x = chart.left + index * chart.group_width
        for offset, (name, letter, _) in enumerate(SERIES):
            value = getattr(month_row, name)
            height = round(chart.plot_height * value / peak)
            month_row.bars.append(
                MonthBar(
                    series=name,
                    letter=letter,
                    value=value,
                    x=month_row.x + 6 + offset * (bar_width + 2),
                    y=base - height,
                    height=height,
                    colour=SERIES_COLOURS[name],
                )
            )
    chart.width = chart.left * 2 + chart.group_width * len(chart.months)
    chart.height = base + 44
    return chart


# --- All three ---------------------------------------------------------------------------------


@dataclass
class Charts:
    composition: CompositionChart
    coverage: CoverageChart
    decisions: DecisionChart


def build_charts(project: Project, as_of: datetime.date) -> Charts:
    """The three charts of a project as of a day, in six queries."""
    bodies = list(Body.objects.filter(project=project).order_by("kind"))
    seats = list(
        Seat.objects.filter(body__project=project).only(
            "pk", "body_id", "capacity", "stakeholder_group_id", "term_start", "term_end"
        )
    )
    groups = list(
        StakeholderGroup.objects.filter(project=project, created_at__date__lte=as_of).order_by("name", "pk")
    )
    phases = list(Phase.objects.filter(project=project).order_by("order", "starts_on", "pk"))
    agreed = list(
        DecisionEntry.objects.filter(
            project=project, outcome=Outcome.AGREED, recorded_at__date__lte=as_of
        ).values_list("recorded_at", flat=True)
    )
    updates = list(
        ImplementationUpdate.objects.filter(
            entry__project=project,
            status__in=[ImplementationStatus.DONE, ImplementationStatus.CANNOT],
            created_at__date__lte=as_of,
        ).values_list("created_at", "status")
    )
    return Charts(
        composition=_composition(bodies, seats, as_of),
        coverage=_coverage(groups, phases, seats, as_of),
        decisions=_decisions(agreed, updates, as_of),
    )
