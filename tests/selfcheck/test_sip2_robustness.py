"""Whatever a client sends, the server answers or drops that one client, and keeps serving the
others: malformed messages, a bad checksum, 1 MB without a CR, half messages, hang-ups, many
machines scanning the same book at once, and the database dropping the connection."""

import socket
import threading

import pytest
from django.db import OperationalError, connection

from circulation.models import LibraryCard, Loan
from selfcheck import sip2_session
from selfcheck.sip2 import Message, encode
from tests.circulation.conftest import make_copy, make_record
from tests.conftest import make_reader

from .conftest import KIOSK_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_garbage_gets_a_resend_request_and_the_connection_stays_usable(machine):
    machine.send_raw(b"hello there\r")
    assert machine.read().code == "96"
    assert machine.status().fixed["online_status"] == "Y"


def test_a_malformed_known_message_gets_its_refusal(machine):
    machine.send_raw(b"11NN2025\r")  # a checkout cut short inside its fixed fields
    response = machine.read()
    assert response.code == "12" and response.fixed["ok"] == "0" and "格式错误" in response.get("AF")


def test_a_bad_checksum_asks_for_a_resend(machine):
    data = bytearray(
        encode(Message("99", {"status_code": "0", "max_print_width": "080", "protocol_version": "2.00"}, sequence=1))
    )
    data[2:3] = b"1"
    machine.send_raw(bytes(data))
    assert machine.read().code == "96"


def test_invalid_bytes_for_the_encoding_are_refused(machine):
    machine.send_raw(b"17" + b"20251112    093000" + b"AB\xff\xfe|\r")
    assert machine.read().code == "18"


def test_too_many_unreadable_messages_close_the_connection(machine):
    machine.send_raw(b"zz\r" * 5)
    with pytest.raises(ConnectionError):
        for _ in range(6):
            machine.read()


def test_a_one_megabyte_message_closes_that_connection_only(connect, machine):
    flood = connect()
    with pytest.raises(OSError):
        # The server reads until the limit, then hangs up; the rest of our send fails or is lost.
        flood.send_raw(b"17" + b"A" * 1_000_000)
        flood.read()
    assert machine.status().fixed["online_status"] == "Y"


def test_a_message_in_pieces_is_put_together(machine):
    data = encode(Message("99", {"status_code": "0", "max_print_width": "080", "protocol_version": "2.00"}))
    for piece in (data[:3], data[3:7], data[7:]):
        machine.send_raw(piece)
    assert machine.read().code == "98"


def test_two_messages_in_one_packet_get_two_responses(machine):
    status = encode(Message("99", {"status_code": "0", "max_print_width": "080", "protocol_version": "2.00"}))
    machine.send_raw(status + status)
    assert [machine.read().code, machine.read().code] == ["98", "98"]


def test_a_client_that_hangs_up_mid_message_does_not_disturb_the_others(connect, machine, sip_server):
    for _ in range(3):
        broken = socket.create_connection(sip_server.server_address[:2])
        broken.sendall(b"9300CNkio")
        broken.close()
    assert machine.status().fixed["online_status"] == "Y"


def test_ten_machines_scanning_one_book_lend_it_once(connect, kiosk, term, school_class):
    make_copy(make_record("草房子"), "C0000001")
    readers = [make_reader(f"学生{i}", school_class=school_class, number=f"2023{i:04d}") for i in range(10)]
    cards = [LibraryCard.objects.get(reader=r).number for r in readers]
    clients = [connect() for _ in readers]
    for client in clients:
        client.login(kiosk.name, KIOSK_PASSWORD)
    barrier, results = threading.Barrier(len(clients)), [None] * len(clients)

    def scan(i):
        barrier.wait()
        results[i] = clients[i].checkout(cards[i], "C0000001").fixed["ok"]

    threads = [threading.Thread(target=scan, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == ["0"] * 9 + ["1"]
    assert Loan.objects.filter(copy__barcode="C0000001").count() == 1


def test_the_server_recovers_when_the_database_drops_its_connections(connect, kiosk, term, school_class):
    make_copy(make_record(), "C0000002")
    reader = make_reader("张小明", school_class=school_class, number="20230201")
    card = LibraryCard.objects.get(reader=reader).number
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        started = cursor.fetchone()[0]
    machine = connect()
    assert machine.login(kiosk.name, KIOSK_PASSWORD).fixed["ok"] == "1"
    machine.patron_status(card)  # the handler thread now holds a database connection
    with connection.cursor() as cursor:
        # What a database restart does to the server's connections (those opened since this test
        # began: a live server of another test in this process keeps its own).
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_start >= %s",
            [started],
        )
    assert machine.checkout(card, "C0000002").fixed["ok"] == "1"
    assert machine.checkin("C0000002").fixed["ok"] == "1"


def test_while_the_database_is_away_the_machine_gets_a_polite_refusal_and_then_service(
    connect, kiosk, term, school_class, monkeypatch
):
    """Both tries of a message fail (the database is still restarting): the machine is told
    "系统暂时不可用" in the response it expects, the server keeps running, and the next message,
    with the database back, is served."""
    make_copy(make_record(), "C0000003")
    reader = make_reader("张小明", school_class=school_class, number="20230201")
    card = LibraryCard.objects.get(reader=reader).number
    machine = connect()
    assert machine.login(kiosk.name, KIOSK_PASSWORD).fixed["ok"] == "1"
    handle = sip2_session.Session.handle
    failures = []

    def database_away(self, request):
        failures.append(request.code)
        raise OperationalError("the database system is starting up")

    monkeypatch.setattr(sip2_session.Session, "handle", database_away)
    refused = machine.checkout(card, "C0000003")
    assert refused.code == "12" and refused.fixed["ok"] == "0"
    assert "系统暂时不可用" in refused.get("AF")
    assert failures == ["11", "11"]  # tried again once on a fresh connection
    assert not Loan.objects.filter(copy__barcode="C0000003").exists()
    monkeypatch.setattr(sip2_session.Session, "handle", handle)
    assert machine.checkout(card, "C0000003").fixed["ok"] == "1"
