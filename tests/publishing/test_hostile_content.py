"""Hostile values entering through load_content: rejected with a clear Chinese error, or stored and inert."""

import json
import shutil
import uuid

import pytest

from django.core.management import CommandError, call_command

from cms.lists.models import DutyListPage
from cms.publishing.build import build_site

from ..conftest import CONTENT, read_page

pytestmark = pytest.mark.django_db

CASE = """---
id: {id}
slug: {slug}
title: {title}
region: hefei
summary: 摘要
source:
  publisher: 测试日报
---

{body}
"""


def folder_with(tmp_path, relpath, text):
    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    (folder / relpath).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("title", "slug", "expected"),
    [
        ('"坏字符\\ud800标题"', "bad-surrogate", "U+D800"),
        ('"控制字符\\x07标题"', "bad-control", "U+0007"),
        ("路径穿越", "../../etc/passwd", "slug"),
    ],
)
def test_unusable_text_and_path_traversal_are_rejected(tmp_path, title, slug, expected):
    name = "bad.md" if "/" in slug else f"{slug}.md"
    text = CASE.format(id=uuid.uuid4(), slug=slug, title=title, body="正文")
    folder = folder_with(tmp_path, f"cases/{name}", text)
    with pytest.raises(CommandError) as exc:
        call_command("load_content", str(folder), "--no-build", verbosity=0)
    assert expected in str(exc.value) and "未保存任何内容" in str(exc.value)


def test_a_value_over_its_limit_is_refused_naming_the_field(tmp_path):
    body = "很长的正文。" * 170_000  # about 1 MB in one paragraph
    case = CASE.format(id=uuid.uuid4(), slug="huge-case", title="超长段落", body=body)
    folder = folder_with(tmp_path, "cases/huge-case.md", case)
    with pytest.raises(CommandError) as exc:
        call_command("load_content", str(folder), "--no-build", verbosity=0)
    message = str(exc.value)
    assert "huge-case.md" in message and "正文" in message and "5000" in message and "未保存任何内容" in message


def test_huge_and_hostile_content_is_stored_and_rendered_inert(tmp_path, site_dirs, client):
    hostile = "{{ config }} {% raw %} <img src=x onerror=alert(1)> \u202e反转 \u200b零宽 ---"
    body = "\n\n".join(["很长的正文。" * 800] * 200) + "\n\n" + hostile  # about 1 MB in 200 paragraphs
    case = CASE.format(id=uuid.uuid4(), slug="huge-case", title=json.dumps(hostile, ensure_ascii=False), body=body)
    folder = folder_with(tmp_path, "cases/huge-case.md", case)
    rows = "\n".join(
        f"- number: {n}\n  name: 证明{n} <b>{{{{x}}}}</b>\n  alternative_kind: pledge\n  alternative: 签署承诺书"
        for n in range(1, 2001)
    )
    big_list = (CONTENT / "lists" / "sample-certificates-cancelled-2022.md").read_text(encoding="utf-8")
    head, rest = big_list.split("items:\n", 1)
    tail = rest.split("---\n", 1)[1]
    (folder / "lists" / "sample-certificates-cancelled-2022.md").write_text(
        f"{head}items:\n{rows}\n---\n{tail}", encoding="utf-8"
    )
    call_command("load_content", str(folder), "--no-build", verbosity=0)
    assert DutyListPage.objects.get(slug="sample-certificates-cancelled-2022").items.count() == 2000

    _src, site = site_dirs
    build_site()
    html = read_page(site, "cases/huge-case")
    assert "<img src=x" not in html and "\u202e" not in html
    assert "&#123;&#123; config &#125;&#125;" in html
    rows_html = read_page(site, "lists/sample-certificates-cancelled-2022")
    assert '<tr id="item-2000">' in rows_html and "<b>" not in rows_html.split("md-content")[1]
    detail = client.get("/api/v3/content/cases/huge-case/", HTTP_HOST="localhost")
    assert detail["Content-Type"].startswith("application/json")
    assert detail.json()["title"] == hostile  # stored as typed; JSON is data, not markup
