"""Public pages of complaints: intake at /pengaduan/ and /wbs/, receipts, and tracking by code.

Both blueprints serve the same views; the stream follows from the blueprint. No account, no JavaScript. The
tracking code is shown once on the receipt (kept in the session only until then), is never logged, and every
unknown or malformed code gets the same 404 page.
"""

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError, generate_csrf
from werkzeug.exceptions import RequestEntityTooLarge

from app.directory import list_units
from app.errors import Message
from app.extensions import db, limiter
from app.i18n import N_
from complaints import service, tracking
from complaints.forms import CLASSIFICATIONS, SERVICE_FIELDS, WBS_FIELDS, ComplaintForm, WbsForm, read_files
from complaints.models import Complaint, Stream
from complaints.public_pages import (
    CITIZEN_ACTIONS,
    ErrorList,
    action_form,
    done,
    field_errors,
    no_referrer,
    not_found,
    render_track,
)
from survey.questionnaire import ELEMENTS

bp = Blueprint("complaints", __name__, url_prefix="/pengaduan")
wbs_bp = Blueprint("wbs", __name__, url_prefix="/wbs")

CSRF_MESSAGE = N_("Sesi formulir sudah kedaluwarsa. Isian Anda masih ada di bawah; periksa lalu kirim lagi.")
TOO_LARGE_MESSAGE = N_(
    "Kiriman terlalu besar: paling banyak %(count)d lampiran, masing-masing paling besar %(size)s MB. "
    "Isian tidak dapat dibaca; isi lagi formulirnya dengan lampiran yang lebih kecil."
)


@dataclass(frozen=True)
class Desk:
    """What differs between the complaint desk and the WBS desk."""

    stream: Stream
    form_class: type
    template: str
    fields: dict[str, str]

    @property
    def receipt_key(self) -> str:
        """The session key holding the code until the receipt is shown."""
        return f"receipt-{self.stream.value}"


DESKS = {
    "complaints": Desk(Stream.COMPLAINT, ComplaintForm, "complaints/public/form.html", SERVICE_FIELDS),
    "wbs": Desk(Stream.WBS, WbsForm, "complaints/public/wbs_form.html", WBS_FIELDS),
}


def _desk() -> Desk:
    return DESKS[request.blueprint]


def _post_limit() -> str:
    return current_app.config["COMPLAINT_POST_LIMIT"]


def _tracking_limit() -> str:
    return current_app.config["TRACKING_LIMIT"]


# Every look-up and every action on a tracking page counts against one budget per address, in both streams.
_tracking_limited = limiter.shared_limit(_tracking_limit, scope="complaint-tracking")


# -- what a public POST may send -----------------------------------------------------------------------------------

URLENCODED, MULTIPART = "application/x-www-form-urlencoded", "multipart/form-data"
FORM_TEXT_BYTES = 1024 * 1024  # the text fields of any of these forms, with room to spare
RATING_BYTES = 16 * 1024  # a rating is one radio button and the form token


@dataclass(frozen=True)
class Body:
    """What a browser sends to one POST route: its content types, and whether it carries attachments."""

    types: frozenset[str]
    files: bool

    def max_bytes(self) -> int:
        """The largest body worth reading: every attachment at its limit plus the text, or a rating."""
        config = current_app.config
        if not self.files:
            return RATING_BYTES
        return config["COMPLAINT_MAX_ATTACHMENTS"] * config["COMPLAINT_ATTACHMENT_MAX_BYTES"] + FORM_TEXT_BYTES


WITH_FILES = Body(frozenset({URLENCODED, MULTIPART}), files=True)  # multipart from the page, urlencoded from a script
RATING = Body(frozenset({URLENCODED}), files=False)
BODIES = {"submit": WITH_FILES, "add_info": WITH_FILES, "reply": WITH_FILES, "rate": RATING}  # the endpoints


def refuse_other_bodies(endpoint: str | None, _values) -> None:
    """415 for a POST body the route's form never sends (JSON, text, XML...), and the route's size limit (413).

    A URL value preprocessor because Flask runs those before every `before_request` hook, and the CSRF check (one
    of them) parses the form: neither the check nor a view reads a body refused here. A POST without a body and
    without a content type has nothing to parse; the form's own checks answer it.
    """
    body = BODIES.get((endpoint or "").rsplit(".", 1)[-1]) if request.method == "POST" else None
    if body is None:
        return
    if request.mimetype not in body.types and (request.mimetype or request.content_length):
        abort(415)
    limit = body.max_bytes()
    configured = current_app.config.get("MAX_CONTENT_LENGTH")
    request.max_content_length = min(limit, configured) if configured else limit


# -- intake -------------------------------------------------------------------------------------------------------


def _new_form(desk: Desk, *, formdata=True):
    form = desk.form_class() if formdata else desk.form_class(formdata=None)
    units = list_units()
    if desk.stream == Stream.WBS:
        form.fill_units(units, request.args.get("unit"))
    else:
        form.fill(units, request.args.get("unit"))
    return form


def _render_form(desk: Desk, form, errors: ErrorList | None = None, status: int = 200, general=()):
    config = current_app.config
    return render_template(
        desk.template,
        form=form,
        units=list_units(),
        elements=ELEMENTS,
        hints=[hint for _key, _label, hint in CLASSIFICATIONS],
        errors=errors or ErrorList(),
        general=[str(m) for m in general],
        max_mb=config["COMPLAINT_ATTACHMENT_MAX_BYTES"] // (1024 * 1024),
        max_files=config["COMPLAINT_MAX_ATTACHMENTS"],
        retyped_files=status != 200,
    ), status


def form_page():
    """Show the empty intake form."""
    desk = _desk()
    return _render_form(desk, _new_form(desk))


def _arguments(desk: Desk, form) -> dict:
    """The service's keyword arguments from a validated form."""
    common = dict(
        stream=desk.stream, unit_id=form.unit_id, anonymous=form.anonim.data, name=form.nama.data,
        email=form.email.data, phone=form.telepon.data,
    )  # fmt: skip
    if desk.stream == Stream.WBS:
        return common | dict(
            title=form.apa.data, description=form.description(), reported_party=form.siapa.data,
            event_date=form.kapan.day, confidential=True,
        )  # fmt: skip
    return common | dict(
        classification=form.klasifikasi.data, service_id=form.service_id, element=form.unsur.data or None,
        title=form.judul.data, description=form.uraian.data, event_date=form.tanggal.day,
        requested_resolution=form.permintaan.data, confidential=form.rahasia.data,
    )  # fmt: skip


@limiter.limit(_post_limit)
def submit():
    """File the report and answer 303 to the receipt, or show the form again with every error (400)."""
    desk = _desk()
    form = _new_form(desk)
    files, file_problems = read_files(request.files.getlist("lampiran"))
    valid = form.validate()
    errors = field_errors(form, {"lampiran": file_problems})
    if not valid or file_problems:
        return _render_form(desk, form, errors, 400)
    try:
        _complaint, code = service.file_complaint(**_arguments(desk, form), attachments=files)
    except service.ComplaintError as exc:
        db.session.rollback()
        errors.add_messages(exc.messages, desk.fields, form)
        return _render_form(desk, form, errors, 400)
    db.session.commit()
    session[desk.receipt_key] = code
    return redirect(url_for(".receipt"), code=303)


@no_referrer
def receipt():
    """Show the tracking code once, with the verification deadline and how to follow the report."""
    desk = _desk()
    code = session.pop(desk.receipt_key, None)
    complaint = service.find_by_code(code, stream=desk.stream) if code else None
    return render_template(
        "complaints/public/receipt.html",
        code=tracking.display(code) if complaint is not None else None,
        complaint=complaint,
        stream=desk.stream.value,
        verify_days=current_app.config["COMPLAINT_VERIFY_DAYS"],
    )


# -- tracking -----------------------------------------------------------------------------------------------------


@_tracking_limited
@no_referrer
def lookup():
    """Ask for the code; with ?kode= go to its page (303), or the one 404 page when it is not a code."""
    raw = request.args.get("kode")
    if raw is None:
        return render_template("complaints/public/lookup.html", stream=_desk().stream.value)
    code = tracking.display(raw)
    if code is None or _find(code) is None:
        return not_found()
    return redirect(url_for(".track", code=code), code=303)


def _find(code: str) -> Complaint | None:
    return service.find_by_code(code, stream=_desk().stream)


@_tracking_limited
@no_referrer
def track(code: str):
    """Status, dates, deadlines and the office's public responses; nothing of the reporter."""
    complaint = _find(code)
    if complaint is None:
        return not_found()
    canonical = tracking.display(code)
    if code != canonical:
        return redirect(url_for(".track", code=canonical), code=303)
    return render_track(complaint, canonical)


@_tracking_limited
def unknown_address(rest: str):
    """Anything else under /lacak/ (a code with a slash, a POST to the page itself): the same 404 page."""
    return not_found()


def _citizen_action(code: str, action: str):
    """Add information, answer a response, or rate; 303 back to the tracking page, or the page again (400)."""
    complaint = _find(code)
    if complaint is None:
        return not_found()
    spec = CITIZEN_ACTIONS[action]
    form = action_form(action, formdata=True)
    files, file_problems = read_files(request.files.getlist(f"{action}-lampiran")) if spec.files else ([], [])
    valid = form.validate()
    errors = field_errors(form, {"lampiran": file_problems})
    if valid and not file_problems:
        try:
            spec.perform(complaint, form, files)
        except service.ComplaintError as exc:
            db.session.rollback()
            errors.add_messages(exc.messages, SERVICE_FIELDS, form)
        else:
            db.session.commit()
            done(action)
            return redirect(url_for(".track", code=tracking.display(code)), code=303)
    return render_track(complaint, tracking.display(code), active=(action, form, errors), status=400)


@_tracking_limited
@no_referrer
def add_info(code: str):
    """The reporter adds information while the report is open."""
    return _citizen_action(code, "informasi")


@_tracking_limited
@no_referrer
def reply(code: str):
    """The reporter answers the office's response within the window."""
    return _citizen_action(code, "tanggapan")


@_tracking_limited
@no_referrer
def rate(code: str):
    """The reporter rates the handling once it is done."""
    return _citizen_action(code, "penilaian")


# -- errors a form survives ---------------------------------------------------------------------------------------


ACTIONS_BY_ENDPOINT = {"add_info": "informasi", "reply": "tanggapan", "rate": "penilaian"}


def csrf_failed(error: CSRFError):
    """An expired or missing form token: the same page again with everything typed (files must be re-chosen)."""
    generate_csrf()  # a fresh token for the form shown again
    message = Message(CSRF_MESSAGE)
    endpoint = (request.endpoint or "").rsplit(".", 1)[-1]
    if endpoint == "submit":
        desk = _desk()
        form = _new_form(desk)
        return _render_form(desk, form, field_errors(form, {}, validated=False), 400, general=[message])
    if endpoint == "unknown_address":
        return not_found()
    if endpoint in ACTIONS_BY_ENDPOINT:
        code = (request.view_args or {}).get("code", "")
        complaint = _find(code)
        if complaint is None:
            return not_found()
        action = ACTIONS_BY_ENDPOINT[endpoint]
        errors = ErrorList(general=[str(message)])
        form = action_form(action, formdata=True)
        return render_track(complaint, tracking.display(code), active=(action, form, errors), status=400)
    return render_template("errors/error.html", code=400, message=str(message)), 400


def too_large(error: RequestEntityTooLarge):
    """A body over MAX_CONTENT_LENGTH (read by the CSRF check, before any view): it cannot be read, so the form
    comes back empty, with the limits stated."""
    config = current_app.config
    message = Message(
        TOO_LARGE_MESSAGE,
        {"count": config["COMPLAINT_MAX_ATTACHMENTS"], "size": config["COMPLAINT_ATTACHMENT_MAX_BYTES"] // 1048576},
    )
    if request.endpoint and request.endpoint.endswith(".submit"):
        desk = _desk()
        return _render_form(desk, _new_form(desk, formdata=False), None, 413, general=[message])
    return render_template("errors/error.html", code=413, message=str(message)), 413


for _bp in (bp, wbs_bp):
    _bp.add_url_rule("/", "form", form_page, methods=["GET"])
    _bp.add_url_rule("/", "submit", submit, methods=["POST"])
    _bp.add_url_rule("/tanda-terima", "receipt", receipt)
    _bp.add_url_rule("/lacak", "lookup", lookup)
    _bp.add_url_rule("/lacak/<code>", "track", track)
    _bp.add_url_rule("/lacak/<code>/informasi", "add_info", add_info, methods=["POST"])
    _bp.add_url_rule("/lacak/<code>/tanggapan", "reply", reply, methods=["POST"])
    _bp.add_url_rule("/lacak/<code>/penilaian", "rate", rate, methods=["POST"])
    _bp.add_url_rule("/lacak/<path:rest>", "unknown_address", unknown_address, methods=["GET", "POST"])
    _bp.url_value_preprocessor(refuse_other_bodies)
    _bp.register_error_handler(CSRFError, csrf_failed)
    _bp.register_error_handler(RequestEntityTooLarge, too_large)
