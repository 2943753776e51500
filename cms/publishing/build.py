"""Export public content, render Markdown, build with MkDocs, index with Pagefind, switch in atomically."""

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from .render import render_site
from .snapshot import export_snapshot


class BuildError(Exception):
    """The site could not be built; the previous site keeps serving."""


@dataclass
class BuildResult:
    pages: int = 0
    changed_sources: int = 0
    timings: dict = field(default_factory=dict)


def _run(cmd, env, step):
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-20:]
        raise BuildError(f"{step}失败：\n" + "\n".join(detail))
    return proc


def build_site(progress=None):
    """Build the public site from live, public pages; returns what it did and how long each step took."""
    say = progress or (lambda message: None)
    result = BuildResult()
    source_dir = Path(settings.SITE_SOURCE_DIR)
    output_dir = Path(settings.SITE_OUTPUT_DIR)

    started = time.perf_counter()
    say("导出已发布内容…")
    snap = export_snapshot()
    result.pages = len(snap.cases) + len(snap.lists) + len(snap.notices)
    result.timings["export"] = time.perf_counter() - started

    started = time.perf_counter()
    say(f"生成 Markdown（{result.pages} 个内容页面）…")
    result.changed_sources = render_site(
        snap, source_dir, settings.PUBLIC_SITE_URL, handwritten_dir=settings.HANDWRITTEN_PAGES_DIR
    )
    result.timings["render"] = time.perf_counter() - started

    staging = output_dir.with_name(output_dir.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    env = dict(os.environ, JICENG_SITE_SRC=str(source_dir), NO_MKDOCS_2_WARNING="1")
    bindir = Path(sys.executable).parent

    started = time.perf_counter()
    say("MkDocs 构建…")
    _run(
        [str(bindir / "mkdocs"), "build", "--strict", "-f", str(settings.MKDOCS_CONFIG), "-d", str(staging)],
        env,
        "MkDocs 构建",
    )
    result.timings["mkdocs"] = time.perf_counter() - started

    started = time.perf_counter()
    say("建立中文搜索索引（Pagefind）…")
    _run(
        [sys.executable, "-m", "pagefind", "--site", str(staging), "--exclude-selectors", ".headerlink", "--silent"],
        env,
        "搜索索引",
    )
    result.timings["search"] = time.perf_counter() - started

    switch_in(staging, output_dir)
    say("完成。")
    return result


def switch_in(staging, output_dir):
    """Replace the live site with the staged one by renaming, never by editing it in place."""
    old = output_dir.with_name(output_dir.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if output_dir.exists():
        output_dir.rename(old)
    staging.rename(output_dir)
    shutil.rmtree(old, ignore_errors=True)
