"""Staff pages of analytics: the office head's dashboard, downloads, population entry, publishing, withdrawal."""

import io
from datetime import timedelta

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from analytics import data
from analytics.data import AGE_BANDS, Selection
from app import audit, clock
from app.audit import Action
from app.auth import Permission, permission_required
from app.directory import Unit, list_units
from app.errors import DomainError, flash_errors
from app.extensions import db
from app.i18n import N_
from app.links import results_url
from app.periods import PeriodError, parse_period, period_of
from app.text import ascii_int
from survey.questionnaire import EDUCATIONS, GENDERS, OCCUPATIONS
from survey.stuffing import FLAG_LABELS

bp = Blueprint("analytics", __name__, url_prefix="/analitik")

FILTERS = {"jk": "gender", "pendidikan": "education", "pekerjaan": "occupation", "usia": "age_band"}
FILTER_CHOICES = {
    "gender": {key for key, _ in GENDERS},
    "education": {key for key, _ in EDUCATIONS},
    "occupation": {key for key, _ in OCCUPATIONS},
    "age_band": {label for _, _, label in AGE_BANDS},
}
MIMETYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


PUBLISHING = frozenset(
    {"analytics.set_population", "analytics.publish", "analytics.withdraw", "analytics.auto_publish_choice"}
)


@bp.before_request
@permission_required(Permission.VIEW_RESULTS)
def require_results_reader() -> None:
    """Dashboards need VIEW_RESULTS, publishing PUBLISH_RESULTS; a unit-scoped account sees only its unit (404)."""
    if request.endpoint in PUBLISHING and not current_user.can(Permission.PUBLISH_RESULTS):
        abort(403)
    unit_id = (request.view_args or {}).get("unit_id")
    if unit_id is not None and not current_user.covers_unit(unit_id):
        abort(404)


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    if value == "":
        return None
    number = ascii_int(value)
    if number is None:
        abort(400)
    return number


def _period_arg(value: str | None, errors: list[str] | None = None):
    """The period asked for (this month when none); a mistyped one is a 400, or this month with its message added
    to `errors` when the caller shows it on the page."""
    try:
        return parse_period(value) if value else clock.current_period("month")
    except PeriodError as exc:
        if errors is None:
            abort(400)
        errors.append(str(exc))
        return clock.current_period("month")


def _request_selection(period_errors: list[str] | None = None):
    """Read unit, period, service, counter and respondent-group filters from the query string (400 on junk)."""
    units = [u for u in list_units() if current_user.covers_unit(u.id)]
    slug = request.args.get("unit") or (units[0].slug if units else None)
    unit = next((u for u in units if u.slug == slug), None)
    if unit is None:
        abort(404)
    period = _period_arg(request.args.get("periode"), period_errors)
    filters = {}
    for arg, field in FILTERS.items():
        value = request.args.get(arg) or None
        if value is not None and value not in FILTER_CHOICES[field]:
            abort(400)
        filters[field] = value
    service_id, counter_id = _int_arg("layanan"), _int_arg("loket")
    if service_id is not None and service_id not in {s.id for s in unit.services}:
        abort(404)
    if counter_id is not None and counter_id not in {c.id for c in unit.counters}:
        abort(404)
    selection = Selection(unit_id=unit.id, service_id=service_id, counter_id=counter_id, **filters)
    return units, unit, period, selection


def _dashboard(period_errors: list[str] | None = None):
    from analytics.dashboard import build_dashboard

    units, unit, period, selection = _request_selection(period_errors)
    live = request.args.get("sementara") == "1"
    dashboard = build_dashboard(unit_id=unit.id, unit_name=unit.name, period=period, selection=selection, live=live)
    return units, unit, dashboard


def _quick_periods():
    this_month = clock.current_period("month")
    previous = period_of(this_month.start - timedelta(days=1), "month")
    return [this_month, previous] + [clock.current_period(kind) for kind in ("quarter", "semester", "year")]


@bp.route("/")
def dashboard():
    """Show the IKM of a unit for a period, per element, service, counter and respondent group; a mistyped period
    shows this month with the message beside the field (400)."""
    from analytics.followup_progress import dashboard_panel
    from analytics.monthly import auto_publish

    period_errors: list[str] = []
    units, unit, dash = _dashboard(period_errors)
    page = render_template(
        "analytics/dashboard.html",
        followup=dashboard_panel(unit_id=unit.id, period=dash.period, today=dash.today),
        units=units,
        unit=unit,
        dash=dash,
        history=data.publication_history(unit.id, dash.period.key),
        auto_publish=auto_publish(unit.id),
        quick_periods=_quick_periods(),
        genders=GENDERS,
        flag_labels=FLAG_LABELS,
        educations=EDUCATIONS,
        occupations=OCCUPATIONS,
        age_bands=[label for _, _, label in AGE_BANDS],
        args=request.args.to_dict(),
        period_error=period_errors[0] if period_errors else None,
    )
    return page, 400 if period_errors else 200


def _download(body: bytes, filename: str) -> Response:
    mimetype = MIMETYPES[filename.rsplit(".", 1)[1]]
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    return Response(body, mimetype=mimetype, headers=headers)


def _file_stem(kind: str, unit: Unit, dash) -> str:
    stem = f"{kind}-{unit.slug}-{dash.period.key}"
    if dash.filtered:
        stem += "-terfilter"
    if dash.provisional:
        stem += "-sementara"
    return stem


@bp.route("/poster.<fmt>")
def poster(fmt: str):
    """Download the notice-board IKM poster of the selected period (PDF or PNG)."""
    from analytics.ikm_poster import ikm_poster

    if fmt not in ("pdf", "png"):
        abort(404)
    _units, unit, dash = _dashboard()
    body = ikm_poster(dash, results_url=results_url(unit), fmt=fmt)
    return _download(body, f"{_file_stem('poster-ikm', unit, dash)}.{fmt}")


@bp.route("/laporan.pdf")
def report():
    """Download the SKM report (BAB I-V with the calculation sheet) of the selected period."""
    from analytics.report import skm_report_pdf

    _units, unit, dash = _dashboard()
    return _download(skm_report_pdf(dash), f"{_file_stem('laporan-skm', unit, dash)}.pdf")


@bp.route("/laporan.docx")
def report_docx():
    """Download the same SKM report as a Word document, for the office to finish and sign."""
    from analytics.report import skm_report_docx

    _units, unit, dash = _dashboard()
    return _download(skm_report_docx(dash), f"{_file_stem('laporan-skm', unit, dash)}.docx")


@bp.route("/ekspor.xlsx")
def export():
    """Download the period's responses and tabulations as an Excel workbook (written as a stream)."""
    from analytics.export import export_workbook

    _units, unit, dash = _dashboard()
    limit = current_app.config["WEB_EXPORT_MAX_ROWS"]
    if dash.result.respondents > limit:
        # The workbook costs about 0.9 ms of CPU per respondent (each is written on "Responden" and on the calculation
        # sheets; 5,000 rows: 4.4 s, measured 2026-11-28): a big export belongs to the CLI, not a web worker.
        message = _(
            "Periode ini memuat %(n)d respons, di atas batas unduhan langsung (%(limit)d). Buat berkasnya dengan: "
            "flask --app app report --unit %(unit)s --period %(period)s --format xlsx -o data.xlsx",
            n=dash.result.respondents, limit=limit, unit=unit.slug, period=dash.period.key,
        )  # fmt: skip
        return render_template("errors/error.html", code=413, message=message), 413
    buffer = io.BytesIO()  # at most WEB_EXPORT_MAX_ROWS rows: a compressed workbook of about 1.4 MB
    export_workbook(dash, buffer)
    audit.record(Action.EXPORT, actor=current_user, object_type="survey_responses", unit_id=unit.id,
                 detail=f"xlsx {dash.period.key}{' filtered' if dash.filtered else ''}")  # fmt: skip
    db.session.commit()
    return _download(buffer.getvalue(), f"{_file_stem('skm', unit, dash)}.xlsx")


def _back(unit: Unit, period_key: str | None = None):
    return redirect(url_for("analytics.dashboard", unit=unit.slug, periode=period_key or None), code=303)


@bp.route("/units/<int:unit_id>/populasi", methods=["POST"])
def set_population(unit_id: int):
    """Record the number of service recipients of a period (the base of the minimum sample)."""
    from analytics.publishing import PublishingError
    from analytics.publishing import set_population as store_population

    unit = db.get_or_404(Unit, unit_id)
    period_key = request.form.get("periode", "")[:40]
    population = ascii_int(request.form.get("populasi", "").strip())
    try:
        if population is None:
            raise PublishingError({"population": N_("Populasi harus bilangan bulat positif.")})
        store_population(unit=unit, period_key=period_key, population=population)
    except DomainError as exc:
        db.session.rollback()
        flash_errors(exc)
        return _back(unit)
    db.session.commit()
    flash(_("Populasi disimpan."), "success")
    return _back(unit, period_key)


@bp.route("/units/<int:unit_id>/publikasi", methods=["GET", "POST"])
def publish(unit_id: int):
    """Show what publishing a period freezes and ask for confirmation; on confirmation, publish it."""
    from analytics.dashboard import build_dashboard
    from analytics.publishing import publish_period

    unit = db.get_or_404(Unit, unit_id)
    period = _period_arg(request.values.get("periode", "")[:40] or None)
    if request.method == "POST" and request.form.get("konfirmasi") == "1":
        done = _("Hasil %(period)s dipublikasikan dan dibekukan.", period=period.label)
        shown = request.form.get("responden", "")
        expected = int(shown) if shown.isascii() and shown.isdigit() and len(shown) <= 9 else None

        def publish_it():
            publish_period(unit=unit, period=period, published_by=current_user.username,
                           expected_respondents=expected, actor=current_user)  # fmt: skip

        return _commit(unit, period, publish_it, done)
    # What publishing would freeze: the default figures of an unpublished period; a published one shows live data.
    published = data.publication(unit.id, period.key) is not None
    dash = build_dashboard(unit_id=unit.id, unit_name=unit.name, period=period, live=published)
    status = 400 if request.method == "POST" else 200
    return render_template("analytics/publish.html", unit=unit, dash=dash, unconfirmed=status == 400), status


@bp.route("/units/<int:unit_id>/penarikan", methods=["POST"])
def withdraw(unit_id: int):
    """Withdraw a period's publication, with a reason; the figures become live again."""
    from analytics.publishing import withdraw_publication

    unit = db.get_or_404(Unit, unit_id)
    period = _period_arg(request.form.get("periode", "")[:40] or None)
    reason = request.form.get("alasan", "")
    done = _("Publikasi %(period)s ditarik; angka kembali dihitung dari data terkini.", period=period.label)

    def withdraw_it():
        withdraw_publication(unit=unit, period=period, withdrawn_by=current_user.username, reason=reason,
                             actor=current_user)  # fmt: skip

    return _commit(unit, period, withdraw_it, done)


def _commit(unit: Unit, period, action, done: str):
    """Run a publishing action and commit, flashing `done`; a broken rule is flashed and nothing is written."""
    try:
        action()
    except DomainError as exc:
        db.session.rollback()
        flash_errors(exc)
        return _back(unit, period.key)
    db.session.commit()
    flash(done, "success")
    return _back(unit, period.key)


@bp.route("/units/<int:unit_id>/otomatis", methods=["POST"])
def auto_publish_choice(unit_id: int):
    """Turn on or off the monthly job's publication of each closed month (`flask monthly`)."""
    from analytics.publishing import set_auto_publish

    unit = db.get_or_404(Unit, unit_id)
    choice = request.form.get("otomatis")
    if choice not in ("1", "0"):
        abort(400)
    set_auto_publish(unit=unit, on=choice == "1", updated_by=current_user.username, actor=current_user)
    db.session.commit()
    flash(_("Publikasi otomatis bulanan diaktifkan.") if choice == "1" else _("Publikasi otomatis bulanan dimatikan."),
          "success")  # fmt: skip
    return _back(unit, request.form.get("periode", "")[:40] or None)
