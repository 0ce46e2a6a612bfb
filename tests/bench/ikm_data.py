"""Synthetic data for the IKM benchmark (tests/bench/ikm_bench.py): 1,000,000 responses on the real schema.

The SQLite file is built once and cached under instance/bench/, keyed by the migration head, a hash of the
migration files and GENERATOR_VERSION, so a rerun skips the ~40 s of generation. The PostgreSQL database is
loaded from that file with COPY on every run (a few seconds) and dropped at the end (tests/bench/ikm_postgres.py).

Build steps (both databases): `flask db upgrade` on an empty database (the real schema, indexes included), the
demo unit with its 6 services and 4 counters (`app.demo.seed_demo(responses=0)`), then the responses are bulk
inserted outside the ORM and the statistics refreshed (SQLite `ANALYZE`, PostgreSQL `VACUUM ANALYZE`).
"""

import hashlib
import itertools
import os
import secrets
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CACHE_DIR = REPO / "instance" / "bench"
MIGRATIONS = REPO / "migrations"

GENERATOR_VERSION = "1"  # bump whenever the generated rows change (part of the cache key)
ROWS = int(os.environ.get("IKM_BENCH_ROWS", 1_000_000))  # another size only to try the plumbing quickly
BATCH = 50_000
SEED = 20261127
FIRST_DAY = date(2024, 12, 1)  # 24 whole months: 2024-12-01 .. 2026-11-30
LAST_DAY = date(2026, 11, 30)

SCORE_WEIGHTS = (0.05, 0.15, 0.50, 0.30)  # scores 1..4
NULL_SHARE = 0.02  # unanswered element
CHANNEL_WEIGHTS = (("online", 0.80), ("kiosk", 0.17), ("paper", 0.03))
COUNTER_WEIGHTS = (0.35, 0.30, 0.25, 0.10)  # loket-1, loket-2, loket-3, meja-bantuan (demo order)
FLAG_VALUES = ("device_repeat", "ip_burst", "identical_burst", "no_device", "device_repeat identical_burst")
FLAG_SHARE = 0.015
SUGGESTIONS = (
    "Antrean terlalu lama, mohon tambah petugas.",
    "Pelayanan cepat dan ramah, terima kasih.",
    "Ruang tunggu panas, perlu kipas angin.",
    "Persyaratan sebaiknya diumumkan di situs web.",
    "Petugas membantu mengisi formulir OSS.",
    '=HYPERLINK("http://contoh.invalid","klik")',  # formula-injection sample for safe_cell
    "Parkir sempit.\nMohon diperluas.",
)
SUGGESTION_SHARE = 0.05

COLUMNS = (
    "unit_id", "service_id", "counter_id", "survey_date", "channel", "gender", "age", "education",
    "occupation", "occupation_other", "suggestion", "assisted", "flags",
    "u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9",
)  # fmt: skip


def log(message: str) -> None:
    print(f"[ikm-bench] {message}", flush=True)


# --------------------------------------------------------------------------- schema and cache key


def migration_head() -> str:
    """The alembic head revision of migrations/ (what `flask db upgrade` builds)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    heads = ScriptDirectory.from_config(config).get_heads()
    return "+".join(sorted(heads))


def cache_key() -> str:
    digest = hashlib.sha256()
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(f"{GENERATOR_VERSION}/{ROWS}/{SEED}".encode())
    return f"{migration_head()}-{digest.hexdigest()[:10]}"


def flask_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(FLASK_APP="app", SKM_ENV="development", DATABASE_URL=database_url)
    env.pop("SQLALCHEMY_DATABASE_URI", None)
    return env


def db_upgrade(database_url: str) -> None:
    """`flask db upgrade` in a subprocess, as `make run` does."""
    flask = Path(sys.executable).with_name("flask")
    argv = [str(flask)] if flask.exists() else [sys.executable, "-m", "flask"]
    done = subprocess.run([*argv, "db", "upgrade"], cwd=REPO, env=flask_env(database_url), capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"flask db upgrade failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def bench_app(database_url: str):
    """The real app on `database_url` (development settings, no rate limits)."""
    from app import create_app

    return create_app({
        "SKM_ENV": "development",
        "SECRET_KEY": "ikm-bench-secret-key-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": False,
        "PUBLIC_BASE_URL": "https://skm.example.go.id",
    })  # fmt: skip


def seed_directory(database_url: str) -> dict:
    """Create the demo unit, services and counters (no responses); return their ids in demo order."""
    from app.demo import seed_demo
    from app.extensions import db

    app = bench_app(database_url)
    with app.app_context():
        unit = seed_demo(admin_password=secrets.token_urlsafe(18), responses=0)
        ids = {
            "unit": unit.id,
            "services": [s.id for s in sorted(unit.services, key=lambda s: s.id)],
            "counters": [(c.id, [s.id for s in c.services]) for c in sorted(unit.counters, key=lambda c: c.id)],
        }
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return ids


# --------------------------------------------------------------------------- generation


def _placement(rng, n: int, ids: dict) -> tuple[list, list, list, list]:
    """Counter, service, channel and assisted columns: where and how each response was given."""
    services = ids["services"]
    counters = ids["counters"]
    counter_pick = rng.choice(len(counters), size=n, p=COUNTER_WEIGHTS)
    service_roll = rng.random(n)
    channel_pick = rng.choice(len(CHANNEL_WEIGHTS), size=n, p=[w for _, w in CHANNEL_WEIGHTS])
    channel_names = [c for c, _ in CHANNEL_WEIGHTS]
    paper = channel_names.index("paper")
    assisted_counter = len(counters) - 1  # meja-bantuan (officer-assisted)

    counter_col, service_col, channel_col, assisted_col = [], [], [], []
    for c, roll, ch in zip(counter_pick.tolist(), service_roll.tolist(), channel_pick.tolist(), strict=True):
        counter_id, handled = counters[c]
        pool = handled or services
        service_col.append(pool[int(roll * len(pool))])
        if ch == paper:  # paper questionnaires are imported per service, without a counter
            counter_col.append(None)
            assisted_col.append(0)
        else:
            counter_col.append(counter_id)
            assisted_col.append(1 if c == assisted_counter else 0)
        channel_col.append(channel_names[ch])
    return counter_col, service_col, channel_col, assisted_col


def _dates(n: int, day_strings: list[str], day_index) -> list:
    """The survey_date column (responses keep the date, never the time)."""
    return [day_strings[i] for i in day_index.tolist()]


def _profile(rng, n: int) -> tuple[list, list, list, list, list]:
    """Gender, age, education, occupation and occupation_other columns, each with ~3 % blank."""

    def pick(options, weights, null_share=0.03):
        idx = rng.choice(len(options) + 1, size=n, p=[null_share, *((1 - null_share) * w for w in weights)])
        table = [None, *options]
        return [table[i] for i in idx.tolist()]

    gender_col = pick(("L", "P"), (0.52, 0.48))
    ages = rng.integers(18, 71, n)
    ages[rng.random(n) < 0.03] = 0
    age_col = [a or None for a in ages.tolist()]
    education_col = pick(("SD", "SMP", "SMA", "D1-D3", "S1", "S2", "S3"), (0.08, 0.12, 0.40, 0.12, 0.23, 0.04, 0.01))
    occupation_col = pick(("PNS", "TNI", "POLRI", "SWASTA", "WIRAUSAHA", "LAINNYA"),
                          (0.15, 0.03, 0.03, 0.35, 0.34, 0.10))  # fmt: skip
    others = ("Mahasiswa", "Ibu rumah tangga", "Petani")
    occupation_other_col = [others[i % 3] if o == "LAINNYA" else None for i, o in enumerate(occupation_col)]
    return gender_col, age_col, education_col, occupation_col, occupation_other_col


def _suggestions_and_flags(rng, n: int) -> tuple[list, list]:
    suggestion_pick = rng.integers(0, len(SUGGESTIONS), n).tolist()
    suggestion_on = (rng.random(n) < SUGGESTION_SHARE).tolist()
    suggestion_col = [SUGGESTIONS[i] if on else None for i, on in zip(suggestion_pick, suggestion_on, strict=True)]
    flag_pick = rng.integers(0, len(FLAG_VALUES), n).tolist()
    flag_on = (rng.random(n) < FLAG_SHARE).tolist()
    flags_col = [FLAG_VALUES[i] if on else "" for i, on in zip(flag_pick, flag_on, strict=True)]
    return suggestion_col, flags_col


def _scores(rng, n: int) -> list[list]:
    """u1..u9: scores 1..4 by SCORE_WEIGHTS, NULL_SHARE unanswered."""
    scores = rng.choice(4, size=(n, 9), p=SCORE_WEIGHTS) + 1
    scores[rng.random((n, 9)) < NULL_SHARE] = 0
    return [[v or None for v in scores[:, j].tolist()] for j in range(9)]


def generate_columns(ids: dict) -> list[list]:
    """Return the responses as one list per COLUMNS entry, sorted by survey date (ids grow with the date).

    The helpers draw from one generator in a fixed order: changing that order changes the rows (bump
    GENERATOR_VERSION then).
    """
    import numpy as np

    rng = np.random.default_rng(SEED)
    n = ROWS
    days = (LAST_DAY - FIRST_DAY).days + 1
    day_strings = [(FIRST_DAY + timedelta(days=i)).isoformat() for i in range(days)]
    day_index = np.sort(rng.integers(0, days, n))

    counter_col, service_col, channel_col, assisted_col = _placement(rng, n, ids)
    date_col = _dates(n, day_strings, day_index)
    gender_col, age_col, education_col, occupation_col, occupation_other_col = _profile(rng, n)
    suggestion_col, flags_col = _suggestions_and_flags(rng, n)
    score_cols = _scores(rng, n)

    unit_col = [ids["unit"]] * n
    return [unit_col, service_col, counter_col, date_col, channel_col, gender_col, age_col,
            education_col, occupation_col, occupation_other_col, suggestion_col, assisted_col, flags_col,
            *score_cols]  # fmt: skip


def build_sqlite(path: Path) -> dict:
    """Build the cached SQLite file at `path` (written to a temporary name, renamed when complete)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".building")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}-journal")):
        leftover.unlink(missing_ok=True)
    url = f"sqlite:///{tmp}"
    timings = {}
    started = time.perf_counter()
    db_upgrade(url)
    timings["flask db upgrade"] = time.perf_counter() - started
    started = time.perf_counter()
    ids = seed_directory(url)
    timings["seed_demo(responses=0)"] = time.perf_counter() - started
    started = time.perf_counter()
    columns = generate_columns(ids)
    timings[f"generate {ROWS / 1e6:g}M rows (numpy + lists)"] = time.perf_counter() - started

    con = sqlite3.connect(tmp, isolation_level=None)
    con.execute("PRAGMA journal_mode=DELETE")  # bulk load without a WAL growing to the size of the table
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-524288")  # 512 MiB during the load only
    sql = f"INSERT INTO responses ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    rows = zip(*columns, strict=True)
    started = time.perf_counter()
    con.execute("BEGIN")
    while True:
        batch = list(itertools.islice(rows, BATCH))
        if not batch:
            break
        con.executemany(sql, batch)
    con.execute("COMMIT")
    timings["sqlite3 executemany, 50k batches"] = time.perf_counter() - started
    del columns
    started = time.perf_counter()
    con.execute("ANALYZE")
    con.execute("PRAGMA journal_mode=WAL")  # what the app uses on every connection
    con.close()
    timings["ANALYZE"] = time.perf_counter() - started
    tmp.replace(path)
    return timings


def sqlite_ready(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            version = con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
            count = con.execute("SELECT max(id) FROM responses").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return False
    return version == migration_head() and count == ROWS


def ensure_sqlite() -> tuple[Path, dict | None]:
    """Return the cached database (building it when missing) and the build timings (None when cached)."""
    key = cache_key()
    path = CACHE_DIR / f"ikm-{key}.sqlite"
    if sqlite_ready(path):
        log(f"using cached SQLite data {path.relative_to(REPO)}")
        return path, None
    for old in CACHE_DIR.glob("ikm-*.sqlite*"):  # other schema revisions or generator versions
        old.unlink(missing_ok=True)
    log(f"building {ROWS:,} synthetic responses in {path.relative_to(REPO)} (about a minute, cached afterwards)")
    timings = build_sqlite(path)
    log("built: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    return path, timings
