"""Complaint staff pages: a complaint worked through the web by the right roles, errors, files, and the inbox."""

import io
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from PIL import Image

from app import clock
from app.audit import Action as AuditAction
from app.audit import AuditEntry
from app.extensions import db
from complaints import service
from complaints.models import Attachment, Channel, Complaint, ComplaintEvent, EventKind, Status, Stream
from tests.complaint_factories import (
    REPORTER_NAME,
    StaffClient,
    add_attachment,
    make_cast,
    make_complaint,
)

CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


@pytest.fixture
def cast(demo):
    return make_cast(demo)


@pytest.fixture
def officer(app, cast):
    return StaffClient(app, cast.pengaduan)


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def register_form(cast, **fields) -> dict:
    data = {
        "channel": "telepon",
        "lapor_id": "",
        "classification": "pengaduan",
        "unit": str(cast.unit_a.id),
        "service": "",
        "element": "",
        "title": "Izin lama sekali",
        "description": "Sudah tiga minggu belum ada kabar.",
        "name": REPORTER_NAME,
        "email": "warga@example.org",
        "phone": "0812 3456 789",
    }
    data.update(fields)
    return data


def reload(complaint) -> Complaint:
    db.session.expire_all()
    return db.session.get(Complaint, complaint.id)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- A complaint worked through the web ---------------------------------------------------------------------


def test_register_verify_route_respond_close_archive(app, cast, officer):
    response = officer.post("/admin/pengaduan/baru", data=register_form(cast, channel="lapor", lapor_id="LPR-77"))
    assert response.status_code == 303
    receipt_url = response.headers["Location"]
    receipt = officer.get(receipt_url).get_data(as_text=True)
    code = CODE.search(receipt).group(0)
    complaint = service.find_by_code(code, stream=Stream.COMPLAINT)
    assert complaint is not None and complaint.channel == Channel.LAPOR and complaint.lapor_id == "LPR-77"
    assert complaint.registered_by_id == cast.pengaduan.id and complaint.status == Status.RECEIVED
    again = officer.get(receipt_url)  # the code is shown once
    assert again.status_code == 302 and CODE.search(again.get_data(as_text=True)) is None
    base = f"/admin/pengaduan/{complaint.id}"

    assert officer.post(f"{base}/verify").status_code == 303
    assert reload(complaint).status == Status.VERIFIED
    route = {"route-unit": str(cast.unit_a.id), "route-officer": str(cast.unit_pj_a.id)}
    assert officer.post(f"{base}/route", data=route).status_code == 303
    complaint = reload(complaint)
    assert (complaint.status, complaint.assigned_unit_id, complaint.assigned_user_id) == (
        Status.ROUTED,
        cast.unit_a.id,
        cast.unit_pj_a.id,
    )

    unit = StaffClient(app, cast.unit_pj_a)
    answer = {"respond-body": "Izin Anda sudah terbit.", "respond-attachments": (io.BytesIO(png_bytes()), "s.png")}
    assert unit.post(f"{base}/respond", data=answer, content_type="multipart/form-data").status_code == 303
    assert unit.post(f"{base}/note", data={"note-body": "Cek arsip lama."}).status_code == 303
    assert unit.post(f"{base}/close").status_code == 403  # a unit answers and notes, nothing else
    complaint = reload(complaint)
    assert complaint.status == Status.FOLLOWED_UP
    assert [(a.mimetype, a.by_staff) for a in complaint.attachments] == [("image/png", True)]

    assert officer.post(f"{base}/close").status_code == 303
    assert officer.post(f"{base}/archive").status_code == 303
    assert reload(complaint).status == Status.ARCHIVED

    page = officer.get(base).get_data(as_text=True)
    assert "Izin Anda sudah terbit." in page and "Cek arsip lama." in page
    assert "internal, tidak terlihat oleh pelapor" in page
    assert "Diarsipkan" in page and "lampiran-1.png" in page
    assert "<legend>" not in page  # no action is left on an archived report
    kinds = [e.kind for e in reload(complaint).events]
    assert EventKind.RESPONSE in kinds and EventKind.NOTE in kinds and EventKind.ASSIGNMENT in kinds
    note = next(e for e in reload(complaint).events if e.kind == EventKind.NOTE)
    assert note.public is False
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_id == complaint.id)).all()
    assert AuditAction.COMPLAINT_ASSIGNED in actions and AuditAction.COMPLAINT_RESPONDED in actions
    assert "Status diubah" in page and cast.unit_pj_a.username in page  # the audit panel
    assert "Belum Terverifikasi → Terverifikasi" in page and "belum_terverifikasi" not in page  # names, not codes
    assert f"{cast.unit_a.name} / " in page  # the assignment names the unit and the officer


def test_wbs_pages_work_the_same_for_the_handler(app, cast):
    handler = StaffClient(app, cast.wbs)
    response = handler.post("/admin/wbs/baru", data=register_form(cast, title="Pungutan liar"))
    assert response.status_code == 303 and response.headers["Location"].startswith("/admin/wbs/")
    complaint = db.session.scalar(sa.select(Complaint).where(Complaint.title == "Pungutan liar"))
    assert complaint.stream == Stream.WBS
    assert handler.post(f"/admin/wbs/{complaint.id}/verify").status_code == 303
    assert "Pungutan liar" in handler.get("/admin/wbs/").get_data(as_text=True)
    assert StaffClient(app, cast.pengaduan).get(f"/admin/pengaduan/{complaint.id}").status_code == 404


def test_detail_shows_only_the_moves_the_workflow_allows_now(cast, officer):
    received = make_complaint(cast.unit_a)
    page = officer.get(f"/admin/pengaduan/{received.id}").get_data(as_text=True)
    assert "/verify" in page and "/reject" in page and "/duplicate" in page
    assert "/respond" not in page and "/close" not in page and "/archive" not in page


# --- Errors give a message and a 4xx, never a 5xx or a partial write -----------------------------------------


def test_lapor_channel_needs_its_tracking_id(cast, officer):
    response = officer.post("/admin/pengaduan/baru", data=register_form(cast, channel="lapor"))
    assert response.status_code == 400
    assert "SP4N-LAPOR! wajib diisi" in response.get_data(as_text=True)
    assert "Izin lama sekali" in response.get_data(as_text=True)  # what was typed is kept
    assert count(Complaint) == 0


def test_a_renamed_executable_is_refused_and_nothing_stored(cast, officer):
    data = register_form(cast, attachments=(io.BytesIO(b"MZ\x90\x00" + b"\x00" * 64), "foto.jpg"))
    response = officer.post("/admin/pengaduan/baru", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Jenis berkas tidak diterima" in response.get_data(as_text=True)
    assert count(Complaint) == 0 and count(Attachment) == 0


def test_registering_for_a_unit_outside_ones_scope_is_refused(app, cast):
    from tests.factories import make_user

    scoped = StaffClient(app, make_user("pengaduan", unit=cast.unit_b, username="pengaduan-b"))
    response = scoped.post("/admin/pengaduan/baru", data=register_form(cast))  # unit A
    assert response.status_code == 400 and count(Complaint) == 0


def test_refused_actions_keep_the_report_as_it_was(cast, officer):
    complaint = make_complaint(cast.unit_a, status="terverifikasi")
    other_wbs = make_complaint(cast.unit_a, stream="wbs")
    base = f"/admin/pengaduan/{complaint.id}"
    response = officer.post(f"{base}/reject", data={"reject-reason": "   "})
    assert response.status_code == 400
    response = officer.post(f"{base}/duplicate", data={"duplicate-original": str(other_wbs.id)})
    assert response.status_code == 400 and f"Laporan nomor {other_wbs.id} tidak ditemukan" in response.text
    response = officer.post(f"{base}/duplicate", data={"duplicate-original": str(complaint.id)})
    assert response.status_code == 400 and "Pilih laporan asli yang lain" in response.text
    wrong_officer = {"route-unit": str(cast.unit_a.id), "route-officer": str(cast.unit_pj_b.id)}
    response = officer.post(f"{base}/route", data=wrong_officer)
    assert response.status_code == 400 and "tidak bekerja untuk unit tujuan" in response.text
    response = officer.post(f"{base}/verify")  # already verified: an illegal move
    assert response.status_code == 400 and "tidak dapat dilakukan pada laporan berstatus Terverifikasi" in response.text
    assert officer.post(f"{base}/nonsense").status_code in (404, 405)
    complaint = reload(complaint)
    assert complaint.status == Status.VERIFIED and complaint.assigned_unit_id is None
    assert count(ComplaintEvent) == 0


def test_reject_with_a_reason_and_link_a_duplicate(cast, officer):
    original = make_complaint(cast.unit_a, title="Asli")
    rejected = make_complaint(cast.unit_a)
    duplicate = make_complaint(cast.unit_a)
    response = officer.post(f"/admin/pengaduan/{rejected.id}/reject", data={"reject-reason": "Di luar kewenangan."})
    assert response.status_code == 303
    assert reload(rejected).rejection_reason == "Di luar kewenangan."
    data = {"duplicate-original": str(original.id)}
    assert officer.post(f"/admin/pengaduan/{duplicate.id}/duplicate", data=data).status_code == 303
    assert reload(duplicate).duplicate_of_id == original.id
    assert f'href="/admin/pengaduan/{original.id}"' in officer.get(f"/admin/pengaduan/{duplicate.id}").text


def test_user_text_is_escaped(cast, officer):
    complaint = make_complaint(cast.unit_a, title="<script>alert(1)</script>", description="a\n<b>b</b>")
    for url in ("/admin/pengaduan/", f"/admin/pengaduan/{complaint.id}"):
        body = officer.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    assert "a<br>&lt;b&gt;b&lt;/b&gt;" in officer.get(f"/admin/pengaduan/{complaint.id}").text


# --- Attachments -------------------------------------------------------------------------------------------


def test_attachments_are_served_safely_and_audited(cast, officer):
    complaint = make_complaint(cast.unit_a)
    other = make_complaint(cast.unit_a)
    pdf = add_attachment(complaint)
    photo = add_attachment(complaint, data=png_bytes(), mimetype="image/png", filename="lampiran-2.png")
    foreign = add_attachment(other)
    response = officer.get(f"/admin/pengaduan/{complaint.id}/lampiran/{pdf.id}")
    assert response.status_code == 200 and response.data == b"%PDF-1.4 test"
    assert response.headers["Content-Disposition"] == 'attachment; filename="lampiran-1.pdf"'
    assert response.headers["Content-Security-Policy"] == "sandbox"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    response = officer.get(f"/admin/pengaduan/{complaint.id}/lampiran/{photo.id}")
    assert response.headers["Content-Disposition"].startswith("inline;") and response.mimetype == "image/png"
    assert officer.get(f"/admin/pengaduan/{complaint.id}/lampiran/{foreign.id}").status_code == 404
    viewed = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == AuditAction.ATTACHMENT_VIEWED)).all()
    assert [(e.object_id, e.actor_id) for e in viewed] == [(complaint.id, cast.pengaduan.id)] * 2


# --- The inbox ---------------------------------------------------------------------------------------------


def _titles(body: str) -> list[str]:
    return re.findall(r'<a href="/admin/pengaduan/\d+">#\d+ ([^<]*)</a>', body)


def test_inbox_filters_and_search(cast, officer):
    today = clock.today()
    make_complaint(cast.unit_a, title="Lampu jalan mati", status="terverifikasi", channel="telepon")
    make_complaint(cast.unit_b, title="Antrean 100% penuh", classification="aspirasi")
    make_complaint(cast.unit_a, title="Terlambat", due_on=today - timedelta(days=3))
    make_complaint(cast.unit_a, title="Besok tenggat", due_on=clock.add_working_days(today, 1))
    make_complaint(cast.unit_a, title="Masih lama", due_on=today + timedelta(days=40))
    make_complaint(cast.unit_a, title="Laporan WBS lampu", stream="wbs")

    def shown(**args) -> set[str]:
        return set(_titles(officer.get("/admin/pengaduan/", query_string=args).text))

    everything = {"Lampu jalan mati", "Antrean 100% penuh", "Terlambat", "Besok tenggat", "Masih lama"}
    assert shown() == everything
    assert shown(status="terverifikasi") == {"Lampu jalan mati"}
    assert shown(unit=cast.unit_b.id) == {"Antrean 100% penuh"}
    assert shown(channel="telepon") == {"Lampu jalan mati"}
    assert shown(classification="aspirasi") == {"Antrean 100% penuh"}
    assert shown(deadline="overdue") == {"Terlambat"}
    assert shown(deadline="due_soon") == {"Besok tenggat"}
    assert shown(q="LAMPU") == {"Lampu jalan mati"}  # case-insensitive, title only, never the WBS stream
    assert shown(q="100%") == {"Antrean 100% penuh"} and shown(q="%") == {"Antrean 100% penuh"}
    assert shown(q="_") == set()  # wildcards are taken literally
    assert shown(status="bogus", unit="x", deadline="later") == everything  # unknown values are ignored
    body = officer.get("/admin/pengaduan/").text
    assert "Lewat tenggat" in body and "Segera jatuh tempo" in body


def _bulk(cast, n: int, *, start: datetime) -> None:
    rows = [
        {
            "stream": Stream.COMPLAINT,
            "tracking_hash": f"{i:064x}",
            "unit_id": cast.unit_a.id if i % 2 else cast.unit_b.id,
            "assigned_unit_id": cast.unit_a.id if i % 2 else cast.unit_b.id,
            "title": f"Laporan nomor {i:05d}",
            "description": "Uraian",
            "status": Status.ROUTED if i % 3 else Status.RECEIVED,
            "received_at": start + timedelta(minutes=i),
            "received_on": (start + timedelta(minutes=i)).date(),
            "verify_due": start.date(),
            "due_on": start.date() + timedelta(days=i % 30),
        }
        for i in range(n)
    ]
    db.session.execute(sa.insert(Complaint), rows)
    db.session.commit()


def test_inbox_pages_newest_first(cast, officer):
    _bulk(cast, 120, start=datetime(2026, 1, 5, tzinfo=UTC))
    first = officer.get("/admin/pengaduan/").text
    assert len(_titles(first)) == 50 and _titles(first)[0] == "Laporan nomor 00119"
    assert "120 laporan." in first and 'rel="next"' in first and 'rel="prev"' not in first
    third = officer.get("/admin/pengaduan/?page=3").text
    assert len(_titles(third)) == 20 and _titles(third)[-1] == "Laporan nomor 00000"
    assert 'rel="next"' not in third and 'rel="prev"' in third
    assert len(_titles(officer.get("/admin/pengaduan/?status=belum_terverifikasi").text)) == 40
    routed = officer.get("/admin/pengaduan/?status=didisposisikan&q=nomor").text
    next_link = re.search(r'<a href="([^"]+)" rel="next">', routed).group(1).replace("&amp;", "&")
    assert "status=didisposisikan" in next_link and "q=nomor" in next_link and "page=2" in next_link
    assert len(_titles(officer.get(next_link).text)) == 30
    assert len(_titles(officer.get("/admin/pengaduan/?page=abc").text)) == 50
    assert _titles(officer.get("/admin/pengaduan/?page=99").text) == []


class QueryCounter:
    """Counts the SQL statements run while active."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args, **kwargs) -> None:
        self.count += 1

    def __enter__(self):
        sa.event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc) -> None:
        sa.event.remove(db.engine, "before_cursor_execute", self)


def test_inbox_with_ten_thousand_complaints_is_a_few_queries_and_fast(cast, app):
    _bulk(cast, 10_000, start=datetime(2025, 6, 1, tzinfo=UTC))
    pimpinan = StaffClient(app, cast.pimpinan)
    unit = StaffClient(app, cast.unit_pj_a)
    for client in (pimpinan, unit):
        for query in ("", "?deadline=overdue", "?q=nomor%2009&status=didisposisikan", "?page=150"):
            with QueryCounter() as counter:
                started = time.perf_counter()
                response = client.get("/admin/pengaduan/" + query)
                elapsed = time.perf_counter() - started
            assert response.status_code == 200
            assert counter.count <= 6, (query, counter.count)  # user, units, page, count: no N+1
            assert elapsed < 3.0, (query, elapsed)
    body = pimpinan.get("/admin/pengaduan/").text
    assert "Lebih dari 1000 laporan." in body and len(_titles(body)) == 50
    unit_titles = _titles(unit.get("/admin/pengaduan/").text)
    assert all(int(t.rsplit(" ", 1)[1]) % 2 == 1 for t in unit_titles)  # only unit A's half


def test_a_move_the_workflow_does_not_allow_now_is_refused_with_a_message(cast, officer):
    complaint = make_complaint(cast.unit_a, status="diarsipkan")
    for verb, data in (("note", {"note-body": "Terlambat"}), ("route", {}), ("respond", {"respond-body": "x"})):
        response = officer.post(f"/admin/pengaduan/{complaint.id}/{verb}", data=data)
        assert response.status_code == 400 and "berstatus Diarsipkan" in response.text, verb
    assert count(ComplaintEvent) == 0


def test_acting_on_a_stale_page_after_another_officer_moved_it(cast, officer, app):
    complaint = make_complaint(cast.unit_a)
    other = StaffClient(app, cast.pengaduan)
    response = other.post(f"/admin/pengaduan/{complaint.id}/reject", data={"reject-reason": "Tidak jelas."})
    assert response.status_code == 303
    response = officer.post(f"/admin/pengaduan/{complaint.id}/verify")  # the button of a page loaded before
    assert response.status_code == 400 and "berstatus Ditolak" in response.text
    assert reload(complaint).status == Status.REJECTED
