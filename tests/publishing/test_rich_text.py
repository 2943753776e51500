"""Body paragraphs as rich text: bold, italic, links to pages, documents and outside addresses, and lists —
stored as Wagtail's rich text, kept as Markdown in content/ (byte for byte through a backup), shown on the
site through an allowlist, with page links that follow a slug change and fall away when a page goes."""

from pathlib import Path

import pytest

from django.core.files.base import ContentFile
from django.core.management import call_command

from wagtail.blocks.stream_block import StreamValue
from wagtail.documents import get_document_model

from cms.cases.models import CaseStudyPage
from cms.core import richtext
from cms.core.rich_text_migration import convert
from cms.core.validation import instance_errors
from cms.publishing.build import build_site
from cms.publishing.serialize import document_key

from ..conftest import empty_content, read_page

pytestmark = pytest.mark.django_db

PORTABLE = (
    "社区推行**“三单”**工作法，*每月*公开一次，详见[红色物业](id:00000000-0000-0000-0000-000000000001)"
    "和[清单原件](annexes/abc.pdf)，以及[市里的通知](https://example.gov.cn/a%20b)。\n"
    "- 群众点单\n"
    "- 社区派单\n"
    "1. 先登记\n"
    "2. 再办理\n"
    "星号\\*不是强调，\\[方括号\\]也不是链接\n"
    "\\- 不是列表\n"
    "1\\. 也不是"
)


def test_the_portable_markdown_reads_and_writes_back_byte_for_byte():
    tree = richtext.from_portable(PORTABLE)
    assert [kind for kind, _ in tree] == ["p", "ul", "ol", "p", "p", "p"]
    assert richtext.to_portable(tree, str, str) == PORTABLE
    assert richtext.canonical(PORTABLE) == PORTABLE
    assert richtext.plain(PORTABLE).splitlines()[5:] == ["星号*不是强调，[方括号]也不是链接", "- 不是列表", "1. 也不是"]


def test_stored_html_keeps_only_what_a_paragraph_allows():
    source = (
        '<p data-block-key="x1">甲<b>乙</b><span style="color:red">丙</span><script>alert(1)</script>'
        '<a href="javascript:alert(2)">丁</a><a href="https://example.gov.cn/">戊</a>'
        '<a linktype="page" id="7">己</a><i>庚</i></p><h2>辛</h2><ul><li>壬</li></ul><img src=x onerror=alert(3)>'
    )
    assert richtext.to_html(richtext.from_html(source)) == (
        '<p>甲<b>乙</b>丙丁<a href="https://example.gov.cn/">戊</a><a linktype="page" id="7">己</a><i>庚</i></p>'
        "<p>辛</p><ul><li>壬</li></ul>"
    )


def test_old_plain_paragraphs_migrate_to_rich_text():
    raw = [{"type": "paragraph", "value": "第一行 <b>不是标签</b>\n\n第二行 & 符号"}, {"type": "heading", "value": "x"}]
    assert convert(raw)
    assert raw[0]["value"] == "<p>第一行 &lt;b&gt;不是标签&lt;/b&gt;</p><p>第二行 &amp; 符号</p>"
    assert not convert(raw)  # once only


def test_a_paragraph_s_length_is_that_of_its_text():
    case = CaseStudyPage.objects.get(slug="hefei-red-property")
    case.body = [("paragraph", "<p>" + '<a href="https://example.gov.cn/">链接</a>' * 700 + "</p>")]
    assert "body" not in instance_errors(case)  # 1,400 characters of text in 40,000 of HTML
    case.body = [("paragraph", "<p>" + "字" * 5001 + "</p>")]
    assert "不能超过 5000 个字" in " ".join(instance_errors(case)["body"])


def rich_case(document):
    target = CaseStudyPage.objects.get(slug="yingze-jinsong-community")
    case = CaseStudyPage.objects.get(slug="hefei-red-property")
    html = (
        f'<p>社区推行<b>“三单”</b>工作法，<i>每月</i>公开，参见<a linktype="page" id="{target.pk}">劲松社区</a>、'
        f'<a linktype="document" id="{document.pk}">清单原件</a>和<a href="https://example.gov.cn/x">通知</a>'
        '<script>alert(1)</script><a href="javascript:alert(2)">坏链接</a></p>'
        "<ul><li>群众点单</li><li>社区派单</li></ul><ol><li>先登记</li><li>再办理</li></ol>"
    )
    case.body = StreamValue(
        case.body.stream_block, [{"type": "paragraph", "value": html}, *case.body.raw_data], is_lazy=True
    )
    case.save_revision().publish()
    return case, target


def test_rich_text_reaches_the_site_through_the_allowlist_and_links_follow_the_page(site_dirs, tmp_path):
    document = get_document_model().objects.create(title="清单原件", file=ContentFile(b"%PDF-1.4\n%%EOF\n", "q.pdf"))
    case, target = rich_case(document)
    build_site()
    site = Path(site_dirs[1])
    html = read_page(site, "cases/hefei-red-property/")
    assert "<strong>“三单”</strong>" in html and "<em>每月</em>" in html
    assert '<a href="../yingze-jinsong-community/">劲松社区</a>' in html
    key = document_key(document)
    assert f'<a href="../../{key}">清单原件</a>' in html and (site / key).exists()
    assert '<a href="https://example.gov.cn/x">通知</a>' in html
    assert "<li>群众点单</li>" in html and "<ol>" in html and "<li>再办理</li>" in html
    assert "<script>alert" not in html and "javascript:" not in html and "坏链接" in html
    # content/ keeps Markdown, the page by its permanent id.
    folder = tmp_path / "dump"
    call_command("dump_content", str(folder), verbosity=0)
    text = (folder / "cases" / "hefei-red-property.md").read_text(encoding="utf-8")
    assert f"[劲松社区](id:{target.translation_key})" in text and f"[清单原件]({key})" in text
    assert "- 群众点单\n- 社区派单\n1. 先登记\n2. 再办理" in text and "**“三单”**" in text
    # The linked page moves: the link follows it.
    target.slug = "jinsong"
    target.save_revision().publish()
    build_site()
    assert '<a href="../jinsong/">劲松社区</a>' in read_page(site, "cases/hefei-red-property/")
    # It is taken down: the words stay, the link goes.
    CaseStudyPage.objects.get(pk=target.pk).unpublish()
    build_site()
    html = read_page(site, "cases/hefei-red-property/")
    assert "劲松社区" in html and "jinsong/" not in html


def test_a_backup_with_rich_text_restores_its_links_byte_for_byte(site_dirs, settings, tmp_path):
    document = get_document_model().objects.create(title="清单原件", file=ContentFile(b"%PDF-1.4\n%%EOF\n", "q.pdf"))
    rich_case(document)  # hefei-… links to yingze-…, which a restore loads after it
    key = document_key(document)
    first = tmp_path / "first"
    call_command("dump_content", str(first), verbosity=0)
    empty_content()
    call_command("load_content", str(first), "--no-build", verbosity=0)
    case = CaseStudyPage.objects.get(slug="hefei-red-property")
    target = CaseStudyPage.objects.get(slug="yingze-jinsong-community")
    assert f'<a linktype="page" id="{target.pk}">劲松社区</a>' in str(case.body.raw_data)
    second = tmp_path / "second"
    call_command("dump_content", str(second), verbosity=0)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / name).read_bytes() == (second / name).read_bytes() for name in files)
    assert (first / key).read_bytes().startswith(b"%PDF")


def test_a_mask_in_a_paragraph_is_text_not_emphasis():
    from cms.core.personal_data import masked_entry

    entry = {"meta": {}, "blocks": [{"type": "paragraph", "value": "联系13812345678或13987654321。"}]}
    value = masked_entry(entry)["blocks"][0]["value"]
    assert richtext.plain(value) == "联系138****5678或139****4321。"
    assert [kind for kind, _ in richtext.from_portable(value)] == ["p"]
    assert all(run[0] == "text" for run in richtext.from_portable(value)[0][1])
