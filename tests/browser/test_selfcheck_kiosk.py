"""A pupil at the self-check touch screen: scan the card, borrow a book, return another, print the
receipt; the next pupil finds the screen cleared after 30 s idle."""

import pytest
from playwright.sync_api import expect

from circulation import services as circulation
from circulation.models import Loan
from library import roles
from tests.circulation.conftest import lending_term, make_copy, make_record
from tests.conftest import make_reader, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_pupil_borrows_returns_and_the_screen_clears_itself(page, login, live_server, school_class):
    lending_term()
    make_user("kiosk1", roles.KIOSK, first_name="一楼自助机")
    pupil = make_reader("蒋明文", school_class=school_class, number="20230201")
    make_copy(make_record("草房子"), "A0000001")
    make_copy(make_record("城南旧事"), "A0000002")
    circulation.loan_checkout(reader=pupil, copy_barcode="A0000002")

    page.clock.install()
    login(page, "kiosk1")
    expect(page.get_by_role("heading", name="请扫描借书证")).to_be_visible()
    expect(page.locator("input[data-scan]")).to_be_focused()
    page.keyboard.type(pupil.cards.get().number + "\n")
    expect(page.get_by_test_id("selfcheck-name")).to_have_text("蒋明文")
    expect(page.get_by_test_id("selfcheck-may-borrow")).to_contain_text("还可以借 1 册")
    expect(page.get_by_test_id("selfcheck-loans")).to_contain_text("城南旧事")

    # Each answer is a new page: the scanner is used once the cursor is back in the scan field.
    expect(page.locator("#selfcheck-barcode")).to_be_focused()
    page.keyboard.type("A0000001\n")
    expect(page.get_by_test_id("selfcheck-result")).to_contain_text("《草房子》借书成功")
    page.get_by_text("还书", exact=True).click()
    # The page puts the cursor back in the scan field just after the click (as a pupil sees it).
    expect(page.locator("#selfcheck-barcode")).to_be_focused()
    page.keyboard.type("A0000002\n")
    expect(page.get_by_test_id("selfcheck-result")).to_contain_text("《城南旧事》已归还")
    expect(page.get_by_test_id("selfcheck-loans")).not_to_contain_text("城南旧事")

    page.get_by_role("button", name="完成，打印凭条").click()
    receipt = page.get_by_test_id("selfcheck-receipt")
    expect(receipt).to_contain_text("《草房子》")
    expect(receipt).to_contain_text("《城南旧事》")
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.get_by_role("button", name="打印凭条").click()
    expect(page.locator("body")).to_have_attribute("data-printed", "yes")

    page.clock.fast_forward("00:31")
    expect(page.get_by_role("heading", name="请扫描借书证")).to_be_visible()
    assert list(Loan.objects.filter(returned_at__isnull=True).values_list("copy__barcode", "desk")) == [
        ("A0000001", "一楼自助机")
    ]


def test_a_kiosk_cannot_open_the_desk(page, login, live_server):
    make_user("kiosk1", roles.KIOSK)
    login(page, "kiosk1")
    page.goto(f"{live_server.url}/circulation/desk/")
    expect(page.get_by_role("heading", name="请扫描借书证")).to_be_visible()


# Records the notes the page plays (an AudioContext that only remembers its oscillators' pitches).
_RECORD_SOUNDS = """
window.__notes = [];
window.AudioContext = function () {
  this.currentTime = 0;
  this.destination = {};
  this.createGain = function () { return { gain: {}, connect: function () {} }; };
  this.createOscillator = function () {
    var osc = { frequency: {}, connect: function () {}, stop: function () {},
                start: function () { window.__notes.push(osc.frequency.value); } };
    return osc;
  };
};
"""


def test_the_result_is_sounded_and_a_pupil_who_walks_away_is_forgotten(page, login, live_server, school_class):
    lending_term()
    make_user("kiosk1", roles.KIOSK, first_name="一楼自助机")
    pupil = make_reader("蒋明文", school_class=school_class, number="20230201")
    make_copy(make_record("草房子"), "A0000001")

    page.add_init_script(_RECORD_SOUNDS)
    page.clock.install()
    login(page, "kiosk1")
    page.keyboard.type(pupil.cards.get().number + "\n")
    expect(page.get_by_test_id("selfcheck-name")).to_have_text("蒋明文")
    expect(page.locator("#selfcheck-barcode")).to_be_focused()
    page.keyboard.type("A0000001\n")
    expect(page.get_by_test_id("selfcheck-result")).to_contain_text("借书成功")
    page.wait_for_function("() => window.__notes.length >= 2")  # the page's script has run
    assert page.evaluate("window.__notes") == [660, 990]  # the rising "done" notes
    expect(page.locator("#selfcheck-barcode")).to_be_focused()
    page.keyboard.type("NO-SUCH-BOOK\n")
    expect(page.get_by_test_id("selfcheck-result")).to_be_visible()
    page.wait_for_function("() => window.__notes.length >= 3")
    assert page.evaluate("window.__notes") == [220, 180, 220]  # the low "no" notes

    # The pupil leaves without finishing: 30 s later the next pupil does not see their name.
    page.clock.fast_forward("00:31")
    expect(page.get_by_role("heading", name="请扫描借书证")).to_be_visible()
    expect(page.get_by_test_id("selfcheck-name")).to_have_count(0)
    expect(page.get_by_text("蒋明文")).to_have_count(0)
