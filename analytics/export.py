"""The SKM workbook (.xlsx) of a period: summary, calculation sheets, tabulation, profile, raw responses.

Sheets, in order: "Ringkasan Unsur" (the reported figures), "Olah Data" (the office's lembar pengolahan data for
the whole selection, with Excel formulas, see `analytics.workbook`), one "Olah <layanan>" per service when there
are several, "Tabulasi", "Profil" and "Responden" (every column of every response). Respondents are numbered
1..n in the order they were received, the same numbers on "Olah Data" and "Responden"; no database id is
written, and profile answers are written as the questionnaire's labels ("Laki-laki", not "L").

Streamed: openpyxl's write-only mode writes each row to a temporary file as it comes (every sheet has its own,
so rows go to several sheets in one pass), and the responses are read with `analytics.data.iter_responses`
(`yield_per`), so memory does not grow with the number of respondents. The "Tabulasi" counts are accumulated
in the same pass, in plain integers. openpyxl is imported inside the functions (perf-security A.2).
"""

from fractions import Fraction
from typing import BinaryIO

from analytics import data
from analytics.dashboard import Dashboard
from analytics.ikm import IkmResult
from analytics.report import PROFILE_TITLES, ordered_profile, profile_label, weight_text
from analytics.workbook import (
    CALC_SHEET_TITLE,
    IKM_FORMAT,
    NIK_FORMAT,
    NRR_FORMAT,
    PCT_FORMAT,
    Book,
    CalcSheet,
    number,
    safe_cell,
    sheet_title,
)
from app.directory import Counter, Service
from survey.questionnaire import ELEMENTS

__all__ = ["export_workbook", "safe_cell"]

RAW_COLUMNS = (
    "No", "tanggal", "layanan", "loket", "kanal", "dibantu", "flags", "jenis kelamin", "usia", "pendidikan",
    "pekerjaan", "pekerjaan lainnya", *(e.code for e in ELEMENTS), "saran",
)  # fmt: skip
CHANNEL_LABELS = {"online": "Elektronik", "kiosk": "Kios", "paper": "Kertas"}
RAW_WIDTHS = [6, 11, 30, 24, 10, 8, 18, 12, 6, 12, 11, 16, *([5] * len(ELEMENTS)), 60]


def export_workbook(dashboard: Dashboard, out: BinaryIO, *, screen_text: bool = False) -> None:
    """Write the period's workbook to `out` (sheets in the module docstring).

    Every sheet describes the dashboard's respondent set (for a published period: the published one).
    :param screen_text: for a workbook that leaves the office (the evidence pack): the citizens' free text passes
        the personal-data screen (app.redact) and suggestions an officer hid from the report are left out.
    """
    book = Book()
    _summary_sheet(book, dashboard)
    sheets = _Sheets(book, dashboard, _screen(dashboard) if screen_text else None)
    tabulation = book.sheet("Tabulasi", [7, 40, 9, 9, 9, 9, 10, 12, 12, 9])
    _profile_sheet(book, dashboard)
    sheets.open_raw()
    counts = sheets.stream()
    _tabulation_sheet(book, tabulation, dashboard, counts, sheets.respondents)
    sheets.finish()
    book.workbook.save(out)


class _Sheets:
    """The sheets filled from the stream of respondents: the calculation sheets and the raw "Responden"."""

    def __init__(self, book: Book, dashboard: Dashboard, screen=None) -> None:
        self.book, self.dashboard, self.screen = book, dashboard, screen
        heading = _calc_heading(dashboard)
        self.taken = {CALC_SHEET_TITLE.lower()}
        self.whole = CalcSheet(book, CALC_SHEET_TITLE, [*heading, "Seluruh layanan pada pilihan ini."],
                               with_service=True)  # fmt: skip
        self.per_service = len(dashboard.by_service) > 1
        self.services: dict[int, CalcSheet] = {}
        self.service_names = data.service_names({g.key for g in dashboard.by_service})
        if self.per_service:
            for group in dashboard.by_service:
                self._service_sheet(group.key, group.name)
        self.counter_names = data.counter_names({g.key for g in dashboard.by_counter})
        self.raw = None
        self.respondents = 0

    def open_raw(self) -> None:
        """Add the "Responden" sheet (after the sheets made in between) with its header."""
        self.raw = self.book.sheet("Responden", RAW_WIDTHS)
        self.raw.freeze_panes = "B2"
        self.book.header(self.raw, RAW_COLUMNS)

    def _service_sheet(self, key, name: str) -> CalcSheet:
        heading = [*_calc_heading(self.dashboard), f"Layanan: {name}"]
        sheet = CalcSheet(self.book, sheet_title(name, self.taken), heading, with_service=False)
        self.services[key] = sheet
        return sheet

    def stream(self) -> dict[str, list[int]]:
        """Write every respondent to its sheets; return the answers per element and value (for "Tabulasi")."""
        counts = {e.code: [0, 0, 0, 0] for e in ELEMENTS}
        for response in self.dashboard.respondent_rows():
            self.respondents += 1
            service = self._service_name(response.service_id)
            scores = response.scores()
            for code, score in scores.items():
                if score is not None:
                    counts[code][score - 1] += 1
            profile = [
                _label("gender", response.gender),
                response.age,
                _label("education", response.education),
                _label("occupation", response.occupation),
            ]
            self.whole.add(profile, scores, service)
            if self.per_service:
                sheet = self.services.get(response.service_id) or self._service_sheet(response.service_id, service)
                sheet.add(profile, scores, service)
            self.book.put(self.raw, self._raw_row(response, service, profile, scores))
        return counts

    def finish(self) -> None:
        """Write the formula rows of every calculation sheet."""
        for sheet in (self.whole, *self.services.values()):
            sheet.finish()

    def _service_name(self, service_id: int) -> str:
        if service_id not in self.service_names:  # a service added after the dashboard was built
            self.service_names.update(data.names(Service, [service_id]))
        return self.service_names.get(service_id, str(service_id))

    def _raw_row(self, response, service: str, profile: list, scores: dict) -> list:
        """One response as a row of RAW_COLUMNS, numbered as on "Olah Data"."""
        counter_id = response.counter_id
        if counter_id is not None and counter_id not in self.counter_names:
            self.counter_names.update(data.names(Counter, [counter_id]))
        channel = getattr(response.channel, "value", response.channel)
        gender, age, education, occupation = profile
        suggestion, other_occupation = response.suggestion, response.occupation_other
        if self.screen is not None:
            suggestion, other_occupation = self.screen(response)
        return [
            self.respondents,
            self.book.cell(self.raw, response.survey_date, "yyyy-mm-dd"),
            service,
            self.counter_names.get(counter_id, "") if counter_id is not None else None,
            CHANNEL_LABELS.get(channel, channel),
            "ya" if response.assisted else "tidak",
            response.flags or None,
            gender, age, education, occupation,
            other_occupation,
            *scores.values(),
            suggestion,
        ]  # fmt: skip


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


def _label(group: str, key: str | None) -> str | None:
    """The questionnaire's label of a stored profile code ("Laki-laki" for "L"); an unanswered one stays blank."""
    return None if key is None else profile_label(group, key)


def _calc_heading(dashboard: Dashboard) -> list[str]:
    """The title lines of a calculation sheet: what it is, for whom and when, and how to read it."""
    period = dashboard.period
    lines = [
        f"Lembar pengolahan data SKM, {dashboard.unit_name}, {period.label}{dashboard.title_suffix}",
        "Nilai 1-4 per unsur; sel kosong: unsur tidak dijawab, tidak dihitung (bukan 0). Baris di bawah data "
        'memakai rumus Excel; kolom "Dihitung aplikasi" memuat angka aplikasi untuk pembanding.',
    ]
    if dashboard.status_note:
        lines.insert(1, dashboard.status_note)
    return lines


# ---------------------------------------------------------------------------------------------------------------
# Tabulation


def _tabulation_sheet(book: Book, tab, dashboard: Dashboard, counts: dict[str, list[int]], respondents: int) -> None:
    """The "Tabulasi" sheet: the answers per element and value of the streamed responses (same pass, same rows)."""
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
                       total, book.cell(tab, number(nrr), NRR_FORMAT)])  # fmt: skip


# ---------------------------------------------------------------------------------------------------------------
# Per-element summary, the reported figures (frozen when published)


def _summary_sheet(book: Book, dashboard: Dashboard) -> None:
    """The "Ringkasan Unsur" sheet: status, per-element figures, the headline, the sample and the IKM per service."""
    summary = book.sheet("Ringkasan Unsur", [26, 40, 9, 12, 10, 15, 10, 7])
    _summary_title(book, summary, dashboard)
    result = dashboard.result
    book.header(summary, ["Kode", "Unsur", "Terisi", "Jumlah nilai", "NRR", "NRR tertimbang", "NRR x 25", "Mutu"])
    for e in result.elements:
        book.put(summary, [
            e.code, e.name, e.answered, e.total, book.cell(summary, number(e.nrr), NRR_FORMAT),
            book.cell(summary, number(e.nrr_weighted), NRR_FORMAT), book.cell(summary, number(e.nik), NIK_FORMAT),
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


def _summary_title(book: Book, summary, dashboard: Dashboard) -> None:
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
        (f"IKM (nilai interval 1-4, bobot {weight_text(result)})", number(result.ikm), IKM_FORMAT),
        ("NIK (IKM x 25, dibulatkan setengah ke atas)", number(result.nik), NIK_FORMAT),
        ("Mutu pelayanan", result.mutu, None),
        ("Kinerja unit pelayanan", result.kinerja, None),
    ]


def _sample_rows(book: Book, summary, dashboard: Dashboard) -> None:
    """Population, Krejcie-Morgan minimum, collected, verdict and shortfall (or "populasi belum diisi")."""
    sample = dashboard.sample
    if sample is None:
        book.put(summary, ["Kecukupan sampel", "populasi belum diisi"])
        return
    for label, value in (("Populasi", sample.population), ("Sampel minimum (Krejcie-Morgan)", sample.required),
                         ("Responden terkumpul", sample.collected), ("Kecukupan sampel", sample.label),
                         ("Kekurangan", sample.shortfall)):  # fmt: skip
        book.put(summary, [book.cell(summary, label, strong=True), value])


def _service_rows(book: Book, summary, dashboard: Dashboard) -> None:
    """The IKM per service, "indikatif" where a service is below the sample minimum."""
    book.header(summary, ["Jenis layanan", "Responden", "IKM (NI)", "NIK", "Mutu", "Keterangan"])
    for group in dashboard.by_service:
        r = group.result
        book.put(summary, [
            group.name, r.respondents, book.cell(summary, number(r.ikm), IKM_FORMAT),
            book.cell(summary, number(r.nik), NIK_FORMAT), r.mutu, "indikatif" if group.indicative else None,
        ])  # fmt: skip


# ---------------------------------------------------------------------------------------------------------------
# Respondent profile


def _profile_sheet(book: Book, dashboard: Dashboard) -> None:
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
