"""Only live, public, published content leaves the CMS: drafts, pending changes and private pages never do."""

import pytest

from wagtail.models import PageViewRestriction

from cms.cases.models import CaseStudyIndexPage, CaseStudyPage
from cms.core.models import Region
from cms.publishing.build import build_site
from cms.publishing.export import export_snapshot

from ..conftest import read_page, search_records

pytestmark = pytest.mark.django_db


def make_case(slug, title, publish=True):
    page = CaseStudyPage(
        title=title, slug=slug, region=Region.objects.get(slug="hefei"), summary="摘要", source_publisher="测试日报"
    )
    CaseStudyIndexPage.objects.get().add_child(instance=page)
    revision = page.save_revision()
    if publish:
        revision.publish()
    else:
        page.live = False
        page.save()
    return page


def exported_titles():
    return {entry["meta"]["title"] for entry in export_snapshot().entries["cases"]}


def test_a_draft_never_published_is_not_exported():
    make_case("draft-case", "草稿案例", publish=False)
    assert "草稿案例" not in exported_titles()


def test_unpublished_changes_stay_out_and_the_live_version_is_exported():
    page = CaseStudyPage.objects.get(slug="hefei-red-property")
    live_title = page.title
    page.title = "尚未发布的修改标题"
    page.summary = "尚未发布的摘要"
    page.save_revision()
    titles = exported_titles()
    assert live_title in titles and "尚未发布的修改标题" not in titles
    entry = next(e for e in export_snapshot().entries["cases"] if e["meta"]["slug"] == "hefei-red-property")
    assert entry["meta"]["summary"] != "尚未发布的摘要"


@pytest.mark.parametrize("restriction", [PageViewRestriction.LOGIN, PageViewRestriction.PASSWORD])
def test_private_and_restricted_pages_are_not_exported(restriction):
    page = make_case("private-case", "私密案例")
    PageViewRestriction.objects.create(page=page, restriction_type=restriction, password="secret")
    assert "私密案例" not in exported_titles()


def test_pages_under_a_restricted_section_are_not_exported():
    make_case("under-restricted", "受限栏目下的案例")
    PageViewRestriction.objects.create(
        page=CaseStudyIndexPage.objects.get(), restriction_type=PageViewRestriction.LOGIN
    )
    assert exported_titles() == set()


def test_unpublished_page_disappears_from_the_built_site(site_dirs):
    _src, site = site_dirs
    build_site()
    assert (site / "cases" / "hefei-red-property" / "index.html").exists()
    CaseStudyPage.objects.get(slug="hefei-red-property").unpublish()
    build_site()
    assert not (site / "cases" / "hefei-red-property").exists()
    assert "hefei-red-property" not in read_page(site, "")
    assert "合肥" not in read_page(site, "themes")  # no theme page keeps a link to it
    urls = {record["url"] for record in search_records(site)}
    assert "/cases/xinpu-red-property/" in urls and "/cases/hefei-red-property/" not in urls


def test_drafts_never_reach_the_site_files(site_dirs):
    src, site = site_dirs
    make_case("draft-on-site", "仅草稿的案例", publish=False)
    page = CaseStudyPage.objects.get(slug="xinpu-red-property")
    page.title = "新蒲的未发布标题"
    page.save_revision()
    build_site()
    everything = "".join(
        p.read_text(encoding="utf-8", errors="ignore") for p in list(src.rglob("*.md")) + list(site.rglob("*.html"))
    )
    assert "仅草稿的案例" not in everything and "新蒲的未发布标题" not in everything


def test_the_export_cache_reloads_only_changed_pages():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cms.publishing.export import ExportCache

    cache = ExportCache()
    first = export_snapshot(cache=cache)
    with CaptureQueriesContext(connection) as queries:
        again = export_snapshot(cache=cache)
    loaded = [q["sql"] for q in queries.captured_queries if "casekeyfigure" in q["sql"] or "lists_listitem" in q["sql"]]
    assert loaded == []  # nothing changed: no page or child rows were loaded again
    assert again.entries == first.entries
    page = CaseStudyPage.objects.get(slug="hefei-red-property")
    page.summary = "缓存之后的新摘要"
    page.save_revision().publish()
    changed = {e["meta"]["slug"]: e for e in export_snapshot(cache=cache).entries["cases"]}
    assert changed["hefei-red-property"]["meta"]["summary"] == "缓存之后的新摘要"
    region = Region.objects.get(slug="hefei")
    region.slug = "hefei-renamed"
    region.save()
    renamed = {e["meta"]["slug"]: e for e in export_snapshot(cache=cache).entries["cases"]}
    assert renamed["hefei-red-property"]["meta"]["region"] == "hefei-renamed"


def test_an_export_that_looks_only_at_changed_rows_gives_what_a_fresh_export_gives(monkeypatch):
    from cms.core.kinds import kind as kind_named
    from cms.publishing import export
    from cms.publishing.export import ExportCache

    from .test_renditions import photo, with_figures

    looked_at = []
    export_row = export.export_row

    def looking(kind, row, *args):
        if not kind.always_fresh:  # (a set is made afresh each time: it shows its cases' summaries)
            looked_at.append(row[0])  # (slug, pk, row key)
        return export_row(kind, row, *args)

    monkeypatch.setattr(export, "export_row", looking)
    cache = ExportCache()
    export_snapshot(cache=cache)

    def exported():
        looked_at.clear()
        snap = export_snapshot(cache=cache)
        seen = list(looked_at)
        fresh = export_snapshot()
        looked_at[:] = seen
        assert (snap.entries, snap.digests, snap.held) == (fresh.entries, fresh.digests, fresh.held)
        assert set(snap.images) == set(fresh.images)
        return snap

    page = CaseStudyPage.objects.get(slug="hefei-red-property")
    page.summary = "只看改过的行"
    page.save_revision().publish()
    exported()
    assert looked_at == ["hefei-red-property"]  # not every public page
    image = photo("门口.jpg")
    with_figures(page, [image]).save_revision().publish()
    assert f"media/{image.get_file_hash()}.jpg" in exported().images  # (a new image: every row is looked at)
    with_figures(page, []).save_revision().publish()
    assert not exported().images  # no public page shows the picture any more
    assert looked_at == ["hefei-red-property"]
    # A page that fails is tried again by every export (it keeps its last good version meanwhile) …
    cases = kind_named("case")
    serialize = cases.serialize

    def failing(page_, images):
        if page_.slug == "hefei-red-property":
            raise ValueError("坏数据")
        return serialize(page_, images)

    page.summary = "导出失败的版本"
    page.save_revision().publish()
    monkeypatch.setattr(cases, "serialize", failing)
    for _ in range(2):
        looked_at.clear()
        snap = export_snapshot(cache=cache)
        assert looked_at == ["hefei-red-property"] and len(snap.problems) == 1
        kept = next(e for e in snap.entries["cases"] if e["meta"]["slug"] == "hefei-red-property")
        assert kept["meta"]["summary"] == "只看改过的行"
    monkeypatch.setattr(cases, "serialize", serialize)
    snap = exported()  # … and recovers once it exports
    assert not snap.problems and looked_at == ["hefei-red-property"]
    page.unpublish()  # a page that goes: no other row is looked at
    assert "hefei-red-property" not in {e["meta"]["slug"] for e in exported().entries["cases"]}
    assert looked_at == []
    make_case("a-new-case", "新来的案例")  # one that comes: only its row
    assert "a-new-case" in {e["meta"]["slug"] for e in exported().entries["cases"]}
    assert looked_at == ["a-new-case"]
    renamed = CaseStudyPage.objects.get(slug="a-new-case")
    renamed.slug = "a-renamed-case"
    renamed.save_revision().publish()
    assert "a-new-case" not in {e["meta"]["slug"] for e in exported().entries["cases"]}
    assert looked_at == ["a-renamed-case"]
    page.save_revision().publish()  # back, and failing: looked at by every export, while pages come too
    monkeypatch.setattr(cases, "serialize", failing)
    for came in ([], ["another-new-case"]):
        for slug in came:
            make_case(slug, "失败时新来的案例")
        looked_at.clear()
        snap = export_snapshot(cache=cache)
        assert sorted(looked_at) == sorted(["hefei-red-property", *came]) and len(snap.problems) == 1
    monkeypatch.setattr(cases, "serialize", serialize)
    exported()


def test_an_export_reads_only_the_rows_changed_since_and_every_row_when_the_totals_disagree(monkeypatch):
    """Reading every public row's key cost most of an edit's export at 100,000 pages: the rows changed since
    (higher revision ids, a later publish) are read, and the database's totals catch what that misses."""
    from wagtail.models import Page

    from cms.publishing import rows as public_rows
    from cms.publishing.export import ExportCache

    read = []
    fetch = public_rows.fetch

    def reading(queryset):
        rows = fetch(queryset)
        if queryset.model is CaseStudyPage:
            read.append(len(rows))
        return rows

    monkeypatch.setattr(public_rows, "fetch", reading)
    cache = ExportCache()

    def exported():
        read.clear()
        snap = export_snapshot(cache=cache)
        rows = sum(read)
        fresh = export_snapshot()
        assert (snap.entries, snap.digests, snap.held) == (fresh.entries, fresh.digests, fresh.held)
        return snap, rows

    def slugs(snap):
        return {e["meta"]["slug"]: e["meta"]["title"] for e in snap.entries["cases"]}

    public = CaseStudyPage.objects.live().public().count()
    assert exported()[1] == public  # the first export reads them all
    assert exported()[1] == 0  # nothing changed: no row is read
    page = CaseStudyPage.objects.get(slug="hefei-red-property")
    page.summary = "只读改过的行"
    page.save_revision().publish()
    assert exported()[1] == 1
    page.title = "只读改过的行的标题"
    page.slug = "hefei-red-property-renamed"
    page.save_revision().publish()
    snap, rows = exported()
    assert rows == 1 and slugs(snap)["hefei-red-property-renamed"] == "只读改过的行的标题"
    make_case("a-case-that-comes", "新来的案例")
    snap, rows = exported()
    assert rows == 1 and "a-case-that-comes" in slugs(snap)
    # Changes that give no page a higher revision id or a later publish: the totals disagree, all is read.
    Page.objects.filter(pk=page.pk).update(title="不经修订改的标题")  # (a row changed behind Wagtail's back)
    snap, rows = exported()
    assert rows == public + 1 and slugs(snap)["hefei-red-property-renamed"] == "不经修订改的标题"
    older = page.revisions.order_by("pk").first()
    older.publish()  # an earlier revision published again: a lower live revision id
    snap, rows = exported()
    assert "hefei-red-property" in slugs(snap) and "hefei-red-property-renamed" not in slugs(snap)
    CaseStudyPage.objects.get(slug="a-case-that-comes").unpublish()
    snap, rows = exported()
    assert rows == public and "a-case-that-comes" not in slugs(snap)
    restricted = CaseStudyPage.objects.live().exclude(pk=page.pk).first()
    PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.LOGIN)
    snap, rows = exported()  # what is hidden changed: every row is read
    assert rows == public - 1 and restricted.slug not in slugs(snap)
    page.summary = "受限页面之外的修改"
    page.save_revision().publish()
    snap, rows = exported()  # hidden pages left out by the database too
    assert rows == 1 and restricted.slug not in slugs(snap)
    CaseStudyPage.objects.get(pk=page.pk).delete()
    snap, rows = exported()
    assert rows == public - 2 and page.slug not in slugs(snap)
