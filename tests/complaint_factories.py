"""Complaint rows built directly (no service), and the cast of staff accounts the access tests use."""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from app import directory
from app.extensions import db
from tests.factories import log_in, make_user

REPORTER_NAME = "Siti Pelapor Rahasia"
REPORTER_EMAIL = "siti.pelapor@example.org"
REPORTER_PHONE = "081234509876"
ANON_EMAIL = "anon.kabar@example.org"


def make_complaint(unit, *, stream="pengaduan", assigned_unit=None, assigned_user=None, anonymous=False,
                   status="belum_terverifikasi", title="Antrean lama", received_on=None, due_on=None,
                   reporter=True, **columns):  # fmt: skip
    """Add and commit one complaint of `unit`; a reporter with name, e-mail and phone unless anonymous."""
    from complaints.models import Complaint, Reporter

    received_on = received_on or date(2026, 3, 2)
    complaint = Complaint(
        stream=stream,
        tracking_hash=secrets.token_hex(32),
        unit_id=unit.id,
        title=title,
        description=columns.pop("description", "Uraian pengaduan"),
        status=status,
        received_on=received_on,
        verify_due=received_on + timedelta(days=5),
        due_on=due_on,
        due_step="verifikasi" if due_on else "",
        assigned_unit_id=assigned_unit.id if assigned_unit is not None else None,
        assigned_user_id=assigned_user.id if assigned_user is not None else None,
        anonymous=anonymous,
        **columns,
    )
    if anonymous:
        complaint.reporter = Reporter(email=ANON_EMAIL)
    elif reporter:
        complaint.reporter = Reporter(name=REPORTER_NAME, email=REPORTER_EMAIL, phone=REPORTER_PHONE)
    db.session.add(complaint)
    db.session.commit()
    return complaint


def add_attachment(complaint, *, data=b"%PDF-1.4 test", mimetype="application/pdf", filename="lampiran-1.pdf"):
    """Add and commit one attachment of `complaint`."""
    import hashlib

    from complaints.models import Attachment

    attachment = Attachment(
        complaint_id=complaint.id,
        filename=filename,
        mimetype=mimetype,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
    )
    db.session.add(attachment)
    db.session.commit()
    return attachment


@dataclass
class Cast:
    """Two units and one account per role (a penanggung jawab for each unit)."""

    unit_a: directory.Unit
    unit_b: directory.Unit
    admin: object
    loket: object
    pengaduan: object
    unit_pj_a: object
    unit_pj_b: object
    pimpinan: object
    ppid: object
    wbs: object


def _account(role: str, *, unit=None, like):
    """A staff account with the same password as `like` (PASSWORD), without hashing it again (argon2 is slow)."""
    from app.auth import Role, User

    user = User(
        username=f"{role}{'-' + unit.slug if unit is not None else ''}",
        full_name=f"Petugas {role}",
        password_hash=like.password_hash,
        role=Role(role),
        unit_id=unit.id if unit is not None else None,
    )
    db.session.add(user)
    db.session.commit()
    return user


def make_cast(demo) -> Cast:
    """Create unit B next to the demo unit (A) and one account of every role (all with factories.PASSWORD)."""
    unit_b = directory.create_unit(name="Dinas Kedua", slug="dinas-b")
    db.session.commit()
    unit_a = demo.unit
    first = make_user("pengaduan")
    return Cast(
        unit_a=unit_a,
        unit_b=unit_b,
        admin=_account("admin", like=first),
        loket=_account("loket", unit=unit_a, like=first),
        pengaduan=first,
        unit_pj_a=_account("unit", unit=unit_a, like=first),
        unit_pj_b=_account("unit", unit=unit_b, like=first),
        pimpinan=_account("pimpinan", like=first),
        ppid=_account("ppid", like=first),
        wbs=_account("wbs", like=first),
    )


class StaffClient:
    """A test client logged in as one account, each request in its own app context.

    The `app` fixture keeps an app context pushed, and a request reuses it, so flask-login's cached user in `g`
    would leak from one client's request to another's; a fresh app context per request keeps them apart.
    """

    def __init__(self, app, user) -> None:
        self.app = app
        self.user = user
        self.client = app.test_client()
        if user is not None:
            with app.app_context():
                log_in(self.client, user)

    def get(self, *args, **kwargs):
        with self.app.app_context():
            return self.client.get(*args, **kwargs)

    def post(self, *args, **kwargs):
        with self.app.app_context():
            return self.client.post(*args, **kwargs)
