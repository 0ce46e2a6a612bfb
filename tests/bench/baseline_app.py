"""The bare Flask + SQLAlchemy baseline of perf-security.md A.1, served by gunicorn during `make bench`.

GET /s/<service_id> renders a 9-question form (Jinja2 template, inline CSS, no JS, an 88-character
hidden field standing in for a CSRF token). POST /s/<service_id> parses q1..q9, checks 1 <= v <= 4,
inserts one ORM row in its own transaction and answers 303 -> /thanks.

The database URL comes from BENCH_BASELINE_DB_URL. Create the schema once, before gunicorn starts
(`python -m tests.bench.baseline_app init`): two workers racing on create_all() crash the boot.
"""

import os
import sqlite3
import sys
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask, abort, redirect, render_template, request
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

DB_URL = os.environ.get("BENCH_BASELINE_DB_URL", "sqlite:///baseline.sqlite")
FIELDS = tuple(f"q{i}" for i in range(1, 10))
TOKEN_PLACEHOLDER = "x" * 88

QUESTIONS = (
    "Bagaimana kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
    "Bagaimana kemudahan prosedur pelayanan di unit ini?",
    "Bagaimana kecepatan waktu dalam memberikan pelayanan?",
    "Bagaimana kewajaran biaya/tarif dalam pelayanan?",
    "Bagaimana kesesuaian produk pelayanan dengan yang diberikan?",
    "Bagaimana kompetensi/kemampuan petugas dalam pelayanan?",
    "Bagaimana perilaku petugas terkait kesopanan dan keramahan?",
    "Bagaimana penanganan pengaduan pengguna layanan?",
    "Bagaimana kualitas sarana dan prasarana?",
)
OPTIONS = ("Tidak baik", "Kurang baik", "Baik", "Sangat baik")


class Base(DeclarativeBase):
    pass


class Answer(Base):
    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int]
    created_at: Mapped[datetime]
    q1: Mapped[int]
    q2: Mapped[int]
    q3: Mapped[int]
    q4: Mapped[int]
    q5: Mapped[int]
    q6: Mapped[int]
    q7: Mapped[int]
    q8: Mapped[int]
    q9: Mapped[int]


engine = sa.create_engine(DB_URL)


@sa.event.listens_for(engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


app = Flask(__name__)


@app.get("/s/<int:service_id>")
def form(service_id: int):
    return render_template(
        "baseline_form.html", service_id=service_id, questions=QUESTIONS, options=OPTIONS, token=TOKEN_PLACEHOLDER
    )


@app.post("/s/<int:service_id>")
def submit(service_id: int):
    values = {}
    for name in FIELDS:
        raw = request.form.get(name, "")
        if not raw.isdigit() or not 1 <= int(raw) <= 4:
            abort(400)
        values[name] = int(raw)
    with Session(engine) as session, session.begin():
        session.add(Answer(service_id=service_id, created_at=datetime.now(UTC), **values))
    return redirect("/thanks", code=303)


@app.get("/thanks")
def thanks():
    return "Terima kasih."


def init_db() -> None:
    """Create the table (run once, before the workers start)."""
    Base.metadata.create_all(engine)


if __name__ == "__main__":
    if sys.argv[1:] == ["init"]:
        init_db()
    else:
        sys.exit("usage: python -m tests.bench.baseline_app init")
