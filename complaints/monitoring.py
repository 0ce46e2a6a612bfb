"""Monitoring-and-evaluation records of complaint and WBS handling: who may read and write them, reading, saving.

The record of a stream follows that stream's access rules (complaints.access): for pengaduan, the petugas pengaduan
writes and the pimpinan reads; for WBS, only WBS handlers read and write. A unit-scoped account reaches only its
unit's records. The service flushes; the caller commits.
"""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app import clock
from app.auth import User
from app.errors import DomainError
from app.extensions import db
from app.i18n import N_
from app.periods import Period
from app.text import clean
from complaints import access
from complaints.access import Standing
from complaints.models import MonitoringRecord, Stream

MAX_TEXT = 5000


class MonitoringError(DomainError):
    """A monitoring record that breaks a rule; nothing was written."""


def can_read(user: User | None, stream: Stream, unit_id: int) -> bool:
    """Whether the user may see the stream's recap and record of a unit (handlers and readers of the stream)."""
    allowed = access.standing(user, stream) in (Standing.HANDLER, Standing.READER)
    return allowed and user.covers_unit(unit_id)


def can_write(user: User | None, stream: Stream, unit_id: int) -> bool:
    """Whether the user may write the stream's record of a unit (the stream's handlers)."""
    return access.standing(user, stream) is Standing.HANDLER and user.covers_unit(unit_id)


def get_record(*, unit_id: int, period_key: str, stream: Stream) -> MonitoringRecord | None:
    """The record of a unit, period and stream, if written."""
    return db.session.scalar(
        sa.select(MonitoringRecord).where(
            MonitoringRecord.unit_id == unit_id,
            MonitoringRecord.period_key == period_key,
            MonitoringRecord.stream == Stream(stream),
        )
    )


def _text(value: object, field: str, errors: dict) -> str:
    text = clean(value, multiline=True)
    if len(text) > MAX_TEXT:
        errors[field] = N_("Teks terlalu panjang (maks. %(limit)d karakter).")
    return text


def save_record(
    *,
    unit_id: int,
    period: Period,
    stream: Stream,
    findings: str,
    follow_up: str,
    follow_up_done: bool,
    follow_up_done_on: date | None,
    by: User,
) -> MonitoringRecord:
    """Create or update the record of a unit, period and stream; refuses users who may not write it. Flushes."""
    if not can_write(by, stream, unit_id):
        raise MonitoringError(N_("Anda tidak berhak mengisi catatan monitoring ini."))
    errors: dict = {}
    findings_text = _text(findings, "findings", errors)
    follow_up_text = _text(follow_up, "follow_up", errors)
    if not findings_text:
        errors["findings"] = N_("Temuan wajib diisi.")
    if follow_up_done and follow_up_done_on is None:
        errors["follow_up_done_on"] = N_("Isi tanggal tindak lanjut dilaksanakan.")
    if follow_up_done and not follow_up_text:
        errors["follow_up"] = N_("Tindak lanjut yang dilaksanakan wajib diuraikan.")
    if follow_up_done_on is not None and follow_up_done_on > clock.today():
        errors["follow_up_done_on"] = N_("Tanggal tindak lanjut tidak boleh di masa depan.")
    if errors:
        raise MonitoringError(errors, limit=MAX_TEXT)
    record = get_record(unit_id=unit_id, period_key=period.key, stream=stream)
    if record is None:
        try:
            with db.session.begin_nested():  # two first saves at once: the second updates the first's row
                record = MonitoringRecord(unit_id=unit_id, period_key=period.key, period_start=period.start,
                                          stream=Stream(stream), created_by=by.username)  # fmt: skip
                db.session.add(record)
        except IntegrityError:
            record = get_record(unit_id=unit_id, period_key=period.key, stream=stream)
    record.findings, record.follow_up = findings_text, follow_up_text
    record.follow_up_done = bool(follow_up_done)
    record.follow_up_done_on = follow_up_done_on if follow_up_done else None
    record.updated_by, record.updated_at = by.username, clock.utc_now()
    db.session.flush()
    return record
