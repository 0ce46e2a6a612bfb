"""Kiosks: a tablet staff registered at a counter (survey/kiosks.py), never a URL parameter a phone can add."""

import pytest
import sqlalchemy as sa

from app.audit import AuditEntry
from app.extensions import db
from survey import kiosks
from survey.models import Channel, Kiosk, Response
from tests.factories import as_kiosk, log_in, make_kiosk, make_user, survey_form

URL = "/s/dpmptsp-uji/loket-1"
THANKS = URL + "/terima-kasih"


def _flags() -> list[str]:
    return list(db.session.scalars(sa.select(Response.flags).order_by(Response.id)))


# --- what a registered kiosk does ----------------------------------------------------------------------------


def test_a_kiosk_returns_to_a_fresh_form(client, demo):
    as_kiosk(client, demo.static)
    form = client.get(URL)
    html = form.get_data(as_text=True)
    assert 'id="kiosk"' in html and "<script>" in html
    assert 'http-equiv="refresh"' not in html  # never reloads under a citizen; its script waits for inactivity
    assert "autocomplete=off" in html
    assert form.headers["Cache-Control"] == "no-store"
    result = client.post(URL, data=survey_form(demo.izin.id, u2="1"))
    assert result.status_code == 303 and result.headers["Location"] == THANKS
    thanks = client.get(THANKS).get_data(as_text=True)
    assert f'content="8;url={URL}"' in thanks
    fresh = client.get(URL).get_data(as_text=True)
    assert " checked" not in fresh
    assert db.session.scalar(sa.select(Response.channel)) == Channel.KIOSK


def test_a_kiosk_starts_every_form_in_indonesian(client, demo):
    as_kiosk(client, demo.static)
    english = client.post(URL, data={"lang": "en", "u1": "3"})
    assert english.status_code == 200 and "<html lang=en>" in english.get_data(as_text=True)
    assert not [h for h in english.headers.getlist("Set-Cookie") if h.startswith("lang=")]
    client.set_cookie("lang", "en")  # even a cookie left by a phone visit does not carry over
    assert "<html lang=id>" in client.get(URL).get_data(as_text=True)


def test_kiosks_count_bursts_per_kiosk_not_per_address(app, demo):
    app.config["STUFFING_IP_BURST"] = 4
    tablets = [app.test_client(), app.test_client()]
    for tablet in tablets:
        as_kiosk(tablet, demo.static)
    for i in range(3):  # six citizens in turn on two kiosks sharing the office address
        for tablet in tablets:
            assert tablet.post(URL, data=survey_form(demo.izin.id, u1=str(i + 1))).status_code == 303
    assert set(_flags()) == {""}


def test_a_busy_kiosk_is_still_flagged_past_its_burst(app, demo):
    app.config["STUFFING_IP_BURST"] = 3
    tablet = app.test_client()
    as_kiosk(tablet, demo.static)
    for i in range(3):
        assert tablet.post(URL, data=survey_form(demo.izin.id, u1=str(i + 1))).status_code == 303
    assert _flags() == ["", "", "ip_burst"]


# --- a phone cannot make itself a kiosk ------------------------------------------------------------------------


def test_kiosk_in_the_url_leaves_every_check_on(app, demo):
    """A phone adding ?kiosk=1 gets the ordinary form, and its repeats are flagged as any phone's."""
    phone = app.test_client()
    page = phone.get(URL + "?kiosk=1").get_data(as_text=True)
    assert 'id="kiosk"' not in page and "<script" not in page
    for score in ("3", "2"):
        assert phone.post(URL + "?kiosk=1", data=survey_form(demo.izin.id, u1=score)).status_code == 303
    assert _flags() == ["", "device_repeat"]
    assert set(db.session.scalars(sa.select(Response.channel))) == {Channel.ONLINE}


@pytest.mark.parametrize("forgery", ["junk", "unsigned", "other secret", "other counter", "switched off"])
def test_a_forged_or_foreign_kiosk_cookie_is_an_ordinary_phone(app, demo, forgery):
    from itsdangerous import URLSafeSerializer

    kiosk, genuine = make_kiosk(demo.multi if forgery == "other counter" else demo.static)
    if forgery == "switched off":
        kiosk.active = False
        db.session.commit()
    cookie = {
        "junk": "x" * 40,
        "unsigned": f"[{kiosk.id}, {demo.static.id}]",
        "other secret": URLSafeSerializer("another-secret-key-long-enough", salt="survey.kiosk").dumps(
            [kiosk.id, demo.static.id]
        ),
    }.get(forgery, genuine)
    phone = app.test_client()
    phone.set_cookie(kiosks.COOKIE, cookie)
    assert 'id="kiosk"' not in phone.get(URL).get_data(as_text=True)
    for score in ("3", "2"):
        assert phone.post(URL, data=survey_form(demo.izin.id, u1=score)).status_code == 303
    assert _flags() == ["", "device_repeat"]
    assert set(db.session.scalars(sa.select(Response.channel))) == {Channel.ONLINE}


# --- staff register a kiosk on the tablet and switch it off ----------------------------------------------------


def test_staff_register_the_tablet_they_use_and_are_logged_out_of_it(app, demo):
    officer = make_user("loket", unit=demo.unit)
    tablet = app.test_client()
    log_in(tablet, officer)
    page = tablet.get(f"/admin/counters/{demo.static.id}/kiosks")
    assert page.status_code == 200 and "Jadikan perangkat ini kios" in page.get_data(as_text=True)

    result = tablet.post(f"/admin/counters/{demo.static.id}/kiosks", data={"label": "Tablet\x00 loket 1"})
    assert result.status_code == 303 and result.headers["Location"] == URL
    cookie = next(h for h in result.headers.getlist("Set-Cookie") if h.startswith(kiosks.COOKIE + "="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and f"Max-Age={kiosks.COOKIE_SECONDS}" in cookie
    kiosk = db.session.scalar(sa.select(Kiosk))
    assert (kiosk.label, kiosk.registered_by, kiosk.active) == ("Tablet loket 1", officer.username, True)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "kiosk_registered"))
    assert (entry.actor_id, entry.object_id, entry.unit_id) == (officer.id, kiosk.id, demo.unit.id)

    assert tablet.get("/admin/").status_code == 302  # no officer is left logged in on the tablet
    assert 'id="kiosk"' in tablet.get(URL).get_data(as_text=True)

    desk = app.test_client()
    log_in(desk, officer)
    listing = desk.get(f"/admin/counters/{demo.static.id}/kiosks").get_data(as_text=True)
    assert "Tablet loket 1" in listing and "Matikan" in listing
    off = desk.post(f"/admin/counters/{demo.static.id}/kiosks/{kiosk.id}/off")
    assert off.status_code == 302
    db.session.refresh(kiosk)
    assert kiosk.active is False
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "kiosk_switched_off")) is not None
    assert 'id="kiosk"' not in tablet.get(URL).get_data(as_text=True)  # at the tablet's next page


def test_kiosk_pages_are_for_the_counters_own_staff(app, demo):
    from app import directory

    other = directory.create_unit(name="Dinas Lain", slug="dinas-lain")
    db.session.commit()
    stranger = make_user("loket", unit=other)
    client = app.test_client()
    log_in(client, stranger)
    assert client.get(f"/admin/counters/{demo.static.id}/kiosks").status_code == 404
    assert client.post(f"/admin/counters/{demo.static.id}/kiosks", data={"label": "x"}).status_code == 404
    kiosk, _cookie = make_kiosk(demo.static)
    assert client.post(f"/admin/counters/{demo.static.id}/kiosks/{kiosk.id}/off").status_code == 404
    db.session.refresh(kiosk)
    assert kiosk.active is True and db.session.scalar(sa.select(sa.func.count(Kiosk.id))) == 1


def test_an_assisted_counter_has_no_kiosk_and_a_kiosk_belongs_to_its_counter(app, demo, login):
    assert login.get(f"/admin/counters/{demo.assisted.id}/kiosks").status_code == 404
    kiosk, _cookie = make_kiosk(demo.static)
    assert login.post(f"/admin/counters/{demo.multi.id}/kiosks/{kiosk.id}/off").status_code == 404
    assert login.post(f"/admin/counters/{demo.static.id}/kiosks", data={"label": ""}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Kiosk.id))) == 1


def test_what_the_kiosk_says_it_keeps_is_what_it_keeps(app, demo):
    """ "Dicatat sebagai jawaban lewat kios, tanpa tanda tablet yang mana": a kiosk's answer differs from a phone's
    with the same answers only by its channel, and the anti-stuffing counts hold no kiosk id or label."""
    from survey.models import StuffingCount

    tablet, phone = app.test_client(), app.test_client()
    kiosk = as_kiosk(tablet, demo.static, label="Tablet-Ruang-Tunggu")
    assert "tanpa tanda tablet yang mana" in tablet.get(URL).get_data(as_text=True)
    phone.get(URL)
    for client in (tablet, phone):
        assert client.post(URL, data=survey_form(demo.izin.id, u1="2", saran="Cepat")).status_code == 303
    rows = [
        {c.key: getattr(r, c.key) for c in Response.__table__.columns if c.key not in ("id", "channel")}
        for r in db.session.scalars(sa.select(Response).order_by(Response.id))
    ]
    assert rows[0] == rows[1]
    assert "kiosk" not in {c.key for c in Response.__table__.columns} - {"channel"}
    keys = list(db.session.scalars(sa.select(StuffingCount.key_hash)))
    assert keys and not any(str(kiosk.id) == k or "Tablet" in k for k in keys)
