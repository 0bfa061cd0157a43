"""The "new reader" timeout: after the idle minutes the desk forgets the reader, so the next pupil
cannot borrow on the previous one's card."""

import pytest
from playwright.sync_api import expect

from circulation.models import CirculationSettings, Loan
from tests.circulation.conftest import lending_term, make_copy, make_record
from tests.conftest import make_reader

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_idle_desk_clears_the_reader(page, login, live_server, librarian, school_class):
    lending_term()
    CirculationSettings.objects.create(desk_idle_minutes=1)
    pupil = make_reader("蒋明文", school_class=school_class, number="20230201")
    make_copy(make_record("小王子"), "A0000001")

    page.clock.install()
    login(page, "librarian1")
    page.goto(f"{live_server.url}/circulation/desk/")
    code = page.get_by_test_id("desk-code")
    code.type(pupil.cards.get().number + "\n")
    expect(page.get_by_test_id("reader-name")).to_contain_text("蒋明文")
    page.clock.fast_forward("01:10")
    expect(page.get_by_test_id("desk-feedback")).to_contain_text("超过 1 分钟无操作，已清除当前读者")
    expect(page.get_by_test_id("reader-name")).to_have_count(0)
    code.type("A0000001\n")
    expect(page.get_by_test_id("desk-feedback")).to_contain_text("请先扫描读者的借书证")
    assert not Loan.objects.exists()
