"""The Rencana Tindak Lanjut (RTL): follow-up actions of a unit's published periods, and how far they went.

Write side (keyword-only, flush only; the caller commits): `propose_actions` turns the published period's weakest
elements into proposed actions, idempotently; `add_action` adds one for a complaint category or a free one;
`edit_action`, `change_status`, `attach_evidence`, `link_complaint` and `unlink_complaint` change one action.
Read side: `actions_of`, `progress_of` and `followup_share` (LKE VI.iv.c). Only analytics' own tables are
written; complaints are read, and named by id.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from analytics import data
from analytics.followup_models import (
    STATUS_LABELS,
    ActionStatus,
    FollowUpAction,
    FollowUpComplaintLink,
    FollowUpError,
    FollowUpEvidence,
    Source,
)
from analytics.ikm import ElementResult, IkmResult
from analytics.snapshot import Snapshot
from app.directory import Unit
from app.extensions import db
from app.i18n import N_
from app.periods import Period, parse_period
from complaints.attachments import clean_upload
from complaints.models import Complaint, Stream
from survey.questionnaire import ELEMENTS

__all__ = ["ActionStatus", "FollowUpError", "Source"]

WEAKEST_COUNT = 3  # the customary priorities of the RTL: the lowest three elements (ties at the boundary included)
DESCRIPTION_MAX = 2000
OWNER_MAX = 200
MAX_EVIDENCE = 20
NOT_PUBLISHED = N_("Periode ini belum dipublikasikan; tindak lanjut dicatat untuk hasil yang dipublikasikan.")
PLAN_INCOMPLETE = N_("Tindak lanjut yang sudah direncanakan harus punya uraian, penanggung jawab dan tenggat.")
ELEMENT_NAMES = {e.code: e.name for e in ELEMENTS}
NO_ELEMENT = "lainnya"
# A complaint category is the SKM element a complaint concerns ("unsur terkait"), or none.
COMPLAINT_CATEGORIES = {**{code: f"{code} {name}" for code, name in ELEMENT_NAMES.items()},
                        NO_ELEMENT: N_("Pengaduan tanpa unsur terkait")}  # fmt: skip


def weakest_elements(result: IkmResult, count: int = WEAKEST_COUNT) -> tuple[ElementResult, ...]:
    """The `count` answered elements with the lowest NRR, plus every element tied with the last of them."""
    answered = sorted((e for e in result.elements if e.nrr is not None), key=lambda e: (e.nrr, e.code))
    if not answered:
        return ()
    cut = answered[min(count, len(answered)) - 1].nrr
    return tuple(e for e in answered if e.nrr <= cut)


def _publication(unit_id: int, period_key: str):
    publication = data.publication(unit_id, period_key)
    if publication is None:
        raise FollowUpError(NOT_PUBLISHED)
    return publication


def _insert(action: FollowUpAction) -> bool:
    """Add an action in a savepoint; False when the unique source constraint says it exists already."""
    try:
        with db.session.begin_nested():
            db.session.add(action)
            db.session.flush()
    except IntegrityError:
        return False
    return True


def propose_actions(*, unit: Unit, period: Period, by: str) -> list[FollowUpAction]:
    """Propose one action per weakest element of the published period (ties included). Flushes.

    Idempotent: an element that already has an action of this period (whatever its status, cancelled included)
    gets no new one, also when two runs race (the unique constraint decides). Returns the actions created.
    :raise FollowUpError: the period is not published.
    """
    publication = _publication(unit.id, period.key)
    result = Snapshot.from_json(publication.snapshot).result
    existing = set(
        db.session.scalars(
            sa.select(FollowUpAction.source_code).where(
                FollowUpAction.unit_id == unit.id,
                FollowUpAction.period_key == period.key,
                FollowUpAction.source == Source.ELEMENT,
            )
        )
    )
    created = []
    for element in weakest_elements(result):
        if element.code in existing:
            continue
        action = FollowUpAction(unit_id=unit.id, period_key=period.key, source=Source.ELEMENT,
                                source_code=element.code, created_by=by, updated_by=by)  # fmt: skip
        if _insert(action):
            created.append(action)
    return created


def _clean_text(description: str, owner: str) -> tuple[str, str]:
    description, owner = (description or "").strip(), (owner or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise FollowUpError({"description": N_("Uraian terlalu panjang (paling banyak %(n)d karakter).")},
                            n=DESCRIPTION_MAX)  # fmt: skip
    if len(owner) > OWNER_MAX:
        raise FollowUpError({"owner": N_("Penanggung jawab terlalu panjang (paling banyak %(n)d karakter).")},
                            n=OWNER_MAX)  # fmt: skip
    return description, owner


def add_action(
    *,
    unit: Unit,
    period: Period,
    source: Source,
    by: str,
    category: str | None = None,
    description: str = "",
    owner: str = "",
    due_on: date | None = None,
) -> FollowUpAction:
    """Add an action for a complaint category (one per category and period) or a free one. Flushes.

    :raise FollowUpError: period not published, unknown category, a free action without description, a category
        that already has an action, or text too long.
    """
    source = Source(source)
    _publication(unit.id, period.key)
    description, owner = _clean_text(description, owner)
    if source is Source.ELEMENT:
        raise FollowUpError(N_("Tindak lanjut unsur diusulkan dari hasil yang dipublikasikan."))
    if source is Source.COMPLAINT and category not in COMPLAINT_CATEGORIES:
        raise FollowUpError({"category": N_("Pilih kategori pengaduan.")})
    if source is Source.FREE and not description:
        raise FollowUpError({"description": N_("Tuliskan uraian tindak lanjut.")})
    action = FollowUpAction(unit_id=unit.id, period_key=period.key, source=source,
                            source_code=category if source is Source.COMPLAINT else None, description=description,
                            owner=owner, due_on=due_on, created_by=by, updated_by=by)  # fmt: skip
    if not _insert(action):
        raise FollowUpError(N_("Kategori pengaduan ini sudah punya tindak lanjut pada periode ini."))
    return action


def edit_action(
    *, action: FollowUpAction, description: str, owner: str, due_on: date | None, by: str
) -> FollowUpAction:
    """Change what an open action plans. Flushes.

    :raise FollowUpError: the action is done or cancelled, text too long, or a planned action would lose its
        description, owner or due date.
    """
    if action.closed:
        raise FollowUpError(N_("Tindak lanjut yang sudah selesai atau dibatalkan tidak dapat diubah."))
    description, owner = _clean_text(description, owner)
    if action.status is not ActionStatus.PROPOSED and not (description and owner and due_on):
        raise FollowUpError(PLAN_INCOMPLETE)
    action.description, action.owner, action.due_on, action.updated_by = description, owner, due_on, by
    db.session.flush()
    return action


def change_status(
    *, action: FollowUpAction, status: ActionStatus | str, by: str, today: date, done_on: date | None = None
) -> FollowUpAction:
    """Move an action along its state machine (see `FollowUpAction.move_to`). Flushes.

    :raise FollowUpError: an unknown status or a refused transition.
    """
    try:
        status = ActionStatus(status)
    except ValueError:
        raise FollowUpError({"status": N_("Status tidak dikenal.")}) from None
    action.move_to(status, by=by, today=today, done_on=done_on)
    db.session.flush()
    return action


def attach_evidence(*, action: FollowUpAction, data: bytes, by: str, max_bytes: int) -> FollowUpEvidence:
    """Store one evidence file, checked and re-encoded as complaint attachments are. Flushes.

    The stored name is made up ("bukti-<action>-<n>.<ext>"): the uploaded file's name is never kept.
    :raise AttachmentError: not an acceptable JPEG, PNG or PDF (a DomainError).
    :raise FollowUpError: the action is cancelled or has MAX_EVIDENCE files already.
    """
    if action.status is ActionStatus.CANCELLED:
        raise FollowUpError(N_("Tindak lanjut yang dibatalkan tidak menerima bukti."))
    if len(action.evidence) >= MAX_EVIDENCE:
        raise FollowUpError(N_("Paling banyak %(n)d berkas bukti per tindak lanjut."), n=MAX_EVIDENCE)
    clean = clean_upload(data, max_bytes=max_bytes)
    evidence = FollowUpEvidence(
        filename=f"bukti-{action.id}-{len(action.evidence) + 1}.{clean.extension}",
        mimetype=clean.mimetype,
        size=len(clean.data),
        sha256=hashlib.sha256(clean.data).hexdigest(),
        data=clean.data,
        uploaded_by=by,
    )
    action.evidence.append(evidence)
    action.updated_by = by
    db.session.flush()
    return evidence


def link_complaint(*, action: FollowUpAction, complaint: Complaint, by: str) -> FollowUpComplaintLink:
    """Relate a complaint of the action's unit to it (never a WBS report). Flushes.

    The caller has checked that the officer may see the complaint.
    :raise FollowUpError: a WBS report, another unit's complaint, or a complaint linked already.
    """
    if complaint.stream != Stream.COMPLAINT or complaint.unit_id != action.unit_id:
        raise FollowUpError({"complaint": N_("Hanya pengaduan unit ini yang dapat dikaitkan.")})
    if any(link.complaint_id == complaint.id for link in action.links):
        raise FollowUpError({"complaint": N_("Pengaduan ini sudah dikaitkan.")})
    link = FollowUpComplaintLink(complaint_id=complaint.id, linked_by=by)
    action.links.append(link)
    action.updated_by = by
    db.session.flush()
    return link


def unlink_complaint(*, action: FollowUpAction, complaint_id: int, by: str) -> None:
    """Remove a complaint's link from an action (nothing happens when it was not linked). Flushes."""
    action.links = [link for link in action.links if link.complaint_id != complaint_id]
    action.updated_by = by
    db.session.flush()


# --- reading ---------------------------------------------------------------------------------------------------


def actions_of(unit_id: int, period_key: str) -> list[FollowUpAction]:
    """A unit's actions of one period, elements first (by code), then complaint categories, then free ones."""
    rows = db.session.scalars(
        sa.select(FollowUpAction).where(FollowUpAction.unit_id == unit_id, FollowUpAction.period_key == period_key)
    )
    order = {Source.ELEMENT: 0, Source.COMPLAINT: 1, Source.FREE: 2}
    return sorted(rows, key=lambda a: (order[a.source], a.source_code or "", a.id))


def source_label(action: FollowUpAction) -> str:
    """What the action answers: "U3 Waktu Penyelesaian", a complaint category, or "Lainnya" (msgids)."""
    if action.source is Source.ELEMENT:
        return f"{action.source_code} {ELEMENT_NAMES.get(action.source_code or '', '')}".strip()
    if action.source is Source.COMPLAINT:
        return COMPLAINT_CATEGORIES.get(action.source_code or "", action.source_code or "")
    return N_("Lainnya")


def status_label(action: FollowUpAction) -> str:
    return STATUS_LABELS[action.status]


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


def followup_share(*, unit_id: int, year: int, today: date) -> Share:
    """The share of a unit's published periods of `year` that were followed up, with the LKE VI.iv.c grade.

    A published period is a publication in force whose period starts in `year` (a month, a quarter, a semester
    and the year itself each count once when each was published). It was followed up when it has at least one
    action that is not cancelled, and every action of it that is not cancelled is done (selesai) or has at least
    one evidence file. Grade: A all such periods, B more than half, C at least one, D none (also when nothing of
    the year was published).
    """
    periods = sorted({parse_period(p.period_key) for p in data.publications(unit_id)
                      if p.period_start.year == year}, key=lambda p: (p.start, p.end))  # fmt: skip
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
    """One action as the public results page shows it: no owner, no staff name, no complaint."""

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
            rows[a.period_key].append(PublicRow(source_label(a), a.description, a.due_on, status_label(a),
                                                a.done_on, a.overdue(today)))  # fmt: skip
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
    """One action as the SKM report's follow-up table prints it."""

    source: str
    description: str
    due_on: date | None
    owner: str
    status: str
    overdue: bool


def report_rows(*, unit_id: int, period_key: str, today: date) -> list[ReportRow]:
    """The actions of a published period for the report's RTL table (cancelled ones left out)."""
    return [
        ReportRow(source_label(a), a.description, a.due_on, a.owner, status_label(a), a.overdue(today))
        for a in actions_of(unit_id, period_key)
        if a.status is not ActionStatus.CANCELLED
    ]
