"""Complaint statistics for the public results pages and the office head's dashboard. Read-only, aggregated in SQL.

A period counts the complaints *received* in it (their office date of receipt). Only the pengaduan stream is
counted unless a caller asks for WBS (only the WBS handlers' recap does): WBS reports appear in no public figure.
Rahasia complaints are counted (a number reveals no content); no title, text or reporter is ever read.

The three counts of the LKE's "persentase penanganan pengaduan masyarakat" (domain rules section 2.5):

* harus ditindaklanjuti: verified complaints, i.e. neither Belum Terverifikasi nor Ditolak (a rejected complaint
  that was archived stays out too: it has a rejection reason, or no done_at);
* selesai ditindaklanjuti: of those, Selesai, or Diarsipkan after Selesai (done_at set, no rejection reason);
* sedang diproses: the rest (Terverifikasi, Didisposisikan, Ditindaklanjuti).

A handled complaint was handled on time when its office date of completion is on or before completion_due and
its first public response came on or before followup_due (a missing deadline does not count against it).
The citizens' ratings of the handling (1-4, the SKM scale) are the office's own view of element U8.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa

from analytics.ikm import CONVERSION, classify, half_up
from app import clock
from app.extensions import db
from app.periods import Period
from complaints.models import Complaint, ComplaintEvent, EventKind, Status, Stream
from complaints.workflow import STATUS_LABELS

_IN_PROGRESS = (Status.VERIFIED, Status.ROUTED, Status.FOLLOWED_UP)


def percent(part: int, whole: int) -> Decimal | None:
    """part/whole as a percentage, half-up to one decimal; None when there is nothing to divide by."""
    return half_up(Fraction(part * 100, whole), 1) if whole else None


@dataclass(frozen=True)
class ComplaintStats:
    """The complaint figures of one unit (or every unit) over one period; counts only, no content."""

    period: Period
    unit_id: int | None
    by_status: Mapping[Status, int]  # every status, in workflow order, zeros included
    to_handle: int  # harus ditindaklanjuti
    handled: int  # selesai ditindaklanjuti
    on_time: int  # of the handled, those handled within their deadlines
    rated: int  # complaints the reporter rated
    rating_sum: int

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def in_progress(self) -> int:
        """Sedang diproses: verified and not yet done."""
        return self.to_handle - self.handled

    @property
    def handled_percent(self) -> Decimal | None:
        """Persentase penanganan pengaduan: selesai / harus ditindaklanjuti."""
        return percent(self.handled, self.to_handle)

    @property
    def on_time_percent(self) -> Decimal | None:
        """The share of the handled complaints handled on time."""
        return percent(self.on_time, self.handled)

    @property
    def rating_mean(self) -> Fraction | None:
        """The mean handling rating on the SKM 1-4 scale, exact (an NRR-like figure, shown with 3 decimals)."""
        return Fraction(self.rating_sum, self.rated) if self.rated else None

    @property
    def rating_nik(self) -> Decimal | None:
        """The mean rating x 25, half-up to two decimals (comparable with U8's NRR x 25)."""
        mean = self.rating_mean
        return half_up(mean * CONVERSION) if mean is not None else None

    @property
    def rating_mutu(self) -> str | None:
        return classify(self.rating_nik)[0] if self.rating_nik is not None else None

    @property
    def status_rows(self) -> list[tuple[str, int]]:
        """(label msgid, count) per status, in workflow order."""
        return [(STATUS_LABELS[status], count) for status, count in self.by_status.items()]


def complaint_stats(*, period: Period, unit_id: int | None = None, stream: Stream = Stream.COMPLAINT) -> ComplaintStats:
    """The complaint figures of a unit (None: every unit) for the complaints received in `period` (one query).

    Only the WBS recap (analytics.complaint_recap, for WBS handlers) asks for stream=WBS; public figures never do."""
    handled_on_time = sa.case((Complaint.done_at.is_(None), 0), (_on_time(period), 1), else_=0)
    # Rejecting also stamps done_at (complaints.service), so an archived complaint was Selesai only without a reason.
    done = sa.and_(Complaint.done_at.is_not(None), Complaint.rejection_reason == "").label("done")
    stmt = (
        sa.select(
            Complaint.status,
            done,
            sa.func.count().label("n"),
            sa.func.coalesce(sa.func.sum(handled_on_time), 0).label("on_time"),
            sa.func.count(Complaint.rating).label("rated"),
            sa.func.coalesce(sa.func.sum(Complaint.rating), 0).label("rating_sum"),
        )
        .where(
            Complaint.stream == stream,  # pengaduan unless the WBS handlers' recap asks
            Complaint.received_on >= period.start,
            Complaint.received_on < period.end,
            *((Complaint.unit_id == unit_id,) if unit_id is not None else ()),
        )
        .group_by(Complaint.status, done)
    )
    by_status = dict.fromkeys(STATUS_LABELS, 0)
    to_handle = handled = on_time = rated = rating_sum = 0
    for status, is_done, count, timely, n_rated, total_rating in db.session.execute(stmt):
        status = Status(status)
        by_status[status] += count
        rated, rating_sum = rated + n_rated, rating_sum + int(total_rating)
        if status == Status.DONE or (status == Status.ARCHIVED and is_done):
            to_handle, handled, on_time = to_handle + count, handled + count, on_time + int(timely)
        elif status in _IN_PROGRESS:
            to_handle += count
    return ComplaintStats(period, unit_id, by_status, to_handle, handled, on_time, rated, rating_sum)


def first_public_response(*conditions: sa.ColumnElement[bool]):
    """SQL: the moment of a complaint's first public response (among those meeting `conditions`), or NULL."""
    return (
        sa.select(sa.func.min(ComplaintEvent.at))
        .where(
            ComplaintEvent.complaint_id == Complaint.id,
            ComplaintEvent.kind == EventKind.RESPONSE,
            ComplaintEvent.public.is_(True),
            *conditions,
        )
        .scalar_subquery()
    )


def _on_time(period: Period):
    """SQL: completed by completion_due and first public response by followup_due (office dates)."""
    first_response = first_public_response()
    return sa.and_(
        sa.or_(Complaint.completion_due.is_(None), _office_date(Complaint.done_at, period) <= Complaint.completion_due),
        sa.or_(Complaint.followup_due.is_(None), _office_date(first_response, period) <= Complaint.followup_due),
    )


def _office_date(moment, period: Period):
    """SQL: the office date of a stored moment (PostgreSQL: the office zone; SQLite: stored UTC plus its offset)."""
    zone = clock.office_tz()
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.cast(sa.func.timezone(zone.key, moment), sa.Date)
    # SQLite keeps UTC wall time as text; Indonesian zones have no daylight saving, so one offset fits the period.
    offset = zone.utcoffset(datetime.combine(period.start, datetime.min.time())) or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    return sa.func.date(sa.func.substr(moment, 1, 19), f"{minutes:+d} minutes")
