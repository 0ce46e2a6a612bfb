"""Kiosks: tablets at a counter that staff registered, recognised by a signed cookie.

Kiosk mode changes two things: the form resets itself between citizens, and the anti-stuffing checks count
answers per kiosk instead of per device (one tablet serves a queue). So it is a setting staff make on the device
itself, never something a link can ask for: a phone that adds ``?kiosk=1`` gets the ordinary form and checks.
"""

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

from app import audit, clock
from app.extensions import db
from survey.models import Kiosk

COOKIE = "skm_kiosk"
COOKIE_SECONDS = 5 * 366 * 24 * 3600  # a tablet stays a kiosk until staff switch it off
_SALT = "survey.kiosk"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=_SALT)


def register(counter, *, label: str, actor) -> Kiosk:
    """Register a kiosk for a counter (audited). Flushes, does not commit."""
    kiosk = Kiosk(counter_id=counter.id, label=label, registered_on=clock.today(), registered_by=actor.username)
    db.session.add(kiosk)
    db.session.flush()
    audit.record(audit.Action.KIOSK_REGISTERED, actor=actor, object_type="kiosk", object_id=kiosk.id,
                 unit_id=counter.unit_id)  # fmt: skip
    return kiosk


def switch_off(kiosk: Kiosk, *, actor) -> None:
    """End kiosk mode on that tablet (audited); its next page is the ordinary form. Flushes, does not commit."""
    kiosk.active = False
    db.session.flush()
    audit.record(audit.Action.KIOSK_SWITCHED_OFF, actor=actor, object_type="kiosk", object_id=kiosk.id,
                 unit_id=kiosk.counter.unit_id)  # fmt: skip


def counter_kiosks(counter) -> list[Kiosk]:
    """A counter's kiosks, active ones first, newest first."""
    query = db.select(Kiosk).where(Kiosk.counter_id == counter.id).order_by(Kiosk.active.desc(), Kiosk.id.desc())
    return list(db.session.scalars(query))


def cookie_value(kiosk: Kiosk) -> str:
    """The signed identity a kiosk's browser carries."""
    return _serializer().dumps([kiosk.id, kiosk.counter_id])


def set_cookie(response, kiosk: Kiosk):
    """Make the browser that receives `response` this kiosk."""
    response.set_cookie(
        COOKIE,
        cookie_value(kiosk),
        max_age=COOKIE_SECONDS,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


def claims_kiosk() -> bool:
    """Whether this browser says it is a kiosk (not yet checked: see `recognised`)."""
    return COOKIE in request.cookies


def recognised(counter) -> Kiosk | None:
    """The active kiosk of `counter` this request comes from, or None (no cookie, a forged or foreign one, or a
    kiosk switched off)."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        kiosk_id, counter_id = _serializer().loads(raw)
    except (BadSignature, TypeError, ValueError):
        return None
    if counter_id != counter.id or not isinstance(kiosk_id, int):
        return None
    kiosk = db.session.get(Kiosk, kiosk_id)
    return kiosk if kiosk is not None and kiosk.active and kiosk.counter_id == counter.id else None
