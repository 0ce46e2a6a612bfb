"""What to e-mail about a complaint, and to whom, through the outbox (sent after the caller commits).

Reporters who left an e-mail hear of each status change and public response; staff hear of assignments,
reporters' replies, due-soon reminders and escalations. No message ever carries the complaint's text, its title,
the reporter's identity or the tracking code: a reporter is sent to the tracking page to type their code, staff
to the staff pages. Messages are in Indonesian (the office's language).
"""

from collections.abc import Iterable

import sqlalchemy as sa
from flask import current_app, has_request_context, request

from app import links, outbox
from app.extensions import db
from app.i18n import N_
from complaints.models import Complaint, Status, Stream
from complaints.workflow import STATUS_LABELS

SUBJECT_STATUS = N_("Perkembangan laporan Anda")
BODY_STATUS = N_(
    "Yth. Pelapor,\n\nStatus laporan Anda di %(office)s sekarang: %(status)s.\n\n"
    "Untuk melihat perkembangan dan tanggapan, buka halaman lacak dengan kode Anda:\n%(url)s\n\n"
    "E-mail ini dikirim otomatis; mohon tidak membalas."
)
SUBJECT_RESPONSE = N_("Ada tanggapan atas laporan Anda")
BODY_RESPONSE = N_(
    "Yth. Pelapor,\n\n%(office)s telah memberi tanggapan atas laporan Anda.\n\n"
    "Untuk membacanya, buka halaman lacak dengan kode Anda:\n%(url)s\n"
    "Anda dapat menanggapi kembali sampai %(until)s.\n\nE-mail ini dikirim otomatis; mohon tidak membalas."
)
SUBJECT_ASSIGNED = N_("Laporan #%(id)d didisposisikan kepada Anda")
SUBJECT_CITIZEN = N_("Pelapor menambahkan keterangan pada laporan #%(id)d")
SUBJECT_REMINDER = N_("Pengingat: batas %(step)s laporan #%(id)d jatuh pada %(due)s")
SUBJECT_ESCALATION = N_("Eskalasi: laporan #%(id)d melewati batas %(step)s")
BODY_STAFF = N_("%(subject)s.\n\nBuka laporan di halaman petugas (masuk terlebih dahulu):\n%(url)s")


def _base_url() -> str:
    """The public address of the app (PUBLIC_BASE_URL, else the current request's, else the local default)."""
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    if base:
        return base
    return request.host_url.rstrip("/") if has_request_context() else links.DEFAULT_BASE_URL


def _link(endpoint: str, path: str, **values) -> str:
    """The absolute URL of `endpoint` when the app has it, else the base address plus `path`."""
    if endpoint in current_app.view_functions:
        return links.public_url(endpoint, **values)
    return _base_url() + path


def tracking_url(c: Complaint) -> str:
    """The tracking page where the reporter types their code."""
    if c.stream == Stream.WBS:
        return _link("wbs.lookup", "/wbs/lacak")
    return _link("complaints.lookup", "/pengaduan/lacak")


def staff_url(c: Complaint) -> str:
    """The complaint's page for staff (they log in first)."""
    if c.stream == Stream.WBS:
        return _link("wbs_staff.detail", f"/admin/wbs/{c.id}", complaint_id=c.id)
    return _link("complaints_staff.detail", f"/admin/pengaduan/{c.id}", complaint_id=c.id)


def staff_email(user) -> str:
    """The e-mail of a staff account, or "" (accounts have an `email` only once app.auth defines it)."""
    if user is None or not getattr(user, "active", False):
        return ""
    return (getattr(user, "email", "") or "").strip()


def _reporter_email(c: Complaint) -> str:
    """The reporter's e-mail, or ""."""
    return (c.reporter.email or "").strip() if c.reporter is not None else ""


def _office() -> str:
    """The office's name for messages."""
    return current_app.config.get("OFFICE_NAME") or "kantor kami"


def status_changed(c: Complaint) -> int:
    """Tell the reporter (if they left an e-mail) the complaint's new status. Returns messages queued."""
    email = _reporter_email(c)
    if not email:
        return 0
    body = BODY_STATUS % {"office": _office(), "status": STATUS_LABELS[Status(c.status)], "url": tracking_url(c)}
    outbox.enqueue(recipient=email, subject=SUBJECT_STATUS, body=body, topic=f"complaint:{c.id}:status:{c.status}")
    return 1


def responded(c: Complaint) -> int:
    """Tell the reporter (if they left an e-mail) that a public response was posted."""
    email = _reporter_email(c)
    if not email:
        return 0
    until = c.reply_due.strftime("%d-%m-%Y") if c.reply_due else "-"
    body = BODY_RESPONSE % {"office": _office(), "url": tracking_url(c), "until": until}
    outbox.enqueue(recipient=email, subject=SUBJECT_RESPONSE, body=body, topic=f"complaint:{c.id}:response")
    return 1


def _users(*conditions) -> list:
    """Active staff accounts matching `conditions`."""
    from app.auth import User

    return list(db.session.scalars(sa.select(User).where(User.active.is_(True), *conditions).order_by(User.id)))


def _role_users(role: str, unit_id: int | None) -> list:
    """Active accounts of `role` whose scope covers `unit_id` (office-wide accounts cover every unit)."""
    from app.auth import role_users

    return role_users(role, unit_id)


def handlers(c: Complaint) -> list:
    """Who works a complaint now: the assigned officer, else the unit's penanggung jawab, else the triage officers."""
    from app.auth import Role, User

    if c.assigned_user_id is not None:
        user = db.session.get(User, c.assigned_user_id)
        if user is not None and user.active:
            return [user]
    if c.stream == Stream.WBS:
        return _role_users(Role.WBS, c.unit_id)
    if c.assigned_unit_id is not None and c.status in (Status.ROUTED, Status.FOLLOWED_UP):
        unit_heads = _users(User.role == Role.UNIT, User.unit_id == c.assigned_unit_id)
        if unit_heads:
            return unit_heads
    return triage_officers(c)


def triage_officers(c: Complaint) -> list:
    """The officers who verify and route: petugas pengaduan (WBS handlers for WBS reports)."""
    from app.auth import Role

    return _role_users(Role.WBS if c.stream == Stream.WBS else Role.PENGADUAN, c.unit_id)


def supervisors(c: Complaint) -> list:
    """Who an overdue complaint escalates to: the pimpinan who may open it (WBS: the WBS handlers, rule 9)."""
    from app.auth import Role
    from complaints import access

    role = Role.WBS if c.stream == Stream.WBS else Role.PIMPINAN
    return [user for user in _role_users(role, c.unit_id) if access.can_view(user, c)]


def _to_staff(users: Iterable, c: Complaint, subject: str, topic: str) -> int:
    """Queue one staff message per distinct e-mail address; returns how many."""
    addresses = dict.fromkeys(address for address in map(staff_email, users) if address)
    for address in addresses:
        outbox.enqueue(
            recipient=address, subject=subject, body=BODY_STAFF % {"subject": subject, "url": staff_url(c)}, topic=topic
        )
    return len(addresses)


def assigned(c: Complaint) -> int:
    """Tell the assigned officer (or the unit's penanggung jawab) about a disposition."""
    return _to_staff(handlers(c), c, SUBJECT_ASSIGNED % {"id": c.id}, f"complaint:{c.id}:assigned")


def citizen_wrote(c: Complaint) -> int:
    """Tell the handlers that the reporter added information or answered a response."""
    return _to_staff(handlers(c), c, SUBJECT_CITIZEN % {"id": c.id}, f"complaint:{c.id}:citizen")


def reminder(c: Complaint, step_label: str, day_key: str) -> int:
    """Remind the handlers that the deadline owed now is near."""
    subject = SUBJECT_REMINDER % {"step": step_label, "id": c.id, "due": c.due_on.strftime("%d-%m-%Y")}
    users = triage_officers(c) if c.status in (Status.RECEIVED, Status.VERIFIED) else handlers(c)
    return _to_staff(users, c, subject, f"complaint:{c.id}:reminder:{c.due_step}:{day_key}")


def escalated(c: Complaint, step_label: str) -> int:
    """Tell the supervisors that a deadline passed."""
    subject = SUBJECT_ESCALATION % {"id": c.id, "step": step_label}
    return _to_staff(supervisors(c), c, subject, f"complaint:{c.id}:escalation:{c.due_step}")
