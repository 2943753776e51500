"""Admin: the personal data found in a page, and a reviewer's reasons to publish some of it as it is."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from wagtail.models import Page

from .models import KeptPersonalData
from .personal_data import field_label


class ReasonForm(forms.Form):
    reason = forms.CharField(label="保留理由", max_length=500, widget=forms.TextInput(attrs={"size": 60}))


def findings_of(page):
    """The latest version's findings that no reviewer kept: [(where, Finding)]."""
    latest = page.get_latest_revision_as_object()
    return [(field_label(type(page), path), finding) for path, finding in latest.personal_data()]


def review(request, page_id):
    """Every finding with where it is and how it may be masked; a reviewer records a reason to keep one."""
    page = get_object_or_404(Page, pk=page_id).specific
    permissions = page.permissions_for_user(request.user)
    if not permissions.can_edit():
        raise PermissionDenied
    can_keep = permissions.can_publish()
    found = findings_of(page)
    if request.method == "POST":
        if not can_keep:
            raise PermissionDenied
        form = ReasonForm(request.POST)
        digest = request.POST.get("digest", "")
        chosen = next((f for _where, f in found if f.digest == digest), None)
        if chosen is not None and form.is_valid():
            KeptPersonalData.objects.update_or_create(
                page_id=page.pk,
                digest=digest,
                defaults={"kind": chosen.kind, "reason": form.cleaned_data["reason"], "recorded_by": request.user},
            )
            messages.success(request, f"已记录保留理由：{chosen.label} {chosen.masked}")
            return redirect("jiceng_personal_data", page_id=page.pk)
        messages.error(request, "请填写保留理由（不超过 500 字）。")
    kept = KeptPersonalData.objects.filter(page_id=page.pk).select_related("recorded_by")
    return TemplateResponse(
        request,
        "core/personal_data.html",
        {"page": page, "found": found, "kept": kept, "can_keep": can_keep, "form": ReasonForm()},
    )


def warn_on_edit(request, page):
    """Wagtail hook (before_edit_page): tell the editor and the reviewer what must be masked before publishing."""
    if request.method != "GET" or not hasattr(page.specific, "personal_data"):
        return None
    found = findings_of(page.specific)
    if found:
        lines = "；".join(f"{where}中的{f.label}（可遮盖为 {f.masked}）" for where, f in found[:10])
        more = f"等 {len(found)} 处" if len(found) > 10 else ""
        link = reverse("jiceng_personal_data", args=[page.pk])
        messages.warning(
            request,
            format_html(
                "这个页面有未遮盖的个人信息，遮盖之前不能发布：{}{}。<a href='{}'>逐条查看，或由审核人记录保留理由</a>",
                lines,
                more,
                link,
            ),
        )
    return None
