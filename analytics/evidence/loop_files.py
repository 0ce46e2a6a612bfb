"""The pack's evidence that the loop was closed: where results were published (VI.iv.b), the follow-up plans with
their evidence and the VI.iv.c share (VI.i.c, VI.iv.c), the monitoring-and-evaluation records of complaints and of
the WBS (V.iii.c-d, VI.iii.c, V.iv.b-c), the WBS recap as counts (V.iv.a) and complaint response times.

Text the office wrote (plans, findings) passes the personal-data screen too: it may quote a complaint.
Files staff attached (photos, PDFs) are included as they were cleaned on upload.
"""

from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm

from analytics.complaint_recap import complaint_recap, wbs_recap
from analytics.evidence.pack import Pack
from analytics.evidence.tables import csv_bytes
from analytics.followup import actions_of, source_label, status_label
from analytics.followup_models import FollowUpEvidence
from analytics.followup_progress import followup_share
from analytics.publication_log import entries, openness_grade
from app import clock
from app.directory import Unit
from app.extensions import db
from app.periods import Period, month, quarter
from app.periods import year as year_period
from app.redact import mask_personal_data
from complaints.models import MonitoringRecord, Stream

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


def _fmt(day: date | None) -> str:
    return "" if day is None else day.strftime("%d-%m-%Y")


def add_publication_log(pack: Pack, unit: Unit) -> None:
    """Where and when each period of the year was published, with the photos; the VI.iv.b grade."""
    logged = [e for e in entries(unit_id=unit.id) if e.period_start.year == pack.year]
    rows = []
    for entry in logged:
        photo = ""
        if entry.photo_sha256:
            photo = f"skm/publikasi/foto-{entry.id}.{EXTENSIONS.get(entry.photo_mimetype, 'bin')}"
            pack.add(photo, entry.photo, ("VI.iv.b",), f"Foto publikasi {entry.period_key} ({entry.medium.value})")
        rows.append([entry.period_key, entry.medium.value, "daring" if entry.online else "luring",
                     _fmt(entry.published_on), entry.url, entry.note, photo])  # fmt: skip
    grade = openness_grade(unit_id=unit.id, year=pack.year)
    rows += [[], ["Kriteria LKE VI.iv.b", grade, "A: daring dan luring; B: salah satu; C: tidak dipublikasikan"]]
    header = ["Periode", "Media", "Jenis", "Tanggal", "Tautan", "Catatan", "Foto"]
    pack.add(f"skm/publikasi/log-publikasi-{pack.year}.csv", csv_bytes(header, rows),
             ("VI.iv.b",) if logged else (), f"Log publikasi hasil SKM {pack.year} (daring dan luring)")  # fmt: skip


def add_followup(pack: Pack, unit: Unit, *, published: list[Period]) -> None:
    """The follow-up plans of the year's periods among the unit's `published` ones (`data.unit_periods`), their
    evidence files and the VI.iv.c share."""
    share = followup_share(unit_id=unit.id, year=pack.year, today=clock.today(), published=published)
    rows = []
    for period, _done in share.periods:
        for action in actions_of(unit.id, period.key):
            files = " ".join(_evidence_files(pack, action))
            late = "ya" if action.overdue(clock.today()) else ""
            rows.append([period.key, source_label(action), mask_personal_data(action.description), action.owner,
                         _fmt(action.due_on), status_label(action), _fmt(action.done_on), late, len(action.links),
                         files])  # fmt: skip
    header = ["Periode", "Sumber", "Rencana tindak lanjut", "Penanggung jawab", "Batas waktu", "Status", "Selesai",
              "Terlambat", "Pengaduan terkait", "Bukti"]  # fmt: skip
    pack.add(f"skm/rtl/rtl-{pack.year}.csv", csv_bytes(header, rows), ("VI.iv.c", "VI.i.c") if rows else (),
             f"Rencana tindak lanjut hasil SKM dan pengaduan {pack.year}, bahan reviu standar pelayanan")  # fmt: skip
    summary = [[p.key, p.label, "ya" if done else "belum"] for p, done in share.periods]
    summary += [[], ["Periode ditindaklanjuti", f"{share.followed_up} dari {share.published}",
                     f"Kriteria LKE VI.iv.c: {share.grade}"]]  # fmt: skip
    description = f"Periode SKM {pack.year} yang hasilnya ditindaklanjuti"
    pack.add(f"skm/rtl/tindak-lanjut-hasil-survei-{pack.year}.csv",
             csv_bytes(["Periode", "Nama periode", "Ditindaklanjuti"], summary),
             ("VI.iv.c",) if share.followed_up else (), description)  # fmt: skip


def _evidence_files(pack: Pack, action) -> list[str]:
    files = db.session.scalars(
        sa.select(FollowUpEvidence)
        .options(orm.undefer(FollowUpEvidence.data))
        .where(FollowUpEvidence.action_id == action.id)
        .order_by(FollowUpEvidence.id)
    ).all()
    paths = []
    for n, evidence in enumerate(files, start=1):
        path = f"skm/rtl/bukti/{action.period_key}-{action.id}-{n}.{EXTENSIONS.get(evidence.mimetype, 'bin')}"
        pack.add(path, evidence.data, ("VI.iv.c",), f"Bukti tindak lanjut {action.period_key}: {source_label(action)}")
        paths.append(path)
    return paths


def _records(unit_id: int, year: int, stream: Stream) -> list[MonitoringRecord]:
    return list(
        db.session.scalars(
            sa.select(MonitoringRecord)
            .where(MonitoringRecord.unit_id == unit_id, MonitoringRecord.stream == stream,
                   MonitoringRecord.period_start >= date(year, 1, 1),
                   MonitoringRecord.period_start < date(year + 1, 1, 1))
            .order_by(MonitoringRecord.period_start, MonitoringRecord.period_key)
        )
    )  # fmt: skip


def add_monitoring(pack: Pack, unit: Unit) -> None:
    """The year's monitoring-and-evaluation records, complaints and WBS apart."""
    header = ["Periode", "Temuan", "Tindak lanjut", "Tindak lanjut selesai", "Tanggal selesai", "Dicatat oleh",
              "Terakhir diubah"]  # fmt: skip
    for stream, folder, lke, done_lke, name in (
        (Stream.COMPLAINT, "pengaduan", ("V.iii.c", "VI.iii.c"), "V.iii.d", "pengaduan"),
        (Stream.WBS, "wbs", ("V.iv.b",), "V.iv.c", "WBS"),
    ):
        records = _records(unit.id, pack.year, stream)
        rows = [[r.period_key, mask_personal_data(r.findings), mask_personal_data(r.follow_up),
                 "ya" if r.follow_up_done else "belum", _fmt(r.follow_up_done_on), r.updated_by,
                 r.updated_at.strftime("%d-%m-%Y")] for r in records]  # fmt: skip
        items = (*lke, done_lke) if any(r.follow_up_done for r in records) else lke
        pack.add(f"{folder}/monev-{folder}-{pack.year}.csv", csv_bytes(header, rows), items if records else (),
                 f"Monitoring dan evaluasi penanganan {name} {pack.year}: temuan dan tindak lanjutnya")  # fmt: skip


def _periods(year: int) -> list:
    return [month(year, m) for m in range(1, 13)] + [quarter(year, q) for q in range(1, 5)] + [year_period(year)]


# The recap's steps, each in the unit of its own limit (analytics.complaint_recap).
STEPS = (("verification", "verifikasi", "hari kerja"), ("followup", "tindak lanjut pertama", "hari kerja"),
         ("completion", "penyelesaian", "hari kalender"))  # fmt: skip


def add_wbs_and_times(pack: Pack, unit: Unit) -> None:
    """The WBS recap (counts only) and the complaints' response times per channel, each step in its limit's unit."""
    rows = []
    for period in _periods(pack.year):
        wbs = wbs_recap(period=period, unit_id=unit.id)
        rows.append([period.label, wbs.received, wbs.in_process, wbs.done, wbs.rejected])
    pack.add(f"wbs/rekap-wbs-{pack.year}.csv",
             csv_bytes(["Periode", "Diterima", "Diproses", "Selesai", "Ditolak"], rows), ("V.iv.a",),
             f"Rekap WBS {pack.year} (jumlah saja, tanpa isi laporan); kanal WBS tersedia di aplikasi")  # fmt: skip
    recap = complaint_recap(period=year_period(pack.year), unit_id=unit.id)
    times = []
    for channel in (*recap.channels, recap.overall):
        for step, label, unit_of_days in STEPS:
            t = getattr(channel, step)
            times.append([channel.channel.value if channel.channel else "semua kanal", label, unit_of_days, t.count,
                          _num(t.median), _num(t.p90), _num(t.within_percent)])  # fmt: skip
    header = ["Kanal", "Tahap", "Satuan", "Jumlah", "Median", "Persentil 90", "Tepat waktu (%)"]
    title = f"Waktu respons pengaduan {pack.year} per kanal (median dan persentil 90; satuan per tahap)"
    pack.add(f"pengaduan/waktu-respons-{pack.year}.csv", csv_bytes(header, times),
             ("VI.iii.a",) if recap.stats.total else (), title)  # fmt: skip


def _num(value) -> str:
    return "" if value is None else str(value).replace(".", ",")
