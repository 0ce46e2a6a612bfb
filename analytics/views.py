"""Public results pages: each unit's published SKM results and their frozen posters. Read-only, no login."""

import functools

from babel.numbers import get_decimal_symbol, get_group_symbol
from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import get_locale
from werkzeug.http import is_resource_modified

from analytics import data, publication_log
from analytics.complaints import complaint_stats
from analytics.followup_progress import public_rows
from analytics.ikm import decimal_text
from analytics.snapshot import Headline, Snapshot
from app import clock
from app.directory import get_unit_by_slug

bp = Blueprint("results", __name__, url_prefix="/hasil")


@bp.app_template_filter("dec")
def decimal_filter(value, places: int = 2) -> str:
    """A figure on any page, half-up to `places` decimals as the reports print it, with the language's decimal
    comma or point ("76,25" in Indonesian, "76.25" in English); "–" for no data."""
    if value is None:
        return "–"
    decimal, group = _number_symbols(str(get_locale()))
    return decimal_text(value, places, decimal=decimal, group=group)


@functools.cache
def _number_symbols(locale: str) -> tuple[str, str]:
    """A language's decimal and group signs (Babel looks them up in its locale data on every call)."""
    return get_decimal_symbol(locale), get_group_symbol(locale)


COMPLAINT_FORM_ENDPOINTS = ("complaints.index", "complaints.form")  # the public complaint page, if installed
POSTER_TYPES = {"png": "image/png", "pdf": "application/pdf"}
# Public and shared caches may keep a poster 5 minutes, then revalidate it (a 304 that reads no poster). Not a
# day: the same URL turns 404 when the publication is withdrawn (figures found wrong), and wrong official figures
# must not stay served from a cache for long after that.
POSTER_CACHE = "public, max-age=300"


@bp.route("/")
def index():
    """List every unit's latest published IKM and this year's complaint figures (no personal data).

    One statement reads each unit's latest publication, whatever the number of publications: its headline only.
    """
    latest = [(row, Headline.from_json(row.snapshot)) for row in data.latest_publications()]
    return render_template("analytics/public_index.html", publications=latest, **_complaints(None))


@bp.route("/<unit_slug>")
def unit_results(unit_slug: str):
    """Show a unit's published results, newest period first, with the posters and its complaint figures.

    Every period shows its headline; only the newest one's elements and services are read in full.
    """
    unit = get_unit_by_slug(unit_slug)
    if unit is None:
        abort(404)
    rows = data.unit_publications(unit.id)
    publications = [(row, Headline.from_json(row.snapshot)) for row in rows]
    newest = Snapshot.from_json(rows[0].snapshot) if rows else None
    links = publication_log.online_links(unit.id)
    followups = public_rows(unit.id, [row.period_key for row in rows], today=clock.today())
    return render_template("analytics/public_unit.html", unit=unit, publications=publications, newest=newest,
                           links=links, followups=followups, **_complaints(unit.id))  # fmt: skip


def _complaints(unit_id: int | None) -> dict:
    """This year's complaint figures (counts only, no WBS) and the link to the complaint form, if it exists."""
    link = next((url_for(e) for e in COMPLAINT_FORM_ENDPOINTS if e in current_app.view_functions), None)
    return {"complaints": complaint_stats(period=clock.current_period("year"), unit_id=unit_id), "complaints_url": link}


@bp.route("/<unit_slug>/<period_key>/poster.<fmt>")
def published_poster(unit_slug: str, period_key: str, fmt: str):
    """Serve a poster frozen at publication, from the database: the only page that reads a poster's bytes.

    The URL names a unit's period, whose publication can be withdrawn or replaced: the ETag names the publication,
    so a cache revalidates cheaply (304 without reading the poster) and a withdrawn poster is a 404 on revalidation.
    """
    found = data.poster_publication(unit_slug, period_key) if fmt in POSTER_TYPES and len(period_key) <= 30 else None
    if found is None:
        abort(404)
    etag = f"publication-{found}-{fmt}"
    response = Response(mimetype=POSTER_TYPES[fmt])
    response.headers["Cache-Control"] = POSTER_CACHE
    response.set_etag(etag)
    if fmt == "pdf":
        response.headers["Content-Disposition"] = f'inline; filename="ikm-{unit_slug}-{period_key}.pdf"'
    if not is_resource_modified(request.environ, etag=etag):
        response.status_code = 304
        return response
    body = data.poster_bytes(found, fmt)
    if body is None:
        abort(404)
    response.set_data(body)
    return response


@bp.record_once
def _register_frozen_periods(state) -> None:
    """Tell the shell which periods are frozen (the survey's import warns before writing into one)."""
    from analytics.snapshot import frozen_periods
    from app.periods import FROZEN_LOOKUP

    state.app.extensions[FROZEN_LOOKUP] = frozen_periods
