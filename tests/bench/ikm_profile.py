"""Profiling for the IKM benchmark: every analytics.data call timed, its SQL replayed raw, the slowest plans."""

import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from tests.bench.ikm_timing import Raw

LOOKUPS = "lookups (directory names, population, publication)"


def _data_functions() -> dict:
    """The public functions of analytics.data (the only analytics module that queries the database)."""
    import inspect

    from analytics import data

    return {
        name: fn
        for name, fn in vars(data).items()
        if inspect.isfunction(fn) and fn.__module__ == data.__name__ and not name.startswith("_")
    }


def _span(selection) -> str:
    start, end = selection.start, selection.end
    if start is None and end is None:
        return "all dates"
    if start and end:
        months = (end.year - start.year) * 12 + end.month - start.month
        if start.day == 1 and end.day == 1 and months:
            return f"{months} month{'s' if months > 1 else ''}"
        return f"{(end - start).days} days"
    return f"from {start}" if start else f"until {end}"


def _describe(name: str, args, kwargs) -> str:
    """A row label for one analytics.data call: the aggregate, its grouping and its date span."""
    from analytics.data import Selection

    selection = args[0] if args else kwargs.get("selection")
    if not isinstance(selection, Selection):
        return LOOKUPS
    by = kwargs.get("by", args[1] if len(args) > 1 else ())
    grouping = f" by day{', ' if by else ''}{', '.join(by)}" if name == "daily_tallies" else ""
    if name != "daily_tallies" and by:
        grouping = f" by {', '.join(by)}"
    return f"`{name}`{grouping}, {_span(selection)}"


@contextmanager
def profiled(engine):
    """Record every top-level analytics.data call made inside: its label, time and the SQL it sent.

    Every public function of analytics.data is wrapped, so a new query function is profiled without
    editing this file; a call made from inside another data function is counted in its caller.
    """
    from sqlalchemy import event

    from analytics import data

    calls, stack, originals = [], [], _data_functions()

    def before(_conn, _cursor, statement, parameters, _context, _executemany):
        if stack:
            stack[0]["statements"].append((statement, parameters))

    def wrap(name, original):
        def wrapper(*args, **kwargs):
            if stack:  # nested: the outer call owns the time and the statements
                return original(*args, **kwargs)
            record = {"fn": name, "label": _describe(name, args, kwargs), "statements": []}
            stack.append(record)
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                record["elapsed"] = time.perf_counter() - started
                stack.pop()
                calls.append(record)

        return wrapper

    for name, original in originals.items():
        setattr(data, name, wrap(name, original))
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield calls
    finally:
        event.remove(engine, "before_cursor_execute", before)
        for name, original in originals.items():
            setattr(data, name, original)


@dataclass
class Part:
    label: str
    calls: int
    elapsed: float  # the analytics.data call(s), median over the profiled runs
    sql: float | None  # the same statements replayed on the raw DBAPI (execute + fetchall)
    plan: list[str] = field(default_factory=list)  # of this part's slowest statement


@dataclass
class Breakdown:
    total: float
    parts: list[Part]  # slowest first
    heaviest: tuple[str, object] | None  # (statement, params) of the slowest replayed statement
    plan: list[str] = field(default_factory=list)

    @property
    def composition(self) -> float:
        return self.total - sum(p.elapsed for p in self.parts)

    @property
    def sql(self) -> float:
        return sum(p.sql or 0 for p in self.parts)


def breakdown(engine, raw: Raw, fn, runs: int = 3) -> Breakdown:
    """Profile `fn` (already warm): per-call times, the SQL replayed raw, the plan of the slowest statements."""
    totals, per_run = [], []
    for _ in range(runs):
        with profiled(engine) as calls:
            started = time.perf_counter()
            fn()
            totals.append(time.perf_counter() - started)
        per_run.append(calls)
    last = per_run[-1]
    if any(len(run) != len(last) for run in per_run):
        medians = [record["elapsed"] for record in last]
    else:
        medians = [statistics.median(run[i]["elapsed"] for run in per_run) for i in range(len(last))]
    replay = [[(raw.timed(sql, params), sql, params) for sql, params in record["statements"]] for record in last]
    parts = []
    for label in dict.fromkeys(record["label"] for record in last):
        indexes = [i for i, record in enumerate(last) if record["label"] == label]
        statements = [t for i in indexes for t in replay[i]]
        part = Part(label, len(indexes), sum(medians[i] for i in indexes), sum(t for t, _, _ in statements))
        if statements and label != LOOKUPS:
            slowest = max(statements, key=lambda t: t[0])
            part.plan = raw.explain(slowest[1], slowest[2])
        parts.append(part)
    parts.sort(key=lambda p: -p.elapsed)
    heaviest = max((t for times in replay for t in times), default=None, key=lambda t: t[0])
    result = Breakdown(statistics.median(totals), parts, heaviest[1:] if heaviest else None)
    if heaviest:
        result.plan = raw.explain(heaviest[1], heaviest[2])
    return result
