"""Paper imports that can be checked and undone: pending uploads, confirmation, history, cancelling a batch.

A web upload is stored as a pending `ImportBatch` holding the file's bytes, so the preview can be confirmed without
uploading again and without state on the web server; nothing is stored as responses before confirmation, and an
unconfirmed upload expires. Cancelling deletes the batch's responses (every reader, the roll-up included, counts
the raw rows; a mark that each of them had to respect would be one forgotten filter away from a wrong IKM) and
records who cancelled, when and why on the batch, which stays in the history. Functions flush; callers commit.
"""

from datetime import timedelta

import sqlalchemy as sa

from app import clock, signals
from app.directory import Unit
from app.errors import DomainError
from app.extensions import db
from app.i18n import N_
from app.periods import frozen_periods_of
from survey.importer import ImportPreview, read_import, store_import
from survey.models import BatchStatus, ImportBatch, Response

PENDING_FOR = timedelta(hours=2)  # an unconfirmed upload is kept this long
MIN_REASON_LENGTH = 10
HISTORY_LENGTH = 200
UPLOAD_GONE = N_("Unggahan ini tidak ada atau sudah kedaluwarsa (%(hours)d jam); unggah berkasnya lagi.")
NOT_STORED = N_("Batch #%(batch)d tidak dapat dibatalkan: batch itu belum disimpan atau sudah dibatalkan.")
PUBLISHED = N_(
    "Batch #%(batch)d tidak dapat dibatalkan: %(periods)s sudah dipublikasikan dan angkanya dibekukan atas "
    "respons yang tersimpan. Tarik publikasinya lebih dulu, batalkan batch, lalu publikasikan lagi."
)
REASON = N_("Tuliskan alasan pembatalan (minimal %(n)d karakter).")


class BatchError(DomainError):
    """A pending upload or a batch that cannot be used as asked."""


def stage_upload(*, preview: ImportPreview, content: bytes, uploaded_by: str) -> ImportBatch:
    """Keep a file that `read_import` accepted (`preview`) as a pending batch, to be confirmed. Expired uploads are
    dropped. Flushes."""
    drop_expired_uploads()
    batch = ImportBatch(
        unit_id=preview.unit.id,
        service_id=preview.service.id,
        period=preview.period,
        filename=preview.filename,
        file_sha256=preview.file_sha256,
        rows_sha256=preview.rows_sha256,
        row_count=preview.respondents,
        imported_by=uploaded_by,
        created_at=clock.utc_now(),
        status=BatchStatus.PENDING,
        content=content,
        u8_facilities=preview.u8_facilities,
        service_column=preview.service_column,
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def pending_upload(*, unit: Unit, batch_id: int) -> ImportBatch:
    """A unit's pending upload that has not expired.

    :raise BatchError: no such pending upload, or it expired.
    """
    batch = db.session.get(ImportBatch, batch_id)
    if (batch is None or batch.unit_id != unit.id or batch.status != BatchStatus.PENDING
            or clock.local_datetime(batch.created_at) < clock.utc_now() - PENDING_FOR):  # fmt: skip
        raise BatchError(UPLOAD_GONE, hours=PENDING_FOR.seconds // 3600)
    return batch


def preview_of(batch: ImportBatch) -> ImportPreview:
    """A pending upload read again from its stored bytes, with today's duplicates and published periods."""
    return read_import(unit=batch.service.unit, service=batch.service, period=batch.period, filename=batch.filename,
                       content=batch.content or b"", u8_facilities=batch.u8_facilities,
                       service_column=batch.service_column)  # fmt: skip


def confirm_upload(
    *, batch: ImportBatch, confirmed_by: str, allow_duplicate: bool = False, preview: ImportPreview | None = None
) -> ImportBatch:
    """Store a pending upload's responses (`preview`: its `preview_of`, when already read). Flushes.

    :raise ImportRejected: the same file or answers were already imported and `allow_duplicate` is not set.
    """
    preview = preview or preview_of(batch)
    return store_import(preview, imported_by=confirmed_by, allow_duplicate=allow_duplicate, batch=batch)


def discard_upload(batch: ImportBatch) -> None:
    """Forget a pending upload. Flushes."""
    db.session.delete(batch)
    db.session.flush()


def drop_expired_uploads() -> int:
    """Delete pending uploads older than PENDING_FOR (their files with them); returns how many. Flushes."""
    cutoff = clock.utc_now() - PENDING_FOR
    expired = sa.delete(ImportBatch).where(ImportBatch.status == BatchStatus.PENDING, ImportBatch.created_at < cutoff)
    return db.session.execute(expired).rowcount or 0


def cancel_batch(*, batch: ImportBatch, cancelled_by: str, reason: str) -> int:
    """Cancel a stored batch: delete its responses, refresh the roll-up of the days they were on (through
    `responses_changed`) and record who, when and why on the batch, in the caller's transaction. Returns how many
    responses were deleted.

    Refused while a publication covers the batch's month: a published period's figures are frozen over "its
    responses up to the watermark", and the periods that contain it (a quarter, a year) leave those respondents
    out by the same watermark, so deleting them would change what those figures are recomputed from.
    Also refused for a batch imported after the publication (which left its rows out): telling the two apart needs
    the publication's watermark, which the survey is not told (`app.periods.frozen_periods_of`); withdrawing,
    cancelling and publishing again is the safe path for both.
    :raise BatchError: not a stored batch, a published period, or no reason.
    """
    if batch.status != BatchStatus.STORED:
        raise BatchError(NOT_STORED, batch=batch.id)
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise BatchError({"reason": REASON}, n=MIN_REASON_LENGTH)
    if frozen := frozen_periods_of(batch.unit_id, batch.period):
        raise BatchError(PUBLISHED, batch=batch.id, periods=", ".join(p.label for p in frozen))
    mine = Response.import_batch_id == batch.id
    days = set(db.session.scalars(sa.select(Response.survey_date).where(mine).distinct()))
    deleted = db.session.execute(sa.delete(Response).where(mine)).rowcount or 0
    batch.status, batch.cancelled_at = BatchStatus.CANCELLED, clock.utc_now()
    batch.cancelled_by, batch.cancel_reason = cancelled_by[:80], reason[:500]
    db.session.flush()
    if days:
        signals.responses_changed.send("survey", unit_id=batch.unit_id, days=days)
    return deleted


def unit_history(unit_id: int, *, limit: int = HISTORY_LENGTH) -> list[ImportBatch]:
    """A unit's imports, stored and cancelled, newest first (pending uploads are not imports yet)."""
    query = sa.select(ImportBatch).where(ImportBatch.unit_id == unit_id, ImportBatch.status != BatchStatus.PENDING)
    return list(db.session.scalars(query.order_by(ImportBatch.id.desc()).limit(limit)))
