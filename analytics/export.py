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


def export_workbook(dashboard: Dashboard, out: BinaryIO, *, screen_text: bool = False) -> None:
    """Write the period's workbook to `out`: sheets Responden, Tabulasi, Ringkasan Unsur, Profil.

    Every sheet describes the dashboard's respondent set (for a published period: the published one).
    :param screen_text: for a workbook that leaves the office (the evidence pack): the citizens' free text passes
        the personal-data screen (app.redact) and suggestions an officer hid from the report are left out.
    """
    book = _Book()
    counts, respondents = _raw_sheet(book, dashboard, _screen(dashboard) if screen_text else None)
    _tabulation_sheet(book, dashboard, counts, respondents)
    _summary_sheet(book, dashboard)
    _profile_sheet(book, dashboard)
    book.workbook.save(out)


class _Book:
    """A write-only workbook with the helpers to add sheets and (bold, header) cells; imports openpyxl."""

    def __init__(self) -> None:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import Cell
        from openpyxl.styles import Font, PatternFill

        self.workbook = Workbook(write_only=True)
        self._new_cell, self._cell_type = WriteOnlyCell, Cell
        self.bold = Font(bold=True)
        self.header_fill = PatternFill("solid", fgColor="DFE7EF")

    def sheet(self, title: str, widths: list[int]):
        """A new sheet with its column widths."""
        from openpyxl.utils import get_column_letter

        sheet = self.workbook.create_sheet(title)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        return sheet

    def cell(self, sheet, value, number_format: str | None = None, *, header: bool = False, strong: bool = False):
        """A styled cell; the value goes through safe_cell."""
        c = self._new_cell(sheet, value=safe_cell(value))
        if number_format and value is not None:
            c.number_format = number_format
        if header or strong:
            c.font = self.bold
        if header:
            c.fill = self.header_fill
        return c

    def put(self, sheet, values) -> None:
        """Append a row; every plain value goes through safe_cell (styled cells already did)."""
        sheet.append([v if isinstance(v, self._cell_type) else safe_cell(v) for v in values])

    def header(self, sheet, titles) -> None:
        """Append a row of bold, shaded header cells."""
        sheet.append([self.cell(sheet, t, header=True) for t in titles])


# ---------------------------------------------------------------------------------------------------------------
# Sheet 1: raw responses


def _screen(dashboard: Dashboard):
    """A function that screens a response's free text (suggestion, other occupation) in place of the raw text."""
    from app.redact import mask_personal_data
    from survey.suggestions import hidden_suggestion_ids

    hidden = hidden_suggestion_ids(dashboard.unit_id)

    def screened(response) -> tuple[str | None, str | None]:
        other = response.occupation_other and mask_personal_data(response.occupation_other)
        if response.id in hidden or not response.suggestion:
            return None, other
        return mask_personal_data(response.suggestion), other

    return screened


def _raw_sheet(book: _Book, dashboard: Dashboard, screen=None) -> tuple[dict[str, list[int]], int]:
    """Stream the respondents into "Responden"; return the answers per element and value, and the respondents."""
    raw = book.sheet("Responden", [8, 11, 30, 24, 8, 8, 18, 8, 6, 10, 11, 16, *([5] * len(ELEMENTS)), 60])
    raw.freeze_panes = "C2"
    book.header(raw, RAW_COLUMNS)
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
        row = _raw_row(book, raw, response, scores, service_names, counter_names)
        if screen is not None:
            suggestion, other_occupation = screen(response)
            row[RAW_COLUMNS.index("pekerjaan lainnya")], row[-1] = other_occupation, suggestion
        book.put(raw, row)
    return counts, respondents


def _raw_row(book: _Book, raw, response, scores: dict, service_names: dict, counter_names: dict) -> list:
    """One response as a row of RAW_COLUMNS."""
    channel = getattr(response.channel, "value", response.channel)
    return [
        response.id,
        book.cell(raw, response.survey_date, "yyyy-mm-dd"),
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


# ---------------------------------------------------------------------------------------------------------------
# Sheet 2: tabulation


def _tabulation_sheet(book: _Book, dashboard: Dashboard, counts: dict[str, list[int]], respondents: int) -> None:
    """The "Tabulasi" sheet: the answers per element and value of the raw responses (same pass, same rows)."""
    tab = book.sheet("Tabulasi", [7, 40, 9, 9, 9, 9, 10, 12, 12, 9])
    title = f"Tabulasi jawaban, {dashboard.period.label}{dashboard.title_suffix} ({respondents} responden)"
    book.put(tab, [book.cell(tab, title, strong=True)])
    book.header(tab, ["Kode", "Unsur", "Nilai 1", "Nilai 2", "Nilai 3", "Nilai 4", "Terisi", "Tidak diisi",
                      "Jumlah nilai", "NRR"])  # fmt: skip
    for element in ELEMENTS:
        ones, twos, threes, fours = counts[element.code]
        answered = ones + twos + threes + fours
        total = ones + 2 * twos + 3 * threes + 4 * fours
        nrr = Fraction(total, answered) if answered else None
        book.put(tab, [element.code, element.name, ones, twos, threes, fours, answered, respondents - answered,
                       total, book.cell(tab, _number(nrr), NRR_FORMAT)])  # fmt: skip


# ---------------------------------------------------------------------------------------------------------------
# Sheet 3: per-element summary, the reported figures (frozen when published)


def _summary_sheet(book: _Book, dashboard: Dashboard) -> None:
    """The "Ringkasan Unsur" sheet: status, per-element figures, the headline, the sample and the IKM per service."""
    summary = book.sheet("Ringkasan Unsur", [26, 40, 9, 12, 10, 15, 10, 7])
    _summary_title(book, summary, dashboard)
    result = dashboard.result
    book.header(summary, ["Kode", "Unsur", "Terisi", "Jumlah nilai", "NRR", "NRR tertimbang", "NRR x 25", "Mutu"])
    for e in result.elements:
        book.put(summary, [
            e.code, e.name, e.answered, e.total, book.cell(summary, _number(e.nrr), NRR_FORMAT),
            book.cell(summary, _number(e.nrr_weighted), NRR_FORMAT), book.cell(summary, _number(e.nik), NIK_FORMAT),
            e.mutu,
        ])  # fmt: skip
    book.put(summary, [])
    for label, value, fmt in _summary_rows(result):
        book.put(summary, [book.cell(summary, label, strong=True), book.cell(summary, value, fmt)])
    if result.has_data and result.missing_elements:
        k = len(result.elements) - len(result.missing_elements)
        book.put(summary, [f"Unsur tanpa jawaban: {', '.join(result.missing_elements)}; IKM dari {k} unsur, "
                           f"bobot 1/{k}."])  # fmt: skip
    book.put(summary, [])
    _sample_rows(book, summary, dashboard)
    book.put(summary, [])
    _service_rows(book, summary, dashboard)


def _summary_title(book: _Book, summary, dashboard: Dashboard) -> None:
    """The unit, period and dates; the status note and the late questionnaires when there are any."""
    period = dashboard.period
    title = (f"{dashboard.unit_name}, {period.label} ({period.start:%d-%m-%Y} s.d. {period.last_day:%d-%m-%Y})"
             f"{dashboard.title_suffix}")  # fmt: skip
    book.put(summary, [book.cell(summary, title, strong=True)])
    if dashboard.status_note:
        book.put(summary, [book.cell(summary, dashboard.status_note, strong=True)])
    if dashboard.late_note:
        book.put(summary, [f"{dashboard.late_note} Kuesioner tersebut tidak ada di buku kerja ini."])


def _summary_rows(result: IkmResult) -> list[tuple[str, object, str | None]]:
    """The headline rows: label, value and number format."""
    return [
        ("Jumlah responden", result.respondents, None),
        (f"IKM (nilai interval 1-4, bobot {weight_text(result)})", _number(result.ikm), IKM_FORMAT),
        ("NIK (IKM x 25, dibulatkan setengah ke atas)", _number(result.nik), NIK_FORMAT),
        ("Mutu pelayanan", result.mutu, None),
        ("Kinerja unit pelayanan", result.kinerja, None),
    ]


def _sample_rows(book: _Book, summary, dashboard: Dashboard) -> None:
    """Population, Krejcie-Morgan minimum, collected, verdict and shortfall (or "populasi belum diisi")."""
    sample = dashboard.sample
    if sample is None:
        book.put(summary, ["Kecukupan sampel", "populasi belum diisi"])
        return
    for label, value in (("Populasi", sample.population), ("Sampel minimum (Krejcie-Morgan)", sample.required),
                         ("Responden terkumpul", sample.collected), ("Kecukupan sampel", sample.label),
                         ("Kekurangan", sample.shortfall)):  # fmt: skip
        book.put(summary, [book.cell(summary, label, strong=True), value])


def _service_rows(book: _Book, summary, dashboard: Dashboard) -> None:
    """The IKM per service, "indikatif" where a service is below the sample minimum."""
    book.header(summary, ["Jenis layanan", "Responden", "IKM (NI)", "NIK", "Mutu", "Keterangan"])
    for group in dashboard.by_service:
        r = group.result
        book.put(summary, [
            group.name, r.respondents, book.cell(summary, _number(r.ikm), IKM_FORMAT),
            book.cell(summary, _number(r.nik), NIK_FORMAT), r.mutu, "indikatif" if group.indicative else None,
        ])  # fmt: skip


# ---------------------------------------------------------------------------------------------------------------
# Sheet 4: respondent profile


def _profile_sheet(book: _Book, dashboard: Dashboard) -> None:
    """The "Profil" sheet: respondents per profile group and category, with their share."""
    profile = book.sheet("Profil", [18, 40, 10, 10])
    total = dashboard.result.respondents
    title = f"Profil responden, {dashboard.period.label}{dashboard.title_suffix} ({total} responden)"
    book.put(profile, [book.cell(profile, title, strong=True)])
    book.header(profile, ["Karakteristik", "Kategori", "Jumlah", "%"])
    for group, label in PROFILE_TITLES.items():
        for key, count in ordered_profile(group, dashboard.profile.get(group, [])):
            share = count / total if total else None
            book.put(profile, [label, profile_label(group, str(key)), count, book.cell(profile, share, PCT_FORMAT)])
