"""The follow-up (RTL) pages: roles and unit scope, CSRF, 4xx on bad input, evidence and complaint links through the
web, and the progress shown on the dashboard, in the SKM report and on the public results page."""

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa

from analytics import followup
from analytics.followup_models import FollowUpAction, FollowUpEvidence
from app import clock
from app.audit import Action, AuditEntry
from app.extensions import db
from tests.complaint_factories import REPORTER_NAME, StaffClient, make_cast, make_complaint
from tests.factories import pdf_text
from tests.test_followup import OCTOBER, publish

TODAY = date(2026, 12, 10)
PAGE = "/analitik/rtl/units/{unit}?periode=2026-10"


@pytest.fixture
def rtl(app, demo, monkeypatch, fast_hashing):
    """October published with U1-U4 weakest (tie included), its actions proposed, the office's today fixed."""
    monkeypatch.setattr(clock, "today", lambda **_kw: TODAY)
    cast = make_cast(demo)
    publish(demo)
    followup.propose_actions(unit=demo.unit, period=OCTOBER, by="ppid")
    db.session.commit()
    # The set-up's own entries (the proposals) are not the pages': rtl_audit() starts after them.
    monkeypatch.setitem(_AUDIT_SINCE, "id", db.session.scalar(sa.select(sa.func.max(AuditEntry.id))))
    return cast


def first_action(demo) -> FollowUpAction:
    return followup.actions_of(demo.unit.id, OCTOBER.key)[0]


_AUDIT_SINCE = {"id": 0}


def rtl_audit() -> list[tuple]:
    """The audit entries about follow-up actions since the set-up: (action, actor, action id, unit, detail), oldest
    first."""
    query = sa.select(AuditEntry).where(AuditEntry.object_type == "followup_action", AuditEntry.id > _AUDIT_SINCE["id"])
    query = query.order_by(AuditEntry.id)
    return [(e.action, e.actor_name, e.object_id, e.unit_id, e.detail) for e in db.session.scalars(query)]


def test_readers_see_publishers_change_and_others_are_refused(app, demo, rtl):
    page = PAGE.format(unit=demo.unit.id)
    action = first_action(demo)
    loket, pimpinan, ppid = (StaffClient(app, u) for u in (rtl.loket, rtl.pimpinan, rtl.ppid))
    assert loket.get(page).status_code == 403
    html = pimpinan.get(page).get_data(as_text=True)
    assert "U4 Biaya/Tarif" in html and "Usulkan dari unsur terendah" not in html
    assert pimpinan.post(f"/analitik/rtl/units/{demo.unit.id}/usulkan", data={"periode": "2026-10"}).status_code == 403
    assert pimpinan.post(f"/analitik/rtl/aksi/{action.id}/status", data={"status": "dibatalkan"}).status_code == 403
    assert "Usulkan dari unsur terendah" in ppid.get(page).get_data(as_text=True)
    assert ppid.get(f"/analitik/rtl/units/{rtl.unit_b.id}?periode=2026-10").status_code == 200  # office-wide
    assert ppid.post(f"/analitik/rtl/units/{demo.unit.id}/usulkan", data={"periode": "2026-10"}).status_code == 303
    assert len(followup.actions_of(demo.unit.id, OCTOBER.key)) == 4  # proposing again added nothing


def test_a_change_without_the_form_token_is_refused(app, demo, rtl):
    ppid = StaffClient(app, rtl.ppid)
    action = first_action(demo)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        url = f"/analitik/rtl/aksi/{action.id}/ubah"
        plan = {"description": "Papan alur", "owner": "Kasi Pelayanan", "due_on": "2026-12-20"}
        assert ppid.post(url, data=plan).status_code == 400
        html = ppid.get(f"/analitik/rtl/aksi/{action.id}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        assert ppid.post(url, data={**plan, "csrf_token": token}).status_code == 303
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    db.session.expire_all()
    assert first_action(demo).owner == "Kasi Pelayanan"


def test_bad_input_is_a_4xx_with_a_message_and_writes_nothing(app, demo, rtl):
    ppid = StaffClient(app, rtl.ppid)
    action = first_action(demo)
    base = f"/analitik/rtl/aksi/{action.id}"
    cases = [
        (f"{base}/ubah", {"description": "x", "owner": "y", "due_on": "2026-13-45"}, "Not a valid date"),
        (f"{base}/status", {"status": "selesai"}, "tidak dapat diubah dari Diusulkan menjadi Selesai"),
        (f"{base}/status", {"status": "hilang"}, "Not a valid choice"),
        (f"{base}/pengaduan", {"complaint": "abc"}, "Nomor pengaduan"),
        (f"/analitik/rtl/units/{demo.unit.id}/tambah?periode=2026-10", {"source": "pengaduan", "category": "X"},
         "Kategori pengaduan"),
    ]  # fmt: skip
    for url, form, message in cases:
        response = ppid.post(url, data=form)
        assert response.status_code == 400, url
        assert message in response.get_data(as_text=True), (url, message)
    offered = re.findall(r'<option value="(\w+)"', ppid.get(base).get_data(as_text=True).split('name="status"')[1])
    assert offered == ["direncanakan", "dibatalkan"]  # only the steps the state machine allows
    assert ppid.get(f"/analitik/rtl/units/{demo.unit.id}?periode=2026-99").status_code == 400
    assert ppid.get("/analitik/rtl/aksi/999999").status_code == 404
    db.session.expire_all()
    assert (first_action(demo).status, first_action(demo).due_on) == ("diusulkan", None)
    assert len(followup.actions_of(demo.unit.id, OCTOBER.key)) == 4
    assert rtl_audit() == []


def test_evidence_upload_through_the_page_and_a_bad_file_is_a_400(app, demo, rtl):
    from tests.test_attachments import SECRET_MAKE, jpeg_with_gps

    ppid = StaffClient(app, rtl.ppid)
    action = first_action(demo)
    url = f"/analitik/rtl/aksi/{action.id}/bukti"
    refused = ppid.post(url, data={"file": (io.BytesIO(b"MZ\x90\x00 not a photo"), "foto.jpg")})
    assert refused.status_code == 400 and "Jenis berkas tidak diterima" in refused.get_data(as_text=True)
    assert db.session.query(FollowUpEvidence).count() == 0 and rtl_audit() == []
    photo = io.BytesIO(jpeg_with_gps())
    assert ppid.post(url, data={"file": (photo, "rumah-pak-budi.jpg")}).status_code == 303
    stored = db.session.query(FollowUpEvidence).one()
    download = ppid.get(f"/analitik/rtl/bukti/{stored.id}")
    assert download.mimetype == "image/jpeg" and SECRET_MAKE.encode() not in download.data
    assert "rumah-pak-budi" not in ppid.get(f"/analitik/rtl/aksi/{action.id}").get_data(as_text=True)


def test_a_complaint_officer_links_what_they_may_see_and_nobody_sees_a_reporter(app, demo, rtl):
    action = first_action(demo)
    complaint = make_complaint(demo.unit, title="Antrean loket dua lama")
    other = make_complaint(rtl.unit_b, title="Pengaduan dinas lain")
    officer, ppid = StaffClient(app, rtl.pengaduan), StaffClient(app, rtl.ppid)
    url = f"/analitik/rtl/aksi/{action.id}/pengaduan"
    assert ppid.post(url, data={"complaint": complaint.id}).status_code == 400  # a publisher sees no complaint
    refused = officer.post(url, data={"complaint": other.id})
    assert refused.status_code == 400 and "Hanya pengaduan unit ini" in refused.get_data(as_text=True)
    assert officer.post(url, data={"complaint": complaint.id}).status_code == 303
    seen = officer.get(f"/analitik/rtl/aksi/{action.id}").get_data(as_text=True)
    assert f"#{complaint.id}" in seen and REPORTER_NAME not in seen
    hidden = ppid.get(f"/analitik/rtl/aksi/{action.id}").get_data(as_text=True)
    assert f"#{complaint.id}" not in hidden and "1 pengaduan terkait lain tidak dapat Anda lihat" in hidden
    assert ppid.post(f"{url}/{complaint.id}/hapus").status_code == 400  # hidden from the publisher: not theirs
    db.session.expire_all()
    assert [link.complaint_id for link in action.links] == [complaint.id]
    assert officer.post(f"/analitik/rtl/aksi/{action.id}/status", data={"status": "dibatalkan"}).status_code == 403
    assert rtl_audit() == [(Action.FOLLOWUP_COMPLAINT_LINKED, rtl.pengaduan.username, action.id, demo.unit.id,
                            f"2026-10; complaint {complaint.id}")]  # fmt: skip


def test_proposing_and_adding_through_the_pages_are_audited(app, demo, rtl):
    ppid, unit = StaffClient(app, rtl.ppid), demo.unit.id
    db.session.query(FollowUpAction).delete()
    db.session.commit()
    assert ppid.post(f"/analitik/rtl/units/{unit}/usulkan", data={"periode": "2026-10"}).status_code == 303
    proposed = sorted(followup.actions_of(unit, OCTOBER.key), key=lambda a: a.id)
    assert rtl_audit() == [(Action.FOLLOWUP_PROPOSED, rtl.ppid.username, a.id, unit, f"2026-10; {a.source_code}")
                           for a in proposed] and len(proposed) == 4  # fmt: skip
    assert ppid.post(f"/analitik/rtl/units/{unit}/usulkan", data={"periode": "2026-10"}).status_code == 303
    assert len(rtl_audit()) == 4  # nothing new proposed, nothing audited
    plan = {"description": "Pak Budi menunggu", "owner": "Bu Sari", "due_on": "2026-12-20"}
    add = f"/analitik/rtl/units/{unit}/tambah?periode=2026-10"
    assert ppid.post(add, data={"source": "pengaduan", "category": "U3", **plan}).status_code == 303
    assert ppid.post(add, data={"source": "pengaduan", "category": "U3", **plan}).status_code == 400  # one a category
    free = ppid.post(add, data={"source": "lainnya"})
    assert free.status_code == 400  # a free one needs a description, said beside its field
    assert re.search(r'name="description"[^>]*>\s*</textarea></label>\s*<p class="err">Tuliskan uraian', free.text)
    assert 'class="flash error"' not in free.text
    added = db.session.scalar(sa.select(FollowUpAction).order_by(FollowUpAction.id.desc()))
    assert rtl_audit()[4:] == [(Action.FOLLOWUP_ADDED, rtl.ppid.username, added.id, unit, "2026-10; pengaduan U3")]


def test_each_change_of_an_action_leaves_one_entry_without_its_text(app, demo, rtl):
    from tests.test_attachments import jpeg_with_gps

    ppid, officer = StaffClient(app, rtl.ppid), StaffClient(app, rtl.pengaduan)
    action, unit = first_action(demo), demo.unit.id
    complaint = make_complaint(demo.unit, title="Antrean loket dua lama")
    base = f"/analitik/rtl/aksi/{action.id}"
    plan = {"description": "Papan alur untuk Pak Budi", "owner": "Bu Sari", "due_on": "2026-12-20"}
    assert ppid.post(f"{base}/ubah", data=plan).status_code == 303
    assert ppid.post(f"{base}/ubah", data={**plan, "due_on": "2026-12-24"}).status_code == 303
    assert ppid.post(f"{base}/status", data={"status": "direncanakan"}).status_code == 303
    assert ppid.post(f"{base}/bukti", data={"file": (io.BytesIO(jpeg_with_gps()), "foto.jpg")}).status_code == 303
    assert officer.post(f"{base}/pengaduan", data={"complaint": complaint.id}).status_code == 303
    assert officer.post(f"{base}/pengaduan/{complaint.id}/hapus").status_code == 303
    assert officer.post(f"{base}/pengaduan/{complaint.id}/hapus").status_code == 303  # not linked: nothing happened
    evidence = db.session.query(FollowUpEvidence).one()
    by_ppid, by_officer = (rtl.ppid.username, action.id, unit), (rtl.pengaduan.username, action.id, unit)
    assert rtl_audit() == [
        (Action.FOLLOWUP_EDITED, *by_ppid, "2026-10; description; owner; due: - -> 2026-12-20"),
        (Action.FOLLOWUP_EDITED, *by_ppid, "2026-10; due: 2026-12-20 -> 2026-12-24"),
        (Action.FOLLOWUP_STATUS, *by_ppid, "2026-10; diusulkan -> direncanakan"),
        (Action.FOLLOWUP_EVIDENCE, *by_ppid, f"2026-10; evidence {evidence.id}; sha256 {evidence.sha256[:12]}"),
        (Action.FOLLOWUP_COMPLAINT_LINKED, *by_officer, f"2026-10; complaint {complaint.id}"),
        (Action.FOLLOWUP_COMPLAINT_UNLINKED, *by_officer, f"2026-10; complaint {complaint.id}"),
    ]
    assert ppid.post(f"{base}/status", data={"status": "selesai", "done_on": "2026-12-31"}).status_code == 400
    assert ppid.post(f"{base}/ubah", data={**plan, "owner": ""}).status_code == 400  # a plan needs its owner
    assert ppid.post(f"{base}/bukti", data={"file": (io.BytesIO(b"MZ not a photo"), "x.jpg")}).status_code == 400
    assert StaffClient(app, rtl.pimpinan).post(f"{base}/status", data={"status": "dibatalkan"}).status_code == 403
    assert len(rtl_audit()) == 6  # refused changes left no entry


def _plan_and_flag(demo):
    """U1 planned and overdue (due the day before the office's today), U2 done with evidence, U3 cancelled."""
    u1, u2, u3, _u4 = followup.actions_of(demo.unit.id, OCTOBER.key)
    followup.edit_action(action=u1, description="Syarat ringkas", owner="Kasi Rahasia",
                         due_on=date(2026, 12, 9), by="ppid")  # fmt: skip
    followup.change_status(action=u1, status="direncanakan", by="ppid", today=TODAY)
    followup.edit_action(action=u2, description="Papan alur layanan", owner="Kasubag", due_on=TODAY, by="ppid")
    u2.evidence.append(FollowUpEvidence(filename="b.png", mimetype="image/png", size=1, sha256="0", data=b"x"))
    followup.change_status(action=u2, status="direncanakan", by="ppid", today=TODAY)
    followup.change_status(action=u2, status="selesai", by="ppid", today=TODAY)
    followup.change_status(action=u3, status="dibatalkan", by="ppid", today=TODAY)
    db.session.commit()


def test_progress_on_the_pages_the_dashboard_and_the_public_results(app, client, demo, rtl):
    _plan_and_flag(demo)
    ppid = StaffClient(app, rtl.ppid)
    page = ppid.get(PAGE.format(unit=demo.unit.id)).get_data(as_text=True)
    assert page.count("melewati tenggat") == 1
    dashboard = ppid.get("/analitik/?unit=dpmptsp-uji&periode=2026-10").get_data(as_text=True)
    assert "1 tindak lanjut melewati tenggat" in dashboard and "Direncanakan 1 · Selesai 1" in dashboard
    assert "0 dari 1 periode yang dipublikasikan ditindaklanjuti (0,0%): <strong>nilai D" in dashboard
    public = client.get("/hasil/dpmptsp-uji").get_data(as_text=True)
    assert "Syarat ringkas" in public and "Papan alur layanan" in public and "Selesai" in public
    assert "Dibatalkan" not in public  # the cancelled action is not shown
    assert "Kasi Rahasia" not in public and "ppid" not in public  # no owner or staff name
    assert "3 tindak lanjut" in public and "1 selesai" in public


def test_the_report_prints_the_recorded_actions_instead_of_the_blank_table(app, demo, rtl, tmp_path):
    ppid = StaffClient(app, rtl.ppid)
    report = "/analitik/laporan.pdf?unit=dpmptsp-uji&periode=2026-10"
    db.session.query(FollowUpAction).delete()
    db.session.commit()
    assert "diisi pada forum tersebut" in pdf_text(ppid.get(report).data, tmp_path)  # no action: the blank table
    followup.propose_actions(unit=demo.unit, period=OCTOBER, by="ppid")
    _plan_and_flag(demo)
    text = pdf_text(ppid.get(report).data, tmp_path)
    assert "Syarat ringkas" in text and "Kasi Rahasia" in text and "09-12-2026" in text
    section = text.split("4.2 Rencana Tindak Lanjut")[-1].split("4.3")[0]
    assert "Direncanakan" in section and "(melewati tenggat)" in section and "Selesai" in section
    assert "U3 Waktu Penyelesaian" not in section and "diisi pada forum tersebut" not in section  # cancelled
