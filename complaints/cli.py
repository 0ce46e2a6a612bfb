"""Commands of complaints: `flask complaints tick` (cron) performs the time-based transitions and reminders."""

from datetime import date

import click
from flask import Flask
from flask.cli import AppGroup

from app.extensions import db

complaints_cli = AppGroup("complaints", help="Complaint handling: time-based transitions and reminders.")


@complaints_cli.command("tick")
@click.option("--today", "today", metavar="DATE", help="Act as if the office's today were DATE (YYYY-MM-DD).")
def tick_command(today: str | None) -> None:
    """Close unanswered responses as Selesai, escalate overdue steps, remind due-soon ones (safe to repeat)."""
    from complaints.tick import tick

    day = None
    if today:
        try:
            day = date.fromisoformat(today.strip())
        except ValueError:
            raise click.BadParameter(f"{today!r} is not a date; use YYYY-MM-DD.", param_hint="--today") from None
    report = tick(today=day)
    db.session.commit()
    click.echo(str(report))


def register(app: Flask) -> None:
    """Install the complaint commands, and the demo complaints of `flask seed-demo`."""
    from app.demo import DEMO_SEEDERS
    from complaints.demo import seed_complaints

    app.cli.add_command(complaints_cli)
    app.extensions.setdefault(DEMO_SEEDERS, []).append(seed_complaints)
