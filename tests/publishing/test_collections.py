"""Collections (案例合集): an editor-curated, ordered set of cases with notes, published as its own page."""

import shutil

import pytest

from django.contrib.auth import get_user_model
from django.urls import reverse

from wagtail.test.utils.form_data import inline_formset, nested_form_data

from cms.cases.models import CaseCollectionIndexPage, CaseCollectionPage, CaseStudyPage
from cms.publishing.build import build_site
from cms.publishing.export import export_snapshot
from cms.publishing.loader import Loader
from cms.publishing.portable import ContentError

from ..conftest import CONTENT, article, read_page, search_records

pytestmark = pytest.mark.django_db

SLUG = "red-property-and-burden-reduction"
ORDER = ["hefei-red-property", "xinpu-red-property", "yingze-jinsong-community", "shangdang-burden-reduction"]


def test_a_collection_page_lists_its_cases_in_order_with_notes(seeded_site):
    html = article(read_page(seeded_site, f"collections/{SLUG}"))
    positions = [html.index(f'href="../../cases/{slug}/"') for slug in ORDER]
    assert positions == sorted(positions)
    assert html.count('class="admonition tip"') == 4 and "教学提示" in html
    assert "“红色物业”" in html  # each case shows its practices…
    assert "中国城市报" in html  # …and its source
    assert "社区党组织书记" in html  # who it is for
    assert "jc-qr" in html  # printable, with the QR code back to the page
    index = article(read_page(seeded_site, "collections"))
    assert f'href="{SLUG}/"' in index and "4 篇案例" in index
    assert 'href="collections/"' in read_page(seeded_site, "")  # in the navigation and on the home page
    record = next(r for r in search_records(seeded_site) if r["url"] == f"/collections/{SLUG}/")
    assert record["kind"] == "collection"


def test_an_unpublished_case_leaves_the_collection_but_not_the_cms(site_dirs):
    CaseStudyPage.objects.get(slug="xinpu-red-property").unpublish()
    snap = export_snapshot()
    (collection,) = snap.entries["collections"]
    assert [e["case"] for e in collection["meta"]["entries"]] == [s for s in ORDER if s != "xinpu-red-property"]
    assert CaseCollectionPage.objects.get(slug=SLUG).entries.count() == 4
    build_site()
    html = read_page(site_dirs[1], f"collections/{SLUG}")
    assert "xinpu-red-property" not in html and "新蒲" not in html


def test_an_editor_builds_a_collection_in_the_admin(client, site_dirs):
    client.force_login(get_user_model().objects.create_superuser("trainer", "t@example.invalid", "pw"))
    parent = CaseCollectionIndexPage.objects.get()
    cases = [CaseStudyPage.objects.get(slug=s) for s in ("ziyun-three-orders", "guanling-four-forces")]
    data = nested_form_data(
        {
            "title": "贵州案例两篇",
            "slug": "guizhou-two",
            "intro": "对照阅读两篇贵州的案例。",
            "audience": "街道干部",
            "entries": inline_formset([{"case": str(c.pk), "note": f"提示{n}"} for n, c in enumerate(cases)]),
            "action-publish": "publish",
        }
    )
    url = reverse("wagtailadmin_pages:add", args=("cases", "casecollectionpage", parent.pk))
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = CaseCollectionPage.objects.get(slug="guizhou-two")
    assert page.live and [e.case.slug for e in page.entries.all()] == ["ziyun-three-orders", "guanling-four-forces"]
    build_site()
    html = read_page(site_dirs[1], "collections/guizhou-two")
    assert html.index("ziyun-three-orders") < html.index("guanling-four-forces") and "提示1" in html


def test_a_collection_preview_renders_like_the_site(site_dirs):
    build_site()
    page = CaseCollectionPage.objects.get(slug=SLUG)
    page.title = "预览中的合集标题"
    html = page.make_preview_request().content.decode()
    assert "预览中的合集标题" in html and "教学提示" in html and "hefei-red-property" in html


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("case: hefei-red-property\n", "case: no-such-case\n", "entries 第1条引用的案例“no-such-case”不存在"),
        ("entries:\n", "old_entries:\n", "合集至少要包含一个案例"),
    ],
)
def test_bad_collection_file_is_refused_in_chinese(tmp_path, old, new, message):
    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    path = folder / "collections" / f"{SLUG}.md"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    CaseCollectionPage.objects.all().delete()
    with pytest.raises(ContentError) as caught:
        Loader(folder).run()
    assert f"{SLUG}.md" in str(caught.value) and message in str(caught.value)
    assert not CaseCollectionPage.objects.exists()
