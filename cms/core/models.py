"""Shared domain data: the region hierarchy, disclosure metadata and the home page."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.blocks.stream_block import StreamValue
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Orderable, Page
from wagtail.search import index

from . import richtext
from .access import tester_for, workflow_for
from .forms import SitePageForm
from .kinds import for_model
from .personal_data import KEPT_KEY, LABELS, describe_findings, entry_findings
from .validation import GatedModelMixin, shorten_slug


class Region(GatedModelMixin, index.Indexed, models.Model):
    """A place in the one shared hierarchy (省/市/区县/街道乡镇/社区) that every item belongs to."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("省")
        CITY = 2, _("市")
        COUNTY = 3, _("区县")
        TOWNSHIP = 4, _("街道乡镇")
        COMMUNITY = 5, _("社区")

    name = models.CharField(_("名称"), max_length=100)
    slug = models.SlugField(
        _("网址标识"),
        max_length=100,
        unique=True,
        allow_unicode=False,
        help_text=_("用于网址，只能用小写字母、数字和连字符，例如 shangdang"),
    )
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级地区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.CharField(_("行政区划代码"), max_length=12, blank=True, help_text=_("可选，例如 140404"))

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldRowPanel([FieldPanel("level"), FieldPanel("code")]),
        FieldPanel("parent"),
    ]
    # The chooser finds a place by its own name or by any place above it ("上党" lists its communities too).
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("hierarchy"),
        index.AutocompleteField("hierarchy"),
    ]

    class Meta:
        verbose_name = _("地区")
        verbose_name_plural = _("地区")
        ordering = ["level", "name"]

    def __str__(self):
        return " / ".join(r.name for r in self.ancestry())

    @classmethod
    def subtree_ids(cls, region_ids):
        """The ids of these regions and of every region below them."""
        children = {}
        for pk, parent in cls.objects.values_list("pk", "parent_id"):
            children.setdefault(parent, []).append(pk)
        found, todo = set(), list(region_ids)
        while todo:
            pk = todo.pop()
            if pk not in found:
                found.add(pk)
                todo.extend(children.get(pk, ()))
        return found

    def hierarchy(self):
        """The names of this region and every region above it, for search."""
        return " ".join(r.name for r in self.ancestry())

    def ancestry(self):
        """This region and its ancestors, top first."""
        chain, node, seen = [], self, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def clean(self):
        super().clean()
        if self.parent_id is None:
            return
        if self.parent.level >= self.level:
            raise ValidationError({"parent": _("上级地区的层级必须高于本地区。")})
        node = self.parent
        while node is not None:
            if self.pk and node.pk == self.pk:
                raise ValidationError({"parent": _("上级地区不能是本地区自己或其下级。")})
            node = node.parent


class RecordedPanel(FieldPanel):
    """A read-only field that review records: shows “（尚未审核）” while it is empty (not “None”)."""

    def __init__(self, field_name, **kwargs):
        kwargs["read_only"] = True
        super().__init__(field_name, **kwargs)

    def format_value_for_display(self, value):
        return "（尚未审核）" if value in (None, "") else super().format_value_for_display(value)


class ApprovalFields(models.Model):
    """Who published an item and who approved it (发布机构, 审核机构, 审核日期), shown to residents on every list,
    notice and case. Review up the hierarchy (cms/organisations) records the approval when the last reviewer
    approves; editors cannot type it. No person's name is published."""

    publisher = models.CharField(_("发布机构"), max_length=200, blank=True, help_text=_("写全称"))
    approved_by = models.CharField(_("审核机构"), max_length=200, blank=True, help_text=_("逐级审核通过时自动填写"))
    date_approved = models.DateField(_("审核日期"), null=True, blank=True)

    # Names shared by the portable format (``disclosure``), the API and the loader, in display order.
    DISCLOSURE_FIELDS = ("publisher", "approved_by", "date_approved")
    DATE_FIELDS = ("date_approved",)
    # Written by review only: read-only in the admin and the API, cleared when a new version is edited.
    RECORDED = ("approved_by", "date_approved")

    approval_panels = [
        MultiFieldPanel(
            [
                FieldPanel("publisher"),
                FieldRowPanel([RecordedPanel("approved_by"), RecordedPanel("date_approved")]),
            ],
            heading=_("发布与审核"),
        )
    ]

    class Meta:
        abstract = True

    @classmethod
    def editable_disclosure(cls):
        """The disclosure fields an editor (or a tool through the API) may write: all but what review records."""
        return tuple(name for name in cls.DISCLOSURE_FIELDS if name not in cls.RECORDED)

    @classmethod
    def display_labels(cls):
        """[(field, label)] in the order a page shows them."""
        return [(name, str(cls._meta.get_field(name).verbose_name)) for name in cls.DISPLAY_ORDER]

    DISPLAY_ORDER = DISCLOSURE_FIELDS


class DisclosureFields(ApprovalFields):
    """Government-information-disclosure block (政府信息公开) shown on lists and notices."""

    index_number = models.CharField(_("索引号"), max_length=60, blank=True, help_text=_("例如 000014349/2021-00143"))
    document_number = models.CharField(
        _("文号"), max_length=80, blank=True, help_text=_("用六角括号，例如 民发〔2020〕20号")
    )
    date_written = models.DateField(_("成文日期"), null=True, blank=True)
    date_published = models.DateField(_("发布日期"), null=True, blank=True)
    public_attribute = models.CharField(_("公开属性"), max_length=20, blank=True, default="主动公开")
    valid_from = models.DateField(_("施行日期"), null=True, blank=True)
    valid_until = models.DateField(_("废止日期"), null=True, blank=True)

    # Names shared by the portable format, the API and the loader, in display order.
    DISCLOSURE_FIELDS = (
        "index_number",
        "publisher",
        "document_number",
        "date_written",
        "date_published",
        "public_attribute",
        "valid_from",
        "valid_until",
        "approved_by",
        "date_approved",
    )
    DATE_FIELDS = ("date_written", "date_published", "valid_from", "valid_until", "date_approved")

    disclosure_panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("index_number"), FieldPanel("document_number")]),
                FieldPanel("publisher"),
                FieldRowPanel([FieldPanel("date_written"), FieldPanel("date_published")]),
                FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_until")]),
                FieldPanel("public_attribute"),
                FieldRowPanel([RecordedPanel("approved_by"), RecordedPanel("date_approved")]),
            ],
            heading=_("信息公开"),
        )
    ]

    class Meta:
        abstract = True

    # The order a page shows them: the validity dates before the attribute.
    DISPLAY_ORDER = (
        "index_number",
        "publisher",
        "document_number",
        "date_written",
        "date_published",
        "valid_from",
        "valid_until",
        "public_attribute",
        "approved_by",
        "date_approved",
    )

    def clean(self):
        super().clean()
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("废止日期不能早于施行日期。")})
        if self.date_written and self.date_published and self.date_published < self.date_written:
            raise ValidationError({"date_published": _("发布日期不能早于成文日期。")})


class AnnexBase(Orderable):
    """An official attachment (附件) of a list or notice: a Wagtail document (PDF, XLSX, DOCX …), linked on the
    page with its type and size. Only documents public content uses can be downloaded by residents."""

    document = models.ForeignKey(
        "wagtaildocs.Document", verbose_name=_("文件"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("附件名称"), max_length=200, blank=True, help_text=_("不填则用文件的标题"))

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        abstract = True
        verbose_name = _("附件")
        verbose_name_plural = _("附件")


class DisplayPeriodFields(models.Model):
    """A display period (公示期): the days a notice or a list under public comment is shown for."""

    display_start = models.DateField(_("公示开始日期"), null=True, blank=True)
    display_end = models.DateField(
        _("公示结束日期"), null=True, blank=True, help_text=_("含当天；到期后网站自动显示“公示已结束”")
    )

    period_panels = [
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("display_start"), FieldPanel("display_end")])],
            heading=_("公示期"),
        )
    ]

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.display_start and self.display_end and self.display_end < self.display_start:
            raise ValidationError({"display_end": _("公示结束日期不能早于开始日期。")})

    def display_period(self):
        return {key: value for key, value in (("start", self.display_start), ("end", self.display_end)) if value}


class SitePage(GatedModelMixin, Page):
    """A page published to the static site; the MkDocs build, not a Django template, renders it."""

    def _get_autogenerated_slug(self, base_slug):
        # A slug made from a long Chinese title would not fit in a file name: keep it within the gate's limit.
        return super()._get_autogenerated_slug(shorten_slug(base_slug))

    # Item pages preview through the site's own renderer and theme; listing pages have no preview.
    preview_modes = []

    class Meta:
        abstract = True


class SiteItemPage(SitePage):
    """A case, list or notice: previewed exactly as the public site will show it."""

    preview_modes = [("", _("网站样式"))]
    base_form_class = SitePageForm
    # The field that puts the item at a place of the region hierarchy (a notice's is its community): who may
    # edit it and who reviews it follow that place.
    place_field = "region"

    class Meta:
        abstract = True

    @property
    def place_id(self):
        return getattr(self, f"{self.place_field}_id", None)

    @property
    def place(self):
        return getattr(self, self.place_field, None)

    def personal_data(self):
        """[(path, Finding)] of personal data in this version of the page that no reviewer kept with a reason."""
        kind = for_model(self)
        if kind is None:
            return []
        entry = kind.serialize(self, {})
        entry["meta"][KEPT_KEY] = KeptPersonalData.kept(self.pk)
        return entry_findings(entry)

    def full_clean(self, *args, **kwargs):
        # Rich text written by any way in (the v3 API takes HTML) keeps only what the paragraph allows.
        self.normalize_rich_text()
        return super().full_clean(*args, **kwargs)

    def normalize_rich_text(self):
        body = getattr(self, "body", None)
        raw = getattr(body, "raw_data", None)
        if raw is None:
            return
        blocks, changed = [], False
        for block in raw:
            block = dict(block)
            if block.get("type") == "paragraph":
                source = getattr(block.get("value"), "source", block.get("value")) or ""
                tidy = richtext.to_html(richtext.from_html(source))
                changed = changed or tidy != source
                block["value"] = tidy
            blocks.append(block)
        if changed:
            self.body = StreamValue(body.stream_block, blocks, is_lazy=True)

    def publishing_problems(self):
        """[(field, message)] of what must change before this version goes live: a picture in the body without
        its alternative text (read aloud to those who cannot see it)."""
        body = getattr(self, "body", None)
        problems = []
        for n, block in enumerate(body or [], start=1):
            if block.block_type == "figure" and block.value.get("image") and not (block.value.get("alt") or "").strip():
                problems.append(("body", f"正文第 {n} 块的图片缺少“替代文字”：请说明图片里有什么，再发布"))
        return problems

    def publish(self, revision, *args, **kwargs):
        # Page.publish runs Wagtail's own action; ours (registered for every page, cms/core/wagtail_hooks.py,
        # and used by the v3 API's publish) refuses unmasked personal data first. Both paths check.
        refuse_personal_data(revision)
        return super().publish(revision, *args, **kwargs)

    def get_workflow(self):
        # Review up the hierarchy of the item's place when organisations are responsible for it.
        return workflow_for(self) or super().get_workflow()

    def permissions_for_user(self, user):
        # Narrowed to the places of the account's organisations when that app is installed (core/access.py).
        return tester_for(user, self)

    def serve_preview(self, request, mode_name):
        # Its kind (registered by its app) renders it with the site's own renderer and theme.
        return for_model(self).preview(self)


class SectionIndexPage(SitePage):
    """The front page of one kind of content (cases, lists, notices); its children are the items."""

    intro = models.TextField(_("栏目介绍"), blank=True, max_length=2000)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["core.HomePage"]
    max_count = 1

    class Meta:
        abstract = True


class HomePage(SitePage):
    """The site's front page: an introduction above the latest items of each kind."""

    intro = models.TextField(_("首页介绍"), blank=True, max_length=2000)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    # Any section page may stand below it (each kind's section page names core.HomePage as its parent).
    max_count = 1

    class Meta:
        verbose_name = _("首页")
        verbose_name_plural = _("首页")


@register_setting(icon="site")
class SiteSettings(GatedModelMixin, BaseSiteSetting):
    """The public site's name, description and footer, as editors set them: on every page and in the feeds."""

    DEFAULTS = {
        "name": "基层 · 社区治理公开平台",
        "description": "党建引领基层治理经验案例、社区“三张清单”与“两标三牌”公示",
        "footer": "",
    }

    site_name = models.CharField(_("网站名称"), max_length=100, default=DEFAULTS["name"])
    site_description = models.CharField(
        _("网站简介"), max_length=300, default=DEFAULTS["description"], help_text=_("用于搜索引擎和分享卡片")
    )
    footer_text = models.CharField(
        _("页脚文字"), max_length=300, blank=True, help_text=_("每页底部显示，例如主办单位和联系方式")
    )

    panels = [FieldPanel("site_name"), FieldPanel("site_description"), FieldPanel("footer_text")]

    class Meta:
        verbose_name = _("网站设置")
        verbose_name_plural = _("网站设置")

    def portable(self):
        return {"name": self.site_name, "description": self.site_description, "footer": self.footer_text}


def refuse_personal_data(revision):
    """Every way a page goes live (admin, API, review, schedule, load_content) asks this: the importer's marks
    (【待选地区】, 【待改写】) must be gone, and personal data masked or kept with a reviewer's recorded reason,
    before it is published."""
    version = revision.as_object()
    problems = version.publishing_problems() if hasattr(version, "publishing_problems") else []
    if problems:
        raise ValidationError("；".join(message for _field, message in problems))
    findings = version.personal_data() if hasattr(version, "personal_data") else []
    if findings:
        lines = describe_findings(type(version), findings)
        raise ValidationError(
            "发现未遮盖的个人信息，不能发布："
            + "；".join(lines)
            + "。请遮盖后再发布，或由审核人在“个人信息检查”中记录保留理由。"
        )


class KeptPersonalData(models.Model):
    """A reviewer's reason to publish one piece of personal data as it is (a finding in one page's text)."""

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(_("摘要值"), max_length=24, help_text=_("所保留信息的摘要（不存原文）"))
    kind = models.CharField(_("类别"), max_length=20, choices=list(LABELS.items()))
    reason = models.CharField(_("保留理由"), max_length=500)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("保留的个人信息")
        verbose_name_plural = _("保留的个人信息")
        constraints = [models.UniqueConstraint(fields=["page", "digest"], name="kept_personal_data_once")]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.reason[:30]}"

    @classmethod
    def kept(cls, page_id):
        """A page's kept findings, as its portable entry lists them."""
        if page_id is None:
            return []
        rows = cls.objects.filter(page_id=page_id).order_by("digest")
        return [{"digest": r.digest, "kind": r.kind, "reason": r.reason} for r in rows]
