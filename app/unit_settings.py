"""A unit's report settings: its logo, the office head's name, NIP and position, the city of the signature line.

Kept in their own table, one row per unit, so the logo's bytes are read only by the report and the admin page,
never with every unit. The logo is checked by its bytes (JPEG or PNG), fully decoded, scaled to at most LOGO_SIDE
pixels a side and drawn into a fresh picture saved as PNG: EXIF, comments, colour profiles and anything appended to
the file are gone (`app.uploads`, the cleaner of every upload).
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.errors import DomainError
from app.extensions import db
from app.i18n import N_

LOGO_MAX_BYTES = 1024 * 1024  # uploaded file, before cleaning
LOGO_MAX_PIXELS = 16_000_000
LOGO_SIDE = 600  # a cover logo is printed about 3 cm wide: 600 px is more than enough
NIP_RE = re.compile(r"\d{18}")

LOGO_EMPTY = N_("Berkas logo kosong.")
LOGO_TOO_LARGE = N_("Berkas logo terlalu besar: paling besar %(limit)s KB.")
LOGO_NOT_IMAGE = N_("Logo harus gambar PNG atau JPEG (jenis berkas dilihat dari isinya, bukan dari namanya).")
LOGO_DAMAGED = N_("Gambar logo rusak atau terlalu besar; tidak dapat dibuka.")
BAD_NIP = N_("NIP harus 18 angka tanpa spasi atau tanda baca.")


class SettingsError(DomainError):
    """Report settings that cannot be stored; nothing was written."""


class UnitReportSettings(db.Model):
    """What the SKM report of a unit prints on its cover and under its signature block."""

    __tablename__ = "unit_report_settings"

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    head_name: Mapped[str] = mapped_column(sa.String(200), default="")
    head_nip: Mapped[str] = mapped_column(sa.String(18), default="")
    head_position: Mapped[str] = mapped_column(sa.String(200), default="")
    city: Mapped[str] = mapped_column(sa.String(100), default="")
    logo: Mapped[bytes | None] = mapped_column(sa.LargeBinary, nullable=True, deferred=True)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=lambda: datetime.now(UTC))


@dataclass(frozen=True)
class ReportSettings:
    """A unit's settings as the report reads them (empty strings and no logo when none were saved)."""

    head_name: str = ""
    head_nip: str = ""
    head_position: str = ""
    city: str = ""
    logo_png: bytes | None = None


def report_settings(unit_id: int, *, with_logo: bool = True) -> ReportSettings:
    """The unit's report settings, or empty ones."""
    row = db.session.get(UnitReportSettings, unit_id)
    if row is None:
        return ReportSettings()
    return ReportSettings(row.head_name, row.head_nip, row.head_position, row.city, row.logo if with_logo else None)


def save_report_settings(
    *,
    unit_id: int,
    head_name: str,
    head_nip: str,
    head_position: str,
    city: str,
    logo: bytes | None = None,
    remove_logo: bool = False,
) -> UnitReportSettings:
    """Store a unit's report settings (flush only). `logo`: the uploaded file, cleaned here; None keeps the old one."""
    nip = head_nip.strip()
    if nip and not NIP_RE.fullmatch(nip):
        raise SettingsError({"head_nip": BAD_NIP})
    cleaned = clean_logo(logo) if logo is not None else None
    row = db.session.get(UnitReportSettings, unit_id) or UnitReportSettings(unit_id=unit_id)
    row.head_name, row.head_nip = head_name.strip(), nip
    row.head_position, row.city = head_position.strip(), city.strip()
    if cleaned is not None:
        row.logo = cleaned
    elif remove_logo:
        row.logo = None
    row.updated_at = datetime.now(UTC)
    db.session.add(row)
    db.session.flush()
    return row


def clean_logo(data: bytes) -> bytes:
    """A JPEG or PNG logo decoded, scaled down to LOGO_SIDE and saved again as a metadata-free PNG."""
    from app.uploads import AttachmentError, clean_image, sniff

    if not data:
        raise SettingsError({"logo": LOGO_EMPTY})
    if len(data) > LOGO_MAX_BYTES:
        raise SettingsError({"logo": LOGO_TOO_LARGE}, limit=LOGO_MAX_BYTES // 1024)
    kind = sniff(data)
    if kind not in ("jpeg", "png"):
        raise SettingsError({"logo": LOGO_NOT_IMAGE})
    try:
        clean = clean_image(
            data, kind=kind, max_bytes=LOGO_MAX_BYTES, max_side=LOGO_SIDE, max_pixels=LOGO_MAX_PIXELS, png=True
        )
    except AttachmentError:
        raise SettingsError({"logo": LOGO_DAMAGED}) from None
    return clean.data
