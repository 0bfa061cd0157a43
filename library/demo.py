"""The demo school: deterministic people (school, accounts, classes, students, teachers, cards).

`manage.py load_demo` calls, in order, `library.demo.build_people`, `catalog.demo.build` and
`circulation.demo.build`, passing one DemoContext. Each part only uses the context's random
generator, so the same seed always gives the same school.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.contrib.auth.models import Group, User
from django.utils import timezone

from circulation.models import LibraryCard, Reader, SchoolClass, school_year_of
from library import roles
from library.models import School

DEMO_PASSWORD = "shuxiang2026"
# username, role, display name: printed by `manage.py print_demo_logins`.
DEMO_ACCOUNTS = [
    ("admin", roles.ADMINISTRATOR, "系统管理员"),
    ("librarian", roles.LIBRARIAN, "林图书"),
    ("assistant", roles.ASSISTANT, "周小帮"),
    ("teacher", roles.TEACHER, "王芳"),  # head teacher of 三年级(2)班
    ("teacher2", roles.TEACHER, "刘强"),  # a subject teacher, head of no class
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN_BOY = "子浩宇轩博文杰俊辰睿泽涛明磊晨阳鹏翔健凯斌昊然天一恒嘉豪志强建国峰锐航铭哲彬鑫"
GIVEN_GIRL = "欣怡梓涵诗雨佳琪思语彤萱可馨雅婷晓悦梦瑶紫嫣若曦静芳丽娜美慧敏雪颖媛洁琳"


@dataclass
class DemoScale:
    students: int = 800
    teachers: int = 32
    titles: int = 5000
    copies: int = 10000
    terms: int = 2
    seed: int = 2026


@dataclass
class DemoContext:
    scale: DemoScale
    today: date
    stdout: object
    rng: random.Random = field(init=False)
    users: dict = field(default_factory=dict)

    def __post_init__(self):
        self.rng = random.Random(self.scale.seed)

    @property
    def school_year(self) -> int:
        """The school year `today` falls in (the catalogue's demo needs it but may not import circulation)."""
        return school_year_of(self.today)

    def say(self, message: str) -> None:
        self.stdout.write(message)

    def aware(self, day: date, hour: int = 10, minute: int = 0) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def chinese_name(rng: random.Random, gender: str) -> str:
    pool = GIVEN_BOY if gender == "M" else GIVEN_GIRL
    given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def build_people(ctx: DemoContext) -> None:
    rng = ctx.rng
    roles.ensure_roles()
    school = School.objects.order_by("pk").first() or School(name="书香实验小学")
    school.name = "书香实验小学"
    school.stage = School.Stage.PRIMARY
    school.library_name = "书香实验小学图书馆"
    school.save()

    groups = {g.name: g for g in Group.objects.all()}
    for username, role, display in DEMO_ACCOUNTS:
        user = User(username=username, first_name=display, is_staff=role == roles.ADMINISTRATOR)
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.add(groups[role])
        ctx.users[username] = user

    # Classes: grades 1-6, at least 4 classes a grade, about 35 pupils a class.
    school_year = school_year_of(ctx.today)
    per_grade = max(4, -(-ctx.scale.students // (6 * 40)))
    classes = []
    for grade in range(1, 7):
        for number in range(1, per_grade + 1):
            classes.append(SchoolClass(entry_year=school_year - grade + 1, number=number))
    SchoolClass.objects.bulk_create(classes)
    classes = list(SchoolClass.objects.order_by("-entry_year", "number"))

    # Teachers: the demo accounts `teacher`/`teacher2` plus generated colleagues with logins.
    teacher_users = [ctx.users["teacher"], ctx.users["teacher2"]]
    seen = set()
    while len(teacher_users) < ctx.scale.teachers:
        gender = rng.choice("MF")
        name = chinese_name(rng, gender)
        if name in seen:
            continue
        seen.add(name)
        user = User(username=f"t{len(teacher_users) + 1:03d}", first_name=name)
        user.set_unusable_password()
        teacher_users.append(user)
    User.objects.bulk_create([u for u in teacher_users if u.pk is None])
    teacher_users = [ctx.users["teacher"], ctx.users["teacher2"]] + list(
        User.objects.filter(username__startswith="t0").order_by("username")
    )
    groups[roles.TEACHER].user_set.add(*teacher_users[2:])

    # Head teachers: `teacher` heads 三年级(2)班; colleagues (not teacher2) head the rest.
    third_grade_2 = next(c for c in classes if c.grade_on(ctx.today) == 3 and c.number == 2)
    third_grade_2.head_teacher = ctx.users["teacher"]
    heads = iter(teacher_users[2:])
    for c in classes:
        if c is not third_grade_2:
            c.head_teacher = next(heads, None)
    SchoolClass.objects.bulk_update(classes, ["head_teacher"])

    readers = []
    for i, user in enumerate(teacher_users, start=1):
        readers.append(
            Reader(
                kind="teacher", name=user.first_name, student_number=f"JS{i:04d}", user=user, gender=rng.choice("MF")
            )
        )
    staff_names = ["门卫老张", "校医孙玲"]
    for i, name in enumerate(staff_names, start=1):
        readers.append(Reader(kind="staff", name=name, student_number=f"ZG{i:04d}"))
    for c in classes:
        readers.append(Reader(kind="collective", name=f"{c}图书角", school_class=c))
    # Students spread evenly over the classes; student number = entry year + class + seat.
    for i in range(ctx.scale.students):
        c = classes[i % len(classes)]
        seat = i // len(classes) + 1
        gender = rng.choice("MF")
        readers.append(
            Reader(
                kind="student",
                name=chinese_name(rng, gender),
                gender=gender,
                school_class=c,
                student_number=f"{c.entry_year}{c.number:02d}{seat:03d}",
            )
        )
    from circulation.services_pinyin import name_pinyin  # keeps reader search by pinyin working

    for r in readers:
        r.name_pinyin = name_pinyin(r.name)
    Reader.objects.bulk_create(readers, batch_size=2000)

    # Cards: almost every student and teacher has one (办证率 below 100 % is realistic). Pupils got
    # theirs in the September they entered school, staff years ago, so past terms' 办证率 is true too.
    staff_issued = ctx.aware(date(school_year - 6, 9, 1), 9)
    cards = []
    for reader in Reader.objects.select_related("school_class").order_by("pk"):
        if reader.kind == "student" and rng.random() < 0.04:
            continue
        if reader.kind == "student":
            issued = ctx.aware(date(reader.school_class.entry_year, 9, 3), 9)
        elif reader.kind == "collective":
            issued = ctx.aware(date(reader.school_class.entry_year, 9, 1), 9)
        else:
            issued = staff_issued
        cards.append(LibraryCard(reader=reader, number=f"D{reader.pk:07d}", issued_at=issued))
    LibraryCard.objects.bulk_create(cards, batch_size=2000)
    ctx.say(
        f"  people: {len(classes)} classes, {ctx.scale.students} students, {len(teacher_users)} teachers, {len(cards)} cards"
    )
