"""The SIP2 wire format: every message the server reads or writes, checksums, encodings."""

import pytest

from selfcheck.sip2 import ChecksumError, Message, SipError, checksum, decode, encode

DATE = "20251112    093000"


def test_checksum_of_the_3m_specification_example():
    # The checksum example of the 3M SIP2 2.00 specification (a 09 checkin).
    frame = b"09N20251112    09300020251112    093000APLibrary|AOInst|AB1234|ACpwd|AY3AZ"
    total = sum(frame)
    assert (int(checksum(frame), 16) + total) & 0xFFFF == 0


def test_a_message_with_sequence_and_checksum_round_trips():
    message = Message("94", {"ok": "1"}, sequence=3)
    data = encode(message)
    assert data.startswith(b"941AY3AZ") and data.endswith(b"\r")
    assert decode(data) == Message("94", {"ok": "1"}, sequence=3, checksummed=True)


def test_a_wrong_checksum_is_refused():
    data = bytearray(encode(Message("94", {"ok": "1"}, sequence=1)))
    data[2:3] = b"0"
    with pytest.raises(ChecksumError):
        decode(bytes(data))


def test_a_message_without_error_detection_has_no_trailer():
    assert encode(Message("94", {"ok": "0"})) == b"940\r"
    assert decode(b"940\r").sequence is None


@pytest.mark.parametrize(
    "raw, code, fixed, fields",
    [
        (b"9300CNkiosk1|COsecret|CPmain|", "93", {"uid_algorithm": "0", "pwd_algorithm": "0"}, {"CN": "kiosk1"}),
        (b"9900802.00", "99", {"status_code": "0", "max_print_width": "080", "protocol_version": "2.00"}, {}),
        (b"23019" + DATE.encode() + b"AOx|AAR000001|AC|AD1234|", "23", {"language": "019"}, {"AA": "R000001"}),
        (b"63019" + DATE.encode() + b"  Y       AOx|AAR000001|BP1|BQ5|", "63", {"summary": "  Y       "}, {"BQ": "5"}),
        (b"17" + DATE.encode() + b"AOx|AB0001234|", "17", {"transaction_date": DATE}, {"AB": "0001234"}),
        (b"11NN" + DATE.encode() + b" " * 18 + b"AOx|AAR1|AB0001|AC|", "11", {"no_block": "N"}, {"AB": "0001"}),
        (
            b"09N" + DATE.encode() + DATE.encode() + b"APdesk|AOx|AB0001|AC|",
            "09",
            {"return_date": DATE},
            {"AP": "desk"},
        ),
        (b"29NN" + DATE.encode() + b" " * 18 + b"AOx|AAR1|AB0001|", "29", {"third_party_allowed": "N"}, {"AA": "R1"}),
        (b"65" + DATE.encode() + b"AOx|AAR1|", "65", {"transaction_date": DATE}, {"AA": "R1"}),
        (b"35" + DATE.encode() + b"AOx|AAR1|", "35", {"transaction_date": DATE}, {"AA": "R1"}),
        (b"37" + DATE.encode() + b"0100CNYBV5.00|AOx|AAR1|", "37", {"currency_type": "CNY"}, {"BV": "5.00"}),
        (b"97", "97", {}, {}),
    ],
)
def test_every_request_decodes(raw, code, fixed, fields):
    message = decode(raw)
    assert message.code == code
    assert fixed.items() <= message.fixed.items()
    assert fields.items() <= dict(message.fields).items()


@pytest.mark.parametrize(
    "message",
    [
        Message("94", {"ok": "1"}),
        Message(
            "98",
            {
                "online_status": "Y",
                "checkin_ok": "Y",
                "checkout_ok": "Y",
                "renewal_policy": "Y",
                "status_update_ok": "N",
                "offline_ok": "N",
                "timeout_period": "030",
                "retries_allowed": "003",
                "date_time_sync": DATE,
                "protocol_version": "2.00",
            },
            [("AO", "x"), ("BX", "YYYNYYYYYNYNNNYY")],
        ),
        Message("24", {"patron_status": " " * 14, "language": "019", "transaction_date": DATE}, [("AE", "张小明")]),
        Message(
            "64",
            {"patron_status": " " * 14, "language": "019", "transaction_date": DATE}
            | {n: "0001" for n in ("hold_items_count", "overdue_items_count", "charged_items_count")}
            | {n: "0000" for n in ("fine_items_count", "recall_items_count", "unavailable_holds_count")},
            [("AU", "0001"), ("AU", "0002")],
        ),
        Message(
            "18", {"circulation_status": "03", "security_marker": "02", "fee_type": "01", "transaction_date": DATE}
        ),
        Message(
            "12", {"ok": "1", "renewal_ok": "N", "magnetic_media": "N", "desensitize": "Y", "transaction_date": DATE}
        ),
        Message("10", {"ok": "1", "resensitize": "Y", "magnetic_media": "N", "alert": "Y", "transaction_date": DATE}),
        Message(
            "30", {"ok": "0", "renewal_ok": "N", "magnetic_media": "N", "desensitize": "N", "transaction_date": DATE}
        ),
        Message("66", {"ok": "1", "renewed_count": "0002", "unrenewed_count": "0000", "transaction_date": DATE}),
        Message("36", {"end_session": "Y", "transaction_date": DATE}),
        Message("38", {"payment_accepted": "N", "transaction_date": DATE}),
        Message("96"),
    ],
)
def test_every_response_round_trips(message):
    message.sequence = 7
    again = decode(encode(message))
    assert (again.code, again.fixed, again.fields, again.sequence) == (
        message.code,
        message.fixed,
        message.fields,
        7,
    )


def test_repeated_fields_keep_their_order():
    message = decode(b"65" + DATE.encode() + b"AOx|BM0001|BM0002|BN0003|")
    assert message.get_all("BM") == ["0001", "0002"]


def test_gb18030_with_a_pipe_byte_inside_a_character_round_trips():
    # 亅 is 0x81 0x7C in GB18030: the second byte is "|", so the fields are split after decoding.
    assert "亅".encode("gb18030")[1:] == b"|"
    message = Message("36", {"end_session": "Y", "transaction_date": DATE}, [("AF", "亅再见"), ("AA", "R1")])
    data = encode(message, "gb18030")
    assert decode(data, "gb18030").fields == [("AF", "亅再见"), ("AA", "R1")]


def test_utf8_chinese_round_trips_with_checksum():
    message = Message("36", {"end_session": "Y", "transaction_date": DATE}, [("AF", "再见，张小明")], sequence=0)
    assert decode(encode(message, "utf-8"), "utf-8").get("AF") == "再见，张小明"


def test_a_field_value_cannot_break_the_frame():
    data = encode(Message("36", {"end_session": "Y", "transaction_date": DATE}, [("AF", "a|b\rc")]))
    assert data.count(b"\r") == 1 and decode(data).get("AF") == "a/b c"


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"x",
        b"11",
        b"XX123",
        b"88" + DATE.encode(),
        b"17" + DATE.encode() + b"A|",
        b"17short",
        b"17" + DATE.encode() + b"ab|",
    ],
)
def test_malformed_messages_raise_a_sip_error(raw):
    with pytest.raises(SipError):
        decode(raw)


def test_bytes_that_are_not_the_encoding_raise_a_sip_error():
    with pytest.raises(SipError) as error:
        decode(b"35" + DATE.encode() + b"AA\xff\xfe|", "utf-8")
    assert error.value.code == "35"


def test_the_servers_refusals_are_well_formed(db):
    # Each refusal must itself be a well-formed message (encode checks every fixed length).
    from selfcheck.sip2 import RESPONSE_TO
    from selfcheck.sip2_session import refusal

    for code, response in RESPONSE_TO.items():
        assert decode(encode(refusal(code, "不行"))).code == response
