"""Evidence packs asked for on the web and built by `flask evidence --queued`: one build per pack, on any host."""

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

from analytics.evidence.queue import STALE_AFTER, claim_next
from analytics.models import EvidencePack, PackState
from app.audit import Action, AuditEntry
from app.extensions import db
from tests.factories import log_in, make_user, run_at_once


def _ask(client, unit_id: int, year) -> int:
    return client.post(f"/analitik/bukti-zi/units/{unit_id}", data={"year": year}).status_code


def _packs() -> list[EvidencePack]:
    return list(db.session.scalars(db.select(EvidencePack).order_by(EvidencePack.id)))


def test_ask_build_and_download(app, client, runner, demo):
    log_in(client, make_user("pimpinan", unit=demo.unit))
    page = client.get(f"/analitik/bukti-zi/units/{demo.unit.id}")
    assert page.status_code == 200 and "Belum ada paket yang diminta." in page.get_data(as_text=True)
    assert _ask(client, demo.unit.id, 2026) == 303
    assert _ask(client, demo.unit.id, 2026) == 303  # already waiting: not queued twice
    assert [(p.year, p.state) for p in _packs()] == [(2026, PackState.QUEUED)]
    assert "menunggu dibuat" in client.get(f"/analitik/bukti-zi/units/{demo.unit.id}").get_data(as_text=True)

    result = runner.invoke(args=["evidence", "--queued"])
    assert result.exit_code == 0, result.output
    assert "built: 1, failed: 0" in result.output
    pack = _packs()[0]
    db.session.refresh(pack)
    assert pack.state == PackState.READY and pack.size > 0 and pack.builder
    again = runner.invoke(args=["evidence", "--queued"])  # a second cron run (or a second host) builds nothing
    assert "built: 0, failed: 0" in again.output

    body = client.get(f"/analitik/bukti-zi/units/{demo.unit.id}").get_data(as_text=True)
    assert "VI.iv.a" in body  # no publication yet: shown as not yet supported
    download = client.get(f"/analitik/bukti-zi/units/{demo.unit.id}/{pack.id}.zip")
    assert download.status_code == 200 and download.headers["Cache-Control"] == "no-store"
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(download.data)).read("manifest.json"))
    assert manifest["year"] == 2026 and manifest["unit"] == demo.unit.slug
    assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == Action.EXPORT,
                                                         AuditEntry.object_type == "evidence_pack"))  # fmt: skip


def test_bad_requests_and_access(app, client, demo):
    from app import directory

    other = directory.create_unit(name="Dinas Lain", slug="dinas-lain")
    db.session.commit()
    log_in(client, make_user("ppid", unit=demo.unit))
    assert _ask(client, demo.unit.id, 2100) == 400
    assert _ask(client, demo.unit.id, 1999) == 400
    assert _ask(client, demo.unit.id, "dua ribu") == 400
    assert client.get(f"/analitik/bukti-zi/units/{other.id}").status_code == 404
    assert _ask(client, other.id, 2026) == 404
    assert client.get(f"/analitik/bukti-zi/units/{demo.unit.id}/12345.zip").status_code == 404
    assert _packs() == []
    client.post("/auth/logout")
    log_in(client, make_user("loket", unit=demo.unit))
    assert client.get(f"/analitik/bukti-zi/units/{demo.unit.id}").status_code == 403


def _queue(unit, **columns) -> EvidencePack:
    pack = EvidencePack(unit_id=unit.id, year=2026, requested_by="ppid", **columns)
    db.session.add(pack)
    db.session.commit()
    return pack


def test_one_claim_per_pack_across_workers(tmp_path):
    """Three hosts claim the same pack at once, each with its own connection (an SQLite file, or PostgreSQL in CI:
    the in-memory test database shares one connection between threads, so it cannot show a race)."""
    from tests.conftest import TEST_DATABASE_URL, make_app
    from tests.factories import make_directory

    app = make_app(SQLALCHEMY_DATABASE_URI=TEST_DATABASE_URL or f"sqlite:///{tmp_path}/queue.sqlite")
    with app.app_context():
        if not TEST_DATABASE_URL:
            db.create_all()
        pack_id = _queue(make_directory().unit).id
        claimed = run_at_once(app, lambda: getattr(claim_next(), "id", None), workers=3)
        assert [c for c in claimed if c is not None] == [pack_id] and claimed.count(None) == 2
        db.session.expire_all()
        assert db.session.get(EvidencePack, pack_id).state == PackState.BUILDING
        db.session.remove()
        db.engine.dispose()


def test_an_abandoned_build_is_taken_over_a_fresh_one_is_not(app, demo):
    now = datetime.now(UTC)
    fresh = _queue(demo.unit, state=PackState.BUILDING, started_at=now - timedelta(minutes=5))
    abandoned = _queue(demo.unit, state=PackState.BUILDING, started_at=now - STALE_AFTER - timedelta(minutes=1))
    ready = _queue(demo.unit, state=PackState.READY, started_at=now - timedelta(days=2))
    assert claim_next(now=now).id == abandoned.id
    db.session.commit()
    assert claim_next(now=now) is None
    db.session.refresh(fresh)
    db.session.refresh(ready)
    assert (fresh.state, ready.state) == (PackState.BUILDING, PackState.READY)
