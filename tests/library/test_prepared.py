"""PreparedSelect: SQL built once, rows made into instances as select_related makes them."""

import pytest
from django.db import transaction
from django.db.models import JSONField
from django.db.transaction import TransactionManagementError

from circulation.models import Reader, SchoolClass
from library.prepared import Part, PreparedInsert, PreparedSelect
from tests.conftest import make_reader

pytestmark = pytest.mark.django_db

READER, CLASS = Reader._meta.db_table, SchoolClass._meta.db_table


def readers_with_class(**options) -> PreparedSelect:
    return PreparedSelect(
        [Part(Reader, READER, defer=options.pop("defer", ())), Part(SchoolClass, CLASS, "school_class")],
        f"SELECT {{columns}} FROM {READER} LEFT JOIN {CLASS} ON {CLASS}.id = {READER}.school_class_id"
        f" WHERE {READER}.name LIKE %s ORDER BY {READER}.id" + options.pop("tail", ""),
        **options,
    )


def test_rows_become_the_instances_select_related_makes(school_class, django_assert_num_queries):
    pupil = make_reader("张小明", school_class=school_class, number="20250101")
    make_reader("张老师", kind="teacher")
    with django_assert_num_queries(1):
        found = readers_with_class().fetch(["张%"])
        assert [(r.pk, r.name, r.student_number, r.kind) for r in found] == [
            (pupil.pk, "张小明", "20250101", "student"),
            (found[1].pk, "张老师", None, "teacher"),
        ]
        # The joined class is cached on its reader (no query), None where there is none.
        assert found[0].school_class == school_class and found[0].school_class.stage == school_class.stage
        assert found[1].school_class is None
    assert found[0] == Reader.objects.get(pk=pupil.pk) and not found[0]._state.adding


def test_extra_columns_are_attributes_with_their_fields_conversion(school_class):
    make_reader("张小明", school_class=school_class)
    select = readers_with_class(extra={"tags": ("SELECT jsonb_build_array(%s::text, 2)", JSONField)})
    (pupil,) = select.fetch(["第一", "张%"])
    assert pupil.tags == ["第一", 2]


def test_a_part_that_is_no_relation_becomes_a_plain_attribute(school_class):
    """A row read alongside its parent (here each reader's classmate, or none) hangs under the name
    its path gives, None when the statement found no row for it."""
    make_reader("张小明", school_class=school_class)
    make_reader("张老师", kind="teacher")
    select = PreparedSelect(
        [Part(Reader, READER), Part(Reader, "mate", "classmate"), Part(SchoolClass, CLASS, "classmate.school_class")],
        f"SELECT {{columns}} FROM {READER} LEFT JOIN {READER} mate ON mate.school_class_id = {READER}.school_class_id"
        f" LEFT JOIN {CLASS} ON {CLASS}.id = mate.school_class_id WHERE {READER}.name LIKE %s ORDER BY {READER}.id",
    )
    pupil, teacher = select.fetch(["张%"])
    assert pupil.classmate.name == "张小明" and pupil.classmate.school_class == school_class
    assert teacher.classmate is None


def test_a_deferred_field_is_read_when_used(school_class, django_assert_num_queries):
    make_reader("张小明", school_class=school_class, number="20250101")
    (pupil,) = readers_with_class(defer=("student_number",)).fetch(["张%"])
    with django_assert_num_queries(1):
        assert pupil.student_number == "20250101"


@pytest.mark.django_db(transaction=True)  # the test itself runs outside any transaction
def test_a_locking_read_refuses_to_run_outside_a_transaction():
    make_reader("张老师", kind="teacher")
    select = readers_with_class(tail=f" FOR UPDATE OF {READER}", lock=True)
    with pytest.raises(TransactionManagementError):
        select.fetch(["张%"])
    with transaction.atomic():
        assert [r.name for r in select.fetch(["张%"])] == ["张老师"]


def test_an_insert_writes_the_row_save_writes(school_class, django_assert_num_queries):
    pupil = Reader(name="张小明", kind="student", school_class=school_class, student_number="20250101")
    with django_assert_num_queries(1):
        PreparedInsert(Reader).save(pupil)
    assert pupil.pk and not pupil._state.adding
    saved = Reader.objects.get(pk=pupil.pk)
    assert (saved.name, saved.school_class, saved.student_number) == ("张小明", school_class, "20250101")
    assert saved.created_at is not None  # auto_now_add, as save() sets it


def test_an_insert_refuses_an_unsaved_related_object(school_class):
    with pytest.raises(ValueError):
        PreparedInsert(Reader).save(Reader(name="张小明", kind="student", school_class=SchoolClass()))
    assert not Reader.objects.exists()
