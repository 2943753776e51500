"""Case study pages: where they live in the tree and what they accept."""

import pytest

from django.core.exceptions import ValidationError

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from cms.cases.models import CaseStudyIndexPage, CaseStudyPage
from cms.core.models import HomePage, Region


class CaseStudyTreeTests(WagtailPageTestCase):
    """Cases sit under the one case index, which sits under the home page."""

    def test_tree_rules(self):
        self.assertAllowedParentPageTypes(CaseStudyPage, {CaseStudyIndexPage})
        self.assertAllowedSubpageTypes(CaseStudyPage, set())
        self.assertAllowedParentPageTypes(CaseStudyIndexPage, {HomePage})
        self.assertCanNotCreateAt(Page, CaseStudyPage)

    def test_seeded_case_keeps_region_and_practices(self):
        page = CaseStudyPage.objects.get(slug="hefei-red-property")
        assert page.region.name == "合肥市"
        assert [p.name for p in page.practices.all()][0] == "红色物业"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/x", "example.org"])
def test_source_url_must_be_http(url):
    page = CaseStudyPage(
        title="t", slug="t", region=Region.objects.get(slug="hefei"), summary="s", source_publisher="p", source_url=url
    )
    with pytest.raises(ValidationError) as exc:
        page.full_clean(exclude=["path", "depth", "content_type", "translation_key", "locale"])
    assert "原文链接必须以 http:// 或 https:// 开头" in str(exc.value)
