"""The Z39.50 服务器 pages: list, add, edit, delete and 测试连接, and who may use them."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from catalog.models import Z3950Target

pytestmark = pytest.mark.django_db

FORM = {
    "name": "国家图书馆",
    "host": "z3950.example.cn",
    "port": "2200",
    "database": "UCS01U",
    "syntax": "cnmarc",
    "encoding": "utf-8",
    "timeout": "8",
    "enabled": "on",
    "position": "1",
    "user": "",
    "password": "",
}


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def target(db):
    return Z3950Target.objects.create(name="联合目录", host="127.0.0.1", port=1, database="db", timeout=1)


def test_librarian_adds_a_target(client, librarian):
    client.force_login(librarian)
    response = client.post(reverse("catalog:z3950_target_new"), FORM)
    assert response.status_code == 302
    t = Z3950Target.objects.get()
    assert (t.name, t.host, t.port, t.database, t.syntax, t.encoding, t.timeout) == (
        "国家图书馆",
        "z3950.example.cn",
        2200,
        "UCS01U",
        "cnmarc",
        "utf-8",
        8,
    )
    page = client.get(reverse("catalog:z3950_targets"))
    assert "国家图书馆" in page.content.decode() and "z3950.example.cn:2200" in page.content.decode()


def test_admin_edits_a_target_and_an_empty_password_keeps_the_stored_one(client, admin, target):
    target.user, target.password = "school", "secret"
    target.save()
    client.force_login(admin)
    response = client.post(
        reverse("catalog:z3950_target_edit", args=[target.pk]), {**FORM, "name": "CALIS", "user": "school"}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.name, target.user, target.password) == ("CALIS", "school", "secret")
    # The password is never sent back to the browser.
    page = client.get(reverse("catalog:z3950_target_edit", args=[target.pk]))
    assert "secret" not in page.content.decode()


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("host", "not a host!", "请填写域名或 IP 地址"),
        ("port", "70000", "65535"),
        ("timeout", "0", "1"),
        ("name", "", "这个字段是必填项"),
    ],
)
def test_bad_settings_are_refused_and_nothing_is_saved(client, librarian, field, value, message):
    client.force_login(librarian)
    response = client.post(reverse("catalog:z3950_target_new"), {**FORM, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Z3950Target.objects.exists()


def test_a_second_target_with_the_same_name_is_refused(client, librarian, target):
    client.force_login(librarian)
    response = client.post(reverse("catalog:z3950_target_new"), {**FORM, "name": "联合目录"})
    assert response.status_code == 200
    assert Z3950Target.objects.count() == 1


def test_delete(client, librarian, target):
    client.force_login(librarian)
    response = client.post(reverse("catalog:z3950_target_delete", args=[target.pk]))
    assert response.status_code == 302
    assert not Z3950Target.objects.exists()
    assert "已删除 Z39.50 服务器“联合目录”。" in _messages(response)


def test_connection_test_reports_the_hits(client, librarian, zebra_server):
    t = zebra_server.target("cnmarc", name="本地测试库")
    t.save()
    client.force_login(librarian)
    response = client.post(reverse("catalog:z3950_target_test", args=[t.pk]), {"q": "小王子"})
    assert response.status_code == 302
    assert _messages(response) == ["测试连接“本地测试库”成功：检索“小王子”命中 1 条。 小王子"]


def test_connection_test_searches_the_default_isbn_when_nothing_is_typed(client, librarian, zebra_server):
    t = zebra_server.target("cnmarc", name="本地测试库")
    t.save()
    client.force_login(librarian)
    response = client.post(reverse("catalog:z3950_target_test", args=[t.pk]))
    assert _messages(response) == ["测试连接“本地测试库”成功：检索“9787020002207”命中 1 条。 西游记"]


def test_connection_test_of_an_unreachable_target_says_why(client, librarian, target):
    client.force_login(librarian)
    response = client.post(reverse("catalog:z3950_target_test", args=[target.pk]), {"q": "9787020002207"})
    [message] = _messages(response)
    assert message.startswith("测试连接“联合目录”失败：无法连接 127.0.0.1:1")


@pytest.mark.parametrize("name", ["z3950_target_delete", "z3950_target_test"])
def test_mutating_pages_refuse_get(client, librarian, target, name):
    client.force_login(librarian)
    assert client.get(reverse(name.join(["catalog:", ""]), args=[target.pk])).status_code == 405
    assert Z3950Target.objects.filter(pk=target.pk).exists()


URLS = [
    ("get", "catalog:z3950_targets", False),
    ("get", "catalog:z3950_target_new", False),
    ("post", "catalog:z3950_target_new", False),
    ("get", "catalog:z3950_target_edit", True),
    ("post", "catalog:z3950_target_edit", True),
    ("post", "catalog:z3950_target_delete", True),
    ("post", "catalog:z3950_target_test", True),
]


@pytest.mark.parametrize("method, name, with_pk", URLS)
def test_anonymous_is_sent_to_login(client, target, method, name, with_pk):
    url = reverse(name, args=[target.pk] if with_pk else None)
    response = getattr(client, method)(url, FORM if method == "post" else None)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Z3950Target.objects.get().name == "联合目录"


@pytest.mark.parametrize("method, name, with_pk", URLS)
@pytest.mark.parametrize("role", ["assistant", "teacher"])
def test_roles_without_cataloguing_get_403(request, client, target, method, name, with_pk, role):
    client.force_login(request.getfixturevalue(role))
    url = reverse(name, args=[target.pk] if with_pk else None)
    response = getattr(client, method)(url, FORM if method == "post" else None)
    assert response.status_code == 403
    assert list(Z3950Target.objects.values_list("name", flat=True)) == ["联合目录"]


def test_without_libyaz_the_page_says_so_and_still_works(client, librarian, target, monkeypatch):
    from catalog.sources import z3950

    monkeypatch.setattr(z3950, "_yaz", None)
    monkeypatch.setattr(z3950, "_yaz_error", "missing")
    client.force_login(librarian)
    page = client.get(reverse("catalog:z3950_targets"))
    assert page.status_code == 200
    assert "未安装 YAZ 库" in page.content.decode()
    response = client.post(reverse("catalog:z3950_target_test", args=[target.pk]))
    assert _messages(response)[0].startswith("测试连接“联合目录”失败：未安装 YAZ 库")
