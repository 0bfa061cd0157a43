"""A head teacher sees how many books of the grade's list the class's pupils borrowed this year."""

from django.utils import timezone

from reading.models import ReadingList, ReadingListItem
from tests.reading.conftest import lend, pupil


def test_the_head_teacher_sees_counts_of_the_class_never_names(client, head_teacher, school_class, book):
    today = timezone.localdate()
    grade = school_class.grade_on(today)
    reading_list = ReadingList.objects.create(title="推荐书目", kind="grade", stage=school_class.stage, grade=grade)
    read, unread = book("草房子"), book("城南旧事")
    for position, rec in enumerate((read, unread)):
        ReadingListItem.objects.create(reading_list=reading_list, record=rec, title=rec.title, position=position)
    ReadingListItem.objects.create(reading_list=reading_list, title="本馆没有的书", position=9)
    lend(read, pupil("张小明", school_class), day=today)
    lend(read, pupil("李小红", school_class), day=today)
    client.force_login(head_teacher)
    page = client.get("/reading/my-class/").content.decode()
    assert "已借阅 1 / 3 种" in page
    assert "张小明" not in page


def test_a_teacher_without_a_class_is_refused(client, teacher):
    client.force_login(teacher)
    assert client.get("/reading/my-class/").status_code == 403


def test_the_head_teachers_page_links_to_it(client, head_teacher):
    client.force_login(head_teacher)
    assert "/reading/my-class/" in client.get("/my/").content.decode()
