"""两标三牌 notices: which signs and plaques a community keeps outside, and what came down."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.core.api import read_only, writable
from cms.core.blocks import BaseStreamBlock
from cms.core.models import AnnexBase, DisclosureFields, DisplayPeriodFields, SectionIndexPage, SiteItemPage
from cms.core.validation import GatedModelMixin

from .choices import Phase, Round, SignKind


class SignStandard(GatedModelMixin, models.Model):
    """The retained set a jurisdiction prescribes; a region without its own set inherits its parent's."""

    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("适用地区"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sign_standards",
        help_text=_("留空表示全国默认"),
    )
    kind = models.CharField(_("类别"), max_length=10, choices=SignKind.choices)
    text = models.CharField(_("标牌内容"), max_length=200, help_text=_("例如 ××社区居民委员会"))
    position = models.CharField(_("悬挂位置"), max_length=100, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    panels = [
        FieldPanel("region"),
        FieldPanel("kind"),
        FieldPanel("text"),
        FieldPanel("position"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        verbose_name = _("标牌标准")
        verbose_name_plural = _("标牌标准")
        ordering = ["region_id", "sort_order", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.text}"

    @classmethod
    def for_region(cls, region):
        """The set prescribed for a region: its own, else its nearest ancestor's, else the default."""
        for node in reversed(region.ancestry() if region else []):
            standards = list(cls.objects.filter(region=node))
            if standards:
                return standards
        return list(cls.objects.filter(region__isnull=True))


class SignageNoticeIndexPage(SectionIndexPage):
    """The list of all 两标三牌 notices."""

    subpage_types = ["signage.SignageNoticePage"]

    class Meta:
        verbose_name = _("两标三牌栏目")
        verbose_name_plural = _("两标三牌栏目")


class SignageNoticePage(DisclosureFields, DisplayPeriodFields, SiteItemPage):
    """A community's public notice of its sign clean-up: counts, the signs kept, photos."""

    place_field = "community"

    Round = Round

    community = models.ForeignKey(
        "core.Region", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="signage_notices"
    )
    notice_date = models.DateField(_("公示日期"))
    round = models.CharField(_("轮次"), max_length=20, choices=Round.choices, default=Round.FIRST)
    count_before = models.PositiveIntegerField(_("清理前挂牌数"), null=True, blank=True)
    count_removed = models.PositiveIntegerField(_("清理数"), null=True, blank=True)
    count_after = models.PositiveIntegerField(_("现挂牌数"), null=True, blank=True)
    responsible_body = models.CharField(_("责任单位"), max_length=200, blank=True)
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("正文"))

    content_panels = Page.content_panels + [
        FieldPanel("community"),
        FieldRowPanel([FieldPanel("notice_date"), FieldPanel("round")]),
        FieldRowPanel([FieldPanel("count_before"), FieldPanel("count_removed"), FieldPanel("count_after")]),
        FieldPanel("responsible_body"),
        InlinePanel("retained_signs", label=_("保留的标牌"), heading=_("保留的标牌（新建时按标准预填）")),
        InlinePanel("photos", label=_("照片"), heading=_("照片")),
        FieldPanel("body"),
        InlinePanel("annexes", label=_("附件"), heading=_("附件（PDF、XLSX、DOCX）")),
        *DisclosureFields.disclosure_panels,
        *DisplayPeriodFields.period_panels,
    ]
    search_fields = Page.search_fields + [
        index.SearchField("body"),
        index.FilterField("community"),
    ]
    api_fields = writable(
        "community",
        "notice_date",
        "round",
        "count_before",
        "count_removed",
        "count_after",
        "responsible_body",
        "retained_signs",
        "body",
        *DisclosureFields.editable_disclosure(),
        "display_start",
        "display_end",
        "annexes",
    ) + read_only(*DisclosureFields.RECORDED)
    parent_page_types = ["signage.SignageNoticeIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("两标三牌公示")
        verbose_name_plural = _("两标三牌公示")

    def clean(self):
        super().clean()
        counts = (self.count_before, self.count_removed, self.count_after)
        if None not in counts and self.count_before - self.count_removed != self.count_after:
            raise ValidationError(
                _("清理前挂牌数减去清理数应等于现挂牌数（%(b)s − %(r)s ≠ %(a)s）。")
                % {"b": self.count_before, "r": self.count_removed, "a": self.count_after}
            )

    def publishing_problems(self):
        """A photo's 图片说明 is its alternative text on the site (with its phase): publishing waits for it."""
        problems = super().publishing_problems()
        for n, photo in enumerate(self.photos.all(), start=1):
            if photo.image_id and not (photo.caption or "").strip():
                problems.append(
                    ("photos", f"第 {n} 张照片缺少“图片说明”：读屏软件把它当作替代文字朗读，请填写后再发布")
                )
        return problems

    def save(self, *args, **kwargs):
        if self.pk is None and not self.retained_signs.all() and self.community_id:
            self.retained_signs = [
                RetainedSign(kind=s.kind, text=s.text, position=s.position, sort_order=i)
                for i, s in enumerate(SignStandard.for_region(self.community))
            ]
        return super().save(*args, **kwargs)


class RetainedSign(Orderable):
    """A sign or plaque the community keeps outside."""

    # Rows reference nothing; left to Wagtail, saving a page would queue one reference-index task per row,
    # each re-indexing the whole page (quadratic for a 2,000-row list).
    wagtail_reference_index_ignore = True

    page = ParentalKey(SignageNoticePage, on_delete=models.CASCADE, related_name="retained_signs")
    kind = models.CharField(_("类别"), max_length=10, choices=SignKind.choices)
    text = models.CharField(_("标牌内容"), max_length=200)
    position = models.CharField(_("悬挂位置"), max_length=100, blank=True)

    panels = [FieldRowPanel([FieldPanel("kind"), FieldPanel("position")]), FieldPanel("text")]
    api_fields = writable("kind", "text", "position")

    class Meta(Orderable.Meta):
        verbose_name = _("保留的标牌")


class NoticePhoto(Orderable):
    """A before or after photo of the community's entrance."""

    Phase = Phase

    page = ParentalKey(SignageNoticePage, on_delete=models.CASCADE, related_name="photos")
    image = models.ForeignKey("wagtailimages.Image", verbose_name=_("图片"), on_delete=models.PROTECT, related_name="+")
    phase = models.CharField(_("时段"), max_length=10, choices=Phase.choices)
    caption = models.CharField(_("图片说明"), max_length=300, blank=True)

    panels = [FieldPanel("image"), FieldRowPanel([FieldPanel("phase"), FieldPanel("caption")])]

    class Meta(Orderable.Meta):
        verbose_name = _("照片")


class NoticeAnnex(AnnexBase):
    page = ParentalKey(SignageNoticePage, on_delete=models.CASCADE, related_name="annexes")
    api_fields = writable("document", "title")
