"""The one gate: every text field of every kind, through every way in, is refused in Chinese naming its field.

Ways in: the model itself (what load_content, importers and Wagtail's publishing run), Wagtail's v3 API,
load_content, the admin forms (pages, snippets, images), the spreadsheet importer and the article
importer. Nothing refused is saved.
"""

import io
import json
import shutil
import uuid

import pytest
import yaml
from PIL import Image as PILImage

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from wagtail.images import get_image_model
from wagtail.models import APIToken
from wagtail.test.utils.form_data import inline_formset, rich_text, streamfield

from cms.cases.article_drafts import create_drafts
from cms.cases.article_import import parse_article
from cms.cases.models import (
    CaseCollectionEntry,
    CaseCollectionIndexPage,
    CaseCollectionPage,
    CaseKeyFigure,
    CasePolicyDocument,
    CasePractice,
    CaseStudyIndexPage,
    CaseStudyPage,
)
from cms.core import richtext
from cms.core.models import Region
from cms.core.validation import MAX_SLUG_BYTES, checked_fields, content_relations, model_errors
from cms.lists.models import DutyListIndexPage, DutyListPage, ListAnnex, ListItem
from cms.lists.spreadsheet import LABELS, SpreadsheetError, read_rows
from cms.signage.models import (
    NoticeAnnex,
    NoticePhoto,
    RetainedSign,
    SignageNoticeIndexPage,
    SignageNoticePage,
    SignStandard,
)

from ..conftest import CONTENT
from ..publishing.test_admin_publish import case_form, post_page

pytestmark = pytest.mark.django_db
BAD = "坏\x1b值"
CODE = "U+001B"


# --- the rules, on every field of every model ----------------------------------------------------------


def region():
    return Region.objects.get(slug="hefei")


def blank_page(model):
    """A page of each kind with its required parts filled, in memory."""
    values = {"title": "标题", "slug": "gate-test"}
    if model is CaseStudyPage:
        values |= {"region": region(), "summary": "摘要", "source_publisher": "测试日报"}
    elif model is DutyListPage:
        values |= {"region": region(), "list_kind": "duties_by_law"}
    elif model is SignageNoticePage:
        values |= {"community": Region.objects.get(slug="sample-community"), "notice_date": "2024-01-01"}
    elif model is CaseCollectionPage:
        values |= {"intro": "说明"}
    return model(**values)


PAGE_MODELS = [CaseStudyPage, DutyListPage, SignageNoticePage, CaseCollectionPage]
STREAM_VALUES = {
    "heading": BAD,
    "paragraph": BAD,
    "quote": {"text": BAD, "attribution": ""},
    "figure": {"image": None, "caption": BAD, "credit": ""},
}


def text_fields():
    for model in PAGE_MODELS + [Region, SignStandard]:
        for name in checked_fields(model):
            if name == "body":
                for block in STREAM_VALUES:
                    yield pytest.param(model, name, block, id=f"{model.__name__}.{name}.{block}")
            else:
                yield pytest.param(model, name, None, id=f"{model.__name__}.{name}")


@pytest.mark.parametrize(("model", "name", "block"), list(text_fields()))
def test_every_text_field_refuses_control_characters(model, name, block):
    obj = blank_page(model) if model in PAGE_MODELS else model()
    setattr(obj, name, [(block, STREAM_VALUES[block])] if block else BAD)
    errors = model_errors(obj)
    assert name in errors and CODE in " ".join(errors[name])


ROWS = {
    CasePractice: {"name": "做法", "description": ""},
    CaseKeyFigure: {"label": "数字", "value": 1, "unit": ""},
    CasePolicyDocument: {"number": "", "title": "文件"},
    ListItem: {"number": 1, "name": "事项"},
    RetainedSign: {"kind": "plaque", "text": "牌子", "position": ""},
    NoticePhoto: {"phase": "after", "caption": ""},
    CaseCollectionEntry: {"note": ""},
    ListAnnex: {"title": "附件"},
    NoticeAnnex: {"title": "附件"},
}


def row_fields():
    for model in PAGE_MODELS:
        for relation in content_relations(model):
            child = relation.related_model
            for name in checked_fields(child):
                yield pytest.param(model, relation.get_accessor_name(), child, name, id=f"{child.__name__}.{name}")


@pytest.mark.parametrize(("model", "accessor", "child", "name"), list(row_fields()))
def test_every_field_of_every_child_row_refuses_control_characters(model, accessor, child, name):
    page = blank_page(model)
    row = child(**ROWS[child])
    if name == "basis":
        row.basis = [("basis", {"text": BAD, "version": ""})]
    else:
        setattr(row, name, BAD)
    setattr(page, accessor, [row])
    problems = " ".join(model_errors(page)[NON_FIELD_ERRORS])
    assert CODE in problems and str(child._meta.verbose_name) in problems


def test_required_parts_of_rows_and_lengths_of_text_fields_are_enforced():
    page = blank_page(CaseStudyPage)
    page.summary = "长" * 1001  # a TextField: Django checks its max_length only in forms
    page.practices = [CasePractice(name="", description="说明")]
    page.body = [("paragraph", "长" * 5001)]
    errors = model_errors(page)
    assert "1000" in errors["summary"][0]
    assert "5000" in errors["body"][0]
    assert "特色做法" in errors[NON_FIELD_ERRORS][0] and "做法名称" in errors[NON_FIELD_ERRORS][0]


def test_a_slug_must_fit_a_file_name_and_a_long_title_makes_a_short_one():
    page = blank_page(CaseStudyPage)
    page.slug = "长" * 60  # 180 bytes in UTF-8
    assert str(MAX_SLUG_BYTES) in model_errors(page)["slug"][0]
    page = blank_page(CaseStudyPage)
    page.title, page.slug = "很长的标题" * 20, ""
    CaseStudyIndexPage.objects.get().add_child(instance=page)
    assert 0 < len(page.slug.encode()) <= MAX_SLUG_BYTES


def test_theme_names_are_short_single_lines():
    page = blank_page(CaseStudyPage)
    page.themes.set(["主题" * 45])
    assert "30" in model_errors(page)["themes"][0]


# --- Wagtail's v3 API (tokens) ---------------------------------------------------------------------


@pytest.fixture
def tool():
    admin = get_user_model().objects.create_superuser("gate-tool", "g@example.invalid", "pw")
    _token, plaintext = APIToken.create_token(user=admin, name="测试")
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_HOST="localhost")


def api_payload(model, slug):
    parents = {
        CaseStudyPage: CaseStudyIndexPage,
        DutyListPage: DutyListIndexPage,
        SignageNoticePage: SignageNoticeIndexPage,
        CaseCollectionPage: CaseCollectionIndexPage,
    }
    data = {
        "meta": {"type": model._meta.label, "parent_id": parents[model].objects.get().pk},
        "title": "API",
        "slug": slug,
    }
    if model is CaseStudyPage:
        data |= {"region_id": region().pk, "communities": [], "summary": "摘要", "source_publisher": "工具"}
    elif model is DutyListPage:
        data |= {"region_id": region().pk, "list_kind": "duties_by_law"}
    elif model is SignageNoticePage:
        data |= {"community_id": Region.objects.get(slug="sample-community").pk, "notice_date": "2024-01-01"}
    elif model is CaseCollectionPage:
        data |= {"intro": "说明"}
    return data


def api_fields(model):
    return [f.name for f in model.api_fields if f.writable]


def api_cases():
    for model in PAGE_MODELS:
        writable = api_fields(model)
        for name in checked_fields(model):
            if name == "body":
                for block in STREAM_VALUES:
                    yield pytest.param(model, name, None, block, id=f"{model.__name__}.{name}.{block}")
            elif name in writable:
                yield pytest.param(model, name, None, None, id=f"{model.__name__}.{name}")
        for relation in content_relations(model):
            accessor = relation.get_accessor_name()
            if accessor not in writable:
                continue
            child = relation.related_model
            for name in checked_fields(child):
                if name in api_fields(child):
                    yield pytest.param(model, accessor, child, name, id=f"{model.__name__}.{accessor}.{name}")


def row_payload(child, name):
    row = {k: v for k, v in ROWS[child].items() if k in api_fields(child)}
    if child is CaseCollectionEntry:
        row["case_id"] = CaseStudyPage.objects.get(slug="hefei-red-property").pk
    if child in (ListAnnex, NoticeAnnex):
        from django.core.files.base import ContentFile

        from wagtail.documents import get_document_model

        document = get_document_model()(title="附件")
        document.file.save("annex.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
        document.save()
        row["document_id"] = document.pk
    if name == "basis":
        row["basis"] = [{"type": "basis", "value": {"text": BAD, "version": ""}}]
    else:
        row[name] = BAD
    return row


@pytest.mark.parametrize(("model", "name", "child", "block"), list(api_cases()))
def test_the_api_refuses_a_control_character_in_every_field(tool, model, name, child, block):
    slug = f"api-{uuid.uuid4().hex[:8]}"
    payload = api_payload(model, slug)
    if child is not None:
        payload[name] = [row_payload(child, block)]
    elif block is not None:
        value = STREAM_VALUES[block]
        payload[name] = [{"type": block, "value": value}]
    else:
        payload[name] = BAD
    response = tool.post("/api/v3/pages/", json.dumps(payload), content_type="application/json")
    assert response.status_code == 422, response.content[:500]
    body = response.json()
    assert body["title"] == "提交的内容未通过校验"
    messages = " ".join(e["msg"] for e in body["errors"])
    field = (child or model)._meta.get_field(block if child else name)
    expected = "有效的选项" if getattr(field, "choices", None) else CODE  # a code outside its choices
    assert expected in messages and name in messages, messages
    assert not model.objects.filter(slug=slug).exists()


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("summary", "长" * 1001, "summary"),
        ("title", "长" * 256, "title"),
        ("source_date", "不是日期", "source_date"),
        ("themes", ["主题" * 20], "themes"),
        ("practices", [{"name": "长" * 101, "description": ""}], "practices.0.name"),
        ("body", [{"type": "paragraph", "value": "\ud800坏"}], "U+D800"),
    ],
)
def test_the_api_refuses_limits_and_shapes_in_chinese(tool, field, value, expected):
    payload = api_payload(CaseStudyPage, "api-limits")
    payload[field] = value
    response = tool.post("/api/v3/pages/", json.dumps(payload), content_type="application/json")
    assert response.status_code == 422, response.content[:300]
    messages = " ".join(e["msg"] for e in response.json()["errors"])
    assert expected in messages and any("\u4e00" <= ch <= "\u9fff" for ch in messages), messages
    assert not CaseStudyPage.objects.filter(slug="api-limits").exists()


def test_the_api_answers_errors_in_chinese_never_500(tool):
    anonymous = Client(HTTP_HOST="localhost")
    checks = [
        anonymous.get("/api/v3/pages/?limit=abc"),
        anonymous.get("/api/v3/pages/999999/"),
        anonymous.post("/api/v3/pages/", "{}", content_type="application/json"),
        tool.post("/api/v3/pages/", "{not json", content_type="application/json"),
        tool.post(
            "/api/v3/pages/",
            json.dumps({"meta": {"type": "cases.Nope", "parent_id": 1}}),
            content_type="application/json",
        ),
        tool.patch("/api/v3/pages/999999/", "{}", content_type="application/json"),
    ]
    for response in checks:
        assert 400 <= response.status_code < 500, response.content[:300]
        data = response.json()
        text = (
            data.get("title", "")
            + data.get("detail", "")
            + " ".join(e.get("msg", "") for e in data.get("errors") or [])
        )
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text), data


# --- load_content --------------------------------------------------------------------------------------


SAMPLES = {
    "cases": "hefei-red-property",
    "lists": "sample-certificates-cancelled-2024",
    "notices": "sample-community-signage-2024",
    "collections": "red-property-and-burden-reduction",
}


def small_folder(tmp_path, folder, slug):
    """regions, site, every case (collections name them) and the one item."""
    root = tmp_path / "content"
    root.mkdir()
    for name in ("regions.yaml", "site.yaml"):
        shutil.copy(CONTENT / name, root / name)
    shutil.copytree(CONTENT / "cases", root / "cases")
    if folder != "cases":
        (root / folder).mkdir()
        shutil.copy(CONTENT / folder / f"{slug}.md", root / folder / f"{slug}.md")
    return root


def split(path):
    text = path.read_text(encoding="utf-8")
    _, head, body = text.split("---\n", 2)
    return yaml.safe_load(head), body


def write(path, meta, body):
    path.write_text(
        "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" + body, encoding="utf-8"
    )


def string_paths(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in ("id", "slug"):
                yield from string_paths(item, (*path, key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from string_paths(item, (*path, n))
    elif isinstance(value, str):
        yield path


def set_path(data, path, value):
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


def loader_cases():
    for folder, slug in SAMPLES.items():
        meta, _body = split(CONTENT / folder / f"{slug}.md")
        for path in string_paths(meta):
            if path and path[0] in ("region", "community", "list_kind", "scope", "round") or "kind" in path[-1:]:
                continue  # references and codes: checked as such
            yield pytest.param(folder, slug, path, id=f"{folder}." + ".".join(map(str, path)))


@pytest.mark.parametrize(("folder", "slug", "path"), list(loader_cases()))
def test_load_content_refuses_a_control_character_in_every_field(tmp_path, folder, slug, path):
    root = small_folder(tmp_path, folder, slug)
    target = root / folder / f"{slug}.md"
    meta, body = split(target)
    set_path(meta, path, BAD)
    write(target, meta, body)
    with pytest.raises(CommandError) as exc:
        call_command("load_content", str(root), "--no-build", verbosity=0)
    message = str(exc.value)
    assert CODE in message and f"{slug}.md" in message and str(path[0]) in message and "未保存任何内容" in message


@pytest.mark.parametrize(
    ("folder", "path", "limit", "label"),
    [
        ("cases", ("title",), 255, "标题"),
        ("cases", ("summary",), 1000, "摘要"),
        ("cases", ("practices", 0, "name"), 100, "做法名称"),
        ("cases", ("practices", 0, "description"), 500, "简要说明"),
        ("cases", ("key_figures", 0, "label"), 100, "统计对象"),
        ("cases", ("source", "publisher"), 200, "来源媒体"),
        ("lists", ("version_label",), 50, "版本"),
        ("lists", ("items", 0, "category"), 100, "大类"),
        ("lists", ("items", 0, "alternative"), 2000, "替代办理方式"),
        ("lists", ("items", 0, "basis", 0, "text"), 500, "依据"),
        ("lists", ("disclosure", "publisher"), 200, "发布机构"),
        ("notices", ("responsible_body",), 200, "责任单位"),
        ("notices", ("retained_signs", 0, "text"), 200, "标牌内容"),
        ("collections", ("audience",), 200, "适用对象"),
        ("collections", ("entries", 0, "note"), 2000, "教学提示"),
    ],
)
def test_load_content_enforces_every_length_naming_the_field(tmp_path, folder, path, limit, label):
    slug = SAMPLES[folder]
    root = small_folder(tmp_path, folder, slug)
    target = root / folder / f"{slug}.md"
    meta, body = split(target)
    set_path(meta, path, "长" * (limit + 1))
    write(target, meta, body)
    before = CaseStudyPage.objects.count()
    with pytest.raises(CommandError) as exc:
        call_command("load_content", str(root), "--no-build", verbosity=0)
    assert label in str(exc.value) and str(limit) in str(exc.value), str(exc.value)
    assert CaseStudyPage.objects.count() == before


@pytest.mark.parametrize(
    ("relpath", "content", "expected"),
    [
        ("cases/gbk.md", "---\nid: x\n---\n中文".encode("gbk"), "UTF-8"),
        ("regions.yaml", ("- " * 400 + "x\n").encode(), "嵌套"),
        ("regions.yaml", '- name: "坏\\ud800"\n  slug: bad\n  level: 省\n'.encode(), "U+D800"),
        ("site.yaml", b"home: [1, 2]\n", "home"),
        (
            "cases/shape.md",
            b"---\nid: 9b0f3c52-6f1e-4b8a-9a51-2d6c7e4f1a99\nslug: shape\ntitle: t\nregion: hefei\nsummary: s\nsource: {publisher: p}\npractices: text\n---\n",
            "practices",
        ),
        (
            "cases/empty-name.md",
            b"---\nid: 9b0f3c52-6f1e-4b8a-9a51-2d6c7e4f1a98\nslug: empty-name\ntitle: t\nregion: hefei\nsummary: s\nsource: {publisher: p}\npractices:\n- name: ''\n  description: d\n---\n",
            "做法名称",
        ),
        (
            "cases/nan.md",
            b"---\nid: 9b0f3c52-6f1e-4b8a-9a51-2d6c7e4f1a97\nslug: nan\ntitle: t\nregion: hefei\nsummary: s\nsource: {publisher: p}\nkey_figures:\n- {label: x, value: .nan}\n---\n",
            "有限",
        ),
        (
            "cases/traversal.md",
            b"---\nid: 9b0f3c52-6f1e-4b8a-9a51-2d6c7e4f1a96\nslug: traversal\ntitle: t\nregion: hefei\nsummary: s\nsource: {publisher: p}\n---\n\n![x](media/../../../etc/passwd)\n",
            "找不到图片",
        ),
    ],
)
def test_load_content_says_what_and_where_for_bad_files_never_a_traceback(tmp_path, relpath, content, expected):
    root = small_folder(tmp_path, "cases", "")
    (root / relpath).write_bytes(content)
    with pytest.raises(CommandError) as exc:
        call_command("load_content", str(root), "--no-build", verbosity=0)
    message = str(exc.value)
    assert expected in message and relpath.split("/")[-1] in message and "未保存任何内容" in message, message


# --- the admin: pages, snippets, images -------------------------------------------------------------


@pytest.fixture
def editor(client):
    client.force_login(get_user_model().objects.create_superuser("gate-admin", "a@example.invalid", "pw"))
    return client


@pytest.mark.parametrize(
    "change",
    [
        {"summary": BAD},
        {"practices": inline_formset([{"name": BAD, "description": ""}])},
        {"body": streamfield([("paragraph", rich_text(f"<p>{BAD}</p>"))])},
        {"themes": "主题" * 20},
    ],
    ids=["page field", "row field", "block", "theme"],
)
def test_the_admin_refuses_bad_values_with_the_field_marked(editor, change):
    from wagtail.test.utils.form_data import nested_form_data as nest

    from ..publishing.test_admin_publish import add_url

    data = nest({**case_form("admin-gate", "后台校验"), **change, "comments": inline_formset([])})
    response = editor.post(add_url(CaseStudyPage, CaseStudyIndexPage.objects.get()), data)
    assert response.status_code == 200
    assert not CaseStudyPage.objects.filter(slug="admin-gate").exists()
    text = response.content.decode()
    assert CODE in text or "30 个字" in text


def test_the_admin_still_publishes_good_values(editor):
    page = post_page(editor, CaseStudyPage, CaseStudyIndexPage.objects.get(), case_form("admin-ok", "后台正常"))
    assert page.live


def test_region_and_sign_standard_snippets_pass_the_gate(editor):
    url = reverse("wagtailsnippets_core_region:add")
    response = editor.post(url, {"name": BAD, "slug": "gate-region", "level": "1", "code": "", "parent": ""})
    assert response.status_code == 200 and CODE in response.content.decode()
    assert not Region.objects.filter(slug="gate-region").exists()
    url = reverse("wagtailsnippets_signage_signstandard:add")
    response = editor.post(url, {"region": "", "kind": "plaque", "text": BAD, "position": "", "sort_order": "0"})
    assert response.status_code == 200 and CODE in response.content.decode()


def test_image_titles_pass_the_gate(editor):
    data = io.BytesIO()
    PILImage.new("RGB", (4, 3), "red").save(data, "PNG")
    upload = SimpleUploadedFile("gate.png", data.getvalue(), content_type="image/png")
    response = editor.post(reverse("wagtailimages:add"), {"title": BAD, "file": upload, "collection": "1", "tags": ""})
    assert response.status_code == 200 and CODE in response.content.decode()
    assert not get_image_model().objects.filter(title=BAD).exists()


# --- importers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", sorted(set(LABELS) - {"number", "list_kind", "alternative_kind"}))
def test_the_spreadsheet_importer_checks_every_column_by_row_and_column(field):
    header = ["序号", LABELS[field]] if field == "name" else ["序号", "事项名称", LABELS[field]]
    limit = 500 if field == "basis" else ListItem._meta.get_field(field).max_length
    for value, expected in (("长" * (limit + 1), str(limit)), (BAD, CODE)):
        row = ["1", value] if field == "name" else ["1", "事项", value]
        data = "\n".join(",".join(cells) for cells in (header, row)).encode()
        with pytest.raises(SpreadsheetError) as exc:
            read_rows(data, "rows.csv", "duties_by_law")
        message = str(exc.value)
        assert expected in message and "第 2 行" in message and "列" in message, message


def test_the_article_importer_drops_control_characters_and_fits_long_text():
    text = "山西省长治市上党区：减负\x1b赋能\n\n" + ("正文很长。" * 1500) + "\x07\n"
    cases = parse_article(text)
    assert "\x1b" not in cases[0].headline and any("控制字符" in note for note in cases[0].notes)
    pages = create_drafts(cases, region=Region.objects.get(slug="shangdang"))
    page = pages[0].get_latest_revision_as_object()
    assert all(
        len(richtext.plain(richtext.to_portable(richtext.from_html(block.value.source), str, str))) <= 5000
        for block in page.body
        if block.block_type == "paragraph"
    )
    assert "\x07" not in json.dumps(list(page.body.raw_data), ensure_ascii=False)
