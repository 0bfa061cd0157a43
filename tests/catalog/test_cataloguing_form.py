"""The cataloguing form: the 中图法 picker, the class name on the record pages, 语种 as a list,
and an exact ISBN match that only an explicit choice (多卷书/不同版本) turns into a second record."""

from django.urls import reverse

from catalog.models import Record


def test_the_clc_picker_finds_classes_by_name(client, librarian):
    client.force_login(librarian)
    html = client.get(reverse("catalog:clc_search"), {"clc": "童话"}).content.decode()
    assert 'data-clc-pick="I287.7"' in html and "童话、寓言" in html


def test_the_clc_picker_names_a_typed_class_and_its_subdivisions(client, librarian):
    client.force_login(librarian)
    html = client.get(reverse("catalog:clc_search"), {"clc": "i287.7"}).content.decode()
    assert "I287.7：<strong>童话、寓言</strong>" in html
    deeper = client.get(reverse("catalog:clc_search"), {"clc": "I287.79"}).content.decode()
    assert "比分类表更细" in deeper and "童话、寓言" in deeper


def test_the_clc_picker_is_for_cataloguers_only(client, assistant):
    url = reverse("catalog:clc_search")
    assert client.get(url, {"clc": "I"}).status_code == 302
    client.force_login(assistant)
    assert client.get(url, {"clc": "I"}).status_code == 403


def test_the_record_pages_show_the_class_name(client, librarian, catalogue, django_assert_num_queries):
    rec = catalogue("安徒生童话", "I287.7")
    html = client.get(reverse("catalog:record", args=[rec.pk])).content.decode()
    assert "I287.7 童话、寓言" in html
    client.force_login(librarian)
    html = client.get(reverse("catalog:record_staff", args=[rec.pk])).content.decode()
    assert "I287.7 童话、寓言" in html and "中文" in html


def test_language_is_a_list_with_names(client, librarian, stacks):
    client.force_login(librarian)
    html = client.get(reverse("catalog:record_new"), {"isbn": ""}).content.decode()
    assert '<select name="language"' in html and '<option value="eng">英语</option>' in html
    data = {"title": "Charlotte's Web", "clc": "I712.84", "language": "xyz", "c-copies": "1"}
    data |= {"c-location": stacks.pk, "c-source": "purchase"}
    html = client.post(reverse("catalog:record_new"), data).content.decode()
    assert not Record.objects.exists() and "xyz" in html  # not one of the choices
    response = client.post(reverse("catalog:record_new"), {**data, "language": "eng"})
    assert response.status_code == 302 and Record.objects.get().get_language_display() == "英语"


def _new(stacks, **over):
    data = {
        "isbn": "9787020002207",
        "title": "西游记（下）",
        "volume": "下册",
        "clc": "I242.4",
        "language": "chi",
        "c-copies": "1",
        "c-location": stacks.pk,
        "c-source": "purchase",
    }
    return data | over


def test_an_exact_isbn_match_is_not_passed_by_the_another_book_tick(client, librarian, stacks, catalogue):
    catalogue("西游记（上）", "I242.4", isbn="9787020002207", volume="上册")
    client.force_login(librarian)
    html = client.post(reverse("catalog:record_new"), _new(stacks, confirm_new="1")).content.decode()
    assert "同一ISBN的另一种书：多卷书/不同版本" in html and "给它添加复本" in html
    assert Record.objects.count() == 1


def test_an_exact_isbn_match_becomes_a_second_record_with_its_reason(client, librarian, stacks, catalogue):
    catalogue("西游记（上）", "I242.4", isbn="9787020002207", volume="上册")
    client.force_login(librarian)
    response = client.post(reverse("catalog:record_new"), _new(stacks, isbn_shared_reason="volume"))
    assert response.status_code == 302
    second = Record.objects.get(volume="下册")
    assert (second.isbn, second.isbn_shared_reason) == ("9787020002207", "volume")
    page = client.get(reverse("catalog:record_staff", args=[second.pk])).content.decode()
    assert "多卷书：同一 ISBN 的另一册" in page


def test_a_forged_reason_is_refused(client, librarian, stacks, catalogue):
    catalogue("西游记（上）", "I242.4", isbn="9787020002207", volume="上册")
    client.force_login(librarian)
    response = client.post(reverse("catalog:record_new"), _new(stacks, isbn_shared_reason="because"))
    assert response.status_code == 200 and Record.objects.count() == 1


def test_a_class_number_with_a_nul_character_is_a_form_error(client, librarian, catalogue):
    rec = catalogue("安徒生童话", "I287.7")
    client.force_login(librarian)
    data = {"title": "安徒生童话", "clc": "I287\x00.7", "language": "chi"}
    response = client.post(reverse("catalog:record_edit", args=[rec.pk]), data)
    assert response.status_code == 200 and Record.objects.get().clc == "I287.7"
