"""Import paper questionnaires from CSV or XLSX: all rows or none.

One row per respondent; columns U1..U9 (element codes of product decision 4),
blank = unanswered, plus optional profile columns. Every bad cell is reported
with its spreadsheet row and column, and a file with any error imports nothing.
"""

import hashlib
from datetime import date, datetime

import sqlalchemy as sa

from app.directory import Service, Unit
from app.extensions import db
from app.periods import PeriodError, parse_period
from app.tabular import CellError, TableError, read_table
from survey.models import ImportBatch
from survey.questionnaire import EDUCATIONS, ELEMENT_CODES, GENDERS, OCCUPATIONS, parse_score
from survey.service import Profile, SurveyError, check_profile, store_paper_responses

MAX_ROWS = 20000

# Accepted header spellings (lower-case) for the optional profile columns.
PROFILE_COLUMNS = {
    "gender": ("jenis_kelamin", "jenis kelamin", "jk", "gender"),
    "age": ("usia", "umur", "age"),
    "education": ("pendidikan", "education"),
    "occupation": ("pekerjaan", "occupation"),
    "occupation_other": ("pekerjaan_lain", "pekerjaan lainnya", "occupation_other"),
    "suggestion": ("saran", "kritik dan saran", "suggestion"),
    "date": ("tanggal", "tanggal_survei", "date"),
}


class ImportRejected(ValueError):
    """The file was rejected whole; `errors` lists every problem found."""

    def __init__(self, errors: list[CellError]):
        self.errors = errors
        shown = "; ".join(str(e) for e in errors[:20])
        more = f" (dan {len(errors) - 20} kesalahan lain)" if len(errors) > 20 else ""
        super().__init__(f"Berkas ditolak, tidak ada data yang diimpor. {shown}{more}")


def month_bounds(period: str) -> tuple[date, date]:
    """Return the first and last day of a YYYY-MM period (paper imports are filed per month)."""
    try:
        month = parse_period(period)
    except PeriodError:
        month = None
    if month is None or month.kind != "month":
        raise ImportRejected([CellError(0, "periode", f"periode '{period[:20]}' harus berformat YYYY-MM")])
    return month.start, month.last_day


def _lookup(choices: tuple[tuple[str, str], ...], value: str) -> str | None:
    wanted = value.strip().lower()
    for key, label in choices:
        if wanted in (key.lower(), label.lower()):
            return key
    return None


_GENDER_ALIASES = {"laki-laki": "L", "laki laki": "L", "pria": "L", "wanita": "P", "perempuan": "P"}


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _cell_text(value)
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"tanggal '{text[:20]}' harus YYYY-MM-DD atau DD/MM/YYYY")


def parse_rows(rows: list[list[object]], *, period: str) -> list[tuple[date, dict[str, int | None], Profile]]:
    """Validate every row; return parsed rows, or raise ImportRejected listing all errors."""
    first_day, last_day = month_bounds(period)
    if not rows:
        raise ImportRejected([CellError(1, "-", "berkas kosong")])
    header = [_cell_text(h) for h in rows[0]]
    lowered = [h.lower() for h in header]
    errors: list[CellError] = []
    index: dict[str, int] = {}
    for code in ELEMENT_CODES:
        if code.lower() in lowered:
            index[code] = lowered.index(code.lower())
        else:
            errors.append(CellError(1, code, "kolom wajib tidak ada"))
    for key, names in PROFILE_COLUMNS.items():
        for name in names:
            if name in lowered:
                index[key] = lowered.index(name)
                break
    if errors:
        raise ImportRejected(errors)
    if len(rows) - 1 > MAX_ROWS:
        raise ImportRejected([CellError(0, "-", f"maksimal {MAX_ROWS} baris per berkas")])

    parsed = []
    for number, row in enumerate(rows[1:], start=2):

        def cell(key: str, row=row) -> object:
            i = index.get(key)
            return row[i] if i is not None and i < len(row) else None

        if all(_cell_text(v) == "" for v in row):
            continue  # a blank spreadsheet line is not a respondent
        row_errors: list[CellError] = []
        scores: dict[str, int | None] = {}
        for code in ELEMENT_CODES:
            try:
                scores[code] = parse_score(cell(code))
            except ValueError as exc:
                row_errors.append(CellError(number, header[index[code]], str(exc)))
        if not row_errors and all(v is None for v in scores.values()):
            row_errors.append(CellError(number, "U1-U9", "tidak ada jawaban sama sekali"))

        day = first_day
        if _cell_text(cell("date")):
            try:
                day = _parse_date(cell("date"))
                if not first_day <= day <= last_day:
                    row_errors.append(CellError(number, header[index["date"]], f"tanggal di luar periode {period}"))
            except ValueError as exc:
                row_errors.append(CellError(number, header[index["date"]], str(exc)))

        profile_values: dict[str, object] = {}
        gender = _cell_text(cell("gender"))
        if gender:
            profile_values["gender"] = _lookup(GENDERS, gender) or _GENDER_ALIASES.get(gender.lower(), gender)
        age = _cell_text(cell("age"))
        if age:
            if age.isdigit():
                profile_values["age"] = int(age)
            else:
                row_errors.append(CellError(number, header[index["age"]], f"usia '{age[:20]}' harus angka"))
        for key, choices in (("education", EDUCATIONS), ("occupation", OCCUPATIONS)):
            text = _cell_text(cell(key))
            if text:
                profile_values[key] = _lookup(choices, text) or text
        for key in ("occupation_other", "suggestion"):
            text = _cell_text(cell(key))
            if text:
                profile_values[key] = text
        profile = Profile(**profile_values)
        try:
            check_profile(profile)
        except SurveyError as exc:
            for key, message in exc.errors.items():
                row_errors.append(CellError(number, header[index[key]], message))
        errors.extend(row_errors)
        if not row_errors:
            parsed.append((day, scores, profile))
    if errors:
        raise ImportRejected(errors)
    if not parsed:
        raise ImportRejected([CellError(2, "-", "tidak ada baris responden")])
    return parsed


def import_file(
    *, unit: Unit, service: Service, period: str, filename: str, content: bytes, imported_by: str = ""
) -> ImportBatch:
    """Validate a whole file and store its responses as one batch. Flushes, does not commit.

    :raise ImportRejected: any error; nothing has been written.
    """
    if service.unit_id != unit.id:
        raise ImportRejected([CellError(0, "layanan", "layanan bukan milik unit ini")])
    try:
        rows = read_table(filename, content)
    except TableError as exc:
        raise ImportRejected([CellError(0, "berkas", str(exc))]) from None
    parsed = parse_rows(rows, period=period)
    digest = hashlib.sha256(content).hexdigest()
    previous = db.session.scalar(
        sa.select(ImportBatch.id).where(
            ImportBatch.unit_id == unit.id, ImportBatch.service_id == service.id, ImportBatch.file_sha256 == digest
        )
    )
    if previous:
        raise ImportRejected([CellError(0, "berkas", f"berkas yang sama sudah diimpor (batch #{previous})")])
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
