"""Portable content: idempotent loading, byte-for-byte round trip, and clear all-or-nothing errors."""

import shutil
import uuid
from pathlib import Path

import pytest

from django.core.management import CommandError, call_command

from wagtail.models import Page, Revision

from cms.cases.models import CaseStudyPage
from cms.core.models import Region
from cms.lists.models import DutyListPage
from cms.publishing.loader import Loader
from cms.publishing.portable import blocks_to_markdown, markdown_to_blocks

from ..conftest import CONTENT

pytestmark = pytest.mark.django_db


def files_of(folder):
    folder = Path(folder)
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_content_has_the_eight_seed_cases_and_a_sample_of_every_kind():
    titles = set(CaseStudyPage.objects.live().values_list("region__name", flat=True))
    assert titles == {
        "上党区",
        "新蒲新区",
        "紫云苗族布依族自治县",
        "关岭布依族苗族自治县",
        "安顺经济技术开发区",
        "劲松社区",
        "合肥市",
        "莱芜区",
    }
    kinds = set(DutyListPage.objects.live().values_list("list_kind", flat=True))
    assert {"duties_by_law", "duties_assisting", "certificates_issued", "certificates_cancelled"} <= kinds
    assert all("示例" in title for title in DutyListPage.objects.values_list("title", flat=True))


def test_loading_twice_changes_nothing():
    revisions = Revision.objects.count()
    stats = Loader(CONTENT).run()
    # 8 cases, 6 lists, 1 notice, 1 collection; no region either
    assert stats == {"created": 0, "updated": 0, "unchanged": 16, "regions_created": 0, "regions_updated": 0}
    assert Revision.objects.count() == revisions


def test_dump_right_after_load_reproduces_content_byte_for_byte(tmp_path):
    call_command("dump_content", str(tmp_path / "out"), verbosity=0)
    assert files_of(tmp_path / "out") == files_of(CONTENT)


def test_a_changed_file_updates_only_that_page(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    path = folder / "cases" / "hefei-red-property.md"
    path.write_text(path.read_text(encoding="utf-8").replace("2555", "2600"), encoding="utf-8")
    stats = Loader(folder).run()
    assert (stats["created"], stats["updated"], stats["unchanged"]) == (0, 1, 15)
    page = CaseStudyPage.objects.get(slug="hefei-red-property")
    assert [int(f.value) for f in page.key_figures.all() if f.label == "物业党员从业人员"] == [2600]


@pytest.mark.parametrize(
    ("relpath", "old", "new", "expected"),
    [
        ("cases/hefei-red-property.md", "region: hefei", "region: [unclosed", "YAML 格式错误"),
        ("cases/hefei-red-property.md", "region: hefei", "region: nowhere", "引用的地区“nowhere”不存在"),
        ("cases/hefei-red-property.md", "slug: hefei-red-property", "slug: other", "必须与文件名"),
        (
            "lists/sample-duties-by-law-2024.md",
            "list_kind: duties_by_law",
            "list_kind: wishes",
            "未知的清单类别“wishes”",
        ),
        ("lists/sample-duties-by-law-2024.md", "- number: 2\n", "- number: 1\n", "序号 1 重复"),
        (
            "notices/sample-community-signage-2024.md",
            "removed: 13",
            "removed: 3",
            "清理前挂牌数减去清理数应等于现挂牌数",
        ),
        (
            "cases/hefei-red-property.md",
            "url: ",
            "url: javascript:alert(1)#",
            "原文链接必须以 http:// 或 https:// 开头",
        ),
    ],
)
def test_bad_input_names_file_and_problem_and_saves_nothing(tmp_path, relpath, old, new, expected):
    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    # A new case that would be created before the bad file is reached must not survive the error.
    new_case = (folder / "cases" / "hefei-red-property.md").read_text(encoding="utf-8")
    new_case = new_case.replace("slug: hefei-red-property", "slug: aaa-new-case").replace(
        "id: f2cf2003-a49c-5ef6-bdd0-25d7a925b6a9", f"id: {uuid.uuid4()}"
    )
    (folder / "cases" / "aaa-new-case.md").write_text(new_case, encoding="utf-8")
    path = folder / relpath
    text = path.read_text(encoding="utf-8")
    if old == "url: " and "url: " not in text:
        text = text.replace("  publisher: 中国城市报\n", "  publisher: 中国城市报\n  url: x\n")
        old = "url: x"
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    pages, regions = Page.objects.count(), Region.objects.count()
    with pytest.raises(CommandError) as exc:
        call_command("load_content", str(folder), verbosity=0)
    message = str(exc.value)
    assert "未保存任何内容" in message
    assert expected in message
    assert relpath.split("/")[-1] in message
    assert Page.objects.count() == pages and Region.objects.count() == regions
    assert not CaseStudyPage.objects.filter(slug="aaa-new-case").exists()


def test_yaml_errors_give_line_and_column(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    path = folder / "cases" / "hefei-red-property.md"
    path.write_text(path.read_text(encoding="utf-8").replace("region: hefei", "region: [unclosed"), encoding="utf-8")
    with pytest.raises(CommandError, match=r"hefei-red-property\.md 第\d+行第\d+列：YAML 格式错误"):
        call_command("load_content", str(folder), verbosity=0)


def test_body_markdown_round_trips_every_block_kind_and_escapes_markers():
    blocks = [
        {"type": "heading", "value": "小标题"},
        # Paragraphs are portable Markdown (rich text): a marker at the start is escaped, as is a backslash.
        {"type": "paragraph", "value": "\\# 不是标题，是以井号开头的段落"},
        {"type": "paragraph", "value": "\\> 也不是引用"},
        {"type": "paragraph", "value": "\\\\反斜杠开头"},
        {"type": "quote", "value": {"text": "第一行\n第二行", "attribution": "某书记"}},
        {
            "type": "figure",
            "value": {
                "caption": "带]括号的说明",
                "image": "media/a.jpg",
                "credit": '某"单位"供图',
                "alt": "两位居民 在门口",
            },
        },
        {"type": "figure", "value": {"caption": "只有说明", "image": "", "credit": "", "alt": ""}},
    ]
    text = blocks_to_markdown(blocks)
    assert markdown_to_blocks(text, "x.md") == blocks
    assert blocks_to_markdown(markdown_to_blocks(text, "x.md")) == text


TRICKY_VALUES = [
    "普通的一句话",
    "多行\n第二行\n",
    "多行，末尾没有换行\n第二行",
    "  前后有空格  ",
    "行尾空格 \n下一行",
    "冒号: 井号 # 引号 ' \" 反斜杠 \\",
    "- 像列表",
    "? 像键",
    "yes",
    "010",
    "1e3",
    "null",
    "~",
    "2024-01-02",
    "",
    "制表\t符",
    "表情😀与生僻字𠮷",
    "行分隔\u2028段落分隔\u2029下一行",
    "不间断\u00a0空格与全角\u3000空格",
    "&anchor *alias !tag %directive @at `backtick` | > { } [ ] ,",
    "很长" * 3000,
]


@pytest.mark.parametrize("value", TRICKY_VALUES)
def test_yaml_is_the_text_pure_python_pyyaml_writes(value):
    """Portable content files are what PyYAML's own emitter writes (people read them: 𠮷 stays 𠮷, not
    "\\U00020BB7"), and read back as the same values; front matter, written by libyaml's, too."""
    import datetime

    import yaml

    from cms.publishing.markdown import WholeDumper, front_matter
    from cms.publishing.portable import _str_representer, dump_yaml

    class PurePython(yaml.SafeDumper):
        def ignore_aliases(self, data):
            return True

    class PurePythonPortable(PurePython):
        pass

    PurePythonPortable.add_representer(str, _str_representer)
    data = {"title": value, "items": [value, {"text": value, "n": 3, "ok": True}], "day": datetime.date(2024, 1, 2)}
    options = {"allow_unicode": True, "sort_keys": False, "width": 4096}
    assert dump_yaml(data) == yaml.dump(data, Dumper=PurePythonPortable, **options)
    assert yaml.safe_load(dump_yaml(data)) == data
    assert yaml.dump(data, Dumper=WholeDumper, **options) == yaml.dump(data, Dumper=PurePython, **options)
    # Front matter is written by libyaml's emitter (faster): MkDocs must read back the very same values.
    matter = front_matter("标题", extra={"extra": data})
    assert matter.startswith("---\n") and matter.endswith("\n---\n\n")
    assert yaml.load(matter[4:-6], Loader=yaml.CSafeLoader) == {"title": "标题", "extra": data}
