"""Admin view: paste or upload a newspaper article, check what was found, then create draft cases."""

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from cms.core.forms import decode_text
from cms.core.models import Region

from .article_drafts import create_drafts, duplicates, refusals
from .article_import import ArticleCase, describe, parse_article, suggest_region
from .models import CaseStudyIndexPage

SALT = "jiceng.cases.import-article"
MAX_CHARS = 200_000


class ArticleForm(forms.Form):
    text = forms.CharField(
        label="文章全文",
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="从报纸电子版或网页复制全文粘贴到这里；一篇里有多个案例也可以。",
    )
    file = forms.FileField(label="或上传文本文件", required=False, help_text=".txt 文件，UTF-8 或 GBK 编码")
    region = forms.ModelChoiceField(
        label="认不出地区时使用",
        queryset=Region.objects.order_by("level", "name"),
        required=False,
        help_text="可不填：导入程序会从标题、署名和正文中找地区。",
    )

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("text") or ""
        upload = cleaned.get("file")
        if upload:
            text = decode_text(upload.read(MAX_CHARS * 4 + 1))
            if text is None:
                raise forms.ValidationError(f"文件“{upload.name}”的编码不是 UTF-8 或 GBK")
        if not text.strip():
            raise forms.ValidationError("请粘贴文章全文或上传文本文件")
        if len(text) > MAX_CHARS:
            raise forms.ValidationError(f"文章超过 {MAX_CHARS} 字，请分开导入")
        cleaned["article"] = text
        return cleaned


def _payload(cases):
    return [
        {
            **{
                k: getattr(c, k)
                for k in (
                    *("headline", "byline", "media", "edition", "blocks", "practices", "figures", "notes"),
                    *("abstract", "keywords", "new_places", "place_parent", "traditional"),
                )
            },
            "date": c.date.isoformat() if c.date else None,
            "region": c.region.pk if c.region else None,
            "region_reason": c.region_reason,
        }
        for c in cases
    ]


def _cases(payload):
    import datetime

    regions = {r.pk: r for r in Region.objects.all()}
    cases = []
    for data in payload:
        case = ArticleCase(**{k: v for k, v in data.items() if k not in ("date", "region")})
        case.date = datetime.date.fromisoformat(data["date"]) if data["date"] else None
        case.region = regions.get(data["region"])
        cases.append(case)
    return cases


def import_article(request):
    parent = CaseStudyIndexPage.objects.first()
    if parent is None or not parent.permissions_for_user(request.user).can_add_subpage():
        raise PermissionDenied
    context = {"form": ArticleForm(), "found": None}
    if request.method == "POST" and "confirm" in request.POST:
        try:
            data = signing.loads(request.POST.get("payload", ""), salt=SALT, max_age=3600)
        except signing.BadSignature:
            messages.error(request, "预览已过期或被修改，请重新导入。")
            return redirect("jiceng_import_article")
        fallback = Region.objects.filter(pk=data["fallback"]).first() if data["fallback"] else None
        try:
            pages = create_drafts(
                _cases(data["cases"]),
                user=request.user,
                region=fallback,
                make_places="make_places" in request.POST,
                simplify="simplify" in request.POST,
            )
        except ValueError as exc:
            messages.error(request, str(exc))
            return redirect("jiceng_import_article")
        messages.success(request, f"已创建 {len(pages)} 篇案例草稿（未发布）。请逐篇核对、改写摘要后提交审核。")
        return redirect("wagtailadmin_explore", parent.pk)
    if request.method == "POST":
        form = ArticleForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            try:
                cases = parse_article(form.cleaned_data["article"])
            except ValueError as exc:
                form.add_error(None, str(exc))
            else:
                regions = list(Region.objects.all())
                for case in cases:
                    case.region, case.region_reason = suggest_region(case, regions)
                fallback = form.cleaned_data.get("region")
                context["found"] = [describe(c) for c in cases]
                context["missing_region"] = [
                    c.headline for c in cases if c.region is None and not c.new_places and fallback is None
                ]
                context["new_places"] = [
                    " › ".join(p["name"] for p in c.new_places) for c in cases if c.region is None and c.new_places
                ]
                context["traditional"] = any(c.traditional for c in cases)
                context["duplicates"] = duplicates(cases)
                context["refused"] = refusals(cases, request.user, fallback)
                context["payload"] = signing.dumps(
                    {"cases": _payload(cases), "fallback": fallback.pk if fallback else None}, salt=SALT, compress=True
                )
    return TemplateResponse(request, "cases/import_article.html", context)
