"""The IKM engine pins product decisions 1-6 (domain-rules.md) with exact arithmetic."""

import json
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.ikm import Tally, classify, compute_ikm, half_up, pool
from analytics.sample import KREJCIE_MORGAN, adequacy, required_sample
from survey.questionnaire import ELEMENT_CODES


def uniform(total_per_element: int, answered: int) -> Tally:
    """Every element answered by `answered` respondents with the same sum."""
    return Tally(answered, {code: (answered, total_per_element) for code in ELEMENT_CODES})


def answers(*rows: dict) -> Tally:
    return Tally.of_answers(rows)


# --- decision 1: exact weight 1/9 ----------------------------------------------------------------------------


def test_weight_is_exactly_one_ninth_not_0_11():
    # All NRR = 3.56: the exact IKM is 89.00 (A). A 0.11 weight would give 88.11 (B).
    result = compute_ikm(uniform(356, 100))
    assert result.weight == Fraction(1, 9)
    assert result.ikm == Fraction(356, 100)
    assert result.nik == Decimal("89.00") and result.mutu == "A"


def test_perfect_scores_give_exactly_100():
    result = compute_ikm(uniform(4 * 7, 7))
    assert result.nik == Decimal("100.00") and result.mutu == "A" and result.kinerja == "Sangat Baik"
    assert sum(e.nrr_weighted for e in result.elements) == 4


# --- decision 2: half-up rounding once, category on the rounded value --------------------------------------


@pytest.mark.parametrize(
    ("sum_per_element", "nik", "mutu"),
    [
        (15321, "76.61", "B"),  # NRR 3.0642 -> NIK exactly 76.605
        (17661, "88.31", "A"),  # NRR 3.5322 -> NIK exactly 88.305
        (12999, "65.00", "C"),  # NRR 2.5998 -> NIK exactly 64.995
    ],
)
def test_exact_half_way_niks_round_up(sum_per_element, nik, mutu):
    result = compute_ikm(uniform(sum_per_element, 5000))
    assert result.nik_exact == Fraction(nik) - Fraction(1, 200)  # exactly on the .xx5 boundary
    assert result.nik == Decimal(nik)
    assert result.mutu == mutu


@pytest.mark.parametrize(
    ("sum_per_element", "exact", "float_result"), [(15201, "76.01", 76.0), (15213, "76.07", 76.06)]
)
def test_half_way_cases_that_floats_and_round_get_wrong(sum_per_element, exact, float_result):
    # Elsewhere on the scale the float route lands below the half-way point (76.005 -> 76.0).
    as_float = sum(sum_per_element / 5000 for _ in range(9)) / 9 * 25
    assert round(as_float, 2) == float_result
    assert compute_ikm(uniform(sum_per_element, 5000)).nik == Decimal(exact)


@pytest.mark.parametrize(
    ("nik", "mutu", "kinerja"),
    [("100.00", "A", "Sangat Baik"), ("88.31", "A", "Sangat Baik"), ("88.30", "B", "Baik"), ("76.61", "B", "Baik"),
     ("76.60", "C", "Kurang Baik"), ("65.00", "C", "Kurang Baik"), ("64.99", "D", "Tidak Baik"),
     ("25.00", "D", "Tidak Baik")],
)  # fmt: skip
def test_category_thresholds(nik, mutu, kinerja):
    assert classify(Decimal(nik)) == (mutu, kinerja)


def test_half_up_is_not_bankers_rounding():
    assert half_up(Fraction("0.125")) == Decimal("0.13")  # round(0.125, 2) == 0.12
    assert half_up(Fraction("2.675")) == Decimal("2.68")  # round(2.675, 2) == 2.67
    assert half_up(Fraction(1, 3), 3) == Decimal("0.333")
    assert half_up(Fraction(-1, 200)) == Decimal("-0.01")


# --- decision 3: NULL answers are not zeros ----------------------------------------------------------------


def test_unanswered_items_are_excluded_from_that_elements_denominator():
    full = dict.fromkeys(ELEMENT_CODES, 4)
    result = compute_ikm(answers(full, {**full, "U4": None}, {**full, "U4": None}))
    u4 = result.elements[3]
    assert (u4.answered, u4.total, u4.nrr) == (1, 4, Fraction(4))
    assert result.nik == Decimal("100.00")  # counting the blanks as 0 would give 77.78


def test_an_element_without_any_answer_is_left_out_with_weight_1_over_k():
    rows = [{**dict.fromkeys(ELEMENT_CODES, 3), "U4": None}, {**dict.fromkeys(ELEMENT_CODES, 2), "U4": None}]
    result = compute_ikm(answers(*rows))
    assert result.missing_elements == ("U4",)
    assert result.weight == Fraction(1, 8)
    assert result.ikm == Fraction(5, 2)
    assert result.nik == Decimal("62.50") and result.mutu == "D"
    assert result.elements[3].nrr is None and result.elements[3].nik is None


# --- decision 5: periods pool raw responses; no data is not zero ---------------------------------------------


def test_a_quarter_pools_its_months_instead_of_averaging_them():
    january = uniform(4 * 10, 10)  # 10 respondents, all 4
    february = uniform(1 * 90, 90)  # 90 respondents, all 1
    march = Tally()  # no responses
    quarter = compute_ikm(pool([january, february, march]))
    assert quarter.respondents == 100
    assert quarter.ikm == Fraction(130, 100)  # (40 + 90) / 100
    assert quarter.nik == Decimal("32.50")
    averaged = (compute_ikm(january).nik + compute_ikm(february).nik) / 2
    assert averaged == Decimal("62.50") and quarter.nik != averaged


def test_an_empty_period_has_no_data_never_zero():
    result = compute_ikm(Tally())
    assert not result.has_data
    assert (result.ikm, result.nik, result.mutu, result.kinerja) == (None, None, None, None)
    assert all(e.nrr is None and e.answered == 0 for e in result.elements)
    assert result.as_dict()["nik"] is None


# --- decision 6: Krejcie-Morgan minimum sample ------------------------------------------------------------


@pytest.mark.parametrize(
    ("population", "required"),
    [(1, 1), (9, 9), (10, 10), (11, 14), (100, 80), (101, 86), (278, 162), (1000, 278), (1001, 285),
     (100000, 384), (5_000_000, 384)],
)  # fmt: skip
def test_required_sample_takes_the_next_higher_table_row(population, required):
    assert required_sample(population) == required


def test_table_matches_the_formula_except_its_asymptote():
    from decimal import ROUND_HALF_UP

    for population, required in KREJCIE_MORGAN[:-2]:
        s = (
            Decimal("3.841")
            * population
            * Decimal("0.25")
            / (Decimal("0.0025") * (population - 1) + Decimal("3.841") * Decimal("0.25"))
        )
        assert int(s.quantize(Decimal(1), rounding=ROUND_HALF_UP)) == required, population


def test_adequacy_reports_shortfall():
    short = adequacy(collected=150, population=1000)
    assert (short.required, short.meets, short.shortfall, short.label) == (278, False, 128, "Belum memenuhi")
    enough = adequacy(collected=300, population=1000)
    assert (enough.meets, enough.shortfall, enough.label) == (True, 0, "Memenuhi")
    with pytest.raises(ValueError):
        required_sample(0)


# --- properties ----------------------------------------------------------------------------------------------

score = st.one_of(st.none(), st.integers(1, 4))
questionnaire = st.fixed_dictionaries({code: score for code in ELEMENT_CODES})


@settings(max_examples=200, deadline=None)
@given(st.lists(questionnaire, min_size=1, max_size=30))
def test_nik_is_the_mean_of_element_nrrs_times_25(rows):
    result = compute_ikm(answers(*rows))
    nrrs = []
    for code in ELEMENT_CODES:
        given_answers = [r[code] for r in rows if r[code] is not None]
        if given_answers:
            nrrs.append(Fraction(sum(given_answers), len(given_answers)))
    if not nrrs:
        assert not result.has_data
        return
    assert result.nik_exact == sum(nrrs) / len(nrrs) * 25
    assert 25 <= result.nik_exact <= 100
    assert result.nik == half_up(result.nik_exact)


@settings(max_examples=200, deadline=None)
@given(st.lists(questionnaire, min_size=1, max_size=20), st.data())
def test_nik_is_monotone_in_every_answer(rows, data):
    before = compute_ikm(answers(*rows))
    i = data.draw(st.integers(0, len(rows) - 1))
    answered = [c for c in ELEMENT_CODES if rows[i][c] is not None and rows[i][c] < 4]
    if not answered:
        return
    code = data.draw(st.sampled_from(answered))
    raised = [dict(r) for r in rows]
    raised[i][code] += 1
    after = compute_ikm(answers(*raised))
    assert after.nik_exact > before.nik_exact
    assert after.nik >= before.nik


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(questionnaire, max_size=8), min_size=1, max_size=4))
def test_pooling_tallies_equals_tallying_all_rows(groups):
    pooled = compute_ikm(pool(answers(*g) for g in groups))
    together = compute_ikm(answers(*[r for g in groups for r in g]))
    assert pooled == together


# --- the calculator CLI ------------------------------------------------------------------------------------


def test_ikm_csv_json_output(runner, tmp_path):
    path = tmp_path / "kuesioner.csv"
    path.write_text("Nama,U1,U2,U3,U4,U5,U6,U7,U8,U9\nA,4,3,3,,3,4,4,3,3\nB,3,3,2,4,3,3,4,3,2\n")
    result = runner.invoke(args=["ikm", "--csv", str(path), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert set(out) == {"respondents", "elements", "ikm", "nik", "mutu", "kinerja"}
    assert out["respondents"] == 2 and out["nik"] == 80.56 and out["mutu"] == "B" and out["kinerja"] == "Baik"
    u4 = out["elements"][3]
    assert u4 == {"code": "U4", "name": "Biaya/Tarif", "answered": 1, "total": 4, "nrr": 4.0,
                  "nrr_weighted": 4 / 9, "nik": 100.0, "mutu": "A"}  # fmt: skip
    assert [e["code"] for e in out["elements"]] == list(ELEMENT_CODES)


def test_ikm_csv_sheet_output(runner, tmp_path):
    path = tmp_path / "k.csv"
    path.write_text("U1,U2,U3,U4,U5,U6,U7,U8,U9\n" + "4,4,4,4,4,4,4,4,4\n" * 3)
    result = runner.invoke(args=["ikm", "--csv", str(path)])
    assert result.exit_code == 0
    assert "NIK (IKM x 25, dibulatkan setengah ke atas): 100.00" in result.output
    assert "U9 Sarana dan Prasarana" in result.output and "Sangat Baik" in result.output


def test_ikm_csv_bad_value_names_row_and_column(runner, tmp_path):
    path = tmp_path / "k.csv"
    path.write_text("U1,U2,U3,U4,U5,U6,U7,U8,U9\n4,4,4,4,4,4,4,4,4\n4,4,4,4,5,4,4,4,4\n")
    result = runner.invoke(args=["ikm", "--csv", str(path), "--json"])
    assert result.exit_code != 0
    assert "baris 3, kolom U5" in result.output
    missing = tmp_path / "m.csv"
    missing.write_text("U1,U2\n4,4\n")
    result = runner.invoke(args=["ikm", "--csv", str(missing)])
    assert result.exit_code != 0 and "kolom U3" in result.output
