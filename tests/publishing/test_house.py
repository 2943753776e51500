"""One build cache, keyed by content: a warm incremental build and a cold full build of the same content give
the same site. And what editors set for the site as a whole (section titles, name, footer) reaches it."""

import datetime
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from django.test import override_settings

from wagtail.models import Site

from cms.cases.models import CaseStudyIndexPage, CaseStudyPage
from cms.core.kinds import kind, kinds
from cms.core.models import Region, SiteSettings
from cms.lists.models import DutyListPage
from cms.publishing.build import build_site
from cms.publishing.cache import BuildCache

from ..conftest import make_case, read_page, search_records

pytestmark = pytest.mark.django_db


def tree(folder, skip=()):
    folder = Path(folder).resolve()
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not set(p.relative_to(folder).parts) & {".cache", *skip}
    }


def test_a_warm_incremental_build_and_a_cold_full_build_give_identical_trees(site_dirs, settings, tmp_path):
    warm = BuildCache()
    build_site(cache=warm)
    case = CaseStudyPage.objects.get(slug="hefei-red-property")
    case.title = "合肥市：缓存里改过的标题"
    case.save_revision().publish()
    build_site(cache=warm)
    DutyListPage.objects.get(slug="sample-certificates-cancelled-2022").unpublish()
    make_case("warm-new", "缓存之后新建的案例", region="laiwu")
    region = Region.objects.get(slug="hefei")
    region.name = "合肥市（改名）"
    region.save()
    result = build_site(cache=warm)
    assert not result.full
    warm_src, warm_site = tree(settings.SITE_SOURCE_DIR), tree(settings.SITE_OUTPUT_DIR, {"search-index"})
    warm_records = {r["url"]: r for r in search_records(settings.SITE_OUTPUT_DIR)}

    settings.SITE_SOURCE_DIR, settings.SITE_OUTPUT_DIR = tmp_path / "cold_src", tmp_path / "cold_site"
    assert build_site(cache=BuildCache(), force_full=True).full
    cold_src, cold_site = tree(settings.SITE_SOURCE_DIR), tree(settings.SITE_OUTPUT_DIR, {"search-index"})
    assert sorted(warm_src) == sorted(cold_src)
    assert [name for name in cold_src if cold_src[name] != warm_src[name]] == []
    assert sorted(warm_site) == sorted(cold_site)
    assert [name for name in cold_site if cold_site[name] != warm_site[name]] == []
    # The index itself differs by design (a base and a delta, or one base): what it finds does not.
    assert {r["url"]: r for r in search_records(settings.SITE_OUTPUT_DIR)} == warm_records


def assert_as_cold(settings, cold_dir):
    """The trees the warm incremental build left are those a cold full build of the same content makes."""
    warm_src, warm_site = tree(settings.SITE_SOURCE_DIR), tree(settings.SITE_OUTPUT_DIR, {"search-index"})
    warm_records = {r["url"]: r for r in search_records(settings.SITE_OUTPUT_DIR)}
    with override_settings(SITE_SOURCE_DIR=cold_dir / "src", SITE_OUTPUT_DIR=cold_dir / "site"):
        assert build_site(cache=BuildCache(), force_full=True).full
        cold_src, cold_site = tree(cold_dir / "src"), tree(cold_dir / "site", {"search-index"})
    assert {r["url"]: r for r in search_records(cold_dir / "site")} == warm_records
    assert sorted(warm_src) == sorted(cold_src)
    assert [name for name in cold_src if cold_src[name] != warm_src[name]] == []
    assert sorted(warm_site) == sorted(cold_site)
    assert [name for name in cold_site if cold_site[name] != warm_site[name]] == []


@pytest.mark.parametrize("region_limit", [None, 2], ids=["regions listed whole", "regions showing their newest"])
def test_edits_of_every_sort_leave_what_a_cold_build_makes(site_dirs, settings, tmp_path, region_limit, monkeypatch):
    """Each build passes over what did not change: whatever an edit touches elsewhere — the themes a case
    leaves, the regions it moves between, the list a list replaced, an old address — is still worked out
    (also where regions hold more items than their pages list: a province's)."""
    if region_limit:
        from cms.publishing import render

        monkeypatch.setattr(render, "REGION_FULL_LIST", region_limit)
        monkeypatch.setattr(render, "REGION_LATEST", 1)
    warm = BuildCache()
    build_site(cache=warm)
    case = CaseStudyPage.objects.get(slug="hefei-red-property")
    case.themes.set(["只在这里的主题"])
    case.region = Region.objects.get(slug="laiwu")
    linked = CaseStudyPage.objects.get(slug="guanling-four-forces")  # renamed below: this page's link follows
    case.body = [("paragraph", f'<p>参见<a linktype="page" id="{linked.pk}">关岭县的做法</a>。</p>')]
    case.save_revision().publish()
    assert not build_site(cache=warm).full
    assert_as_cold(settings, tmp_path / "moved")
    old = DutyListPage.objects.get(slug="sample-certificates-cancelled-2022")
    old.title = "旧清单改过的标题"  # the list that replaced it names it
    old.save_revision().publish()
    build_site(cache=warm)
    assert_as_cold(settings, tmp_path / "titled")
    renamed = CaseStudyPage.objects.get(slug="guanling-four-forces")
    renamed.slug = "guanling-renamed"
    renamed.save_revision().publish()
    build_site(cache=warm)
    assert_as_cold(settings, tmp_path / "renamed")
    DutyListPage.objects.get(slug="sample-certificates-cancelled-2024").unpublish()  # the old one is current again
    assert not build_site(cache=warm).full
    assert_as_cold(settings, tmp_path / "unpublished")


def test_a_section_title_as_the_editor_set_it_reaches_the_tabs(site_dirs):
    index = CaseStudyIndexPage.objects.get()
    index.title = "各地经验"
    index.save_revision().publish()
    build_site()
    html = read_page(site_dirs[1], "lists/sample-certificates-cancelled-2024")
    tabs = re.findall(r'class="md-tabs__link[^"]*"[^>]*>\s*([^<]+?)\s*<', html)
    assert tabs[1] == "各地经验"
    assert "# 各地经验" in (Path(site_dirs[0]) / "cases" / "index.md").read_text(encoding="utf-8")


def test_the_site_settings_reach_every_page_and_the_feeds(site_dirs):
    settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.site_name = "示例区社区公开平台"
    settings.site_description = "示例区的清单和案例"
    settings.footer_text = "主办：示例区民政局　电话 0000-1234567"
    settings.save()
    build_site()
    site = site_dirs[1]
    for page in ("", "cases/hefei-red-property", "search"):
        html = read_page(site, page)
        assert "示例区社区公开平台" in re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        assert "主办：示例区民政局" in html
    rss = ET.fromstring((Path(site) / "feed.xml").read_bytes())
    assert rss.findtext("channel/title") == "示例区社区公开平台"
    assert rss.findtext("channel/description") == "示例区的清单和案例"


def lookups(site):
    """What a site context answers by region and by theme, and the items' order, as plain data."""
    as_keys = lambda pairs: [(kind.folder, entry["meta"]["slug"]) for kind, entry in pairs]  # noqa: E731
    return {
        "regions": {slug: as_keys(site.in_region.get(slug)) for slug in sorted(site.in_region)},
        "themes": {slug: (site.theme_name(slug), as_keys(site.theme_entries(slug))) for slug in site.themes()},
        "sorts": dict(site.item_sort_keys),
        "newest": {
            kind.folder: as_keys((kind, e) for e in site.newest(kind, site.entries(kind), 3)) for kind in kinds()
        },
        "feeds": as_keys(site.newest_in_feeds(5)),
        "theme_newest": {slug: as_keys(site.theme_newest(slug, 2)) for slug in site.themes()},
        "lists": {
            "current": {
                region: [e["meta"]["slug"] for e in found]
                for region, found in kind("list").lookups(site).current_by_region.items()
            },
            "replaced": sorted(kind("list").lookups(site).superseded_by),
        },
    }


@pytest.mark.parametrize("many", [1000, 0], ids=["by bisection", "by a dict per kind"])
def test_the_lookups_kept_between_builds_equal_those_made_afresh(site_dirs, many, monkeypatch):
    """The lookups by region and by theme are kept between builds and brought up to date from the entries
    whose digest changed: after edits of every sort they answer as a context made from nothing (a region's
    entries looked up one by one, or, as for a province's, from a dict of its kind's entries)."""
    from cms.publishing import context
    from cms.publishing.context import SiteContext
    from cms.publishing.export import export_snapshot

    monkeypatch.setattr(context, "MANY", many)

    kept, lookups_kept = {}, {}

    def check():
        warm = SiteContext(export_snapshot(), "https://example.org/", derived=kept, kept=lookups_kept)
        assert lookups(warm) == lookups(SiteContext(export_snapshot(), "https://example.org/"))
        # A theme's newest, found by walking the kinds' kept orders (a theme many items hold) as by a heap.
        newest, heap_above = lookups(warm)["theme_newest"], context.THEME_WALK_ABOVE
        monkeypatch.setattr(context, "THEME_WALK_ABOVE", 0)
        assert lookups(warm)["theme_newest"] == newest
        monkeypatch.setattr(context, "THEME_WALK_ABOVE", heap_above)
        return warm

    first = check()
    assert first.themes() and len(first.in_region) > 3
    case = CaseStudyPage.objects.get(slug="hefei-red-property")
    case.themes.set(["只在这里的主题", "红色物业"])
    case.region = Region.objects.get(slug="laiwu")
    case.source_date = datetime.date(2030, 1, 1)  # the newest now: first in its section and the feeds
    case.save_revision().publish()
    assert lookups(check())["newest"]["cases"][0] == ("cases", "hefei-red-property")
    make_case("lookup-new", "新的案例", region="hefei").themes.set(["只在这里的主题"])
    CaseStudyPage.objects.get(slug="lookup-new").save_revision().publish()
    assert check().theme_name("只在这里的主题") == "只在这里的主题"
    case.themes.set([])
    case.save_revision().publish()
    CaseStudyPage.objects.get(slug="lookup-new").unpublish()
    site = check()
    assert "只在这里的主题" not in site.themes()
    DutyListPage.objects.get(slug="sample-certificates-cancelled-2022").unpublish()
    check()


def test_a_new_page_joins_the_kept_project_where_a_fresh_load_would_put_it(site_dirs, settings):
    """The worker's MkDocs project takes a new page in at its place in get_files' order (by bisection, not by
    sorting every file again): its files are in the order a freshly loaded project has them."""
    from cms.publishing.project import MkDocsProject

    warm = BuildCache()
    build_site(cache=warm)
    for slug in ("aaa-first", "zzz-last", "mid-page"):
        make_case(slug, f"新的案例 {slug}", region="laiwu")
    assert not build_site(cache=warm).full
    kept = [f.src_uri for f in warm.project.files if f.is_documentation_page()]
    fresh = MkDocsProject(settings.MKDOCS_CONFIG, settings.SITE_SOURCE_DIR, settings.SITE_OUTPUT_DIR)
    assert "cases/aaa-first.md" in kept and kept == [f.src_uri for f in fresh.files if f.is_documentation_page()]


def test_a_region_with_many_items_shows_the_newest_as_putting_them_all_in_order_would(site_dirs):
    """A province's page takes each kind's first items without putting all of them in order (newest first
    from the kept order; lists current first, notices by date): the same items as sorting them all."""
    from cms.publishing.context import SiteContext
    from cms.publishing.export import export_snapshot

    for n in range(6):  # a place with many cases, some of the same date
        case = make_case(f"many-{n}", f"同一地区的第{n}个案例", publish=False, region="laiwu")
        case.source_date = datetime.date(2024, 1 + n // 2, 1)
        case.save_revision().publish()
    site = SiteContext(export_snapshot(), "https://example.org/")
    checked = set()
    for slug in site.in_region:
        held = site.in_region.slugs(slug)
        for kind_ in kinds():
            if kind_.item and held.get(kind_.folder):
                everything = kind_.region_entries(site, [e for k, e in site.in_region.get(slug) if k is kind_])
                for limit in (1, 2, 5, 50):
                    assert kind_.region_top(site, held[kind_.folder], limit) == everything[:limit], (slug, kind_)
                checked.add((kind_.name, len(everything) > 4))
    assert {("case", True), ("list", True), ("notice", False)} <= checked


def test_a_full_build_makes_item_pages_in_two_processes_as_one_process_would(
    site_dirs, settings, tmp_path, monkeypatch
):
    """A full build makes half its item pages in a forked process: the same site_src and site as one process
    makes, a page that fails there is held and reported like anywhere, and the memo it filled spares the next
    edit the pages that did not change."""
    import os

    from cms.publishing import item_pages, render

    pids = tmp_path / "pids"
    render_items = item_pages.render_items

    def noting_the_process(*args):
        with open(pids, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")
        return render_items(*args)

    cases = kind("case")
    case_render = cases.render

    def failing(site, entry):
        if entry["meta"]["slug"] == "guanling-four-forces":
            raise ValueError("坏数据")
        return case_render(site, entry)

    monkeypatch.setattr(item_pages, "render_items", noting_the_process)
    monkeypatch.setattr(item_pages, "PARALLEL_ITEMS", 2)
    monkeypatch.setattr(cases, "render", failing)
    settings.SITE_BUILD_WORKERS = 2
    warm = BuildCache()
    built = build_site(cache=warm, force_full=True)
    assert len(set(pids.read_text(encoding="utf-8").split())) == 2  # here and in a forked process
    assert [p["item"] for p in built.problems if "guanling-four-forces" in p["item"]]
    assert not (settings.SITE_SOURCE_DIR / "cases" / "guanling-four-forces.md").exists()
    # What the other process wrote is in this one's journal, and what it made in this one's memo.
    from cms.publishing.export import export_snapshot
    from cms.publishing.files import recording

    other, cache, snap = tmp_path / "journaled", BuildCache(), export_snapshot()
    with recording(other) as journal:
        render.render_site(render.site_context(snap, settings.PUBLIC_SITE_URL, cache, other), other, cache, workers=2)
    made = {f"{k.folder}/{e['meta']['slug']}.md" for k, e in snap.all()} - {"cases/guanling-four-forces.md"}
    assert len(made) > 10 and made <= journal.written and made <= set(cache.memo("pages", other).found)
    monkeypatch.setattr(item_pages, "PARALLEL_ITEMS", 10**9)
    assert_as_cold(settings, tmp_path / "one-process")  # (the cold build makes them all in one process)
    monkeypatch.setattr(cases, "render", case_render)
    case = CaseStudyPage.objects.get(slug="hefei-red-property")
    case.summary = "两个进程之后的修改"
    case.save_revision().publish()
    pids.unlink()
    edited = build_site(cache=warm)
    assert not edited.full and not edited.problems
    assert "两个进程之后的修改" in read_page(settings.SITE_OUTPUT_DIR, "cases/hefei-red-property")
    assert len(set(pids.read_text(encoding="utf-8").split())) == 1  # (an edit's few pages: here)
