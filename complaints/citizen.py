"""What a reporter may do with their tracking code: add information, answer a response, rate the handling.

The reporter's words are kept for staff (events not public): the tracking page shows only status, dates and
the office's public responses, also to the reporter of a duplicate who follows the original.

Answering a response within the window re-opens handling: the complaint goes back from Ditindaklanjuti to
Didisposisikan (same unit and officer), the office owes a new follow-up within COMPLAINT_FOLLOWUP_DAYS working
days, and the next response opens a new window. Without an answer `tick` closes it as Selesai.
"""

from collections.abc import Sequence

from app import clock
from app.i18n import N_
from app.uploads import CleanFile
from complaints import deadlines, notify
from complaints.handling import REPORTER, ComplaintError, Problems, add_event, body_text, check_files, claim, move
from complaints.handling import store_files as _store_files
from complaints.models import Complaint, EventKind, Status
from complaints.workflow import OPEN

RATINGS = (1, 2, 3, 4)


def _files(attachments: Sequence[CleanFile]) -> list[CleanFile]:
    """The files as a list, or ComplaintError when they break the limits."""
    problems = Problems()
    files = list(attachments)
    check_files(files, problems)
    problems.raise_any()
    return files


def citizen_add_info(c: Complaint, *, body: str, attachments: Sequence[CleanFile] = ()) -> Complaint:
    """Add the reporter's further information while the complaint is open. Flushes."""
    if c.status not in OPEN:
        raise ComplaintError(N_("Laporan ini sudah ditutup; keterangan tidak dapat ditambahkan."))
    text = body_text(body)
    files = _files(attachments)
    event = add_event(c, EventKind.CITIZEN_INFO, body=text)
    _store_files(c, files, event=event, by_staff=False)
    notify.citizen_wrote(c)
    return c


def can_reply(c: Complaint) -> bool:
    """Whether the reporter may still answer the office's response (Ditindaklanjuti, within the window)."""
    return c.status == Status.FOLLOWED_UP and c.reply_due is not None and clock.today() <= c.reply_due


def citizen_reply(c: Complaint, *, body: str, attachments: Sequence[CleanFile] = ()) -> Complaint:
    """Answer a response within the window: back to Didisposisikan with a new follow-up deadline. Flushes."""
    if not can_reply(c):
        raise ComplaintError(N_("Batas waktu untuk menanggapi sudah lewat atau belum ada tanggapan."))
    text = body_text(body)
    files = _files(attachments)
    move(
        c,
        Status.ROUTED,
        by=None,
        actor_name=REPORTER,
        public=True,
        followup_due=deadlines.followup_due(clock.today()),
        reply_due=None,
    )
    event = add_event(c, EventKind.CITIZEN_REPLY, body=text)
    _store_files(c, files, event=event, by_staff=False)
    notify.citizen_wrote(c)
    return c


def can_rate(c: Complaint) -> bool:
    """Whether the reporter may rate the handling (Selesai or Diarsipkan, not rated yet)."""
    return c.status in (Status.DONE, Status.ARCHIVED) and c.rating is None


def rate(c: Complaint, *, rating: int) -> Complaint:
    """Record the reporter's rating of the handling, 1-4, once. Flushes."""
    if isinstance(rating, bool) or rating not in RATINGS:
        raise ComplaintError({"rating": N_("Pilih nilai 1 sampai 4.")})
    if not can_rate(c):
        raise ComplaintError(N_("Penanganan laporan ini belum selesai atau sudah dinilai."))
    moment = clock.utc_now()
    if not claim(c, Complaint.rating.is_(None), rating=rating, rated_at=moment):
        raise ComplaintError(N_("Penanganan laporan ini belum selesai atau sudah dinilai."))
    c.rating, c.rated_at = rating, moment
    add_event(c, EventKind.RATING, body=str(rating))
    return c
