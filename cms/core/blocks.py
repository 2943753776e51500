"""StreamField blocks shared by every content kind."""

from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

# What a paragraph may hold: bold, italic, links to pages, documents and outside addresses, and lists. Text
# pasted from WPS or Word keeps these and loses the rest (Draftail keeps only enabled features).
RICH_TEXT_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul"]


class FigureBlock(blocks.StructBlock):
    """A photo with its caption; the photo may be missing when only the caption survived."""

    image = ImageChooserBlock(required=False, label=_("图片"))
    alt = blocks.CharBlock(
        required=False,
        max_length=250,
        label=_("替代文字"),
        help_text=_("向看不见图片的读者说明图片里有什么，例如：社区干部在小区门口为居民登记；有图片时发布前必须填写"),
    )
    caption = blocks.CharBlock(required=False, max_length=300, label=_("图片说明"))
    credit = blocks.CharBlock(
        required=False, max_length=100, label=_("供图/摄影"), help_text=_("例如：合肥市委组织部供图")
    )

    class Meta:
        icon = "image"
        label = _("图片")


class QuoteBlock(blocks.StructBlock):
    """A quotation from a person named in the report."""

    text = blocks.TextBlock(max_length=2000, label=_("引文"))
    attribution = blocks.CharBlock(required=False, max_length=100, label=_("出处/说话人"))

    class Meta:
        icon = "openquote"
        label = _("引用")


class BaseStreamBlock(blocks.StreamBlock):
    """Body of a page: headings, paragraphs (rich text), photos and quotes."""

    heading = blocks.CharBlock(max_length=120, label=_("小标题"), icon="title")
    # Rich text with a small allowlist (cms/publishing/richtext.py reads and writes nothing else).
    paragraph = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES,
        max_length=5000,
        label=_("段落"),
        icon="pilcrow",
    )
    figure = FigureBlock()
    quote = QuoteBlock()

    class Meta:
        max_num = 300


class BasisBlock(blocks.StructBlock):
    """One legal or policy basis of a list item: the text and the version it cites."""

    text = blocks.CharBlock(max_length=500, label=_("依据"))
    version = blocks.CharBlock(
        required=False, max_length=100, label=_("版本"), help_text=_("例如：2018年修正、2025年修订")
    )

    class Meta:
        icon = "doc-full"
        label = _("依据")
