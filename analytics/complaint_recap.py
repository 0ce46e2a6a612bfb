"""The complaint recap of a period (LKE V.iii, VI.iii.c and the reform indicator): read-only, counts and times only.

Which complaints: those *received* in the period (office date of receipt), as analytics.complaints counts them, so
a complaint received on 31 March and finished in April belongs to March, and one received in February and finished
in March to no March figure. The three LKE counts, the percentage handled and the ratings are
analytics.complaints.complaint_stats; this module adds the response times per channel and the WBS counts.

Response times, each in the unit of its own limit: verification and first follow-up in working days on the office
calendar (app.clock: weekends, national holidays, cuti bersama and the office's own days off do not count; the
start day never counts), completion in calendar days, as its 60-day limit (UU 25/2009) is counted:

* verifikasi: office date of receipt -> office date of verification (verified complaints);
* tindak lanjut: office date of the disposition -> office date of the first public response at or after it
  (routed complaints that were answered);
* penyelesaian: office date the file became complete (verification; receipt when missing) -> office date of
  completion (complaints handled: Selesai, or archived after Selesai; never the rejected).

The share within each deadline compares the office date of the step with the deadline computed the way
complaints.deadlines computes it from the configured limits (COMPLAINT_VERIFY_DAYS and COMPLAINT_FOLLOWUP_DAYS
working days, COMPLAINT_COMPLETION_DAYS calendar days).

The median is the usual one (the mean of the two middle values for an even count); the 90th percentile uses the
nearest-rank method: the value at rank ceil(0.9 x n) of the sorted times, so it is always an observed time.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from analytics.complaints import ComplaintStats, complaint_stats, first_public_response, percent
from app import clock
from app.extensions import db
from app.periods import Period
from complaints import deadlines
from complaints.models import Channel, Complaint, ComplaintEvent, Status, Stream


def median(values: Iterable[int]) -> Decimal | None:
    """The median of whole numbers, exact (x.5 for an even count with odd middle sum); None when empty."""
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return None
    middle = n // 2
    if n % 2:
        return Decimal(ordered[middle])
    return Decimal(ordered[middle - 1] + ordered[middle]) / 2


def nearest_rank(values: Iterable[int], pct: int) -> int | None:
    """The pct-th percentile by the nearest-rank method: the sorted value at rank ceil(pct/100 x n); None if empty."""
    if not 0 < pct <= 100:
        raise ValueError(f"percentile must be in (0, 100], got {pct}")
    ordered = sorted(values)
    if not ordered:
        return None
    rank = -(-pct * len(ordered) // 100)  # ceiling without floats
    return ordered[rank - 1]


@dataclass(frozen=True)
class StepTimes:
    """The days one step took for a group of complaints (working days, or calendar days for completion), and how
    many met their deadline."""

    days: tuple[int, ...]
    within: int

    @property
    def count(self) -> int:
        return len(self.days)

    @property
    def median(self) -> Decimal | None:
        return median(self.days)

    @property
    def p90(self) -> int | None:
        return nearest_rank(self.days, 90)

    @property
    def within_percent(self) -> Decimal | None:
        return percent(self.within, self.count)


@dataclass(frozen=True)
class ChannelTimes:
    """The three steps' times of the complaints of one channel (None: every channel)."""

    channel: Channel | None
    verification: StepTimes
    followup: StepTimes
    completion: StepTimes


@dataclass(frozen=True)
class ComplaintRecap:
    """A unit's (or the office's) complaint recap for a period: the LKE counts, ratings, times per channel."""

    stats: ComplaintStats
    channels: tuple[ChannelTimes, ...]  # channels with at least one complaint received, in Channel order
    overall: ChannelTimes
    limits: dict[str, int]  # the configured limits the shares are measured against

    @property
    def period(self) -> Period:
        return self.stats.period


@dataclass(frozen=True)
class WbsRecap:
    """WBS reports received in a period, as counts only: never a title, text, party or reporter."""

    period: Period
    received: int
    in_process: int  # not closed yet: unverified, verified, routed or answered
    done: int  # handled: Selesai, or archived after Selesai
    rejected: int  # ditolak, or archived after a rejection


@dataclass(frozen=True)
class _Row:
    channel: Channel
    received_on: date
    verified: date | None
    routed: date | None
    answered: date | None
    complete_on: date | None
    finished: date | None  # office date of completion, handled complaints only


def _day(moment: datetime | None) -> date | None:
    return clock.local_date(moment) if moment is not None else None


def _rows(period: Period, unit_id: int | None) -> list[_Row]:
    """Dates of every pengaduan received in the period (one query); no content is read."""
    first_answer = first_public_response(ComplaintEvent.at >= Complaint.routed_at)
    handled = sa.and_(Complaint.done_at.is_not(None), Complaint.rejection_reason == "")
    stmt = sa.select(
        Complaint.channel, Complaint.status, handled.label("handled"), Complaint.received_on, Complaint.verified_at,
        Complaint.routed_at, first_answer.label("answered"), Complaint.complete_on, Complaint.done_at,
    ).where(
        Complaint.stream == Stream.COMPLAINT,
        Complaint.received_on >= period.start,
        Complaint.received_on < period.end,
        *((Complaint.unit_id == unit_id,) if unit_id is not None else ()),
    )  # fmt: skip
    rows = []
    for (
        channel,
        status,
        is_handled,
        received_on,
        verified_at,
        routed_at,
        answered,
        complete_on,
        done_at,
    ) in db.session.execute(stmt):
        finished = Status(status) in (Status.DONE, Status.ARCHIVED) and is_handled
        rows.append(_Row(Channel(channel), received_on, _day(verified_at), _day(routed_at), _day(answered),
                         complete_on, _day(done_at) if finished else None))  # fmt: skip
    return rows


def _step(pairs: Iterable[tuple[date, date]], due: Callable[[date], date], *, calendar: bool = False) -> StepTimes:
    """Days between each (start, end) pair (working days, or calendar days) and how many ended by due(start)."""
    days, within = [], 0
    for start, end in pairs:
        days.append((end - start).days if calendar else clock.working_days_between(start, end))
        within += end <= due(start)
    return StepTimes(tuple(sorted(days)), within)


def _times(channel: Channel | None, rows: list[_Row]) -> ChannelTimes:
    return ChannelTimes(
        channel,
        verification=_step(((r.received_on, r.verified) for r in rows if r.verified), deadlines.verify_due),
        followup=_step(((r.routed, r.answered) for r in rows if r.routed and r.answered), deadlines.followup_due),
        completion=_step(
            ((r.complete_on or r.received_on, r.finished) for r in rows if r.finished),
            deadlines.completion_due,
            calendar=True,
        ),
    )


def complaint_recap(*, period: Period, unit_id: int | None = None) -> ComplaintRecap:
    """The recap of the pengaduan received in `period` by a unit (None: every unit)."""
    rows = _rows(period, unit_id)
    present = [ch for ch in Channel if any(r.channel == ch for r in rows)]
    channels = tuple(_times(ch, [r for r in rows if r.channel == ch]) for ch in present)
    limits = {
        step: int(current_app.config[key])
        for step, key in (
            (deadlines.VERIFY, "COMPLAINT_VERIFY_DAYS"),
            (deadlines.FOLLOWUP, "COMPLAINT_FOLLOWUP_DAYS"),
            (deadlines.COMPLETION, "COMPLAINT_COMPLETION_DAYS"),
        )
    }
    stats = complaint_stats(period=period, unit_id=unit_id)
    return ComplaintRecap(stats, channels, _times(None, rows), limits)


def wbs_recap(*, period: Period, unit_id: int | None = None) -> WbsRecap:
    """The WBS reports received in `period`, counted by stage (for WBS handlers only; counts, never content)."""
    stats = complaint_stats(period=period, unit_id=unit_id, stream=Stream.WBS)
    rejected = (
        stats.by_status[Status.REJECTED]
        + stats.by_status[Status.ARCHIVED]
        - (stats.handled - stats.by_status[Status.DONE])
    )
    return WbsRecap(
        period=period,
        received=stats.total,
        in_process=stats.in_progress + stats.by_status[Status.RECEIVED],
        done=stats.handled,
        rejected=rejected,
    )
