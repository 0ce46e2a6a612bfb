"""Build what a dashboard, a poster, a report or an export shows: the one place that decides frozen or live.

A published period shows its published figures everywhere (`Status.PUBLISHED`); a narrower selection of a
published period (one service, women only, ...) is computed over the published respondent set. Live figures
of a published period appear only when asked for (`live=True`) and are marked provisional. Months in a trend
that were published show their published figures. Renderers print `Dashboard.status_note`; they never
decide anything themselves.
"""

import enum
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cached_property

from analytics import data
from analytics.complaints import ComplaintStats, complaint_stats
from analytics.data import Selection
from analytics.ikm import ElementResult, IkmResult, Tally, compute_ikm
from analytics.snapshot import (
    Figures,
    GroupResult,
    Snapshot,
    compute_figures,
    cutoffs_in_force,
    cutoffs_of,
    read_publication,
    snapshots_in_force,
)
from app import clock, periods
from app.i18n import N_
from app.periods import MONTHS_ID, Period
from survey.questionnaire import EDUCATIONS, GENDERS, OCCUPATIONS

WEAKEST = 3  # the weakest elements marked (more when tied)
PROFILE_LABELS = {"gender": dict(GENDERS), "education": dict(EDUCATIONS), "occupation": dict(OCCUPATIONS)}

__all__ = ["Dashboard", "GroupResult", "Status", "TrendPoint", "build_dashboard", "fmt_date"]

PROVISIONAL_LABEL = "angka sementara, belum dipublikasikan"
# Respondent-group filters, in the order a title names them (msgids: translated where shown on screen).
FILTER_TITLES = (
    ("service_id", N_("Layanan")),
    ("counter_id", N_("Loket")),
    ("gender", N_("Jenis kelamin")),
    ("age_band", N_("Usia")),
    ("education", N_("Pendidikan")),
    ("occupation", N_("Pekerjaan")),
    ("channel", N_("Kanal")),
)


class Status(enum.StrEnum):
    """Which figures a view shows."""

    PUBLISHED = "published"  # the frozen figures of a published period (or its respondent set, filtered)
    PROVISIONAL = "provisional"  # live figures of a published period, shown because they were asked for
    UNPUBLISHED = "unpublished"  # a period that has not been published: live figures


@dataclass(frozen=True)
class TrendPoint:
    period: Period
    result: IkmResult  # has_data False -> "no data", never 0
    published: bool = False  # the published figures of that month


@dataclass(frozen=True)
class Publication:
    """When and by whom the period shown was published."""

    published_at: datetime
    published_by: str


@dataclass
class Dashboard:
    """Everything the office head's dashboard, the posters, the report and the export show."""

    figures: Figures
    status: Status
    trend: list[TrendPoint]
    today: date  # the office date the view was built on (printed on reports)
    publication: Publication | None = None
    live: IkmResult | None = None  # for a published period: the live computation, to report late data
    filters: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def __getattr__(self, name: str):
        """Read the figures through (result, by_service, profile, sample, ...) for templates and renderers."""
        if name == "figures":  # not set yet (copying, unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.figures, name)

    @property
    def frozen(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def weakest(self) -> tuple[ElementResult, ...]:
        """The three elements with the lowest NRR x 25, and every element tied with the third (all are marked)."""
        return weakest_elements(self.result)

    def profile_rows(self, group: str) -> list[tuple[str, int]]:
        """A profile table: (label, respondents) in the questionnaire's order (see `ordered_profile`)."""
        return [(profile_label(group, str(key)), n) for key, n in ordered_profile(group, self.profile.get(group, []))]

    @cached_property
    def complaints(self) -> ComplaintStats:
        """The unit's complaints received in the period, live (one query, run when a page first shows it)."""
        return complaint_stats(period=self.period, unit_id=self.unit_id)

    @property
    def in_progress(self) -> bool:
        """The period has not ended on the office clock: its figures can still grow."""
        return self.period.end > self.today

    @property
    def filtered(self) -> bool:
        return bool(self.filters)

    @property
    def filter_text(self) -> str:
        """ "Layanan: Izin Reklame; Jenis kelamin: Perempuan" (empty for a whole unit)."""
        return "; ".join(f"{title}: {value}" for title, value in self.filters)

    @property
    def late_responses(self) -> int:
        """Questionnaires left out because they arrived after a publication covering their date (0 when live)."""
        if self.live is None or self.status == Status.PROVISIONAL:
            return 0
        return max(0, self.live.respondents - self.result.respondents)

    @property
    def late_note(self) -> str | None:
        """The sentence documents print about questionnaires left out after a publication (None: none)."""
        late = self.late_responses
        if not late:
            return None
        if self.status == Status.PUBLISHED:
            return (f"Sejak publikasi masuk {late} kuesioner lagi untuk periode ini; kuesioner tersebut tidak "
                    "mengubah angka yang dipublikasikan.")  # fmt: skip
        return (f"{late} kuesioner pada bagian periode yang sudah dipublikasikan masuk setelah publikasinya dan "
                "tidak dihitung di sini; angka sementara memuatnya.")  # fmt: skip

    @property
    def status_note(self) -> str | None:
        """The sentence every output prints about which figures these are (None: nothing to say)."""
        if self.status == Status.PUBLISHED and self.publication is not None:
            if self.filtered:  # a narrower view is not itself published: say what it is computed from
                when = published_moment(self.publication.published_at)
                return (
                    f"Dihitung dari responden yang tercakup dalam publikasi pada {when}; "
                    "pilihan terfilter ini sendiri tidak dipublikasikan."
                )
            return frozen_note_for(self.publication.published_at)
        if self.status == Status.PROVISIONAL:
            return (
                "Angka sementara, belum dipublikasikan: data terkini periode ini, termasuk kuesioner yang masuk "
                "setelah publikasi. Angka resmi tetap angka yang dipublikasikan."
            )
        if self.in_progress:
            return f"Angka sementara: periode belum berakhir, data sampai dengan {fmt_date(self.today)}."
        return None

    def respondent_rows(self):
        """Stream the responses behind these figures (the calculation sheet, the raw-data export), in id order."""
        return data.iter_responses(self.selection)

    @property
    def title_suffix(self) -> str:
        """What a printed title adds: the filter of a narrower selection, and a provisional mark."""
        parts = []
        if self.filtered:
            parts.append(f"pilihan terfilter: {self.filter_text}")
        if self.provisional:
            parts.append(PROVISIONAL_LABEL if self.status == Status.PROVISIONAL else "angka sementara")
        return " (" + "; ".join(parts) + ")" if parts else ""

    @property
    def provisional(self) -> bool:
        """True when the figures are not (yet) the official ones: provisional, or an unfinished period."""
        return self.status == Status.PROVISIONAL or (self.status == Status.UNPUBLISHED and self.in_progress)


def weakest_elements(result: IkmResult, count: int = WEAKEST) -> tuple[ElementResult, ...]:
    """The `count` elements with the lowest NRR x 25 (how the weakest are ranked), by code; any element tied with
    the last of them is included too, so ties are never broken by code."""
    ranked = sorted((e for e in result.elements if e.nik is not None), key=lambda e: (e.nik, e.code))
    if len(ranked) <= count:
        return tuple(ranked)
    return tuple(e for e in ranked if e.nik <= ranked[count - 1].nik)


def profile_label(group: str, key: str) -> str:
    """The label a profile value is printed with: the questionnaire's option text, "20-29 tahun" for an age band."""
    if group == "age_band" and key != data.NOT_FILLED:
        return key.replace(">=", "≥") + " tahun"
    return PROFILE_LABELS.get(group, {}).get(key, key)


def ordered_profile(group: str, entries: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Profile rows in the questionnaire's order (age bands ascending); services by count; "Tidak diisi" last."""
    order = {
        "gender": [k for k, _ in GENDERS],
        "age_band": [label for _, _, label in data.AGE_BANDS],
        "education": [k for k, _ in EDUCATIONS],
        "occupation": [k for k, _ in OCCUPATIONS],
    }.get(group)
    if order is None:
        return sorted(entries, key=lambda item: (str(item[0]) == data.NOT_FILLED, -item[1], str(item[0])))
    rank = {key: i for i, key in enumerate(order)}
    return sorted(entries, key=lambda item: rank.get(str(item[0]), len(rank) + (str(item[0]) == data.NOT_FILLED)))


def build_dashboard(
    *,
    unit_id: int,
    unit_name: str,
    period: Period,
    selection: Selection | None = None,
    live: bool = False,
    trend_months: int = 12,
) -> Dashboard:
    """Return the figures of a selection over a period: the published ones when the period was published.

    A period that is not published is computed over the respondents every publication in force included (late
    questionnaires of a published month stay out of its quarter too); `live` ignores every publication and
    marks the figures of a published period provisional. Identical reads are answered once (`data.batch`).
    """
    with data.batch():
        return _build(unit_id=unit_id, unit_name=unit_name, period=period, selection=selection, live=live,
                      trend_months=trend_months)  # fmt: skip


def _build(*, unit_id: int, unit_name: str, period: Period, selection: Selection | None, live: bool,
           trend_months: int) -> Dashboard:  # fmt: skip
    selection = replace(selection or Selection(), unit_id=unit_id)
    record = data.publication(unit_id, period.key)
    publication = None if record is None else Publication(record.published_at, record.published_by)
    common = {"today": clock.today(), "publication": publication, "filters": describe_filters(selection)}
    in_period = selection.within(period.start, period.end)
    if live:
        figures = compute_figures(unit_id=unit_id, unit_name=unit_name, period=period, selection=selection)
        status = Status.PROVISIONAL if record is not None else Status.UNPUBLISHED
        return Dashboard(figures, status, monthly_trend(selection, period, trend_months, live=True), **common)
    if record is None:
        cutoffs = cutoffs_in_force(unit_id, period.start, period.end)
        figures = compute_figures(unit_id=unit_id, unit_name=unit_name, period=period,
                                  selection=selection.frozen_at(cutoffs))  # fmt: skip
        trend = monthly_trend(selection, period, trend_months)
        return Dashboard(figures, Status.UNPUBLISHED, trend, live=live_result(in_period) if cutoffs else None, **common)
    published = read_publication(record, unit_name=unit_name)
    if selection.filtered:  # a narrower view of a published period: over the published respondent set
        frozen = selection.frozen_at(published.snapshot.cutoffs)
        figures = compute_figures(unit_id=unit_id, unit_name=unit_name, period=period, selection=frozen,
                                  names=published.snapshot.names())  # fmt: skip
    else:
        figures = published.figures
    trend = monthly_trend(selection, period, trend_months, own=published.snapshot)
    return Dashboard(figures, Status.PUBLISHED, trend, live=live_result(in_period), **common)


def live_result(selection: Selection) -> IkmResult:
    """The live IKM of a selection (one SQL aggregate)."""
    return compute_ikm(data.tally(selection))


def describe_filters(selection: Selection) -> tuple[tuple[str, str], ...]:
    """Name each filter of a selection, with service and counter names: (("Layanan", "Izin Reklame"), ...)."""
    names = {
        "service_id": data.service_names([selection.service_id]),
        "counter_id": data.counter_names([selection.counter_id]),
        "gender": dict(GENDERS),
        "education": dict(EDUCATIONS),
        "occupation": dict(OCCUPATIONS),
    }
    described = []
    for attr, title in FILTER_TITLES:
        value = getattr(selection, attr)
        if value is not None:
            label = names.get(attr, {}).get(value, str(value))
            described.append((title, f"{label} tahun" if attr == "age_band" else label))
    return tuple(described)


def monthly_trend(
    selection: Selection, period: Period, count: int = 12, *, live: bool = False, own: Snapshot | None = None
) -> list[TrendPoint]:
    """IKM of each of the `count` months up to the period's last month, over the published respondent sets.

    One SQL aggregate per day over the window. Months inside `own` (the published period being shown) use its
    respondent set, so they add up to its figures; other months use the sets of the publications in force, and
    a published month of a whole unit shows its own snapshot. `live` ignores publications.
    """
    if count <= 0:
        return []
    months = periods.last_months(periods.month(period.last_day.year, period.last_day.month), count)
    start, end = months[0].start, months[-1].end
    snapshots = [] if live or selection.unit_id is None else snapshots_in_force(selection.unit_id, start, end)
    published = {snap.period.key: snap for snap in snapshots if snap.period.kind == "month"}
    cutoffs = cutoffs_of(snapshots, start, end, outside=own.period if own else None)
    if own is not None:
        cutoffs += tuple(part for cut in own.cutoffs if (part := cut.clipped(start, end)) is not None)
    daily = by_period(data.daily_tallies(selection.frozen_at(cutoffs).within(start, end)), "month")
    points = []
    for month in months:
        inside_own = own is not None and own.period.start <= month.start < own.period.end
        if own is not None and month.key == own.period.key and not selection.filtered:
            result = own.result
        elif month.key in published and not inside_own and not selection.filtered:
            result = published[month.key].result
        else:
            result = compute_ikm(daily.get(month.key, Tally()))
        points.append(TrendPoint(month, result, inside_own or month.key in published))
    return points


def by_period(daily: dict[tuple, Tally], kind: str) -> dict[str, Tally]:
    """{period key: pooled Tally} of day-level tallies (key (day, ...)), one pass over the days."""
    keys: dict[date, str] = {}
    pooled: dict[str, Tally] = {}
    for key, tally in daily.items():
        day = key[0]
        if day not in keys:
            keys[day] = periods.period_of(day, kind).key
        period_key = keys[day]
        pooled[period_key] = pooled[period_key] + tally if period_key in pooled else tally
    return pooled


def history_trend(*, unit_id: int, until: date, kind: str = "month") -> list[TrendPoint]:
    """IKM per month/quarter/year over the unit's whole history, over the published respondent sets."""
    selection = Selection(unit_id=unit_id)
    first = data.first_response_date(selection)
    if first is None:
        return []
    start = periods.period_of(first, kind).start
    snapshots = snapshots_in_force(unit_id, start, until)
    published = {snap.period.key: snap.result for snap in snapshots if snap.period.kind == kind}
    daily = data.daily_tallies(selection.frozen_at(cutoffs_of(snapshots, start, until)).within(first, until))
    pooled = by_period(daily, kind)
    points = []
    current = periods.period_of(first, kind)
    while current.start < until:
        if current.key in published:
            points.append(TrendPoint(current, published[current.key], True))
        else:
            points.append(TrendPoint(current, compute_ikm(pooled.get(current.key, Tally()))))
        current = periods.period_of(current.end, kind)
    return points


def fmt_date(day: date) -> str:
    """date(2026, 3, 1) -> "1 Maret 2026"."""
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def published_moment(published_at: datetime) -> str:
    """A publication time on the office clock: "1 Oktober 2026 pukul 10.30 WITA" (naive = UTC, as SQLite returns)."""
    moment = clock.local_datetime(published_at)
    zone = moment.tzname() or ""
    return f"{fmt_date(moment.date())} pukul {moment:%H.%M}{' ' + zone if zone else ''}"


def frozen_note_for(published_at: datetime) -> str:
    """The sentence that marks a published period's figures as frozen, with the publication time (office clock)."""
    return f"Angka yang dipublikasikan, dibekukan saat publikasi pada {published_moment(published_at)}."
