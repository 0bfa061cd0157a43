"""Roster import from Excel: parse and check every row, then write all of them or none."""

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from circulation import exceptions as exc
from circulation.models import Reader, SchoolClass, school_year_of
from circulation.naming import GRADE_NAMES, JUNIOR_NAMES, SENIOR_NAMES
from circulation.services import card_issue
from circulation.services_pinyin import name_pinyin
from library import xlsx

HEADERS = ["学号", "姓名", "性别", "年级", "班级", "学段"]
REQUIRED = ["学号", "姓名", "年级", "班级"]
STAGES = {"小学": "primary", "初中": "junior", "高中": "senior", "": "primary"}
STAGE_GRADES = {"primary": 6, "junior": 3, "senior": 3}
GENDERS = {"男": "M", "女": "F", "": ""}
MAX_ROWS = 5000
NAME_MAX = Reader._meta.get_field("name").max_length
NUMBER_MAX = Reader._meta.get_field("student_number").max_length


def template_bytes() -> bytes:
    wb = xlsx.new_workbook()
    ws = wb.active
    ws.title = "学生名单"
    xlsx.append(ws, HEADERS)
    xlsx.append(ws, ["2023020001", "张小明", "男", "三年级", "2", "小学"])
    for col in "ABCDEF":
        ws.column_dimensions[col].width = 14
    return xlsx.to_bytes(wb)


def _grade(value: str, stage: str) -> int | None:
    value = value.strip()
    if value.isdigit():
        return int(value)
    names = {"primary": GRADE_NAMES, "junior": JUNIOR_NAMES, "senior": SENIOR_NAMES}[stage]
    for number, name in names.items():
        if value in (name, name.replace("年级", "")):
            return number
    return None


def _class_number(value: str) -> int | None:
    match = re.fullmatch(r"[（(]?\s*(\d{1,2})\s*[)）]?\s*班?", value.strip())
    return int(match.group(1)) if match else None


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell).strip()


@dataclass
class RosterPreview:
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # (row number, message)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def roster_parse(data: bytes, *, today=None) -> RosterPreview:
    """Read the workbook and check each row; nothing is written."""
    today = today or timezone.localdate()
    preview = RosterPreview()
    try:
        table = xlsx.read_table(data, row_cap=min(MAX_ROWS, xlsx.max_rows()))
    except xlsx.SheetRejected as error:
        preview.errors.append((0, error.message))
        return preview
    header = [_text(c) for c in table.header]
    missing = [h for h in REQUIRED if h not in header]
    if missing:
        preview.errors.append((1, _("表头缺少：%(m)s。请使用模板。") % {"m": _("、").join(missing)}))
        return preview
    index = {h: header.index(h) for h in HEADERS if h in header}
    school_year = school_year_of(today)
    seen = set()
    existing = {r.student_number: r for r in Reader.objects.filter(kind="student").select_related("school_class")}
    for number, raw in table.rows:
        values = {h: _text(raw[i]) if i < len(raw) else "" for h, i in index.items()}
        if not any(values.values()):
            continue
        problems = [_("“%(col)s”含有无法保存的空字符（NUL）") % {"col": h} for h, v in values.items() if "\x00" in v]
        sn, name = values.get("学号", ""), values.get("姓名", "")
        if not sn:
            problems.append(_("学号为空"))
        elif sn in seen:
            problems.append(_("学号在文件中重复"))
        elif len(sn) > NUMBER_MAX:
            problems.append(
                _("“%(col)s”超过 %(max)s 个字（现有 %(n)s 个）") % {"col": "学号", "max": NUMBER_MAX, "n": len(sn)}
            )
        seen.add(sn)
        if not name:
            problems.append(_("姓名为空"))
        elif len(name) > NAME_MAX:
            problems.append(
                _("“%(col)s”超过 %(max)s 个字（现有 %(n)s 个）") % {"col": "姓名", "max": NAME_MAX, "n": len(name)}
            )
        gender = values.get("性别", "")
        if gender not in GENDERS:
            problems.append(_("性别应为“男”或“女”"))
        stage = STAGES.get(values.get("学段", ""))
        if stage is None:
            problems.append(_("学段应为小学、初中或高中"))
            stage = "primary"
        grade = _grade(values.get("年级", ""), stage)
        if grade is None or not 1 <= grade <= STAGE_GRADES[stage]:
            problems.append(_("年级“%(g)s”无法识别") % {"g": values.get("年级", "")})
        class_no = _class_number(values.get("班级", ""))
        if class_no is None:
            problems.append(_("班级“%(c)s”无法识别，请填写班号，如 2") % {"c": values.get("班级", "")})
        if sn in existing or Reader.objects.filter(student_number=sn).exclude(kind="student").exists():
            other = existing.get(sn)
            if other is None:
                problems.append(_("该学号已被教师或职工使用"))
        if problems:
            preview.errors.append((number, _("；").join(str(p) for p in problems)))
            continue
        entry_year = school_year - grade + 1
        old = existing.get(sn)
        if old is None:
            action = "new"
        elif (
            old.name == name
            and old.gender == GENDERS[gender]
            and old.school_class
            and (old.school_class.stage, old.school_class.entry_year, old.school_class.number)
            == (stage, entry_year, class_no)
            and old.is_active
        ):
            action = "same"
        else:
            action = "update"
        preview.rows.append(
            {
                "row": number,
                "student_number": sn,
                "name": name,
                "gender": GENDERS[gender],
                "stage": stage,
                "entry_year": entry_year,
                "grade": grade,
                "class_number": class_no,
                "action": action,
            }
        )
    return preview


def roster_import(*, rows: list[dict], issue_cards: bool = False, by=None, now=None) -> dict:
    """Write the checked rows in one transaction: new pupils are added, known 学号 are updated."""
    now = now or timezone.now()
    counts = {"new": 0, "update": 0, "same": 0, "cards": 0}
    if not rows:
        raise exc.RosterError(_("没有可导入的行。"))
    with transaction.atomic():
        classes = {}
        for row in rows:
            key = (row["stage"], row["entry_year"], row["class_number"])
            if key not in classes:
                classes[key], _created = SchoolClass.objects.get_or_create(
                    stage=key[0], entry_year=key[1], number=key[2]
                )
            school_class = classes[key]
            reader = Reader.objects.select_for_update().filter(student_number=row["student_number"]).first()
            if reader is not None and reader.kind != "student":
                raise exc.RosterError(
                    _("第 %(r)s 行：学号 %(sn)s 已被教师或职工使用，未导入任何数据。")
                    % {"r": row["row"], "sn": row["student_number"]}
                )
            if reader is None:
                reader = Reader.objects.create(
                    kind="student",
                    name=row["name"],
                    name_pinyin=name_pinyin(row["name"]),
                    student_number=row["student_number"],
                    gender=row["gender"],
                    school_class=school_class,
                )
                counts["new"] += 1
            else:
                changed = (
                    reader.name != row["name"]
                    or reader.gender != row["gender"]
                    or reader.school_class_id != school_class.pk
                    or not reader.is_active
                )
                reader.name = row["name"]
                reader.name_pinyin = name_pinyin(row["name"])
                reader.gender = row["gender"]
                reader.school_class = school_class
                reader.is_active = True
                reader.left_on = None
                reader.save(update_fields=["name", "name_pinyin", "gender", "school_class", "is_active", "left_on"])
                counts["update" if changed else "same"] += 1
            if issue_cards and not reader.cards.filter(status="valid").exists():
                card_issue(reader=reader, by=by, now=now)
                counts["cards"] += 1
    return counts
