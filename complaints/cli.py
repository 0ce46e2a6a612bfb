"""Commands of complaints: `flask complaints tick` (cron) performs the time-based transitions and reminders."""

from flask import Flask
from flask.cli import AppGroup

complaints_cli = AppGroup("complaints", help="Complaint handling: time-based transitions and reminders.")


def register(app: Flask) -> None:
    """Install the complaint commands."""
    app.cli.add_command(complaints_cli)
