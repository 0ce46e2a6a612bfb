"""The pack's complaint evidence: the year's register without personal data, the monthly and quarterly recap with
the LKE's three counts, and the channels used (LKE V.iii.a-b, VI.iii.a, R.pengaduan).

Nothing here reads a reporter (name, e-mail, phone), a description, a reported party or a requested resolution.
A title is printed only for a complaint that is not rahasia, with personal data masked (app.redact). WBS reports
are not listed: the WBS recap gives counts only.
"""

import sqlalchemy as sa

from analytics.complaints import _on_time, complaint_stats, percent
from analytics.evidence.pack import Pack
from analytics.evidence.tables import csv_bytes, xlsx_bytes
from app import clock
from app.directory import Service, Unit
from app.extensions import db
from app.periods import Period, month, quarter
from app.periods import year as year_period
from app.redact import mask_personal_data
from complaints.models import Channel, Complaint, ComplaintEvent, EventKind, Stream
from complaints.workflow import STATUS_LABELS

REGISTER_HEADER = (
    "No", "Nomor", "Diterima", "Kanal", "Klasifikasi", "Layanan", "Unsur SKM",
    "Ringkasan (data pribadi disamarkan)", "Status", "Diverifikasi", "Didisposisikan", "Tanggapan pertama",
    "Selesai", "Tepat waktu", "Penilaian pelapor (1-4)", "ID SP4N-LAPOR!",
)  # fmt: skip
ONLINE = frozenset({Channel.WEB, Channel.EMAIL, Channel.SOCIAL_MEDIA, Channel.LAPOR})
CONFIDENTIAL_TEXT = "(rahasia: isi tidak dimuat)"


def _labels() -> tuple[dict, dict]:
    from complaints.staff_forms import CHANNEL_LABELS, CLASSIFICATION_LABELS

    return ({k: str(v) for k, v in CHANNEL_LABELS.items()}, {k: str(v) for k, v in CLASSIFICATION_LABELS.items()})


def _day(moment) -> str:
    return "" if moment is None else clock.local_date(moment).strftime("%d-%m-%Y")


def register_rows(unit_id: int, period: Period) -> list[list]:
    """One row per complaint (pengaduan stream) of the unit received in `period`, without personal data."""
    first_response = (
        sa.select(sa.func.min(ComplaintEvent.at))
        .where(ComplaintEvent.complaint_id == Complaint.id, ComplaintEvent.kind == EventKind.RESPONSE,
               ComplaintEvent.public.is_(True))
        .scalar_subquery()
        .label("first_response")
    )  # fmt: skip
    stmt = (
        sa.select(Complaint.id, Complaint.received_on, Complaint.channel, Complaint.classification, Service.name,
                  Complaint.element, Complaint.title, Complaint.confidential, Complaint.status, Complaint.verified_at,
                  Complaint.routed_at, first_response, Complaint.done_at, Complaint.rejection_reason,
                  sa.case((Complaint.done_at.is_(None), None), (_on_time(period), True), else_=False).label("timely"),
                  Complaint.rating, Complaint.lapor_id)
        .outerjoin(Service, Service.id == Complaint.service_id)
        .where(Complaint.stream == Stream.COMPLAINT, Complaint.unit_id == unit_id,
               Complaint.received_on >= period.start, Complaint.received_on < period.end)
        .order_by(Complaint.received_on, Complaint.id)
    )  # fmt: skip
    channels, classes = _labels()
    rows = []
    for n, r in enumerate(db.session.execute(stmt), start=1):
        summary = CONFIDENTIAL_TEXT if r.confidential else mask_personal_data(r.title)
        done = _day(r.done_at) if not r.rejection_reason else ""
        timely = "" if r.timely is None or r.rejection_reason else ("ya" if r.timely else "tidak")
        rows.append([n, f"PGD-{r.id}", r.received_on.strftime("%d-%m-%Y"), channels[Channel(r.channel)],
                     classes[r.classification], r.name or "", r.element or "", summary, STATUS_LABELS[r.status],
                     _day(r.verified_at), _day(r.routed_at), _day(r.first_response), done, timely, r.rating or "",
                     r.lapor_id])  # fmt: skip
    return rows


def _recap_rows(unit_id: int, year: int) -> list[list]:
    periods = [month(year, m) for m in range(1, 13)] + [quarter(year, q) for q in range(1, 5)] + [year_period(year)]
    rows = []
    for period in periods:
        stats = complaint_stats(period=period, unit_id=unit_id)
        mean = "" if stats.rating_mean is None else f"{float(stats.rating_mean):.3f}".replace(".", ",")
        rows.append([period.label, stats.total, stats.to_handle, stats.in_progress, stats.handled,
                     _pct(stats.handled_percent), _pct(stats.on_time_percent), stats.rated, mean])  # fmt: skip
    return rows


def _pct(value) -> str:
    return "" if value is None else f"{value}".replace(".", ",") + " %"


def _channel_rows(unit_id: int, period: Period) -> list[list]:
    stmt = (
        sa.select(Complaint.channel, sa.func.count(), sa.func.count(sa.func.nullif(Complaint.lapor_id, "")))
        .where(Complaint.stream == Stream.COMPLAINT, Complaint.unit_id == unit_id,
               Complaint.received_on >= period.start, Complaint.received_on < period.end)
        .group_by(Complaint.channel)
    )  # fmt: skip
    counts = {Channel(channel): (n, lapor) for channel, n, lapor in db.session.execute(stmt)}
    labels, _classes = _labels()
    return [[labels[c], "daring" if c in ONLINE else "luring", *counts.get(c, (0, 0))] for c in Channel]


def add_complaint_files(pack: Pack, unit: Unit) -> None:
    """Add the register (CSV and XLSX), the recap and the channels of the unit's complaints of the year."""
    whole_year = year_period(pack.year)
    rows = register_rows(unit.id, whole_year)
    if rows:
        lke = ("V.iii.a", "V.iii.b", "R.pengaduan")
        pack.add(f"pengaduan/register-pengaduan-{pack.year}.csv", csv_bytes(REGISTER_HEADER, rows), lke,
                 f"Register pengaduan {pack.year} tanpa data pribadi pelapor")  # fmt: skip
        heading = f"Register pengaduan {unit.name} {pack.year} (tanpa data pribadi pelapor)"
        pack.add(f"pengaduan/register-pengaduan-{pack.year}.xlsx",
                 xlsx_bytes("Register", REGISTER_HEADER, rows, heading=heading), lke,
                 f"Register pengaduan {pack.year} (Excel) tanpa data pribadi pelapor")  # fmt: skip
    stats = complaint_stats(period=whole_year, unit_id=unit.id)
    header = ["Periode", "Diterima", "Harus ditindaklanjuti", "Sedang diproses", "Selesai ditindaklanjuti",
              "Persentase penanganan", "Tepat waktu (dari yang selesai)", "Dinilai pelapor",
              "Rata-rata penilaian"]  # fmt: skip
    pack.add(f"pengaduan/rekap-pengaduan-{pack.year}.csv", csv_bytes(header, _recap_rows(unit.id, pack.year)),
             ("R.pengaduan", "V.iii.b") if stats.to_handle else (),
             f"Rekap pengaduan {pack.year} per bulan, triwulan dan tahun: harus ditindaklanjuti, sedang diproses, "
             f"selesai, persentase penanganan {_pct(percent(stats.handled, stats.to_handle)) or '-'}")  # fmt: skip
    pack.add(f"pengaduan/kanal-pengaduan-{pack.year}.csv",
             csv_bytes(["Kanal", "Jenis", "Pengaduan diterima", "Tercatat di SP4N-LAPOR!"],
                       _channel_rows(unit.id, whole_year)),
             ("VI.iii.a",), f"Kanal pengaduan daring dan luring dan pengaduan per kanal {pack.year}")  # fmt: skip
