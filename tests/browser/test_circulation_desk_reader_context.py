"""Who borrows at the desk never changes behind the librarian's back: a stray Enter, a return
between two loans, a name search with two matches, a blocked reader found by name."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from circulation.models import Compensation, Loan
from tests.circulation.conftest import lending_term, make_copy, make_record
from tests.conftest import make_reader

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_current_reader_changes_only_when_the_librarian_says_so(page, login, live_server, librarian, school_class):
    lending_term()
    jiang = make_reader("蒋明文", school_class=school_class, number="20230201")
    jin = make_reader("金航晨", school_class=school_class, number="20230202")
    make_reader("谢一哲", school_class=school_class, number="20230203")
    make_reader("谢一鸣", school_class=school_class, number="20230204")
    blocked = make_reader("陈可欣", school_class=school_class, number="20230205")
    make_copy(make_record("小王子"), "A0000001")
    make_copy(make_record("西游记"), "A0000002")
    lent = make_copy(make_record("草房子"), "A0000003", status="on_loan")
    Loan.objects.create(
        copy=lent,
        reader=jin,
        reader_kind="student",
        school_class=school_class,
        grade=3,
        checked_out_at=timezone.now() - timedelta(days=3),
        due_date=timezone.localdate() + timedelta(days=11),
    )
    Compensation.objects.create(
        copy=make_copy(make_record("丢了的书"), "A0000009"),
        reader=blocked,
        kind="lost",
        amount="20.00",
        reported_at=timezone.now(),
    )

    login(page, "librarian1")
    page.goto(f"{live_server.url}/circulation/desk/")
    code = page.get_by_test_id("desk-code")
    feedback = page.get_by_test_id("desk-feedback")
    reader_name = page.get_by_test_id("reader-name")

    code.type(jiang.cards.get().number + "\n")
    expect(reader_name).to_contain_text("蒋明文")

    # A stray Enter on the empty field: the reader stays, and the next book is lent to them.
    code.press("Enter")
    code.type("A0000001\n")
    expect(feedback).to_contain_text("蒋明文 已借出《小王子》（A0000001）")

    # F3, return 金航晨's book: the borrower shows, but the checkout reader stays 蒋明文.
    page.keyboard.press("F3")
    expect(feedback).to_contain_text("借书读者仍是 蒋明文")
    code.type("A0000003\n")
    expect(feedback).to_contain_text("已还《草房子》（A0000003） · 读者：金航晨")
    expect(page.get_by_test_id("returning-reader")).to_be_visible()
    # F2: back to the reader who was there before, and the screen says so.
    page.keyboard.press("F2")
    expect(feedback).to_contain_text("当前读者仍是 蒋明文（还书前的读者）")
    expect(reader_name).to_contain_text("蒋明文")
    code.type("A0000002\n")
    expect(feedback).to_contain_text("蒋明文 已借出《西游记》（A0000002）")
    assert set(Loan.objects.filter(returned_at__isnull=True).values_list("reader__name", flat=True)) == {"蒋明文"}

    # A name search with two matches asks, and the current reader stays until one is picked.
    code.type("谢一\n")
    expect(feedback).to_contain_text("找到 2 位读者，请选择")
    expect(page.get_by_test_id("pick-reader")).to_have_count(2)
    expect(reader_name).to_contain_text("蒋明文")
    page.get_by_test_id("pick-reader").filter(has_text="谢一哲").click()
    expect(reader_name).to_contain_text("谢一哲")
    expect(page.get_by_test_id("reader-matches")).to_have_count(0)

    # A blocked reader found by name is warned, exactly as a card scan would.
    code.type("陈可\n")
    page.get_by_test_id("pick-reader").filter(has_text="陈可欣").click()
    expect(reader_name).to_contain_text("陈可欣")
    expect(feedback).to_contain_text("注意：有未处理的赔偿或逾期费")
    expect(feedback).to_have_attribute("data-tone", "warn")
    code.type(blocked.cards.get().number + "\n")
    expect(feedback).to_contain_text("读者：陈可欣 · 注意：有未处理的赔偿或逾期费")
    expect(feedback).to_have_attribute("data-tone", "warn")
