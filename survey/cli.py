"""Survey commands: paper imports, one-time tokens, counter posters, log pruning."""

import os
import sys

import click
from flask.cli import AppGroup

from app import directory
from app.extensions import db
from app.links import local_link_warning, survey_url
from app.periods import frozen_periods_of

U8_HELP = "The file's U8 is Sarana and U9 Pengaduan, as in the Permen's example questionnaire."
survey_cli = AppGroup("survey", help="Survey data: import paper questionnaires, tokens, posters.")


def _counter(unit_slug: str, counter_slug: str) -> directory.Counter:
    counter = directory.get_counter(unit_slug, counter_slug)
    if counter is None:
        raise click.ClickException(f"Unknown counter '{unit_slug}/{counter_slug}'.")
    return counter


@survey_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--unit", "unit_slug", required=True, help="Unit slug.")
@click.option("--service", "service_name", required=True, help="Service name (as in `directory list`).")
@click.option("--period", required=True, help="Month of the questionnaires, YYYY-MM.")
@click.option("--u8-sarana", "u8_facilities", is_flag=True, help=U8_HELP)
def import_command(path: str, unit_slug: str, service_name: str, period: str, u8_facilities: bool) -> None:
    """Import paper questionnaires (CSV or XLSX, columns U1..U9); all rows or none."""
    from survey.importer import ImportRejected, import_file

    unit = directory.get_unit_by_slug(unit_slug)
    if unit is None:
        raise click.ClickException(f"Unknown unit '{unit_slug}'.")
    service = directory.get_service_by_name(unit, service_name)
    if service is None:
        raise click.ClickException(f"Unit '{unit_slug}' has no service '{service_name}'.")
    with open(path, "rb") as fh:
        content = fh.read()
    for frozen in frozen_periods_of(unit.id, period):
        click.echo(f"Note: {frozen.label} is published ({frozen.summary}); this import will not change the "
                   "published figures, only the provisional ones.", err=True)  # fmt: skip
    try:
        batch = import_file(
            unit=unit,
            service=service,
            period=period,
            filename=os.path.basename(path),
            content=content,
            imported_by="cli",
            notes=(notes := []),
            u8_facilities=u8_facilities,
        )
    except ImportRejected as exc:
        db.session.rollback()
        for note in notes:
            click.echo(f"Catatan: {note}", err=True)
        click.echo("Berkas ditolak, tidak ada data yang diimpor:", err=True)
        for error in exc.messages:
            click.echo(f"  {error}", err=True)
        sys.exit(1)
    db.session.commit()
    for note in notes:
        click.echo(f"Catatan: {note}", err=True)
    click.echo(f"Imported {batch.row_count} responses (batch #{batch.id}).")
    for frozen in frozen_periods_of(unit.id, period):
        click.echo(f"Published figures of {frozen.label} unchanged: {frozen.summary}.")


@survey_cli.command("tokens")
@click.argument("unit_slug")
@click.argument("counter_slug")
@click.option("--count", default=63, show_default=True, help="How many one-time codes (1-5000; 21 fill an A4 page).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "pdf"]),
    default="csv",
    show_default=True,
    help="csv: no,kode,tautan,berlaku_sampai for a queue system; pdf: A4 cut-out slips (needs -o).",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write here instead of stdout.")
def tokens_command(unit_slug: str, counter_slug: str, count: int, fmt: str, output: str | None) -> None:
    """Issue one-time survey codes for a token counter, as CSV (receipts, queue tickets) or PDF slips.

    The codes are shown only in this output (the database keeps keyed hashes of them).
    """
    from survey import slips
    from survey.tokens import TokenError, issue_tokens

    if fmt == "pdf" and not output:
        raise click.UsageError("--format pdf needs --output FILE.")
    counter = _counter(unit_slug, counter_slug)
    if counter.access_mode != directory.AccessMode.TOKEN:
        raise click.ClickException(f"'{unit_slug}/{counter_slug}' is a {counter.access_mode.value} counter, not token.")
    try:
        issued = issue_tokens(counter=counter, count=count)
    except TokenError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    if warning := local_link_warning(survey_url(counter)):
        click.echo(warning, err=True)
    if not output:
        click.echo(slips.token_csv(issued), nl=False)
        return
    data = slips.token_slips(issued) if fmt == "pdf" else slips.token_csv(issued).encode()
    with open(output, "wb") as fh:
        fh.write(data)
    click.echo(f"Wrote {count} codes (batch #{issued.batch_id}, valid until {issued.expires_on}) to {output}.")


@survey_cli.command("poster")
@click.argument("unit_slug")
@click.argument("counter_slug")
@click.option("--format", "fmt", type=click.Choice(["pdf", "png"]), default="pdf", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), required=True)
def poster_command(unit_slug: str, counter_slug: str, fmt: str, output: str) -> None:
    """Write a counter's A4 QR poster (PDF or PNG)."""
    from survey.counter_poster import poster_of

    counter = _counter(unit_slug, counter_slug)
    if warning := local_link_warning(survey_url(counter)):
        click.echo(warning, err=True)
    data = poster_of(counter, fmt=fmt)
    with open(output, "wb") as fh:
        fh.write(data)
    click.echo(f"Wrote {output} ({len(data)} bytes).")


@survey_cli.command("prune-log")
def prune_log_command() -> None:
    """Delete expired anti-stuffing log rows and expired one-time code batches (safe to run from cron on several
    hosts, and twice)."""
    from survey.stuffing import prune_log, retention
    from survey.tokens import prune_expired

    removed = prune_log()
    batches = prune_expired()
    db.session.commit()
    minutes = int(retention().total_seconds() // 60)
    click.echo(f"Removed {removed} expired log rows (retention {minutes} min).")
    click.echo(f"Removed {batches} expired token batches.")


def register(app) -> None:
    """Add the survey's commands, and its demo responses to `flask seed-demo`."""
    from app.demo import DEMO_SEEDERS
    from survey.demo import seed_responses

    app.cli.add_command(survey_cli)
    app.extensions.setdefault(DEMO_SEEDERS, []).append(seed_responses)
