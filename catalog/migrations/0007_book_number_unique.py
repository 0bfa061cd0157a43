"""A 种次号 is unique within its class number (volumes of one set share it, by volume).

Before the constraint, records that already share a class number, 种次号 and volume (typed by hand
or imported before this check existed) keep the number on the oldest record; the others get the
next free number of their class, so their call numbers and spine labels change: the migration
prints each one, and the librarian reprints those labels.
"""

import re

from django.db import migrations, models


def renumber_clashes(apps, schema_editor):
    from catalog import textsearch

    Record = apps.get_model("catalog", "Record")
    Counter = apps.get_model("catalog", "BookNumberCounter")
    clashes = (
        Record.objects.exclude(book_number="")
        .values("clc", "book_number", "volume")
        .annotate(n=models.Count("pk"))
        .filter(n__gt=1)
    )
    for group in clashes:
        code = group["clc"]
        dups = list(
            Record.objects.filter(clc=code, book_number=group["book_number"], volume=group["volume"]).order_by("pk")
        )[1:]
        used = {
            int(m.group())
            for n in Record.objects.filter(clc=code).values_list("book_number", flat=True)
            if (m := re.match(r"\d+", n))
        }
        counter = Counter.objects.filter(clc=code).first()
        last = max([counter.last_number if counter else 0, *used])
        for rec in dups:
            last += 1
            old = rec.call_number
            rec.book_number = str(last)
            textsearch.fill_derived(rec)
            rec.save(update_fields=["book_number", "call_number", "shelf_key", "search_text"])
            print(f"\n  catalog: record {rec.pk} 《{rec.title}》 {old} -> {rec.call_number} (种次号 was used twice)")
        Counter.objects.update_or_create(clc=code, defaults={"last_number": last})


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0006_z3950_target"),
    ]

    operations = [
        migrations.AddField(
            model_name="record",
            name="isbn_shared_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("volume", "多卷书：同一 ISBN 的另一册"),
                    ("edition", "不同版本：同一 ISBN 的另一版本或印次"),
                ],
                max_length=20,
                verbose_name="同一ISBN的另一种书",
            ),
        ),
        migrations.AddField(
            model_name="record",
            name="unified_number",
            field=models.CharField(blank=True, db_index=True, max_length=20, verbose_name="统一书号"),
        ),
        migrations.AlterField(
            model_name="record",
            name="language",
            field=models.CharField(
                choices=[
                    ("chi", "中文"),
                    ("eng", "英语"),
                    ("jpn", "日语"),
                    ("kor", "朝鲜语/韩语"),
                    ("rus", "俄语"),
                    ("fre", "法语"),
                    ("ger", "德语"),
                    ("spa", "西班牙语"),
                    ("ita", "意大利语"),
                    ("ara", "阿拉伯语"),
                    ("mon", "蒙古语"),
                    ("tib", "藏语"),
                    ("uig", "维吾尔语"),
                    ("mul", "多语种"),
                    ("und", "未知语种"),
                ],
                default="chi",
                max_length=3,
                verbose_name="语种",
            ),
        ),
        migrations.RunPython(renumber_clashes, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="record",
            constraint=models.UniqueConstraint(
                condition=models.Q(("book_number", ""), _negated=True),
                fields=("clc", "book_number", "volume"),
                name="catalog_record_book_number_unique_in_class",
                violation_error_message="这个种次号在本分类号下已被使用。请换一个种次号，或留空自动取号。",
            ),
        ),
    ]
