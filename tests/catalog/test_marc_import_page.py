"""The MARC import page with real-world files: MARCXML, MARC-8, classes typed on the preview."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog import importing
from catalog.models import ImportLog, Record, SourceRecord
from tests.catalog.fixtures.make_fixtures import read

URL = "/catalog/import/marc/"


def preview(client, name, stacks, **extra):
    upload = SimpleUploadedFile(name, read(name))
    return client.post(URL, {"file": upload, "location": stacks.pk, **extra}).content.decode()


def confirm(client, name, stacks, encoding, **extra):
    data = {"sha": importing.file_hash(read(name)), "filename": name, "location": stacks.pk, "flavour": "auto"}
    return client.post(URL, {**data, "encoding": encoding, **extra})


def test_the_url_is_the_import_page():
    assert reverse("catalog:import_marc") == URL


def test_a_marcxml_file_previews_and_imports(client, librarian, stacks):
    client.force_login(librarian)
    html = preview(client, "marc21.xml", stacks)
    assert "将新建书目 2 种" in html and "青铜葵花" in html
    assert confirm(client, "marc21.xml", stacks, "utf-8").status_code == 302
    assert Record.objects.count() == 2


def test_a_marc8_file_says_so_and_keeps_its_accents(client, librarian, stacks):
    client.force_login(librarian)
    html = preview(client, "marc21-marc8.mrc", stacks)
    assert "字符编码：MARC-8（自动识别）" in html and "L&#x27;étranger" in html
    confirm(client, "marc21-marc8.mrc", stacks, "marc8")
    assert set(Record.objects.values_list("title", flat=True)) == {"L'étranger", "Café au lait"}


def test_the_preview_count_is_the_import_count_with_a_shared_isbn(client, librarian, stacks):
    client.force_login(librarian)
    html = preview(client, "marc21-shared-isbn.mrc", stacks)
    assert "将新建书目 3 种" in html and "与第 1 条 ISBN 相同" in html
    confirm(client, "marc21-shared-isbn.mrc", stacks, "utf-8")
    assert Record.objects.count() == ImportLog.objects.get().records_created == 3


def test_a_record_without_a_class_is_asked_for_on_the_preview(client, librarian, stacks):
    client.force_login(librarian)
    html = preview(client, "cnmarc-gb18030.mrc", stacks)
    assert 'name="clc_3"' in html and "有 1 条新记录没有中图法分类号" in html and "import-confirm" in html
    confirm(client, "cnmarc-gb18030.mrc", stacks, "gb18030", clc_3="I286.5")
    assert Record.objects.get(title="寄小读者").call_number.startswith("I286.5/")
    assert not SourceRecord.objects.exists()


def test_left_unclassified_it_waits_in_the_pool(client, librarian, stacks):
    client.force_login(librarian)
    preview(client, "cnmarc-gb18030.mrc", stacks)
    response = confirm(client, "cnmarc-gb18030.mrc", stacks, "gb18030", clc_3="")
    assert response.status_code == 302 and Record.objects.count() == 2
    assert SourceRecord.objects.get().title == "寄小读者"


def test_a_wrong_class_shows_the_preview_again_and_writes_nothing(client, librarian, stacks):
    client.force_login(librarian)
    preview(client, "cnmarc-gb18030.mrc", stacks)
    html = confirm(client, "cnmarc-gb18030.mrc", stacks, "gb18030", clc_3="乱码").content.decode()
    assert "填写的分类号有误" in html and "第 3 条记录，字段 690$a" in html and 'name="clc_3"' in html
    assert not Record.objects.exists() and not ImportLog.objects.exists()
    confirm(client, "cnmarc-gb18030.mrc", stacks, "gb18030", clc_3="I286.5")  # the file was kept
    assert Record.objects.count() == 3


def test_in_english_the_pool_sentence_is_a_sentence_of_its_own(client, librarian, stacks):
    client.force_login(librarian)
    client.cookies["django_language"] = "en"
    html = preview(client, "cnmarc-gb18030.mrc", stacks)
    assert "will be created. <span" in html and "Records without a class number (1) go to the source pool." in html


def test_a_file_imported_before_does_not_announce_records_for_the_pool(client, librarian, stacks):
    client.force_login(librarian)
    preview(client, "cnmarc-gb18030.mrc", stacks)
    confirm(client, "cnmarc-gb18030.mrc", stacks, "gb18030", clc_3="")
    html = preview(client, "cnmarc-gb18030.mrc", stacks)
    assert 'data-testid="import-already"' in html and 'data-testid="import-pooled"' not in html
    assert SourceRecord.objects.count() == 1
