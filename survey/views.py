"""Public survey pages: the counter's questionnaire and the thank-you page."""

import secrets
import time

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from app import rate_limits
from app.auth import Permission
from app.clock import today
from app.directory import AccessMode, Service, counter_access, get_counter, offered_services
from app.errors import Message
from app.extensions import csrf, db, limiter
from app.i18n import N_, mark_shared_device, select_locale, switch_locale
from app.periods import period_of
from app.text import ascii_int
from survey import kiosks, stuffing, tokens
from survey import service as survey_service
from survey.forms import error_summary, form_check_failure, read_submission
from survey.models import Channel
from survey.questionnaire import EDUCATIONS, ELEMENTS, GENDERS, OCCUPATIONS

bp = Blueprint("survey", __name__, url_prefix="/s")

DEVICE_COOKIE = "skm_device"
DEVICE_COOKIE_SECONDS = 24 * 3600  # longer than the repeat check's window, short enough to say so plainly


@bp.before_request
def limit_body_size() -> None:
    """A questionnaire is a few hundred bytes: refuse large bodies early (413)."""
    request.max_content_length = current_app.config["SURVEY_MAX_BODY"]
    request.max_form_memory_size = current_app.config["SURVEY_MAX_BODY"]


def _code_limit() -> str:
    return current_app.config["SURVEY_CODE_LIMIT"]


def _no_code() -> bool:
    return not request.args.get("t")


def _code_key() -> str:
    """Wrong codes are counted per browser where it has our cookie (the code page sets it), else per address:
    one citizen's typos on the office Wi-Fi never lock out the next."""
    return f"{request.remote_addr}/{request.cookies.get(DEVICE_COOKIE, '')}"


def _may_assist(counter) -> bool:
    """Whether the logged-in user may enter answers for a citizen at this counter (counter work for its unit)."""
    user = current_user
    return user.is_authenticated and user.can(Permission.COUNTER_WORK) and user.covers_unit(counter.unit_id)


def _load_counter(unit_slug: str, counter_slug: str):
    counter = get_counter(unit_slug, counter_slug)
    if counter is None or not counter.active:
        abort(404)
    return counter


def _kiosk(counter):
    """The registered kiosk of this counter the request comes from, or None; a kiosk never remembers a language."""
    kiosk = kiosks.recognised(counter)
    if kiosk is not None:
        mark_shared_device()
    return kiosk


def _render(counter, *, status=200, errors=None, values=None, token=None, kiosk=False):
    services = offered_services(counter)
    values = values or {}
    if "layanan" not in values:
        wanted = request.args.get("layanan", "")
        if len(services) == 1:
            values["layanan"] = str(services[0].id)
        elif ascii_int(wanted) is not None:
            values["layanan"] = wanted
    return render_template(
        "survey/form.html",
        summary=error_summary(errors or {}),
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
        retention=int(stuffing.retention().total_seconds() // 60),
    ), status


def _with_device_cookie(response):
    """Give a browser its long-lived anonymous device id (hashed before it is ever stored)."""
    if not request.cookies.get(DEVICE_COOKIE):
        response.set_cookie(
            DEVICE_COOKIE,
            secrets.token_urlsafe(18),
            max_age=DEVICE_COOKIE_SECONDS,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


# The blank questionnaire of a static counter is the same for every citizen, so each
# worker keeps it rendered for a short while (derived data: losing it costs one render; a directory change
# shows after at most FORM_CACHE_SECONDS). Kiosk, token and assisted counters, staff and error pages are not cached.
FORM_CACHE_SECONDS = 30


def _cached_form(unit_slug: str, counter_slug: str):
    if current_user.is_authenticated or request.args.get("t") or kiosks.claims_kiosk():
        return None
    layanan = request.args.get("layanan", "")
    key = (unit_slug, counter_slug, select_locale(), layanan if ascii_int(layanan) is not None else "")
    now = time.monotonic()
    cache = current_app.extensions.setdefault("survey_form_cache", {})
    hit = cache.get(key)
    if hit is None or hit[0] < now:
        counter = _load_counter(unit_slug, counter_slug)
        if counter.access_mode != AccessMode.STATIC:
            return None
        html, _status = _render(counter)
        if len(cache) > 512:
            cache.clear()
        hit = cache[key] = (now + FORM_CACHE_SECONDS, html)
    return hit[1]


def _refusal(counter, message: str, status: int):
    return render_template("survey/closed.html", counter=counter, message=message), status


@bp.route("/<unit_slug>/<counter_slug>", methods=["GET"])
@limiter.limit(
    _code_limit, key_func=_code_key, exempt_when=_no_code, deduct_when=lambda response: response.status_code >= 400
)
def form(unit_slug: str, counter_slug: str):
    """Show the questionnaire for a counter (a token counter first asks for the code from the receipt)."""
    cached = _cached_form(unit_slug, counter_slug)
    if cached is not None:
        return _with_device_cookie(current_app.make_response(cached))
    counter = _load_counter(unit_slug, counter_slug)
    kiosk = _kiosk(counter) is not None
    if counter.access_mode == AccessMode.ASSISTED and not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path))
    if counter.access_mode == AccessMode.ASSISTED and not _may_assist(counter):
        abort(403)
    token = None
    if counter.access_mode == AccessMode.TOKEN:
        raw = request.args.get("t")
        if not raw:
            return _code_page(counter, kiosk=kiosk)
        try:
            survey_service.check_code(counter, raw)
        except survey_service.TokenUsedError as exc:
            return _refusal(counter, exc.by_field()["token"], 409)
        except survey_service.SurveyError as exc:
            return _code_page(counter, kiosk=kiosk, error=exc.by_field()["token"], typed=raw, status=400)
        token = tokens.normalize(raw)
    return _with_device_cookie(current_app.make_response(_render(counter, token=token, kiosk=kiosk)))


def _code_page(counter, *, kiosk: bool, error: Message | None = None, typed: str = "", status: int = 200):
    """A token counter's first page: where to find the code, and a field to type it."""
    page = render_template("survey/code.html", counter=counter, kiosk=kiosk, error=error, typed=typed[:40])
    return _with_device_cookie(current_app.make_response((page, status)))


@bp.route("/<unit_slug>/<counter_slug>", methods=["POST"])
@rate_limits.limit("SURVEY_POST_LIMIT")  # one direct count, the cheapest check of the hottest path
@csrf.exempt  # checked below by the browser's origin headers (survey.forms.form_check_failure)
def submit(unit_slug: str, counter_slug: str):
    """Record a submitted questionnaire, or show it again with every answer and what to fix (400).

    A language button posts the form too: the same answers come back in the other language, nothing is stored.
    An answer that is stored needs only the counter's access rule (`counter_access`, read fresh every time); the
    counter and its services are loaded in full only to draw a page.
    """
    access = counter_access(unit_slug, counter_slug)
    if access is None or not access.active:
        abort(404)
    if access.access_mode == AccessMode.ASSISTED and not _may_assist(access):
        abort(403)
    if request.mimetype != "application/x-www-form-urlencoded":
        abort(415)  # the form sends nothing else (no file, no JSON): nothing else is parsed
    registered = _kiosk(access)
    kiosk = registered is not None
    page = _Page(unit_slug, counter_slug, kiosk)
    if failure := form_check_failure(request):  # a forged post is neither stored, nor shown, nor obeyed
        return page.render(status=400, errors={"form": failure})
    values = request.form.to_dict()
    page.values, page.token = values, tokens.normalize(values.get("t"))
    if switch_locale(request.form.get("lang", "")):
        return page.render()
    sub = read_submission(request.form)
    if sub.errors or not (access.offers(sub.service_id) or _known_service(sub.service_id)):
        return _with_device_cookie(current_app.make_response(page.render(status=400, errors=_input_errors(sub))))
    try:
        survey_service.record_response(
            counter=access,
            service_id=sub.service_id,
            answers=sub.answers,
            profile=sub.profile,
            channel=Channel.KIOSK if kiosk else Channel.ONLINE,
            assisted=sub.assisted and _may_assist(access),
            token=sub.token,
            device_id=f"kiosk-{registered.id}" if kiosk else request.cookies.get(DEVICE_COOKIE),
            ip=request.remote_addr,
        )
    except survey_service.SurveyError as exc:
        db.session.rollback()
        return page.refusal(exc)
    db.session.commit()  # no log line: its time and order could tie a response to a visit in the access log
    args = {k: v for k, v in request.args.items() if k == "lang"}
    return redirect(url_for("survey.thanks", unit_slug=unit_slug, counter_slug=counter_slug, **args), code=303)


class _Page:
    """The survey page a refused POST shows again (with every answer), drawn from the counter loaded in full."""

    def __init__(self, unit_slug: str, counter_slug: str, kiosk: bool):
        self.slugs = (unit_slug, counter_slug)
        self.kiosk = kiosk
        self.values: dict | None = None
        self.token: str | None = None

    def counter(self):
        return _load_counter(*self.slugs)

    def render(self, *, status: int = 200, errors: dict | None = None):
        return _render(self.counter(), status=status, errors=errors, values=self.values, token=self.token,
                       kiosk=self.kiosk)  # fmt: skip

    def refusal(self, exc: survey_service.SurveyError):
        """A used code gets the closed page (409); any other refused input the form with what to fix (400)."""
        if isinstance(exc, survey_service.TokenUsedError):
            return _refusal(self.counter(), exc.by_field()["token"], 409)
        return self.render(status=400, errors=exc.by_field())


def _known_service(service_id: int | None) -> bool:
    return db.session.get(Service, service_id) is not None if service_id else False


def _input_errors(sub) -> dict:
    """Every answer, profile and field error of a malformed submission at once (an offered service but a wrong
    answer is refused by record_response instead, as is a known service the counter does not offer)."""
    errors = {**survey_service.input_errors(sub.answers, sub.profile), **sub.errors}
    if "service" not in errors and not _known_service(sub.service_id):
        errors["service"] = Message(N_("Jenis layanan tidak dikenal."))
    return errors


TOO_MANY = N_(
    "Terlalu banyak kiriman dari jaringan ini. Jawaban Anda masih ada di bawah: tunggu beberapa menit, lalu kirim lagi."
)
TOO_MANY_CODES = N_("Terlalu banyak kode salah dari jaringan ini. Tunggu beberapa menit, lalu coba lagi.")


@bp.errorhandler(429)
def too_many(_error):
    """A rate limit reached: the same form with every answer (or the code page), never a bare error page."""
    counter = _load_counter(**request.view_args)
    kiosk = _kiosk(counter) is not None
    if request.endpoint == "survey.submit":
        values = request.form.to_dict()
        token = tokens.normalize(values.get("t"))
        return _render(counter, status=429, errors={"form": Message(TOO_MANY)}, values=values, token=token, kiosk=kiosk)
    return _code_page(counter, kiosk=kiosk, error=Message(TOO_MANY_CODES), typed=request.args.get("t", ""), status=429)


@bp.route("/<unit_slug>/<counter_slug>/terima-kasih")
def thanks(unit_slug: str, counter_slug: str):
    """Thank the respondent and say what happens next; on a kiosk, return to a fresh form after a few seconds."""
    counter = _load_counter(unit_slug, counter_slug)
    kiosk = _kiosk(counter) is not None
    results = None
    if "results.unit_results" in current_app.view_functions:
        results = url_for("results.unit_results", unit_slug=counter.unit.slug)
    period = period_of(today(), "month").label
    return render_template("survey/thanks.html", counter=counter, kiosk=kiosk, results=results, period=period)
