"""备忘 (memo): a throwaway content kind — a page in a place with a short text — for the registry proof."""

from django.db import models

from wagtail.models import Page

from cms.core.models import SectionIndexPage, SiteItemPage


class MemoIndexPage(SectionIndexPage):
    """The section of memos."""

    subpage_types = ["throwaway.MemoPage"]


class MemoPage(SiteItemPage):
    """A memo: where it applies and what it says."""

    region = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    note = models.TextField(max_length=500)

    content_panels = Page.content_panels + []
    parent_page_types = ["throwaway.MemoIndexPage"]
    subpage_types = []
