"""The admin fits the work: per-kind listings filterable by region (with sub-regions), status, kind and date,
a region chooser that searches the hierarchy, and a Chinese admin by default."""

import pytest

from django.contrib.auth import get_user_model
from django.urls import reverse

from cms.cases.models import CaseStudyPage
from cms.core.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser("lister", "l@example.invalid", "pw"))
    return client


def listed(client, name, **params):
    """The slugs of the pages the listing shows (each row links to the page's edit view)."""
    from wagtail.models import Page

    response = client.get(reverse(f"{name}:index"), params)
    assert response.status_code == 200
    html = response.content.decode()
    return {p.slug for p in Page.objects.all() if reverse("wagtailadmin_pages:edit", args=[p.pk]) in html}


def test_cases_filter_by_region_including_sub_regions(admin_client):
    shanxi = Region.objects.get(name="山西省")
    slugs = listed(admin_client, "case_listing", place=shanxi.pk)
    assert slugs == {"shangdang-burden-reduction", "yingze-jinsong-community"}  # in cities below the province


def test_status_filter_finds_drafts_and_pending_changes(admin_client):
    page = CaseStudyPage.objects.get(slug="hefei-red-property")
    page.title = "合肥的草稿修改"
    page.save_revision()
    assert listed(admin_client, "case_listing", status="changed") == {"hefei-red-property"}
    live = listed(admin_client, "case_listing", status="live")
    assert "hefei-red-property" not in live and "shangdang-burden-reduction" in live


def test_lists_filter_by_kind_and_notices_by_community(admin_client):
    slugs = listed(admin_client, "list_listing", list_kind="certificates_cancelled")
    assert slugs == {"sample-certificates-cancelled-2024", "sample-certificates-cancelled-2022"}
    district = Region.objects.get(slug="sample-district")
    assert listed(admin_client, "notice_listing", place=district.pk) == {"sample-community-signage-2024"}
    assert listed(admin_client, "notice_listing", place=Region.objects.get(slug="hefei").pk) == set()


def test_the_admin_speaks_chinese_by_default(admin_client):
    html = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    assert 'lang="zh-hans"' in html or 'lang="zh-Hans"' in html
    for name in ("case_listing", "list_listing", "notice_listing"):  # the per-kind listings are in the menu
        assert reverse(f"{name}:index") in html


def test_region_chooser_searches_the_hierarchy(admin_client):
    url = reverse("wagtailsnippetchoosers_core_region:choose_results")
    html = admin_client.get(url, {"q": "长治"}).content.decode()
    assert "上党区" in html  # found through its city's name
    assert "合肥" not in html
