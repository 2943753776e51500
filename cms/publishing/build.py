"""Export public content, render Markdown, build with MkDocs, write the search index, switch in atomically."""

import gc
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from .render import render_site
from .search import index_search
from .sitebuild import SiteBuildError, build_generation
from .snapshot import ExportCache, export_snapshot

SECTION_FOLDERS = ("cases", "lists", "notices", "collections")
# Kept for the life of the process (the task worker), so each build loads only pages that changed.
EXPORT_CACHE = ExportCache()


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


FULL_COLLECTION_EVERY = 20  # builds
_settled = {"builds": 0}


def settle_memory():
    """Collect garbage once the new site is live, then freeze what survives.

    The worker keeps large caches between builds (the export, Markdown and JSON memos: millions of
    objects at 10,000 pages). Python's full collections walk all of them, about a second each, several
    times during a build; frozen, they are left alone and later collections walk only what the next
    build allocated (0.1–0.4 s here instead of 0.7–0.9 s). The caches hold plain dicts, lists and strings,
    which reference counting frees when replaced; in case a cycle among frozen objects became garbage,
    every twentieth build unfreezes and walks everything.
    """
    _settled["builds"] += 1
    if _settled["builds"] % FULL_COLLECTION_EVERY == 0:
        gc.unfreeze()
    gc.collect()
    gc.freeze()


def build_site(progress=None, force_full=False):
    """Build the public site from live, public pages; returns what it did and how long each step took."""
    say = progress or (lambda message: None)
    result = BuildResult()
    source_dir = Path(settings.SITE_SOURCE_DIR)

    started = time.perf_counter()
    say("导出已发布内容…")
    snap = export_snapshot(cache=EXPORT_CACHE)
    result.pages = len(snap.cases) + len(snap.lists) + len(snap.notices)
    result.timings["export"] = time.perf_counter() - started

    started = time.perf_counter()
    say(f"生成 Markdown（{result.pages} 个内容页面）…")
    result.changed_sources = render_site(
        snap, source_dir, settings.PUBLIC_SITE_URL, handwritten_dir=settings.HANDWRITTEN_PAGES_DIR
    )
    from cms.api.static import write_static_json

    result.changed_sources += write_static_json(snap, source_dir)
    result.timings["render"] = time.perf_counter() - started

    say("构建网页并更新中文搜索索引…")
    base = Path(settings.MKDOCS_CONFIG).parent
    try:
        report = build_generation(
            settings.MKDOCS_CONFIG,
            source_dir,
            settings.SITE_OUTPUT_DIR,
            signature_paths=[settings.MKDOCS_CONFIG, base / "overrides", base / "hooks", source_dir / ".nav.yml"],
            force_full=force_full,
            workers=settings.SITE_BUILD_WORKERS,
            index_search=index_search,
        )
    except SiteBuildError as exc:
        raise BuildError(f"MkDocs 构建失败：\n{exc}") from exc
    except Exception as exc:
        raise BuildError(f"构建失败：{type(exc).__name__}: {exc}") from exc
    started = time.perf_counter()
    settle_memory()
    report.timings["gc"] = time.perf_counter() - started
    result.full, result.generation = report.full, report.generation
    result.rendered, result.removed = len(report.rendered), len(report.removed)
    result.timings.update({f"site_{k}": v for k, v in report.timings.items()})
    titles = {
        f"{folder}/{e['meta']['slug']}.md": e["meta"]["title"]
        for folder in SECTION_FOLDERS
        for e in getattr(snap, folder)
    }
    result.problems = snap.problems + [
        {"item": f"“{titles[uri][:60]}”（{uri}）" if uri in titles else uri, "reason": reason}
        for uri, reason in report.failed
    ]
    say(f"完成：{'全量' if report.full else '增量'}构建，重建 {result.rendered} 页，删除 {result.removed} 页。")
    for problem in result.problems:
        say(f"未能更新：{problem['item']}：{problem['reason']}")
    return result
