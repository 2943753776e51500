"""Community lists (三张清单 and relatives): versioned documents whose items are rows."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.core.api import read_only, writable
from cms.core.blocks import BasisBlock
from cms.core.forms import SitePageForm
from cms.core.models import AnnexBase, DisclosureFields, DisplayPeriodFields, SectionIndexPage, SiteItemPage

from .choices import Alternative, ListKind, Scope


class DutyListIndexPage(SectionIndexPage):
    """The list of all published community lists."""

    subpage_types = ["lists.DutyListPage"]

    class Meta:
        verbose_name = _("清单栏目")
        verbose_name_plural = _("清单栏目")


def item_errors(list_kind, items):
    """Rules a list's rows must meet together; items are dicts or ListItem objects."""
    errors, seen = [], set()
    for item in items:
        get = item.get if isinstance(item, dict) else lambda key, obj=item: getattr(obj, key)
        number, name = get("number"), get("name")
        if number in seen:
            errors.append(_("序号 %(n)s 重复，请检查事项列表。") % {"n": number})
        seen.add(number)
        if list_kind == ListKind.CERTIFICATES_CANCELLED and not (get("alternative") or "").strip():
            errors.append(_("不再出具的证明“%(name)s”缺少“替代办理方式”：请写明居民现在去哪里办。") % {"name": name})
    return errors


class DutyListPageForm(SitePageForm):
    """Checks the rows of the list together (duplicate numbers, missing alternatives) before saving."""

    def clean(self):
        cleaned = super().clean()
        formset = self.formsets.get("items")
        if formset is not None and all(form.is_valid() for form in formset.forms):
            rows = [
                form.cleaned_data for form in formset.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")
            ]
            for error in item_errors(cleaned.get("list_kind"), rows):
                self.add_error(None, error)
        return cleaned


class DutyListPage(DisclosureFields, DisplayPeriodFields, SiteItemPage):
    """One version of one list for one jurisdiction, e.g. 某区社区不再出具证明事项清单（2024版）."""

    Scope = Scope

    region = models.ForeignKey(
        "core.Region", verbose_name=_("适用地区"), on_delete=models.PROTECT, related_name="duty_lists"
    )
    list_kind = models.CharField(_("清单类别"), max_length=40, choices=ListKind.choices)
    scope = models.CharField(_("适用范围"), max_length=10, choices=Scope.choices, default=Scope.ALL)
    version_label = models.CharField(_("版本"), max_length=50, blank=True, help_text=_("例如 2023版、第二批、试行"))
    issuing_bodies = models.TextField(
        _("印发单位"), blank=True, max_length=2000, help_text=_("每行一个单位，联合印发时按原文顺序填写")
    )
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("替代的旧版清单"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="superseded_by",
    )
    intro = models.TextField(_("说明"), blank=True, max_length=5000)

    base_form_class = DutyListPageForm
    api_fields = writable(
        "list_kind",
        "scope",
        "region",
        "version_label",
        "supersedes",
        "issuing_bodies",
        "intro",
        *DisclosureFields.editable_disclosure(),
        "display_start",
        "display_end",
        "items",
        "annexes",
    ) + read_only(*DisclosureFields.RECORDED)
    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("list_kind"), FieldPanel("scope")]),
        FieldPanel("region"),
        FieldRowPanel([FieldPanel("version_label"), FieldPanel("supersedes")]),
        FieldPanel("issuing_bodies"),
        FieldPanel("intro"),
        *DisclosureFields.disclosure_panels,
        *DisplayPeriodFields.period_panels,
        InlinePanel("items", label=_("事项"), heading=_("事项")),
        InlinePanel("annexes", label=_("附件"), heading=_("附件（PDF、XLSX、DOCX）")),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.RelatedFields("items", [index.SearchField("name"), index.SearchField("content")]),
        index.FilterField("list_kind"),
        index.FilterField("region"),
    ]
    parent_page_types = ["lists.DutyListIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("清单")
        verbose_name_plural = _("清单")

    @property
    def issuing_body_list(self):
        return [line.strip() for line in self.issuing_bodies.splitlines() if line.strip()]

    def clean(self):
        super().clean()
        if self.supersedes_id and self.supersedes_id == self.pk:
            raise ValidationError({"supersedes": _("清单不能替代它自己。")})


class ListItem(Orderable):
    """One row of a list: a duty or a certificate, with its basis and who is responsible."""

    # Rows reference nothing; left to Wagtail, saving a page would queue one reference-index task per row,
    # each re-indexing the whole page (quadratic for a 2,000-row list).
    wagtail_reference_index_ignore = True

    Alternative = Alternative

    page = ParentalKey(DutyListPage, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveIntegerField(_("序号"))
    category = models.CharField(_("大类"), max_length=100, blank=True)
    name = models.CharField(_("事项名称"), max_length=200)
    content = models.TextField(
        _("事项内容"), blank=True, max_length=2000, help_text=_("协助履职清单填写社区的协助内容")
    )
    basis = StreamField([("basis", BasisBlock())], blank=True, verbose_name=_("依据"))
    department = models.CharField(_("责任部门"), max_length=200, blank=True)
    resourcing = models.CharField(_("保障方式"), max_length=200, blank=True, help_text=_("例如 费随事转、权随责走"))
    purpose = models.CharField(_("证明用途"), max_length=300, blank=True)
    issuer = models.CharField(_("出具单位"), max_length=200, blank=True)
    procedure = models.TextField(_("办理流程"), blank=True, max_length=2000)
    alternative_kind = models.CharField(
        _("替代方式"), max_length=20, choices=Alternative.choices, blank=True, default=""
    )
    alternative = models.TextField(
        _("替代办理方式"), blank=True, max_length=2000, help_text=_("不再出具的证明：居民现在去哪里、怎么办")
    )

    panels = [
        FieldRowPanel([FieldPanel("number"), FieldPanel("category")]),
        FieldPanel("name"),
        FieldPanel("content"),
        FieldPanel("basis"),
        FieldRowPanel([FieldPanel("department"), FieldPanel("resourcing")]),
        MultiFieldPanel(
            [
                FieldPanel("purpose"),
                FieldPanel("issuer"),
                FieldPanel("procedure"),
                FieldPanel("alternative_kind"),
                FieldPanel("alternative"),
            ],
            heading=_("证明事项"),
        ),
    ]

    # The plain-text columns of a row (number and basis are typed), as the loader fills them.
    TEXT_FIELDS = (
        "category",
        "name",
        "content",
        "department",
        "resourcing",
        "purpose",
        "issuer",
        "procedure",
        "alternative_kind",
        "alternative",
    )
    api_fields = writable("number", "basis", *TEXT_FIELDS)

    class Meta(Orderable.Meta):
        verbose_name = _("事项")
        verbose_name_plural = _("事项")

    def __str__(self):
        return f"{self.number}. {self.name}"


class ListAnnex(AnnexBase):
    page = ParentalKey(DutyListPage, on_delete=models.CASCADE, related_name="annexes")
    api_fields = writable("document", "title")
