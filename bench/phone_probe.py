"""What a resident's phone receives from the project's own server: bytes on the wire, not file sizes.

The Django project is served in-process by the same threaded WSGI server ``manage.py runserver`` uses
(``tests/support/appserver.py``); Debian's Chromium, as a 360 px phone with an empty cache, opens one
page of each type and counts what was transferred (headers and encoded bodies, as DevTools does). Then,
on the same phone, a second view of a page: how many requests reached the server. And the search page
until its first result, from an empty cache.

    DJANGO_SETTINGS_MODULE=cms.settings.dev JICENG_SITE_DIR=site .venv/bin/python -m bench.phone_probe
"""

import os
import shutil
import sys
from pathlib import Path
from urllib.parse import quote

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")


def sample_pages(site):
    """One page of every type in a built site: {type: URL path}."""
    site = Path(site)

    def first(folder):
        for child in sorted((site / folder).iterdir()) if (site / folder).is_dir() else []:
            if (child / "index.html").is_file():
                return f"/{folder}/{child.name}/"
        return f"/{folder}/"

    return {
        "首页": "/",
        "案例栏目": "/cases/",
        "案例": first("cases"),
        "清单": first("lists"),
        "公示": first("notices"),
        "地区": first("regions"),
    }


def visit(context, url):
    """Open url in a new tab of context; the bytes transferred (headers + encoded bodies) and the requests."""
    page = context.new_page()
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    total = 0
    for request in finished:
        sizes = request.sizes()
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    return page, total, [request.url for request in finished]


def measure(query="居住证明"):
    """Needs Django set up with SITE_OUTPUT_DIR pointing at the built site."""
    from playwright.sync_api import sync_playwright

    from django.conf import settings

    from tests.support.appserver import serve_app

    pages = sample_pages(settings.SITE_OUTPUT_DIR)
    result = {"first_visit_kb": {}, "encodings": set()}
    with serve_app() as (base, recorder), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        phone = {"viewport": {"width": 360, "height": 740}, "locale": "zh-CN", "is_mobile": True}
        for name, path in pages.items():
            context = browser.new_context(**phone)
            page, total, _urls = visit(context, base + path)
            result["first_visit_kb"][f"{name} {path}"] = total / 1024
            context.close()
        # A second view on the same phone: another page first, then the first one again.
        context = browser.new_context(**phone)
        visit(context, base + pages["案例"])
        visit(context, base + pages["清单"])
        recorder.clear()
        visit(context, base + pages["案例"])
        result["repeat"] = [path for _method, path, _status in recorder.requests]
        context.close()
        # The search page until the first result is on screen, from an empty cache.
        context = browser.new_context(**phone)
        page = context.new_page()
        finished = []
        page.on("requestfinished", lambda request: finished.append(request))
        page.goto(f"{base}/search/?q={quote(query)}")
        page.wait_for_selector(".jc-result__link", timeout=60000)
        sizes = [r.sizes() for r in finished]
        result["search_first_kb"] = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes) / 1024
        result["encodings"] = sorted(
            {(r.response().headers.get("content-encoding") or "identity") for r in finished if r.response()}
        )
        context.close()
        browser.close()
    result["first_visit_kb_max"] = max(result["first_visit_kb"].values())
    result["repeat_requests"] = len(result["repeat"])
    return result


def report(result, say=print):
    for name, kb in result["first_visit_kb"].items():
        say(f"首次访问 {name}：{kb:.1f} KB")
    say(f"再次查看同一页面，向服务器请求 {result['repeat_requests']} 次：{', '.join(result['repeat'])}")
    say(f"搜索页到第一条结果：{result['search_first_kb']:.1f} KB（编码：{', '.join(result['encodings'])}）")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    report(measure())
