"""Every kind of public page in a real Chromium: accessibility (axe-core), reading without JavaScript, print, share."""

import re
from pathlib import Path

import pytest

from django.conf import settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"

# One page of every type residents and trainers meet.
PAGES = {
    "home": "/",
    "cases": "/cases/",
    "case": "/cases/hefei-red-property/",
    "lists": "/lists/",
    "list": "/lists/sample-certificates-cancelled-2024/",
    "superseded list": "/lists/sample-certificates-cancelled-2022/",
    "notices": "/notices/",
    "notice": "/notices/sample-community-signage-2024/",
    "regions": "/regions/",
    "community": "/regions/sample-community/",
    "themes": "/themes/",
    "collections": "/collections/",
    "collection": "/collections/red-property-and-burden-reduction/",
    "search": "/search/?q=居住证明",
}


def phone_page(browser, **options):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", **options)
    yield context.new_page()
    context.close()


@pytest.fixture
def axe_page(browser):
    # axe is injected as a script of the page, which the site's CSP (rightly) forbids: bypass it for the audit.
    yield from phone_page(browser, bypass_csp=True)


def test_every_page_type_exists(site_url, seeded_site):
    for path in PAGES.values():
        target = Path(seeded_site) / path.split("?")[0].strip("/") / "index.html"
        assert target.exists(), path


@pytest.mark.parametrize("kind", list(PAGES))
def test_no_serious_accessibility_violations(axe_page, site_url, kind):
    page = axe_page
    page.goto(site_url + PAGES[kind])
    if kind == "search":
        page.wait_for_selector(".jc-result__link", timeout=15000)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']})"
    )
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    assert result["passes"], "axe ran no checks"


@pytest.fixture
def no_js_page(browser):
    yield from phone_page(browser, java_script_enabled=False)


def test_pages_read_without_javascript(no_js_page, site_url):
    page = no_js_page
    page.goto(site_url + "/lists/sample-certificates-cancelled-2024/#item-2")
    assert page.is_visible("#item-2")
    assert "居住证明" in page.inner_text("#item-2")
    page.goto(site_url + "/cases/hefei-red-property/")
    assert page.locator("h2", has_text="特色做法").is_visible()
    # Navigation works as plain links: from the home page to a community page.
    page.goto(site_url + "/")
    page.click("article a[href='regions/']")
    assert page.url.endswith("/regions/")
    page.goto(site_url + "/search/")
    assert "按地区浏览" in page.inner_text("article")  # the <noscript> way on


@pytest.mark.parametrize("path", [PAGES["case"], PAGES["list"], PAGES["notice"], PAGES["collection"]])
def test_print_view_is_clean_a4_with_a_qr_code(page, site_url, path):
    page.goto(site_url + path)
    assert not page.is_visible(".jc-qr")  # paper only
    page.emulate_media(media="print")
    assert page.is_visible(".jc-qr svg")
    assert path in page.inner_text(".jc-qr")  # the page's own address, printed under the code
    for chrome in (".md-header", ".md-sidebar--primary", ".md-footer", ".md-tabs"):
        assert not page.is_visible(chrome), chrome
    # A list prints as a table, not as phone cards.
    if path.startswith("/lists/"):
        assert page.eval_on_selector("table.jc-rows thead", "e => getComputedStyle(e).position") == "static"
    pdf = page.pdf(format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 4


def test_share_metadata(page, site_url):
    page.goto(site_url + PAGES["case"])
    meta = page.eval_on_selector_all(
        "meta[property^='og:']", "els => Object.fromEntries(els.map(e => [e.getAttribute('property'), e.content]))"
    )
    assert meta["og:title"].startswith("安徽省合肥市")
    assert "红色物业" in meta["og:description"]
    assert meta["og:url"].endswith("/cases/hefei-red-property/")
    assert meta["og:image"].endswith(".png") or meta["og:image"].endswith(".jpg")


def test_an_old_address_forwards_to_the_renamed_page(page, site_dirs, django_capture_on_commit_callbacks):
    from cms.cases.models import CaseStudyPage
    from cms.publishing.build import build_site

    from .conftest import serve

    case = CaseStudyPage.objects.get(slug="hefei-red-property")
    case.slug = "hefei-red-property-renamed"
    with django_capture_on_commit_callbacks(execute=True):
        case.save_revision().publish()
    build_site()
    with serve(site_dirs[1]) as url:
        page.goto(url + "/cases/hefei-red-property/")
        page.wait_for_url("**/cases/hefei-red-property-renamed/")
        assert page.inner_text("h1").startswith("安徽省合肥市")
