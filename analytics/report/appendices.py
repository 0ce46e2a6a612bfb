"""The SKM report's appendices: A the questionnaire, B the calculation sheet, C Krejcie-Morgan, D suggestions.

Lampiran B is streamed from the database: each respondent becomes a row of
short strings as it is read, and only the first `max_rows` respondents are
listed (the package's CALC_SHEET_MAX_ROWS; the Excel export has them all).
reportlab is imported inside the functions.
"""

from analytics.ikm import IkmResult, Tally, compute_ikm
from analytics.report.layout import _Ctx, _heading, _para, _table, esc, fmt_dec, fmt_int, weight_text
from analytics.sample import KREJCIE_MORGAN
from app.redact import mask_personal_data
from survey.questionnaire import EDUCATIONS, ELEMENTS, GENDERS, OCCUPATIONS

MAX_SUGGESTIONS = 100
MAX_SUGGESTION_CHARS = 600

# ---------------------------------------------------------------------------------------------------------------
# Lampiran A


def _appendix_questionnaire(ctx: _Ctx) -> list:
    """Lampiran A: the profile questions and the nine elements with their four answers."""
    from reportlab.lib.units import cm

    s = ctx.styles
    story = [
        _heading("LAMPIRAN A<br/>KUESIONER", s["bab"], ("Lampiran A Kuesioner", 0)),
        _para(
            "Profil responden: jenis kelamin (" + ", ".join(label for _, label in GENDERS) + "); usia (tahun); "
            "pendidikan ("
            + ", ".join(label for _, label in EDUCATIONS)
            + "); pekerjaan ("
            + ", ".join(label for _, label in OCCUPATIONS)
            + "); jenis layanan yang diterima.",
            s["body"],
        ),
        _para("Pertanyaan (skala: a = 1, b = 2, c = 3, d = 4):", s["body"]),
    ]
    for number, element in enumerate(ELEMENTS, start=1):
        options = "<br/>".join(f"{letter}. {esc(text)}" for letter, text in zip("abcd", element.options, strict=True))
        rows = [[
            _para(f"<b>{number}.</b>", s["cell"]),
            _para(f"<b>{element.code} {esc(element.name)}</b><br/>{esc(element.question)}", s["cell"]),
            _para(options, s["cell"]),
        ]]  # fmt: skip
        table = _table(rows, [0.8 * cm, 9.6 * cm, 6.2 * cm], header_rows=0)
        table.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP")])
        story.append(table)
    story.append(_para("Kritik dan saran (isian bebas, tidak wajib).", s["note"]))
    return story


# ---------------------------------------------------------------------------------------------------------------
# Lampiran B


class _Sheet:
    """The calculation sheet as read: rows of short strings, per-element [answered, total], the suggestions."""

    def __init__(self, hidden: set[int] | frozenset[int] = frozenset()) -> None:
        self.hidden = hidden  # responses whose suggestion an officer kept out of the report
        self.codes = [e.code for e in ELEMENTS]
        self.rows: list[list[str]] = [["No", *self.codes]]
        self.sums = {code: [0, 0] for code in self.codes}
        self.suggestions: list[tuple[int, str]] = []
        self.count, self.truncated = 0, False

    def add(self, response) -> None:
        """Append one respondent's row, add its scores to the sums and keep its suggestion."""
        self.count += 1
        scores = response.scores()
        line = [str(self.count)]
        for code in self.codes:
            value = scores[code]
            line.append("" if value is None else str(value))
            if value is not None:
                self.sums[code][0] += 1
                self.sums[code][1] += value
        self.rows.append(line)
        text = (response.suggestion or "").strip()
        if text and response.id not in self.hidden and len(self.suggestions) < MAX_SUGGESTIONS:
            self.suggestions.append((self.count, mask_personal_data(text)[:MAX_SUGGESTION_CHARS]))


def _read_sheet(ctx: _Ctx, max_rows: int) -> _Sheet:
    """Stream the dashboard's respondents into a sheet, stopping after `max_rows`."""
    from survey.suggestions import hidden_suggestion_ids

    sheet = _Sheet(hidden_suggestion_ids(ctx.dashboard.unit_id))
    stream = ctx.dashboard.respondent_rows()
    try:
        for response in stream:
            if sheet.count == max_rows:
                sheet.truncated = True
                break
            sheet.add(response)
    finally:
        stream.close()
    return sheet


def _sheet_result(ctx: _Ctx, sheet: _Sheet) -> IkmResult:
    """The figures of the sheet's footer: of the listed rows, or of the whole period when the list was cut."""
    if sheet.truncated:
        return ctx.dashboard.result  # the footer rows cover the whole period, not only the listed rows
    return compute_ikm(Tally(sheet.count, {code: (n, total) for code, (n, total) in sheet.sums.items()}))


def _appendix_sheet(ctx: _Ctx, max_rows: int) -> tuple[list, list[tuple[int, str]]]:
    """Lampiran B, the per-respondent x per-element sheet, and the suggestions read on the way (for Lampiran D)."""
    from reportlab.lib.units import cm
    from reportlab.platypus import KeepTogether

    s = ctx.styles
    sheet = _read_sheet(ctx, max_rows)
    result = _sheet_result(ctx, sheet)
    story = [
        _heading("LAMPIRAN B<br/>HASIL OLAH DATA PER RESPONDEN", s["bab"], ("Lampiran B Lembar Perhitungan", 0)),
        _para(
            f"Nilai setiap responden untuk setiap unsur pada periode {esc(ctx.period.label)} (data terkini). Sel "
            "kosong: unsur tidak dijawab, tidak dihitung. NRR = Σ nilai / jumlah terisi; NRR tertimbang = NRR × "
            f"bobot {weight_text(result)}; IKM = Σ NRR tertimbang; NIK = IKM × 25.",
            s["small"],
        ),
    ]
    if sheet.truncated:
        story.append(
            _para(
                f"Periode ini memiliki {fmt_int(result.respondents)} responden; lampiran ini memuat "
                f"{fmt_int(max_rows)} responden pertama. Lembar lengkap ada pada ekspor Excel "
                '(lembar "Responden"). Baris jumlah di bawah mencakup seluruh responden periode ini.',
                s["note"],
            )
        )
    widths = [3.0 * cm] + [(ctx.width - 3.0 * cm) / len(sheet.codes)] * len(sheet.codes)
    story.append(_sheet_table(sheet.rows, widths))
    story.append(KeepTogether([_sheet_footer(result, widths)]))
    return story, sheet.suggestions


def _sheet_table(rows: list[list[str]], widths: list[float]):
    """The long table of respondent rows, striped."""
    from reportlab.lib import colors

    # Fixed row heights and no spans in the long table keep layout linear in the number of rows.
    body = _table(rows, widths, center=range(len(widths)), font_size=7.5, long=True, padding=1.2,
                  row_heights=[None] + [10.5] * (len(rows) - 1))  # fmt: skip
    body.setStyle([("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f3f6f9")])])
    return body


def _sheet_footer(result: IkmResult, widths: list[float]):
    """The sums, counts, NRR and weighted NRR per element, and the IKM line spanning the element columns."""
    footer = [
        ["Σ nilai per unsur", *(fmt_int(e.total) for e in result.elements)],
        ["Jumlah terisi", *(fmt_int(e.answered) for e in result.elements)],
        ["NRR", *(fmt_dec(e.nrr, 3) for e in result.elements)],
        ["NRR tertimbang", *(fmt_dec(e.nrr_weighted, 3) for e in result.elements)],
    ]
    if result.has_data:
        summary = (
            f"IKM = Σ NRR tertimbang = {fmt_dec(result.ikm, 4)};  NIK = IKM × 25 = {fmt_dec(result.nik, 2)};  "
            f"mutu {result.mutu} ({result.kinerja})"
        )
    else:
        summary = "Tidak ada data: IKM tidak dihitung."
    footer.append(["IKM", summary, *([""] * (len(widths) - 2))])
    table = _table(footer, widths, header_rows=0, center=range(1, len(widths)), font_size=7.5, padding=1.2,
                   bold_rows=range(len(footer)))  # fmt: skip
    last = len(footer) - 1
    table.setStyle([("SPAN", (1, last), (-1, last)), ("ALIGN", (1, last), (-1, last), "LEFT")])
    return table


# ---------------------------------------------------------------------------------------------------------------
# Lampiran C and D


def _appendix_krejcie(ctx: _Ctx) -> list:
    """Lampiran C: the Krejcie-Morgan table of minimum sample sizes."""
    s = ctx.styles
    return [
        _heading("LAMPIRAN C<br/>TABEL KREJCIE DAN MORGAN", s["bab"], ("Lampiran C Tabel Krejcie dan Morgan", 0)),
        _para(
            "Jumlah sampel minimum (S) untuk populasi penerima layanan (N), sebagaimana tercantum dalam Lampiran "
            "Peraturan Menteri PANRB Nomor 14 Tahun 2017. Untuk populasi di antara dua baris dipakai baris "
            "berikutnya yang lebih besar.",
            s["small"],
        ),
        _krejcie_table(),
    ]


def _krejcie_table():
    """The (N, S) pairs in six column pairs, read down each column."""
    from reportlab.lib import colors
    from reportlab.lib.units import cm

    per_row = 6
    pairs = list(KREJCIE_MORGAN)
    height = -(-len(pairs) // per_row)
    rows = [["N", "S"] * per_row]
    for r in range(height):
        row = []
        for c in range(per_row):
            i = c * height + r
            row += [fmt_int(pairs[i][0]), fmt_int(pairs[i][1])] if i < len(pairs) else ["", ""]
        rows.append(row)
    table = _table(rows, [1.65 * cm, 1.1 * cm] * per_row, right=range(per_row * 2), font_size=8, padding=2)
    table.setStyle([("BACKGROUND", (c, 1), (c, -1), colors.HexColor("#f5f7fa")) for c in range(1, per_row * 2, 2)])
    return table


def _appendix_suggestions(ctx: _Ctx, suggestions: list[tuple[int, str]]) -> list:
    """Lampiran D: the respondents' suggestions, personal data masked and those hidden by an officer left out,
    numbered as in Lampiran B."""
    from reportlab.lib.units import cm

    s = ctx.styles
    story = [_heading("LAMPIRAN D<br/>KRITIK DAN SARAN RESPONDEN", s["bab"], ("Lampiran D Kritik dan Saran", 0))]
    note = (
        "Tulisan responden; data pribadi (NIK dan nomor panjang lain, nomor telepon, email, nama yang disebut "
        "sendiri) disamarkan, dan saran yang disembunyikan petugas tidak dimuat"
    )
    if len(suggestions) == MAX_SUGGESTIONS:
        note += f"; {MAX_SUGGESTIONS} saran pertama, selengkapnya pada ekspor Excel"
    story.append(_para(note + ". Nomor = nomor responden pada Lampiran B.", s["note"]))
    rows = [["No", "Kritik dan saran"]]
    rows += [[str(n), _para(esc(text), s["cell"])] for n, text in suggestions]
    story.append(_table(rows, [1.4 * cm, ctx.width - 1.4 * cm], center=(0,)))
    return story
