"""Roster import pages: template download, upload and preview, confirm."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from circulation import exceptions as exc
from circulation.roster import roster_import, roster_parse, template_bytes
from library import uploadhandlers, xlsx

SESSION_KEY = "circulation_roster_rows"


@login_required
@permission_required("library.manage_readers", raise_exception=True)
def roster_template(request):
    response = HttpResponse(
        template_bytes(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E5%AD%A6%E7%94%9F%E5%90%8D%E5%8D%95%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response


@login_required
@permission_required("library.manage_readers", raise_exception=True)
def roster_upload(request):
    preview = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if uploadhandlers.too_large(request):
            messages.error(request, xlsx.too_large_message(uploadhandlers.too_large(request)))
        elif upload is None:
            messages.error(request, _("请选择要导入的 Excel 文件。"))
        elif upload.size > xlsx.max_bytes():
            messages.error(request, xlsx.too_large_message(upload.size))
        else:
            preview = roster_parse(upload.read())
            if preview.ok:
                request.session[SESSION_KEY] = preview.rows
            else:
                request.session.pop(SESSION_KEY, None)
    counts = {}
    if preview:
        for row in preview.rows:
            counts[row["action"]] = counts.get(row["action"], 0) + 1
    return render(request, "circulation/roster_import.html", {"preview": preview, "counts": counts})


@login_required
@permission_required("library.manage_readers", raise_exception=True)
@require_POST
def roster_confirm(request):
    rows = request.session.get(SESSION_KEY)
    if not rows:
        messages.error(request, _("请先上传名单并检查预览。"))
        return redirect("circulation:roster_import")
    try:
        counts = roster_import(rows=rows, issue_cards=request.POST.get("issue_cards") == "1", by=request.user)
    except exc.CirculationError as error:
        messages.error(request, error.message)
        return redirect("circulation:roster_import")
    request.session.pop(SESSION_KEY, None)
    messages.success(
        request,
        _("导入完成：新增 %(new)s 人，更新 %(update)s 人，无变化 %(same)s 人，新办借书证 %(cards)s 张。") % counts,
    )
    return redirect("circulation:readers")
