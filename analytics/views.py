"""Dashboards for the office head (admin) and the public results page. Read-only."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext as _

from analytics import data
from analytics.data import AGE_BANDS, Selection
from app.auth import admin_required
from app.directory import get_unit_by_slug, list_units
from app.links import public_url
from app.periods import PeriodError, parse_period, period_of
from survey.questionnaire import EDUCATIONS, GENDERS, OCCUPATIONS

bp = Blueprint("analytics", __name__, url_prefix="/analitik")
public_bp = Blueprint("results", __name__, url_prefix="/hasil")

FILTERS = {"jk": "gender", "pendidikan": "education", "pekerjaan": "occupation", "usia": "age_band"}


@bp.before_request
@admin_required
def require_admin() -> None:
    """Dashboards are for logged-in administrators."""


def _today():
    return datetime.now(ZoneInfo(current_app.config["OFFICE_TIMEZONE"])).date()


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    if value == "":
        return None
    if not value.isdigit() or len(value) > 9:
        abort(400)
    return int(value)


def _request_selection():
    """Read unit, period, service, counter and respondent-group filters from the query string (400 on junk)."""
    units = list_units()
    slug = request.args.get("unit") or (units[0].slug if units else None)
    unit = next((u for u in units if u.slug == slug), None)
    if unit is None:
        abort(404)
    key = request.args.get("periode") or period_of(_today(), "month").key
    try:
        period = parse_period(key)
    except PeriodError:
        abort(400)
    filters = {}
    for arg, field in FILTERS.items():
        value = request.args.get(arg) or None
        if value is not None and len(value) > 20:
            abort(400)
        filters[field] = value
    selection = Selection(unit_id=unit.id, service_id=_int_arg("layanan"), counter_id=_int_arg("loket"), **filters)
    return units, unit, period, selection


def _dashboard():
    from analytics.reports import build_dashboard

    units, unit, period, selection = _request_selection()
    dashboard = build_dashboard(unit_id=unit.id, unit_name=unit.name, period=period, selection=selection)
    return units, unit, dashboard


def _quick_periods():
    today = _today()
    this_month = period_of(today, "month")
    previous = period_of(this_month.start - timedelta(days=1), "month")
    return [this_month, previous, period_of(today, "quarter"), period_of(today, "semester"), period_of(today, "year")]


@bp.route("/")
def dashboard():
    """Show the IKM of a unit for a period, per element, service, counter and respondent group."""
    units, unit, dash = _dashboard()
    return render_template(
        "analytics/dashboard.html",
        units=units,
        unit=unit,
        dash=dash,
        quick_periods=_quick_periods(),
        genders=GENDERS,
        educations=EDUCATIONS,
        occupations=OCCUPATIONS,
        age_bands=[label for _, _, label in AGE_BANDS],
        args=request.args,
    )


def results_url(unit) -> str:
    return public_url("results.unit_results", unit_slug=unit.slug)


@bp.route("/poster.<fmt>")
def poster(fmt: str):
    """Download the notice-board poster of the selected period (PDF or PNG)."""
    from analytics.poster import ikm_poster

    if fmt not in ("pdf", "png"):
        abort(404)
    _units, unit, dash = _dashboard()
    body = ikm_poster(dash, results_url=results_url(unit), fmt=fmt)
    return _download(body, f"poster-ikm-{unit.slug}-{dash.period.key}.{fmt}")


@bp.route("/laporan.pdf")
def report():
    """Download the SKM report (BAB I-V with the calculation sheet) of the selected period."""
    from analytics.report_pdf import skm_report_pdf
    from analytics.reports import frozen_note

    _units, unit, dash = _dashboard()
    body = skm_report_pdf(dash, frozen_note=frozen_note(dash))
    return _download(body, f"laporan-skm-{unit.slug}-{dash.period.key}.pdf")


@bp.route("/ekspor.xlsx")
def export():
    """Download the period's responses and tabulations as an Excel workbook (written as a stream)."""
    from analytics.export import export_workbook
    from analytics.reports import frozen_note

    _units, unit, dash = _dashboard()
    limit = current_app.config["WEB_EXPORT_MAX_ROWS"]
    if dash.result.respondents > limit:
        # openpyxl writes about 4,000 rows/s: a big export belongs to the CLI, not a web worker.
        message = _(
            "Periode ini memuat %(n)d respons, di atas batas unduhan langsung (%(limit)d). Buat berkasnya dengan: "
            "flask --app app report --unit %(unit)s --period %(period)s --format xlsx -o data.xlsx",
            n=dash.result.respondents, limit=limit, unit=unit.slug, period=dash.period.key,
        )  # fmt: skip
        return render_template("errors/error.html", code=413, message=message), 413
    buffer = io.BytesIO()  # at most WEB_EXPORT_MAX_ROWS rows: a compressed workbook of a few MB
    export_workbook(dash, buffer, frozen_note=frozen_note(dash))
    return _download(buffer.getvalue(), f"skm-{unit.slug}-{dash.period.key}.xlsx")


def _download(body: bytes, filename: str) -> Response:
    mimetype = {
        "pdf": "application/pdf",
        "png": "image/png",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }[filename.rsplit(".", 1)[1]]
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --- public results ---------------------------------------------------------------------------------------


@public_bp.route("/")
def index():
    """List every unit's latest published IKM (no personal data)."""
    latest = {}
    for publication in data.publications():
        latest.setdefault(publication.unit_id, publication)
    return render_template("analytics/public_index.html", publications=list(latest.values()))


@public_bp.route("/<unit_slug>")
def unit_results(unit_slug: str):
    """Show a unit's published results, newest period first, with the posters."""
    unit = get_unit_by_slug(unit_slug)
    if unit is None:
        abort(404)
    return render_template("analytics/public_unit.html", unit=unit, publications=data.publications(unit.id))


@public_bp.route("/<unit_slug>/<period_key>/poster.<fmt>")
def published_poster(unit_slug: str, period_key: str, fmt: str):
    """Serve the poster frozen at publication (stored in the database, nothing recomputed)."""
    unit = get_unit_by_slug(unit_slug)
    publication = data.publication(unit.id, period_key) if unit else None
    body = getattr(publication, f"poster_{fmt}", None) if fmt in ("pdf", "png") and publication else None
    if body is None:
        abort(404)
    response = Response(body, mimetype="application/pdf" if fmt == "pdf" else "image/png")
    response.headers["Cache-Control"] = "public, max-age=86400"
    if fmt == "pdf":
        response.headers["Content-Disposition"] = f'inline; filename="ikm-{unit.slug}-{period_key}.pdf"'
    return response
