"""The site built from content/: pages, navigation, lists, regions, themes, search index and serving."""

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from django.test import Client, override_settings

from ..conftest import article, read_page, search_records

pytestmark = pytest.mark.django_db

CASES = [
    "shangdang-burden-reduction",
    "xinpu-red-property",
    "ziyun-three-orders",
    "guanling-four-forces",
    "anshun-etdz-smart-community",
    "yingze-jinsong-community",
    "hefei-red-property",
    "laiwu-one-artery-four-links",
]


def test_every_published_item_has_a_page_and_the_site_is_chinese(seeded_site):
    for slug in CASES:
        html = read_page(seeded_site, f"cases/{slug}")
        assert '<html lang="zh"' in html
    for path in ("", "cases", "lists", "notices", "regions", "themes", "search"):
        assert (seeded_site / path / "index.html").exists(), path
    assert "【示例】示例社区“两标三牌”清理情况公示" in read_page(seeded_site, "notices/sample-community-signage-2024")


def test_navigation_offers_kind_region_and_theme(seeded_site):
    html = read_page(seeded_site, "")
    tabs = re.findall(r'class="md-tabs__link[^"]*"[^>]*>\s*([^<]+?)\s*<', html)
    assert tabs[:8] == ["首页", "经验案例", "清单", "两标三牌公示", "案例合集", "按地区", "按主题", "搜索"]


def test_case_page_shows_structured_facts_and_citation(seeded_site):
    html = read_page(seeded_site, "cases/hefei-red-property")
    assert "“红色物业”" in html
    assert "<strong>887</strong>个" in html
    assert "中国城市报 · 2021-06-14 · 第21版（城市党建） · 记者 郭文治 孟航" in html
    assert "http://127.0.0.1:8000/cases/hefei-red-property/" in html
    assert 'href="../../regions/anhui/"' in html and 'href="../../themes/%E7%89%A9%E4%B8%9A/"' in html


def test_list_page_is_a_table_of_linkable_rows_with_the_way_instead(seeded_site):
    html = read_page(seeded_site, "lists/sample-certificates-cancelled-2024")
    assert '<tr id="item-2">' in html
    row = re.search(r'<tr id="item-2">(.*?)</tr>', html, re.S).group(1)
    assert "居住证明" in row and "派出所" in row and 'data-label="现在怎么办"' in row
    assert "本清单替代旧版" in html and "../sample-certificates-cancelled-2022/" in html
    old = read_page(seeded_site, "lists/sample-certificates-cancelled-2022")
    assert "本清单已被新版替代" in old and "../sample-certificates-cancelled-2024/" in old
    assert "示民发〔2024〕1号" in html  # disclosure block


def test_region_pages_gather_everything_below_them(seeded_site):
    province = article(read_page(seeded_site, "regions/shanxi"))
    assert "上党区" in province and "劲松社区" in province
    community = article(read_page(seeded_site, "regions/sample-community"))
    assert "两标三牌" in community
    district = article(read_page(seeded_site, "regions/sample-district"))
    current = district.index("2024版）")
    superseded = district.index("（已被替代）")
    assert current < superseded  # current version first, the old one marked


def test_theme_pages_list_their_cases(seeded_site):
    html = article(read_page(seeded_site, "themes/物业"))
    assert "hefei-red-property" in html and "xinpu-red-property" in html
    assert "laiwu-one-artery-four-links" not in html


def test_search_index_covers_content_pages_only_with_filters(seeded_site):
    records = {r["url"]: r for r in search_records(seeded_site)}
    assert {f"/cases/{slug}/" for slug in CASES} <= set(records)
    assert "/search/" not in records and "/" not in records
    hefei = records["/cases/hefei-red-property/"]
    assert "红色物业" in hefei["content"]
    assert hefei["kind"] == "case" and hefei["label"] == "经验案例" and "合肥市" in hefei["places"]
    assert "物业" in hefei["content"]  # its themes are text it is found by
    certificates = records["/lists/sample-certificates-cancelled-2024/"]
    assert "居住证明" in certificates["content"] and "居住证明" in certificates["rows"]["item-2"]
    # What repeats without helping a search stays out of the index: column headings, the citation block.
    assert "现在怎么办" not in certificates["content"]
    assert "本页：" not in hefei["content"]


def test_no_page_loads_anything_from_another_host(seeded_site):
    pattern = re.compile(r'(?:src|href)="(?:https?:)?//(?!127\.0\.0\.1)', re.I)
    for page in Path(seeded_site).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:script|link|img|iframe|source)\b[^>]*>", text):
            assert not pattern.search(tag), (page, tag)
    for css in Path(seeded_site).rglob("*.css"):
        assert not re.search(r"url\((['\"]?)(https?:)?//", css.read_text(encoding="utf-8")), css
        assert "@import" not in css.read_text(encoding="utf-8") or "//" not in css.read_text(encoding="utf-8")


def test_the_cms_serves_the_built_site_and_directory_indexes(seeded_site):
    with override_settings(SITE_OUTPUT_DIR=seeded_site):
        client = Client()
        home = client.get("/")
        assert home.status_code == 200
        assert "基层 · 社区治理公开平台" in b"".join(home.streaming_content).decode()
        listing = client.get("/cases/")
        assert listing.status_code == 200
        assert "hefei-red-property" in b"".join(listing.streaming_content).decode()
        assert client.get("/admin/login/").status_code == 200


def test_every_internal_link_resolves(seeded_site):
    """A crawl of every built page: each relative link must land on a file of the site."""
    broken = []
    for page in Path(seeded_site).rglob("*.html"):
        for href in re.findall(r'href="([^"#?]+)', page.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:|^//", href):
                continue
            base = Path(seeded_site) if href.startswith("/") else page.parent
            target = (base / unquote(href).lstrip("/")).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append((str(page.relative_to(seeded_site)), href))
    assert broken == []


def test_a_community_page_answers_what_does_my_community_do(seeded_site):
    html = read_page(seeded_site, "regions/sample-community")
    glance = article(html).split("本社区一览", 1)[1]
    # Every current list that applies (the district's lists apply to its communities), with its count…
    for slug in ("certificates-cancelled-2024", "certificates-issued-2024", "duties-by-law-2024"):
        assert f"lists/sample-{slug}/" in glance
    assert "sample-certificates-cancelled-2022" not in glance  # superseded lists are not "what we do now"
    # …and for certificates no longer issued, where to go instead, each linking to its row.
    assert "现在去哪里办" in glance
    assert 'href="../../lists/sample-certificates-cancelled-2024/#item-2"' in glance
    assert "居住证明" in glance


def test_a_community_without_content_of_its_own_still_has_a_page(site_dirs, settings):
    """A resident looks for their own community: it gets a page with the lists that apply to it from above."""
    from cms.core.models import Region
    from cms.publishing.build import build_site

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default", "site"]}}
    street = Region.objects.get(slug="sample-street")
    Region.objects.create(name="示例第二社区", slug="sample-community-two", level=Region.Level.COMMUNITY, parent=street)
    build_site()
    site = site_dirs[1]
    glance = article(read_page(site, "regions/sample-community-two")).split("本社区一览", 1)[1]
    assert "lists/sample-certificates-cancelled-2024/" in glance and "居住证明" in glance
    assert "regions/sample-community-two/" in read_page(site, "regions/sample-street").replace("../", "regions/")
    assert "sample-community-two" in read_page(site, "regions")
    # A place with neither content nor lists above it gets no empty page.
    Region.objects.create(name="无内容的社区", slug="empty-community", level=Region.Level.COMMUNITY, parent=None)
    build_site()
    assert not (site / "regions" / "empty-community").exists()


def test_qr_codes_are_kept_on_disk_and_read_back_identical(tmp_path):
    """A new process makes no QR code a previous build made: it reads the same SVG back."""
    from cms.publishing.cache import QrCodes
    from cms.publishing.markdown import make_qr_svg

    url = "https://example.org/cases/hefei-red-property/"
    first = QrCodes()
    first.folder = tmp_path / ".cache" / "qr"
    svg = first(url)
    assert svg == make_qr_svg(url) and svg.startswith("<svg")
    [stored] = list(first.folder.glob("*.svg"))
    stored.write_text(svg.replace("本页二维码", "从磁盘读回"), encoding="utf-8")  # prove the next one reads it
    second = QrCodes()
    second.folder = first.folder
    assert "从磁盘读回" in second(url)


def test_qr_codes_of_a_full_build_are_made_side_by_side_and_equal_one_by_one(tmp_path):
    """A full build in a new process makes its codes on the build's worker processes: the same SVG as made
    one by one, each kept on disk; codes already on disk are not made again."""
    from cms.publishing.cache import QrCodes
    from cms.publishing.markdown import make_qr_svg

    urls = [f"https://example.org/cases/case-{n:04d}/" for n in range(600)]
    codes = QrCodes()
    codes.folder = tmp_path / "qr"
    codes(urls[0])
    kept = next(codes.folder.glob("*.svg"))
    kept.write_text("<svg>kept</svg>", encoding="utf-8")
    codes.prepare(urls, workers=2)
    assert len(list(codes.folder.glob("*.svg"))) == 600
    assert all(codes.path(url).read_text(encoding="utf-8") == make_qr_svg(url) for url in urls[1::97])
    assert codes(urls[0]) == "<svg>kept</svg>" and not codes.memory
