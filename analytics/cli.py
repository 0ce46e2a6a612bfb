"""IKM commands: the calculator, dashboards' numbers, notice-board posters, reports, publication."""

import json
import os
import sys

import click
from flask.cli import with_appcontext

from app.periods import PeriodError, parse_period


@click.command("ikm")
@click.option(
    "--csv",
    "path",
    type=click.Path(exists=True, dir_okay=False),
    help="Compute from a CSV/XLSX file with columns U1..U9 instead of the database.",
)
@click.option("--unit", "unit_slug", help="Unit slug (with --period), to compute from the database.")
@click.option("--period", "period_key", help="YYYY-MM, YYYY-Q1..Q4, YYYY-S1/S2, YYYY or YYYY-MM-DD..YYYY-MM-DD.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the calculation sheet.")
@with_appcontext
def ikm_command(path: str | None, unit_slug: str | None, period_key: str | None, as_json: bool) -> None:
    """Print the IKM calculation sheet (per element, then IKM, NIK, mutu, kinerja)."""
    from analytics.calculator import CalculatorError, calculate_file, format_sheet

    if path:
        with open(path, "rb") as fh:
            content = fh.read()
        try:
            result = calculate_file(os.path.basename(path), content)
        except CalculatorError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            sys.exit(1)
    elif unit_slug and period_key:
        from analytics.reports import build_dashboard

        unit = _unit(unit_slug)
        period = _period(period_key)
        result = build_dashboard(unit_id=unit.id, unit_name=unit.name, period=period).result
        if not as_json:
            click.echo(f"{unit.name}, {period.label}")
    else:
        raise click.UsageError("Give --csv PATH, or --unit SLUG with --period.")
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        click.echo(format_sheet(result))


def _unit(slug: str):
    from app.directory import get_unit_by_slug

    unit = get_unit_by_slug(slug)
    if unit is None:
        raise click.ClickException(f"Unknown unit '{slug}'.")
    return unit


def _period(key: str):
    try:
        return parse_period(key)
    except PeriodError as exc:
        raise click.ClickException(str(exc)) from None


def _dashboard(unit_slug: str, period_key: str):
    from analytics.reports import build_dashboard

    unit = _unit(unit_slug)
    return unit, build_dashboard(unit_id=unit.id, unit_name=unit.name, period=_period(period_key))


@click.command("poster")
@click.option("--unit", "unit_slug", required=True, help="Unit slug.")
@click.option("--month", "month_key", required=True, help="The month, YYYY-MM (any period key also works).")
@click.option("--format", "fmt", type=click.Choice(["pdf", "png"]), default="pdf", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), required=True)
@with_appcontext
def poster_command(unit_slug: str, month_key: str, fmt: str, output: str) -> None:
    """Write the monthly notice-board IKM poster (A4, PDF or PNG)."""
    from analytics.poster import ikm_poster
    from analytics.views import results_url

    unit, dashboard = _dashboard(unit_slug, month_key)
    body = ikm_poster(dashboard, results_url=results_url(unit), fmt=fmt)
    with open(output, "wb") as fh:
        fh.write(body)
    click.echo(f"Wrote {output} ({len(body)} bytes).")


@click.command("report")
@click.option("--unit", "unit_slug", required=True, help="Unit slug.")
@click.option("--period", "period_key", required=True, help="YYYY-MM, YYYY-Q1..Q4, YYYY-S1/S2 or YYYY.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "xlsx"]), default="pdf", show_default=True)
@click.option("--office-head", default="", help="Name printed in the signature block of the PDF.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), required=True)
@with_appcontext
def report_command(unit_slug: str, period_key: str, fmt: str, office_head: str, output: str) -> None:
    """Write the SKM report (PDF, BAB I-V with the calculation sheet) or the Excel workbook."""
    from analytics.reports import frozen_note

    unit, dashboard = _dashboard(unit_slug, period_key)
    note = frozen_note(dashboard)
    if fmt == "xlsx":
        from analytics.export import export_workbook

        with open(output, "wb") as fh:
            export_workbook(dashboard, fh, frozen_note=note)
    else:
        from analytics.report_pdf import skm_report_pdf

        with open(output, "wb") as fh:
            fh.write(skm_report_pdf(dashboard, office_head=office_head, frozen_note=note))
    click.echo(f"Wrote {output}.")


def register(app) -> None:
    """Add the analytics commands to the app's CLI."""
    app.cli.add_command(ikm_command)
    app.cli.add_command(poster_command)
    app.cli.add_command(report_command)
