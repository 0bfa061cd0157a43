"""Readers: list and search, the reader page with history, cards, card printing, 办证率."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from circulation import exceptions as exc
from circulation import hooks, selectors, services
from circulation.barcodes import barcode_svg
from circulation.models import Compensation, LibraryCard, Loan, Reader, ReaderKind, SchoolClass
from library.params import BadParameter, id_param, page_param, parse_code, text_param


@login_required
@permission_required("library.manage_readers", raise_exception=True)
def reader_list(request):
    q = text_param(request.GET, "q")
    class_id = id_param(request.GET, "class")
    kind = request.GET.get("kind", "")
    # Two tabs: people (students, teachers, staff) and class collective readers (图书角), listed apart.
    tab = "collective" if request.GET.get("tab") == "collective" else "people"
    if q:
        # The search keeps the class and type picked next to it (and finds former readers too).
        readers = selectors.search_readers(q)
    else:
        readers = selectors.in_class_order(Reader.objects.select_related("school_class").filter(is_active=True))
    if tab == "collective":
        readers = readers.filter(kind=ReaderKind.COLLECTIVE)
    else:
        readers = readers.exclude(kind=ReaderKind.COLLECTIVE)
    if class_id:
        readers = readers.filter(school_class_id=class_id)
    if kind in ReaderKind.values:
        readers = readers.filter(kind=kind)
    today = timezone.localdate()
    page = Paginator(selectors.with_desk_columns(readers, today), 50).get_page(page_param(request.GET))
    classes = [(c.pk, c.name_on(today)) for c in SchoolClass.objects.filter(is_active=True)]
    kinds = [(v, label) for v, label in ReaderKind.choices if v != ReaderKind.COLLECTIVE]
    return render(
        request,
        "circulation/reader_list.html",
        {
            "page": page,
            "q": q,
            "classes": classes,
            "class_id": str(class_id or ""),
            "kind": kind,
            "kinds": kinds,
            "tab": tab,
        },
    )


@login_required
@permission_required("library.manage_readers", raise_exception=True)
def reader_edit(request, pk=None):
    """Add or change a reader (teachers and staff by hand; pupils usually come from the roster)."""
    from circulation.forms import ReaderForm
    from circulation.services_pinyin import name_pinyin

    reader = get_object_or_404(Reader, pk=pk) if pk else None
    was_active = reader.is_active if reader else True
    form = ReaderForm(request.POST or None, instance=reader)
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        obj.name_pinyin = name_pinyin(obj.name)
        obj.user = form.cleaned_data["user"]
        try:
            services.reader_save(reader=obj, was_active=was_active, by=request.user)
        except IntegrityError:
            form.add_error(None, _("该班级已有集体读者，或数据与已有读者冲突。"))
        else:
            messages.success(request, _("读者已保存。"))
            return redirect("circulation:reader_detail", obj.pk)
    return render(request, "circulation/form_page.html", {"form": form, "title": _("读者信息")})


@login_required
@permission_required("library.manage_readers", raise_exception=True)
def reader_detail(request, pk):
    reader = get_object_or_404(Reader.objects.select_related("school_class", "user"), pk=pk)
    today = timezone.localdate()
    panel = selectors.reader_panel(reader.pk, today)
    history = Paginator(
        Loan.objects.filter(reader=reader, returned_at__isnull=False)
        .select_related("copy__record", "school_class")
        .order_by("-checked_out_at"),
        30,
    ).get_page(page_param(request.GET))
    return render(
        request,
        "circulation/reader_detail.html",
        {
            "reader": reader,
            "panel": panel,
            "history": history,
            "cards": reader.cards.order_by("-issued_at"),
            "holds": reader.holds.select_related("record").order_by("-placed_at")[:20],
            "compensations": reader.compensations.select_related("copy__record").order_by("-reported_at"),
            "kinds": [(kind.value, kind.label) for kind in Compensation.DAMAGE_KINDS],
            "today": today,
            "sections": hooks.reader_page(request, reader),  # the reading notes (reading app)
        },
    )


def _card_action(request, pk, action):
    card = get_object_or_404(LibraryCard.objects.select_related("reader"), pk=pk)
    try:
        result = action(card=card, by=request.user)
    except exc.CirculationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("借书证 %(n)s：%(s)s") % {"n": result.number, "s": result.get_status_display()})
    return redirect("circulation:reader_detail", card.reader_id)


@login_required
@permission_required("library.manage_readers", raise_exception=True)
@require_POST
def card_issue(request, pk):
    reader = get_object_or_404(Reader, pk=pk)
    try:
        number = parse_code(request.POST.get("number"), max_length=LibraryCard._meta.get_field("number").max_length)
        card = services.card_issue(reader=reader, by=request.user, number=number)
    except (exc.CirculationError, BadParameter) as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已办证，证号 %(n)s。") % {"n": card.number})
    return redirect("circulation:reader_detail", reader.pk)


@login_required
@permission_required("library.manage_readers", raise_exception=True)
@require_POST
def card_lost(request, pk):
    return _card_action(request, pk, services.card_report_lost)


@login_required
@permission_required("library.manage_readers", raise_exception=True)
@require_POST
def card_reissue(request, pk):
    return _card_action(request, pk, services.card_reissue)


@login_required
@permission_required("library.manage_readers", raise_exception=True)
@require_POST
def card_cancel(request, pk):
    return _card_action(request, pk, services.card_cancel)


def _printable(cards):
    today = timezone.localdate()
    items = []
    for card in cards:
        r = card.reader
        items.append(
            {
                "card": card,
                "reader": r,
                "class_name": r.school_class.name_on(today) if r.school_class_id else r.get_kind_display(),
                "svg": barcode_svg(card.number),
            }
        )
    return items


@login_required
@permission_required("library.manage_readers", raise_exception=True)
def card_print_reader(request, pk):
    reader = get_object_or_404(Reader, pk=pk)
    cards = LibraryCard.objects.filter(reader=reader, status="valid").select_related("reader__school_class")
    return render(request, "circulation/card_print.html", {"items": _printable(cards), "title": reader.name})


@login_required
@permission_required("library.manage_readers", raise_exception=True)
def card_print_class(request, pk):
    school_class = get_object_or_404(SchoolClass, pk=pk)
    cards = (
        LibraryCard.objects.filter(
            reader__school_class=school_class, reader__is_active=True, reader__kind="student", status="valid"
        )
        .select_related("reader__school_class")
        .order_by("reader__student_number")
    )
    return render(request, "circulation/card_print.html", {"items": _printable(cards), "title": str(school_class)})


@login_required
@permission_required("library.manage_readers", raise_exception=True)
def coverage(request):
    rows = selectors.class_coverage(timezone.localdate())
    students = sum(c.students for c in rows)
    with_card = sum(c.with_card for c in rows)
    teachers = Reader.objects.filter(kind=ReaderKind.TEACHER, is_active=True)
    t_total = teachers.count()
    t_card = teachers.filter(cards__status="valid").distinct().count()
    return render(
        request,
        "circulation/coverage.html",
        {
            "rows": rows,
            "students": students,
            "with_card": with_card,
            # "0.0%" when nobody has a card yet, "—" when there is nobody to count.
            "rate": _percent(with_card, students),
            "t_total": t_total,
            "t_card": t_card,
            "t_rate": _percent(t_card, t_total),
        },
    )


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole, 1)}%" if whole else "—"


@login_required
@permission_required("library.manage_readers", raise_exception=True)
def class_edit(request, pk=None):
    """A class: stage, entry year (the grade follows from it), number, head teacher."""
    from circulation.forms import SchoolClassForm

    school_class = get_object_or_404(SchoolClass, pk=pk) if pk else None
    form = SchoolClassForm(request.POST or None, instance=school_class)
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        obj.head_teacher = form.cleaned_data["head_teacher"]
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError:
            form.add_error(None, _("已有相同学段、入学年份和班号的班级。"))
        else:
            messages.success(request, _("班级已保存：%(c)s") % {"c": obj})
            return redirect("circulation:coverage")
    return render(request, "circulation/form_page.html", {"form": form, "title": _("班级")})


@login_required
@permission_required("library.manage_readers", raise_exception=True)
@require_POST
def class_cards_issue(request, pk):
    """Issue a card to every active pupil of a class who has none (for 办证 at the start of year)."""
    school_class = get_object_or_404(SchoolClass, pk=pk)
    without = Reader.objects.filter(school_class=school_class, kind="student", is_active=True).exclude(
        cards__status="valid"
    )
    n = 0
    for reader in without:
        services.card_issue(reader=reader, by=request.user)
        n += 1
    messages.success(request, _("已为 %(c)s 新办 %(n)s 张借书证。") % {"c": school_class, "n": n})
    return redirect("circulation:coverage")
