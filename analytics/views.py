"""Public results pages: each unit's published SKM results and their frozen posters. Read-only, no login."""

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for

from analytics import data
from analytics.complaints import complaint_stats
from analytics.snapshot import Snapshot
from app import clock
from app.directory import get_unit_by_slug

bp = Blueprint("results", __name__, url_prefix="/hasil")
COMPLAINT_FORM_ENDPOINTS = ("complaints.index", "complaints.form")  # the public complaint page, if installed


@bp.route("/")
def index():
    """List every unit's latest published IKM and this year's complaint figures (no personal data)."""
    latest = [(p, Snapshot.from_json(p.snapshot)) for p in data.latest_publications()]
    return render_template("analytics/public_index.html", publications=latest, **_complaints(None))


@bp.route("/<unit_slug>")
def unit_results(unit_slug: str):
    """Show a unit's published results, newest period first, with the posters and its complaint figures."""
    unit = get_unit_by_slug(unit_slug)
    if unit is None:
        abort(404)
    publications = [(p, Snapshot.from_json(p.snapshot)) for p in data.publications(unit.id)]
    return render_template("analytics/public_unit.html", unit=unit, publications=publications, **_complaints(unit.id))


def _complaints(unit_id: int | None) -> dict:
    """This year's complaint figures (counts only, no WBS) and the link to the complaint form, if it exists."""
    link = next((url_for(e) for e in COMPLAINT_FORM_ENDPOINTS if e in current_app.view_functions), None)
    return {"complaints": complaint_stats(period=clock.current_period("year"), unit_id=unit_id), "complaints_url": link}


@bp.route("/<unit_slug>/<period_key>/poster.<fmt>")
def published_poster(unit_slug: str, period_key: str, fmt: str):
    """Serve the poster frozen at publication (stored in the database, nothing recomputed)."""
    unit = get_unit_by_slug(unit_slug)
    publication = data.publication(unit.id, period_key) if unit and len(period_key) <= 30 else None
    body = getattr(publication, f"poster_{fmt}", None) if fmt in ("pdf", "png") and publication else None
    if body is None:
        abort(404)
    response = Response(body, mimetype="application/pdf" if fmt == "pdf" else "image/png")
    # A withdrawn or republished poster must not linger: short caching, revalidated by the publication's id.
    response.headers["Cache-Control"] = "public, max-age=300"
    response.set_etag(f"publication-{publication.id}-{fmt}")
    response.make_conditional(request)
    if fmt == "pdf":
        response.headers["Content-Disposition"] = f'inline; filename="ikm-{unit.slug}-{period_key}.pdf"'
    return response


@bp.record_once
def _register_frozen_periods(state) -> None:
    """Tell the shell which periods are frozen (the survey's import warns before writing into one)."""
    from analytics.snapshot import frozen_periods
    from app.periods import FROZEN_LOOKUP

    state.app.extensions[FROZEN_LOOKUP] = frozen_periods
