"""Tracking codes: 80 random bits in four groups of an unambiguous alphabet, typed leniently, stored only as a hash."""

import re

import pytest

from complaints import tracking

CODE_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")


def test_code_format_and_alphabet():
    codes = [tracking.new_code() for _ in range(2000)]
    assert all(CODE_RE.match(code) for code in codes)
    assert len(set(codes)) == len(codes)
    seen = set("".join(codes).replace("-", ""))
    assert seen == set(tracking.ALPHABET)  # every one of the 32 characters is used
    assert not seen & set("ILOU")
    assert len(tracking.ALPHABET) == 32 and tracking.LENGTH * 5 >= 80  # 80 random bits


def test_normalise_round_trip_and_tolerance():
    code = "7K3M-Q9XB-2H0D-R41Z"
    assert tracking.normalise(code) == "7K3MQ9XB2H0DR41Z"
    assert tracking.display(tracking.normalise(code)) == code
    for typed in ("7k3m q9xb 2h0d r41z", "7K3MQ9XB2H0DR41Z", " 7k3m-q9xb-2hOd-r4lz ", "7K3M_Q9XB.2H0D-R4IZ"):
        assert tracking.normalise(typed) == "7K3MQ9XB2H0DR41Z", typed
        assert tracking.code_hash(typed) == tracking.code_hash(code)


@pytest.mark.parametrize(
    "typed", ["", None, "7K3M-Q9XB-2H0D-R41", "7K3M-Q9XB-2H0D-R41ZZ", "7K3M-Q9XB-2H0D-R4UZ", "7K3M-Q9XB-2H0D-R4!Z", 42]
)
def test_invalid_codes_normalise_to_none(typed):
    assert tracking.normalise(typed) is None
    assert tracking.code_hash(typed) is None


def test_hash_is_sha256_and_never_the_code():
    for _ in range(50):
        code = tracking.new_code()
        digest = tracking.code_hash(code)
        assert re.fullmatch(r"[0-9a-f]{64}", digest)
        assert digest != code and tracking.normalise(code) not in digest.upper()
