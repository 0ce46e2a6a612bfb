"""Paper imports that can be checked and undone (issue 9, item 3): preview before storing, history, cancel,
duplicate warning, a service column per row, templates, and a short report for 10,000 bad rows; over the web
and on the command line."""

import io
from datetime import date

import pytest
import sqlalchemy as sa

from analytics import data, rollup
from analytics.models import DailyTally
from analytics.publishing import publish_period
from analytics.selection import Selection
from app.extensions import db
from app.periods import month
from survey.importer import ImportRejected, import_file
from survey.models import BatchStatus, ImportBatch, Response
from tests.factories import count_responses, log_in, make_user, read_workbook, upload_import, web_import

pytestmark = pytest.mark.usefixtures("fast_hashing")

HEADER = "U1,U2,U3,U4,U5,U6,U7,U8,U9,tanggal,jenis_kelamin\n"
THREE = HEADER + "4,3,3,4,3,4,4,3,3,2026-10-02,L\n3,3,2,,3,3,4,3,2,2026-10-05,P\n2,2,2,2,2,2,2,2,2,,\n"
# The same three respondents in another order, another delimiter and another file name.
THREE_AGAIN = (HEADER.replace(",", ";") + "2;2;2;2;2;2;2;2;2;;\n3;3;2;;3;3;4;3;2;05/10/2026;Perempuan\n"
               "4;3;3;4;3;4;4;3;3;2026-10-02;L\n")  # fmt: skip


def batches() -> list[ImportBatch]:
    return list(db.session.scalars(sa.select(ImportBatch).order_by(ImportBatch.id)))


def test_the_preview_shows_the_figures_and_nothing_is_stored_before_confirmation(login, demo):
    uploaded = upload_import(login, demo.unit, demo.izin, THREE + "Jumlah,9,8,7,6,8,9,10,8,7,,\n", "kertas.csv")
    assert uploaded.status_code == 303 and count_responses() == 0
    (pending,) = batches()
    assert pending.status == BatchStatus.PENDING and pending.content.startswith(b"U1,U2")
    page = login.get(uploaded.headers["Location"]).get_data(as_text=True)
    assert "kertas.csv" in page and "<th>Responden</th><td>3</td>" in page
    assert "Oktober 2026 (2026-10), tanggal survei 01-10-2026 s.d. 05-10-2026" in page
    assert f"{demo.izin.name}: 3" in page and "Belum" in page  # the service, and not published
    assert "<tr><td>3</td><td>3</td><td>3</td><td>2</td><td>3</td>" in page  # U4 left blank once
    assert "baris 5 tidak dihitung sebagai responden" in page  # the reader's note
    confirmed = login.post(uploaded.headers["Location"])
    assert confirmed.status_code == 303 and confirmed.headers["Location"].endswith(f"/units/{demo.unit.id}/imports")
    (stored,) = batches()
    assert (stored.id, stored.status, stored.content, stored.row_count) == (pending.id, BatchStatus.STORED, None, 3)
    assert count_responses() == 3 and stored.imported_by == "admin"
    again = login.post(uploaded.headers["Location"])  # a confirmed upload cannot be confirmed twice
    assert again.status_code == 410 and "unggah berkasnya lagi" in again.get_data(as_text=True)
    assert count_responses() == 3


def test_a_discarded_or_expired_upload_stores_nothing(app, login, demo, monkeypatch):
    from survey import import_batches

    location = upload_import(login, demo.unit, demo.izin, THREE).headers["Location"]
    assert login.post(location + "/discard").status_code == 303 and batches() == []
    location = upload_import(login, demo.unit, demo.izin, THREE).headers["Location"]
    monkeypatch.setattr(import_batches, "PENDING_FOR", import_batches.PENDING_FOR * 0)
    assert login.post(location).status_code == 410 and count_responses() == 0
    upload_import(login, demo.unit, demo.izin, THREE, "lain.csv")  # a new upload drops the expired one
    assert [b.filename for b in batches()] == ["lain.csv"]
    pruned = app.test_cli_runner().invoke(args=["survey", "prune-log"])  # and so does the cron job
    assert "Removed 1 unconfirmed import uploads." in pruned.output and batches() == []


def test_the_history_lists_imports_and_a_cancel_removes_them_and_refreshes_the_roll_up(login, demo):
    assert web_import(login, demo.unit, demo.izin, THREE, "kertas.csv").status_code == 303
    (batch,) = batches()
    assert rollup.roll(today=date(2026, 11, 2)) == date(2026, 11, 2)
    db.session.commit()
    october = Selection(unit_id=demo.unit.id, start=date(2026, 10, 1), end=date(2026, 11, 1))
    assert data.tally(october).respondents == 3
    history = login.get(f"/admin/units/{demo.unit.id}/imports").get_data(as_text=True)
    for shown in (f"#{batch.id}", "admin", "kertas.csv", batch.file_sha256[:16], demo.izin.name, "2026-10",
                  "tersimpan"):  # fmt: skip
        assert shown in history, shown
    url = f"/admin/units/{demo.unit.id}/imports/{batch.id}/cancel"
    short = login.post(url, data={"reason": "salah"})
    assert short.status_code == 400 and "minimal 10 karakter" in short.get_data(as_text=True)
    assert count_responses() == 3
    assert login.post(url, data={"reason": "Diimpor ke layanan yang salah"}).status_code == 303
    assert count_responses() == 0 and data.tally(october).respondents == 0  # the roll-up's days were refreshed
    assert db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(DailyTally.respondents), 0))) == 0
    history = login.get(f"/admin/units/{demo.unit.id}/imports").get_data(as_text=True)
    assert "dibatalkan oleh admin" in history and "Diimpor ke layanan yang salah" in history
    again = login.post(url, data={"reason": "Diimpor ke layanan yang salah"})
    assert again.status_code == 409 and "sudah dibatalkan" in again.get_data(as_text=True)


def test_a_batch_in_a_published_month_cannot_be_cancelled(login, demo, monkeypatch):
    monkeypatch.setattr("analytics.ikm_poster.ikm_poster", lambda *args, **kwargs: b"")  # the poster is not tested here
    import_file(unit=demo.unit, service=demo.izin, period="2026-10", filename="k.csv", content=THREE.encode())
    db.session.commit()
    publish_period(unit=demo.unit, period=month(2026, 10), published_by="admin")
    db.session.commit()
    (batch,) = batches()
    url = f"/admin/units/{demo.unit.id}/imports/{batch.id}/cancel"
    assert "Tarik publikasinya lebih dulu" not in login.get(url).get_data(as_text=True)
    refused = login.post(url, data={"reason": "Diimpor ke layanan yang salah"})
    assert refused.status_code == 409 and "Tarik publikasinya lebih dulu" in refused.get_data(as_text=True)
    assert count_responses() == 3 and batches()[0].status == BatchStatus.STORED


def test_the_same_answers_under_another_service_or_file_are_held_until_ticked(login, demo):
    assert web_import(login, demo.unit, demo.izin, THREE, "kertas.csv").status_code == 303
    location = upload_import(login, demo.unit, demo.pbg, THREE_AGAIN, "lagi.csv").headers["Location"]
    first = batches()[0].id
    page = login.get(location).get_data(as_text=True)
    assert "Peringatan duplikat" in page and f"batch #{first} (kertas.csv, {demo.izin.name}, 2026-10)" in page
    refused = login.post(location)
    assert refused.status_code == 400 and "Centang konfirmasi impor ulang" in refused.get_data(as_text=True)
    assert count_responses() == 3
    same_file = upload_import(login, demo.unit, demo.konsultasi, THREE, "kertas-salinan.csv").headers["Location"]
    assert "Peringatan duplikat" in login.get(same_file).get_data(as_text=True)
    assert login.post(location, data={"allow_duplicate": "y"}).status_code == 303
    assert count_responses() == 6
    cancelled = batches()[-1]  # once cancelled, a batch warns no more
    login.post(f"/admin/units/{demo.unit.id}/imports/{cancelled.id}/cancel", data={"reason": "dua kali diimpor"})
    assert "Peringatan duplikat" in login.get(same_file).get_data(as_text=True)  # the first one still counts
    db.session.execute(sa.update(ImportBatch).values(status=BatchStatus.CANCELLED))
    db.session.commit()
    assert "Peringatan duplikat" not in login.get(same_file).get_data(as_text=True)


def test_pages_need_counter_work_for_the_unit_and_bad_input_is_a_4xx(client, demo):
    from app import directory

    other = directory.create_unit(name="Dinas Lain", slug="dinas-lain")
    db.session.commit()
    log_in(client, make_user("loket", unit=demo.unit, username="loket1"))
    location = upload_import(client, demo.unit, demo.izin, THREE).headers["Location"]
    assert upload_import(client, demo.unit, demo.izin, THREE, period="2026-13").status_code == 400
    assert upload_import(client, demo.unit, demo.izin, b"\x00\x01garbage", "x.xlsx").status_code == 400
    foreign = {"service": "999999", "period": "2026-10", "file": (io.BytesIO(THREE.encode()), "k.csv")}
    assert client.post(f"/admin/units/{demo.unit.id}/import", data=foreign).status_code == 400
    assert client.post(f"/admin/units/{other.id}/import/{batches()[0].id}").status_code == 404  # not their unit
    client.post("/auth/logout")
    log_in(client, make_user("loket", unit=other, username="loket2"))
    assert client.get(location).status_code == 404 and client.post(location).status_code == 404
    assert client.get(f"/admin/units/{demo.unit.id}/imports").status_code == 404
    stored = import_file(unit=demo.unit, service=demo.pbg, period="2026-09", filename="s.csv", content=b"U1,U2,U3,"
                         b"U4,U5,U6,U7,U8,U9\n4,4,4,4,4,4,4,4,4\n")  # fmt: skip
    db.session.commit()
    cancel = client.post(f"/admin/units/{other.id}/imports/{stored.id}/cancel", data={"reason": "bukan unit saya"})
    assert cancel.status_code == 404 and db.session.get(ImportBatch, stored.id).status == BatchStatus.STORED
    client.post("/auth/logout")
    log_in(client, make_user("pimpinan", username="kepala"))
    assert client.get(f"/admin/units/{demo.unit.id}/imports").status_code == 403
    assert client.post(location).status_code == 403
    assert count_responses() == 1 and batches()[0].status == BatchStatus.PENDING  # only the batch stored above


def test_a_service_column_names_each_rows_service_and_unknown_names_are_grouped(app, demo):
    text = ("U1,U2,U3,U4,U5,U6,U7,U8,U9,Jenis Layanan\n" + f"4,4,4,4,4,4,4,4,4,{demo.pbg.name.upper()}\n"
            + "3,3,3,3,3,3,3,3,3,\n" + f"2,2,2,2,2,2,2,2,2,{demo.konsultasi.id}\n")  # fmt: skip
    import_file(unit=demo.unit, service=demo.izin, period="2026-10", filename="k.csv", content=text.encode(),
                service_column=True)  # fmt: skip
    stored = db.session.execute(sa.select(Response.u1, Response.service_id).order_by(Response.u1)).all()
    assert [tuple(r) for r in stored] == [(2, demo.konsultasi.id), (3, demo.izin.id), (4, demo.pbg.id)]
    bad = "U1,U2,U3,U4,U5,U6,U7,U8,U9,layanan\n" + "4,4,4,4,4,4,4,4,4,Layanan Fiktif\n" * 3
    with pytest.raises(ImportRejected) as exc:
        import_file(unit=demo.unit, service=demo.izin, period="2026-11", filename="b.csv", content=bad.encode(),
                    service_column=True)  # fmt: skip
    assert [str(m) for m in exc.value.messages] == [
        "kolom layanan, layanan 'Layanan Fiktif' bukan layanan unit ini: baris 2-4"
    ]
    with pytest.raises(ImportRejected, match="kolom layanan tidak ada"):
        import_file(unit=demo.unit, service=demo.izin, period="2026-11", filename="c.csv", content=THREE.encode(),
                    service_column=True)  # fmt: skip


def test_the_templates_download_and_import_back(login, demo):
    from openpyxl import Workbook  # noqa: F401  (the workbook is filled as an office would)

    response = login.get(f"/admin/units/{demo.unit.id}/import/template.xlsx")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    workbook = read_workbook(response.data)
    assert workbook.sheetnames == ["Petunjuk", "Data"]
    guide = " ".join(str(c) for row in workbook["Petunjuk"].iter_rows(values_only=True) for c in row if c)
    assert "Persyaratan" in guide and demo.pbg.name in guide
    workbook["Data"].append([1, 4, 4, 4, 4, 4, 4, 4, 4, 4, "2026-10-03", "P"])
    workbook["Data"].append([2, 3, 3, 3, 3, 3, 3, 3, 3, None])
    out = io.BytesIO()
    workbook.save(out)
    location = upload_import(login, demo.unit, demo.izin, out.getvalue(), "templat.xlsx").headers["Location"]
    assert "data dibaca dari lembar &#39;Data&#39;" in login.get(location).get_data(as_text=True)
    login.post(location)
    assert count_responses() == 2
    csv_template = login.get(f"/admin/units/{demo.unit.id}/import/template.csv")
    assert csv_template.status_code == 200 and csv_template.data.startswith("\ufeffNo,U1,".encode())
    filled = csv_template.data + b"1,1,1,1,1,1,1,1,1,1,,L,30,S1,PNS,,,\r\n"
    assert web_import(login, demo.unit, demo.izin, filled, "templat.csv", "2026-11").status_code == 303
    assert count_responses() == 3
    assert login.get(f"/admin/units/{demo.unit.id}/import/template.pdf").status_code == 404


def test_ten_thousand_bad_rows_give_a_short_report(app, demo):
    rows = [f"{(i % 7) + 5},4,4,4,4,4,4,4,x{i % 3},a{i % 60}" for i in range(10_000)]
    content = ("U1,U2,U3,U4,U5,U6,U7,U8,U9,usia\n" + "\n".join(rows) + "\n").encode()
    with pytest.raises(ImportRejected) as exc:
        import_file(unit=demo.unit, service=demo.izin, period="2026-10", filename="buruk.csv", content=content)
    lines = [str(m) for m in exc.value.messages]
    assert len(lines) <= 41 and sum(len(line) for line in lines) < 12_000, (len(lines), lines[:3])
    assert lines[0].startswith("kolom U1, nilai '5' harus 1, 2, 3, atau 4: baris 2, 9, 16,")
    assert lines[0].endswith("dan 1417 baris lain")
    assert lines[-1] == "... dan 4990 masalah lain di 4990 baris" and count_responses() == 0


def test_cli_preview_import_list_cancel_and_duplicate(runner, demo, tmp_path):
    path = tmp_path / "kertas.csv"
    path.write_text(THREE)
    again = tmp_path / "lagi.csv"
    again.write_text(THREE_AGAIN)
    base = ["survey", "import", "--unit", "dpmptsp-uji", "--period", "2026-10"]
    dry = runner.invoke(args=[*base, str(path), "--service", demo.izin.name, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Respondents: 3; period 2026-10 (2026-10-01 to 2026-10-05)" in dry.stdout
    assert f"Services: {demo.izin.name}: 3" in dry.stdout and "U4=2 U5=3" in dry.stdout
    assert "Dry run: nothing imported." in dry.stdout and count_responses() == 0 and batches() == []
    assert runner.invoke(args=[*base, str(path), "--service", demo.izin.name]).exit_code == 0
    duplicate = runner.invoke(args=[*base, str(again), "--service", demo.pbg.name])
    assert duplicate.exit_code == 1 and "Refused: jawaban yang sama sudah diimpor: batch #" in duplicate.stderr
    assert "--allow-duplicate" in duplicate.stderr and count_responses() == 3
    allowed = runner.invoke(args=[*base, str(again), "--service", demo.pbg.name, "--allow-duplicate"])
    assert allowed.exit_code == 0 and "Warning: jawaban yang sama" in allowed.stderr and count_responses() == 6
    first, second = batches()
    listed = runner.invoke(args=["survey", "imports", "--unit", "dpmptsp-uji"]).stdout.splitlines()
    assert [line.split("\t")[0] for line in listed] == [f"#{second.id}", f"#{first.id}"]
    assert "lagi.csv" in listed[0] and f"\t3\t{demo.pbg.name}\t2026-10\tstored" in listed[0]
    cancel = ["survey", "cancel-import", str(second.id), "--reason", "dobel, salah layanan", "--by", "operator"]
    result = runner.invoke(args=cancel)
    assert result.exit_code == 0 and "3 responses deleted" in result.stdout and count_responses() == 3
    listed = runner.invoke(args=["survey", "imports", "--unit", "dpmptsp-uji"]).stdout
    assert "cancelled by operator" in listed and "dobel, salah layanan" in listed
    twice = runner.invoke(args=cancel)
    assert twice.exit_code == 1 and "sudah dibatalkan" in twice.output and count_responses() == 3
