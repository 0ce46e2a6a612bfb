"""The workbook's calculation sheets: every Excel formula, evaluated, gives the exact engine's figures.

The formulas are evaluated with the `formulas` package (a dev dependency) on the file the app writes. Fixtures:
an element nobody answered (U4, so IKM over k = 8 elements), elements with missing answers, three services (one
with a second element missing, k = 7), and a service whose exact NIK is 68,125: half-up gives 68,13 where banker's
rounding, or a plain ROUND of the binary float 68,12499999999999 that the mean of its NRRs gives, says 68,12.
"""

import io
import math
import re
from datetime import date
from fractions import Fraction

import pytest

from analytics.dashboard import build_dashboard
from analytics.export import export_workbook
from analytics.ikm import IkmResult, Tally, compute_ikm, half_up
from analytics.workbook import APP_LABEL, nik_formula, sheet_title
from app.extensions import db
from app.periods import month
from survey.questionnaire import ELEMENTS
from tests.factories import make_response, read_workbook

PERIOD = month(2026, 3)
CODES = [e.code for e in ELEMENTS]
# Perizinan Berusaha, five respondents: per element (answered, sum); U4 unanswered. NIK = 25/8 x sum of the
# eight NRRs = 68,125 exactly (checked by the engine below).
HALF = {"U1": (4, 11), "U2": (3, 8), "U3": (5, 19), "U5": (5, 6), "U6": (3, 7), "U7": (5, 19), "U8": (4, 6),
        "U9": (4, 15)}  # fmt: skip
PBG = [  # U4 and U7 unanswered on this service; U9 answered by two of three
    (4, 3, 4, None, 3, 4, None, 3, 4),
    (3, 3, 2, None, 4, 3, None, 4, None),
    (4, 4, 3, None, 3, 2, None, 3, 3),
]
KONSULTASI = [(2, 3, 3, None, 4, 4, 3, 2, 3), (4, 4, 4, None, 4, 4, 4, 4, 4)]
PROFILES = [
    {"gender": "L", "age": 34, "education": "SMA", "occupation": "SWASTA"},
    {"gender": "P", "age": None, "education": "S1", "occupation": "PNS"},
    {"gender": None, "age": 51, "education": None, "occupation": "LAINNYA", "occupation_other": "=petani"},
]


def spread(answered: int, total: int, respondents: int) -> list[int | None]:
    """`answered` scores of 1-4 adding up to `total` (the first respondents), then blanks."""
    scores = [1] * answered
    for i in range(answered):
        raise_by = min(3, total - sum(scores))
        scores[i] += raise_by
    assert sum(scores) == total
    return scores + [None] * (respondents - answered)


def half_rows() -> list[tuple]:
    columns = {code: spread(*HALF[code], 5) if code in HALF else [None] * 5 for code in CODES}
    return [tuple(columns[code][i] for code in CODES) for i in range(5)]


def engine(rows: list[tuple]) -> IkmResult:
    return compute_ikm(Tally.of_answers([dict(zip(CODES, row, strict=True)) for row in rows]))


@pytest.fixture
def three_services(demo):
    """Ten questionnaires over three services in March 2026 (see the module docstring)."""
    groups = ((demo.izin, half_rows()), (demo.pbg, PBG), (demo.konsultasi, KONSULTASI))
    day = 2
    for service, rows in groups:
        for i, scores in enumerate(rows):
            make_response(demo, date(2026, 3, day), scores, service=service, **PROFILES[i % len(PROFILES)])
            day += 1
    make_response(demo, date(2026, 4, 1), (1,) * 9)  # another period
    db.session.commit()
    return demo


def workbook_bytes(demo, **selection) -> bytes:
    dash = build_dashboard(unit_id=demo.unit.id, unit_name="DPMPTSP Kota Uji", period=PERIOD, **selection)
    buffer = io.BytesIO()
    export_workbook(dash, buffer)
    return buffer.getvalue()


def evaluate(content: bytes, tmp_path, titles) -> dict[tuple[str, str], object]:
    """The cells of the sheets `titles` as the `formulas` package computes them: {(TITLE UPPER-CASED, "H12"): v}.

    The other sheets and the text cells (which no formula reads) are left out of the copy evaluated: `formulas`
    compiles every cell it loads, and that is most of the time this test takes.
    """
    import formulas

    book = read_workbook(content)
    for title in book.sheetnames:
        if title not in titles:
            del book[title]
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "s":
                    cell.value = None
    path = tmp_path / "olah.xlsx"
    book.save(path)
    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    cells = {}
    for key, value in solution.items():
        found = re.fullmatch(r"'\[[^]]+\](.+)'!([A-Z]+[0-9]+)", str(key))
        if found:
            cells[found.groups()] = value.value[0, 0]
    return cells


def footer(sheet) -> dict[str, int]:
    """{label in column A: row} of the formula rows under a calculation sheet's data."""
    rows, inside = {}, False
    for row in sheet.iter_rows(min_col=1, max_col=1):
        value = row[0].value
        inside = inside or value == "Perhitungan (rumus Excel)"
        if inside and isinstance(value, str):
            rows[value.split(" (")[0]] = row[0].row
    return rows


def check_sheet(book, values: dict, title: str, expected: IkmResult) -> None:
    """Assert that every figure of a calculation sheet, formula and application value, is the engine's."""
    sheet = book[title]
    rows, key = footer(sheet), title.upper()
    heads = [c.value for c in sheet[rows["Perhitungan"]]]
    u1, app_u1 = heads.index("U1") + 1, heads.index(APP_LABEL) + 2  # 1-based columns of U1 and the app's U1

    def formula(label: str, offset: int = 0):
        return values[key, sheet.cell(row=rows[label], column=u1 + offset).coordinate]

    def app(label: str, offset: int = 0):
        return sheet.cell(row=rows[label], column=app_u1 + offset).value

    for i, element in enumerate(expected.elements):
        assert formula("Jumlah nilai", i) == element.total == app("Jumlah nilai", i)
        assert formula("Jumlah kuesioner terisi", i) == element.answered == app("Jumlah kuesioner terisi", i)
        for label, exact in (("NRR", element.nrr), ("NRR tertimbang", element.nrr_weighted)):
            if exact is None:  # nobody answered: a blank, never 0
                assert formula(label, i) == "" and app(label, i) is None, (title, label, element.code)
            else:
                assert formula(label, i) == pytest.approx(float(exact), rel=1e-12, abs=0), (title, label, element.code)
                assert app(label, i) == pytest.approx(float(exact), rel=1e-15, abs=0)  # xlsx: 15-16 digits
    k = len(CODES) - len(expected.missing_elements)
    assert formula("Jumlah responden") == expected.respondents == app("Jumlah responden")
    assert formula("Unsur terisi") == k == app("Unsur terisi")
    assert formula("IKM") == pytest.approx(float(expected.ikm), rel=1e-12, abs=0)
    assert app("IKM") == pytest.approx(float(expected.ikm), rel=1e-15, abs=0)
    assert formula("NIK") == float(expected.nik) == app("NIK"), title
    assert formula("Mutu pelayanan") == expected.mutu == app("Mutu pelayanan")
    assert formula("Kinerja unit pelayanan") == expected.kinerja == app("Kinerja unit pelayanan")


def check_workbook(content: bytes, tmp_path, expected: dict[str, IkmResult]) -> None:
    """Evaluate every formula of the calculation sheets named (none may fail) and check their figures."""
    book = read_workbook(content)
    values = evaluate(content, tmp_path, expected)
    formula_cells = [(ws.title, c.coordinate) for ws in book.worksheets for row in ws.iter_rows() for c in row
                     if c.data_type == "f"]  # fmt: skip
    assert {title for title, _ in formula_cells} == set(expected)  # every sheet holding a formula is checked
    for title, coordinate in formula_cells:
        value = values[title.upper(), coordinate]
        assert not str(value).startswith("#"), (title, coordinate, value)  # #DIV/0!, #VALUE!, #NAME? ...
    for title, result in expected.items():
        check_sheet(book, values, title, result)


def test_the_half_case_is_really_on_a_half():
    result = engine(half_rows())
    assert result.missing_elements == ("U4",) and result.nik_exact == Fraction(545, 8)  # 68,125
    assert str(result.nik) == "68.13" and round(float(result.ikm) * 25, 2) == 68.12  # banker's would say 68,12


def test_every_formula_evaluates_to_the_engine(three_services, tmp_path):
    content = workbook_bytes(three_services)
    book = read_workbook(content)
    assert book.sheetnames == ["Ringkasan Unsur", "Olah Data", "Olah Konsultasi", "Olah PBG",
                               "Olah Perizinan Berusaha", "Tabulasi", "Profil", "Responden"]  # fmt: skip
    everyone = half_rows() + PBG + KONSULTASI
    expected = {
        "Olah Data": engine(everyone),
        "Olah Perizinan Berusaha": engine(half_rows()),
        "Olah PBG": engine(PBG),
        "Olah Konsultasi": engine(KONSULTASI),
    }
    assert expected["Olah PBG"].missing_elements == ("U4", "U7")
    dash = build_dashboard(unit_id=three_services.unit.id, unit_name="x", period=PERIOD)
    assert dash.result == expected["Olah Data"]  # the fixture's hand rows are what the database holds
    assert {g.name: g.result for g in dash.by_service} == {t[5:]: r for t, r in expected.items() if t != "Olah Data"}
    check_workbook(content, tmp_path, expected)
    summary = {row[0]: row[1] for row in book["Ringkasan Unsur"].iter_rows(values_only=True) if row[0]}
    assert summary["Jumlah responden"] == 10


def test_the_check_catches_a_0_11_weight_and_nrrs_rounded_first(three_services, tmp_path):
    """The formula check above fails on the two mistakes offices' sheets make (domain rules 1.5)."""
    content = workbook_bytes(three_services)
    title = "Olah Perizinan Berusaha"
    mistakes = (
        (lambda f: f.replace("/8)", "*0.11)"), "NRR tertimbang"),  # =IF(H12=0,"",H13/8) -> H13*0.11
        (lambda f: re.sub(r",([A-Z]+\d+/[A-Z]+\d+)\)$", r",ROUND(\1,2))", f), "'NRR'"),  # H11/H12 -> ROUND(H11/H12,2)
    )
    for wrong, caught in mistakes:
        book = read_workbook(content)
        for other in [t for t in book.sheetnames if t != title]:
            del book[other]
        changed = 0
        for row in book[title].iter_rows():
            for cell in row:
                if cell.data_type == "f" and wrong(cell.value) != cell.value:
                    cell.value, changed = wrong(cell.value), changed + 1
        assert changed == len(CODES)  # the formula of every element
        buffer = io.BytesIO()
        book.save(buffer)
        with pytest.raises(AssertionError, match=caught):
            check_workbook(buffer.getvalue(), tmp_path, {title: engine(half_rows())})


def test_the_nik_formula_rounds_halves_up_through_binary_noise():
    """Halves 25,005 ... 99,995 (every 50th), as the nearest double and one step either side, and values 0,0001
    either side of a half: the formula gives the engine's NIK (a plain ROUND(IKM*25,2) misses about one in nine)."""
    import formulas

    nik = formulas.Parser().ast(nik_formula("A1"))[1].compile()
    for hundredths in range(2500, 10000, 50):
        half = Fraction(2 * hundredths + 1, 200)
        for exact in (half, half - Fraction(1, 10000), half + Fraction(1, 10000)):
            ikm = float(exact / 25)
            for noisy in (math.nextafter(ikm, 0), ikm, math.nextafter(ikm, 5)):
                assert float(nik(noisy)) == float(half_up(exact)), (exact, noisy)


def test_calculation_sheet_numbers_respondents_and_writes_labels(three_services):
    book = read_workbook(workbook_bytes(three_services))
    rows = list(book["Olah Data"].iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "No")
    assert rows[header][:6] == ("No", "Layanan", "Jenis kelamin", "Usia", "Pendidikan", "Pekerjaan")
    data = rows[header + 1 : header + 11]
    assert [row[0] for row in data] == list(range(1, 11))  # respondent numbers, not database ids
    assert data[0][1:6] == ("Perizinan Berusaha", "Laki-laki", 34, "SMA/SMK", "Swasta")
    assert data[2][2:6] == (None, 51, None, "Lainnya")  # unanswered profile questions stay blank
    assert data[0][6:15] == half_rows()[0]  # answers; a missing one is an empty cell, never 0
    assert data[0][9] is None
    pbg = [row for row in book["Olah PBG"].iter_rows(values_only=True)]
    header = next(i for i, row in enumerate(pbg) if row[0] == "No")
    assert pbg[header][:5] == ("No", "Jenis kelamin", "Usia", "Pendidikan", "Pekerjaan")
    assert [row[0] for row in pbg[header + 1 : header + 4]] == [1, 2, 3]
    assert any(row[0] == "Layanan: PBG" for row in pbg[:header])
    raw = list(book["Responden"].iter_rows(values_only=True))
    assert raw[0][0] == "No" and "id" not in raw[0] and [row[0] for row in raw[1:]] == list(range(1, 11))
    column = {name: i for i, name in enumerate(raw[0])}
    assert raw[3][column["pekerjaan lainnya"]] == "'=petani"  # citizen text stays text
    assert (raw[2][column["jenis kelamin"]], raw[2][column["kanal"]]) == ("Perempuan", "Elektronik")


def test_one_service_gets_no_copy_of_the_whole_sheet(three_services):
    from analytics.data import Selection

    book = read_workbook(workbook_bytes(three_services, selection=Selection(service_id=three_services.pbg.id)))
    assert book.sheetnames == ["Ringkasan Unsur", "Olah Data", "Tabulasi", "Profil", "Responden"]
    rows = {row[0]: row for row in book["Olah Data"].iter_rows(values_only=True)}
    assert rows["Jumlah responden"][6].startswith("=COUNT(A") and rows["Jumlah responden"][16] == 3
    assert rows["Mutu pelayanan"][16] == engine(PBG).mutu


def test_empty_selection_has_no_formulas(demo):
    book = read_workbook(workbook_bytes(demo))
    values = [row[0] for row in book["Olah Data"].iter_rows(values_only=True)]
    assert "Tidak ada data pada pilihan ini." in values
    assert not any(c.data_type == "f" for ws in book.worksheets for row in ws.iter_rows() for c in row)


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["PBG"], ["Olah PBG"]),
        (["Izin Usaha: Toko/Kios [baru]?*"], ["Olah Izin Usaha Toko Kios baru"]),
        (["Perizinan Berusaha Berbasis Risiko Tingkat Menengah"] * 3,
         ["Olah Perizinan Berusaha Berbasi", "Olah Perizinan Berusaha Ber (2)", "Olah Perizinan Berusaha Ber (3)"]),
        (["pbg", "PBG"], ["Olah pbg", "Olah PBG (2)"]),
        (["'", "Data"], ["Olah Layanan", "Olah Data (2)"]),
    ],
)  # fmt: skip
def test_sheet_titles_are_short_safe_and_unique(names, expected):
    taken = {"olah data"}
    titles = [sheet_title(name, taken) for name in names]
    assert titles == expected
    assert all(len(t) <= 31 and not re.search(r"[\[\]:*?/\\]", t) for t in titles)
