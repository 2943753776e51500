"""Residents search in Chinese on a phone-sized screen, in a real browser, with nothing fetched from elsewhere."""

from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from django.conf import settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def search(page, site_url, query):
    page.goto(f"{site_url}/search/?q={quote(query)}")
    page.wait_for_selector(".pagefind-ui__result-link", timeout=15000)
    return [
        urlsplit(href).path
        for href in page.eval_on_selector_all(".pagefind-ui__result-link", "els => els.map(e => e.href)")
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("红色物业", "/cases/hefei-red-property/"),
        ("物业", "/cases/hefei-red-property/"),
        ("群众点单", "/cases/ziyun-three-orders/"),
        ("居住证明", "/lists/sample-certificates-cancelled-2024/"),
        ("死亡证明", "/lists/sample-certificates-cancelled-2024/"),
    ],
)
def test_chinese_queries_find_the_right_pages(page, site_url, query, expected):
    assert expected in search(page, site_url, query)


def all_results(page, site_url, query, filters=None):
    """Every result of the Pagefind engine for a query, as URL paths (not only the first screen)."""
    page.goto(site_url + "/search/")
    script = """async ([q, f]) => {
        const pagefind = await import("/pagefind/pagefind.js");
        const search = await pagefind.search(q, f ? {filters: f} : {});
        const data = await Promise.all(search.results.map(r => r.data()));
        return data.map(d => d.url);
    }"""
    return page.evaluate(script, [query, filters])


def test_practice_names_find_every_case_that_names_them(page, site_url):
    results = all_results(page, site_url, "党支部")
    for slug in ("shangdang-burden-reduction", "yingze-jinsong-community", "laiwu-one-artery-four-links"):
        assert f"/cases/{slug}/" in results


@pytest.mark.parametrize("query", ["网格", "网格员"])
def test_short_terms_find_every_case_that_mentions_them(page, site_url, query):
    # Pagefind 1.6 segments the index with ICU4X like the browser segments the query; with 1.5's jieba index
    # the browser split 网格 into 网|格 and this query found 1 case of 8.
    results = all_results(page, site_url, query)
    mentioning = sorted(
        p.stem for p in (Path(settings.BASE_DIR) / "content" / "cases").glob("*.md") if query in p.read_text()
    )
    assert len(mentioning) >= 4
    found = {u.split("/")[2] for u in results if u.startswith("/cases/")}
    assert set(mentioning) <= found


def test_filters_by_kind_and_region(page, site_url):
    lists_only = all_results(page, site_url, "证明", {"类别": "清单"})
    assert lists_only and all(url.startswith("/lists/") for url in lists_only)
    in_hefei = all_results(page, site_url, "物业", {"地区": "合肥市"})
    assert in_hefei == ["/cases/hefei-red-property/"]


@pytest.mark.parametrize(("query", "row"), [("居住证明", "item-2"), ("死亡证明", "item-4")])
def test_a_certificate_query_links_to_its_row_in_the_list(page, site_url, query, row):
    page.goto(f"{site_url}/search/?q={quote(query)}")
    page.wait_for_selector(".pagefind-ui__result-link", timeout=15000)
    hrefs = page.eval_on_selector_all(
        ".pagefind-ui__result-title .pagefind-ui__result-link", "els => els.map(e => e.href)"
    )
    assert f"{site_url}/lists/sample-certificates-cancelled-2024/#{row}" in hrefs


def test_search_from_the_home_page_form(page, site_url):
    page.goto(site_url + "/")
    page.fill("#jc-q", "红色物业")
    page.click(".jc-search button")
    page.wait_for_selector(".pagefind-ui__result-link", timeout=15000)
    assert "/search/" in page.url


def test_nothing_is_requested_from_another_host(page, site_url):
    search(page, site_url, "物业")
    page.goto(site_url + "/cases/hefei-red-property/")
    page.wait_for_load_state("networkidle")
    foreign = [url for url in page.requests if not url.startswith(site_url) and not url.startswith("data:")]
    assert foreign == []
    assert [e for e in page.errors if "Content Security Policy" in e] == []  # search works under our CSP


def test_list_page_fits_a_360px_phone(page, site_url):
    page.goto(site_url + "/lists/sample-certificates-cancelled-2024/#item-2")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.is_visible("#item-2")
    assert "居住证明" in page.inner_text("#item-2")
