"""Command-line commands: demo seed, users, directory, tokens, posters, --help everywhere."""

import click
import pytest
import sqlalchemy as sa

from app.auth import User, authenticate
from app.directory import Counter, Unit
from app.extensions import db
from survey.models import Response, StuffingCount


def all_commands(app):
    """Yield (path, command) for every command the app registers."""
    stack = [((), cmd) for name, cmd in app.cli.commands.items() if name not in ("run", "shell", "routes")]
    while stack:
        path, cmd = stack.pop()
        path = (*path, cmd.name)
        yield path, cmd
        if isinstance(cmd, click.Group):
            stack.extend((path, sub) for sub in cmd.commands.values())


def test_every_command_has_help(app, runner):
    paths = [path for path, _ in all_commands(app)]
    assert ("seed-demo",) in paths and ("create-user",) in paths and ("survey", "import") in paths
    for path, command in all_commands(app):
        result = runner.invoke(args=[*path, "--help"])
        assert result.exit_code == 0, path
        assert command.get_short_help_str().strip(), f"{path} has no help text"


def test_seed_demo_creates_logins_counters_and_responses(runner, tmp_path):
    result = runner.invoke(args=["seed-demo", "--responses", "30"])
    assert result.exit_code == 0, result.output
    assert "username 'admin'" in result.output
    assert (
        "http://127.0.0.1:5000/s/dpmptsp-bontang/loket-1" in result.output
        or "/s/dpmptsp-bontang/loket-1" in result.output
    )
    password = result.output.split("password '")[1].split("'")[0]
    assert authenticate("admin", password) is not None
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 30
    assert db.session.scalar(sa.select(sa.func.count(Counter.id))) == 4
    # a second run with --if-empty leaves the data alone; without it, refuses
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0 and "not seeded" in again.output
    assert runner.invoke(args=["seed-demo"]).exit_code != 0
    assert db.session.scalar(sa.select(sa.func.count(Unit.id))) == 1
    _demo_changes_are_audited()
    _demo_pack_lacks_only_what_it_explains(runner, tmp_path)


def _demo_changes_are_audited() -> None:
    """Every publication and every follow-up step of the demo has its audit entry, by "demo", as a page or the
    monthly job leaves one."""
    from analytics.followup_models import FollowUpAction, FollowUpEvidence
    from analytics.models import Publication
    from app.audit import Action, AuditEntry

    query = sa.select(AuditEntry.action, AuditEntry.object_id, AuditEntry.actor_name)
    entries = db.session.execute(query.where(AuditEntry.object_type.in_(["publication", "followup_action"]))).all()
    assert {name for _, _, name in entries} == {"demo"}
    published = sorted(i for a, i, _ in entries if a == Action.PUBLISHED)
    assert published and published == sorted(db.session.scalars(sa.select(Publication.id)))
    actions = sorted(db.session.scalars(sa.select(FollowUpAction.id)))
    for what in (Action.FOLLOWUP_PROPOSED, Action.FOLLOWUP_EDITED):
        assert sorted(i for a, i, _ in entries if a == what) == actions
    evidence = db.session.scalar(sa.select(sa.func.count(FollowUpEvidence.id)))
    assert evidence and sum(a == Action.FOLLOWUP_EVIDENCE for a, _, _ in entries) == evidence


def _demo_pack_lacks_only_what_it_explains(runner, tmp_path) -> None:
    """The demo publishes its last closed months and closes the loop: the evidence pack of the year of the oldest
    one has a file for every LKE item but the decree the application does not hold (VI.iii.b), which it explains."""
    import json
    import zipfile

    from analytics.models import Publication

    oldest = db.session.scalar(sa.select(sa.func.min(Publication.period_start)))
    out = tmp_path / "demo.zip"
    result = runner.invoke(args=["evidence", "--unit", "dpmptsp-bontang", "--year", str(oldest.year), "-o", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads(zipfile.ZipFile(out).read("manifest.json"))
    missing = [f["lke"] for f in manifest["files"] if f["path"].startswith("belum-tersedia/")]
    assert missing == [["VI.iii.b"]], missing


def test_create_user(runner):
    result = runner.invoke(args=["create-user", "--username", "Petugas", "--password", "panjang sekali 123"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User))
    assert user.username == "petugas" and user.password_hash.startswith("$argon2id$")
    short = runner.invoke(args=["create-user", "--username", "x", "--password", "short"])
    assert short.exit_code != 0 and "10-128" in short.output
    dup = runner.invoke(args=["create-user", "--username", "petugas", "--password", "panjang sekali 123"])
    assert dup.exit_code != 0 and "sudah dipakai" in dup.output


def test_directory_commands(runner):
    assert runner.invoke(args=["directory", "add-unit", "DPMPTSP Kota Baru", "--slug", "dpmptsp-baru"]).exit_code == 0
    assert runner.invoke(args=["directory", "add-service", "dpmptsp-baru", "Izin Usaha"]).exit_code == 0
    assert (
        runner.invoke(
            args=["directory", "add-service", "dpmptsp-baru", "Konsultasi", "--kind", "nonperizinan"]
        ).exit_code
        == 0
    )
    result = runner.invoke(
        args=["directory", "add-counter", "dpmptsp-baru", "Loket 1", "--service", "Izin Usaha", "--mode", "token"]
    )
    assert result.exit_code == 0, result.output
    assert "/s/dpmptsp-baru/loket-1" in result.output
    listing = runner.invoke(args=["directory", "list"]).output
    assert "Izin Usaha [perizinan]" in listing and "Konsultasi [nonperizinan]" in listing and "[token]" in listing
    result = runner.invoke(
        args=["directory", "set-counter", "dpmptsp-baru", "loket-1", "--mode", "static", "--inactive"]
    )
    assert result.exit_code == 0
    counter = db.session.scalar(sa.select(Counter))
    assert counter.access_mode.value == "static" and counter.active is False
    bad = runner.invoke(args=["directory", "add-counter", "tidak-ada", "Loket"])
    assert bad.exit_code != 0 and "Unknown unit" in bad.output
    bad = runner.invoke(args=["directory", "add-counter", "dpmptsp-baru", "Loket 9", "--service", "Tidak Ada"])
    assert bad.exit_code != 0 and "no service" in bad.output


def test_tokens_and_poster_commands(runner, demo, tmp_path):
    result = runner.invoke(args=["survey", "tokens", "dpmptsp-uji", "loket-3", "--count", "2"])
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "no,kode,tautan,berlaku_sampai" and len(lines) == 3 and "?t=" in lines[1]
    assert runner.invoke(args=["survey", "tokens", "dpmptsp-uji", "loket-3", "--count", "0"]).exit_code != 0
    out = tmp_path / "poster.pdf"
    result = runner.invoke(args=["survey", "poster", "dpmptsp-uji", "loket-1", "-o", str(out)])
    assert result.exit_code == 0 and out.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("minutes_ago, kept", [(20, 1), (61, 0)])
def test_prune_log_is_idempotent(app, runner, minutes_ago, kept):
    from datetime import UTC, datetime, timedelta

    start = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    db.session.add(StuffingCount(kind="device", key_hash="a" * 64, bucket_start=start, count=3))
    db.session.commit()
    for _ in range(2):
        assert runner.invoke(args=["survey", "prune-log"]).exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StuffingCount)) == kept


def test_population_poster_report_and_publish_commands(runner, demo, tmp_path):
    from datetime import date

    from analytics.models import Publication
    from survey.questionnaire import ELEMENT_CODES

    for _ in range(3):
        db.session.add(Response(unit_id=demo.unit.id, service_id=demo.izin.id, survey_date=date(2026, 3, 3),
                                **{c.lower(): 3 for c in ELEMENT_CODES}))  # fmt: skip
    db.session.commit()
    assert runner.invoke(args=["set-population", "dpmptsp-uji", "2026-03", "50"]).exit_code == 0
    bad = runner.invoke(args=["set-population", "dpmptsp-uji", "2026-3", "50"])
    assert bad.exit_code != 0 and "tidak dikenal" in bad.output
    poster = tmp_path / "p.png"
    result = runner.invoke(args=["poster", "--unit", "dpmptsp-uji", "--month", "2026-03", "--format", "png",
                                 "-o", str(poster)])  # fmt: skip
    assert result.exit_code == 0 and poster.read_bytes().startswith(b"\x89PNG")
    for fmt, magic in (("pdf", b"%PDF"), ("xlsx", b"PK")):
        out = tmp_path / f"r.{fmt}"
        result = runner.invoke(args=["report", "--unit", "dpmptsp-uji", "--period", "2026-Q1", "--format", fmt,
                                     "-o", str(out)])  # fmt: skip
        assert result.exit_code == 0, result.output
        assert out.read_bytes().startswith(magic)
    declined = runner.invoke(args=["publish", "dpmptsp-uji", "2026-03"], input="n\n")
    assert declined.exit_code != 0 and "Publish and freeze these figures?" in declined.output
    assert db.session.scalar(sa.select(sa.func.count(Publication.id))) == 0
    result = runner.invoke(args=["publish", "dpmptsp-uji", "2026-03"], input="y\n")
    assert result.exit_code == 0 and "IKM 75.00 (C)" in result.output
    again = runner.invoke(args=["publish", "dpmptsp-uji", "2026-03", "--yes"])
    assert again.exit_code != 0 and "sudah dipublikasikan" in again.output
    empty = runner.invoke(args=["publish", "dpmptsp-uji", "2026-04", "--yes"])
    assert empty.exit_code != 0 and "Tidak ada respons" in empty.output
    assert db.session.scalar(sa.select(sa.func.count(Publication.id))) == 1
    no_reason = runner.invoke(args=["withdraw", "dpmptsp-uji", "2026-03", "--reason", "x"])
    assert no_reason.exit_code != 0 and "alasan" in no_reason.output
    withdrawn = runner.invoke(args=["withdraw", "dpmptsp-uji", "2026-03", "--reason", "Salah unggah data kertas"])
    assert withdrawn.exit_code == 0, withdrawn.output
    publication = db.session.scalar(sa.select(Publication))
    assert publication.withdrawn_by == "cli" and publication.withdrawal_reason == "Salah unggah data kertas"
    from app.audit import Action, AuditEntry

    query = sa.select(AuditEntry).where(AuditEntry.object_type == "publication").order_by(AuditEntry.id)
    entries = [(e.action, e.actor_name, e.object_id, e.unit_id, e.detail) for e in db.session.scalars(query)]
    assert entries == [
        (Action.PUBLISHED, "cli", publication.id, demo.unit.id, "2026-03"),
        (Action.WITHDRAWN, "cli", publication.id, demo.unit.id, "2026-03"),
    ]  # refusals left none
