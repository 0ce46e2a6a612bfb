"""The pack's SKM evidence: per published period of the year its report, calculation workbook and poster, and
how often the survey was held (LKE VI.iv.a, VI.iv.b)."""

import io
from collections import Counter
from collections.abc import Iterable

from analytics import data
from analytics.evidence.pack import Pack
from analytics.evidence.tables import csv_bytes
from app.directory import Unit
from app.periods import Period

KIND_LABELS = {"month": "bulanan", "quarter": "triwulanan", "semester": "semesteran", "year": "tahunan",
               "range": "rentang tanggal"}  # fmt: skip
KIND_ORDER = ("year", "semester", "quarter", "month", "range")


def published_periods(published: Iterable[Period], year: int) -> list[Period]:
    """Of a unit's published periods (`data.unit_periods`), those that lie within `year`, in time order, longer
    periods first."""
    found = [p for p in published if p.start.year == year and p.last_day.year == year]
    return sorted(found, key=lambda p: (p.start, KIND_ORDER.index(p.kind)))


def frequency_grade(periods: list[Period]) -> tuple[int, str]:
    """How many times the survey was held in the year, and the LKE VI.iv.a grade (A >= 4, B 3, C 2, D 1, E none).

    The count is that of the most frequent kind of period published (12 monthly publications: 12; four quarters
    and a year: 4), so a year published beside its quarters is not counted twice."""
    by_kind = Counter(p.kind for p in periods if p.kind != "range")
    held = max(by_kind.values(), default=0)
    return held, "A" if held >= 4 else "EDCB"[held]


def add_survey_files(pack: Pack, unit: Unit, *, published: list[Period]) -> list[Period]:
    """Add the report, workbook and poster of every period of the year among the unit's `published` periods
    (`data.unit_periods`), and the frequency table; return those periods."""
    from analytics.dashboard import build_dashboard
    from analytics.export import export_workbook
    from analytics.report import skm_report_pdf

    periods = published_periods(published, pack.year)
    for period in periods:
        dash = build_dashboard(unit_id=unit.id, unit_name=unit.name, period=period)
        folder = f"skm/{period.key}"
        pack.add(f"{folder}/laporan-skm-{period.key}.pdf", skm_report_pdf(dash), ("VI.iv.a",),
                 f"Laporan SKM {period.label} (angka yang dipublikasikan)")  # fmt: skip
        sheet = io.BytesIO()
        export_workbook(dash, sheet, screen_text=True)
        pack.add(f"{folder}/pengolahan-data-{period.key}.xlsx", sheet.getvalue(), ("VI.iv.a",),
                 f"Data dan pengolahan SKM {period.label}")  # fmt: skip
        publication_id = data.poster_publication(unit.slug, period.key)
        poster = data.poster_bytes(publication_id, "pdf") if publication_id is not None else None
        if poster:
            pack.add(f"{folder}/poster-{period.key}.pdf", poster, ("VI.iv.b",),
                     f"Poster hasil SKM {period.label} untuk papan pengumuman (publikasi luring)")  # fmt: skip
    _frequency(pack, periods)
    return periods


def _frequency(pack: Pack, periods: list[Period]) -> None:
    held, grade = frequency_grade(periods)
    rows = [[p.key, p.label, KIND_LABELS.get(p.kind, p.kind)] for p in periods]
    rows.append([])
    rows.append(["Frekuensi survei", held, f"Kriteria LKE VI.iv.a: {grade} (A: minimal 4 kali setahun)"])
    description = f"Periode SKM yang dipublikasikan pada {pack.year} dan frekuensinya"
    table = csv_bytes(["Periode", "Nama periode", "Jenis"], rows)
    pack.add(f"skm/frekuensi-survei-{pack.year}.csv", table, ("VI.iv.a",) if periods else (), description)
    if held < 4:
        pack.add("skm/PERINGATAN-kurang-dari-empat-periode.txt",
                 f"PERINGATAN: pada tahun {pack.year} hanya {held} periode SKM yang dipublikasikan. Kriteria A "
                 "LKE VI.iv.a meminta survei minimal empat kali setahun (misalnya setiap triwulan).\n",
                 (), "Peringatan: kurang dari empat periode survei")  # fmt: skip
