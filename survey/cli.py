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


def _echo_preview(preview) -> None:
    """What an import would store: respondents, period, service, answered counts per element."""
    first, last = preview.days()
    click.echo(f"File: {preview.filename} (sha256 {preview.file_sha256})")
    click.echo(f"Respondents: {preview.respondents}; period {preview.period} ({first} to {last})")
    click.echo("Services: " + "; ".join(f"{name}: {n}" for name, n in preview.by_service()))
    click.echo("Answered: " + " ".join(f"{code}={n}" for code, n in preview.answered().items()))
    for frozen in preview.frozen:
        click.echo(f"Published: {frozen.label} ({frozen.summary})")


@survey_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--unit", "unit_slug", required=True, help="Unit slug.")
@click.option("--service", "service_name", required=True, help="Service name (as in `directory list`).")
@click.option("--period", required=True, help="Month of the questionnaires, YYYY-MM.")
@click.option("--u8-sarana", "u8_facilities", is_flag=True, help=U8_HELP)
@click.option("--service-column", is_flag=True, help="Each row names its service in a 'layanan' column.")
@click.option("--dry-run", is_flag=True, help="Check the file and show what would be stored; store nothing.")
@click.option("--allow-duplicate", is_flag=True, help="Import even if the same file or answers were imported.")
def import_command(path: str, unit_slug: str, service_name: str, period: str, u8_facilities: bool,
                   service_column: bool, dry_run: bool, allow_duplicate: bool) -> None:  # fmt: skip
    """Import paper questionnaires (CSV or XLSX, columns U1..U9); all rows or none."""
    from survey.importer import ImportRejected, duplicate_message, read_import, store_import

    unit = _unit(unit_slug)
    service = directory.get_service_by_name(unit, service_name)
    if service is None:
        raise click.ClickException(f"Unit '{unit_slug}' has no service '{service_name}'.")
    with open(path, "rb") as fh:
        content = fh.read()
    for frozen in frozen_periods_of(unit.id, period):
        click.echo(f"Note: {frozen.label} is published ({frozen.summary}); this import will not change the "
                   "published figures, only the provisional ones.", err=True)  # fmt: skip
    try:
        preview = read_import(unit=unit, service=service, period=period, filename=os.path.basename(path),
                              content=content, u8_facilities=u8_facilities, service_column=service_column)  # fmt: skip
    except ImportRejected as exc:
        _refused(exc.notes, exc.messages)
    for note in preview.notes:
        click.echo(f"Catatan: {note}", err=True)
    if dry_run or (preview.duplicates and not allow_duplicate):
        _echo_preview(preview)
    if preview.duplicates:
        click.echo(f"{'Warning' if allow_duplicate else 'Refused'}: {duplicate_message(preview.duplicates)}", err=True)
        if not allow_duplicate and not dry_run:
            click.echo("Nothing imported; add --allow-duplicate to import anyway.", err=True)
            sys.exit(1)
    if dry_run:
        click.echo("Dry run: nothing imported.")
        return
    batch = store_import(preview, imported_by="cli", allow_duplicate=allow_duplicate)
    db.session.commit()
    click.echo(f"Imported {batch.row_count} responses (batch #{batch.id}).")
    for frozen in frozen_periods_of(unit.id, period):
        click.echo(f"Published figures of {frozen.label} unchanged: {frozen.summary}.")


def _refused(notes, messages) -> None:
    db.session.rollback()
    for note in notes:
        click.echo(f"Catatan: {note}", err=True)
    click.echo("Berkas ditolak, tidak ada data yang diimpor:", err=True)
    for error in messages:
        click.echo(f"  {error}", err=True)
    sys.exit(1)


def _unit(unit_slug: str) -> directory.Unit:
    unit = directory.get_unit_by_slug(unit_slug)
    if unit is None:
        raise click.ClickException(f"Unknown unit '{unit_slug}'.")
    return unit


@survey_cli.command("imports")
@click.option("--unit", "unit_slug", required=True, help="Unit slug.")
def imports_command(unit_slug: str) -> None:
    """List a unit's paper imports, newest first: batch, when, who, file, sha256, rows, service, period, status."""
    from survey.import_batches import unit_history
    from survey.models import BatchStatus

    for b in unit_history(_unit(unit_slug).id):
        status = "stored"
        if b.status == BatchStatus.CANCELLED:
            status = f"cancelled by {b.cancelled_by} at {b.cancelled_at:%Y-%m-%d %H:%M}: {b.cancel_reason}"
        service = b.service.name + (" (+ service column)" if b.service_column else "")
        click.echo(f"#{b.id}\t{b.created_at:%Y-%m-%d %H:%M}\t{b.imported_by}\t{b.filename}\t{b.file_sha256[:16]}\t"
                   f"{b.row_count}\t{service}\t{b.period}\t{status}")  # fmt: skip


@survey_cli.command("cancel-import")
@click.argument("batch_id", type=int)
@click.option("--reason", required=True, help="Why (at least 10 characters); kept on the batch.")
@click.option("--by", "cancelled_by", default="cli", show_default=True, help="Who cancels.")
def cancel_import_command(batch_id: int, reason: str, cancelled_by: str) -> None:
    """Cancel an import batch: delete its responses and record the cancellation (refused in a published period)."""
    from survey.import_batches import BatchError, cancel_batch
    from survey.models import ImportBatch

    batch = db.session.get(ImportBatch, batch_id)
    if batch is None:
        raise click.ClickException(f"No import batch #{batch_id}.")
    try:
        deleted = cancel_batch(batch=batch, cancelled_by=cancelled_by, reason=reason)
    except BatchError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Cancelled batch #{batch_id}: {deleted} responses deleted.")


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
    """Delete expired anti-stuffing log rows, expired one-time code batches and unconfirmed import uploads (safe to
    run from cron on several hosts, and twice)."""
    from survey.import_batches import drop_expired_uploads
    from survey.stuffing import prune_log, retention
    from survey.tokens import prune_expired

    removed = prune_log()
    batches = prune_expired()
    uploads = drop_expired_uploads()
    db.session.commit()
    minutes = int(retention().total_seconds() // 60)
    click.echo(f"Removed {removed} expired log rows (retention {minutes} min).")
    click.echo(f"Removed {batches} expired token batches.")
    click.echo(f"Removed {uploads} unconfirmed import uploads.")


def register(app) -> None:
    """Add the survey's commands, and its demo responses to `flask seed-demo`."""
    from app.demo import DEMO_SEEDERS
    from survey.demo import seed_responses

    app.cli.add_command(survey_cli)
    app.extensions.setdefault(DEMO_SEEDERS, []).append(seed_responses)
