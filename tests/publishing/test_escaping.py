"""Hostile editor input is shown as text on the site: never HTML, script, Markdown structure or template."""

import html as html_lib
import re
from html.parser import HTMLParser

import pytest

from cms.cases.models import CaseKeyFigure, CasePractice, CaseStudyIndexPage, CaseStudyPage
from cms.core.models import Region
from cms.lists.models import DutyListIndexPage, DutyListPage, ListItem
from cms.publishing.build import build_site
from cms.publishing.escape import block, inline, safe_url

from ..conftest import read_page, search_records

pytestmark = pytest.mark.django_db

HOSTILE = [
    "<script>alert('x')</script>",
    "</title><img src=x onerror=alert(1)>",
    "{{ config.site_name }} {% include 'x' %}",
    "[点我](javascript:alert(1))",
    "**粗体** _斜体_ `代码`",
    "---\ntitle: 注入\n---",
    "# 伪标题",
    "| 伪 | 表格 |",
    "&lt;b&gt;实体&lt;/b&gt;",
    "1. 伪列表",
    "<!-- 注释",
    "{: .injected }",
    "正常\u202e文字\u200b",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_inline_escape_leaves_no_markdown_or_html_special(value):
    escaped = inline(value)
    assert "\n" not in escaped
    assert not re.search(r"[<>*_`\[\]{}|#]", escaped.replace("&#", ""))
    assert "\u202e" not in escaped and "\u200b" not in escaped


def test_block_keeps_lines_as_breaks():
    assert block("第一行\n<b>第二行</b>") == "第一行<br>\n&#60;b&#62;第二行&#60;/b&#62;"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "//evil.example/x", "ftp://x/y", " "])
def test_only_http_urls_become_links(url):
    assert safe_url(url) == ""


def test_hostile_fields_are_inert_in_the_built_site(site_dirs):
    evil = " ".join(HOSTILE)
    region = Region.objects.create(name="<b>恶意地区</b>{{x}}", slug="evil-region", level=Region.Level.PROVINCE)
    case = CaseStudyPage(
        title="恶意标题 " + evil[:200],
        slug="evil-case",
        region=region,
        summary=evil,
        source_publisher=evil[:190],
        source_url='https://example.org/"><script>alert(1)</script>',
    )
    case.practices = [CasePractice(name="<img src=x onerror=alert(2)>", description=evil)]
    case.key_figures = [CaseKeyFigure(label="<script>alert(3)</script>", value=1, unit="<i>个</i>")]
    case.body = [("heading", evil[:100]), ("paragraph", evil), ("quote", {"text": evil, "attribution": "<b>x</b>"})]
    CaseStudyIndexPage.objects.get().add_child(instance=case)
    case.themes.add("<script>主题</script>")
    case.save_revision().publish()
    duty = DutyListPage(title="恶意清单", slug="evil-list", region=region, list_kind="duties_by_law", intro=evil)
    duty.items = [ListItem(number=1, name="<script>alert(4)</script>", content=evil, category="| 类 |")]
    DutyListIndexPage.objects.get().add_child(instance=duty)
    duty.save_revision().publish()

    src, site = site_dirs
    build_site()  # builds with --strict: hostile text must not break the build either
    pages = [
        read_page(site, "cases/evil-case"),
        read_page(site, "lists/evil-list"),
        read_page(site, "regions/evil-region"),
    ]
    pages.append(read_page(site, ""))
    for html in pages:
        for raw in (
            "<script>alert",
            "<img src=x",
            "<b>恶意",
            'href="javascript',
            "<!-- 注释",
            "<em>斜体",
            "<strong>粗体",
            "<code>代码",
        ):
            assert raw not in html, raw
        assert "injected" not in " ".join(re.findall(r'class="([^"]*)"', html))
        assert "\u202e" not in html and "\u200b" not in html.split("<body", 1)[1].split("data-search-body")[0]
    case_html = pages[0]
    heading = html_lib.unescape(re.search(r"<h1[^>]*>(.*?)</h1>", case_html, re.S).group(1))
    # The reader sees exactly what the editor typed, as text.
    assert "<script>alert('x')</script>" in heading
    assert "{{ config.site_name }} {% include 'x' %}" in heading
    assert "[点我](javascript:alert(1))" in heading
    title = re.search(r"<title>(.*?)</title>", case_html, re.S).group(1)
    assert "<" not in title and "&lt;script&gt;" in title
    hrefs = [a.get("href") for a in Links.parse(case_html) if a.get("rel") == "nofollow noopener"]
    assert hrefs == ['https://example.org/"><script>alert(1)</script>']
    # Front matter could not be broken: the page kept our own meta and is indexed as a case.
    record = next(r for r in search_records(site) if r["url"] == "/cases/evil-case/")
    assert record["kind"] == "case"
    assert "<script>alert('x')</script>" in record["content"].replace("\u200b", "")  # searchable as plain text


class Links(HTMLParser):
    """Collects the attributes of every <a> in a page, entity-decoded as a browser would."""

    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs))

    @classmethod
    def parse(cls, html):
        parser = cls()
        parser.feed(html)
        return parser.links
