"""The SKM workbook (.xlsx) of a period: raw responses, tabulation, per-element summary, profile.

Streamed: openpyxl's write-only mode writes each row to a temporary file as it
comes, and the responses are read with `analytics.data.iter_responses`
(`yield_per`), so memory does not grow with the number of respondents. The
"Tabulasi" counts are accumulated in the same pass, in plain integers.

Every text cell goes through `safe_cell`: a value that a spreadsheet would read
as a formula (= + - @, tab, carriage return) gets a leading apostrophe
(perf-security B.1, formula injection), and characters XML cannot hold are
dropped. openpyxl is imported inside the function (perf-security A.2).
"""

import re
from decimal import Decimal
from fractions import Fraction
from typing import BinaryIO

from analytics import data
from analytics.dashboard import Dashboard
from analytics.ikm import IkmResult
from analytics.report import PROFILE_TITLES, ordered_profile, profile_label, weight_text
from app.directory import Counter, Service
from survey.questionnaire import ELEMENTS

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
RAW_COLUMNS = (
    "id", "tanggal", "layanan", "loket", "kanal", "dibantu", "flags", "jenis kelamin", "usia", "pendidikan",
    "pekerjaan", "pekerjaan lainnya", *(e.code for e in ELEMENTS), "saran",
)  # fmt: skip
NRR_FORMAT = "0.000"
NIK_FORMAT = "0.00"
IKM_FORMAT = "0.0000"
PCT_FORMAT = "0.0%"


def safe_cell(value):
    """Return a value safe to put in a spreadsheet cell.

    Strings that a spreadsheet would evaluate (starting with = + - @, a tab or a
    carriage return) get a leading apostrophe, so "=HYPERLINK(...)" is stored as
    the text "'=HYPERLINK(...)"; control characters that XML cannot hold are
    dropped. Numbers, dates, booleans and None pass through unchanged.
    """
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_PREFIXES):
        value = "'" + value
    return _ILLEGAL_XML.sub("", value)


def _number(value: Fraction | Decimal | None) -> float | None:
    """An exact value as a float cell (display rounding is the cell's number format, never a string)."""
    return None if value is None else float(value)


def export_workbook(dashboard: Dashboard, out: BinaryIO) -> None:
    """Write the period's workbook to `out`: sheets Responden, Tabulasi, Ringkasan Unsur, Profil.

    Every sheet describes the dashboard's respondent set (for a published period: the published one).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DFE7EF")

    def cell(sheet, value, number_format: str | None = None, *, header: bool = False, strong: bool = False):
        c = WriteOnlyCell(sheet, value=safe_cell(value))
        if number_format and value is not None:
            c.number_format = number_format
        if header or strong:
            c.font = bold
        if header:
            c.fill = header_fill
        return c

    def put(sheet, values) -> None:
        """Append a row; every plain value goes through safe_cell (styled cells already did)."""
        sheet.append([v if isinstance(v, Cell) else safe_cell(v) for v in values])

    def header(sheet, titles) -> None:
        sheet.append([cell(sheet, t, header=True) for t in titles])

    def widths(sheet, values) -> None:
        from openpyxl.utils import get_column_letter

        for index, width in enumerate(values, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width

    period = dashboard.period
    figures = dashboard

    # Sheet 1: raw responses, streamed; the tabulation counts are gathered on the way.
    raw = workbook.create_sheet("Responden")
    raw.freeze_panes = "C2"
    widths(raw, [8, 11, 30, 24, 8, 8, 18, 8, 6, 10, 11, 16, *([5] * len(ELEMENTS)), 60])
    header(raw, RAW_COLUMNS)
    service_names = data.service_names({g.key for g in dashboard.by_service})
    counter_names = data.counter_names({g.key for g in dashboard.by_counter})
    counts = {e.code: [0, 0, 0, 0] for e in ELEMENTS}
    respondents = 0
    for response in dashboard.respondent_rows():
        respondents += 1
        if response.service_id not in service_names:  # a service added after the dashboard was built
            service_names.update(data.names(Service, [response.service_id]))
        if response.counter_id is not None and response.counter_id not in counter_names:
            counter_names.update(data.names(Counter, [response.counter_id]))
        scores = response.scores()
        for code, score in scores.items():
            if score is not None:
                counts[code][score - 1] += 1
        channel = getattr(response.channel, "value", response.channel)
        values = [
            response.id,
            None,  # the date cell below
            service_names.get(response.service_id, str(response.service_id)),
            counter_names.get(response.counter_id, "") if response.counter_id is not None else None,
            channel,
            "ya" if response.assisted else "tidak",
            response.flags or None,
            response.gender,
            response.age,
            response.education,
            response.occupation,
            response.occupation_other,
            *scores.values(),
            response.suggestion,
        ]
        values[1] = cell(raw, response.survey_date, "yyyy-mm-dd")
        put(raw, values)

    # Sheet 2: tabulation of the raw responses above (same pass, same rows).
    tab = workbook.create_sheet("Tabulasi")
    widths(tab, [7, 40, 9, 9, 9, 9, 10, 12, 12, 9])
    put(
        tab,
        [cell(tab, f"Tabulasi jawaban, {period.label}{dashboard.title_suffix} ({respondents} responden)", strong=True)],
    )
    header(tab, ["Kode", "Unsur", "Nilai 1", "Nilai 2", "Nilai 3", "Nilai 4", "Terisi", "Tidak diisi",
                 "Jumlah nilai", "NRR"])  # fmt: skip
    for element in ELEMENTS:
        ones, twos, threes, fours = counts[element.code]
        answered = ones + twos + threes + fours
        total = ones + 2 * twos + 3 * threes + 4 * fours
        nrr = Fraction(total, answered) if answered else None
        put(tab, [element.code, element.name, ones, twos, threes, fours, answered, respondents - answered, total,
                    cell(tab, _number(nrr), NRR_FORMAT)])  # fmt: skip

    # Sheet 3: per-element summary: the reported figures (frozen when published).
    summary = workbook.create_sheet("Ringkasan Unsur")
    widths(summary, [26, 40, 9, 12, 10, 15, 10, 7])
    result = figures.result
    title = (f"{dashboard.unit_name}, {period.label} ({period.start:%d-%m-%Y} s.d. {period.last_day:%d-%m-%Y})"
             f"{dashboard.title_suffix}")  # fmt: skip
    put(summary, [cell(summary, title, strong=True)])
    if dashboard.status_note:
        put(summary, [cell(summary, dashboard.status_note, strong=True)])
    if dashboard.late_responses:
        late = dashboard.late_responses
        put(summary, [f"Sejak publikasi masuk {late} kuesioner lagi untuk periode ini; kuesioner tersebut tidak "
                      "mengubah angka yang dipublikasikan dan tidak ada di buku kerja ini."])  # fmt: skip
    header(summary, ["Kode", "Unsur", "Terisi", "Jumlah nilai", "NRR", "NRR tertimbang", "NRR x 25", "Mutu"])
    for e in result.elements:
        put(summary, [
            e.code, e.name, e.answered, e.total, cell(summary, _number(e.nrr), NRR_FORMAT),
            cell(summary, _number(e.nrr_weighted), NRR_FORMAT), cell(summary, _number(e.nik), NIK_FORMAT), e.mutu,
        ])  # fmt: skip
    put(summary, [])
    for label, value, fmt in _summary_rows(result):
        put(summary, [cell(summary, label, strong=True), cell(summary, value, fmt)])
    if result.has_data and result.missing_elements:
        k = len(result.elements) - len(result.missing_elements)
        put(summary, [f"Unsur tanpa jawaban: {', '.join(result.missing_elements)}; IKM dari {k} unsur, bobot 1/{k}."])
    put(summary, [])
    sample = figures.sample
    if sample is None:
        put(summary, ["Kecukupan sampel", "populasi belum diisi"])
    else:
        for label, value in (("Populasi", sample.population), ("Sampel minimum (Krejcie-Morgan)", sample.required),
                             ("Responden terkumpul", sample.collected), ("Kecukupan sampel", sample.label),
                             ("Kekurangan", sample.shortfall)):  # fmt: skip
            put(summary, [cell(summary, label, strong=True), value])
    put(summary, [])
    header(summary, ["Jenis layanan", "Responden", "IKM (NI)", "NIK", "Mutu", "Keterangan"])
    for group in figures.by_service:
        r = group.result
        put(summary, [
            group.name, r.respondents, cell(summary, _number(r.ikm), IKM_FORMAT),
            cell(summary, _number(r.nik), NIK_FORMAT), r.mutu, "indikatif" if group.indicative else None,
        ])  # fmt: skip

    # Sheet 4: respondent profile.
    profile = workbook.create_sheet("Profil")
    widths(profile, [18, 40, 10, 10])
    total = dashboard.result.respondents
    put(
        profile,
        [cell(profile, f"Profil responden, {period.label}{dashboard.title_suffix} ({total} responden)", strong=True)],
    )
    header(profile, ["Karakteristik", "Kategori", "Jumlah", "%"])
    for group, label in PROFILE_TITLES.items():
        for key, count in ordered_profile(group, dashboard.profile.get(group, [])):
            share = count / total if total else None
            put(profile, [label, profile_label(group, str(key)), count, cell(profile, share, PCT_FORMAT)])
    workbook.save(out)


def _summary_rows(result: IkmResult) -> list[tuple[str, object, str | None]]:
    return [
        ("Jumlah responden", result.respondents, None),
        (f"IKM (nilai interval 1-4, bobot {weight_text(result)})", _number(result.ikm), IKM_FORMAT),
        ("NIK (IKM x 25, dibulatkan setengah ke atas)", _number(result.nik), NIK_FORMAT),
        ("Mutu pelayanan", result.mutu, None),
        ("Kinerja unit pelayanan", result.kinerja, None),
    ]
