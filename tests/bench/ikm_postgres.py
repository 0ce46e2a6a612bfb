"""The PostgreSQL side of the IKM benchmark data (tests/bench/ikm_data.py builds the SQLite file it loads).

A scratch database is created, built with `flask db upgrade` and the demo directory, loaded from the cached
SQLite file with COPY on every run (a few seconds), and dropped at the end.
"""

import csv
import io
import sqlite3
import time
from pathlib import Path

from tests.bench.ikm_data import BATCH, COLUMNS, ROWS, db_upgrade, seed_directory


def pg_reachable(admin_url: str) -> str | None:
    """Return None when the server answers, else the reason."""
    import psycopg

    try:
        with psycopg.connect(admin_url, connect_timeout=3):
            return None
    except Exception as exc:  # any connection failure means: skip the PostgreSQL part
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"


def pg_create(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{name}"')


def pg_drop(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _check_same_directory(src: sqlite3.Connection, ids: dict) -> None:
    """The unit, service and counter ids seeded in PostgreSQL must be those of the SQLite rows."""
    src_ids = {
        "unit": src.execute("SELECT id FROM units").fetchone()[0],
        "services": [r[0] for r in src.execute("SELECT id FROM services ORDER BY id")],
        "counters": [r[0] for r in src.execute("SELECT id FROM counters ORDER BY id")],
    }
    if src_ids != {"unit": ids["unit"], "services": ids["services"], "counters": [c for c, _ in ids["counters"]]}:
        raise RuntimeError(f"directory ids differ between SQLite {src_ids} and PostgreSQL {ids}")


def drop_response_indexes(con) -> list[tuple[str, str]]:
    """Drop the non-constraint indexes of `responses`; return their (name, definition) to recreate them."""
    indexdefs = [
        (name, ddl)
        for name, ddl in con.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = 'responses' AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
        )
    ]
    for name, _ in indexdefs:
        con.execute(f'DROP INDEX "{name}"')
    return indexdefs


def _copy_responses(con, src: sqlite3.Connection) -> float:
    """COPY every SQLite response (ids included) into PostgreSQL; return the seconds the COPY took."""
    columns = ("id", *COLUMNS)
    # The rows come from a database whose foreign keys hold by construction: skip the per-row RI triggers
    # (a superuser setting; without it the COPY just takes longer).
    superuser = con.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]
    if superuser:
        con.execute("SET session_replication_role = replica")
    started = time.perf_counter()
    select = src.execute(f"SELECT {', '.join(columns)} FROM responses ORDER BY id")
    # CSV: an unquoted empty field is NULL, except in `flags` (NOT NULL, '' = no flag).
    sql = f"COPY responses ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL (flags))"
    with con.cursor().copy(sql) as copy:
        while rows := select.fetchmany(BATCH):
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerows(rows)
            copy.write(buffer.getvalue())
    if superuser:
        con.execute("SET session_replication_role = DEFAULT")
    return time.perf_counter() - started


def load_postgres(sqlite_path: Path, sa_url: str, dsn: str) -> dict:
    """Build the schema with `flask db upgrade`, seed the directory, COPY the SQLite rows, VACUUM ANALYZE.

    The non-constraint indexes of `responses` are dropped before the COPY and recreated from their own
    `pg_indexes.indexdef` afterwards (same definitions, built once instead of maintained row by row).
    """
    import psycopg

    timings = {}
    started = time.perf_counter()
    db_upgrade(sa_url)
    timings["flask db upgrade"] = time.perf_counter() - started
    ids = seed_directory(sa_url)
    src = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    _check_same_directory(src, ids)

    with psycopg.connect(dsn) as con:
        indexdefs = drop_response_indexes(con)
        timings[f"COPY {ROWS / 1e6:g}M rows (csv)"] = _copy_responses(con, src)
        started = time.perf_counter()
        for _, ddl in indexdefs:
            con.execute(ddl)
        con.execute("SELECT setval(pg_get_serial_sequence('responses', 'id'), (SELECT max(id) FROM responses))")
        con.commit()
        timings[f"CREATE INDEX x{len(indexdefs)}"] = time.perf_counter() - started
    src.close()
    started = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute("VACUUM ANALYZE responses")
    timings["VACUUM ANALYZE"] = time.perf_counter() - started
    return timings
