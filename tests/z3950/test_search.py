"""Z39.50 copy cataloguing against a real Z39.50 server (Zebra on 127.0.0.1), through YAZ."""

import socket
import threading

import pytest

from catalog.models import Z3950Target
from catalog.sources import z3950
from catalog.sources.z3950 import search_targets
from tests.z3950 import records

pytestmark = pytest.mark.django_db


def test_isbn_hit_on_cnmarc_target_fills_the_fields(zebra_server):
    target = zebra_server.target("cnmarc", name="国家图书馆（测试）")
    result = search_targets(isbn="978-7-02-004249-4", targets=[target])
    assert result.errors == []
    assert len(result.candidates) == 1
    c = result.candidates[0]
    assert c.source == "z3950"
    assert c.label == "国家图书馆（测试）"
    assert c.fields["title"] == "小王子"
    assert c.fields["isbn"] == "9787020042494"
    assert c.fields["authors"] == "圣埃克苏佩里"
    assert c.fields["publisher"] == "人民文学出版社"
    assert c.fields["clc"] == "I565.88"
    assert c.fields["price"] == "15.00"
    # The raw record is kept as received: ISO 2709, ending with the record terminator.
    assert c.marc.endswith(b"\x1d") and "小王子".encode() in c.marc


def test_isbn10_finds_the_record_catalogued_under_isbn13(zebra_server):
    result = search_targets(isbn="7-02-004249-2", targets=[zebra_server.target("cnmarc")])
    assert [c.fields["title"] for c in result.candidates] == ["小王子"]


def test_title_search(zebra_server):
    result = search_targets(title="西游记", targets=[zebra_server.target("cnmarc")])
    assert result.errors == []
    assert [c.fields["isbn"] for c in result.candidates] == ["9787020002207"]


def test_author_search_returns_every_book_of_the_author(zebra_server):
    result = search_targets(author="曹文轩", targets=[zebra_server.target("cnmarc")])
    assert sorted(c.fields["title"] for c in result.candidates) == ["草房子", "青铜葵花"]
    assert result.hits == {"测试服务器-cnmarc": 2}


def test_title_and_author_together_narrow_the_search(zebra_server):
    result = search_targets(title="草房子", author="曹文轩", targets=[zebra_server.target("cnmarc")])
    assert [c.fields["title"] for c in result.candidates] == ["草房子"]


def test_marc21_target(zebra_server):
    target = zebra_server.target("marc21", syntax="marc21")
    result = search_targets(isbn="9787020033430", targets=[target])
    assert result.errors == []
    [c] = result.candidates
    assert c.fields["title"] == "哈利·波特与魔法石"  # ISBD punctuation ("/") removed
    assert c.fields["publisher"] == "人民文学出版社"
    assert c.fields["clc"] == "I561.84"
    assert c.marc[9:10] == b"a"  # MARC21 in Unicode says so in the leader


def test_no_hit_is_not_an_error(zebra_server):
    result = search_targets(isbn="9787111111111", targets=[zebra_server.target("cnmarc")])
    assert result.candidates == []
    assert result.errors == []
    assert result.hits == {"测试服务器-cnmarc": 0}


def test_gb18030_target_is_read_and_searched_in_gb18030(zebra_server):
    target = zebra_server.target("gbk", encoding="gb18030")
    by_isbn = search_targets(isbn="9787544242516", targets=[target])
    [c] = by_isbn.candidates
    assert c.fields["title"] == "窗边的小豆豆"
    assert c.fields["authors"] == "黑柳彻子"
    assert "窗边的小豆豆".encode("gb18030") in c.marc
    # The title is sent in GB18030 too: the server's index holds GB18030 text.
    by_title = search_targets(title="窗边的小豆豆", targets=[target])
    assert [c.fields["isbn"] for c in by_title.candidates] == ["9787544242516"]


def test_gb18030_target_configured_as_utf8_shows_the_wrong_text(zebra_server):
    """The encoding setting is what decides: read as UTF-8 the same record is not the Chinese title."""
    result = search_targets(isbn="9787544242516", targets=[zebra_server.target("gbk", encoding="utf-8")])
    [c] = result.candidates
    assert c.fields["title"] != "窗边的小豆豆"


def test_marc8_target(zebra_server):
    target = zebra_server.target("marc8", syntax="marc21", encoding="marc-8")
    result = search_targets(isbn="9780140277135", targets=[target])
    [c] = result.candidates
    assert c.fields["title"] == records.MARC8_TITLE
    # The title is sent in MARC-8 (é as a combining acute before the e), as the index holds it.
    by_title = search_targets(title="Café", targets=[target])
    assert [c.fields["isbn"] for c in by_title.candidates] == ["9780140277135"]


def test_unreachable_target_gives_a_chinese_error(closed_port):
    target = Z3950Target(name="关着的服务器", host="127.0.0.1", port=closed_port, database="x", timeout=2)
    result = search_targets(isbn="9787020042494", targets=[target])
    assert result.candidates == []
    [error] = result.errors
    assert error.target == "关着的服务器"
    assert "无法连接" in error.message and f"127.0.0.1:{closed_port}" in error.message


def test_hanging_target_times_out_with_a_chinese_error(silent_port):
    target = Z3950Target(name="不回答的服务器", host="127.0.0.1", port=silent_port, database="x", timeout=30)
    result = search_targets(isbn="9787020042494", targets=[target], timeout=1)
    [error] = result.errors
    assert error.target == "不回答的服务器"
    assert "超时" in error.message and "1 秒" in error.message


def test_wrong_database_name(zebra_server):
    result = search_targets(isbn="9787020042494", targets=[zebra_server.target("nosuchdb")])
    [error] = result.errors
    assert "没有名为“nosuchdb”的数据库" in error.message


def test_one_failing_target_does_not_hide_the_others(zebra_server, closed_port, silent_port):
    good = zebra_server.target("cnmarc", name="好的")
    closed = Z3950Target(name="关着的", host="127.0.0.1", port=closed_port, database="x")
    hung = Z3950Target(name="不回答的", host="127.0.0.1", port=silent_port, database="x")
    result = search_targets(isbn="9787020042494", targets=[closed, hung, good], timeout=1)
    assert [(c.label, c.fields["title"]) for c in result.candidates] == [("好的", "小王子")]
    assert sorted(e.target for e in result.errors) == ["不回答的", "关着的"]


def test_enabled_targets_in_their_order_are_the_default(zebra_server):
    second = zebra_server.target("marc21", syntax="marc21", name="乙")
    second.position = 2
    second.save()
    first = zebra_server.target("cnmarc", name="甲")
    first.position = 1
    first.save()
    off = zebra_server.target("cnmarc", name="停用的")
    off.enabled = False
    off.save()
    # Both enabled targets answer: the CNMARC one has 西游记, the MARC21 one has none.
    result = search_targets(title="西游记")
    assert [c.label for c in result.candidates] == ["甲"]
    assert result.hits == {"甲": 1, "乙": 0}


def test_nothing_to_search_for():
    result = search_targets(isbn="  ", targets=[Z3950Target(name="t", host="127.0.0.1", port=1, database="x")])
    assert result.candidates == []
    assert "请输入" in result.errors[0].message


def test_query_quotes_the_terms():
    assert z3950.build_query(title='a "b" \\c') == '@attr 1=4 "a \\"b\\" \\\\c"'
    assert z3950.build_query(isbn="978-7-02-004249-4", author="吴承恩") == (
        '@and @attr 1=7 "9787020042494" @attr 1=1003 "吴承恩"'
    )


def test_missing_yaz_library_gives_a_chinese_error_not_a_crash(monkeypatch, zebra_server):
    monkeypatch.setattr(z3950, "_yaz", None)
    monkeypatch.setattr(z3950, "_yaz_error", "missing")
    result = search_targets(isbn="9787020042494", targets=[zebra_server.target("cnmarc")])
    assert result.candidates == []
    assert "未安装 YAZ 库" in result.errors[0].message


class _WaitingServer:
    """Accepts one connection, then holds it until its partner has accepted one too, then hangs up."""

    def __init__(self, name: str, events: list, barrier: threading.Barrier):
        self.name, self.events, self.barrier = name, events, barrier
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        conn, _addr = self.sock.accept()
        with conn:
            self.events.append(("accepted", self.name))
            try:
                self.barrier.wait()
            except threading.BrokenBarrierError:
                self.events.append(("alone", self.name))

    def close(self):
        self.thread.join(60)
        self.sock.close()


def test_targets_are_searched_at_the_same_time_not_one_after_the_other():
    """Each server hangs up only once both have a connection. Searched at the same time, both are
    connected at once and the search ends as soon as they hang up; searched one after the other,
    the first would wait alone for a connection the client never makes to the second."""
    events, barrier = [], threading.Barrier(2, timeout=30)
    servers = [_WaitingServer(name, events, barrier) for name in ("甲", "乙")]
    targets = [Z3950Target(name=s.name, host="127.0.0.1", port=s.port, database="x") for s in servers]
    try:
        result = search_targets(isbn="9787020042494", targets=targets, timeout=60)
    finally:
        for s in servers:
            s.close()
    assert sorted(kind for kind, _name in events) == ["accepted", "accepted"]
    assert sorted(e.target for e in result.errors) == ["乙", "甲"]
    assert all("断开了连接" in e.message for e in result.errors)


def test_without_libyaz_the_search_answers_in_chinese_and_the_module_still_imports(monkeypatch):
    """As on a server where libyaz5 is not installed: loading the library fails, nothing crashes."""

    def no_library(name, *args, **kwargs):
        raise OSError(f"{name}: cannot open shared object file")

    monkeypatch.setattr(z3950, "_yaz", None)
    monkeypatch.setattr(z3950, "_yaz_error", "")
    monkeypatch.setattr(z3950.ctypes, "CDLL", no_library)
    monkeypatch.setattr(z3950.ctypes.util, "find_library", lambda name: None)
    assert z3950.yaz_available() is False
    target = Z3950Target(name="t", host="127.0.0.1", port=1, database="x")
    result = search_targets(isbn="9787020042494", targets=[target])
    assert result.candidates == []
    assert [e.message for e in result.errors] == [z3950.yaz_missing_message()]
    assert result.errors[0].message.startswith("未安装 YAZ 库")
