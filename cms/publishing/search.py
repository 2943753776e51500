"""The Chinese search index: one Pagefind *base* bundle plus a small *delta* bundle of what changed since.

A resident's first search downloads one index (a single bundle needs far fewer files than many shards:
measured at 10,000 pages, 16 shards of 1,000 cost 985 KB before the first result). An edit re-indexes
only the pages changed since the base was written, into ``pagefind-delta/``; the search page merges
both bundles and hides the base's stale copies of those pages (listed in ``pagefind-shards.json``).
When the delta grows past ``DELTA_LIMIT`` pages, or on a full build, the base is rewritten and the
delta emptied.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

from .sitebuild import atomic_write, page_url

INDEXED_SECTIONS = ("cases/", "lists/", "notices/", "collections/")
BASE, DELTA = "pagefind", "pagefind-delta"
DELTA_LIMIT = 400  # pages; Pagefind indexes ~500 pages a second here
SHARDS_FILE = "pagefind-shards.json"
LAYOUT = 2  # bump when the bundle layout changes: the next build rewrites the index
BODY = b"<div data-pagefind-body>"


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


def indexed_uris(src_uris):
    return [uri for uri in src_uris if uri.startswith(INDEXED_SECTIONS) and not uri.endswith("/index.md")]


def _write_bundle(generation, urls, target, fresh=False):
    """Run Pagefind over just these pages of a generation, into target; returns nothing.

    Pages are hard-linked into a scratch tree so they keep their URLs. Pages of the delta are copied
    instead, with a mark (meta ``src: delta``) that tells the search page which copy is current.
    """
    scratch = target.with_name(target.name + ".pages")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    for url in urls:
        rel = Path(url.strip("/")) / "index.html"
        (scratch / rel).parent.mkdir(parents=True, exist_ok=True)
        if fresh:
            html = (Path(generation) / rel).read_bytes()
            (scratch / rel).write_bytes(
                html.replace(BODY, b'<div data-pagefind-body data-pagefind-meta="src:delta">', 1)
            )
        else:
            os.link(Path(generation) / rel, scratch / rel)
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


def _replace_bundle(generation, name, urls, fresh=False):
    staging = generation / f".{name}.new"
    shutil.rmtree(staging, ignore_errors=True)
    _write_bundle(generation, urls, staging, fresh=fresh)
    final = generation / name
    shutil.rmtree(final, ignore_errors=True)  # unlinks this generation's links only
    staging.rename(final)


def index_search(generation, report, previous):
    """Update the search index inside the new generation; returns the search manifest for the next build."""
    generation = Path(generation)
    pages = report.manifest["pages"]
    current = {page_url(uri): pages[uri] for uri in indexed_uris(pages)}
    base = previous.get("base") if previous.get("layout") == LAYOUT else None
    delta = previous.get("delta", {}) if base is not None else {}
    changed = sorted(url for url, digest in current.items() if base is not None and base.get(url) != digest)
    # Only pages marked for search count (a redirect page has no body to index).
    changed = [url for url in changed if BODY in (generation / url.strip("/") / "index.html").read_bytes()]
    if report.full or base is None or len(changed) > DELTA_LIMIT:
        for old in generation.glob("pagefind*"):
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
        _replace_bundle(generation, BASE, sorted(current))
        base, delta, changed = dict(current), {}, []
    new_delta = {url: current[url] for url in changed}
    if new_delta != delta:
        if new_delta:
            _replace_bundle(generation, DELTA, changed, fresh=True)
        else:
            shutil.rmtree(generation / DELTA, ignore_errors=True)
    # Base entries a resident must not see: pages since changed (their delta copy shows) or removed.
    stale = sorted(url for url in base if url in new_delta or url not in current)
    bundles = [f"{BASE}/"] + ([f"{DELTA}/"] if new_delta else [])  # relative to the site root
    atomic_write(generation / SHARDS_FILE, json.dumps({"bundles": bundles, "stale": stale}).encode())
    return {"layout": LAYOUT, "base": base, "delta": new_delta}
