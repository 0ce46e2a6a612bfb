"""The figures of one selection over one period, and the typed snapshot that freezes a published period.

`compute_figures` reads a selection's figures from the database (through `analytics.data`). `Snapshot` is
what a publication stores: the figures that were published and the watermark that fixes the respondent set
(every response of the period with id <= watermark). `published_figures` turns a publication back into
`Figures`: the stored numbers, plus the profile and channels read from exactly that respondent set, so every
figure of a published period describes the same respondents. Whether a view shows frozen or live figures is
decided once, in `analytics.dashboard.build_dashboard`, never in a renderer.
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from analytics import data
from analytics.data import Cutoff, FlagCounts, Selection
from analytics.ikm import IkmResult, Tally, compute_ikm, pool
from analytics.sample import SampleAdequacy, adequacy
from analytics.selection import PROFILE_DIMENSIONS
from app.periods import Period, parse_period

PROFILE_GROUPS = (*PROFILE_DIMENSIONS, "service")
SNAPSHOT_VERSION = 2
PAPER_LABEL = "Kuesioner kertas"


@dataclass(frozen=True)
class GroupResult:
    """The IKM of one service or counter; `indicative` when below the minimum sample."""

    key: int | str | None
    name: str
    result: IkmResult
    indicative: bool


@dataclass(frozen=True)
class Figures:
    """Every figure printed about one selection over one period (dashboard, poster, report, export)."""

    unit_id: int
    unit_name: str
    period: Period
    selection: Selection  # the respondent set: unit, filters, the period's dates and any publication cutoff
    result: IkmResult
    by_service: tuple[GroupResult, ...]
    by_counter: tuple[GroupResult, ...]
    profile: Mapping[str, list[tuple[str, int]]]
    channels: Mapping[str, int]
    flags: FlagCounts
    sample: SampleAdequacy | None
    notes: tuple[str, ...] = ()

    @property
    def weakest(self) -> tuple:
        return self.result.weakest(3)


def fold(daily: dict[tuple, Tally], period: Period, group_index: int | None = None) -> dict:
    """Pool day-level tallies that fall in `period`, optionally per group value."""
    pooled: dict = defaultdict(Tally)
    for key, tally in daily.items():
        if period.contains(key[0]):
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


def _groups(grouped: dict, names, required) -> tuple[GroupResult, ...]:
    results = []
    for key, tally in sorted(grouped.items(), key=lambda kv: names.get(kv[0], str(kv[0]))):
        name = names.get(key, PAPER_LABEL if key is None else str(key))
        indicative = required is not None and tally.respondents < required
        results.append(GroupResult(key, name, compute_ikm(tally), indicative))
    return tuple(results)


def missing_element_notes(result: IkmResult) -> tuple[str, ...]:
    """The note every output prints when some element has no answer (IKM over k elements, weight 1/k)."""
    if not (result.has_data and result.missing_elements):
        return ()
    k = len(result.elements) - len(result.missing_elements)
    missing = ", ".join(result.missing_elements)
    return (f"Unsur tanpa jawaban: {missing}; IKM dihitung dari {k} unsur yang terisi (bobot 1/{k}).",)


def compute_figures(
    *, unit_id: int, unit_name: str, period: Period, selection: Selection, names: Mapping | None = None
) -> Figures:
    """Read the figures of a selection over a period from the database (sums and counts in SQL).

    :param names: service and counter names to use (a publication's, as published) before the current ones.
    """
    in_period = replace(selection, unit_id=unit_id).within(period.start, period.end)
    grouped = data.grouped_tallies(in_period, by=("service", "counter"))  # the period's days, summed in SQL
    result = compute_ikm(pool(grouped.values()))
    population, months = data.period_population(unit_id, period)
    sample = adequacy(collected=result.respondents, population=population, months=months) if population else None
    required = sample.required if sample else None
    by_service = {key[0]: tally for key, tally in regroup(grouped, lambda service, _counter: (service,)).items()}
    by_counter = {key[0]: tally for key, tally in regroup(grouped, lambda _service, counter: (counter,)).items()}
    service_names = {**data.service_names(set(by_service)), **dict((names or {}).get("service", {}))}
    counter_names = {**data.counter_names(set(by_counter)), **dict((names or {}).get("counter", {}))}
    return Figures(
        unit_id=unit_id,
        unit_name=unit_name,
        period=period,
        selection=in_period,
        result=result,
        by_service=_groups(by_service, service_names, required),
        by_counter=_groups(by_counter, counter_names, required),
        profile=profile_breakdown(in_period, (names or {}).get("service")),
        channels=channel_counts(in_period),
        flags=data.flag_counts(in_period),
        sample=sample,
        notes=missing_element_notes(result),
    )


def profile_breakdown(selection: Selection, names: Mapping | None = None) -> dict[str, list[tuple[str, int]]]:
    """Respondents per gender, age band, education, occupation and service (from the roll-up where it can).

    :param names: service names to use (a publication's, as published) before the directory's current ones.
    """
    marginals = data.profile_marginals(selection, PROFILE_DIMENSIONS)
    services = data.grouped_tallies(selection, ("service",))
    marginals["service"] = {key[0]: tally.respondents for key, tally in services.items()}
    service_names = data.service_names(marginals["service"])
    service_names.update(names or {})
    profile = {}
    for group in PROFILE_GROUPS:
        labels = service_names if group == "service" else {}
        profile[group] = sorted(
            ((labels.get(k, data.NOT_FILLED if k is None else str(k)), n) for k, n in marginals[group].items()),
            key=lambda item: (-item[1], item[0]),  # ties by label: the same order however the counts were read
        )
    return profile


def channel_counts(selection: Selection) -> dict[str, int]:
    """Respondents per channel (online, kiosk, paper)."""
    grouped = data.grouped_tallies(selection, by=("channel",))
    return {str(key[0]): tally.respondents for key, tally in grouped.items()}


# --- the published snapshot -----------------------------------------------------------------------------------


def _tally_json(result: IkmResult) -> dict:
    return {"respondents": result.respondents, "elements": {e.code: [e.answered, e.total] for e in result.elements}}


def _result_from_json(summary: Mapping) -> IkmResult:
    """Rebuild an exact IkmResult from stored sums and counts; the stored headline wins should they differ."""
    raw = summary.get("elements", {})
    if isinstance(raw, list):  # snapshots written before version 2 list the elements
        raw = {e["code"]: [e["answered"], e["total"]] for e in raw}
    result = compute_ikm(Tally(int(summary.get("respondents", 0)), {c: (int(n), int(t)) for c, (n, t) in raw.items()}))
    published = summary.get("nik")
    if published is not None and result.nik is not None:
        nik = Decimal(str(published)).quantize(Decimal("0.01"))
        if nik != result.nik:  # a snapshot written under an older rule: published numbers never change
            result = replace(result, nik=nik, mutu=summary.get("mutu"), kinerja=summary.get("kinerja"))
    return result


def _headline_json(result: IkmResult) -> dict:
    nik = None if result.nik is None else str(result.nik)
    return {**_tally_json(result), "nik": nik, "mutu": result.mutu, "kinerja": result.kinerja}


def _groups_json(groups) -> list[dict]:
    return [{"key": g.key, "name": g.name, "indicative": g.indicative, **_headline_json(g.result)} for g in groups]


def _groups_from_json(items) -> tuple[GroupResult, ...]:
    return tuple(
        GroupResult(item.get("key"), str(item.get("name", "")), _result_from_json(item), bool(item.get("indicative")))
        for item in items
    )


@dataclass(frozen=True)
class Snapshot:
    """What a publication freezes: the figures as published and the watermark of the respondent set."""

    unit_name: str
    period: Period
    watermark: int | None  # every response of the period with id <= watermark; None: not recorded
    result: IkmResult
    by_service: tuple[GroupResult, ...]
    by_counter: tuple[GroupResult, ...] | None  # None: not recorded (read from the respondent set)
    sample: SampleAdequacy | None
    flags: FlagCounts
    notes: tuple[str, ...] = field(default_factory=tuple)
    # The respondent set: the period's own watermark and the cutoffs of publications in force it had to respect.
    cutoffs: tuple[Cutoff, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, figures: Figures, *, watermark: int) -> "Snapshot":
        """Freeze figures computed over a respondent set (`figures.selection.cutoffs`) taken at `watermark`."""
        return cls(figures.unit_name, figures.period, watermark, figures.result, figures.by_service,
                   figures.by_counter, figures.sample, figures.flags, figures.notes,
                   figures.selection.cutoffs)  # fmt: skip

    def names(self) -> dict[str, dict]:
        """The service and counter names as published, for views of the published respondent set."""
        return {
            "service": {g.key: g.name for g in self.by_service if g.key is not None},
            "counter": {g.key: g.name for g in self.by_counter or () if g.key is not None},
        }

    def to_json(self) -> dict:
        """The JSON stored in `Publication.snapshot`."""
        sample = self.sample
        return {
            "version": SNAPSHOT_VERSION,
            "unit": self.unit_name,
            "period": {"key": self.period.key, "label": self.period.label},
            "watermark": self.watermark,
            "result": _headline_json(self.result),
            "services": _groups_json(self.by_service),
            "counters": None if self.by_counter is None else _groups_json(self.by_counter),
            "sample": None if sample is None else {"population": sample.population, "required": sample.required,
                                                   "collected": sample.collected, "months": list(sample.months)},
            "flags": {"total": self.flags.total, "flagged": self.flags.flagged, "assisted": self.flags.assisted,
                      "paper": self.flags.paper, "by_flag": dict(self.flags.by_flag)},
            "notes": list(self.notes),
            "cutoffs": [[c.start.isoformat(), c.end.isoformat(), c.max_id] for c in self.cutoffs],
        }  # fmt: skip

    @classmethod
    def from_json(cls, raw: Mapping) -> "Snapshot":
        """Read a stored snapshot (version 2, or the first format, which lacks counters and flag details)."""
        flags = raw.get("flags") or {}
        counters = raw.get("counters")
        return cls(
            unit_name=str(raw.get("unit", "")),
            period=_period_from_json(raw),
            watermark=raw.get("watermark"),
            result=_result_from_json(raw.get("result", {})),
            by_service=_groups_from_json(raw.get("services", [])),
            by_counter=None if counters is None else _groups_from_json(counters),
            sample=_sample_from_json(raw),
            flags=FlagCounts(int(flags.get("total", 0)), int(flags.get("flagged", 0)), int(flags.get("assisted", 0)),
                             int(flags.get("paper", 0)), dict(flags.get("by_flag", {}))),
            notes=tuple(raw.get("notes", ())),
            cutoffs=_cutoffs_from_json(raw, raw.get("period", {})),
        )  # fmt: skip


@dataclass(frozen=True)
class Headline:
    """A publication's headline as published, for lists: the stored figures only, no element or group recomputed."""

    period: Period
    respondents: int
    nik: Decimal | None
    mutu: str | None
    kinerja: str | None
    sample: SampleAdequacy | None

    @classmethod
    def from_json(cls, raw: Mapping) -> "Headline":
        """The stored headline; one without a stored NIK (no data, or an older form) is read as `Snapshot` reads it."""
        summary = raw.get("result", {})
        if summary.get("nik") is None:
            result = _result_from_json(summary)
            nik, mutu, kinerja = result.nik, result.mutu, result.kinerja
        else:
            nik = Decimal(str(summary["nik"])).quantize(Decimal("0.01"))
            mutu, kinerja = summary.get("mutu"), summary.get("kinerja")
        respondents = int(summary.get("respondents", 0))
        return cls(_period_from_json(raw), respondents, nik, mutu, kinerja, _sample_from_json(raw))


def _period_from_json(raw: Mapping) -> Period:
    period = raw.get("period", {})
    return parse_period(period.get("key", "") if isinstance(period, Mapping) else str(period))


def _sample_from_json(raw: Mapping) -> SampleAdequacy | None:
    sample = raw.get("sample")
    if not sample:
        return None
    months = tuple((str(key), int(n)) for key, n in sample.get("months") or ())
    return adequacy(collected=int(sample["collected"]), population=int(sample["population"]), months=months)


def _cutoffs_from_json(raw: Mapping, period: Mapping) -> tuple[Cutoff, ...]:
    """The stored cutoffs; a snapshot that has only a watermark covers its own period with it."""
    if raw.get("cutoffs") is not None:
        return tuple(Cutoff(date.fromisoformat(a), date.fromisoformat(b), int(n)) for a, b, n in raw["cutoffs"])
    if raw.get("watermark") is None:
        return ()
    own = parse_period(period.get("key", "") if isinstance(period, Mapping) else str(period))
    return (Cutoff(own.start, own.end, int(raw["watermark"])),)


def snapshots_in_force(unit_id: int, start: date, end: date) -> list[Snapshot]:
    """The snapshots of a unit's publications in force whose period overlaps [start, end)."""
    return [Snapshot.from_json(record.snapshot) for record in data.publications_overlapping(unit_id, start, end)]


def cutoffs_of(
    snapshots: list[Snapshot], start: date, end: date, *, outside: Period | None = None
) -> tuple[Cutoff, ...]:
    """The respondent-set cutoffs of these publications over [start, end) (except inside `outside`).

    A response counts in a default (non-live) view only when every publication in force that covers its date
    included it: late questionnaires of a published month stay out of the quarter or year around it too.
    """
    found = []
    for snapshot in snapshots:
        for cut in snapshot.cutoffs:
            part = cut.clipped(start, end)
            if part is None:
                continue
            found += part.outside(outside.start, outside.end) if outside is not None else [part]
    return tuple(found)


def cutoffs_in_force(unit_id: int, start: date, end: date) -> tuple[Cutoff, ...]:
    """The cutoffs of every publication in force over [start, end) (see `cutoffs_of`)."""
    return cutoffs_of(snapshots_in_force(unit_id, start, end), start, end)


@dataclass(frozen=True)
class PublishedPeriod:
    """A publication in force, read back as typed figures."""

    id: int
    snapshot: Snapshot
    figures: Figures
    published_at: datetime
    published_by: str


def read_publication(publication, *, unit_name: str | None = None) -> PublishedPeriod:
    """Return a publication's figures: stored numbers, plus profile and channels of the same respondent set."""
    snap = Snapshot.from_json(publication.snapshot)
    selection = Selection(unit_id=publication.unit_id, cutoffs=snap.cutoffs).within(snap.period.start, snap.period.end)
    by_counter = snap.by_counter
    if by_counter is None:  # not recorded by the first snapshot format: read from the same respondent set
        by_counter = compute_figures(unit_id=publication.unit_id, unit_name=snap.unit_name, period=snap.period,
                                     selection=selection).by_counter  # fmt: skip
    figures = Figures(
        unit_id=publication.unit_id,
        unit_name=unit_name or snap.unit_name,
        period=snap.period,
        selection=selection,
        result=snap.result,
        by_service=snap.by_service,
        by_counter=by_counter,
        profile=profile_breakdown(selection, snap.names()["service"]),
        channels=channel_counts(selection),
        flags=snap.flags,
        sample=snap.sample,
        notes=snap.notes,
    )
    return PublishedPeriod(publication.id, snap, figures, publication.published_at, publication.published_by)


def frozen_periods(unit_id: int, overlapping: Period | None = None) -> list:
    """The unit's publications in force as `app.periods.FrozenPeriod`s (registered as the shell's lookup)."""
    from app.errors import Message
    from app.i18n import N_
    from app.periods import FrozenPeriod

    found = []
    for record in data.publications(unit_id):
        result = Headline.from_json(record.snapshot)
        period = result.period
        if overlapping is not None and not (period.start < overlapping.end and overlapping.start < period.end):
            continue
        nik = "-" if result.nik is None else f"{result.nik:.2f}".replace(".", ",")
        summary = Message(N_("IKM %(nik)s (%(mutu)s), %(n)d responden"), {"nik": nik, "mutu": result.mutu or "-",
                                                                         "n": result.respondents})  # fmt: skip
        found.append(FrozenPeriod(period.key, period.label, summary))
    return found
