"""The IKM calculator for a spreadsheet of questionnaires (paper data, or checking the numbers).

The file is read by `survey.sheets`, the same reader as the paper import, with the same rules (header U1..U9,
blank = unanswered, a row with no answer at all is an error). No Flask and no database.
"""

from typing import NamedTuple

from analytics.ikm import IkmResult, Tally, compute_ikm
from analytics.sheet_check import check_office_figures
from analytics.sheet_check_text import Finding
from app.errors import DomainError, Message
from app.i18n import N_
from app.tabular import group_errors
from survey.sheets import SheetError, read_answer_sheet

CHECK_HEADING = N_("Pemeriksaan angka kantor di lembar ini (dibandingkan dengan angka persis):")


class CalculatorError(DomainError):
    """The file cannot be calculated; `messages` lists every bad cell."""


class Calculation(NamedTuple):
    """The IKM of a file, the reader's notes on it (which sheet, which rows were left out and why) and the check of
    the office's own figures on it (its Σ, NRR, IKM... rows against the exact ones; empty when it has none)."""

    result: IkmResult
    notes: tuple[Message, ...]
    check: tuple[Finding, ...] = ()


def calculate_file(filename: str, content: bytes, *, u8_facilities: bool = False) -> Calculation:
    """Read a CSV/XLSX file and compute its IKM; raise CalculatorError naming the bad cells (grouped per column
    and value). `u8_facilities`: see `survey.sheets.read_answer_sheet`."""
    try:
        sheet = read_answer_sheet(filename, content, u8_facilities=u8_facilities)
    except SheetError as exc:
        raise CalculatorError(*exc.messages) from None
    if sheet.errors:
        raise CalculatorError(*group_errors(sheet.errors))
    result = compute_ikm(Tally.of_answers(row.scores for row in sheet.rows))
    return Calculation(result, sheet.notes, check_office_figures(sheet=sheet))


def format_check(check: tuple[Finding, ...]) -> str:
    """The check of the office's own figures as text: a heading, then one sentence per figure ("" if none)."""
    if not check:
        return ""
    return "\n".join([str(Message(CHECK_HEADING)), *(f"- {finding.sentence}" for finding in check)])


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
