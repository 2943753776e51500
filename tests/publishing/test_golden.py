"""Golden files: a small factory-made site renders, to the byte, as tests/golden/ holds it.

Markdown, the site config, feeds, static JSON and the search index are compared file by file; no MkDocs
build is needed for that. After an intended change, rewrite the golden files and review the diff:

    JICENG_UPDATE_GOLDEN=1 .venv/bin/pytest tests/publishing/test_golden.py
"""

import datetime
import json
import os
import shutil
from pathlib import Path

import pytest

from wagtail.models import Page

from cms.cases.factories import (
    CaseCollectionEntryFactory,
    CaseCollectionIndexPageFactory,
    CaseCollectionPageFactory,
    CaseKeyFigureFactory,
    CasePracticeFactory,
    CaseStudyIndexPageFactory,
    CaseStudyPageFactory,
)
from cms.core.factories import HomePageFactory, RegionFactory
from cms.core.models import Region
from cms.lists.factories import DutyListIndexPageFactory, DutyListPageFactory, ListItemFactory
from cms.publishing.cache import BuildCache
from cms.publishing.export import export_snapshot
from cms.publishing.render import render_site, site_context
from cms.publishing.search import search_records
from cms.publishing.search_index import index_search
from cms.publishing.static_json import write_static_json
from cms.signage.factories import RetainedSignFactory, SignageNoticeIndexPageFactory, SignageNoticePageFactory

from ..support.search_reference import Index

pytestmark = pytest.mark.django_db
GOLDEN = Path(__file__).resolve().parent.parent / "golden"
SITE_URL = "https://jiceng.example/"
QUERIES = ["红色物业", "物业", "居住证明", "死亡证明", "证明", "网格", "示范社区", "回头看", "党支部", "培训"]


def empty_cms():
    Page.objects.filter(depth__gt=1).delete()
    for level in sorted(Region.Level.values, reverse=True):  # leaves first: parents are protected
        Region.objects.filter(level=level).delete()


def small_site():
    """Five places, two cases, two lists (one replacing the other), a notice and a collection."""
    empty_cms()
    home = HomePageFactory(intro="测试用的小网站。")
    province = RegionFactory(name="示范省", slug="demo", level=Region.Level.PROVINCE)
    city = RegionFactory(name="示范市", slug="demo-city", level=Region.Level.CITY, parent=province)
    district = RegionFactory(name="示范区", slug="demo-district", level=Region.Level.COUNTY, parent=city)
    street = RegionFactory(name="示范街道", slug="demo-street", level=Region.Level.TOWNSHIP, parent=district)
    community = RegionFactory(name="示范社区", slug="demo-community", level=Region.Level.COMMUNITY, parent=street)
    cases = CaseStudyIndexPageFactory(parent=home, intro="各地的做法。")
    red = CaseStudyPageFactory(
        parent=cases,
        slug="demo-red-property",
        title="示范区：红色物业进小区",
        region=district,
        summary="示范区推行红色物业，小区党支部与物业企业联建，居民点单、社区派单。",
        source_edition="第2版",
        source_byline="记者 某某",
        source_url="https://example.org/news/1",
        practices=[CasePracticeFactory.build(name="红色物业", description="党建引领物业服务。")],
        key_figures=[CaseKeyFigureFactory.build(label="小区党支部", value=12, unit="个", before=3)],
        body=[
            ("heading", "做法"),
            ("paragraph", "<p>把党支部建在小区。</p><p>网格员每周走访。</p>"),
            ("quote", {"text": "居民说好。", "attribution": "一位居民"}),
        ],
    )
    red.communities.set([community])
    red.themes.set(["物业", "网格"])
    red.save()
    grid = CaseStudyPageFactory(
        parent=cases,
        slug="demo-grid",
        title="示范街道：网格里的议事会",
        region=street,
        source_date=datetime.date(2024, 6, 1),
        practices=[CasePracticeFactory.build(name="群众点单")],
    )
    grid.themes.set(["网格", "议事"])
    grid.save()
    lists = DutyListIndexPageFactory(parent=home)
    old = DutyListPageFactory(
        parent=lists,
        slug="demo-certificates-2022",
        title="示范区不再出具证明事项清单（2022版）",
        region=district,
        list_kind="certificates_cancelled",
        date_published=datetime.date(2022, 3, 1),
        items=[
            ListItemFactory.build(number=1, name="居住证明", alternative_kind="other_body", alternative="到派出所开具")
        ],
    )
    DutyListPageFactory(
        parent=lists,
        slug="demo-certificates-2024",
        title="示范区不再出具证明事项清单（2024版）",
        region=district,
        list_kind="certificates_cancelled",
        supersedes=old,
        issuing_bodies="示范区民政局\n示范区委社会工作部",
        items=[
            ListItemFactory.build(
                number=1,
                category="户籍",
                name="居住证明",
                alternative_kind="other_body",
                alternative="由派出所出具居住证明",
            ),
            ListItemFactory.build(
                number=2, category="户籍", name="死亡证明", alternative_kind="other_body", alternative="由医疗机构出具"
            ),
        ],
    )
    notices = SignageNoticeIndexPageFactory(parent=home)
    SignageNoticePageFactory(
        parent=notices,
        slug="demo-signage",
        title="示范社区两标三牌公示",
        community=community,
        round="follow_up",
        count_before=9,
        count_removed=6,
        count_after=3,
        retained_signs=[RetainedSignFactory.build(kind="emblem", text="中国社区", position="正门")],
    )
    sets = CaseCollectionIndexPageFactory(parent=home)
    CaseCollectionPageFactory(
        parent=sets,
        slug="demo-training",
        title="社区书记培训合集",
        audience="社区党组织书记",
        entries=[
            CaseCollectionEntryFactory.build(case=red, note="先读这一篇。"),
            CaseCollectionEntryFactory.build(case=grid),
        ],
    )


def tree(folder):
    folder = Path(folder)
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".cache" not in p.relative_to(folder).parts
    }


def compare(actual, name):
    """Compare a folder with tests/golden/<name> byte for byte (or rewrite it, in update mode)."""
    golden = GOLDEN / name
    if os.environ.get("JICENG_UPDATE_GOLDEN"):
        shutil.rmtree(golden, ignore_errors=True)
        shutil.copytree(actual, golden, ignore=shutil.ignore_patterns(".cache"))
    expected, found = tree(golden), tree(actual)
    assert sorted(found) == sorted(expected)
    assert [rel for rel in expected if expected[rel] != found[rel]] == []


@pytest.fixture
def built(tmp_path):
    """The small site rendered (no MkDocs needed): site_src with its static JSON, and its search index."""
    small_site()
    snap = export_snapshot()
    cache = BuildCache()
    site = site_context(snap, SITE_URL, cache, tmp_path / "site_src")
    render_site(site, tmp_path / "site_src", cache)
    write_static_json(snap, tmp_path / "site_src", cache)
    (tmp_path / "site").mkdir()
    index_search(tmp_path / "site", search_records(site, snap, cache), {}, full=True)
    return tmp_path


def test_the_small_site_renders_as_the_golden_markdown_and_json(built):
    compare(built / "site_src", "site_src")


def test_the_small_site_is_indexed_as_the_golden_search_index(built):
    compare(built / "site" / "search-index", "search-index")
    index = Index(built / "site" / "search-index")
    answers = {query: [list(hit) for hit in index.search(query)] for query in QUERIES}
    path = GOLDEN / "search-expected.json"
    if os.environ.get("JICENG_UPDATE_GOLDEN"):
        path.write_text(json.dumps(answers, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert answers == json.loads(path.read_text(encoding="utf-8"))
    # The answers mean something: the title counts, a list's rows are found, a replaced list is still there.
    assert answers["红色物业"][0][0] == "/cases/demo-red-property/"
    assert {url for url, _score in answers["死亡证明"]} == {"/lists/demo-certificates-2024/"}
    assert "/lists/demo-certificates-2022/" in {url for url, _score in answers["居住证明"]}
