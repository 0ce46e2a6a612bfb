"""The publication log: where and when each period's SKM results were published (evidence for LKE VI.iv.b).

An entry names a medium, a date, and a link (an http(s) URL) and/or a photo of the notice board; the photo is
cleaned exactly as complaint attachments are (app.uploads: decoded, re-encoded, no metadata), and only
JPEG and PNG are taken. Functions flush; the caller commits. Only analytics' own table is written.

LKE VI.iv.b "Hasil survei kepuasan masyarakat dapat diakses secara terbuka", graded per unit and year over the
entries of the periods starting in that year: A = published online (website, social media, another medium with a
link) and offline (notice board, another medium without a link); B = only one of them (the LKE names "hanya
offline"; results only online are published too, so they get B rather than C, a choice of this project);
C = not published.
"""

import hashlib
import re
from datetime import date
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from analytics.models import PublicationLogEntry, PublicationMedium
from app import clock
from app.errors import DomainError
from app.extensions import db
from app.i18n import N_
from app.periods import Period
from app.text import clean

MAX_URL = 500
MAX_NOTE = 500
PHOTO_TYPES = ("jpeg", "png")
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.IGNORECASE)
BAD_URL = N_("Tautan harus alamat web lengkap yang diawali http:// atau https://, misalnya https://contoh.go.id/skm.")


class PublicationLogError(DomainError):
    """A publication-log entry that breaks a rule; nothing was written."""


def check_url(value: str) -> str:
    """The link as stored: trimmed, http or https, a host name with a dot, no spaces; '' when empty."""
    url = clean(value)
    if not url:
        return ""
    if len(url) > MAX_URL or any(ch.isspace() for ch in url):
        raise PublicationLogError({"url": BAD_URL})
    try:
        parts = urlsplit(url)
        host, _port = parts.hostname or "", parts.port  # a bad port raises ValueError
    except ValueError:
        raise PublicationLogError({"url": BAD_URL}) from None
    if parts.scheme.lower() not in ("http", "https") or parts.username or not _HOST.match(host):
        raise PublicationLogError({"url": BAD_URL})
    return url


def clean_photo(data: bytes) -> tuple[bytes, str]:
    """A notice-board photo re-encoded without metadata, and its type; only JPEG and PNG are photos here."""
    from app.uploads import NOT_ALLOWED, AttachmentError, clean_upload, sniff

    if data and sniff(data) not in PHOTO_TYPES:
        raise AttachmentError(NOT_ALLOWED)
    cleaned = clean_upload(data, max_bytes=current_app.config["COMPLAINT_ATTACHMENT_MAX_BYTES"])
    return cleaned.data, cleaned.mimetype


def add_entry(
    *,
    unit_id: int,
    period: Period,
    medium: str,
    published_on: date | None,
    url: str = "",
    photo: bytes | None = None,
    note: str = "",
    by: str,
) -> PublicationLogEntry:
    """Log one publication of a unit's period results. Flushes.

    :raise PublicationLogError: unknown medium, missing or future date, bad link, neither link nor photo.
    :raise app.uploads.AttachmentError: the photo is not a clean JPEG/PNG.
    """
    errors: dict = {}
    if medium not in {m.value for m in PublicationMedium}:
        errors["medium"] = N_("Pilih media publikasi.")
    if published_on is None:
        errors["published_on"] = N_("Tanggal publikasi wajib diisi.")
    elif published_on > clock.today():
        errors["published_on"] = N_("Tanggal publikasi tidak boleh di masa depan.")
    note_text = clean(note)
    if len(note_text) > MAX_NOTE:
        errors["note"] = N_("Catatan terlalu panjang (maks. %(limit)d karakter).")
    if errors:
        raise PublicationLogError(errors, limit=MAX_NOTE)
    link = check_url(url)
    if not link and not photo:
        raise PublicationLogError(N_("Lampirkan tautan atau foto sebagai bukti publikasi."))
    photo_data, mimetype = clean_photo(photo) if photo else (None, "")
    entry = PublicationLogEntry(
        unit_id=unit_id, period_key=period.key, period_start=period.start, medium=PublicationMedium(medium),
        published_on=published_on, url=link, note=note_text, photo=photo_data, photo_mimetype=mimetype,
        photo_sha256=hashlib.sha256(photo_data).hexdigest() if photo_data else "", created_by=by[:80],
    )  # fmt: skip
    db.session.add(entry)
    db.session.flush()
    return entry


def remove_entry(*, unit_id: int, entry_id: int) -> bool:
    """Remove one entry of a unit; False when the unit has no such entry. Flushes."""
    entry = db.session.get(PublicationLogEntry, entry_id)
    if entry is None or entry.unit_id != unit_id:
        return False
    db.session.delete(entry)
    db.session.flush()
    return True


def entries(*, unit_id: int, period_key: str | None = None) -> list[PublicationLogEntry]:
    """A unit's entries (of one period when given), oldest publication first; photos are not loaded."""
    stmt = sa.select(PublicationLogEntry).where(PublicationLogEntry.unit_id == unit_id)
    if period_key is not None:
        stmt = stmt.where(PublicationLogEntry.period_key == period_key)
    return list(db.session.scalars(stmt.order_by(PublicationLogEntry.published_on, PublicationLogEntry.id)))


def photo(*, unit_id: int, entry_id: int) -> tuple[bytes, str] | None:
    """The stored photo of one entry of a unit and its type, or None."""
    row = db.session.execute(
        sa.select(PublicationLogEntry.photo, PublicationLogEntry.photo_mimetype).where(
            PublicationLogEntry.id == entry_id, PublicationLogEntry.unit_id == unit_id
        )
    ).first()
    return (row.photo, row.photo_mimetype) if row is not None and row.photo else None


def online_links(unit_id: int) -> dict[str, list[PublicationLogEntry]]:
    """Per period key, the unit's entries that publish online with a link (for the public results page)."""
    found: dict[str, list[PublicationLogEntry]] = {}
    for entry in entries(unit_id=unit_id):
        if entry.url and entry.online:
            found.setdefault(entry.period_key, []).append(entry)
    return found


def openness_grade(*, unit_id: int, year: int) -> str:
    """LKE VI.iv.b for a unit and year: 'A' online and offline, 'B' only one of them, 'C' not published."""
    rows = db.session.scalars(
        sa.select(PublicationLogEntry).where(
            PublicationLogEntry.unit_id == unit_id,
            PublicationLogEntry.period_start >= date(year, 1, 1),
            PublicationLogEntry.period_start < date(year + 1, 1, 1),
        )
    ).all()
    online = any(entry.online for entry in rows)
    offline = any(not entry.online for entry in rows)
    if online and offline:
        return "A"
    return "B" if online or offline else "C"
