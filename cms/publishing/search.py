"""The Chinese search index: Pagefind bundles in shards, so one edit re-indexes one shard, not the site.

Content pages (cases, lists, notices) are assigned to a shard by a stable hash of their URL. Shard 0 is
written to ``pagefind/`` (it also carries the UI); shard i to ``pagefind-i/``. The search page reads
``pagefind-shards.json`` and merges the other shards into its results.
"""

import hashlib
import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .sitebuild import atomic_write, page_url

INDEXED_SECTIONS = ("cases/", "lists/", "notices/")
PAGES_PER_SHARD = 1000
SHARDS_FILE = "pagefind-shards.json"


def pagefind_binary():
    """The Pagefind indexer pinned in package.json (npm): 1.6 segments Chinese with ICU4X like the browser does.

    PyPI stops at 1.5.2, whose jieba segmentation disagrees with the browser's query segmentation (网格 was
    split into 网|格 in the query but kept whole in the index, so short terms missed most pages).
    """
    configured = os.environ.get("PAGEFIND_BIN")
    if configured:
        return configured
    root = Path(__file__).resolve().parents[2] / "node_modules" / "@pagefind"
    for candidate in sorted(root.glob("*/bin/pagefind_extended*")):
        if not candidate.name.endswith(".sha256"):
            return str(candidate)
    raise RuntimeError(
        "找不到搜索索引工具 Pagefind：请先运行 make install（它用 npm 安装 package.json 中固定的版本）。"
    )


def shard_count(pages):
    """A power of two, so shards stay balanced and the count changes rarely as a site grows."""
    count = 1
    while count * PAGES_PER_SHARD < pages:
        count *= 2
    return count


def shard_of(url, count):
    return int(hashlib.sha256(url.encode()).hexdigest(), 16) % count


def bundle_dir(shard):
    return "pagefind" if shard == 0 else f"pagefind-{shard}"


def indexed_uris(src_uris):
    return [uri for uri in src_uris if uri.startswith(INDEXED_SECTIONS) and not uri.endswith("/index.md")]


def _write_shard(generation, urls, target):
    """Run Pagefind over just these pages: hard links to them in a scratch tree keep their URLs."""
    scratch = target.with_name(target.name + ".pages")
    shutil.rmtree(scratch, ignore_errors=True)
    for url in urls:
        rel = Path(url.strip("/")) / "index.html"
        (scratch / rel).parent.mkdir(parents=True, exist_ok=True)
        os.link(Path(generation) / rel, scratch / rel)
    scratch.mkdir(exist_ok=True)
    command = [
        pagefind_binary(),
        "--site",
        str(scratch),
        "--output-path",
        str(target),
        "--exclude-selectors",
        ".headerlink",
        "--force-language",
        "zh",
        "--silent",
    ]
    try:
        proc = subprocess.run(command, capture_output=True, text=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if proc.returncode != 0:
        raise RuntimeError("搜索索引失败：" + (proc.stderr or proc.stdout).strip()[-2000:])


def index_search(generation, report, previous):
    """Re-index the shards touched by this build inside the new generation; returns the search manifest."""
    generation = Path(generation)
    uris = indexed_uris(report.manifest["pages"])
    count = shard_count(len(uris))
    members = {}
    for uri in uris:
        members.setdefault(shard_of(page_url(uri), count), []).append(page_url(uri))
    if report.full or previous.get("shards") != count:
        dirty = set(range(count))
    else:
        touched = indexed_uris(report.rendered + report.removed)
        dirty = {shard_of(page_url(uri), count) for uri in touched}

    def write(shard):
        staging = generation / f".{bundle_dir(shard)}.new"
        shutil.rmtree(staging, ignore_errors=True)
        _write_shard(generation, sorted(members.get(shard, [])), staging)
        return shard, staging

    # Shards are independent Pagefind runs: index them side by side, one per core.
    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        written = list(pool.map(write, sorted(dirty)))
    for shard, staging in written:
        final = generation / bundle_dir(shard)
        shutil.rmtree(final, ignore_errors=True)  # unlinks this generation's links only
        staging.rename(final)
    for stale in range(count, previous.get("shards", 0)):
        shutil.rmtree(generation / bundle_dir(stale), ignore_errors=True)
    bundles = [f"../{bundle_dir(i)}/" for i in range(count)]
    atomic_write(generation / SHARDS_FILE, json.dumps({"bundles": bundles}).encode())
    return {"shards": count}
