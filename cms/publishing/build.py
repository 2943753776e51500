"""Export public content, render Markdown, build with MkDocs, write the search index, switch in atomically."""

import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from . import object_store
from .cache import BuildCache
from .export import export_snapshot
from .files import recording
from .memory import release
from .project import SiteBuildError
from .render import CACHE_FOLDER, render_site, site_context
from .search import search_records
from .search_index import index_search
from .sitebuild import build_generation
from .static_json import write_static_json


class BuildError(Exception):
    """The site could not be built; the previous site keeps serving."""


@dataclass
class BuildResult:
    pages: int = 0
    changed_sources: int = 0
    full: bool = False
    rendered: int = 0
    removed: int = 0
    generation: str = ""
    timings: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)  # [{"item", "reason"}]: items left as they were, and why
    day: object = None  # the day the site shows (display periods are read against it)
    store: dict = field(default_factory=dict)  # what the object store sync did: uploaded, deleted, kept
    store_error: str = ""


def theme_paths(source_dir):
    """What shapes every page (config, theme overrides, hooks, the navigation's .site.yml): any change there
    rebuilds everything."""
    base = Path(settings.MKDOCS_CONFIG).parent
    return [settings.MKDOCS_CONFIG, base / "overrides", base / "hooks", Path(source_dir) / ".site.yml"]


def build_site(progress=None, force_full=False, cache=None):
    """Build the public site from live, public pages; returns what it did and how long each step took.

    ``cache`` is the worker's BuildCache (kept between builds, so an edit costs what it changed); without
    one the build starts cold — the same bytes, only slower.
    """
    say = progress or (lambda message: None)
    cache = cache if cache is not None else BuildCache()
    result = BuildResult()
    source_dir = Path(settings.SITE_SOURCE_DIR)
    kept = cache.persistent and settings.SITE_BUILD_CACHE_KEPT
    if kept and not cache.restored and cache.builds == 0:
        started = time.perf_counter()
        if cache.restore(source_dir / CACHE_FOLDER):
            say("已读取上次构建保存的缓存。")
        result.timings["restore_cache"] = time.perf_counter() - started

    started = time.perf_counter()
    say("导出已发布内容…")
    snap = export_snapshot(cache=cache.export)
    result.pages, result.day = snap.count, snap.today
    result.timings["export"] = time.perf_counter() - started
    large = force_full or not cache.builds  # a full build, most likely: worth handing freed memory back
    if large:
        release()  # each step starts on what the one before freed, not on top of it (memory.py)

    started = time.perf_counter()
    say(f"生成 Markdown（{result.pages} 个内容页面）…")
    site = site_context(snap, settings.PUBLIC_SITE_URL, cache, source_dir)
    with recording(source_dir) as source_changes:  # what the next step needs to look at in site_src
        result.changed_sources = render_site(
            site, source_dir, cache, handwritten_dir=settings.HANDWRITTEN_PAGES_DIR, workers=settings.SITE_BUILD_WORKERS
        )
        result.changed_sources += write_static_json(snap, source_dir, cache)
    result.timings["render"] = time.perf_counter() - started
    if large:
        release()
    started = time.perf_counter()
    records = search_records(site, snap, cache)
    result.timings["search_records"] = time.perf_counter() - started
    if large:
        release()

    say("构建网页并更新中文搜索索引…")
    try:
        report = build_generation(
            settings.MKDOCS_CONFIG,
            source_dir,
            settings.SITE_OUTPUT_DIR,
            signature_paths=theme_paths(source_dir),
            cache=cache,
            force_full=force_full,
            workers=settings.SITE_BUILD_WORKERS,
            source_changes=source_changes,
            index_search=lambda generation, report, previous: index_search(
                generation, records, previous, full=report.full, changes=cache.stages.get(("search", "changes"))
            ),
        )
    except SiteBuildError as exc:
        raise BuildError(f"MkDocs 构建失败：\n{exc}") from exc
    except Exception as exc:
        raise BuildError(f"构建失败：{type(exc).__name__}: {exc}") from exc
    if object_store.configured():
        started = time.perf_counter()
        try:
            result.store = object_store.publish(settings.SITE_OUTPUT_DIR, report.generation, say)
        except object_store.StoreError as exc:
            result.store_error = str(exc)
        report.timings["object_store"] = time.perf_counter() - started
    started = time.perf_counter()
    cache.settle()
    report.timings["gc"] = time.perf_counter() - started
    if kept and cache.save_due(settings.SITE_BUILD_CACHE_SAVE_SECONDS):
        # After the switch, so residents never wait for it: a forked child writes it. Not after every build of
        # a burst (writing shares the machine with the next build); what a restart finds is then a little
        # older, which costs that build the changes since, never a wrong page (it is keyed by content).
        cache.save(source_dir / CACHE_FOLDER)
    result.full, result.generation = report.full, report.generation
    result.rendered, result.removed = len(report.rendered), len(report.removed)
    result.timings.update({f"site_{k}": v for k, v in report.timings.items()})
    # Only when something failed (a build must not walk every entry for a message it rarely needs).
    titles = (
        {f"{kind.folder}/{e['meta']['slug']}.md": e["meta"]["title"] for kind, e in snap.all()} if report.failed else {}
    )
    result.problems = snap.problems + [
        {"item": f"“{titles[uri][:60]}”（{uri}）" if uri in titles else uri, "reason": reason}
        for uri, reason in report.failed
    ]
    say(f"完成：{'全量' if report.full else '增量'}构建，重建 {result.rendered} 页，删除 {result.removed} 页。")
    if result.store_error:
        result.problems.append({"item": "对象存储（S3）", "reason": result.store_error})
    for problem in result.problems:
        say(f"未能更新：{problem['item']}：{problem['reason']}")
    return result
