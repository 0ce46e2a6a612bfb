"""Timing for the IKM benchmark: a warm-up plus timed calls, the number formats, and a raw DBAPI connection."""

import sqlite3
import statistics
import time
from dataclasses import dataclass
from datetime import date

from tests.bench.ikm_config import RUNS


@dataclass
class Series:
    """Timings of one measurement: a warm-up call, then RUNS timed calls (seconds)."""

    first: float
    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def low(self) -> float:
        return min(self.samples)

    @property
    def high(self) -> float:
        return max(self.samples)


def measure(fn, runs: int = RUNS) -> tuple[Series, object]:
    started = time.perf_counter()
    value = fn()
    first = time.perf_counter() - started
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        value = fn()
        samples.append(time.perf_counter() - started)
    return Series(first, samples), value


def fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 0.1:
        return f"{seconds * 1000:.1f} ms"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 100:
        return f"{seconds:.2f} s"
    return f"{seconds:.0f} s"


def fmt_mb(kb: float | None) -> str:
    return "-" if kb is None else f"{kb / 1024:.0f} MB"


def verdict(ok: bool | str | None) -> str:
    """PASS / FAIL for a goal; None: a figure without a goal; a string (why a goal was not measured) as it is."""
    if isinstance(ok, str):
        return ok
    return "info (no goal)" if ok is None else ("**PASS**" if ok else "**FAIL**")


# --------------------------------------------------------------------------- raw DBAPI


class Raw:
    """A plain DBAPI connection to the same database: the floors, SQL replays, EXPLAIN and alternatives."""

    def __init__(self, dialect: str, target: str):
        self.dialect = dialect
        if dialect == "sqlite":
            self.con = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
            self.ph = "?"
        else:
            import psycopg

            self.con = psycopg.connect(target, autocommit=True)
            self.ph = "%s"

    def day(self, value: date):
        return value.isoformat() if self.dialect == "sqlite" else value

    def run(self, sql: str) -> None:
        cursor = self.con.cursor()
        cursor.execute(sql)
        cursor.close()

    def rows(self, sql: str, params=()):
        cursor = self.con.cursor()
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        cursor.close()
        return rows

    def timed(self, sql: str, params=(), runs: int = 3) -> float:
        self.rows(sql, params)
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            self.rows(sql, params)
            samples.append(time.perf_counter() - started)
        return statistics.median(samples)

    def explain(self, sql: str, params=()) -> list[str]:
        if self.dialect == "sqlite":
            return [row[3] for row in self.rows("EXPLAIN QUERY PLAN " + sql, params)]
        lines = [row[0] for row in self.rows("EXPLAIN (ANALYZE, COSTS off) " + sql, params)]
        return [line for line in lines if not line.strip().startswith(("Group Key", "Sort Key", "Filter"))]

    def close(self) -> None:
        self.con.close()
