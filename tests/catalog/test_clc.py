import pytest

from catalog import clc
from catalog.models import ClcClass


def test_the_table_is_loaded_by_migration_with_the_22_base_classes(db):
    bases = dict(ClcClass.objects.filter(parent__isnull=True).values_list("code", "name"))
    assert bases == clc.BASE_CLASSES
    assert ClcClass.objects.get(code="TP").parent_id == "T"
    assert ClcClass.objects.get(code="I287").level == 4


def test_alternative_discontinued_and_range_nodes_are_marked(db):
    assert ClcClass.objects.get(code="I3/7").kind == "range"
    assert ClcClass.objects.filter(kind="alternative", code__startswith="[").exists()
    assert ClcClass.objects.get(code="{G6}").kind == "discontinued"


@pytest.mark.parametrize(
    "code",
    ["I287.5", "TP311.13", "B-49", "I247.5-53", "J11(191.1)", 'J523.2"17"', "K825.38=5", "F08:G40-054", "i287.5"],
)
def test_valid_class_numbers(code):
    assert clc.validate(code) == code[0].upper() + code[1:]


@pytest.mark.parametrize("code", ["", "L123", "W1", "287.5", "TA12", "I28(7", "I28#"])
def test_invalid_class_numbers_are_refused_with_a_message(code):
    with pytest.raises(clc.ClcError) as exc:
        clc.validate(code)
    assert str(exc.value)


def test_base_class_counts_tb_to_tv_as_t():
    assert clc.base_class("TP312") == "T"
    assert clc.base_class("I287.5") == "I"
    assert clc.base_class("") == ""


def test_class_numbers_sort_as_decimals_digit_by_digit():
    codes = ["I25", "I247.57", "I24", "I248", "I247", "I247.5", "I247.5-53", "H31", "TP3", "TB1", "I2"]
    ordered = sorted(codes, key=clc.class_key)
    assert ordered == ["H31", "I2", "I24", "I247", "I247.5", "I247.5-53", "I247.57", "I248", "I25", "TB1", "TP3"]


def test_book_numbers_sort_numerically_within_a_class():
    keys = [
        clc.shelf_key("I247.5", "102"),
        clc.shelf_key("I247.5", "12"),
        clc.shelf_key("I247.5", "2"),
        clc.shelf_key("I247", "500"),
    ]
    assert sorted(keys) == [keys[3], keys[2], keys[1], keys[0]]


def test_volumes_sort_after_their_title_and_numerically():
    assert clc.shelf_key("I287.5", "3", "第2册") < clc.shelf_key("I287.5", "3", "第10册") < clc.shelf_key("I287.5", "4")


def test_call_number_split_parses_from_the_right():
    assert clc.split_call_number("I287.5/123") == ("I287.5", "123")
    assert clc.split_call_number("K833/837/5") == ("K833/837", "5")


def test_lookup_finds_the_longest_existing_prefix(db):
    exact = clc.lookup("I287.5")
    assert exact.exact and exact.node.code == "I287.5"
    deeper = clc.lookup("I287.459")
    assert not deeper.exact and deeper.node.code.startswith("I287.4")
    assert "I287.459" in deeper.warning("I287.459")


def test_lookup_understands_range_nodes(db):
    found = clc.lookup("I561.45")
    assert found.node.code in ("I561", "I56", "I5", "I3/7")
    assert not found.exact
