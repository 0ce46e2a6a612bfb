"""The English catalog is complete, up to date with the code, and served on request."""

import os
import tempfile
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.factories import make_directory

ROOT = Path(__file__).resolve().parent.parent
BABEL_CFG = ROOT / "babel.cfg"
PO_PATH = ROOT / "app" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
MO_PATH = PO_PATH.with_suffix(".mo")
# The same keywords as the documented command: `pybabel extract -k _l -k N_`.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "N_": None}

FORM_URL = "/s/dpmptsp-uji/loket-1"
U1_QUESTION = "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?"


def _read_catalog():
    with PO_PATH.open("rb") as f:
        return read_po(f, locale="en")


def _key(msgid) -> str:
    """The singular msgid of a message (plural messages have a tuple id)."""
    return msgid[0] if isinstance(msgid, (tuple, list)) else msgid


def _strings(msgstr) -> tuple[str, ...]:
    """All the translations of a message (one per plural form for plural messages)."""
    return tuple(msgstr) if isinstance(msgstr, (tuple, list)) else (msgstr or "",)


@pytest.fixture(scope="module", autouse=True)
def compiled_catalog():
    """Compile the .po when the .mo is missing or stale, so plain `pytest` serves English."""
    if not MO_PATH.exists() or MO_PATH.stat().st_mtime < PO_PATH.stat().st_mtime:
        catalog = _read_catalog()
        fd, tmp = tempfile.mkstemp(dir=MO_PATH.parent, suffix=".mo.tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                write_mo(f, catalog)
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; keep the usual mode of a compiled catalog
            os.replace(tmp, MO_PATH)  # atomic: a parallel run never sees half a file
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _extracted_messages() -> dict[tuple[str, str | None], list[str]]:
    """Run babel's extraction with babel.cfg; map (msgid, context) to where it occurs."""
    with BABEL_CFG.open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, filename=str(BABEL_CFG))
    found: dict[tuple[str, str | None], list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        found.setdefault((_key(message), context), []).append(f"{filename}:{lineno}")
    return found


# (a) complete


def test_catalog_is_complete():
    catalog = _read_catalog()
    messages = [m for m in catalog if m.id]
    assert messages, "the English catalog has no messages"
    untranslated = [m.id for m in messages if not all(s.strip() for s in _strings(m.string))]
    assert not untranslated, "untranslated in messages.po:\n" + "\n".join(map(repr, untranslated))
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert not fuzzy, "fuzzy entries in messages.po:\n" + "\n".join(map(repr, fuzzy))
    assert not catalog.fuzzy, "the catalog header is marked fuzzy"


def test_translations_keep_placeholders():
    """babel's checkers: %(name)s placeholders in msgstr must match the msgid."""
    problems = [f"{m.id!r}: {'; '.join(map(str, errors))}" for m, errors in _read_catalog().check()]
    assert not problems, "\n".join(problems)


# (b) up to date with the code


def test_catalog_covers_every_string_in_the_code():
    catalog = _read_catalog()
    extracted = _extracted_messages()
    assert ("Kirim jawaban", None) in extracted, "extraction found nothing: check babel.cfg"
    missing = [
        f"{msgid!r} ({', '.join(places)})"
        for (msgid, context), places in sorted(extracted.items(), key=lambda item: item[0][0])
        if catalog.get(msgid, context=context) is None
    ]
    assert not missing, (
        "strings in the code but not in app/translations/en/LC_MESSAGES/messages.po "
        "(run pybabel extract + update, then translate):\n" + "\n".join(missing)
    )


# (c) served on request


@pytest.fixture
def directory(app):
    return make_directory()


def test_lang_en_translates_interface_but_keeps_official_questions(client, directory):
    response = client.get(f"{FORM_URL}?lang=en")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html lang=en>" in html
    assert "Submit answers" in html
    assert "Kirim jawaban" not in html
    assert U1_QUESTION in html  # the regulation's wording stays, verbatim
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("lang=en;") for c in cookies), cookies


def test_lang_cookie_keeps_english_on_the_next_request(client, directory):
    client.get(f"{FORM_URL}?lang=en")
    response = client.get(FORM_URL)
    html = response.get_data(as_text=True)
    assert "<html lang=en>" in html
    assert "Submit answers" in html
    assert U1_QUESTION in html


def test_default_is_indonesian(client, directory):
    response = client.get(FORM_URL)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html lang=id>" in html
    assert "Kirim jawaban" in html
    assert "Submit answers" not in html
    assert U1_QUESTION in html
    assert not any(c.startswith("lang=") for c in response.headers.getlist("Set-Cookie"))


def test_extraction_reads_every_package_and_the_templates():
    """A package missing from babel.cfg would leave its messages untranslated without any test noticing."""
    with BABEL_CFG.open() as f:
        method_map, _options = parse_mapping_cfg(f)
    patterns = {pattern for pattern, _method in method_map}
    for package in ("app", "survey", "complaints", "analytics"):
        assert f"{package}/**.py" in patterns, package
    assert "app/templates/**.html" in patterns
