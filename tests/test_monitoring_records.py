"""Monitoring-and-evaluation records (complaints.monitoring, saved by complaints.staff_monitoring) on the recap page
(analytics.recap_staff): who reads and writes which stream's record, create and update, and bad input refused with
nothing written."""

from datetime import date

import pytest
import sqlalchemy as sa

from app.audit import WBS_OBJECT, Action, AuditEntry
from app.extensions import db
from app.periods import month
from complaints import monitoring, service
from complaints.models import MonitoringRecord, Stream
from tests.complaint_factories import StaffClient, make_cast, make_complaint

PAGE = "/analitik/rekap-pengaduan/{stream}?unit=dpmptsp-uji&periode=2026-03"
SAVE = "/admin/monev/{stream}?unit=dpmptsp-uji&periode=2026-03"  # complaints' own route: the record is its table
WBS_TITLE = "Kepala seksi meminta imbalan"


@pytest.fixture
def cast(demo, fast_hashing):
    cast = make_cast(demo)
    make_complaint(cast.unit_a, stream="wbs", title=WBS_TITLE, received_on=date(2026, 3, 3))
    make_complaint(cast.unit_a, title="Antrean lama sekali", received_on=date(2026, 3, 4))
    return cast


def records() -> list[tuple]:
    rows = db.session.execute(sa.select(MonitoringRecord.stream, MonitoringRecord.findings, MonitoringRecord.follow_up,
                                        MonitoringRecord.follow_up_done, MonitoringRecord.follow_up_done_on,
                                        MonitoringRecord.created_by, MonitoringRecord.updated_by))  # fmt: skip
    return [tuple(row) for row in rows]


def monev_audit() -> list[tuple]:
    """The audit entries of saved records: (actor, object type, object id, unit, detail), oldest first."""
    query = sa.select(AuditEntry).where(AuditEntry.action == Action.MONITORING_SAVED).order_by(AuditEntry.id)
    return [(e.actor_name, e.object_type, e.object_id, e.unit_id, e.detail) for e in db.session.scalars(query)]


def form(**fields) -> dict:
    return {"findings": "Verifikasi lewat batas pada 2 laporan", "follow_up": "Tambah petugas verifikasi", **fields}


def test_the_complaint_officer_creates_then_updates_the_record(app, cast):
    officer = StaffClient(app, cast.pengaduan)

    page = officer.get(PAGE.format(stream="pengaduan"))
    assert 'action="/admin/monev/pengaduan?unit=dpmptsp-uji&amp;periode=2026-03"' in page.text
    assert officer.post(PAGE.format(stream="pengaduan"), data=form()).status_code == 405  # analytics only reads
    assert page.status_code == 200 and 'name="findings"' in page.text and "Harus ditindaklanjuti" in page.text
    assert officer.post(SAVE.format(stream="pengaduan"), data=form()).status_code == 303
    assert records() == [(Stream.COMPLAINT, form()["findings"], form()["follow_up"], False, None, "pengaduan",
                          "pengaduan")]  # fmt: skip
    done = form(findings="Verifikasi lewat batas pada 3 laporan", follow_up_done="y", follow_up_done_on="2026-04-10")
    assert officer.post(SAVE.format(stream="pengaduan"), data=done).status_code == 303
    assert records() == [(Stream.COMPLAINT, done["findings"], form()["follow_up"], True, date(2026, 4, 10),
                          "pengaduan", "pengaduan")]  # fmt: skip
    assert "Tambah petugas verifikasi" in officer.get(PAGE.format(stream="pengaduan")).text
    assert officer.post(SAVE.format(stream="pengaduan"), data=done).status_code == 303  # saved again as it was
    moved = {**done, "follow_up_done_on": "2026-04-11"}
    assert officer.post(SAVE.format(stream="pengaduan"), data=moved).status_code == 303
    record = (cast.pengaduan.username, "monitoring_record", db.session.scalar(sa.select(MonitoringRecord.id)),
              cast.unit_a.id)  # fmt: skip
    assert monev_audit() == [
        (*record, "pengaduan 2026-03; created; done: no"),
        (*record, "pengaduan 2026-03; updated: findings, done: no -> yes"),
        (*record, "pengaduan 2026-03; updated: unchanged"),
        (*record, "pengaduan 2026-03; updated: done on"),
    ]


def test_bad_input_is_a_400_and_writes_nothing(app, cast):
    officer = StaffClient(app, cast.pengaduan)
    for fields in (
        {"findings": "   "},
        {"follow_up_done": "y"},  # done without a date
        {"follow_up_done": "y", "follow_up_done_on": "2026-13-40"},
        {"follow_up_done": "y", "follow_up_done_on": "2026-04-01", "follow_up": ""},  # done, but what?
        {"follow_up_done": "y", "follow_up_done_on": "2999-01-01"},
        {"findings": "x" * (monitoring.MAX_TEXT + 1)},
    ):
        response = officer.post(SAVE.format(stream="pengaduan"), data=form(**fields))
        assert response.status_code == 400 and 'class="flash error"' in response.text, fields
    assert records() == [] and monev_audit() == []


def test_readers_read_and_others_are_kept_out(app, cast):
    StaffClient(app, cast.pengaduan).post(SAVE.format(stream="pengaduan"), data=form())
    head = StaffClient(app, cast.pimpinan)

    page = head.get(PAGE.format(stream="pengaduan"))
    assert page.status_code == 200 and form()["findings"] in page.text and 'name="findings"' not in page.text
    assert head.post(SAVE.format(stream="pengaduan"), data=form(findings="Diubah")).status_code == 403
    for user in (cast.unit_pj_a, cast.ppid, cast.wbs):
        assert StaffClient(app, user).get(PAGE.format(stream="pengaduan")).status_code == 403
    assert records()[0][1] == form()["findings"]
    assert [entry[0] for entry in monev_audit()] == [cast.pengaduan.username]  # the refused save left none


def test_the_wbs_record_and_recap_are_for_wbs_handlers_only(app, cast):
    handler = StaffClient(app, cast.wbs)

    page = handler.get(PAGE.format(stream="wbs"))
    assert page.status_code == 200 and "Rekap WBS" in page.text and WBS_TITLE not in page.text
    assert handler.post(SAVE.format(stream="wbs"), data=form(findings="Evaluasi WBS triwulan")).status_code == 303
    for user in (cast.pengaduan, cast.pimpinan, cast.unit_pj_a, cast.admin):
        client = StaffClient(app, user)
        assert client.get(PAGE.format(stream="wbs")).status_code == 404
        assert client.post(SAVE.format(stream="wbs"), data=form()).status_code == 404
    assert "Evaluasi WBS" not in StaffClient(app, cast.pimpinan).get(PAGE.format(stream="pengaduan")).text
    assert [row[:2] for row in records()] == [(Stream.WBS, "Evaluasi WBS triwulan")]
    # a WBS entry, as a report's: no unit (unit staff never see it), no object id (it is no report's history)
    assert monev_audit() == [(cast.wbs.username, WBS_OBJECT, None, None,
                              f"wbs 2026-03; created; done: no; unit {cast.unit_a.id}")]  # fmt: skip
    audit_page = StaffClient(app, cast.admin).get("/admin/pengguna/audit")
    assert audit_page.status_code == 200 and "wbs 2026-03" not in audit_page.text  # only WBS handlers see them


def test_the_service_refuses_a_writer_without_the_role(app, cast):
    with pytest.raises(service.MonitoringError):
        service.save_monitoring_record(
            unit_id=cast.unit_a.id, period=month(2026, 3), stream=Stream.WBS, findings="x", follow_up="",
            follow_up_done=False, follow_up_done_on=None, by=cast.pengaduan,
        )  # fmt: skip
    assert records() == [] and monev_audit() == []


def test_a_period_typed_as_words_is_explained_beside_its_field(app, cast):
    page = StaffClient(app, cast.pengaduan).get(PAGE.format(stream="pengaduan").replace("2026-03", "Maret 2026"))
    assert page.status_code == 400
    assert 'value="Maret 2026"' in page.text and 'aria-invalid="true" aria-describedby="periode-error"' in page.text
    assert 'id="periode-error"' in page.text and "Harus ditindaklanjuti" in page.text
