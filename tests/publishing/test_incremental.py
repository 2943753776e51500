"""Edits cost what changed: the build takes site_src's changes from the renderer's journal, compresses only
what it wrote, and still meets every change another process made."""

import gzip

import brotli
import pytest

from django.conf import settings

from cms.cases.models import CaseStudyPage
from cms.core.models import Region
from cms.publishing.build import build_site, theme_paths
from cms.publishing.cache import BuildCache
from cms.publishing.files import atomic_write, recording
from cms.publishing.sitebuild import build_generation

from ..conftest import make_case, read_page

pytestmark = pytest.mark.django_db


def generation(cache, changes):
    source = settings.SITE_SOURCE_DIR
    paths = theme_paths(source)
    return build_generation(
        settings.MKDOCS_CONFIG, source, settings.SITE_OUTPUT_DIR, paths, cache, source_changes=changes
    )


def test_a_page_that_fails_is_tried_again_by_the_next_build_and_recovers(site_dirs):
    source, site = site_dirs
    cache = BuildCache()
    build_site(cache=cache)
    with recording(source) as changes:  # a page MkDocs warns about (a link to nothing): not published
        atomic_write(source / "cases" / "broken.md", "# 坏页面\n\n[去向](missing.md)\n".encode())
    report = generation(cache, changes)
    assert [uri for uri, _reason in report.failed] == ["cases/broken.md"]
    assert not (site / "cases" / "broken").exists()
    with recording(source) as changes:  # nothing written: the failed page is still tried again
        pass
    report = generation(cache, changes)
    assert "cases/broken.md" in report.rendered and report.failed
    with recording(source) as changes:
        atomic_write(source / "cases" / "broken.md", "# 修好的页面\n".encode())
    report = generation(cache, changes)
    assert report.rendered == ["cases/broken.md"] and not report.failed
    assert "修好的页面" in read_page(site, "cases/broken")


def test_an_edit_compresses_only_what_it_wrote_and_its_copies_match(site_dirs):
    _source, site = site_dirs
    cache = BuildCache()
    build_site(cache=cache)
    untouched = (site / "cases" / "guanling-four-forces" / "index.html.br").stat().st_ino
    page = CaseStudyPage.objects.get(slug="hefei-red-property")
    page.title = "合肥市：压缩副本跟着改"
    page.save_revision().publish()
    result = build_site(cache=cache)
    assert not result.full
    html = (site / "cases" / "hefei-red-property" / "index.html").read_bytes()
    assert "压缩副本跟着改".encode() in html
    assert brotli.decompress((site / "cases" / "hefei-red-property" / "index.html.br").read_bytes()) == html
    api = site / "api" / "cases" / "hefei-red-property.json"
    assert brotli.decompress(api.with_name(api.name + ".br").read_bytes()) == api.read_bytes()
    # A page the edit did not touch keeps the very same compressed file (a hard link from the last site).
    assert (site / "cases" / "guanling-four-forces" / "index.html.br").stat().st_ino == untouched


def test_a_build_by_another_process_in_between_is_not_missed(site_dirs):
    """The journal only speaks for builds this cache made: after another worker's build, the next one looks
    at all of site_src again."""
    _source, site = site_dirs
    ours, theirs = BuildCache(), BuildCache()
    build_site(cache=ours)
    page = CaseStudyPage.objects.get(slug="hefei-red-property")
    page.title = "合肥市：另一个进程发布的标题"
    page.save_revision().publish()
    build_site(cache=theirs)
    assert "另一个进程发布的标题" in read_page(site, "cases/hefei-red-property")
    page.title = "合肥市：再改一次"
    page.save_revision().publish()
    build_site(cache=ours)
    assert "再改一次" in read_page(site, "cases/hefei-red-property")
    assert "再改一次" in (site / "api" / "cases" / "hefei-red-property.json").read_text(encoding="utf-8")


def test_after_incremental_builds_every_compressed_copy_matches_its_file(site_dirs):
    """The journal misses nothing: after edits, a new page, a page taken down and a renamed region (the search
    index purged and renamed, a delta bundle added), every text file's copies hold its bytes, and no copy is
    left without its file."""
    _source, site = site_dirs
    cache = BuildCache()
    build_site(cache=cache)
    page = CaseStudyPage.objects.get(slug="hefei-red-property")
    page.title = "合肥市：检查压缩副本"
    page.save_revision().publish()
    build_site(cache=cache)
    make_case("journal-new", "日志之后新建的案例", region="laiwu")
    build_site(cache=cache)
    CaseStudyPage.objects.get(slug="guanling-four-forces").unpublish()
    region = Region.objects.get(slug="hefei")
    region.name = "合肥市（新名）"
    region.save()
    assert not build_site(cache=cache).full
    root = site.resolve()
    checked = 0
    for path in root.rglob("*"):
        if path.suffix in (".gz", ".br"):
            assert path.with_suffix("").is_file(), path
            continue
        copy = path.with_name(path.name + ".br")
        if path.is_file() and path.suffix in (".html", ".json", ".xml", ".bin", ".js", ".css") and copy.exists():
            assert brotli.decompress(copy.read_bytes()) == path.read_bytes(), path
            assert gzip.decompress(path.with_name(path.name + ".gz").read_bytes()) == path.read_bytes(), path
            checked += 1
        elif path.is_file() and path.suffix in (".html", ".json") and path.stat().st_size >= 256:
            raise AssertionError(f"no compressed copy: {path}")
    assert checked > 100


def tree(root):
    """{relative path: inode} of every file and the set of folders below root."""
    files, folders = {}, set()
    for path in root.rglob("*"):
        rel = path.relative_to(root).as_posix()
        if path.is_dir():
            folders.add(rel)
        else:
            files[rel] = path.stat().st_ino
    return files, folders


def test_the_next_starting_tree_is_brought_up_to_date_by_the_journals_and_equals_the_live_site(site_dirs):
    """After an incremental build, the starting tree of the next one is the generation two builds old (or, after
    a full build, its spare copy) with only what the builds since changed replayed on it (no copy of the whole
    site): after edits, a new page, a
    page taken down, a renamed region and an edit that purges and renames the search index's base, it holds
    exactly the live generation's files (the same inodes) and folders."""
    from cms.publishing import generations

    _source, site = site_dirs
    cache = BuildCache()
    build_site(cache=cache)
    builds = site.parent / (site.name + ".builds")
    generations._preparing[str(builds)][1].wait()  # after a full build: the starting tree and a spare, whole
    assert (builds / f"{generations.SPARE_PREFIX}{site.resolve().name}").is_dir()

    def step(change):
        change()
        assert not build_site(cache=cache).full
        live = site.resolve()
        prepared = builds / f"{generations.NEXT_PREFIX}{live.name}"
        copying = generations._preparing.get(str(builds))
        if copying is not None:  # the whole tree is being copied in the background (the first builds)
            copying[1].wait()
        (files, folders), (live_files, live_folders) = tree(prepared), tree(live)
        differ = sorted(rel for rel in files.keys() | live_files.keys() if files.get(rel) != live_files.get(rel))
        assert not differ and folders == live_folders, (differ[:20], sorted(folders ^ live_folders)[:20])
        return copying is None

    def edit(slug, title):
        page = CaseStudyPage.objects.get(slug=slug)
        page.title = title
        page.summary = "换掉原来的摘要：" + title  # words leave the page: the base's stale copy is purged
        page.save_revision().publish()

    def rename():
        region = Region.objects.get(slug="hefei")
        region.name = "合肥市（改名）"
        region.save()

    recycled = [
        step(lambda: edit("hefei-red-property", "合肥市：第一次修改")),
        step(lambda: make_case("recycled-new", "回收之后新建的案例", region="laiwu")),
        step(lambda: edit("hefei-red-property", "合肥市：第二次修改")),
        step(lambda: CaseStudyPage.objects.get(slug="guanling-four-forces").unpublish()),
        step(rename),
        step(lambda: edit("recycled-new", "新建的案例改了标题")),
    ]
    assert all(recycled), recycled
    assert not list(builds.glob(f"{generations.SPARE_PREFIX}*"))  # taken by the first edit


def test_collecting_old_trees_leaves_the_live_generation_s_copies_being_made(tmp_path):
    """A starting tree or spare of the live generation still being copied (its temporary name) is not taken
    for garbage: removing it under the copy would leave a broken tree for the next build."""
    from cms.publishing.generations import NEXT_PREFIX, SPARE_PREFIX, Generations

    from ..support.net import wait_for

    gens = Generations(tmp_path / "site")
    live = gens.new()
    gens.switch_to(live, {})
    being_made = [gens.root / f"{prefix}{live.name}.4242.tmp" for prefix in (NEXT_PREFIX, SPARE_PREFIX)]
    old = [
        gens.root / f"{prefix}g000000{suffix}" for prefix in (NEXT_PREFIX, SPARE_PREFIX) for suffix in ("", ".7.tmp")
    ]
    for folder in being_made + old:
        (folder / "cases").mkdir(parents=True)
    gens.collect(keep=live)
    assert wait_for(lambda: not any(folder.exists() for folder in old), 30)
    assert all(folder.is_dir() for folder in being_made)


def test_a_full_build_indexes_search_while_its_page_processes_render(site_dirs):
    """The parent indexes search while the forked processes render the pages (it would wait idle); when
    indexing fails the build fails whole: no page process outlives it and the last good site stays live."""
    import multiprocessing

    from cms.publishing.generations import Generations

    source, site = site_dirs
    build_site(cache=BuildCache())
    for n in range(220):  # enough pages to render on forked processes
        atomic_write(source / "cases" / f"extra-{n:03d}.md", f"# 额外页面 {n}\n".encode())
    seen = {}

    def indexing(generation, report, previous):
        seen["rendering"] = len(multiprocessing.active_children())
        return {"indexed": report.full}

    def build(index_search):
        paths = theme_paths(source)
        return build_generation(
            settings.MKDOCS_CONFIG,
            source,
            site,
            paths,
            BuildCache(),
            force_full=True,
            workers=2,
            index_search=index_search,
        )

    report = build(indexing)
    assert seen["rendering"] == 2 and not report.failed
    assert "额外页面 219" in read_page(site, "cases/extra-219")
    gens = Generations(site)
    assert gens.manifest(gens.current())["search"] == {"indexed": True}
    live = site.resolve()

    def failing(generation, report, previous):
        raise RuntimeError("索引失败")

    with pytest.raises(RuntimeError, match="索引失败"):
        build(failing)
    assert not multiprocessing.active_children()
    assert site.resolve() == live and "额外页面 0" in read_page(site, "cases/extra-000")
