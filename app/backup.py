"""`flask backup` and `flask restore`: a consistent copy of the whole database, and bringing it back.

SQLite: the online backup API copies a consistent snapshot while the app keeps serving, into a plain SQLite file.
PostgreSQL: `pg_dump --format=custom` (a consistent snapshot too) and `pg_restore --clean`, when the client tools are
installed. Restoring replaces every table; the app should be stopped while it runs.
"""

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import click
from flask import Flask
from sqlalchemy.engine import make_url

from app.extensions import db


class BackupError(Exception):
    """A backup or restore that cannot be done here; the message says why."""


def _sqlite_path(url) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return url.database


def _pg_args(url) -> list[str]:
    """libpq connection arguments for the PostgreSQL client tools (the password goes through PGPASSWORD)."""
    args = ["--dbname", url.database or "postgres", "--host", url.host or "localhost", "--port", str(url.port or 5432)]
    return args + (["--username", url.username] if url.username else [])


def _run(tool: str, args: list[str], url) -> None:
    program = shutil.which(tool)
    if program is None:
        raise BackupError(f"{tool} is not installed (Debian: apt-get install postgresql-client)")
    env = {"PGPASSWORD": url.password} if url.password else {}
    done = subprocess.run([program, *args], capture_output=True, text=True, env={**_base_env(), **env})
    if done.returncode != 0:
        raise BackupError(f"{tool} failed: {done.stderr.strip()[-500:]}")


def _base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "PGSSLMODE", "TZ")}


def _copy_sqlite(source: str, target: str) -> None:
    """Copy one SQLite database over another with the online backup API (a consistent snapshot)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def backup(database_url: str, target: Path) -> None:
    """Write a consistent copy of the database to `target`."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _copy_sqlite(_sqlite_path(url), str(target))
        return
    _run("pg_dump", ["--format=custom", "--no-owner", "--file", str(target), *_pg_args(url)], url)


def restore(database_url: str, source: Path) -> None:
    """Replace the database's contents with those of a backup written by `backup`."""
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _copy_sqlite(str(source), _sqlite_path(url))
        return
    _run(
        "pg_restore", ["--clean", "--if-exists", "--no-owner", "--single-transaction", *_pg_args(url), str(source)], url
    )


def _on_the_database(action, path: Path) -> None:
    """Run backup or restore on the app's database with no connection of ours open; errors as a CLI message."""
    db.session.remove()
    db.engine.dispose()
    try:
        action(db.engine.url.render_as_string(hide_password=False), path)
    except (BackupError, sqlite3.Error) as exc:
        raise click.ClickException(str(exc)) from None


@click.command("backup")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True)
def backup_command(output: Path) -> None:
    """Write a consistent copy of the whole database (SQLite file, or pg_dump's custom format)."""
    _on_the_database(backup, output)
    click.echo(f"Wrote {output} ({output.stat().st_size} bytes).")


@click.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask: every table is replaced by the backup's.")
def restore_command(source: Path, yes: bool) -> None:
    """Replace the whole database with a backup (stop the app first)."""
    if not yes:
        click.confirm(f"Replace every table of the database with {source}?", abort=True)
    _on_the_database(restore, source)
    click.echo(f"Restored {source}.")


def register(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
