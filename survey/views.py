"""Public survey pages: the counter's questionnaire and the thank-you page."""

import secrets
import time

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from app.auth import Permission
from app.directory import AccessMode, Service, get_counter
from app.errors import Message
from app.extensions import db, limiter
from app.i18n import N_, select_locale
from survey import service as survey_service
from survey.forms import SurveyForm, read_submission
from survey.models import Channel
from survey.questionnaire import EDUCATIONS, ELEMENTS, GENDERS, OCCUPATIONS
from survey.tokens import TokenError, check_token

bp = Blueprint("survey", __name__, url_prefix="/s")

DEVICE_COOKIE = "skm_device"


@bp.before_request
def limit_body_size() -> None:
    """A questionnaire is a few hundred bytes: refuse large bodies early (413)."""
    request.max_content_length = current_app.config["SURVEY_MAX_BODY"]
    request.max_form_memory_size = current_app.config["SURVEY_MAX_BODY"]


def _survey_post_limit() -> str:
    return current_app.config["SURVEY_POST_LIMIT"]


def _may_assist(counter) -> bool:
    """Whether the logged-in user may enter answers for a citizen at this counter (counter work for its unit)."""
    user = current_user
    return user.is_authenticated and user.can(Permission.COUNTER_WORK) and user.covers_unit(counter.unit_id)


def _load_counter(unit_slug: str, counter_slug: str):
    counter = get_counter(unit_slug, counter_slug)
    if counter is None or not counter.active:
        abort(404)
    return counter


def _render(counter, *, status=200, errors=None, values=None, token=None, kiosk=False, csrf_value=None):
    services = survey_service.counter_services(counter)
    values = values or {}
    if "layanan" not in values:
        wanted = request.args.get("layanan", "")
        if len(services) == 1:
            values["layanan"] = str(services[0].id)
        elif wanted.isascii() and wanted.isdigit():
            values["layanan"] = wanted
    return render_template(
        "survey/form.html",
        counter=counter,
        services=services,
        elements=ELEMENTS,
        genders=GENDERS,
        educations=EDUCATIONS,
        occupations=OCCUPATIONS,
        errors=errors or {},
        values=values,
        token=token,
        kiosk=kiosk,
        staff=_may_assist(counter),
        csrf_value=csrf_value or generate_csrf(),
    ), status


def _with_device_cookie(response):
    """Give a browser its long-lived anonymous device id (hashed before it is ever stored)."""
    if not request.cookies.get(DEVICE_COOKIE):
        response.set_cookie(
            DEVICE_COOKIE,
            secrets.token_urlsafe(18),
            max_age=2 * 365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


# The blank questionnaire of a static counter is the same for every citizen but for the CSRF token, so each
# worker keeps it rendered for a short while (derived data: losing it costs one render; a directory change
# shows after at most FORM_CACHE_SECONDS). Token and assisted counters, staff and error pages are never cached.
FORM_CACHE_SECONDS = 30
_CSRF_PLACEHOLDER = "CSRFTOKENPLACEHOLDER"


def _cached_form(unit_slug: str, counter_slug: str, kiosk: bool):
    if current_user.is_authenticated or request.args.get("t"):
        return None
    layanan = request.args.get("layanan", "")
    key = (unit_slug, counter_slug, select_locale(), kiosk, layanan if layanan.isdigit() else "")
    now = time.monotonic()
    cache = current_app.extensions.setdefault("survey_form_cache", {})
    hit = cache.get(key)
    if hit is None or hit[0] < now:
        counter = _load_counter(unit_slug, counter_slug)
        if counter.access_mode != AccessMode.STATIC:
            return None
        html, _status = _render(counter, kiosk=kiosk, csrf_value=_CSRF_PLACEHOLDER)
        if len(cache) > 512:
            cache.clear()
        hit = cache[key] = (now + FORM_CACHE_SECONDS, html)
    return hit[1].replace(_CSRF_PLACEHOLDER, generate_csrf())


def _refusal(counter, message: str, status: int):
    return render_template("survey/closed.html", counter=counter, message=message), status


@bp.route("/<unit_slug>/<counter_slug>", methods=["GET"])
def form(unit_slug: str, counter_slug: str):
    """Show the questionnaire for a counter."""
    kiosk = request.args.get("kiosk") == "1"
    cached = _cached_form(unit_slug, counter_slug, kiosk)
    if cached is not None:
        return _with_device_cookie(current_app.make_response(cached))
    counter = _load_counter(unit_slug, counter_slug)
    token = request.args.get("t") or None
    if counter.access_mode == AccessMode.ASSISTED and not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path))
    if counter.access_mode == AccessMode.ASSISTED and not _may_assist(counter):
        abort(403)
    if counter.access_mode == AccessMode.TOKEN:
        if not token:
            return _refusal(counter, Message(survey_service.TOKEN_REQUIRED), 403)
        try:
            token_hash = check_token(token, counter_id=counter.id)
        except TokenError as exc:
            return _refusal(counter, exc.messages[0], 403)
        if survey_service.token_spent(token_hash):
            return _refusal(counter, Message(survey_service.TOKEN_USED), 409)
    return _with_device_cookie(current_app.make_response(_render(counter, token=token, kiosk=kiosk)))


@bp.route("/<unit_slug>/<counter_slug>", methods=["POST"])
@limiter.limit(_survey_post_limit)
def submit(unit_slug: str, counter_slug: str):
    """Record a submitted questionnaire, or show it again with the errors (400)."""
    counter = _load_counter(unit_slug, counter_slug)
    if counter.access_mode == AccessMode.ASSISTED and not _may_assist(counter):
        abort(403)
    form = SurveyForm()
    kiosk = request.args.get("kiosk") == "1"
    if not form.validate_on_submit():  # only the CSRF token lives on the WTForms side
        abort(400)
    sub = read_submission(request.form)
    values = request.form.to_dict()
    service = db.session.get(Service, sub.service_id) if sub.service_id else None
    if sub.errors or service is None:
        errors = dict(sub.errors)
        if service is None and "service" not in errors:
            errors["service"] = Message(N_("Jenis layanan tidak dikenal."))
        return _with_device_cookie(
            current_app.make_response(
                _render(counter, status=400, errors=errors, values=values, token=sub.token, kiosk=kiosk)
            )
        )
    try:
        response = survey_service.submit_response(
            counter=counter,
            service=service,
            answers=sub.answers,
            profile=sub.profile,
            channel=Channel.KIOSK if kiosk else Channel.ONLINE,
            assisted=sub.assisted and _may_assist(counter),
            token=sub.token,
            device_id=request.cookies.get(DEVICE_COOKIE),
            ip=request.remote_addr,
        )
    except survey_service.TokenUsedError as exc:
        db.session.rollback()
        return _refusal(counter, exc.by_field()["token"], 409)
    except survey_service.SurveyError as exc:
        db.session.rollback()
        return _render(counter, status=400, errors=exc.by_field(), values=values, token=sub.token, kiosk=kiosk)
    response_id, counter_id = response.id, counter.id  # read before commit expires them
    db.session.commit()
    current_app.logger.info("Survey response %s stored for counter %s", response_id, counter_id)
    args = {"kiosk": "1"} if kiosk else {}
    return redirect(url_for("survey.thanks", unit_slug=unit_slug, counter_slug=counter_slug, **args), code=303)


@bp.route("/<unit_slug>/<counter_slug>/terima-kasih")
def thanks(unit_slug: str, counter_slug: str):
    """Thank the respondent; on a kiosk, return to a fresh form after a few seconds."""
    counter = _load_counter(unit_slug, counter_slug)
    kiosk = request.args.get("kiosk") == "1"
    return render_template("survey/thanks.html", counter=counter, kiosk=kiosk)
