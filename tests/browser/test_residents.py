"""Residents on slow phones, in a real Chromium against the project's own server (Django's threaded WSGI
server, as ``make run`` serves): compressed transfers and cache headers as received, a second view that
asks for the HTML only, the Chinese 404, display periods switching by themselves, searches in traditional
characters and pinyin, superseded lists marked and ranked below, filter labels by their controls, and the
larger-text mode that persists and stays accessible."""

from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from django.test import override_settings

from cms.publishing.build import build_site

from ..support.appserver import serve_app
from .test_pages import AXE, PAGES

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
TEXT_TYPES = ("text/html", "text/css", "application/javascript", "text/javascript", "application/json")


@pytest.fixture(scope="module")
def app_url(seeded_site):
    with override_settings(SITE_OUTPUT_DIR=seeded_site), serve_app() as (url, recorder):
        yield url, recorder


def transferred(page, url):
    """Load url in a fresh tab of the page's context; [(url, status, headers, bytes on the wire)]."""
    seen = []
    page.on("requestfinished", lambda request: seen.append(request))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    out = []
    for request in seen:
        response = request.response()
        sizes = request.sizes()
        out.append((request.url, response.status, response.all_headers(), sizes["responseBodySize"]))
    return out


def test_a_first_visit_is_compressed_and_a_second_asks_for_the_html_only(page, app_url):
    url, recorder = app_url
    loaded = transferred(page, url + "/cases/hefei-red-property/")
    text = [(u, h) for u, _s, h, _n in loaded if h.get("content-type", "").split(";")[0] in TEXT_TYPES]
    assert len(text) >= 4  # the page, Material's CSS and JS, ours
    for resource, headers in text:
        assert headers.get("content-encoding") in ("br", "gzip"), resource
    for resource, _status, headers, _n in loaded:
        path = urlsplit(resource).path
        if path.endswith("/"):
            assert headers["cache-control"] == "no-cache" and headers.get("etag"), resource
        elif "/assets/" in path:
            assert "immutable" in headers["cache-control"], resource
    total_kb = sum(n for *_rest, n in loaded) / 1024
    assert total_kb < 100, f"first visit transferred {total_kb:.0f} KB"
    recorder.clear()
    page.goto(url + "/lists/sample-certificates-cancelled-2024/")  # another page: only its HTML is new
    page.wait_for_load_state("networkidle")
    page.goto(url + "/cases/hefei-red-property/")  # and the first page again
    page.wait_for_load_state("networkidle")
    asked = [path for _method, path, _status in recorder.requests]
    assert asked == ["/lists/sample-certificates-cancelled-2024/", "/cases/hefei-red-property/"], asked


def test_a_missing_address_gets_the_chinese_404_in_the_browser(page, app_url):
    url, _recorder = app_url
    response = page.goto(url + "/cases/no-such-case/")
    assert response.status == 404
    assert page.title().startswith("页面不存在")
    assert "地址可能输错了" in page.inner_text("article")
    # The search box works from the 404 page, and the way to the regions is there.
    page.fill("#jc-q", "红色物业")
    page.click(".jc-search button")
    page.wait_for_selector(".jc-result__link", timeout=15000)
    assert urlsplit(page.url).path == "/search/"
    page.go_back()
    page.click("text=按地区浏览")
    page.wait_for_url("**/regions/")


def test_a_page_taken_down_says_so_in_the_browser(page, site_dirs):
    from cms.lists.models import DutyListPage

    build_site()
    DutyListPage.objects.get(slug="sample-certificates-cancelled-2022").unpublish()
    build_site()
    with serve_app() as (url, _recorder):
        response = page.goto(url + "/lists/sample-certificates-cancelled-2022/")
        assert response.status == 404
        assert "这个页面已经撤下" in page.inner_text(".jc-gone")
        response = page.goto(url + "/lists/never-was-here/")
        assert response.status == 404 and page.locator(".jc-gone").count() == 0


def test_a_display_period_ends_on_the_site_by_itself(page, site_dirs, settings):
    import datetime

    from cms.publishing.models import SiteBuild
    from cms.publishing.tasks import request_period_builds, run_build
    from cms.signage.models import SignageNoticePage

    settings.JICENG_TODAY = datetime.date(2031, 3, 10)
    notice = SignageNoticePage.objects.get(slug="sample-community-signage-2024")
    notice.display_start, notice.display_end = datetime.date(2031, 3, 1), datetime.date(2031, 3, 10)
    notice.save_revision().publish()
    run_build(SiteBuild.objects.filter(status=SiteBuild.Status.QUEUED).latest("pk").pk)
    with serve_app() as (url, _recorder):
        page.goto(url + "/notices/sample-community-signage-2024/")
        assert "公示中" in page.inner_text(".jc-period")
        settings.JICENG_TODAY = datetime.date(2031, 3, 11)  # midnight passes; no editor does anything
        build = request_period_builds()  # what the scheduler calls every minute
        run_build(build.pk)
        page.goto(url + "/notices/sample-community-signage-2024/")
        assert "公示已结束" in page.inner_text(".jc-period")


def results(page, url, query):
    page.goto(f"{url}/search/?q={quote(query)}")
    page.wait_for_selector(".jc-result__link", timeout=15000)
    return [urlsplit(h).path for h in page.eval_on_selector_all(".jc-result__link", "els => els.map(e => e.href)")]


@pytest.mark.parametrize("query", ["居住證明", "紅色物業", "juzhu zhengming", "jzzm", "hongse wuye", "JZZM"])
def test_traditional_characters_and_pinyin_find_simplified_pages(page, app_url, query):
    url, _recorder = app_url
    found = results(page, url, query)
    expected = (
        "/cases/hefei-red-property/"
        if query in ("紅色物業", "hongse wuye")
        else ("/lists/sample-certificates-cancelled-2024/")
    )
    assert expected in found, found


def test_a_superseded_list_is_marked_and_ranks_below_its_replacement(page, app_url):
    url, _recorder = app_url
    found = results(page, url, "死亡证明")  # in both versions of the list
    new, old = "/lists/sample-certificates-cancelled-2024/", "/lists/sample-certificates-cancelled-2022/"
    assert found.index(new) < found.index(old)
    flags = page.eval_on_selector_all(
        ".jc-result", "els => els.map(e => [new URL(e.querySelector('a').href).pathname, e.innerText])"
    )
    texts = dict(flags)
    assert "已被替代" in texts[old] and "已被替代" not in texts[new]


def test_excerpts_never_repeat_what_the_result_shows(page, app_url):
    url, _recorder = app_url
    results(page, url, "居住证明")
    for item in page.query_selector_all(".jc-result"):
        line = item.query_selector(".jc-result__row")
        excerpt = item.query_selector(".jc-result__excerpt")
        if line and excerpt:
            shown = line.inner_text().split("：", 1)[1].strip().rstrip("…")
            assert shown and shown not in excerpt.inner_text(), (shown, excerpt.inner_text())


def test_each_filter_label_sits_by_its_own_control_on_a_phone(page, app_url):
    url, _recorder = app_url
    results(page, url, "证明")
    for control in ("#jc-kind", "#jc-region", "#jc-rows"):
        label = page.locator(f"label[for='{control[1:]}']")
        box, own = page.locator(control).bounding_box(), label.bounding_box()
        assert own["x"] + own["width"] <= 360 and box["x"] + box["width"] <= 360
        # Same line, side by side, and no other control sits between the label and its own.
        assert abs((own["y"] + own["height"] / 2) - (box["y"] + box["height"] / 2)) < 12, control
        gap = box["x"] - (own["x"] + own["width"]) if box["x"] > own["x"] else own["x"] - (box["x"] + box["width"])
        assert 0 <= gap < 24, (control, gap)


def test_larger_text_persists_and_is_usable_by_keyboard(page, app_url):
    url, _recorder = app_url
    page.goto(url + "/lists/sample-certificates-cancelled-2024/")
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.md-typeset')).fontSize)")
    line = page.evaluate(
        "(() => { const s = getComputedStyle(document.querySelector('.md-typeset p'));"
        " return parseFloat(s.lineHeight) / parseFloat(s.fontSize); })()"
    )
    assert line >= 1.3
    page.focus("[data-jc-textsize]")
    page.keyboard.press("Enter")
    assert page.get_attribute("[data-jc-textsize]", "aria-pressed") == "true"
    larger = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.md-typeset')).fontSize)")
    assert larger >= size * 1.2
    page.goto(url + "/cases/hefei-red-property/")  # another page, later: still larger
    assert page.evaluate("document.documentElement.classList.contains('jc-large')")
    assert page.inner_text("[data-jc-textsize]") == "标准字号"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click("[data-jc-textsize]")
    page.reload()
    assert not page.evaluate("document.documentElement.classList.contains('jc-large')")


# Every page type in the larger-text mode (test_pages checks the standard mode), and the 404 in both.
AUDITS = [(path, True) for path in PAGES.values()] + [("/no-such-page/", False), ("/no-such-page/", True)]


@pytest.mark.parametrize(("path", "large"), AUDITS)
def test_every_page_type_passes_axe_in_both_text_modes(browser, app_url, path, large):
    url, _recorder = app_url
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(url + "/")
        page.evaluate(f"localStorage.setItem('jc-large-text', '{int(large)}')")
        page.goto(url + path)
        if "?q=" in path:
            page.wait_for_selector(".jc-result__link", timeout=15000)
        assert page.evaluate("document.documentElement.classList.contains('jc-large')") == large
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']})"
        )
        serious = [
            (v["id"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], (path, serious)
        assert result["passes"]
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    finally:
        context.close()


def test_the_larger_text_button_is_on_every_page(page, seeded_site):
    missing = [
        p.relative_to(seeded_site).as_posix()
        for p in Path(seeded_site).rglob("index.html")
        if "data-jc-textsize" not in p.read_text(encoding="utf-8")
        and 'http-equiv="refresh"' not in p.read_text(encoding="utf-8")
    ]
    assert missing == []
