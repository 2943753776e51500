"""Case studies (经验案例): how a place did Party-building-led community governance."""

from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.core.api import read_only, writable
from cms.core.blocks import BaseStreamBlock
from cms.core.forms import PlainNumberInput
from cms.core.models import ApprovalFields, SectionIndexPage, SiteItemPage


class CaseStudyIndexPage(SectionIndexPage):
    """The list of all case studies; its children are the cases."""

    subpage_types = ["cases.CaseStudyPage"]

    class Meta:
        verbose_name = _("经验案例栏目")
        verbose_name_plural = _("经验案例栏目")


class CaseStudyTheme(TaggedItemBase):
    """Links a case to a theme (减负, 清单, 物业 …)."""

    content_object = ParentalKey("cases.CaseStudyPage", on_delete=models.CASCADE, related_name="tagged_items")


class CaseStudyPage(ApprovalFields, SiteItemPage):
    """One reported practice of a district or community, with its figures and its source."""

    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("所属地区"),
        on_delete=models.PROTECT,
        related_name="case_studies",
        help_text=_("案例主体所在的地区，例如上党区"),
    )
    communities = ParentalManyToManyField(
        "core.Region",
        verbose_name=_("提到的社区"),
        blank=True,
        related_name="mentioned_in_cases",
        help_text=_("报道中点名的社区或街道"),
    )
    summary = models.TextField(_("摘要"), max_length=1000, help_text=_("用我们自己的话概括做法和成效，三五句即可"))
    themes = ClusterTaggableManager(through=CaseStudyTheme, blank=True, verbose_name=_("主题"))
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("正文"))

    source_publisher = models.CharField(_("来源媒体或发布单位"), max_length=200)
    source_date = models.DateField(_("来源日期"), null=True, blank=True)
    source_edition = models.CharField(_("版次"), max_length=50, blank=True, help_text=_("例如 第21版"))
    source_byline = models.CharField(_("作者/署名"), max_length=200, blank=True, help_text=_("记者、通讯员或署名单位"))
    source_url = models.CharField(
        _("原文链接"),
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"], message=_("原文链接必须以 http:// 或 https:// 开头。"))],
    )

    content_panels = Page.content_panels + [
        FieldPanel("region"),
        FieldPanel("communities"),
        FieldPanel("summary"),
        FieldPanel("themes"),
        InlinePanel("practices", label=_("特色做法"), heading=_("特色做法")),
        InlinePanel("key_figures", label=_("关键数字"), heading=_("关键数字")),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("source_publisher"),
                FieldRowPanel([FieldPanel("source_date"), FieldPanel("source_edition")]),
                FieldPanel("source_byline"),
                FieldPanel("source_url"),
            ],
            heading=_("来源"),
        ),
        InlinePanel("policy_documents", label=_("相关政策文件"), heading=_("相关政策文件")),
        *ApprovalFields.approval_panels,
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.RelatedFields("practices", [index.SearchField("name")]),
        index.FilterField("region"),
    ]
    # Fields of Wagtail's v3 page API (read and write): editors' tools create and update drafts with them.
    api_fields = writable(
        "region",
        "communities",
        "summary",
        "themes",
        "body",
        "source_publisher",
        "source_date",
        "source_edition",
        "source_byline",
        "source_url",
        "practices",
        "key_figures",
        "policy_documents",
        *ApprovalFields.editable_disclosure(),
    ) + read_only(*ApprovalFields.RECORDED)
    parent_page_types = ["cases.CaseStudyIndexPage"]
    subpage_types = []

    GATED_TAGS = ("themes",)
    # What the article importer leaves for the editor (cms/cases/article_drafts.py): never published.
    UNPLACED, TO_REWRITE = "【待选地区】", "【待改写】"
    PLACEHOLDERS = {
        UNPLACED: f"导入时没有认出地区：请选择“所属地区”，再删去摘要开头的“{UNPLACED}”",
        TO_REWRITE: f"摘要还是导入时摘的原文：请用自己的话改写，再删去“{TO_REWRITE}”",
    }

    class Meta:
        verbose_name = _("经验案例")
        verbose_name_plural = _("经验案例")

    def publishing_problems(self):
        """The importer's marks still in this version, and what every item checks: publishing waits for them."""
        marks = [("summary", message) for mark, message in self.PLACEHOLDERS.items() if mark in (self.summary or "")]
        return marks + super().publishing_problems()


class CasePractice(Orderable):
    """A named practice the case is known by, e.g. “群众点单、社区派单、党员接单”."""

    # Rows reference nothing; left to Wagtail, saving a page would queue one reference-index task per row,
    # each re-indexing the whole page (quadratic for a 2,000-row list).
    wagtail_reference_index_ignore = True

    page = ParentalKey(CaseStudyPage, on_delete=models.CASCADE, related_name="practices")
    name = models.CharField(_("做法名称"), max_length=100, help_text=_("不含引号，例如 红色物业"))
    description = models.TextField(_("简要说明"), blank=True, max_length=500)

    panels = [FieldPanel("name"), FieldPanel("description")]
    api_fields = writable("name", "description")

    class Meta(Orderable.Meta):
        verbose_name = _("特色做法")


class CaseKeyFigure(Orderable):
    """A number from the report, stored as data: value, unit, what it counts, and the value before."""

    # Rows reference nothing; left to Wagtail, saving a page would queue one reference-index task per row,
    # each re-indexing the whole page (quadratic for a 2,000-row list).
    wagtail_reference_index_ignore = True

    page = ParentalKey(CaseStudyPage, on_delete=models.CASCADE, related_name="key_figures")
    label = models.CharField(_("统计对象"), max_length=100, help_text=_("例如 小区党支部"))
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("单位"), max_length=20, blank=True, help_text=_("例如 个、项、人次"))
    before = models.DecimalField(
        _("此前数值"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("有“由……缩减为……”时填写原来的数值"),
    )
    approximate = models.BooleanField(_("约数"), default=False, help_text=_("原文为“余”“多”“近”等约数时勾选"))

    panels = [
        FieldRowPanel(
            [
                FieldPanel("value", widget=PlainNumberInput(attrs={"step": "any"})),
                FieldPanel("unit"),
                FieldPanel("before", widget=PlainNumberInput(attrs={"step": "any"})),
            ]
        ),
        FieldPanel("label"),
        FieldPanel("approximate"),
    ]
    api_fields = writable("label", "value", "unit", "before", "approximate")

    class Meta(Orderable.Meta):
        verbose_name = _("关键数字")


class CasePolicyDocument(Orderable):
    """A policy document the case cites, by its number (文号) and title."""

    # Rows reference nothing; left to Wagtail, saving a page would queue one reference-index task per row,
    # each re-indexing the whole page (quadratic for a 2,000-row list).
    wagtail_reference_index_ignore = True

    page = ParentalKey(CaseStudyPage, on_delete=models.CASCADE, related_name="policy_documents")
    number = models.CharField(_("文号"), max_length=80, blank=True)
    title = models.CharField(_("文件名称"), max_length=200)

    panels = [FieldPanel("number"), FieldPanel("title")]
    api_fields = writable("number", "title")

    class Meta(Orderable.Meta):
        verbose_name = _("相关政策文件")


class CaseCollectionIndexPage(SectionIndexPage):
    """The list of case collections (案例合集); its children are the collections."""

    subpage_types = ["cases.CaseCollectionPage"]

    class Meta:
        verbose_name = _("案例合集栏目")
        verbose_name_plural = _("案例合集栏目")


class CaseCollectionPage(SiteItemPage):
    """An ordered set of cases with a note on each, curated by an editor for a class or a theme."""

    intro = models.TextField(
        _("合集说明"), max_length=3000, help_text=_("这个合集讲什么、适合哪类培训、建议怎么用，三五句即可")
    )
    audience = models.CharField(
        _("适用对象"), max_length=200, blank=True, help_text=_("例如 社区党组织书记培训班、街道干部轮训")
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("audience"),
        InlinePanel("entries", label=_("案例"), heading=_("合集中的案例（按顺序）"), min_num=1),
    ]
    api_fields = writable("intro", "audience", "entries")
    parent_page_types = ["cases.CaseCollectionIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("案例合集")
        verbose_name_plural = _("案例合集")


class CaseCollectionEntry(Orderable):
    """One case in a collection, with the curator's note (why it is here, what to discuss)."""

    page = ParentalKey(CaseCollectionPage, on_delete=models.CASCADE, related_name="entries")
    case = models.ForeignKey(
        CaseStudyPage, verbose_name=_("案例"), on_delete=models.CASCADE, related_name="in_collections"
    )
    note = models.TextField(
        _("教学提示"), blank=True, max_length=2000, help_text=_("为什么选这个案例、课堂上可以讨论什么问题")
    )

    panels = [FieldPanel("case"), FieldPanel("note")]
    api_fields = writable("case", "note")

    class Meta(Orderable.Meta):
        verbose_name = _("合集中的案例")
