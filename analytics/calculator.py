"""The IKM calculator for a spreadsheet of questionnaires (paper data, or checking the numbers).

Header row with U1..U9 (other columns are ignored), one row per respondent,
values 1-4, blank = unanswered. No Flask and no database.
"""

from analytics.ikm import IkmResult, Tally, compute_ikm
from app.tabular import CellError, TableError, read_table
from survey.questionnaire import ELEMENT_CODES, parse_score


class CalculatorError(ValueError):
    """The file cannot be calculated; `problems` lists every bad cell."""

    def __init__(self, problems: list[CellError]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:20]))


def tally_rows(rows: list[list[object]]) -> Tally:
    """Tally the questionnaires of a table whose first row is the header."""
    if not rows:
        raise CalculatorError([CellError(1, "-", "berkas kosong")])
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    upper = [h.upper() for h in header]
    missing = [code for code in ELEMENT_CODES if code not in upper]
    if missing:
        raise CalculatorError([CellError(1, code, "kolom wajib tidak ada") for code in missing])
    index = {code: upper.index(code) for code in ELEMENT_CODES}
    problems: list[CellError] = []
    answers = []
    for number, row in enumerate(rows[1:], start=2):
        if all(v is None or str(v).strip() == "" for v in row):
            continue
        scores = {}
        for code, i in index.items():
            try:
                scores[code] = parse_score(row[i] if i < len(row) else None)
            except ValueError as exc:
                problems.append(CellError(number, header[i], str(exc)))
        answers.append(scores)
    if problems:
        raise CalculatorError(problems)
    return Tally.of_answers(answers)


def calculate_file(filename: str, content: bytes) -> IkmResult:
    """Read a CSV/XLSX file and compute its IKM; raise CalculatorError naming each bad cell."""
    try:
        rows = read_table(filename, content)
    except TableError as exc:
        raise CalculatorError([CellError(0, "berkas", str(exc))]) from None
    return compute_ikm(tally_rows(rows))


def format_sheet(result: IkmResult) -> str:
    """The calculation sheet as text: per element answered, total, NRR, weighted NRR; then IKM, NIK, mutu."""
    lines = [f"Jumlah responden: {result.respondents}", ""]
    lines.append(f"{'Unsur':<48} {'Terisi':>7} {'Jumlah':>8} {'NRR':>7} {'NRR tert.':>10} {'NRRx25':>7} Mutu")
    for e in result.elements:
        name = f"{e.code} {e.name}"[:48]
        if e.nrr is None:
            lines.append(f"{name:<48} {e.answered:>7} {e.total:>8} {'-':>7} {'-':>10} {'-':>7} -")
        else:
            lines.append(
                f"{name:<48} {e.answered:>7} {e.total:>8} {float(e.nrr):>7.3f} {float(e.nrr_weighted):>10.3f} "
                f"{e.nik:>7} {e.mutu}"
            )
    lines.append("")
    if not result.has_data:
        lines.append("Tidak ada data: IKM tidak dapat dihitung.")
        return "\n".join(lines)
    k = len(result.elements) - len(result.missing_elements)
    if result.missing_elements:
        lines.append(f"Catatan: unsur tanpa jawaban {', '.join(result.missing_elements)}; bobot 1/{k}.")
    lines.append(f"IKM (nilai indeks 1-4, bobot 1/{k}): {float(result.ikm):.4f}")
    lines.append(f"NIK (IKM x 25, dibulatkan setengah ke atas): {result.nik}")
    lines.append(f"Mutu pelayanan: {result.mutu}   Kinerja unit pelayanan: {result.kinerja}")
    return "\n".join(lines)
