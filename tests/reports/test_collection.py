"""Collection analysis (馆藏结构) on the hand-built school, on 2026-01-20."""

from datetime import date
from decimal import Decimal

import pytest

from library.models import School
from reports import selectors
from reports.models import CollectionTarget, ReportSettings

pytestmark = pytest.mark.django_db
DAY = date(2026, 1, 20)


def test_structure_by_division_against_primary_targets(school):
    a = selectors.collection_analysis(DAY, 3)
    rows = {d["name"]: (d["volumes"], d["share"], d["target"], d["flag"]) for d in a["divisions"]}
    assert a["level"] == CollectionTarget.Level.PRIMARY
    assert rows["社会科学"] == (6, Decimal("0.6667"), Decimal("0.6400"), "")
    assert rows["自然科学"] == (1, Decimal("0.1111"), Decimal("0.2800"), "low")
    assert rows["综合性图书"] == (2, Decimal("0.2222"), Decimal("0.0500"), "high")


def test_secondary_school_uses_secondary_targets(school):
    School.objects.update(stage=School.Stage.JUNIOR)
    a = selectors.collection_analysis(DAY, 3)
    assert {d["name"]: d["target"] for d in a["divisions"]}["自然科学"] == Decimal("0.3800")


def test_edited_target_is_used(school):
    CollectionTarget.objects.filter(level="primary", division=5).update(percent=Decimal("25"))
    a = selectors.collection_analysis(DAY, 3)
    assert {d["division"]: d["flag"] for d in a["divisions"]}[5] == ""


def test_base_classes_titles_and_volumes(school):
    a = selectors.collection_analysis(DAY, 3)
    rows = {c["code"]: (c["titles"], c["volumes"]) for c in a["classes"] if c["volumes"]}
    # The withdrawn copy of 昆虫记 is not counted.
    assert rows == {"H": (1, 1), "I": (3, 5), "Q": (1, 1), "Z": (1, 2)}
    assert (a["titles"], a["volumes"]) == (6, 9)


def test_age_of_collection(school):
    a = selectors.collection_analysis(DAY, 3)
    assert [r["volumes"] for r in a["ages"]] == [1, 4, 1, 3]


def test_duplicates_over_the_cap(school):
    ReportSettings.objects.update(duplicate_cap=2)
    a = selectors.collection_analysis(DAY, 3)
    assert [(d["title"], d["volumes"], d["excess"]) for d in a["duplicates"]] == [("小王子", 3, 1)]


def test_never_borrowed_titles(school):
    a = selectors.collection_analysis(DAY, 3)
    # Only 格林童话 was held before 2023-01-20 and not borrowed since; newer titles are not candidates.
    assert [n["title"] for n in a["never"]] == ["格林童话"]
    assert a["never_count"] == 1
