"""Import paper questionnaires from CSV or XLSX: all rows or none.

The file is read by `survey.sheets` (the same reader as the IKM calculator). Every bad cell is reported
with its spreadsheet row and column (the same problem in several rows on one line, with the rows), and a file
with any error imports nothing.
"""

import hashlib
from datetime import date, datetime

import sqlalchemy as sa

from app.directory import Service, Unit
from app.errors import DomainError, Message
from app.extensions import db
from app.i18n import N_
from app.periods import PeriodError, parse_period
from app.tabular import CellError, group_errors
from survey.models import ImportBatch
from survey.questionnaire import EDUCATIONS, GENDERS, OCCUPATIONS
from survey.service import Profile, SurveyError, check_profile, store_paper_responses
from survey.sheets import AnswerSheet, SheetError, SheetRow, cell_text, located, read_answer_sheet


class ImportRejected(DomainError):
    """The file was rejected whole; `messages` lists every problem found (CellErrors)."""

    @property
    def errors(self) -> tuple[CellError, ...]:
        return self.messages


def month_bounds(period: str) -> tuple[date, date]:
    """Return the first and last day of a YYYY-MM period (paper imports are filed per month)."""
    try:
        month = parse_period(period)
    except PeriodError:
        month = None
    if month is None or month.kind != "month":
        raise ImportRejected(
            CellError.at(0, "periode", N_("periode '%(period)s' harus berformat YYYY-MM"), period=period[:20])
        )
    return month.start, month.last_day


def _lookup(choices: tuple[tuple[str, str], ...], value: str) -> str | None:
    wanted = value.strip().lower()
    for key, label in choices:
        if wanted in (key.lower(), label.lower()):
            return key
    return None


_GENDER_ALIASES = {"laki-laki": "L", "laki laki": "L", "pria": "L", "wanita": "P", "perempuan": "P"}
BAD_DATE = N_("tanggal '%(value)s' harus YYYY-MM-DD atau DD/MM/YYYY")


def _parse_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text[:20])


def _row_date(sheet: AnswerSheet, row: SheetRow, first_day: date, last_day: date, errors: list) -> date:
    raw = row.cells.get("date")
    if not cell_text(raw):
        return first_day
    try:
        day = _parse_date(raw)
    except ValueError as exc:
        errors.append(located(sheet, row.number, "date", BAD_DATE, value=str(exc)))
        return first_day
    if not first_day <= day <= last_day:
        errors.append(located(sheet, row.number, "date", N_("tanggal di luar periode %(period)s"),
                              period=f"{first_day:%Y-%m}"))  # fmt: skip
    return day


def _row_profile(sheet: AnswerSheet, row: SheetRow, errors: list) -> Profile:
    values: dict[str, object] = {}
    gender = cell_text(row.cells.get("gender"))
    if gender:
        values["gender"] = _lookup(GENDERS, gender) or _GENDER_ALIASES.get(gender.lower(), gender)
    age = cell_text(row.cells.get("age"))
    if age:
        if age.isascii() and age.isdigit() and len(age) <= 3:
            values["age"] = int(age)
        else:
            errors.append(located(sheet, row.number, "age", N_("usia '%(value)s' harus angka"), value=age[:20]))
    for key, choices in (("education", EDUCATIONS), ("occupation", OCCUPATIONS)):
        text = cell_text(row.cells.get(key))
        if text:
            values[key] = _lookup(choices, text) or text
    for key in ("occupation_other", "suggestion"):
        text = cell_text(row.cells.get(key))
        if text:
            values[key] = text
    profile = Profile(**values)
    try:
        check_profile(profile)
    except SurveyError as exc:
        errors.extend(located(sheet, row.number, m.field, m) for m in exc.messages)
    return profile


def parse_sheet(sheet: AnswerSheet, *, period: str) -> list[tuple[date, dict[str, int | None], Profile]]:
    """Validate every row; return parsed rows, or raise ImportRejected listing all errors."""
    first_day, last_day = month_bounds(period)
    errors: list[CellError] = []
    parsed = []
    for row in sheet.rows:
        row_errors = list(row.errors)
        day = _row_date(sheet, row, first_day, last_day, row_errors)
        profile = _row_profile(sheet, row, row_errors)
        errors.extend(row_errors)
        if not row_errors:
            parsed.append((day, row.scores, profile))
    if errors:
        raise ImportRejected(*group_errors(errors))
    return parsed


def import_file(
    *,
    unit: Unit,
    service: Service,
    period: str,
    filename: str,
    content: bytes,
    imported_by: str = "",
    notes: list[Message] | None = None,
    u8_facilities: bool = False,
) -> ImportBatch:
    """Validate a whole file and store its responses as one batch. Flushes, does not commit. The reader's notes
    (which sheet, which rows were left out and why) are appended to `notes` when a list is given;
    `u8_facilities`: the file's U8 and U9 follow the Permen's example order (`survey.sheets.read_answer_sheet`).

    :raise ImportRejected: any error; nothing has been written.
    """
    if service.unit_id != unit.id:
        raise ImportRejected(CellError.at(0, "layanan", N_("layanan bukan milik unit ini")))
    month_bounds(period)
    try:
        sheet = read_answer_sheet(filename, content, u8_facilities=u8_facilities)
    except SheetError as exc:
        raise ImportRejected(*exc.messages) from None
    if notes is not None:
        notes.extend(sheet.notes)
    parsed = parse_sheet(sheet, period=period)
    digest = hashlib.sha256(content).hexdigest()
    previous = db.session.scalar(
        sa.select(ImportBatch.id).where(
            ImportBatch.unit_id == unit.id, ImportBatch.service_id == service.id, ImportBatch.file_sha256 == digest
        )
    )
    if previous:
        raise ImportRejected(
            CellError.at(0, "berkas", N_("berkas yang sama sudah diimpor (batch #%(batch)d)"), batch=previous)
        )
    batch = ImportBatch(
        unit_id=unit.id,
        service_id=service.id,
        period=period,
        filename=filename[-255:],
        file_sha256=digest,
        row_count=len(parsed),
        imported_by=imported_by,
    )
    db.session.add(batch)
    db.session.flush()
    store_paper_responses(unit=unit, service=service, rows=parsed, batch_id=batch.id)
    return batch
