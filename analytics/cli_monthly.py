"""Commands that close the loop each month and each year: the monthly job, automatic publication, the evidence pack."""

import sys

import click
from flask.cli import with_appcontext

from analytics.cli import _fail, _unit
from app.errors import DomainError
from app.extensions import db


@click.command("monthly")
@click.option("--unit", "unit_slug", required=True, help="Unit slug.")
@click.option("--month", "month_key", help="YYYY-MM, a closed month (default: the previous month).")
@with_appcontext
def monthly_command(unit_slug: str, month_key: str | None) -> None:
    """For cron, early each month: publish the closed month (when the office chose automatic publication), record
    the complaint recap and e-mail the office heads. Safe to run twice or on two hosts."""
    from analytics.monthly import closed_month, run_monthly

    unit = _unit(unit_slug)
    try:
        outcome = run_monthly(unit=unit, month=closed_month(month_key))
    except DomainError as exc:
        _fail(exc)
    db.session.commit()
    recap = outcome.recap
    click.echo(f"{unit.slug} {outcome.month.key}: {'first run' if outcome.first_run else 'already run'}; "
               f"publication: {outcome.publication}; complaints received {recap.get('received', 0)}, "
               f"handled {recap.get('handled', 0)}/{recap.get('to_handle', 0)}; "
               f"follow-up actions proposed {outcome.proposed}; "
               f"e-mailed to {outcome.emailed_to} office head(s).")  # fmt: skip


@click.command("auto-publish")
@click.argument("unit_slug")
@click.argument("choice", type=click.Choice(["on", "off"]))
@with_appcontext
def auto_publish_command(unit_slug: str, choice: str) -> None:
    """Choose whether `flask monthly` publishes each closed month of a unit by itself."""
    from analytics.publishing import set_auto_publish

    set_auto_publish(unit=_unit(unit_slug), on=choice == "on", updated_by="cli")
    db.session.commit()
    click.echo(f"Automatic monthly publication for {unit_slug}: {choice}.")


@click.command("evidence")
@click.option("--unit", "unit_slug", help="Unit slug.")
@click.option("--year", type=click.IntRange(2000, 2100), help="Calendar year, e.g. 2026.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="PACK.zip")
@click.option("--queued", is_flag=True, help="Build the packs asked for on the web (for cron; safe on two hosts).")
@with_appcontext
def evidence_command(unit_slug: str | None, year: int | None, output: str | None, queued: bool) -> None:
    """Write the Zona Integritas evidence pack (ZIP with manifest.json/.csv and SHA256SUMS) of a unit for a year,
    or, with --queued, build the packs staff asked for on the web."""
    if queued:
        _build_queued()
        return
    if not (unit_slug and year and output):
        raise click.UsageError("Give --unit, --year and --output (or --queued).")
    from analytics.evidence import write_pack
    from analytics.evidence.pack import missing_items

    unit = _unit(unit_slug)
    with open(output, "wb") as fh:
        manifest = write_pack(unit=unit, year=year, out=fh)
    missing = missing_items(manifest)
    click.echo(f"Wrote {output}: {len(manifest['files'])} files.")
    if missing:
        click.echo("Not yet supported by the data (see belum-tersedia/ in the pack): " + ", ".join(missing))


def _build_queued() -> None:
    """Claim and build every pack waiting, each claim committed before its build; report failures at the end."""
    from analytics.evidence.queue import build_claimed, claim_next

    built = failed = 0
    while (pack := claim_next()) is not None:
        db.session.commit()
        try:
            build_claimed(pack)
        except Exception as exc:  # noqa: BLE001  (recorded on the pack; the next pack is still built)
            failed += 1
            click.echo(f"Pack {pack.id} failed: {exc}", err=True)
        else:
            built += 1
        db.session.commit()
    click.echo(f"Evidence packs built: {built}, failed: {failed}.")
    if failed:
        sys.exit(1)


CLOSING_THE_LOOP = (monthly_command, auto_publish_command, evidence_command)
