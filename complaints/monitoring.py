"""Monitoring-and-evaluation records of complaint and WBS handling: who may read and write them, and reading them
(saving is complaints.service.save_monitoring_record).

The record of a stream follows that stream's access rules (complaints.access): for pengaduan, the petugas pengaduan
writes and the pimpinan reads; for WBS, only WBS handlers read and write. A unit-scoped account reaches only its
unit's records.
"""

import sqlalchemy as sa

from app.auth import User
from app.extensions import db
from complaints import access
from complaints.access import Standing
from complaints.models import MonitoringRecord, Stream

MAX_TEXT = 5000
STREAMS = {"pengaduan": Stream.COMPLAINT, "wbs": Stream.WBS}  # the streams' names in the pages' addresses


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
