"""The shared request-parameter readers (library/params.py)."""

from datetime import date
from decimal import Decimal

import pytest

from library import params
from library.params import BadParameter


@pytest.mark.parametrize("raw", ["²", "١٢", "１２", "-1", "+1", "1.0", "1e3", " ", "", "99999999999999999999", "a\x00"])
def test_ids_are_ascii_digits_within_bigint(raw):
    assert params.id_param({"id": raw}, "id") is None


def test_an_id_is_read():
    assert params.id_param({"id": " 42 "}, "id") == 42
    assert params.id_param({"id": str(2**63 - 1)}, "id") == 2**63 - 1
    assert params.id_param({"id": str(2**63)}, "id") is None


@pytest.mark.parametrize(("raw", "page"), [("3", 3), ("0", 1), ("²", 1), ("99999999999999999999", 1), (None, 1)])
def test_pages(raw, page):
    assert params.page_param({} if raw is None else {"page": raw}) == page


def test_id_list_keeps_the_valid_ones():
    assert params.id_list(["1", "²", "x", "99999999999999999999", "7"]) == [1, 7]


def test_text_param_drops_nul_and_surrogates_and_bounds_the_length():
    assert params.text_param({"q": " a\x00b\ud800 "}, "q") == "ab"
    assert len(params.text_param({"q": "字" * 10_000}, "q", max_length=200)) == 200


def test_parse_text_refuses_nul_and_long_text_with_a_message():
    with pytest.raises(BadParameter, match="备注"):
        params.parse_text("a\x00b", max_length=10, label="备注")
    with pytest.raises(BadParameter, match="最多 10 个字"):
        params.parse_text("x" * 11, max_length=10, label="备注")
    assert params.parse_text("  好  ", max_length=10, label="备注") == "好"


def test_parse_code_refuses_instead_of_cleaning():
    # "A000\x000001" cleaned would be a real barcode: the scan must not lend or return it.
    with pytest.raises(BadParameter, match="无法识别"):
        params.parse_code("A000\x000001")
    with pytest.raises(BadParameter):
        params.parse_code("9" * 101)
    assert params.parse_code(" A0000001 ") == "A0000001"


@pytest.mark.parametrize("raw", ["2025-02-30", "2025-2-3", "２０２５-01-01", "20250101", "a\x00", "9" * 50, ""])
def test_bad_dates_are_none(raw):
    assert params.parse_date(raw) is None


def test_a_date_is_read():
    assert params.date_param({"d": "2025-09-01"}, "d") == date(2025, 9, 1)


@pytest.mark.parametrize(
    "raw", ["NaN", "nan", "sNaN", "Infinity", "-inf", "1e999", "1E+10", "12345678", "0.001", "-1", "x"]
)
def test_money_must_be_finite_and_fit_the_column(raw):
    with pytest.raises(BadParameter, match="数字|太大|小数|小于"):
        params.parse_decimal(raw, max_digits=9, decimal_places=2, label="金额")


def test_money_is_read_and_quantized():
    assert params.parse_decimal(" 12.5 ", max_digits=9, decimal_places=2, label="金额") == Decimal("12.50")
    assert params.parse_decimal("1E+2", max_digits=9, decimal_places=2, label="金额") == Decimal("100.00")
    assert params.parse_decimal("", max_digits=9, decimal_places=2, label="金额") is None
