"""One error convention: every domain error carries translatable messages, shown in the interface language."""

import pytest
from flask_babel import refresh

from analytics.publishing import PublishingError
from app.directory import DirectoryError, create_unit
from app.errors import DomainError, Message
from app.i18n import N_
from app.periods import PeriodError, parse_period
from app.tabular import CellError
from survey.importer import ImportRejected
from survey.service import SurveyError
from survey.tokens import TokenError


@pytest.mark.parametrize("error", [DirectoryError, PeriodError, SurveyError, TokenError, ImportRejected,
                                   PublishingError])  # fmt: skip
def test_every_domain_error_has_the_same_shape(error):
    assert issubclass(error, DomainError)
    exc = error({"field": N_("Nama unit wajib diisi.")})
    assert [m.field for m in exc.messages] == ["field"] and isinstance(exc.by_field()["field"], Message)


def test_messages_are_translated_when_shown(app):
    with app.test_request_context("/?lang=en"):
        with pytest.raises(DirectoryError) as exc:
            create_unit(name="Dinas", slug="Bad Slug!")
        assert str(exc.value) == "The code may only contain lower-case letters, digits and hyphens (at most 60)."
        with pytest.raises(PeriodError) as exc:
            parse_period("maret")
        assert str(exc.value).startswith("Unknown period 'maret'.")
        located = CellError.at(3, "U2", N_("nilai '%(value)s' harus 1, 2, 3, atau 4"), value="5")
        assert str(located) == "row 3, column U2: the value '5' must be 1, 2, 3 or 4"
        assert (located.row, located.column) == (3, "U2")
    with app.test_request_context("/"):
        refresh()  # the locale is cached per app context
        assert str(located) == "baris 3, kolom U2: nilai '5' harus 1, 2, 3, atau 4"


def test_the_english_interface_shows_english_errors(login, demo):
    login.set_cookie("lang", "en")
    html = login.post("/admin/units/new", data={"name": "Dinas Lain", "slug": "dpmptsp-uji"}).get_data(as_text=True)
    assert "The unit code &#39;dpmptsp-uji&#39; is already taken." in html
    bad = login.post(f"/admin/units/{demo.unit.id}/import", data={"service": str(demo.izin.id), "period": "2026-10",
                     "file": (__import__("io").BytesIO(b"U1,U2\n4,4\n"), "x.csv")},
                     content_type="multipart/form-data").get_data(as_text=True)  # fmt: skip
    assert "row 1, column U3: required column missing" in bad
