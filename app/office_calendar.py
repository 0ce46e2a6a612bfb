"""The office's own non-working days (beyond national holidays and cuti bersama), kept in the database."""

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class OfficeDay(db.Model):
    """A local non-working day the office added (a regional holiday, an office closure)."""

    __tablename__ = "office_days"

    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    reason: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=lambda: datetime.now(UTC))
    created_by: Mapped[str] = mapped_column(sa.String(80), default="")


def register(app) -> None:
    """Install `flask calendar` (due, add-day, list)."""
    from flask.cli import AppGroup

    app.cli.add_command(AppGroup("calendar", help="Working days: deadlines and the office's own days off."))
