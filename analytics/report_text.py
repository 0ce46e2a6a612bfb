"""The SKM report's foreword and closing text, written by the office per unit and period.

When a unit has no text for a period (or leaves one of the two empty) the report prints the default text below.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.errors import DomainError
from app.extensions import db
from app.i18n import N_
from app.text import clean

TEXT_MAX_CHARS = 6000
TOO_LONG = N_("Teks terlalu panjang: paling banyak %(limit)s karakter.")

DEFAULT_FOREWORD = (
    "Puji syukur kami panjatkan ke hadirat Tuhan Yang Maha Esa, karena atas rahmat-Nya Laporan Survei Kepuasan "
    "Masyarakat {unit} periode {period} dapat diselesaikan.\n"
    "Laporan ini disusun berdasarkan Peraturan Menteri PANRB Nomor 14 Tahun 2017 sebagai bahan evaluasi dan "
    "perbaikan kualitas pelayanan. Terima kasih kami sampaikan kepada masyarakat pengguna layanan yang telah "
    "bersedia mengisi kuesioner dan kepada semua pihak yang membantu pelaksanaan survei."
)
DEFAULT_CLOSING = (
    "Demikian laporan Survei Kepuasan Masyarakat ini disusun. Hasil survei akan dipublikasikan kepada masyarakat "
    "dan menjadi dasar rencana tindak lanjut perbaikan pelayanan pada periode berikutnya."
)


class ReportTextError(DomainError):
    """Text that cannot be stored; nothing was written."""


class ReportText(db.Model):
    """A unit's own foreword and closing for the report of one period."""

    __tablename__ = "report_texts"
    __table_args__ = (sa.UniqueConstraint("unit_id", "period_key", name="uq_report_texts_unit_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"))  # the unique key's prefix
    period_key: Mapped[str] = mapped_column(sa.String(30))
    foreword: Mapped[str] = mapped_column(sa.Text, default="")
    closing: Mapped[str] = mapped_column(sa.Text, default="")
    updated_by: Mapped[str] = mapped_column(sa.String(80), default="")
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=lambda: datetime.now(UTC))


@dataclass(frozen=True)
class Texts:
    """The texts a report prints, and whether each one is the office's own."""

    foreword: str
    closing: str
    own_foreword: bool = False
    own_closing: bool = False


def stored_text(*, unit_id: int, period_key: str) -> ReportText | None:
    return db.session.scalar(sa.select(ReportText).filter_by(unit_id=unit_id, period_key=period_key))


def report_texts(*, unit_id: int, period_key: str, unit_name: str, period_label: str) -> Texts:
    """The office's texts for the period, each replaced by the default text when empty."""
    row = stored_text(unit_id=unit_id, period_key=period_key)
    foreword = row.foreword if row and row.foreword.strip() else ""
    closing = row.closing if row and row.closing.strip() else ""
    return Texts(
        foreword=foreword or DEFAULT_FOREWORD.format(unit=unit_name, period=period_label),
        closing=closing or DEFAULT_CLOSING,
        own_foreword=bool(foreword),
        own_closing=bool(closing),
    )


def save_report_text(*, unit_id: int, period_key: str, foreword: str, closing: str, updated_by: str) -> ReportText:
    """Store the office's foreword and closing for a period (flush only); empty text means the default."""
    texts = {"foreword": clean(foreword, multiline=True), "closing": clean(closing, multiline=True)}
    errors = {name: TOO_LONG for name, text in texts.items() if len(text) > TEXT_MAX_CHARS}
    if errors:
        raise ReportTextError(errors, limit=TEXT_MAX_CHARS)
    row = stored_text(unit_id=unit_id, period_key=period_key) or ReportText(unit_id=unit_id, period_key=period_key)
    row.foreword, row.closing = texts["foreword"], texts["closing"]
    row.updated_by, row.updated_at = updated_by[:80], datetime.now(UTC)
    db.session.add(row)
    db.session.flush()
    return row
