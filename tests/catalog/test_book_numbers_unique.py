"""A typed 种次号 already used in the class is refused: by the service with a message, and by the
database (constraint) when two cataloguers race. Volumes of one set share their 种次号."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.db import IntegrityError, transaction
from django.urls import reverse

from catalog import services
from catalog.exceptions import BookNumberTaken
from catalog.models import BookNumberCounter, Record


def test_a_typed_book_number_used_by_another_title_of_the_class_is_refused(catalogue, stacks):
    catalogue("草房子", "I287.45")  # I287.45/1
    with pytest.raises(BookNumberTaken, match="已被《草房子》使用"):
        services.record_create(
            data={"title": "青铜葵花", "clc": "I287.45", "book_number": "1"}, copies=1, location=stacks
        )
    assert Record.objects.count() == 1


def test_the_same_number_in_another_class_or_for_another_volume_of_the_set_is_fine(catalogue, stacks):
    catalogue("中国历史", "K209", volume="第1册")  # K209/1
    catalogue("草房子", "I287.45")  # I287.45/1
    second = services.record_create(data={"title": "中国历史", "clc": "K209", "book_number": "1", "volume": "第2册"})
    other_class = services.record_create(data={"title": "青铜葵花", "clc": "I287.5", "book_number": "1"})
    assert (second.call_number, other_class.call_number) == ("K209/1", "I287.5/1")


def test_the_same_volume_of_the_same_title_is_refused_too(catalogue):
    catalogue("中国历史", "K209", volume="第1册")
    with pytest.raises(BookNumberTaken):
        services.record_create(data={"title": "中国历史", "clc": "K209", "book_number": "1", "volume": "第1册"})


def test_editing_a_record_to_a_used_number_is_refused_and_changes_nothing(catalogue):
    catalogue("草房子", "I287.45")
    rec = catalogue("青铜葵花", "I287.45")
    with pytest.raises(BookNumberTaken):
        services.record_update(record=rec, data={"book_number": "1"})
    rec.refresh_from_db()
    assert rec.call_number == "I287.45/2"
    # Other edits of a record keep working.
    services.record_update(record=rec, data={"pages": "200页"})


def test_the_database_refuses_a_clash_the_service_did_not_see(catalogue):
    first = catalogue("草房子", "I287.45")
    clash = Record(title="青铜葵花", clc="I287.45", book_number=first.book_number)
    with pytest.raises(IntegrityError, match="catalog_record_book_number_unique_in_class"), transaction.atomic():
        clash.save()


def test_the_form_shows_the_message_and_saves_nothing(client, librarian, stacks, catalogue):
    catalogue("草房子", "I287.45")
    client.force_login(librarian)
    data = {
        "title": "青铜葵花",
        "clc": "I287.45",
        "book_number": "1",
        "language": "chi",
        "c-copies": "1",
        "c-location": stacks.pk,
        "c-source": "purchase",
    }
    html = client.post(reverse("catalog:record_new"), data).content.decode()
    assert "种次号 1 在分类号 I287.45 下已被《草房子》使用" in html
    assert Record.objects.count() == 1


def test_the_migration_renumbers_records_that_share_a_number(catalogue, capsys):
    """Rows from before the constraint (here made by dropping it for a moment) keep the number on
    the oldest record; the others get the next free number of their class."""
    catalogue("草房子", "I287.45")
    with transaction.atomic():
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger events before ALTER TABLE
            cur.execute("DROP INDEX catalog_record_book_number_unique_in_class")
            cur.execute(
                "UPDATE catalog_record SET book_number = '1', call_number = 'I287.45/1' WHERE id = %s",
                [catalogue("青铜葵花", "I287.45").pk],
            )
            migration = importlib.import_module("catalog.migrations.0007_book_number_unique")
            migration.renumber_clashes(django_apps, None)
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute(
                "CREATE UNIQUE INDEX catalog_record_book_number_unique_in_class"
                " ON catalog_record (clc, book_number, volume) WHERE NOT (book_number = '')"
            )
    numbers = dict(Record.objects.values_list("title", "call_number"))
    assert numbers == {"草房子": "I287.45/1", "青铜葵花": "I287.45/3"}
    assert BookNumberCounter.objects.get(clc="I287.45").last_number == 3
    assert "I287.45/1 -> I287.45/3" in capsys.readouterr().out
