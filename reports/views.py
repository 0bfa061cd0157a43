from datetime import date

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from circulation.models import Reader, SchoolClass
from library.models import School
from library.params import clean_text, parse_date, parse_int
from reports import exports, selectors
from reports.excel import safe_filename
from reports.formulas import FORMULAS
from reports.periods import PeriodError, default_period, parse_period, previous_period, term_choices
from reports.selectors import reading as reading_selectors


def _school_name() -> str:
    school = School.objects.order_by("pk").first()
    return school.name if school else ""


def _period_or_error(request, today: date):
    """The chosen period, or the default one and a Chinese message saying what was wrong."""
    try:
        return parse_period(request.GET, today), None
    except PeriodError as exc:
        return default_period(today), str(exc)


def _bad_request(request, message: str):
    return render(request, "reports/error.html", {"message": message}, status=400)


def _period_context(period, error):
    return {
        "period": period,
        "period_error": error,
        "terms": term_choices(),
        "formulas": FORMULAS,
    }


def _summary_charts(s) -> dict:
    return {
        "grades": {
            "labels": [g.name for g in s.grades],
            "datasets": [
                {"label": _("生均借阅（册）"), "data": [float(g.per_student or 0) for g in s.grades]},
            ],
        },
        "classes": {
            "labels": [c.name for c in s.classes],
            "datasets": [{"label": _("生均借阅（册）"), "data": [float(c.per_student or 0) for c in s.classes]}],
        },
        "clc": {
            "labels": [r["name"] for r in s.clc],
            "datasets": [{"label": _("借阅册次"), "data": [r["loans"] for r in s.clc]}],
        },
    }


@login_required
@permission_required("library.view_reports", raise_exception=True)
def summary(request):
    today = timezone.localdate()
    period, error = _period_or_error(request, today)
    s = selectors.summary_for(period, previous_period(period), today)
    # The summary is for staff (view_reports): the honours name their pupils.
    reading = reading_selectors.reading_promotion(s.period, with_names=True)
    context = _period_context(period, error) | {
        "s": s,
        "work_summary": reading_selectors.with_reading(selectors.work_summary_text(s), reading),
        "charts": _summary_charts(s),
        "reading": reading,
    }
    return render(request, "reports/summary.html", context)


@login_required
@permission_required("library.view_reports", raise_exception=True)
def summary_export(request):
    today = timezone.localdate()
    try:
        period = parse_period(request.GET, today)
    except PeriodError as exc:
        return _bad_request(request, str(exc))
    s = selectors.summary_for(period, previous_period(period), today)
    reading = reading_selectors.reading_promotion(s.period, with_names=True)
    return exports.summary_workbook(s, reading=reading).response(exports.summary_filename(s))


def _visible_classes(user):
    if user.has_perm("library.view_reports"):
        return SchoolClass.objects.filter(is_active=True).select_related("head_teacher")
    return SchoolClass.objects.filter(head_teacher=user).select_related("head_teacher")


def _class_for(user, pk: int) -> SchoolClass:
    """The class if the user may see its report: its head teacher, librarians and administrators."""
    school_class = get_object_or_404(SchoolClass.objects.select_related("head_teacher"), pk=pk)
    if user.has_perm("library.view_reports") or school_class.head_teacher_id == user.pk:
        return school_class
    raise PermissionDenied


@login_required
def class_list(request):
    classes = list(_visible_classes(request.user))
    if not request.user.has_perm("library.view_reports"):
        if not classes:
            raise PermissionDenied
        if len(classes) == 1:
            return redirect("reports:class_report", pk=classes[0].pk)
    today = timezone.localdate()
    stage_order = selectors.STAGE_ORDER
    classes.sort(key=lambda c: (stage_order.get(c.stage, 9), -c.entry_year, c.number))
    rows = [{"obj": c, "name": c.name_on(today)} for c in classes]
    return render(request, "reports/class_list.html", {"rows": rows})


@login_required
def class_report(request, pk: int):
    school_class = _class_for(request.user, pk)
    today = timezone.localdate()
    period, error = _period_or_error(request, today)
    report = selectors.class_report(school_class, period, today)
    context = _period_context(period, error) | {
        "school_class": school_class,
        "report": report,
        "today": today,
        "charts": {
            "loans": {
                "labels": [r.name for r in report["borrowers"]],
                "datasets": [{"label": _("期内借阅册次"), "data": [r.period_loans for r in report["borrowers"]]}],
            }
        },
    }
    return render(request, "reports/class_report.html", context)


@login_required
def class_report_export(request, pk: int):
    school_class = _class_for(request.user, pk)
    today = timezone.localdate()
    try:
        period = parse_period(request.GET, today)
    except PeriodError as exc:
        return _bad_request(request, str(exc))
    report = selectors.class_report(school_class, period, today)
    filename = safe_filename(f"{period.label}-{report['class_name']}-" + _("班级借阅") + ".xlsx")
    return exports.class_report_workbook(_school_name(), report, period).response(filename)


def can_see_reader(user, reader: Reader) -> bool:
    """Reader privacy: the reader, their head teacher, librarians and administrators; nobody else."""
    if not user.is_authenticated:
        return False
    if user.has_perm("library.view_reports"):
        return True
    if reader.user_id is not None and reader.user_id == user.pk:
        return True
    return reader.school_class is not None and reader.school_class.head_teacher_id == user.pk


@login_required
def reader_record(request, pk: int):
    reader = get_object_or_404(Reader.objects.select_related("school_class"), pk=pk)
    if not can_see_reader(request.user, reader):
        raise PermissionDenied
    today = timezone.localdate()
    period, error = _period_or_error(request, today)
    record = selectors.reading_record(reader, period)
    context = _period_context(period, error) | {
        "reader": reader,
        "record": record,
        "notes": reading_selectors.reading_notes(reader, period),  # as private as the loans (above)
        "class_name": reader.school_class.name_on(period.end) if reader.school_class else "",
    }
    return render(request, "reports/reader_record.html", context)


@login_required
def my_record(request):
    reader = Reader.objects.filter(user=request.user).first()
    if reader is None:
        return render(request, "reports/error.html", {"message": _("您的登录账号尚未关联读者信息，请联系图书管理员。")})
    query = request.GET.urlencode()
    url = f"{redirect('reports:reader_record', pk=reader.pk).url}"
    return redirect(f"{url}?{query}" if query else url)


def _collection_params(request, today: date):
    raw_day = (request.GET.get("date") or "").strip()
    raw_years = (request.GET.get("years") or "").strip()
    day = today
    if raw_day:
        day = parse_date(raw_day)
        if day is None:
            raise PeriodError(
                _("统计日期“%(raw)s”不是有效日期，请使用 2025-09-01 这样的格式。") % {"raw": clean_text(raw_day, 40)}
            )
    years = None
    if raw_years:
        years = parse_int(raw_years, min_value=1, max_value=30)
        if years is None:
            raise PeriodError(_("未借阅年数应为 1 到 30 之间的整数。"))
    return day, years


@login_required
@permission_required("library.view_reports", raise_exception=True)
def collection(request):
    today = timezone.localdate()
    error = None
    try:
        day, years = _collection_params(request, today)
    except PeriodError as exc:
        day, years, error = today, None, str(exc)
    a = selectors.collection_analysis(day, years)
    charts = {
        "divisions": {
            "labels": [d["name"] for d in a["divisions"]],
            "datasets": [
                {"label": _("实际比例（%）"), "data": [float((d["share"] or 0) * 100) for d in a["divisions"]]},
                {"label": _("推荐比例（%）"), "data": [float(d["target"] * 100) for d in a["divisions"]]},
            ],
        },
        "classes": {
            "labels": [c["code"] or "?" for c in a["classes"]],
            "datasets": [{"label": _("册数"), "data": [c["volumes"] for c in a["classes"]]}],
        },
        "ages": {
            "labels": [r["label"] for r in a["ages"]],
            "datasets": [{"label": _("册数"), "data": [r["volumes"] for r in a["ages"]]}],
        },
    }
    context = {"a": a, "error": error, "charts": charts, "formulas": FORMULAS, "query": request.GET.urlencode()}
    return render(request, "reports/collection.html", context)


@login_required
@permission_required("library.view_reports", raise_exception=True)
def collection_export(request):
    today = timezone.localdate()
    try:
        day, years = _collection_params(request, today)
    except PeriodError as exc:
        return _bad_request(request, str(exc))
    a = selectors.collection_analysis(day, years, limit=None)
    filename = safe_filename(f"{_school_name()}-" + _("馆藏结构分析") + f"-{day.isoformat()}.xlsx")
    return exports.collection_workbook(_school_name(), a).response(filename)
