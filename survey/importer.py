"""Import paper questionnaires from CSV or XLSX: all rows or none, previewed before anything is stored.

The file is read by `survey.sheets` (the same reader as the IKM calculator). Every bad cell is reported
with its spreadsheet row and column (the same problem in several rows on one line, with the rows; a short report
even for 10,000 bad rows), and a file with any error imports nothing. `read_import` validates a file into an
`ImportPreview` (figures, notes, earlier imports of the same file or answers, published periods) without writing;
`store_import` stores a preview as one batch. Pending uploads, history and cancelling: `survey.import_batches`.
"""

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from app import clock
from app.directory import Service, Unit
from app.errors import DomainError, Message
from app.extensions import db
from app.i18n import N_
from app.periods import FrozenPeriod, PeriodError, frozen_periods_of, parse_period
from app.tabular import CellError, group_errors
from survey.models import BatchStatus, ImportBatch
from survey.questionnaire import EDUCATIONS, ELEMENT_CODES, GENDERS, OCCUPATIONS, plain_words
from survey.service import Profile, SurveyError, check_profile, store_paper_responses
from survey.sheets import AnswerSheet, SheetError, SheetRow, cell_text, located, read_answer_sheet


class ImportRejected(DomainError):
    """The file was rejected whole; `messages` lists every problem found (CellErrors), `notes` how it was read."""

    notes: tuple[Message, ...] = ()

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


NO_SERVICE_COLUMN = N_("kolom layanan tidak ada (judul yang dicari: layanan, jenis layanan)")
UNKNOWN_SERVICE = N_("layanan '%(value)s' bukan layanan unit ini")
DUPLICATE = N_("jawaban yang sama sudah diimpor: %(batches)s; centang konfirmasi untuk tetap mengimpor")
DUPLICATE_BATCH = N_("batch #%(batch)d (%(filename)s, %(service)s, %(period)s)")


@dataclass(frozen=True)
class ParsedRow:
    """One valid respondent row, ready to store."""

    day: date
    scores: dict[str, int | None]
    profile: Profile
    service: Service


@dataclass(frozen=True)
class ImportPreview:
    """What an import would store, and what the officer should know before confirming it. Nothing is written."""

    unit: Unit
    service: Service  # the chosen service (with a service column: the one for rows that leave it blank)
    period: str
    filename: str
    file_sha256: str
    rows_sha256: str
    rows: tuple[ParsedRow, ...]
    notes: tuple[Message, ...]
    duplicates: tuple[ImportBatch, ...]  # stored batches of this unit with the same file or the same answers
    frozen: tuple[FrozenPeriod, ...]  # published periods overlapping the month
    u8_facilities: bool = False
    service_column: bool = False

    @property
    def respondents(self) -> int:
        return len(self.rows)

    @property
    def period_label(self) -> str:
        return parse_period(self.period).label

    def answered(self) -> dict[str, int]:
        """How many respondents answered each element, in questionnaire order."""
        return {code: sum(row.scores[code] is not None for row in self.rows) for code in ELEMENT_CODES}

    def by_service(self) -> list[tuple[str, int]]:
        counts = Counter(row.service.name for row in self.rows)
        return sorted(counts.items())

    def days(self) -> tuple[date, date]:
        return min(row.day for row in self.rows), max(row.day for row in self.rows)


def parse_sheet(
    sheet: AnswerSheet, *, period: str, service: Service, services: dict[str, Service] | None = None
) -> list[ParsedRow]:
    """Validate every row; return the parsed rows, or raise ImportRejected listing all errors (grouped).

    :param services: the unit's services by lower-case name and id, when each row names its own service.
    """
    first_day, last_day = month_bounds(period)
    if services is not None and "service" not in sheet.columns:
        raise ImportRejected(CellError.at(1, "layanan", NO_SERVICE_COLUMN))
    errors: list[CellError] = []
    parsed = []
    for row in sheet.rows:
        row_errors = list(row.errors)
        day = _row_date(sheet, row, first_day, last_day, row_errors)
        profile = _row_profile(sheet, row, row_errors)
        row_service = _row_service(sheet, row, service, services, row_errors) if services is not None else service
        errors.extend(row_errors)
        if not row_errors:
            parsed.append(ParsedRow(day, row.scores, profile, row_service))
    if errors:
        raise ImportRejected(*group_errors(errors))
    return parsed


def _row_service(
    sheet: AnswerSheet, row: SheetRow, default: Service, services: dict[str, Service], errors: list
) -> Service:
    text = cell_text(row.cells.get("service"))
    if not text:
        return default
    found = services.get(plain_words(text))
    if found is None:
        errors.append(located(sheet, row.number, "service", UNKNOWN_SERVICE, value=text[:40]))
        return default
    return found


def unit_services(unit: Unit) -> dict[str, Service]:
    """A unit's services by their name (compared tolerantly) and by their number."""
    found = {plain_words(s.name): s for s in unit.services}
    return found | {str(s.id): s for s in unit.services}


def rows_fingerprint(rows: list[ParsedRow]) -> str:
    """sha256 of the respondent rows' answers and profiles, sorted: the same answers in any file, format, order,
    service or month give the same fingerprint."""
    lines = sorted(
        json.dumps([[row.scores[code] for code in ELEMENT_CODES], list(vars(row.profile).values())]) for row in rows
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def read_import(
    *,
    unit: Unit,
    service: Service,
    period: str,
    filename: str,
    content: bytes,
    u8_facilities: bool = False,
    service_column: bool = False,
) -> ImportPreview:
    """Read and validate a whole file into a preview; nothing is written.

    `u8_facilities`: the file's U8 and U9 follow the Permen's example order (`survey.sheets.read_answer_sheet`);
    `service_column`: each row may name its service in a "layanan" column (blank: `service`).
    :raise ImportRejected: any error (the reader's notes are kept on the exception as `notes`).
    """
    if service.unit_id != unit.id:
        raise ImportRejected(CellError.at(0, "layanan", N_("layanan bukan milik unit ini")))
    month_bounds(period)
    try:
        sheet = read_answer_sheet(filename, content, u8_facilities=u8_facilities)
    except SheetError as exc:
        raise ImportRejected(*exc.messages) from None
    try:
        parsed = parse_sheet(sheet, period=period, service=service,
                             services=unit_services(unit) if service_column else None)  # fmt: skip
    except ImportRejected as exc:
        exc.notes = sheet.notes
        raise
    digest, fingerprint = hashlib.sha256(content).hexdigest(), rows_fingerprint(parsed)
    return ImportPreview(
        unit=unit,
        service=service,
        period=period,
        filename=filename[-255:],
        file_sha256=digest,
        rows_sha256=fingerprint,
        rows=tuple(parsed),
        notes=sheet.notes,
        duplicates=tuple(earlier_imports(unit_id=unit.id, file_sha256=digest, rows_sha256=fingerprint)),
        frozen=tuple(frozen_periods_of(unit.id, period)),
        u8_facilities=u8_facilities,
        service_column=service_column,
    )


def earlier_imports(*, unit_id: int, file_sha256: str, rows_sha256: str) -> list[ImportBatch]:
    """The unit's stored (not cancelled) batches of the same file or the same answers, oldest first."""
    same = sa.or_(ImportBatch.file_sha256 == file_sha256, ImportBatch.rows_sha256 == rows_sha256)
    query = sa.select(ImportBatch).where(ImportBatch.unit_id == unit_id, ImportBatch.status == BatchStatus.STORED, same)
    return list(db.session.scalars(query.order_by(ImportBatch.id)))


def duplicate_message(batches: tuple[ImportBatch, ...] | list[ImportBatch]) -> Message:
    """One line naming the earlier imports of the same file or answers."""
    named = [Message(DUPLICATE_BATCH, {"batch": b.id, "filename": b.filename, "service": b.service.name,
                                       "period": b.period}) for b in batches]  # fmt: skip
    return Message(DUPLICATE, {"batches": "; ".join(str(m) for m in named)})


def store_import(
    preview: ImportPreview, *, imported_by: str, allow_duplicate: bool = False, batch: ImportBatch | None = None
) -> ImportBatch:
    """Store a preview's rows as one batch (`batch`: the pending upload it came from). Flushes, does not commit.

    :raise ImportRejected: the same file or answers were already imported and `allow_duplicate` is not set.
    """
    if preview.duplicates and not allow_duplicate:
        raise ImportRejected(CellError.at(0, "berkas", duplicate_message(preview.duplicates)))
    if batch is None:
        batch = ImportBatch(unit_id=preview.unit.id)
        db.session.add(batch)
    batch.service_id, batch.period, batch.filename = preview.service.id, preview.period, preview.filename
    batch.file_sha256, batch.rows_sha256, batch.row_count = (
        preview.file_sha256,
        preview.rows_sha256,
        preview.respondents,
    )
    batch.u8_facilities, batch.service_column = preview.u8_facilities, preview.service_column
    batch.imported_by, batch.status, batch.content = imported_by, BatchStatus.STORED, None
    batch.created_at = clock.utc_now()
    db.session.flush()
    by_service: dict[int, list[ParsedRow]] = {}
    for row in preview.rows:
        by_service.setdefault(row.service.id, []).append(row)
    for rows in by_service.values():
        store_paper_responses(unit=preview.unit, service=rows[0].service, batch_id=batch.id,
                              rows=[(row.day, row.scores, row.profile) for row in rows])  # fmt: skip
    return batch


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
    service_column: bool = False,
    allow_duplicate: bool = False,
) -> ImportBatch:
    """Validate a whole file and store its responses as one batch at once (`read_import`, then `store_import`).
    Flushes, does not commit. The reader's notes (which sheet, which rows were left out and why) are appended to
    `notes` when a list is given.

    :raise ImportRejected: any error, or an earlier import of the same file or answers; nothing has been written.
    """
    try:
        preview = read_import(unit=unit, service=service, period=period, filename=filename, content=content,
                              u8_facilities=u8_facilities, service_column=service_column)  # fmt: skip
    except ImportRejected as exc:
        if notes is not None:
            notes.extend(exc.notes)
        raise
    if notes is not None:
        notes.extend(preview.notes)
    return store_import(preview, imported_by=imported_by, allow_duplicate=allow_duplicate)
