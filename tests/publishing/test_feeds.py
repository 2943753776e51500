"""Feeds (RSS, Atom, JSON Feed), sitemap and robots.txt of the built site: public content only, well-formed."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from cms.cases.models import CaseStudyPage
from cms.publishing.build import build_site

from ..conftest import make_case, sitemap_urls

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def feeds(site):
    site = Path(site)
    rss = ET.fromstring((site / "feed.xml").read_bytes())
    atom = ET.fromstring((site / "atom.xml").read_bytes())
    data = json.loads((site / "feed.json").read_text(encoding="utf-8"))
    return rss, atom, data


def test_feeds_list_new_cases_lists_and_notices_newest_first(seeded_site):
    rss, atom, data = feeds(seeded_site)
    items = rss.findall("channel/item")
    links = [i.findtext("link") for i in items]
    assert any("/cases/hefei-red-property/" in link for link in links)
    assert any("/lists/sample-certificates-cancelled-2024/" in link for link in links)
    dates = [i.findtext("pubDate") for i in items]
    assert len(items) == len(set(links)) == 8 + 6 + 1
    cats = {i.findtext("category") for i in items}
    assert cats == {"经验案例", "清单", "两标三牌公示"}
    superseded = next(i for i in items if i.findtext("link").endswith("sample-certificates-cancelled-2022/"))
    assert "已被替代" in superseded.findtext("description")
    assert dates[0].endswith("+0800")
    # Atom and JSON Feed carry the same entries, in the same order.
    assert [e.find(f"{ATOM}link").get("href") for e in atom.findall(f"{ATOM}entry")] == links
    assert [i["url"] for i in data["items"]] == links
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    updated = [e.findtext(f"{ATOM}updated") for e in atom.findall(f"{ATOM}entry")]
    assert updated == sorted(updated, reverse=True)


def test_each_feed_item_names_its_publishing_organisation_never_a_person(seeded_site):
    rss, atom, data = feeds(seeded_site)
    dc = "{http://purl.org/dc/elements/1.1/}creator"
    by_link = {i.findtext("link").rsplit("/", 2)[-2]: i for i in rss.findall("channel/item")}
    listed = by_link["sample-certificates-issued-2024"]
    assert listed.findtext(dc) == "示例区民政局" and "发布机构：示例区民政局" in listed.findtext("description")
    assert by_link["sample-community-signage-2024"].findtext(dc) == "示例街道办事处"
    assert by_link["hefei-red-property"].find(dc) is None  # a case from the newspaper: no body published it here
    entry = next(
        e for e in atom.findall(f"{ATOM}entry") if "sample-certificates-issued-2024" in e.findtext(f"{ATOM}id")
    )
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "示例区民政局"
    item = next(i for i in data["items"] if "sample-certificates-issued-2024" in i["url"])
    assert item["authors"] == [{"name": "示例区民政局"}]


def test_the_home_page_links_the_feeds_and_the_sitemap_lists_every_item(seeded_site):
    html = (Path(seeded_site) / "index.html").read_text(encoding="utf-8")
    for name, kind in (("feed.xml", "rss"), ("atom.xml", "atom"), ("feed.json", "feed+json")):
        assert f'<a href="{name}" type="application/{kind}' in html  # a visible link on the home page
    assert 'rel="alternate"' not in html  # Material would fetch the whole sitemap for each such link
    urls = sitemap_urls(seeded_site)
    assert len(urls) == len(set(urls)) == len(list(Path(seeded_site).rglob("index.html"))) - redirects(seeded_site)
    assert any(url.endswith("/cases/hefei-red-property/") for url in urls)
    assert any(url.endswith("/lists/sample-certificates-cancelled-2024/") for url in urls)
    robots = (Path(seeded_site) / "robots.txt").read_text(encoding="utf-8")
    assert "Sitemap: http" in robots and robots.rstrip().endswith("sitemap.xml")


def redirects(site):
    """Pages that only forward to a page's new address (not in the sitemap)."""
    return sum('http-equiv="refresh"' in p.read_text(encoding="utf-8") for p in Path(site).rglob("index.html"))


def test_the_sitemap_is_an_index_of_files_a_change_rewrites_one_of():
    from cms.publishing.cache import Memo
    from cms.publishing.sitemap import PER_FILE, sitemap_files

    memo = Memo()
    pages = [f"cases/case-{n:05d}.md" for n in range(5000)] + ["index.md", "cases/index.md"]
    files = sitemap_files("https://jiceng.example/", pages, memo)
    parts = sorted(rel for rel in files if rel.startswith("sitemaps/"))
    assert len(parts) == 4 and all(files[rel].count("<url>") <= PER_FILE for rel in parts)
    listed = [line for rel in parts for line in files[rel].splitlines() if line.startswith("<url>")]
    assert len(listed) == len(set(listed)) == 5002
    assert "<loc>https://jiceng.example/</loc>" in "".join(listed)
    assert "<loc>https://jiceng.example/cases/case-00042/</loc>" in "".join(listed)
    for rel in parts:
        ET.fromstring(files[rel].encode())
    assert ET.fromstring(files["sitemap.xml"].encode()).tag.endswith("sitemapindex")
    again = sitemap_files("https://jiceng.example/", pages + ["cases/new.md"], memo)
    assert len([rel for rel in parts if again[rel] is not None]) == 1
    unchanged = sitemap_files("https://jiceng.example/", pages + ["cases/new.md"], memo)
    assert [rel for rel, text in unchanged.items() if text is not None] == ["sitemap.xml"]


def test_drafts_never_reach_a_feed_and_hostile_titles_stay_text(site_dirs):
    case = CaseStudyPage.objects.get(slug="xinpu-red-property")
    case.title = 'A <script>alert(1)</script> ]]> &amp; "q" \u202e标题'
    case.save_revision().publish()
    # A control character the gate now refuses, as older data may hold it: it still leaves nothing behind.
    CaseStudyPage.objects.filter(pk=case.pk).update(title=case.title.replace("q", "q\x07"))
    draft = CaseStudyPage.objects.get(slug="guanling-four-forces")
    draft.title = "草稿标题不应出现"
    draft.save_revision()  # saved, not published
    CaseStudyPage.objects.get(slug="hefei-red-property").unpublish()
    build_site()
    rss, atom, data = feeds(site_dirs[1])
    titles = [i.findtext("title") for i in rss.findall("channel/item")]
    assert 'A <script>alert(1)</script> ]]> &amp; "q" 标题' in titles  # parsed back to the text, nothing more
    assert "草稿标题不应出现" not in json.dumps(data, ensure_ascii=False)
    everything = "".join((Path(site_dirs[1]) / n).read_text(encoding="utf-8") for n in ("feed.xml", "atom.xml"))
    assert "hefei-red-property" not in everything + json.dumps(data)
    assert "<script>" not in everything


def test_the_feeds_pick_the_newest_items_as_a_walk_over_every_entry_would(site_dirs):
    """The feeds take the items ranked newest by their kept ranks: the same items, in the same order, as
    making every entry's feed item and keeping the newest."""
    from cms.core.kinds import kinds
    from cms.publishing.context import SiteContext
    from cms.publishing.export import export_snapshot
    from cms.publishing.feeds import FEED_SIZE, newest
    from cms.publishing.render import feed_entries

    for n in range(FEED_SIZE + 5):  # more than a feed holds
        make_case(f"feed-many-{n:02d}", f"第{n}个案例", region="laiwu")
    site = SiteContext(export_snapshot(), "https://example.org/")
    every = [item for kind in kinds() for entry in site.entries(kind) for item in kind.feed_entries(site, [entry])]
    assert len(every) > FEED_SIZE
    assert feed_entries(site) == newest(every)
