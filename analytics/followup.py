"""The Rencana Tindak Lanjut (RTL): follow-up actions of a unit's published periods, and how far they went.

Write side (keyword-only, flush only; the caller commits): `propose_actions` turns the published period's weakest
elements into proposed actions, idempotently; `add_action` adds one for a complaint category or a free one;
`edit_action`, `change_status`, `attach_evidence`, `link_complaint` and `unlink_complaint` change one action.
Read side here: `actions_of` and the labels; `analytics.followup_progress` has how far the follow-up went
(progress, the LKE VI.iv.c share, what the dashboard, the report and the public page show). Only analytics' own
tables are written; complaints are read, and named by id.
"""

import hashlib
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
from app import audit
from app.directory import Unit
from app.extensions import db
from app.i18n import N_
from app.periods import Period
from app.uploads import clean_upload
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


def propose_actions(*, unit: Unit, period: Period, by: str, actor=None) -> list[FollowUpAction]:
    """Propose one action per weakest element of the published period (ties included), each audited as by `actor`
    (a User) or the job `by`. Flushes.

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
            record_change(audit.Action.FOLLOWUP_PROPOSED, action, element.code, actor=actor, actor_name=by)
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
    actor=None,
) -> FollowUpAction:
    """Add an action for a complaint category (one per category and period) or a free one, audited. Flushes.

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
    record_change(audit.Action.FOLLOWUP_ADDED, action, f"{source} {action.source_code or ''}".strip(), actor=actor,
                  actor_name=by)  # fmt: skip
    return action


def edit_action(
    *, action: FollowUpAction, description: str, owner: str, due_on: date | None, by: str, actor=None
) -> FollowUpAction:
    """Change what an open action plans, audited with the names of the fields changed (and the due dates). Flushes.

    :raise FollowUpError: the action is done or cancelled, text too long, or a planned action would lose its
        description, owner or due date.
    """
    if action.closed:
        raise FollowUpError(N_("Tindak lanjut yang sudah selesai atau dibatalkan tidak dapat diubah."))
    description, owner = _clean_text(description, owner)
    if action.status is not ActionStatus.PROPOSED and not (description and owner and due_on):
        raise FollowUpError(PLAN_INCOMPLETE)
    changes = [name for name, old, new in (("description", action.description, description),
                                           ("owner", action.owner, owner)) if old != new]  # fmt: skip
    if action.due_on != due_on:
        changes.append(f"due: {action.due_on or '-'} -> {due_on or '-'}")
    action.description, action.owner, action.due_on, action.updated_by = description, owner, due_on, by
    db.session.flush()
    record_change(audit.Action.FOLLOWUP_EDITED, action, "; ".join(changes) or "unchanged", actor=actor, actor_name=by)
    return action


def change_status(
    *,
    action: FollowUpAction,
    status: ActionStatus | str,
    by: str,
    today: date,
    done_on: date | None = None,
    actor=None,
) -> FollowUpAction:
    """Move an action along its state machine (see `FollowUpAction.move_to`), audited ("old -> new"). Flushes.

    :raise FollowUpError: an unknown status or a refused transition.
    """
    try:
        status = ActionStatus(status)
    except ValueError:
        raise FollowUpError({"status": N_("Status tidak dikenal.")}) from None
    before = action.status
    action.move_to(status, by=by, today=today, done_on=done_on)
    db.session.flush()
    record_change(audit.Action.FOLLOWUP_STATUS, action, f"{before} -> {action.status}", actor=actor, actor_name=by)
    return action


def attach_evidence(*, action: FollowUpAction, data: bytes, by: str, max_bytes: int, actor=None) -> FollowUpEvidence:
    """Store one evidence file, checked and re-encoded as complaint attachments are, audited (its id and sha256
    prefix). Flushes.

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
    record_change(audit.Action.FOLLOWUP_EVIDENCE, action, f"evidence {evidence.id}; sha256 {evidence.sha256[:12]}",
                  actor=actor, actor_name=by)  # fmt: skip
    return evidence


def link_complaint(*, action: FollowUpAction, complaint: Complaint, by: str, actor=None) -> FollowUpComplaintLink:
    """Relate a complaint of the action's unit to it (never a WBS report), audited. Flushes.

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
    record_change(audit.Action.FOLLOWUP_COMPLAINT_LINKED, action, f"complaint {complaint.id}", actor=actor,
                  actor_name=by)  # fmt: skip
    return link


def unlink_complaint(*, action: FollowUpAction, complaint_id: int, by: str, actor=None) -> bool:
    """Remove a complaint's link from an action, audited; whether there was one (nothing is removed or audited
    otherwise). Flushes."""
    kept = [link for link in action.links if link.complaint_id != complaint_id]
    removed = len(kept) != len(action.links)
    action.links = kept
    action.updated_by = by
    db.session.flush()
    if removed:
        record_change(audit.Action.FOLLOWUP_COMPLAINT_UNLINKED, action, f"complaint {complaint_id}", actor=actor,
                      actor_name=by)  # fmt: skip
    return removed


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


def record_change(what: audit.Action, item: FollowUpAction, detail: str = "", *, actor=None, actor_name: str = ""):
    """Audit a change of `item` by `actor` (a User) or a job (`actor_name`): "<period>; <detail>" with ids,
    statuses and field names only, never the plan's text. Flushes."""
    return audit.record(
        what,
        actor=actor,
        actor_name=actor_name,
        object_type="followup_action",
        object_id=item.id,
        unit_id=item.unit_id,
        detail=f"{item.period_key}; {detail}" if detail else item.period_key,
    )
