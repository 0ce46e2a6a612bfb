"""How far the follow-up plan (RTL) went: per period, per year (LKE VI.iv.c), and what each page shows of it.

Read-only. The dashboard shows `dashboard_panel`, the SKM report's 4.2 table `report_rows`, the public results
page `public_rows` (no owner, no staff name, no complaint).
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from analytics import data
from analytics.followup import NO_ELEMENT, actions_of, source_label, status_label
from analytics.followup_models import STATUS_LABELS, ActionStatus, FollowUpAction, FollowUpEvidence, Source
from app.extensions import db
from app.periods import Period
from app.redact import mask_personal_data
from complaints.models import Complaint, Stream


def evidence_counts(action_ids: list[int]) -> dict[int, int]:
    """The number of evidence files of each action (one query)."""
    if not action_ids:
        return {}
    rows = db.session.execute(
        sa.select(FollowUpEvidence.action_id, sa.func.count())
        .where(FollowUpEvidence.action_id.in_(action_ids))
        .group_by(FollowUpEvidence.action_id)
    )
    return {action_id: count for action_id, count in rows}


def _followed_up(actions: list[FollowUpAction], evidence: dict[int, int]) -> bool:
    live = [a for a in actions if a.status is not ActionStatus.CANCELLED]
    return bool(live) and all(a.status is ActionStatus.DONE or evidence.get(a.id, 0) > 0 for a in live)


@dataclass(frozen=True)
class Progress:
    """How far one period's follow-up went: counts per status, overdue actions, and whether it is followed up."""

    period_key: str
    by_status: dict[ActionStatus, int]
    overdue: int
    followed_up: bool

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def status_rows(self) -> list[tuple[str, int]]:
        return [(STATUS_LABELS[s], self.by_status.get(s, 0)) for s in ActionStatus]


def progress_of(unit_id: int, period_keys: list[str], *, today: date) -> dict[str, Progress]:
    """The follow-up progress of some of a unit's periods (two queries, whatever the number of periods)."""
    if not period_keys:
        return {}
    actions = list(
        db.session.scalars(
            sa.select(FollowUpAction).where(
                FollowUpAction.unit_id == unit_id, FollowUpAction.period_key.in_(period_keys)
            )
        )
    )
    evidence = evidence_counts([a.id for a in actions])
    result = {}
    for key in period_keys:
        mine = [a for a in actions if a.period_key == key]
        result[key] = Progress(key, dict(Counter(a.status for a in mine)), sum(a.overdue(today) for a in mine),
                               _followed_up(mine, evidence))  # fmt: skip
    return result


@dataclass(frozen=True)
class Share:
    """LKE VI.iv.c "Dilakukan tindak lanjut atas hasil survei kepuasan masyarakat" for a unit and year."""

    year: int
    published: int  # periods of the year with a publication in force
    followed_up: int  # of those, periods followed up (see `followup_share`)
    periods: tuple[tuple[Period, bool], ...]

    @property
    def percent(self) -> float | None:
        return None if not self.published else round(100 * self.followed_up / self.published, 1)

    @property
    def grade(self) -> str:
        """A = every result followed up; B = most (more than half); C = some (at least one); D = none."""
        if self.published and self.followed_up == self.published:
            return "A"
        if 2 * self.followed_up > self.published:
            return "B"
        return "C" if self.followed_up else "D"


def followup_share(*, unit_id: int, year: int, today: date, published: Iterable[Period] | None = None) -> Share:
    """The share of a unit's published periods of `year` that were followed up, with the LKE VI.iv.c grade.

    A published period is a publication in force whose period starts in `year` (a month, a quarter, a semester
    and the year itself each count once when each was published). It was followed up when it has at least one
    action that is not cancelled, and every action of it that is not cancelled is done (selesai) or has at least
    one evidence file. Grade: A all such periods, B more than half, C at least one, D none (also when nothing of
    the year was published). `published`: the unit's published periods (`data.unit_periods`) when the caller has
    read them already (the evidence pack reads them once for several files); read here otherwise.
    """
    if published is None:
        published = data.unit_periods(unit_id)
    periods = sorted({p for p in published if p.start.year == year}, key=lambda p: (p.start, p.end))
    progress = progress_of(unit_id, [p.key for p in periods], today=today)
    flags = tuple((p, progress[p.key].followed_up) for p in periods)
    return Share(year, len(periods), sum(done for _p, done in flags), flags)


def complaint_category_counts(unit_id: int, period: Period) -> dict[str, int]:
    """Complaints of the unit received in the period, per category (element concerned, or none). Counts only."""
    rows = db.session.execute(
        sa.select(Complaint.element, sa.func.count())
        .where(
            Complaint.unit_id == unit_id,
            Complaint.stream == Stream.COMPLAINT,
            Complaint.received_on >= period.start,
            Complaint.received_on < period.end,
        )
        .group_by(Complaint.element)
    )
    return {element or NO_ELEMENT: count for element, count in rows}


@dataclass(frozen=True)
class PublicRow:
    """One action as the public results page shows it: no owner, no staff name, no complaint, and the plan's text
    through the personal-data screen (it may quote a complaint)."""

    source: str
    description: str
    due_on: date | None
    status: str
    done_on: date | None
    overdue: bool

    @property
    def done(self) -> bool:
        return self.done_on is not None


def public_rows(unit_id: int, period_keys: list[str], *, today: date) -> dict[str, list[PublicRow]]:
    """The actions of some published periods, as the public may see them (cancelled ones left out)."""
    if not period_keys:
        return {}
    actions = db.session.scalars(
        sa.select(FollowUpAction).where(FollowUpAction.unit_id == unit_id, FollowUpAction.period_key.in_(period_keys))
    )
    rows: dict[str, list[PublicRow]] = {key: [] for key in period_keys}
    for a in sorted(actions, key=lambda a: (a.source != Source.ELEMENT, a.source_code or "", a.id)):
        if a.status is not ActionStatus.CANCELLED:
            text = mask_personal_data(a.description)
            rows[a.period_key].append(PublicRow(source_label(a), text, a.due_on, status_label(a), a.done_on,
                                                a.overdue(today)))  # fmt: skip
    return rows


@dataclass(frozen=True)
class Panel:
    """What the office head's dashboard shows: the period's progress (None: not published) and the year's share."""

    period: Period
    progress: Progress | None
    share: Share


def dashboard_panel(*, unit_id: int, period: Period, today: date) -> Panel:
    """The follow-up panel of the dashboard for a unit's period (its year's share on LKE VI.iv.c)."""
    published = data.publication(unit_id, period.key) is not None
    progress = progress_of(unit_id, [period.key], today=today)[period.key] if published else None
    return Panel(period, progress, followup_share(unit_id=unit_id, year=period.start.year, today=today))


@dataclass(frozen=True)
class ReportRow:
    """One action as the SKM report's follow-up table prints it (the plan's text through the personal-data screen)."""

    source: str
    description: str
    due_on: date | None
    owner: str
    status: str
    overdue: bool


def report_rows(*, unit_id: int, period_key: str, today: date) -> list[ReportRow]:
    """The actions of a published period for the report's RTL table (cancelled ones left out)."""
    return [
        ReportRow(
            source_label(a), mask_personal_data(a.description), a.due_on, a.owner, status_label(a), a.overdue(today)
        )
        for a in actions_of(unit_id, period_key)
        if a.status is not ActionStatus.CANCELLED
    ]
