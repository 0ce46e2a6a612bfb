"""Personal data in respondents' suggestions: the screen (app.redact), the report's Lampiran D, and hiding a
suggestion from the report (survey.staff_suggestions)."""

import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.dashboard import build_dashboard
from analytics.report import skm_report_pdf
from app.audit import Action, AuditEntry
from app.extensions import db
from app.periods import month
from app.redact import EMAIL_MASK, NAME_MASK, NUMBER_MASK, mask_personal_data
from survey.models import HiddenSuggestion
from tests.factories import log_in, make_response, make_user, pdf_text

NIK = "6474012345678901"
PHONE = "0812-3456-7890"
EMAIL = "budi.santoso@contoh.co.id"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"NIK saya {NIK} mohon dibantu", f"NIK saya {NUMBER_MASK} mohon dibantu"),
        ("NIK: 6474 0123 4567 8901.", f"NIK: {NUMBER_MASK}."),
        (f"hubungi {PHONE} atau +62 812 3456 7890", f"hubungi {NUMBER_MASK} atau {NUMBER_MASK}"),
        ("telp kantor (0541) 123456", f"telp kantor {NUMBER_MASK}"),
        (f"email {EMAIL}, terima kasih", f"email {EMAIL_MASK}, terima kasih"),
        ("Nama saya Budi Santoso, pemohon IMB", f"Nama saya {NAME_MASK}, pemohon IMB"),
        ("nama saya siti aminah dan saya kecewa", f"nama saya {NAME_MASK} dan saya kecewa"),
        ("Saya Budi dari Bontang ingin izin", f"Saya {NAME_MASK} dari Bontang ingin izin"),
        ("a.n. Siti Aminah warga RT 5", f"a.n. {NAME_MASK} warga RT 5"),
        # What is not personal data stays as written.
        ("saya sangat puas, petugas ramah", "saya sangat puas, petugas ramah"),
        ("Saya Sangat puas", "Saya Sangat puas"),
        ("biaya Rp 15.000.000 terlalu mahal", "biaya Rp 15.000.000 terlalu mahal"),
        (f"rp {NIK} bukan harga", f"rp {NUMBER_MASK} bukan harga"),  # found by the property test below
        ("datang 12-03-2026 jam 10, antre 45 menit", "datang 12-03-2026 jam 10, antre 45 menit"),
        ("", ""),
    ],
)
def test_screen_masks_what_identifies_a_person(text, expected):
    assert mask_personal_data(text) == expected


_filler = st.text(alphabet="abcdefghij klmnopqrstuvwxyz,.", max_size=40)
_separator = st.sampled_from(["", " ", "-", "."])


@settings(max_examples=150, deadline=None)
@given(
    before=_filler,
    after=_filler,
    digits=st.text(alphabet="0123456789", min_size=16, max_size=16),
    phone=st.text(alphabet="0123456789", min_size=8, max_size=10),
    sep=_separator,
)
def test_no_nik_or_phone_digits_survive(before, after, digits, phone, sep):
    """Whatever surrounds them, a 16-digit number and an 08... phone number (grouped by 4 with any separator) are
    masked: no run of 9 or more of their digits remains."""
    grouped = sep.join(phone[i : i + 4] for i in range(0, len(phone), 4))
    text = f"{before} {digits} {after} 08{grouped} {before}"
    masked = mask_personal_data(text)
    assert digits not in masked
    assert not re.search(r"\d(?:[ .\-]?\d){8,}", masked), masked


def _suggestions(demo):
    texts = {
        "nik": f"NIK saya {NIK}, tolong diproses cepat",
        "phone": f"hubungi saya di {PHONE} kalau berkas kurang",
        "email": f"kirim ke {EMAIL} saja",
        "name": "Nama saya Rahmat Hidayat, petugas loket sangat membantu",
        "plain": "ruang tunggu perlu kipas angin",
        "hidden": "petugas Pak Joko di loket 2 kasar sekali",
    }
    responses = {
        key: make_response(demo, date(2026, 3, 2 + i), (3,) * 9, counter=demo.static, suggestion=text)
        for i, (key, text) in enumerate(texts.items())
    }
    db.session.commit()
    return texts, responses


def _report_text(demo, tmp_path) -> str:
    dash = build_dashboard(unit_id=demo.unit.id, unit_name=demo.unit.name, period=month(2026, 3))
    return " ".join(pdf_text(skm_report_pdf(dash), tmp_path).split())


def test_report_prints_no_personal_data_and_no_hidden_suggestion(app, client, demo, tmp_path):
    texts, responses = _suggestions(demo)
    before = _report_text(demo, tmp_path)
    assert "petugas Pak Joko di loket 2 kasar sekali" in before  # shown until an officer hides it
    assert "ruang tunggu perlu kipas angin" in before

    log_in(client, make_user("ppid", unit=demo.unit))
    page = client.get(f"/admin/units/{demo.unit.id}/saran?periode=2026-03")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert NIK in body and f"NIK saya {NUMBER_MASK}" in body  # raw text for staff, beside what the report prints
    hide = client.post(
        f"/admin/units/{demo.unit.id}/saran?periode=2026-03",
        data={"response": responses["hidden"].id, "action": "hide", "reason": "menyebut nama petugas"},
    )
    assert hide.status_code == 303
    assert db.session.get(HiddenSuggestion, responses["hidden"].id).hidden_by == "ppid-" + demo.unit.slug
    assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == Action.SUGGESTION_HIDDEN))

    text = _report_text(demo, tmp_path)
    for secret in (NIK, "6474", PHONE, "3456", EMAIL, "contoh.co.id", "Rahmat", "Hidayat", "Pak Joko"):
        assert secret not in text, secret
    assert "ruang tunggu perlu kipas angin" in text
    assert "tolong diproses cepat" in text  # the rest of a masked suggestion is kept
    assert "data pribadi (NIK dan nomor panjang lain, nomor telepon, email, nama yang disebut sendiri)" in text
    assert db.session.get(type(responses["nik"]), responses["nik"].id).suggestion == texts["nik"]  # raw text kept

    shown = client.post(
        f"/admin/units/{demo.unit.id}/saran?periode=2026-03",
        data={"response": responses["hidden"].id, "action": "show"},
    )
    assert shown.status_code == 303
    assert "petugas Pak Joko di loket 2 kasar sekali" in _report_text(demo, tmp_path)


def test_review_page_access_and_bad_input(app, client, demo):
    _texts, responses = _suggestions(demo)
    other = make_user("ppid", unit=None, username="ppid-pusat")
    loket = make_user("loket", unit=demo.unit)
    log_in(client, loket)
    assert client.get(f"/admin/units/{demo.unit.id}/saran").status_code == 403
    client.post("/auth/logout")
    log_in(client, other)
    url = f"/admin/units/{demo.unit.id}/saran"
    assert client.get(url + "?periode=2026-13").status_code == 400
    assert client.post(url, data={"response": "x", "action": "hide"}).status_code == 400
    assert client.post(url, data={"response": responses["plain"].id, "action": "drop"}).status_code == 400
    assert client.post(url, data={"response": 10**9, "action": "hide"}).status_code == 404
    assert client.get("/admin/units/99999/saran").status_code == 404
    assert db.session.scalar(db.select(db.func.count()).select_from(HiddenSuggestion)) == 0
