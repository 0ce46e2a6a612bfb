"""Analytics commands: the IKM calculator and figures, notice-board posters, reports, population, publication."""

import json
import os
import sys

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from app.errors import DomainError
from app.extensions import db
from app.periods import PeriodError, parse_period

LIVE_HELP = "For a published period: the live figures (provisional) instead of the published ones."


def _fail(exc: DomainError | str) -> None:
    db.session.rollback()
    raise click.ClickException(str(exc))


def _unit(slug: str):
    from app.directory import get_unit_by_slug

    unit = get_unit_by_slug(slug)
    if unit is None:
        _fail(f"Unknown unit '{slug}'.")
    return unit


def _period(key: str):
    try:
        return parse_period(key)
    except PeriodError as exc:
        _fail(exc)


def _dashboard(unit_slug: str, period_key: str, *, live: bool = False):
    from analytics.dashboard import build_dashboard

    unit = _unit(unit_slug)
    return unit, build_dashboard(unit_id=unit.id, unit_name=unit.name, period=_period(period_key), live=live)


def _say_status(dashboard) -> None:
    """Print which figures these are (published, provisional, period in progress) on stderr."""
    if dashboard.status_note:
        click.echo(dashboard.status_note, err=True)


@click.command("ikm")
@click.option(
    "--csv",
    "path",
    type=click.Path(exists=True, dir_okay=False),
    help="Compute from a CSV/XLSX file with columns U1..U9 instead of the database.",
)
@click.option("--unit", "unit_slug", help="Unit slug (with --period), to compute from the database.")
@click.option("--period", "period_key", help="YYYY-MM, YYYY-Q1..Q4, YYYY-S1/S2, YYYY or YYYY-MM-DD..YYYY-MM-DD.")
@click.option("--live", is_flag=True, help=LIVE_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the calculation sheet.")
@click.option(
    "--u8-sarana",
    "u8_facilities",
    is_flag=True,
    help="With --csv: the file's U8 is Sarana and U9 Pengaduan, as in the Permen's example questionnaire.",
)
@with_appcontext
def ikm_command(
    path: str | None, unit_slug: str | None, period_key: str | None, live: bool, as_json: bool, u8_facilities: bool
) -> None:
    """Print the IKM calculation sheet (per element, then IKM, NIK, mutu, kinerja)."""  # fmt: skip
    from analytics.calculator import CalculatorError, calculate_file, format_check, format_sheet

    status, check = None, None
    if path:
        with open(path, "rb") as fh:
            content = fh.read()
        try:
            result, notes, check = calculate_file(os.path.basename(path), content, u8_facilities=u8_facilities)
        except CalculatorError as exc:
            for problem in exc.messages:
                click.echo(str(problem), err=True)
            sys.exit(1)
        for note in notes:
            click.echo(f"Catatan: {note}", err=True)
    elif unit_slug and period_key:
        unit, dashboard = _dashboard(unit_slug, period_key, live=live)
        result, status = dashboard.result, dashboard.status.value
        _say_status(dashboard)
        if not as_json:
            click.echo(f"{unit.name}, {dashboard.period.label}")
    else:
        raise click.UsageError("Give --csv PATH, or --unit SLUG with --period.")
    if as_json:
        extra = {"status": status} if status else {}
        if check:  # only for a file that carries the office's own figures: the output of others is unchanged
            extra["office_check"] = [finding.as_dict() for finding in check]
        click.echo(json.dumps({**result.as_dict(), **extra}, ensure_ascii=False))
    else:
        click.echo(format_sheet(result))
        if check:
            click.echo(f"\n{format_check(check)}")


@click.command("poster")
@click.option("--unit", "unit_slug", required=True, help="Unit slug.")
@click.option("--month", "month_key", required=True, help="The month, YYYY-MM (any period key also works).")
@click.option("--format", "fmt", type=click.Choice(["pdf", "png"]), default="pdf", show_default=True)
@click.option("--live", is_flag=True, help=LIVE_HELP)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), required=True)
@with_appcontext
def poster_command(unit_slug: str, month_key: str, fmt: str, live: bool, output: str) -> None:
    """Write the monthly notice-board IKM poster (A4, PDF or PNG)."""
    from analytics.ikm_poster import ikm_poster
    from app.links import local_link_warning, results_url

    unit, dashboard = _dashboard(unit_slug, month_key, live=live)
    url = results_url(unit)
    if warning := local_link_warning(url):
        click.echo(warning, err=True)
    _say_status(dashboard)
    body = ikm_poster(dashboard, results_url=url, fmt=fmt)
    with open(output, "wb") as fh:
        fh.write(body)
    click.echo(f"Wrote {output} ({len(body)} bytes).")


@click.command("report")
@click.option("--unit", "unit_slug", required=True, help="Unit slug.")
@click.option("--period", "period_key", required=True, help="YYYY-MM, YYYY-Q1..Q4, YYYY-S1/S2 or YYYY.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "docx", "xlsx"]), default="pdf", show_default=True)
@click.option("--office-head", default="", help="Name printed in the signature block, over the unit's settings.")
@click.option("--live", is_flag=True, help=LIVE_HELP)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), required=True)
@with_appcontext
def report_command(unit_slug: str, period_key: str, fmt: str, office_head: str, live: bool, output: str) -> None:
    """Write the SKM report (PDF or Word, BAB I-V with the calculation sheet) or the Excel workbook."""
    _unit_row, dashboard = _dashboard(unit_slug, period_key, live=live)
    _say_status(dashboard)
    if fmt == "xlsx":
        from analytics.export import export_workbook

        with open(output, "wb") as fh:
            export_workbook(dashboard, fh)
    else:
        from analytics.report import skm_report_docx, skm_report_pdf

        render = skm_report_docx if fmt == "docx" else skm_report_pdf
        with open(output, "wb") as fh:
            fh.write(render(dashboard, office_head=office_head))
    click.echo(f"Wrote {output}.")


@click.command("set-population")
@click.argument("unit_slug")
@click.argument("period_key")
@click.argument("population", type=int)
def set_population_command(unit_slug: str, period_key: str, population: int) -> None:
    """Record how many citizens a unit served in a period (for the minimum sample)."""
    from analytics.publishing import set_population

    try:
        row = set_population(unit=_unit(unit_slug), period_key=period_key, population=population)
    except DomainError as exc:
        _fail(exc)
    db.session.commit()
    click.echo(f"Population of {unit_slug} for {row.period_key}: {row.population}.")


@click.command("publish")
@click.argument("unit_slug")
@click.argument("period_key")
@click.option("--yes", is_flag=True, help="Publish without asking for confirmation.")
def publish_command(unit_slug: str, period_key: str, yes: bool) -> None:
    """Publish and freeze a period's IKM (shown on the public results page; the numbers never change)."""
    from analytics.publishing import publish_period

    unit, preview = _dashboard(unit_slug, period_key, live=True)
    result = preview.result
    if result.has_data and not yes:
        click.echo(f"{unit.name}, {preview.period.label}: IKM {result.nik} ({result.mutu}), "
                   f"{result.respondents} responden.")  # fmt: skip
        click.confirm("Publish and freeze these figures?", abort=True)
    try:
        _publication, dashboard = publish_period(unit=unit, period=preview.period, published_by="cli")
    except DomainError as exc:
        _fail(exc)
    db.session.commit()
    result = dashboard.result
    click.echo(f"Published {unit.slug} {dashboard.period.label}: IKM {result.nik} ({result.mutu}).")


@click.command("withdraw")
@click.argument("unit_slug")
@click.argument("period_key")
@click.option("--reason", required=True, help="Why the publication is withdrawn (kept with who and when).")
@click.option("--by", "withdrawn_by", default="cli", show_default=True, help="Who withdraws it.")
def withdraw_command(unit_slug: str, period_key: str, reason: str, withdrawn_by: str) -> None:
    """Withdraw a period's publication; its figures become live again and it can be published anew."""
    from analytics.publishing import withdraw_publication

    try:
        withdraw_publication(unit=_unit(unit_slug), period=_period(period_key), withdrawn_by=withdrawn_by,
                             reason=reason)  # fmt: skip
    except DomainError as exc:
        _fail(exc)
    db.session.commit()
    click.echo(f"Withdrew the publication of {unit_slug} {period_key}.")


analytics_cli = AppGroup("analytics", help="The daily roll-up that the dashboards read.")
ROLL_STEP_DAYS = 31  # days rolled per transaction: a short write lock, and the work so far is kept


def _roll_forward() -> int:
    """Roll every closed day, a month per transaction; return how many transactions rolled something."""
    from analytics import rollup

    steps = 0
    while rollup.roll(today=rollup.settled_today(), days=ROLL_STEP_DAYS) is not None:
        db.session.commit()
        steps += 1
    db.session.commit()
    return steps


@analytics_cli.command("rollup")
def rollup_command() -> None:
    """Add the closed days to the roll-up (cron, daily; catches up after downtime; safe twice or on two hosts)."""
    from analytics import rollup

    steps = _roll_forward()
    through = rollup.through()
    state = "nothing new" if not steps else f"{steps} step(s)"
    click.echo(f"Roll-up: {state}; every response dated before {through} is rolled up.")


@analytics_cli.command("rebuild-rollup")
def rebuild_rollup_command() -> None:
    """Recompute the roll-up from the raw responses (dashboards read raw rows until it is done)."""
    from analytics import rollup

    rollup.reset()
    db.session.commit()
    _roll_forward()
    click.echo(f"Roll-up rebuilt; every response dated before {rollup.through()} is rolled up.")


def roll_demo(**directory) -> None:
    """After the other demo seeders: roll the demo's closed days up, as the daily cron would have, then publish the
    last closed months that have answers, as an office surveying monthly would have. Flushes."""
    from analytics import rollup
    from analytics.demo import publish_demo

    rollup.roll(today=rollup.settled_today())
    publish_demo(unit=directory["unit"])


def register(app: Flask) -> None:
    """Add the analytics commands to the app's CLI, and the roll-up to `flask seed-demo` (registered last)."""
    from analytics.cli_monthly import CLOSING_THE_LOOP
    from app.demo import DEMO_SEEDERS

    for command in (ikm_command, poster_command, report_command, set_population_command, publish_command,
                    withdraw_command, analytics_cli, *CLOSING_THE_LOOP):  # fmt: skip
        app.cli.add_command(command)
    app.extensions.setdefault(DEMO_SEEDERS, []).append(roll_demo)
