"""The stocktake report as an Excel workbook, through library.xlsx (the one Excel helper)."""

from django.utils.translation import gettext as _

from library import xlsx


def scope_text(stocktake) -> str:
    parts = [_("、").join(loc.name for loc in stocktake.locations.all()) or _("全部地点")]
    if stocktake.class_prefixes:
        parts.append(f"{_('分类号')} {stocktake.class_prefixes}")
    if stocktake.call_from or stocktake.call_to:
        parts.append(f"{_('索书号')} {stocktake.call_from or '…'}–{stocktake.call_to or '…'}")
    return " · ".join(parts)


def report_bytes(stocktake, lists: dict, rates: dict) -> bytes:
    wb = xlsx.new_workbook()
    ws = wb.active
    ws.title = _("汇总")
    total = rates["total"]
    rows = [
        [_("盘点名称"), stocktake.name],
        [_("范围"), scope_text(stocktake)],
        [_("开始时间"), stocktake.opened_at],
        [_("结束时间"), stocktake.closed_at],
        [_("应盘册数"), stocktake.expected_count],
        [_("应在馆册数"), total["expected"]],
        [_("丢失册数"), total["missing"]],
        [_("丢失率（%）"), round(total["rate"], 2)],
        [],
        [_("分类"), _("应在馆册数"), _("丢失册数"), _("丢失率（%）")],
        *[[r["key"], r["expected"], r["missing"], round(r["rate"], 2)] for r in rates["by_class"]],
        [],
        [_("馆藏地点"), _("应在馆册数"), _("丢失册数"), _("丢失率（%）")],
        *[[r["key"], r["expected"], r["missing"], round(r["rate"], 2)] for r in rates["by_location"]],
        [],
        [_("盘点人：")],
        [_("复核人：")],
        [_("负责人：")],
        [_("日期：")],
    ]
    _write(ws, rows)
    head = [_("登记号"), _("题名"), _("索书号"), _("馆藏地点")]
    sheets = [
        (
            _("丢失"),
            head,
            [
                [i.copy.barcode, i.copy.record.title, i.copy.record.call_number, i.copy.location.name]
                for i in lists["missing"]
            ],
        ),
        (
            _("错架"),
            [*head, _("扫描地点")],
            [
                [
                    s.copy.barcode,
                    s.copy.record.title,
                    s.copy.record.call_number,
                    s.copy.location.name,
                    s.location.name if s.location else "",
                ]
                for s in lists["misplaced"]
            ],
        ),
        (
            _("找回"),
            head,
            [
                [s.copy.barcode, s.copy.record.title, s.copy.record.call_number, s.copy.location.name]
                for s in lists["found_again"]
            ],
        ),
        (_("未知条码"), [_("条码"), _("扫描时间")], [[s.barcode, s.scanned_at] for s in lists["unknown"]]),
    ]
    for title, header, data in sheets:
        _write(wb.create_sheet(title), [header, *data])
    return xlsx.to_bytes(wb)


def _write(ws, rows) -> None:
    for r, values in enumerate(rows, start=1):
        for col, value in enumerate(values, start=1):
            xlsx.set_cell(ws.cell(row=r, column=col), value)
