"""Staff pages of the survey: a counter's QR poster, one-time codes, kiosks; paper imports in `survey.imports_staff`."""

from datetime import timedelta

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectChoice, StringField, ValidationError
from wtforms.validators import DataRequired, Length, NumberRange

from app import clock
from app.auth import Permission, permission_required
from app.directory import AccessMode, Counter
from app.extensions import db
from app.text import clean

bp = Blueprint("survey_staff", __name__, url_prefix="/admin")


@bp.before_request
@permission_required(Permission.COUNTER_WORK)
def require_counter_work() -> None:
    """Counter staff (and administrators) only, and only for counters and units their account covers (404)."""
    args = request.view_args or {}
    if "counter_id" in args:
        counter = db.get_or_404(Counter, args["counter_id"])
        if not current_user.covers_unit(counter.unit_id):
            abort(404)
    if "unit_id" in args and not current_user.covers_unit(args["unit_id"]):
        abort(404)


# The most slips one web download draws: 30 A4 pages, about ten seconds on a 2-core machine. A larger PDF would
# outlast a worker's timeout (gunicorn's default is 30 s) after its codes were stored, so they would never be handed
# out. `flask survey tokens --format pdf` draws a whole batch (up to 5000).
PDF_MAX_ON_THE_WEB = 630


class TokenForm(FlaskForm):
    count = IntegerField(_l("Jumlah kode"), default=63, validators=[DataRequired(), NumberRange(1, 5000)])
    fmt = RadioField(
        _l("Bentuk unduhan"),
        choices=[
            SelectChoice("pdf", _l("Lembar potong A4 (PDF)")),
            SelectChoice("csv", _l("CSV untuk sistem antrean")),
        ],
        default="pdf",
    )

    def validate_count(self, field) -> None:
        if self.fmt.data == "pdf" and field.data and field.data > PDF_MAX_ON_THE_WEB:
            raise ValidationError(
                _l(
                    "Lembar PDF paling banyak %(n)d kode sekali unduh; untuk lebih banyak, unduh lagi atau pilih CSV.",
                    n=PDF_MAX_ON_THE_WEB,
                )
            )


class KioskForm(FlaskForm):
    label = StringField(
        _l("Nama perangkat"),
        default=lambda: _("Tablet loket"),
        validators=[DataRequired(), Length(max=80)],
        filters=[clean],
    )


def _download(body, mimetype: str, filename: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    return Response(body, mimetype=mimetype, headers=headers)


@bp.route("/counters/<int:counter_id>/poster.<fmt>")
def counter_poster(counter_id: int, fmt: str):
    """Download a counter's A4 QR poster as PDF or PNG."""
    from survey.counter_poster import poster_of

    if fmt not in ("pdf", "png"):
        abort(404)
    counter = db.get_or_404(Counter, counter_id)
    data = poster_of(counter, fmt=fmt)
    mimetype = "application/pdf" if fmt == "pdf" else "image/png"
    return _download(data, mimetype, f"poster-qr-{counter.unit.slug}-{counter.slug}.{fmt}")


@bp.route("/counters/<int:counter_id>/tokens", methods=["GET", "POST"])
def counter_tokens(counter_id: int):
    """Issue one-time codes for a token counter and hand them out, once, as cut-out slips (PDF) or CSV."""
    from survey import slips
    from survey.tokens import issue_tokens

    counter = db.get_or_404(Counter, counter_id)
    if counter.access_mode != AccessMode.TOKEN:
        abort(404)
    form = TokenForm()
    if form.validate_on_submit():
        issued = issue_tokens(counter=counter, count=form.count.data)
        db.session.commit()  # before drawing: slips take seconds, and must not hold the database's write lock
        if form.fmt.data == "csv":
            return _download(slips.token_csv(issued), "text/csv", slips.filename(issued, "csv"))
        return _download(slips.token_slips(issued), "application/pdf", slips.filename(issued, "pdf"))
    days = current_app.config["SURVEY_TOKEN_MAX_AGE_DAYS"]
    valid_until = clock.today() + timedelta(days=days)
    status = 400 if form.is_submitted() else 200
    return render_template(
        "survey/staff/tokens.html", form=form, counter=counter, valid_until=valid_until, days=days
    ), status


@bp.route("/counters/<int:counter_id>/kiosks", methods=["GET", "POST"])
def counter_kiosks(counter_id: int):
    """A counter's kiosks. Registering one turns the browser that sends the form into that kiosk and logs its
    officer out there: the tablet is left showing the survey, with no staff account open on it."""
    from survey import kiosks

    counter = db.get_or_404(Counter, counter_id)
    if counter.access_mode == AccessMode.ASSISTED:
        abort(404)  # an assisted counter's form needs an officer logged in; a kiosk has none
    form = KioskForm()
    if form.validate_on_submit():
        kiosk = kiosks.register(counter, label=form.label.data, actor=current_user)
        db.session.commit()
        logout_user()
        session.clear()
        target = url_for("survey.form", unit_slug=counter.unit.slug, counter_slug=counter.slug)
        return kiosks.set_cookie(redirect(target, code=303), kiosk)
    return render_template(
        "survey/staff/kiosks.html", form=form, counter=counter, kiosks=kiosks.counter_kiosks(counter),
        switch_off=FlaskForm(),
    ), 400 if form.is_submitted() else 200  # fmt: skip


@bp.route("/counters/<int:counter_id>/kiosks/<int:kiosk_id>/off", methods=["POST"])
def switch_off_kiosk(counter_id: int, kiosk_id: int):
    """Switch a kiosk off: that tablet shows the ordinary survey from its next page."""
    from survey import kiosks
    from survey.models import Kiosk

    kiosk = db.get_or_404(Kiosk, kiosk_id)
    if kiosk.counter_id != counter_id:
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if kiosk.active:
        kiosks.switch_off(kiosk, actor=current_user)
        db.session.commit()
    flash(_("Kios “%(label)s” dimatikan.", label=kiosk.label), "success")
    return redirect(url_for("survey_staff.counter_kiosks", counter_id=counter_id))


from survey import imports_staff  # noqa: E402, F401  (the import pages, on this blueprint)
