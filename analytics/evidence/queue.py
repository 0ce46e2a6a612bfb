"""Evidence packs asked for on the web, built by `flask evidence --queued` (cron) outside any request.

A pack is built by whoever claims it first: the claim is one conditional UPDATE (queued, or building but
abandoned for longer than STALE_AFTER), so two hosts or two cron runs never build the same pack twice, and a
builder that died leaves a pack the next run takes over. Writes only analytics' own table; flushes, the caller
commits (the command commits the claim before the slow build, so the claim is visible to other hosts).
"""

import io
import os
import socket
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm

from analytics.models import EvidencePack, PackState
from app.directory import Unit
from app.errors import DomainError
from app.extensions import db
from app.i18n import N_

STALE_AFTER = timedelta(minutes=30)
KEEP_PER_UNIT_YEAR = 5  # built packs kept per unit and year; older ones are deleted when a new one is ready


class PackError(DomainError):
    """A pack that cannot be asked for."""


def request_pack(*, unit: Unit, year: int, requested_by: str, this_year: int) -> tuple[EvidencePack, bool]:
    """Queue a pack of `unit` for `year` unless one is already waiting or being built; return it and whether it
    is new."""
    if not 2000 <= year <= this_year:
        raise PackError({"year": N_("Tahun harus antara 2000 dan tahun berjalan.")})
    waiting = db.session.scalar(
        sa.select(EvidencePack)
        .options(orm.defer(EvidencePack.content))
        .where(EvidencePack.unit_id == unit.id, EvidencePack.year == year,
               EvidencePack.state.in_((PackState.QUEUED, PackState.BUILDING)))
        .limit(1)
    )  # fmt: skip
    if waiting is not None:
        return waiting, False
    pack = EvidencePack(unit_id=unit.id, year=year, requested_by=requested_by[:80], state=PackState.QUEUED)
    db.session.add(pack)
    db.session.flush()
    return pack, True


def _builder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def claim_next(*, now: datetime | None = None) -> EvidencePack | None:
    """Claim the oldest pack waiting (or abandoned); None when there is none. Flushes; commit to make it visible."""
    now = now or datetime.now(UTC)
    claimable = sa.or_(
        EvidencePack.state == PackState.QUEUED,
        sa.and_(EvidencePack.state == PackState.BUILDING, EvidencePack.started_at < now - STALE_AFTER),
    )
    candidates = db.session.scalars(
        sa.select(EvidencePack.id).where(claimable).order_by(EvidencePack.requested_at, EvidencePack.id).limit(20)
    ).all()
    for pack_id in candidates:
        claimed = db.session.execute(
            sa.update(EvidencePack)
            .where(EvidencePack.id == pack_id, claimable)
            .values(state=PackState.BUILDING, started_at=now, builder=_builder(), error="")
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount == 1:
            return db.session.get(EvidencePack, pack_id, populate_existing=True)
    return None


def build_claimed(pack: EvidencePack) -> None:
    """Build a claimed pack and store it (or the reason it failed). Flushes."""
    from analytics.evidence import write_pack

    unit = db.session.get(Unit, pack.unit_id)
    buffer = io.BytesIO()
    try:
        manifest = write_pack(unit=unit, year=pack.year, out=buffer)
    except Exception as exc:  # recorded on the row for the page; the command reports it too
        db.session.rollback()
        pack = db.session.get(EvidencePack, pack.id)
        pack.state, pack.error, pack.finished_at = PackState.FAILED, f"{type(exc).__name__}: {exc}"[:500], _utc()
        db.session.flush()
        raise
    pack.manifest, pack.content, pack.size = manifest, buffer.getvalue(), len(buffer.getvalue())
    pack.state, pack.finished_at = PackState.READY, _utc()
    db.session.flush()
    _prune(pack)


def _utc() -> datetime:
    return datetime.now(UTC)


def _prune(latest: EvidencePack) -> None:
    """Keep the newest KEEP_PER_UNIT_YEAR ready packs of a unit and year."""
    ready = db.session.scalars(
        sa.select(EvidencePack.id)
        .where(EvidencePack.unit_id == latest.unit_id, EvidencePack.year == latest.year,
               EvidencePack.state == PackState.READY)
        .order_by(EvidencePack.finished_at.desc(), EvidencePack.id.desc())
        .offset(KEEP_PER_UNIT_YEAR)
    ).all()  # fmt: skip
    if ready:
        db.session.execute(sa.delete(EvidencePack).where(EvidencePack.id.in_(ready)))


def recent_packs(unit_id: int, limit: int = 10) -> list[EvidencePack]:
    """A unit's latest packs (any state), newest first, without their content."""
    return list(
        db.session.scalars(
            sa.select(EvidencePack)
            .options(orm.defer(EvidencePack.content))
            .where(EvidencePack.unit_id == unit_id)
            .order_by(EvidencePack.requested_at.desc(), EvidencePack.id.desc())
            .limit(limit)
        )
    )


def ready_content(pack_id: int, unit_id: int) -> tuple[int, bytes] | None:
    """(year, ZIP bytes) of a ready pack of the unit, or None."""
    row = db.session.execute(
        sa.select(EvidencePack.year, EvidencePack.content).where(
            EvidencePack.id == pack_id, EvidencePack.unit_id == unit_id, EvidencePack.state == PackState.READY
        )
    ).first()
    return None if row is None else (row.year, row.content)
