"""Survey submission: one response per submission, NULL for unanswered, 4xx for bad input."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from survey.models import Channel, Response
from tests.factories import count_responses, survey_form

URL = "/s/dpmptsp-uji/loket-1"


def test_form_renders_all_nine_questions_without_script(client, demo):
    page = client.get(URL)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for i in range(1, 10):
        assert f"name=u{i} value=4" in html
    assert "<script" not in html
    assert "Perizinan Berusaha" in html  # the counter's one service is pre-selected


def test_one_submission_stores_exactly_one_response_with_its_answers(client, demo):
    data = survey_form(
        demo.izin.id,
        u1="1",
        u2="2",
        u3="3",
        u4="4",
        u5="1",
        u6="2",
        u7="3",
        u8="4",
        u9="2",
        jenis_kelamin="P",
        usia="34",
        pendidikan="S1",
        pekerjaan="WIRAUSAHA",
        saran="Antrean lama",
    )
    result = client.post(URL, data=data)
    assert result.status_code == 303
    assert result.headers["Location"].endswith("/s/dpmptsp-uji/loket-1/terima-kasih")
    assert count_responses() == 1
    response = db.session.scalar(sa.select(Response))
    assert response.scores() == {"U1": 1, "U2": 2, "U3": 3, "U4": 4, "U5": 1, "U6": 2, "U7": 3, "U8": 4, "U9": 2}
    assert (response.unit_id, response.service_id, response.counter_id) == (demo.unit.id, demo.izin.id, demo.static.id)
    assert (response.gender, response.age, response.education, response.occupation) == ("P", 34, "S1", "WIRAUSAHA")
    assert response.suggestion == "Antrean lama"
    assert response.channel == Channel.ONLINE and not response.assisted
    assert client.get(result.headers["Location"]).status_code == 200


def test_unanswered_items_are_stored_as_null_never_zero(client, demo):
    client.post(URL, data=survey_form(demo.izin.id, u4="__omit__", u8=""))
    response = db.session.scalar(sa.select(Response))
    assert response.u4 is None and response.u8 is None
    assert response.u1 == 4
    # and in the database itself, not only in the ORM object
    assert db.session.scalar(sa.select(sa.func.count()).where(Response.u4.is_(None))) == 1
    assert db.session.scalar(sa.select(sa.func.count()).where(Response.u4 == 0)) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("u3", "0", "harus 1, 2, 3, atau 4"),
        ("u3", "5", "harus 1, 2, 3, atau 4"),
        ("u3", "-1", "harus 1, 2, 3, atau 4"),
        ("u3", "tiga", "harus 1, 2, 3, atau 4"),
        ("u3", "2.5", "harus 1, 2, 3, atau 4"),
        ("usia", "tiga puluh", "Usia harus berupa angka"),
        ("usia", "7", "Usia harus 10-120"),
        ("jenis_kelamin", "X", "Jenis kelamin tidak dikenal"),
        ("pendidikan", "SMK2", "Pendidikan tidak dikenal"),
        ("saran", "x" * 2001, "Saran maks. 2000"),
    ],
)
def test_bad_values_get_a_message_and_store_nothing(client, demo, field, value, message):
    result = client.post(URL, data=survey_form(demo.izin.id, **{field: value}))
    assert result.status_code == 400
    assert message in result.get_data(as_text=True)
    assert count_responses() == 0


def test_rejected_form_keeps_the_citizens_other_answers(client, demo):
    result = client.post(URL, data=survey_form(demo.izin.id, u3="9", u5="2", saran="Bagus"))
    html = result.get_data(as_text=True)
    assert "name=u5 value=2 checked" in html and "Bagus" in html


def test_missing_fields_are_refused(client, demo):
    no_answers = {"layanan": str(demo.izin.id)}
    result = client.post(URL, data=no_answers)
    assert result.status_code == 400 and "Jawab setidaknya satu pertanyaan" in result.get_data(as_text=True)
    result = client.post(URL, data=survey_form(None))  # no service field at all
    assert result.status_code == 400 and "Pilih jenis layanan" in result.get_data(as_text=True)
    assert count_responses() == 0


def test_service_must_be_one_the_counter_offers(client, demo):
    result = client.post(URL, data=survey_form(demo.konsultasi.id))
    assert result.status_code == 400
    result = client.post(URL, data=survey_form(999999))
    assert result.status_code == 400
    assert count_responses() == 0


def test_counter_with_several_services_lets_the_citizen_choose(client, demo):
    html = client.get("/s/dpmptsp-uji/loket-2").get_data(as_text=True)
    assert "<select name=layanan required>" in html and "PBG" in html and "Konsultasi" in html
    assert "Perizinan Berusaha" not in html
    preselected = client.get(f"/s/dpmptsp-uji/loket-2?layanan={demo.konsultasi.id}").get_data(as_text=True)
    assert f"<option value={demo.konsultasi.id} selected>" in preselected
    assert client.post("/s/dpmptsp-uji/loket-2", data=survey_form(demo.konsultasi.id)).status_code == 303
    assert db.session.scalar(sa.select(Response.service_id)) == demo.konsultasi.id


def test_oversize_body_is_refused_with_413(client, demo):
    result = client.post(URL, data=survey_form(demo.izin.id, saran="x" * 40000))
    assert result.status_code == 413
    assert "terlalu besar" in result.get_data(as_text=True)
    assert count_responses() == 0


def test_unknown_counter_is_404(client, demo):
    assert client.get("/s/dpmptsp-uji/tidak-ada").status_code == 404
    assert client.post("/s/tidak-ada/loket-1", data=survey_form(demo.izin.id)).status_code == 404


def test_inactive_counter_takes_no_responses(client, demo):
    demo.static.active = False
    db.session.commit()
    assert client.get(URL).status_code == 404
    assert client.post(URL, data=survey_form(demo.izin.id)).status_code == 404


CROSS_SITE = {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}


@pytest.mark.parametrize(
    "headers",
    [CROSS_SITE, {"Sec-Fetch-Site": "same-site"}, {"Origin": "https://evil.example"}, {"Origin": "null"}],
)
def test_a_post_from_another_site_is_refused_shown_blank_and_obeyed_in_nothing(client, demo, headers):
    """A forged post is not stored, its text is not shown back under our name, and its language switch is ignored."""
    data = survey_form(demo.izin.id, u3="2", usia="41", saran="Petugas X minta uang", lang="en")
    result = client.post(URL, data=data, headers=headers)
    assert result.status_code == 400
    html = result.get_data(as_text=True)
    assert "dikirim dari situs lain tidak disimpan" in html and "<html lang=id>" in html
    assert " checked" not in html and "41" not in html and "Petugas X" not in html
    assert not [h for h in result.headers.getlist("Set-Cookie") if h.startswith("lang=")]
    assert count_responses() == 0


@pytest.mark.parametrize(
    "headers",
    [{"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}, {"Origin": "http://localhost"}, {}],
)
def test_a_post_from_the_form_needs_no_session_or_cookie(client, demo, headers):
    """Same-origin by the browser's own headers (or no browser headers at all: an old browser or a program)."""
    client.delete_cookie("skm_session")
    assert client.post(URL, data=survey_form(demo.izin.id), headers=headers).status_code == 303
    assert count_responses() == 1


def test_the_survey_page_sets_no_session_cookie(client, demo):
    cookies = [h.split("=")[0] for h in client.get(URL).headers.getlist("Set-Cookie")]
    assert cookies == ["skm_device"]


# --- static counter: flag, do not block --------------------------------------------------------------------


def test_repeat_from_the_same_device_is_flagged_not_blocked(client, demo):
    client.get(URL)  # sets the device cookie
    assert client.post(URL, data=survey_form(demo.izin.id, u1="3")).status_code == 303
    assert client.post(URL, data=survey_form(demo.izin.id, u1="2")).status_code == 303
    flags = list(db.session.scalars(sa.select(Response.flags).order_by(Response.id)))
    assert flags == ["", "device_repeat"]


def test_identical_answers_in_a_burst_are_flagged(app, demo):
    app.config["STUFFING_IDENTICAL_BURST"] = 3
    script = app.test_client()  # a program posting without cookies, from one address
    for _ in range(3):
        assert script.post(URL, data=survey_form(demo.izin.id)).status_code == 303
    flags = list(db.session.scalars(sa.select(Response.flags).order_by(Response.id)))
    assert flags == ["no_device", "no_device", "no_device identical_burst"]


def test_honest_phones_on_one_office_wifi_are_not_flagged(app, demo):
    """Five phones behind the office's one Wi-Fi address, all answering "very good": no flag."""
    app.config["STUFFING_IDENTICAL_BURST"] = 3
    for _ in range(5):
        phone = app.test_client()
        phone.get(URL)
        assert phone.post(URL, data=survey_form(demo.izin.id)).status_code == 303
    assert set(db.session.scalars(sa.select(Response.flags))) == {""}


def test_many_responses_from_one_address_are_flagged(app, demo):
    app.config["STUFFING_IP_BURST"] = 3
    for i in range(3):
        browser = app.test_client()
        browser.get(URL)
        browser.post(URL, data=survey_form(demo.izin.id, u1=str(i + 1)))
    flags = list(db.session.scalars(sa.select(Response.flags).order_by(Response.id)))
    assert flags == ["", "", "ip_burst"]


def test_post_without_device_cookie_is_flagged(client, demo):
    assert client.post(URL, data=survey_form(demo.izin.id)).status_code == 303
    assert db.session.scalar(sa.select(Response.flags)) == "no_device"


def test_device_cookie_is_http_only_and_lives_one_day(client, demo):
    cookie = [h for h in client.get(URL).headers.getlist("Set-Cookie") if h.startswith("skm_device=")][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=86400" in cookie


def test_no_ip_or_cookie_value_is_stored(client, demo):
    client.get(URL)
    device = client.get_cookie("skm_device").value
    client.post(URL, data=survey_form(demo.izin.id), environ_base={"REMOTE_ADDR": "10.1.2.3"})
    from survey.models import StuffingCount

    keys = dict(db.session.execute(sa.select(StuffingCount.kind, StuffingCount.key_hash)).all())
    assert set(keys) == {"address", "device", "pattern"}
    assert all(len(key) == 64 and "10.1.2.3" not in key and device not in key for key in keys.values())


# --- assisted entry ----------------------------------------------------------------------------------------


def test_assisted_counter_requires_an_officer_and_flags_the_response(client, demo, admin):
    page = client.get("/s/dpmptsp-uji/meja")
    assert page.status_code == 302 and "/auth/login" in page.headers["Location"]
    assert client.post("/s/dpmptsp-uji/meja", data=survey_form(demo.izin.id)).status_code == 403
    client.post("/auth/login", data={"username": "admin", "password": "correct horse battery"})
    assert client.get("/s/dpmptsp-uji/meja").status_code == 200
    assert client.post("/s/dpmptsp-uji/meja", data=survey_form(demo.pbg.id)).status_code == 303
    response = db.session.scalar(sa.select(Response))
    assert response.assisted is True
    assert response.flags == ""  # an officer's device is not a stuffing signal


def test_officer_can_mark_assisted_on_a_static_counter(client, demo, login):
    assert "dibantu" in client.get(URL).get_data(as_text=True)
    client.post(URL, data=survey_form(demo.izin.id, dibantu="1"))
    assert db.session.scalar(sa.select(Response.assisted)) is True


def test_citizen_cannot_self_declare_assisted(client, demo):
    client.post(URL, data=survey_form(demo.izin.id, dibantu="1"))
    assert db.session.scalar(sa.select(Response.assisted)) is False
