"""Report pages: access rules, reader privacy, figures on the page, bad input, query counts."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from circulation.models import Reader, SchoolClass
from reports.models import SummaryCache
from tests.reports.conftest import at, card, lend

pytestmark = pytest.mark.django_db


def term_q(school):
    return f"?term={school.term.pk}"


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("reports:summary", {}),
        ("reports:summary_export", {}),
        ("reports:collection", {}),
        ("reports:collection_export", {}),
    ],
)
def test_anonymous_is_sent_to_login(client, name, kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "name", ["reports:summary", "reports:summary_export", "reports:collection", "reports:collection_export"]
)
def test_teachers_and_assistants_may_not_see_school_reports(client, teacher, assistant, name):
    for user in (teacher, assistant):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 403


def test_summary_page_shows_the_figures(client, admin, school):
    client.force_login(admin)
    response = client.get(reverse("reports:summary") + term_q(school))
    html = response.content.decode()
    assert response.status_code == 200
    assert "本期共有6名学生借阅图书11册，2位教职工借阅图书3册。" in html
    assert 'data-testid="fig-per-student">1.83<' in html
    assert 'data-testid="fig-participation">83.3%<' in html
    assert 'data-testid="overdue-rate">13.3%<' in html
    # Formulas are on the page (tooltips and footnotes).
    assert "期内学生借阅册次 ÷ 期末在校学生数（只计学生）" in html
    assert 'data-chart="chart-grades"' in html and 'id="chart-grades"' in html


def test_summary_query_count_is_pinned(client, librarian, school, django_assert_num_queries):
    client.force_login(librarian)
    url = reverse("reports:summary") + term_q(school)
    client.get(url)  # warm up (session, content types); the finished term's figures are now kept
    SummaryCache.objects.all().delete()
    # computed: the loan pass and the enrolment of the term and of the previous term (4), one pass
    # over the copies for both terms, the rest of the collection, the repairs (修补) and the
    # periodicals; plus session, user (with its permissions: library/backends.py), terms,
    # change mark, settings, cache lookup and upsert; plus the reading promotion (not kept:
    # activities, published honour rounds)
    with django_assert_num_queries(35):
        client.get(url)


def _more_classes_readers_and_loans(school):
    """Four more classes of three pupils, each pupil with a card and loans in the term and before it."""
    copies = list(school.copies.values())
    for number in range(3, 7):
        klass = SchoolClass.objects.create(entry_year=2021 + number % 3, number=number)
        for i in range(3):
            pupil = Reader.objects.create(name=f"p{number}{i}", kind="student", school_class=klass)
            card(pupil)
            for day, copy in ((date(2025, 3, 3 + i), copies[i]), (date(2025, 10, 8 + i), copies[i + 3])):
                lend(pupil, copy, at(day), due=day + timedelta(days=14), returned=at(day + timedelta(days=2)))
                lend(pupil, copy, at(day, 15), due=day + timedelta(days=14), returned=at(day, 16), klass=klass)


@pytest.mark.parametrize("name", ["reports:summary", "reports:summary_export"])
def test_computed_summary_queries_stay_flat_as_the_data_grows(
    client, librarian, school, name, django_assert_max_num_queries
):
    client.force_login(librarian)
    url = reverse(name) + term_q(school)
    client.get(url)  # warm up (session, content types)
    _more_classes_readers_and_loans(school)
    SummaryCache.objects.all().delete()
    # The same 35 as the small school above: no query per class, grade, reader, title or loan.
    with django_assert_max_num_queries(35):
        response = client.get(url)
    assert response.status_code == 200


def test_a_finished_terms_summary_is_read_from_the_cache(client, librarian, school, django_assert_num_queries):
    client.force_login(librarian)
    url = reverse("reports:summary") + term_q(school)
    client.get(url)
    # 9 (the user's permissions come with the user; the change mark alone says the kept figures
    # hold) + the reading promotion (activities, honour rounds: not kept)
    with django_assert_num_queries(11):
        client.get(url)


def test_summary_of_a_school_year_and_of_a_date_range(client, librarian, school):
    client.force_login(librarian)
    year = client.get(reverse("reports:summary") + "?year=2025")
    assert "2025-2026学年" in year.content.decode()
    ranged = client.get(reverse("reports:summary") + "?from=2025-09-10&to=2025-09-10")
    html = ranged.content.decode()
    assert "2025-09-10至2025-09-10" in html
    assert 'data-testid="fig-loans">5<' in html  # s1 ×2, s2, t1 ×2 on 09-10


@pytest.mark.parametrize(
    "query,message",
    [
        ("?from=2025-13-01&to=2025-12-01", "不是有效日期"),
        ("?from=2026-01-01&to=2025-12-01", "开始日期不能晚于结束日期"),
        ("?term=abc", "所选学期不存在"),
        ("?from=2025-09-01", "请同时填写开始日期和结束日期"),
    ],
)
def test_bad_period_gives_a_chinese_message(client, librarian, school, query, message):
    client.force_login(librarian)
    page = client.get(reverse("reports:summary") + query)
    assert page.status_code == 200 and message in page.content.decode()
    export = client.get(reverse("reports:summary_export") + query)
    assert export.status_code == 400 and message in export.content.decode()


# --- class report: head teachers see only their own class ---------------------------------


def test_head_teacher_sees_own_class_report(client, head_teacher, school):
    client.force_login(head_teacher)
    klass = school.classes["B"]
    response = client.get(reverse("reports:class_report", args=[klass.pk]) + term_q(school))
    html = response.content.decode()
    assert response.status_code == 200
    assert "三年级(2)班" in html
    # s3 and s7 borrowed for this class; s5 (moved in from 三年级(1)班) borrowed there, not here.
    assert "期末在读 2 人，其中 2 人本期有借阅；本班借阅 2 册次。" in html


def test_head_teacher_cannot_see_another_class(client, head_teacher, school):
    client.force_login(head_teacher)
    response = client.get(reverse("reports:class_report", args=[school.classes["A"].pk]))
    assert response.status_code == 403
    assert client.get(reverse("reports:class_report_export", args=[school.classes["A"].pk])).status_code == 403


def test_head_teacher_class_list_goes_to_own_class(client, head_teacher, school):
    client.force_login(head_teacher)
    response = client.get(reverse("reports:class_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:class_report", args=[school.classes["B"].pk])


def test_teacher_without_class_gets_403_on_class_list(client, other_teacher):
    client.force_login(other_teacher)
    assert client.get(reverse("reports:class_list")).status_code == 403


def test_librarian_sees_every_class(client, librarian, school):
    client.force_login(librarian)
    html = client.get(reverse("reports:class_list")).content.decode()
    assert len(re.findall(r'href="/reports/classes/\d+/"', html)) == 3
    assert client.get(reverse("reports:class_report", args=[school.classes["A"].pk])).status_code == 200


def test_class_report_lists_current_and_overdue_loans(client, librarian, school):
    client.force_login(librarian)
    response = client.get(reverse("reports:class_report", args=[school.classes["A"].pk]) + term_q(school))
    report = response.context["report"]
    rows = {r.name: r for r in report["rows"]}
    assert (rows["s1"].period_loans, rows["s1"].on_loan, rows["s1"].overdue) == (3, 1, 1)
    assert rows["s5"].period_loans == 2 and not rows["s5"].enrolled
    assert report["non_borrowers"] == []


def test_class_report_query_count_is_pinned(client, head_teacher, school, django_assert_num_queries):
    client.force_login(head_teacher)
    url = reverse("reports:class_report", args=[school.classes["B"].pk]) + term_q(school)
    client.get(url)
    with django_assert_num_queries(8):  # the user's permissions come with the user
        client.get(url)


# --- reader privacy -------------------------------------------------------------------


def record_url(reader, school):
    return reverse("reports:reader_record", args=[reader.pk]) + term_q(school)


def test_reader_sees_own_record(client, school):
    from tests.conftest import make_user

    user = make_user("s1user", None)
    s1 = school.readers["s1"]
    s1.user = user
    s1.save(update_fields=["user"])
    client.force_login(user)
    response = client.get(record_url(s1, school))
    assert response.status_code == 200
    assert "本期共借阅 3 册次（2 种），续借 0 次。" in response.content.decode()
    assert client.get(reverse("reports:my_record")).status_code == 302


def test_head_teacher_sees_records_of_own_students_only(client, head_teacher, school):
    client.force_login(head_teacher)
    assert client.get(record_url(school.readers["s3"], school)).status_code == 200
    assert client.get(record_url(school.readers["s1"], school)).status_code == 403


def test_other_teachers_and_anonymous_never_see_a_record(client, other_teacher, assistant, school):
    url = record_url(school.readers["s3"], school)
    assert client.get(url).status_code == 302  # anonymous → login
    for user in (other_teacher, assistant):
        client.force_login(user)
        assert client.get(url).status_code == 403


def test_other_student_cannot_see_a_record(client, school):
    from tests.conftest import make_user

    user = make_user("s2user", None)
    school.readers["s2"].user = user
    school.readers["s2"].save(update_fields=["user"])
    client.force_login(user)
    assert client.get(record_url(school.readers["s1"], school)).status_code == 403


def test_librarian_and_admin_see_any_record(client, librarian, admin, school):
    for user in (librarian, admin):
        client.force_login(user)
        assert client.get(record_url(school.readers["s1"], school)).status_code == 200


# --- collection analysis --------------------------------------------------------------


def test_collection_page(client, librarian, school):
    client.force_login(librarian)
    response = client.get(reverse("reports:collection") + "?date=2026-01-20&years=3")
    html = response.content.decode()
    assert response.status_code == 200
    assert "截至 2026-01-20，在藏 6 种 9 册。" in html
    bad = client.get(reverse("reports:collection") + "?date=yesterday")
    assert "统计日期“yesterday”不是有效日期" in bad.content.decode()
