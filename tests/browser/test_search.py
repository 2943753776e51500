"""Residents search in Chinese on a phone-sized screen, in a real browser, with nothing fetched from elsewhere."""

import json
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from django.conf import settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def search(page, site_url, query, **params):
    extra = "".join(f"&{k}={quote(v)}" for k, v in params.items())
    page.goto(f"{site_url}/search/?q={quote(query)}{extra}")
    page.wait_for_selector(".jc-result__link", timeout=15000)
    return [
        urlsplit(href).path for href in page.eval_on_selector_all(".jc-result__link", "els => els.map(e => e.href)")
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


def all_results(page, site_url, query, filters=None, include_stale=False):
    """Every result of the search engine for a query, as URL paths (not only the first screen)."""
    page.goto(site_url + "/search/")
    script = """async ([q, f, stale]) => {
        const results = await window.JcSearch.search(q, {filters: f || {}, includeStale: stale});
        const data = await Promise.all(results.map(r => r.data()));
        return data.map(d => d.u);
    }"""
    return page.evaluate(script, [query, filters, include_stale])


def test_practice_names_find_every_case_that_names_them(page, site_url):
    results = all_results(page, site_url, "党支部")
    for slug in ("shangdang-burden-reduction", "yingze-jinsong-community", "laiwu-one-artery-four-links"):
        assert f"/cases/{slug}/" in results


@pytest.mark.parametrize("query", ["网格", "网格员"])
def test_short_terms_find_every_case_that_mentions_them(page, site_url, query):
    # The index and the query are split into character pairs by the same rules, so no dictionary can
    # disagree on where a word ends (Pagefind 1.5's jieba index once found 1 case of 8 here).
    results = all_results(page, site_url, query)
    mentioning = sorted(
        p.stem for p in (Path(settings.BASE_DIR) / "content" / "cases").glob("*.md") if query in p.read_text()
    )
    assert len(mentioning) >= 4
    found = {u.split("/")[2] for u in results if u.startswith("/cases/")}
    assert set(mentioning) <= found


def test_filters_by_kind_and_region(page, site_url):
    lists_only = all_results(page, site_url, "证明", {"kind": "list"})
    assert lists_only and all(url.startswith("/lists/") for url in lists_only)
    in_hefei = all_results(page, site_url, "物业", {"region": "hefei"})
    assert in_hefei == ["/cases/hefei-red-property/"]


@pytest.mark.parametrize(("query", "row"), [("居住证明", "item-2"), ("死亡证明", "item-4")])
def test_a_certificate_query_links_to_its_row_in_the_list(page, site_url, query, row):
    page.goto(f"{site_url}/search/?q={quote(query)}")
    page.wait_for_selector(".jc-result__link", timeout=15000)
    hrefs = page.eval_on_selector_all(".jc-result__link", "els => els.map(e => e.href)")
    assert f"{site_url}/lists/sample-certificates-cancelled-2024/#{row}" in hrefs
    # The row opens from the result: the resident lands on it, highlighted, on a phone.
    page.click(f"a[href$='sample-certificates-cancelled-2024/#{row}']")
    page.wait_for_url(f"**/lists/sample-certificates-cancelled-2024/#{row}")
    assert page.is_visible(f"#{row}")
    assert query in page.inner_text(f"#{row}")
    assert page.eval_on_selector(f"#{row}", "e => getComputedStyle(e).backgroundColor") == "rgb(255, 246, 214)"


def test_filters_in_the_search_form(page, site_url):
    cases = search(page, site_url, "证明", kind="case")
    assert cases and all(url.startswith("/cases/") for url in cases)
    rows = search(page, site_url, "证明", rows="1")
    assert rows and all(url.startswith("/lists/") for url in rows)
    assert all("#item-" in h for h in page.eval_on_selector_all(".jc-result__link", "els => els.map(e => e.href)"))
    # Regions come from the index; picking one narrows the results and is kept in the address.
    assert len(search(page, site_url, "物业")) > 1
    page.focus("#jc-region")
    page.select_option("#jc-region", label="合肥市（1）")
    page.wait_for_url("**region=*")
    page.locator(".jc-result__link").nth(1).wait_for(state="detached")
    assert page.locator(".jc-result__link").count() == 1
    assert page.eval_on_selector(".jc-result__link", "e => new URL(e.href).pathname") == "/cases/hefei-red-property/"


def test_no_results_says_so(page, site_url):
    page.goto(f"{site_url}/search/?q={quote('不存在的词语组合乙丙丁')}")
    page.locator("#jc-status", has_text="没有找到结果").wait_for()
    assert page.locator(".jc-result").count() == 0


def test_search_from_the_home_page_form(page, site_url):
    page.goto(site_url + "/")
    page.fill("#jc-q", "红色物业")
    page.click(".jc-search button")
    page.wait_for_selector(".jc-result__link", timeout=15000)
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


def test_an_edit_is_searchable_at_once_and_its_old_text_is_not(page, site_dirs):
    """An edit indexes only a small delta bundle; the base's stale copy of the page must not show."""
    from cms.cases.models import CaseStudyPage
    from cms.publishing.build import build_site

    from .conftest import serve

    build_site()
    site = Path(site_dirs[1])
    case = CaseStudyPage.objects.get(slug="hefei-red-property")
    case.title = "合肥市试点更名的物业治理案例"
    case.summary = "测试用的新摘要：鹦鹉螺议事会。"
    case.save_revision().publish()
    build_site()
    index = json.loads((site / "search-index" / "index.json").read_text())
    base, delta = index["bundles"]
    assert base["path"].startswith("b-") and delta["path"].startswith("d-")
    assert delta["first"] == base["docs"] and delta["docs"] == 2  # the case and the collection showing it
    # The base's copies of both are stale, and gone from the base: records and postings.
    assert len(index["stale"]) == 2
    assert not any((site / "search-index" / base["path"] / "d" / f"{n}.json").exists() for n in index["stale"])
    with serve(site) as url:
        # The case, and the collection that shows its summary (re-rendered with it).
        assert search(page, url, "鹦鹉螺") == [
            "/cases/hefei-red-property/",
            "/collections/red-property-and-burden-reduction/",
        ]
        assert page.inner_text(".jc-result__title") == "合肥市试点更名的物业治理案例"
        # The old title's words are gone from the index altogether: even the raw engine finds nothing…
        old_title = "聚焦问题短板优化社区物业党建联建机制"
        assert "/cases/hefei-red-property/" not in all_results(page, url, old_title, include_stale=True)
        # …and the search page shows nothing under the old title.
        page.goto(f"{url}/search/?q={quote(old_title)}")
        page.locator("#jc-status", has_text="没有找到结果").wait_for()
        titles = page.eval_on_selector_all(".jc-result__title", "els => els.map(e => e.textContent)")
        assert not [t for t in titles if old_title in t]


def test_the_browser_splits_a_query_as_the_index_was_split(page, site_url):
    """Query tokens (JavaScript) must be tokens the indexer (Python) wrote, in the same shard."""
    from cms.publishing.search import normalize, tokens
    from cms.publishing.search_index import shard_of

    texts = ["居住证明", "1+3+N议事协调机制", "ＡＢＣ证明 网格员", "党", "Café 物业", "𠀀𠀁社区", "𬱖"]
    page.goto(site_url + "/search/")
    split = page.evaluate(
        "texts => texts.map(t => { const q = window.JcSearch.tokens(t); return [q.tokens, q.shards]; })", texts
    )
    for text, (query_tokens, shards) in zip(texts, split, strict=True):
        indexed = set(tokens(normalize(text)))
        assert query_tokens and set(query_tokens) <= indexed, (text, query_tokens)
        assert shards == [shard_of(t, 4096) for t in query_tokens], text


def test_a_first_search_downloads_only_what_it_shows(page, site_url):
    """One shard per token, one record per result on screen; the filters' data only once a filter is used."""
    search(page, site_url, "居住证明")
    page.wait_for_load_state("networkidle")
    index = [urlsplit(u).path for u in page.requests if "/search-index/" in urlsplit(u).path]
    shards = [u for u in index if "/s/" in u]
    records = [u for u in index if "/d/" in u]
    assert [u for u in index if u.endswith("index.json")] == ["/search-index/index.json"]
    assert 1 <= len(shards) <= 3  # 居住 住证 证明 (two may share a shard)
    assert len(records) == page.locator(".jc-result").count() <= 6
    assert not [u for u in index if u.endswith("filters.json")]
    page.select_option("#jc-kind", "list")
    page.wait_for_load_state("networkidle")
    assert [u for u in page.requests if u.endswith("filters.json")]
    assert all("/lists/" in h for h in page.eval_on_selector_all(".jc-result__link", "els => els.map(e => e.href)"))


def test_results_mark_the_query_whole_where_it_stands_whole(page, site_url):
    search(page, site_url, "居住证明")
    row = page.eval_on_selector_all(".jc-result__row mark", "els => els.map(e => e.textContent)")
    assert row and set(row) == {"居住证明"}  # not 证明 wherever it occurs, nor the pair 住证
    marks = page.eval_on_selector_all(".jc-result mark", "els => els.map(e => e.textContent)")
    assert all(mark in "居住证明" for mark in marks), marks
