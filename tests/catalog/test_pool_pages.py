"""The source pool pages: upload, list, search, view a record, delete a file."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import Record, SourceFile, SourceRecord
from catalog.sources import pool
from tests.catalog import marc_fixtures
from tests.catalog.fixtures.make_fixtures import read


def upload(client, name="cnmarc-gb18030.mrc", **extra):
    data = {"file": SimpleUploadedFile(name, read(name)), "name": "新蕾春季书目", "origin": "新蕾出版社随书光盘"}
    return client.post(reverse("catalog:pool_upload"), {**data, **extra}, follow=True)


def test_uploading_a_file_puts_its_records_in_the_pool_only(client, librarian):
    client.force_login(librarian)
    html = upload(client).content.decode()
    source = SourceFile.objects.get()
    assert "已放入书目数据源：3 条记录（字符编码 GB18030 / GBK）" in html and "小橘灯" in html
    assert (source.name, source.origin, source.uploaded_by) == ("新蕾春季书目", "新蕾出版社随书光盘", librarian)
    assert not Record.objects.exists()


def test_the_encoding_can_be_chosen(client, librarian):
    client.force_login(librarian)
    upload(client, "marc21-marc8.mrc", encoding="marc8")
    assert SourceFile.objects.get().encoding == "marc8"
    assert SourceRecord.objects.filter(title="L'étranger").exists()


def test_a_file_that_is_not_marc_is_refused_in_chinese(client, librarian):
    client.force_login(librarian)
    data = {"file": SimpleUploadedFile("a.txt", b"just some text, not a MARC file at all")}
    html = client.post(reverse("catalog:pool_upload"), data).content.decode()
    assert "不是 ISO 2709 或 MARCXML 格式" in html and not SourceFile.objects.exists()


def test_the_same_file_twice_is_refused(client, librarian):
    client.force_login(librarian)
    upload(client)
    html = upload(client).content.decode()
    assert "没有重复导入" in html and SourceFile.objects.count() == 1


def test_the_pool_page_lists_files_and_finds_records(client, librarian):
    pool.pool_import(content=read("marc21-shared-isbn.mrc"), name="苏少书目")
    client.force_login(librarian)
    html = client.get(reverse("catalog:pool")).content.decode()
    assert "苏少书目" in html
    html = client.get(reverse("catalog:pool"), {"q": "草房子"}).content.decode()
    assert html.count("草房子") >= 2 and "The bronze" not in html
    html = client.get(reverse("catalog:pool"), {"q": "9787534642609"}).content.decode()
    assert "The bronze and sunflower" in html


def test_a_pool_record_shows_its_fields_and_marc(client, librarian):
    pool.pool_import(content=read("cnmarc-gb18030.mrc"), name="f")
    rec = SourceRecord.objects.get(number=1)
    client.force_login(librarian)
    html = client.get(reverse("catalog:pool_record", args=[rec.pk])).content.decode()
    assert "小橘灯" in html and "新蕾出版社" in html and "=200  1\\$a小橘灯" in html
    # 扫描编目 fills the form from the pool; 新书编目 would only take the ISBN
    assert 'href="/catalog/scan/?code=9787530700181" data-testid="pool-catalogue"' in html


def test_a_pool_record_with_only_a_unified_number_is_catalogued_by_it(client, librarian):
    old_book = marc_fixtures.cnmarc(title="小兵张嘎", isbn="", unified="10019.1234", barcodes=())
    pool.pool_import(content=marc_fixtures.iso(old_book), name="旧书")
    client.force_login(librarian)
    html = client.get(reverse("catalog:pool_record", args=[SourceRecord.objects.get().pk])).content.decode()
    assert 'href="/catalog/scan/?code=10019%C2%B71234" data-testid="pool-catalogue">按这个统一书号编目' in html
    filled = client.get("/catalog/scan/", {"code": "10019·1234"}).content.decode()
    assert 'name="title" value="小兵张嘎"' in filled


def test_deleting_a_file(client, librarian):
    source = pool.pool_import(content=read("cnmarc-gb18030.mrc"), name="旧文件")
    client.force_login(librarian)
    response = client.post(reverse("catalog:pool_file_delete", args=[source.pk]), follow=True)
    assert "已从书目数据源删除“旧文件”（3 条记录）" in response.content.decode()
    assert not SourceRecord.objects.exists()


def test_delete_needs_post(client, librarian):
    source = pool.pool_import(content=read("cnmarc-gb18030.mrc"), name="f")
    client.force_login(librarian)
    assert client.get(reverse("catalog:pool_file_delete", args=[source.pk])).status_code == 405
    assert SourceFile.objects.exists()


def test_anonymous_is_sent_to_login_and_nothing_changes(client, db):
    source = pool.pool_import(content=read("cnmarc-gb18030.mrc"), name="f")
    response = client.post(reverse("catalog:pool_file_delete", args=[source.pk]))
    assert response.status_code == 302 and "login" in response["Location"]
    assert SourceFile.objects.exists()


def test_other_roles_are_refused(client, assistant, teacher):
    source = pool.pool_import(content=read("cnmarc-gb18030.mrc"), name="f")
    for user in (assistant, teacher):
        client.force_login(user)
        assert client.post(reverse("catalog:pool_file_delete", args=[source.pk])).status_code == 403
        assert client.get(reverse("catalog:pool")).status_code == 403
        data = {"file": SimpleUploadedFile("x.mrc", read("marc21.xml"))}
        assert client.post(reverse("catalog:pool_upload"), data).status_code == 403
    assert SourceFile.objects.count() == 1
