"""What a resident's phone downloads before the first search result, and how fast later queries are.

Serves a built site over loopback, opens the search page in Debian's Chromium, types a query the way a
resident does (``/search/?q=…``) and records every file fetched until the first result is on screen.
Sizes are counted gzipped (level 6: what a web server sends for text, and what the index's own ``.gz``
copies hold). Then times further queries through the same loaded engine, each until its first result's
record is in.

    .venv/bin/python -m bench.search_probe site/ 居住证明 网格 红色物业
"""

import functools
import gzip
import os
import shutil
import statistics
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def gz_size(path):
    return len(gzip.compress(path.read_bytes(), 6))


def local_file(site, url):
    path = unquote(urlsplit(url).path)
    target = site / path.lstrip("/")
    if path.endswith("/"):
        target = target / "index.html"
    return target if target.is_file() else None


TYPICAL_QUERIES = ("居住证明", "网格", "红色物业", "死亡证明", "物业", "群众点单")


def first_search(browser, base, site, query):
    """A phone with an empty cache opens the search page for one query: what it fetched until the first result."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = context.new_page()
    fetched = []
    page.on("requestfinished", lambda request: fetched.append(request.url))
    started = time.perf_counter()
    page.goto(f"{base}/search/?q={query}")
    page.wait_for_selector(".jc-result__link", timeout=60000)
    ms = (time.perf_counter() - started) * 1000
    files = {url: local_file(site, url) for url in dict.fromkeys(fetched)}
    return page, context, ms, files


def measure(site, first_query="居住证明", later_queries=TYPICAL_QUERIES[1:]):
    from playwright.sync_api import sync_playwright

    site = Path(site).resolve()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            # Each typical query as the first search of a phone with an empty cache.
            cold = {}
            for query in dict.fromkeys((first_query, *later_queries)):
                tab, context, ms, fetched = first_search(browser, base, site, query)
                cold[query] = sum(gz_size(path) for path in fetched.values() if path) / 1024
                if query == first_query:
                    page, first_ms, files = tab, ms, fetched  # later queries are timed on this page
                else:
                    context.close()
            timings = page.evaluate(
                """async (queries) => {
                    const out = [];
                    for (const q of queries) {
                        const t0 = performance.now();
                        const results = await window.JcSearch.search(q);
                        if (results.length) { await results[0].data(); }
                        out.push([q, performance.now() - t0, results.length]);
                    }
                    return out;
                }""",
                list(later_queries),
            )
            browser.close()
    finally:
        server.shutdown()
    return {
        "first_query": first_query,
        "first_kb_gz": cold[first_query],
        "first_ms": first_ms,
        "cold_kb_gz": cold,
        "cold_kb_gz_median": statistics.median(cold.values()),
        "files": sorted(((url.replace(base, ""), gz_size(path) / 1024) for url, path in files.items() if path)),
        "queries": timings,
        "query_ms_median": statistics.median(t for _q, t, _n in timings) if timings else float("nan"),
        "query_ms_max": max(t for _q, t, _n in timings) if timings else float("nan"),
    }


def report(result, say=print):
    say(
        f"首次搜索“{result['first_query']}”：{result['first_kb_gz']:.0f} KB（gzip），{result['first_ms']:.0f} ms，文件："
    )
    for url, kb in result["files"]:
        say(f"    {kb:8.1f} KB  {url}")
    say(
        "各典型查询作为手机的第一次搜索（空缓存）："
        + "，".join(f"{q} {kb:.0f} KB" for q, kb in result["cold_kb_gz"].items())
        + f"；中位数 {result['cold_kb_gz_median']:.0f} KB"
    )
    for query, ms, count in result["queries"]:
        say(f"  之后搜索“{query}”：{ms:.0f} ms，{count} 条结果")


if __name__ == "__main__":
    report(measure(sys.argv[1], *(sys.argv[2:3] or ["居住证明"])))
