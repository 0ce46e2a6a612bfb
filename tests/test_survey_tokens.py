"""One-time codes on token counters: typed or scanned, accepted once, refused clearly, raced safely."""

from app.extensions import db
from survey.tokens import ALPHABET, check_token, display, is_spent, issue_tokens, spend
from tests.factories import count_responses, limited_app, survey_form

TOKEN_URL = "/s/dpmptsp-uji/loket-3"


def _codes(demo, count=1, counter=None):
    batch = issue_tokens(counter=counter or demo.token, count=count)
    db.session.commit()
    return batch.codes


def test_token_counter_asks_for_the_code(client, demo):
    page = client.get(TOKEN_URL)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="t"' in html and "ketik kodenya" in html
    result = client.post(TOKEN_URL, data=survey_form(demo.izin.id))
    assert result.status_code == 400 and "memerlukan kode" in result.get_data(as_text=True)
    assert count_responses() == 0


def test_one_time_code_works_once_and_is_refused_the_second_time(client, demo):
    (code,) = _codes(demo)
    typed = display(code).lower().replace("-", " ")  # as a citizen might type it
    form = client.get(TOKEN_URL, query_string={"t": typed})
    assert form.status_code == 200 and f'name=t value="{code}"' in form.get_data(as_text=True)
    first = client.post(TOKEN_URL, data=survey_form(demo.izin.id, t=code))
    assert first.status_code == 303
    again = client.post(TOKEN_URL, data=survey_form(demo.izin.id, t=code))
    assert again.status_code == 409
    assert "sudah dipakai" in again.get_data(as_text=True)
    reopened = client.get(TOKEN_URL, query_string={"t": code})
    assert reopened.status_code == 409 and "sudah dipakai" in reopened.get_data(as_text=True)
    assert count_responses() == 1


def test_a_spent_code_is_refused_by_the_guarded_update_itself(app, demo):
    """Even with the application's spent check bypassed, the one UPDATE lets a code be spent once."""
    (code,) = _codes(demo)
    ref = check_token(code, counter_id=demo.token.id)
    assert spend(ref) is True
    assert spend(ref) is False
    db.session.commit()
    assert is_spent(ref)


def test_wrong_foreign_or_malformed_codes_are_refused_with_the_code_page(client, demo):
    (other,) = _codes(demo, counter=demo.static)
    (mine,) = _codes(demo)
    wrong_letter = ALPHABET[(ALPHABET.index(mine[-1]) + 1) % len(ALPHABET)]
    for bad in ("not-a-code", "O0I1LUO0I1", other, mine[:-1] + wrong_letter, "x" * 500):
        page = client.get(TOKEN_URL, query_string={"t": bad})
        assert page.status_code == 400 and 'id="t"' in page.get_data(as_text=True)
        assert client.post(TOKEN_URL, data=survey_form(demo.izin.id, t=bad)).status_code == 400
    assert count_responses() == 0


def test_expired_code_is_refused(app, client, demo):
    app.config["SURVEY_TOKEN_MAX_AGE_DAYS"] = -1
    (code,) = _codes(demo)
    page = client.get(TOKEN_URL, query_string={"t": code})
    assert page.status_code == 400 and "kedaluwarsa" in page.get_data(as_text=True)


def test_typed_codes_have_their_own_rate_limit_on_failures_only():
    with limited_app(SURVEY_CODE_LIMIT="3 per minute") as (app, demo):
        client = app.test_client()
        codes = _codes(demo, count=4)
        for code in codes[:3]:  # right codes do not count
            assert client.get(TOKEN_URL, query_string={"t": code}).status_code == 200
        for _ in range(3):
            assert client.get(TOKEN_URL, query_string={"t": "ZZZZZ-ZZZZZ"}).status_code == 400
        assert client.get(TOKEN_URL, query_string={"t": codes[3]}).status_code == 429
        assert client.get(TOKEN_URL).status_code == 200  # the page without a code is never limited


def test_one_code_raced_by_eight_citizens_is_spent_once(tmp_path):
    """Eight phones post the same code at the same moment (on PostgreSQL where the suite has it): one answer."""
    import threading

    from tests.conftest import TEST_DATABASE_URL, make_app
    from tests.factories import make_directory, run_at_once

    app = make_app(SQLALCHEMY_DATABASE_URI=TEST_DATABASE_URL or f"sqlite:///{tmp_path}/race.sqlite")
    with app.app_context():
        db.create_all()
        demo = make_directory()
        (code,) = _codes(demo)
        data = survey_form(demo.izin.id, t=code)
        clients, take = iter([app.test_client() for _ in range(8)]), threading.Lock()

        def answer() -> int:
            with take:
                client = next(clients)
            return client.post(TOKEN_URL, data=data).status_code

        statuses = run_at_once(app, answer, workers=8)
        assert sorted(statuses) == [303] + [409] * 7
        assert count_responses() == 1


def test_wrong_codes_are_counted_per_browser_not_per_office_wifi():
    with limited_app(SURVEY_CODE_LIMIT="2 per minute") as (app, demo):
        careless, next_citizen = app.test_client(), app.test_client()
        for browser in (careless, next_citizen):
            assert browser.get(TOKEN_URL).status_code == 200  # the code page gives the browser its cookie
        for _ in range(2):
            assert careless.get(TOKEN_URL, query_string={"t": "ZZZZZ-ZZZZZ"}).status_code == 400
        blocked = careless.get(TOKEN_URL, query_string={"t": "ZZZZZ-ZZZZZ"})
        assert blocked.status_code == 429 and 'name="t"' in blocked.get_data(as_text=True)  # still a code field
        (code,) = _codes(demo)
        assert next_citizen.get(TOKEN_URL, query_string={"t": code}).status_code == 200


def test_full_width_digits_and_letters_are_read_as_the_code(client, demo):
    (code,) = _codes(demo)
    wide = "".join(chr(ord(ch) + 0xFEE0) for ch in code)  # as an Asian keyboard types it
    assert client.get(TOKEN_URL, query_string={"t": wide}).status_code == 200
