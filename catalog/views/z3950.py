"""Z39.50 服务器: the list of targets copy cataloguing searches, their settings and 测试连接."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog import services
from catalog.forms import Z3950TargetForm
from catalog.models import Z3950Target
from catalog.sources import z3950
from catalog.views.records import catalogue_required
from library.params import text_param

# What 测试连接 searches for when nothing is typed: a book every Chinese union catalogue holds
# (西游记, 人民文学出版社). A search with no hit still proves the connection works.
TEST_ISBN = "9787020002207"


@login_required
@catalogue_required
def z3950_targets(request):
    return render(
        request,
        "catalog/z3950_targets.html",
        {"targets": Z3950Target.objects.all(), "yaz_missing": not z3950.yaz_available(), "test_isbn": TEST_ISBN},
    )


@login_required
@catalogue_required
def z3950_target_edit(request, pk=None):
    target = get_object_or_404(Z3950Target, pk=pk) if pk else None
    form = Z3950TargetForm(request.POST or None, instance=target)
    if request.method == "POST" and form.is_valid():
        saved = services.z3950_target_save(form=form)
        messages.success(request, _("Z39.50 服务器“%(name)s”已保存。") % {"name": saved.name})
        return redirect("catalog:z3950_targets")
    title = _("修改 Z39.50 服务器") if target else _("新增 Z39.50 服务器")
    return render(request, "catalog/z3950_target_form.html", {"form": form, "title": title, "target": target})


@login_required
@catalogue_required
@require_POST
def z3950_target_delete(request, pk: int):
    target = get_object_or_404(Z3950Target, pk=pk)
    services.z3950_target_delete(target=target)
    messages.success(request, _("已删除 Z39.50 服务器“%(name)s”。") % {"name": target.name})
    return redirect("catalog:z3950_targets")


@login_required
@catalogue_required
@require_POST
def z3950_target_test(request, pk: int):
    """测试连接: one search on this target with its saved settings; the answer as a message."""
    target = get_object_or_404(Z3950Target, pk=pk)
    q = text_param(request.POST, "q", max_length=100) or TEST_ISBN
    digits = q.replace("-", "").replace(" ", "")
    looks_like_isbn = len(digits) in (10, 13) and digits[:-1].isdigit()
    result = z3950.search_targets(
        isbn=q if looks_like_isbn else "", title="" if looks_like_isbn else q, targets=[target]
    )
    if result.errors:
        messages.error(
            request,
            _("测试连接“%(name)s”失败：%(error)s") % {"name": target.name, "error": result.errors[0].message},
        )
    else:
        titles = _("；").join(c.fields.get("title", "") for c in result.candidates[:3])
        text = _("测试连接“%(name)s”成功：检索“%(q)s”命中 %(n)s 条。") % {
            "name": target.name,
            "q": q,
            "n": result.hits.get(target.name, 0),
        }
        messages.success(request, f"{text} {titles}".strip())
    return redirect("catalog:z3950_targets")
