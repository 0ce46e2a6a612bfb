"""The Zona Integritas evidence pack (issue 10 item 4): manifest, hashes, LKE coverage, no personal data anywhere."""

import csv
import hashlib
import io
import json
import re
import shutil
import subprocess
import zipfile
from datetime import UTC, date, datetime

import pytest

from analytics.evidence.items import CODES
from analytics.evidence.survey_files import frequency_grade
from analytics.publishing import publish_period
from app.extensions import db
from app.periods import month, quarter
from app.periods import year as year_period
from tests.complaint_factories import ANON_EMAIL, REPORTER_EMAIL, REPORTER_NAME, REPORTER_PHONE, make_complaint
from tests.factories import make_response, make_user, pdf_text
from tests.test_attachments_pdf import simple_pdf

SECRET_TITLE = "Pungutan liar oleh oknum di ruang arsip"
WBS_TITLE = "Kepala seksi menerima suap perizinan"
TYPED_NAME = "Bambang Sutrisno"  # a name a citizen typed into a complaint's title


def _day(y, m, d):
    return datetime(y, m, d, 3, 0, tzinfo=UTC)


@pytest.fixture
def year_of_data(demo):
    """A published month of 2026 and an unpublished one, and complaints of 2026 in every state, with reporters'
    identities."""
    for m in (1, 2):
        for score in (3, 4, 2):
            make_response(demo, date(2026, m, 10), (score,) * 9, counter=demo.static,
                          suggestion=f"hubungi {REPORTER_PHONE}, email {REPORTER_EMAIL}")  # fmt: skip
    db.session.commit()
    publish_period(unit=demo.unit, period=month(2026, 1), published_by="admin")
    db.session.commit()
    unit = demo.unit
    done = {"status": "selesai", "verified_at": _day(2026, 3, 3), "routed_at": _day(2026, 3, 4),
            "done_at": _day(2026, 3, 20), "rating": 4}  # fmt: skip
    make_complaint(unit, title=f"Saya {TYPED_NAME}, telp {REPORTER_PHONE}", received_on=date(2026, 3, 2), **done)
    make_complaint(unit, title=f"Izin lama, balas ke {REPORTER_EMAIL}", received_on=date(2026, 5, 4),
                   status="didisposisikan", verified_at=_day(2026, 5, 5), routed_at=_day(2026, 5, 6))  # fmt: skip
    make_complaint(unit, title=SECRET_TITLE, confidential=True, received_on=date(2026, 5, 5), status="terverifikasi",
                   verified_at=_day(2026, 5, 6))  # fmt: skip
    make_complaint(unit, title="Anonim", anonymous=True, received_on=date(2026, 6, 1))
    make_complaint(unit, title="Ditolak", received_on=date(2026, 7, 1), status="ditolak",
                   rejection_reason="bukan kewenangan", done_at=_day(2026, 7, 2))  # fmt: skip
    make_complaint(unit, stream="wbs", title=WBS_TITLE, received_on=date(2026, 8, 3))
    make_complaint(unit, title="Tahun lalu", received_on=date(2025, 12, 30))
    _close_the_loop(unit)
    return demo


def _close_the_loop(unit) -> None:
    """January's results published on the notice board (photo) and the website, one follow-up action done with a
    file as evidence, and monitoring records of complaints and of the WBS whose follow-up was done."""
    from analytics.followup_models import ActionStatus, FollowUpAction, FollowUpEvidence, Source
    from analytics.models import PublicationLogEntry, PublicationMedium
    from complaints.models import MonitoringRecord, Stream

    january = month(2026, 1)
    db.session.add_all([
        PublicationLogEntry(unit_id=unit.id, period_key=january.key, period_start=january.start,
                            medium=PublicationMedium.NOTICE_BOARD, published_on=date(2026, 2, 3), photo=PHOTO,
                            photo_mimetype="image/png", photo_sha256=hashlib.sha256(PHOTO).hexdigest()),
        PublicationLogEntry(unit_id=unit.id, period_key=january.key, period_start=january.start,
                            medium=PublicationMedium.WEBSITE, published_on=date(2026, 2, 4),
                            url="https://dpmptsp.example.go.id/skm-januari"),
    ])  # fmt: skip
    action = FollowUpAction(unit_id=unit.id, period_key=january.key, source=Source.ELEMENT, source_code="U3",
                            description=f"Tambah loket; keluhan dari {REPORTER_PHONE}", owner="Kasi Pelayanan",
                            due_on=date(2026, 3, 31), status=ActionStatus.DONE, done_on=date(2026, 3, 20))  # fmt: skip
    db.session.add(action)
    db.session.flush()
    digest = hashlib.sha256(EVIDENCE).hexdigest()
    db.session.add(FollowUpEvidence(action_id=action.id, filename="bukti.pdf", mimetype="application/pdf",
                                    size=len(EVIDENCE), sha256=digest, data=EVIDENCE))  # fmt: skip
    for stream in (Stream.COMPLAINT, Stream.WBS):
        db.session.add(MonitoringRecord(unit_id=unit.id, period_key="2026-Q1", period_start=date(2026, 1, 1),
                                        stream=stream, findings="Verifikasi sering terlambat",
                                        follow_up="Petugas cadangan", follow_up_done=True,
                                        follow_up_done_on=date(2026, 4, 2)))  # fmt: skip
    db.session.commit()


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


PHOTO = _png()
EVIDENCE = simple_pdf()


def _pack(runner, tmp_path, unit_slug: str, year: int = 2026) -> zipfile.ZipFile:
    out = tmp_path / "pack.zip"
    result = runner.invoke(args=["evidence", "--unit", unit_slug, "--year", str(year), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return zipfile.ZipFile(out)


def _text_of(name: str, data: bytes, tmp_path) -> str:
    """Every text a reader could see in a file: PDF text, the XML inside XLSX/DOCX, or the bytes as UTF-8."""
    if name.endswith(".pdf"):
        return pdf_text(data, tmp_path)
    if name.endswith((".xlsx", ".docx")):
        with zipfile.ZipFile(io.BytesIO(data)) as inner:
            return " ".join(inner.read(n).decode("utf-8", "replace") for n in inner.namelist())
    return data.decode("utf-8", "replace")


def test_year_pack(runner, year_of_data, tmp_path):
    """One pack built (publishing is slow), three checks."""
    pack = _pack(runner, tmp_path, year_of_data.unit.slug)
    _check_manifest(pack, tmp_path)
    _check_contents(pack)
    _check_no_personal_data(pack, tmp_path)


def _check_manifest(pack: zipfile.ZipFile, tmp_path) -> None:
    """The manifest lists every file with a hash that verifies, and every LKE item has a file."""
    manifest = json.loads(pack.read("manifest.json"))
    assert (manifest["unit"], manifest["year"]) == ("dpmptsp-uji", 2026)
    assert datetime.fromisoformat(manifest["generated_at"]).tzinfo is not None
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(pack.namelist()) == set(listed) | {"manifest.json", "manifest.csv", "SHA256SUMS"}
    for path, entry in listed.items():
        body = pack.read(path)
        assert (hashlib.sha256(body).hexdigest(), len(body)) == (entry["sha256"], entry["bytes"]), path
        assert entry["description"] and set(entry["lke"]) <= set(CODES)
    assert {code for f in manifest["files"] for code in f["lke"]} == set(CODES)  # every item has a file
    rows = list(csv.DictReader(io.StringIO(pack.read("manifest.csv").decode("utf-8-sig"))))
    assert [(r["path"], r["sha256"], r["lke"]) for r in rows] == [
        (f["path"], f["sha256"], " ".join(f["lke"])) for f in manifest["files"]
    ]
    if shutil.which("sha256sum"):
        pack.extractall(tmp_path / "x")
        check = subprocess.run(["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=tmp_path / "x", capture_output=True)
        assert check.returncode == 0, check.stdout
        (tmp_path / "x" / "BACA-SAYA.txt").write_text("diubah")
        assert subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path / "x", capture_output=True).returncode


def _check_contents(pack: zipfile.ZipFile) -> None:
    """The year's SKM files and complaint recap, and a file saying what is missing for each unsupported item."""
    names = set(pack.namelist())
    assert not any(n.startswith("skm/2026-02/") for n in names)  # not published
    for key in ("2026-01",):
        assert {f"skm/{key}/laporan-skm-{key}.pdf", f"skm/{key}/pengolahan-data-{key}.xlsx",
                f"skm/{key}/poster-{key}.pdf"} <= names  # fmt: skip
    warning = pack.read("skm/PERINGATAN-kurang-dari-empat-periode.txt").decode()
    assert "hanya 1 periode" in warning
    register = list(csv.reader(io.StringIO(pack.read("pengaduan/register-pengaduan-2026.csv").decode("utf-8-sig"))))
    assert len(register) - 1 == 5  # the 2026 complaints of the unit; not the WBS report, not 2025's
    assert {row[8] for row in register[1:]} == {"Selesai", "Didisposisikan", "Terverifikasi", "Belum Terverifikasi",
                                                "Ditolak"}  # fmt: skip
    recap = {row[0]: row for row in csv.reader(io.StringIO(pack.read("pengaduan/rekap-pengaduan-2026.csv")
                                                           .decode("utf-8-sig")))}  # fmt: skip
    # Hand count for 2026: received 5; harus ditindaklanjuti = verified, not rejected = 3; selesai 1; diproses 2.
    assert recap["Tahun 2026"][1:6] == ["5", "3", "2", "1", "33,3 %"]
    assert recap["Triwulan II 2026"][1:5] == ["3", "2", "2", "0"]
    times = list(csv.reader(io.StringIO(pack.read("pengaduan/waktu-respons-2026.csv").decode("utf-8-sig"))))
    assert times[0][:3] == ["Kanal", "Tahap", "Satuan"]  # each step in the unit of its own limit
    assert {(row[1], row[2]) for row in times[1:]} == {("verifikasi", "hari kerja"),
                                                       ("tindak lanjut pertama", "hari kerja"),
                                                       ("penyelesaian", "hari kalender")}  # fmt: skip
    missing = {n.removeprefix("belum-tersedia/").removesuffix(".txt") for n in names if n.startswith("belum-")}
    assert missing == {"VI.iii.b"}  # the decree naming the complaints unit: the application does not hold it
    assert {"skm/rtl/bukti/2026-01-1-1.pdf", "wbs/rekap-wbs-2026.csv", "pengaduan/monev-pengaduan-2026.csv",
            "wbs/monev-wbs-2026.csv", "skm/rtl/rtl-2026.csv"} <= names  # fmt: skip
    assert pack.read("skm/rtl/bukti/2026-01-1-1.pdf") == EVIDENCE
    assert [n for n in names if n.startswith("skm/publikasi/foto-")] and "A: daring" in pack.read(
        "skm/publikasi/log-publikasi-2026.csv").decode("utf-8-sig")  # fmt: skip
    for code in missing:
        assert code in pack.read(f"belum-tersedia/{code}.txt").decode()


def _check_no_personal_data(pack: zipfile.ZipFile, tmp_path) -> None:
    """No reporter's name, e-mail or phone, no rahasia content and no WBS report, inside any file."""
    secrets = (REPORTER_NAME, REPORTER_EMAIL, REPORTER_PHONE, ANON_EMAIL, TYPED_NAME, SECRET_TITLE, WBS_TITLE,
               "example.org", "Sutrisno")  # fmt: skip
    seen = []
    for name in pack.namelist():
        text = _text_of(name, pack.read(name), tmp_path)
        flat = re.sub(r"\s+", " ", text).lower()
        seen.append(name)
        for secret in secrets:
            assert secret.lower() not in flat, (secret, name)
        assert REPORTER_PHONE not in re.sub(r"\D", "", text), name
    assert any(n.endswith(".pdf") for n in seen) and any(n.endswith(".xlsx") for n in seen)
    register = pack.read("pengaduan/register-pengaduan-2026.csv").decode("utf-8-sig")
    assert "(rahasia: isi tidak dimuat)" in register and "[nomor disamarkan]" in register


def test_unknown_unit_and_bad_year_are_refused(runner, demo, tmp_path):
    out = tmp_path / "p.zip"
    assert runner.invoke(args=["evidence", "--unit", "nope", "--year", "2026", "-o", str(out)]).exit_code != 0
    assert runner.invoke(args=["evidence", "--unit", demo.unit.slug, "--year", "26", "-o", str(out)]).exit_code != 0
    assert not out.exists()


@pytest.mark.parametrize(("kinds", "held", "grade"), [
    ((), 0, "E"), (("year",), 1, "D"), (("semester", "semester"), 2, "C"), (("quarter",) * 3 + ("year",), 3, "B"),
    (("quarter",) * 4 + ("year",), 4, "A"), (("month",) * 12 + ("quarter",) * 4, 12, "A"),
])  # fmt: skip
def test_survey_frequency_grade(kinds, held, grade):
    periods = {"month": month(2026, 1), "quarter": quarter(2026, 1), "year": year_period(2026)}
    from app.periods import semester

    periods["semester"] = semester(2026, 1)
    assert frequency_grade([periods[k] for k in kinds]) == (held, grade)


def test_pack_of_a_year_without_data_is_complete(runner, demo, tmp_path):
    """Every item of a year without data says what is missing."""
    make_user("ppid", unit=demo.unit)
    pack = _pack(runner, tmp_path, demo.unit.slug, 2025)
    manifest = json.loads(pack.read("manifest.json"))
    assert {code for f in manifest["files"] for code in f["lke"]} == set(CODES)


def test_the_pack_reads_the_published_periods_once(app, demo, monkeypatch):
    """The SKM files and the follow-up share (VI.iv.c) take the unit's published periods from one read."""
    from analytics import data
    from analytics.evidence import build_pack

    calls = []
    for name in ("unit_periods", "unit_publications", "publications"):
        real = getattr(data, name)
        monkeypatch.setattr(data, name, lambda *a, _real=real, _name=name, **k: calls.append(_name) or _real(*a, **k))
    build_pack(unit=demo.unit, year=2025)
    assert calls == ["unit_periods"]
