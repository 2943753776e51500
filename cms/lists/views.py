"""Admin views: import a list's rows from a spreadsheet (preview, then save as a draft), export them to .xlsx."""

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import content_disposition_header

from .models import DutyListPage
from .spreadsheet import MAX_BYTES, ParsedSheet, SpreadsheetError, apply_rows, read_rows, write_xlsx

SIGNING_SALT = "jiceng.lists.import"


class UploadForm(forms.Form):
    file = forms.FileField(
        label="表格文件",
        help_text="Excel（.xlsx）或 CSV 文件。第一行（或前几行中的一行）是表头，需有“事项名称”列；"
        "可识别的列：序号、大类、事项名称、事项内容、依据、责任部门、保障方式、证明用途、出具单位、办理流程、替代办理方式等。",
    )


def _editable_list(request, page_id):
    page = get_object_or_404(DutyListPage, pk=page_id)
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    return page.get_latest_revision_as_object()


def import_rows(request, page_id):
    """Step 1: upload and check (nothing is saved). Step 2: confirm the preview; the rows become a draft."""
    page = _editable_list(request, page_id)
    context = {"page": page, "form": UploadForm(), "problems": [], "parsed": None}
    if request.method == "POST" and "confirm" in request.POST:
        try:
            data = signing.loads(request.POST.get("payload", ""), salt=SIGNING_SALT, max_age=3600)
        except signing.BadSignature:
            messages.error(request, "预览已过期或被修改，请重新上传表格。")
            return redirect("jiceng_list_import", page_id=page.pk)
        if data["page"] != page.pk or data["revision"] != page.latest_revision_id:
            messages.error(request, "清单在预览之后被修改过，请重新上传表格以免覆盖别人的修改。")
            return redirect("jiceng_list_import", page_id=page.pk)
        apply_rows(page, ParsedSheet(rows=data["rows"]))
        page.save_revision(user=request.user, log_action=True)
        messages.success(
            request, f"已从表格导入 {len(data['rows'])} 项，保存为草稿（尚未发布）。请检查后提交审核或发布。"
        )
        return redirect("wagtailadmin_pages:edit", page.pk)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_BYTES:
                context["problems"] = [f"文件“{upload.name}”超过 {MAX_BYTES // 1024 // 1024} MB 上限"]
            else:
                try:
                    parsed = read_rows(upload.read(), upload.name, page.list_kind)
                except SpreadsheetError as exc:
                    context["problems"] = exc.problems
                else:
                    context["parsed"] = parsed
                    context["filename"] = upload.name
                    context["payload"] = signing.dumps(
                        {"page": page.pk, "revision": page.latest_revision_id, "rows": parsed.rows},
                        salt=SIGNING_SALT,
                        compress=True,
                    )
                    context["replaced"] = page.items.count()
    return TemplateResponse(request, "lists/import.html", context)


def export_rows(request, page_id):
    page = _editable_list(request, page_id)
    response = HttpResponse(
        write_xlsx(page), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition_header(True, f"{page.slug}.xlsx")
    return response
