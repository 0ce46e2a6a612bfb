"""Compose what a dashboard, a poster, a report or an export needs from data + ikm + sample.

Pure composition: queries go through analytics.data, arithmetic through analytics.ikm.
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, tzinfo

from analytics import data
from analytics.data import FlagCounts, Selection
from analytics.ikm import IkmResult, Tally, compute_ikm, pool
from analytics.sample import SampleAdequacy, adequacy
from app import periods
from app.periods import MONTHS_ID, Period

PROFILE_GROUPS = ("gender", "age_band", "education", "occupation", "service")


@dataclass(frozen=True)
class GroupResult:
    """The IKM of one service or counter; `indicative` when below the minimum sample."""

    key: int | str | None
    name: str
    result: IkmResult
    indicative: bool


@dataclass(frozen=True)
class TrendPoint:
    period: Period
    result: IkmResult  # has_data False -> "no data", never 0


@dataclass
class Dashboard:
    """Everything the office head's dashboard and the poster show for one selection and period."""

    unit_id: int
    unit_name: str
    period: Period
    selection: Selection
    result: IkmResult
    by_service: list[GroupResult]
    by_counter: list[GroupResult]
    trend: list[TrendPoint]
    profile: dict[str, list[tuple[str, int]]]
    flags: FlagCounts
    sample: SampleAdequacy | None
    frozen: dict | None = None  # the published snapshot, when this period was published
    notes: list[str] = field(default_factory=list)

    @property
    def weakest(self) -> tuple:
        return self.result.weakest(3)


def fold(daily: dict[tuple, Tally], period: Period, group_index: int | None = None) -> dict:
    """Pool day-level tallies that fall in `period`, optionally per group value."""
    pooled: dict = defaultdict(Tally)
    for key, tally in daily.items():
        day = key[0]
        if period.contains(day):
            group = key[group_index] if group_index is not None else None
            pooled[group] = pooled[group] + tally
    return dict(pooled)


def regroup(daily: dict[tuple, Tally], key) -> dict[tuple, Tally]:
    """Re-key day-level tallies with `key(*old_key)`, adding up the tallies that land on the same new key."""
    result: dict[tuple, Tally] = defaultdict(Tally)
    for old_key, tally in daily.items():
        new_key = key(*old_key)
        result[new_key] = result[new_key] + tally
    return dict(result)


def trend(daily: dict[tuple, Tally], months: list[Period]) -> list[TrendPoint]:
    """IKM per month from pooled raw tallies; an empty month has no data (never 0)."""
    return [TrendPoint(m, compute_ikm(fold(daily, m).get(None, Tally()))) for m in months]


def _groups(daily, period, index, names, required) -> list[GroupResult]:
    results = []
    for key, tally in sorted(fold(daily, period, index).items(), key=lambda kv: names.get(kv[0], str(kv[0]))):
        name = names.get(key, "Kuesioner kertas" if key is None else str(key))
        indicative = required is not None and tally.respondents < required
        results.append(GroupResult(key, name, compute_ikm(tally), indicative))
    return results


def build_dashboard(
    *,
    unit_id: int,
    unit_name: str,
    period: Period,
    selection: Selection | None = None,
    trend_months: int = 12,
) -> Dashboard:
    """Compute the IKM of a period with its per-service, per-counter, trend and profile views."""
    selection = replace(selection or Selection(), unit_id=unit_id)
    in_period = selection.within(period.start, period.end)
    daily = data.daily_tallies(in_period, by=("service", "counter"))

    result = compute_ikm(pool(daily.values()))
    population = data.population(unit_id, period.key)
    sample = adequacy(collected=result.respondents, population=population) if population else None
    required = sample.required if sample else None

    service_daily = regroup(daily, lambda day, service, _counter: (day, service))
    counter_daily = regroup(daily, lambda day, _service, counter: (day, counter))
    by_service = _groups(service_daily, period, 1, data.service_names({k[1] for k in service_daily}), required)
    by_counter = _groups(counter_daily, period, 1, data.counter_names({k[1] for k in counter_daily}), required)

    notes = []
    if result.has_data and result.missing_elements:
        k = len(result.elements) - len(result.missing_elements)
        missing = ", ".join(result.missing_elements)
        notes.append(f"Unsur tanpa jawaban: {missing}; IKM dihitung dari {k} unsur yang terisi (bobot 1/{k}).")
    publication = data.publication(unit_id, period.key) if selection == Selection(unit_id=unit_id) else None
    return Dashboard(
        unit_id=unit_id,
        unit_name=unit_name,
        period=period,
        selection=selection,
        result=result,
        by_service=by_service,
        by_counter=by_counter,
        trend=monthly_trend(selection, period, trend_months),
        profile=profile_breakdown(in_period),
        flags=data.flag_counts(in_period),
        sample=sample,
        frozen=publication.snapshot if publication else None,
        notes=notes,
    )


def monthly_trend(selection: Selection, period: Period, count: int = 12) -> list[TrendPoint]:
    """IKM of each of the `count` months up to the period's last month (one SQL aggregate per day)."""
    if count <= 0:
        return []
    months = periods.last_months(periods.month(period.last_day.year, period.last_day.month), count)
    daily = data.daily_tallies(selection.within(months[0].start, months[-1].end))
    return trend(daily, months)


def profile_breakdown(selection: Selection) -> dict[str, list[tuple[str, int]]]:
    """Respondents per gender, age band, education, occupation and service (one SQL GROUP BY)."""
    counts = data.profile_counts(selection, PROFILE_GROUPS)
    service_names = data.service_names({key[PROFILE_GROUPS.index("service")] for key in counts})
    profile = {}
    for index, group in enumerate(PROFILE_GROUPS):
        totals: dict = defaultdict(int)
        for key, n in counts.items():
            totals[key[index]] += n
        labels = service_names if group == "service" else {}
        profile[group] = sorted(
            ((labels.get(k, data.NOT_FILLED if k is None else str(k)), n) for k, n in totals.items()),
            key=lambda item: -item[1],
        )
    return profile


def history_trend(*, unit_id: int, until: date, kind: str = "month") -> list[TrendPoint]:
    """IKM per month/quarter/year over the unit's whole history (pooled raw responses per period)."""
    selection = Selection(unit_id=unit_id)
    first = data.first_response_date(selection)
    if first is None:
        return []
    daily = data.daily_tallies(selection.within(first, until))
    result = []
    current = periods.period_of(first, kind)
    while current.start < until:
        tally = fold(daily, current).get(None, Tally())
        result.append(TrendPoint(current, compute_ikm(tally)))
        current = periods.period_of(current.end, kind)
    return result


def snapshot(dashboard: Dashboard) -> dict:
    """The JSON-ready record that freezes a period's published results."""
    return {
        "unit": dashboard.unit_name,
        "period": {"key": dashboard.period.key, "label": dashboard.period.label,
                   "start": dashboard.period.start.isoformat(), "end": dashboard.period.last_day.isoformat()},
        "result": dashboard.result.as_dict(),
        "services": [{"name": g.name, "indicative": g.indicative, **g.result.as_dict()} for g in dashboard.by_service],
        "sample": None if dashboard.sample is None else {
            "population": dashboard.sample.population, "required": dashboard.sample.required,
            "collected": dashboard.sample.collected, "meets": dashboard.sample.meets,
            "shortfall": dashboard.sample.shortfall,
        },
        "flags": {"total": dashboard.flags.total, "flagged": dashboard.flags.flagged,
                  "assisted": dashboard.flags.assisted, "paper": dashboard.flags.paper},
        "notes": dashboard.notes,
    }  # fmt: skip


def frozen_note(dashboard: Dashboard) -> str | None:
    """The sentence reports print when the period's published numbers are frozen, else None."""
    if dashboard.frozen is None:  # not published, or a filtered view the publication does not cover
        return None
    publication = data.publication(dashboard.unit_id, dashboard.period.key)
    if publication is None:
        return None
    from zoneinfo import ZoneInfo

    from flask import current_app

    return frozen_note_for(publication.published_at, ZoneInfo(current_app.config["OFFICE_TIMEZONE"]))


def fmt_date(day: date) -> str:
    """date(2026, 3, 1) -> "1 Maret 2026"."""
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def frozen_note_for(published_at: datetime, tz: tzinfo | None = None) -> str:
    """The sentence that marks a published period's figures as frozen, with the publication time."""
    if published_at.tzinfo is None:  # SQLite hands back naive datetimes; the app stores UTC
        published_at = published_at.replace(tzinfo=UTC)
    moment = published_at.astimezone(tz) if tz is not None else published_at
    zone = moment.tzname() or ""
    return (
        f"Angka pada laporan ini dibekukan saat publikasi pada {fmt_date(moment.date())} "
        f"pukul {moment:%H.%M}{' ' + zone if zone else ''}."
    )
