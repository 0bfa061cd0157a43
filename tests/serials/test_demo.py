from datetime import date
from io import StringIO

from catalog import clc
from catalog import demo as catalog_demo
from library.demo import DemoContext, DemoScale, build_people
from serials import demo, selectors
from serials.models import BoundVolume, Serial


def test_demo_periodicals_have_a_year_of_check_ins_and_bound_volumes(db):
    clc.ensure_table()
    ctx = DemoContext(
        scale=DemoScale(students=20, teachers=2, titles=60, copies=60), today=date(2025, 11, 12), stdout=StringIO()
    )
    build_people(ctx)
    catalog_demo.build(ctx)
    demo.build(ctx)
    stats = selectors.year_statistics(2025, ctx.today)
    assert Serial.objects.count() == stats["titles"] == 12
    assert 0.85 < stats["rate"] < 1
    assert BoundVolume.objects.count() == 2
