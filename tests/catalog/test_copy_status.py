"""copy_change_status: a copy's status and its history row, written together."""

import pytest
from django.db import DatabaseError
from django.utils import timezone

from catalog.models import Copy, CopyStatus, CopyStatusChange
from catalog.status import copy_change_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def copy(catalogue):
    return catalogue("城南旧事", "I246.5").copies.get()


def test_status_and_history_row_are_written_in_one_statement(copy, librarian, django_assert_num_queries):
    now = timezone.now()
    with django_assert_num_queries(1):
        copy_change_status(copy, CopyStatus.REPAIR, by=librarian, now=now, note="书脊开裂")
    assert copy.status == CopyStatus.REPAIR
    assert Copy.objects.get(pk=copy.pk).status == CopyStatus.REPAIR
    change = CopyStatusChange.objects.get(copy=copy)
    assert (change.from_status, change.to_status, change.changed_at, change.changed_by, change.note) == (
        CopyStatus.ON_SHELF,
        CopyStatus.REPAIR,
        now,
        librarian,
        "书脊开裂",
    )


def test_no_change_writes_nothing_and_a_long_note_is_cut(copy, django_assert_num_queries):
    with django_assert_num_queries(0):
        copy_change_status(copy, CopyStatus.ON_SHELF)
    copy_change_status(copy, CopyStatus.ON_LOAN, note="借" * 400)
    change = CopyStatusChange.objects.get(copy=copy)
    assert change.changed_by is None and change.note == "借" * 300


def test_a_copy_that_no_longer_exists_gets_no_history_row(copy):
    Copy.objects.filter(pk=copy.pk).delete()
    with pytest.raises(DatabaseError):
        copy_change_status(copy, CopyStatus.ON_LOAN)
    assert copy.status == CopyStatus.ON_SHELF
    assert not CopyStatusChange.objects.exists()
