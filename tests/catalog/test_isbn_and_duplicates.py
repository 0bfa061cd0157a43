import pytest

from catalog import services
from catalog.exceptions import InvalidIsbn


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("978-7-02-000220-7", "9787020002207"),
        ("7-02-000220-X", "9787020002207"),
        ("702000220x", "9787020002207"),
        ("978 7 5307 0018 1", "9787530700181"),
        ("", ""),
    ],
)
def test_isbn_10_and_13_are_normalised_to_isbn_13(raw, expected):
    assert services.isbn_normalize(raw) == expected


@pytest.mark.parametrize("raw", ["978-7-02-000220-8", "7-02-000220-1", "12345", "97870200022070"])
def test_a_wrong_check_digit_or_length_is_refused(raw):
    with pytest.raises(InvalidIsbn):
        services.isbn_normalize(raw)


def test_duplicate_check_finds_same_isbn(catalogue):
    rec = catalogue("西游记", "I242.4", isbn="9787020002207", authors="吴承恩", publisher="人民文学出版社")
    assert services.record_duplicates(isbn="9787020002207") == [rec]


def test_duplicate_check_finds_same_title_author_publisher_ignoring_punctuation(catalogue):
    rec = catalogue("哈利·波特与魔法石", "I561.45", authors="[英]J.K.罗琳；苏农译", publisher="人民文学出版社")
    found = services.record_duplicates(title="哈利波特与魔法石", authors="[英] J.K. 罗琳", publisher="人民文学出版社")
    assert found == [rec]
    assert services.record_duplicates(title="哈利波特与魔法石", authors="罗琳", publisher="译林出版社") == []


def test_another_volume_of_a_set_is_not_a_duplicate(catalogue):
    catalogue("中国少年儿童百科全书", "Z228.1", isbn="9787534205200", volume="第1册")
    assert services.record_duplicates(isbn="9787534205200", volume="第2册") == []
