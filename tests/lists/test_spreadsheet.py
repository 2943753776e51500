"""Spreadsheet import and export of list rows: Chinese headers and variants, merged cells, errors with row and
column, nothing saved from a bad file, a preview before saving, and a draft (never a publish) after."""

import io
import re

import openpyxl
import pytest

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cms.lists.models import DutyListPage, ListKind
from cms.lists.spreadsheet import SpreadsheetError, read_rows, write_xlsx

pytestmark = pytest.mark.django_db

CANCELLED = ListKind.CERTIFICATES_CANCELLED


def xlsx(rows, merges=(), title="附件1"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for merged in merges:
        sheet.merge_cells(merged)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ANNEX = [
    ["示例区社区不再出具证明事项清单"],  # a title line above the header, as annexes have
    ["编号", "分类", "证明事项名称", "法律依据", "取消后办理方式", "备注"],
    [1, "户籍类", "居住证明", "《居住证暂行条例》；地方规定", "由派出所出具或数据共享核验", ""],
    [2, None, "亲属关系证明", "", "户籍信息部门间核查", ""],
    [],
    [3, "婚育类", "未婚证明", "", "告知承诺", "试点"],
]


def test_headers_variants_merged_cells_and_blank_lines():
    data = xlsx(ANNEX + [[4, None, "生育情况证明", "", "卫健部门核查"]], merges=["B3:B4", "B6:B7"])
    parsed = read_rows(data, "附件1.xlsx", CANCELLED)
    assert [r["name"] for r in parsed.rows] == ["居住证明", "亲属关系证明", "未婚证明", "生育情况证明"]
    assert [r["category"] for r in parsed.rows] == ["户籍类", "户籍类", "婚育类", "婚育类"]
    assert parsed.rows[0]["basis"] == ["《居住证暂行条例》", "地方规定"]
    assert parsed.rows[0]["alternative"] == "由派出所出具或数据共享核验"
    assert parsed.columns["name"] == "证明事项名称" and parsed.ignored == ["备注"]
    assert [r["line"] for r in parsed.rows] == [3, 4, 6, 7]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_in_utf8_or_gbk(encoding):
    text = "序号,大类,事项名称,事项内容,依据,责任部门\n1,组织建设,党组织建设,指导社区党组织换届,《党章》,区委组织部\n"
    parsed = read_rows(text.encode(encoding), "清单.csv", ListKind.DUTIES_BY_LAW)
    assert parsed.rows[0]["name"] == "党组织建设" and parsed.rows[0]["department"] == "区委组织部"


@pytest.mark.parametrize(
    ("rows", "kind", "expected"),
    [
        (
            [["序号", "事项名称", "替代办理方式"], [1, "", "告知承诺"]],
            CANCELLED,
            ["“清单.xlsx”工作表“附件1” 第 2 行 B 列（事项名称）：缺少事项名称"],
        ),
        (
            [["序号", "事项名称", "替代办理方式"], [1, "甲证明", "告知承诺"], [1, "乙证明", "告知承诺"]],
            CANCELLED,
            ["“清单.xlsx”工作表“附件1” 第 3 行 A 列（序号）：序号 1 与第 2 行重复"],
        ),
        (
            [["序号", "事项名称", "清单类别"], [1, "甲事项", "随便什么清单"]],
            ListKind.DUTIES_BY_LAW,
            ["“清单.xlsx”工作表“附件1” 第 2 行 C 列（清单类别）：未知的清单类别“随便什么清单”"],
        ),
        (
            [["序号", "事项名称", "替代办理方式"], ["一", "甲证明", "告知承诺"]],
            CANCELLED,
            ["第 2 行 A 列（序号）：序号“一”应为正整数"],
        ),
        (
            [["序号", "事项名称", "替代办理方式"], [1, "甲证明", ""]],
            CANCELLED,
            ["第 2 行 C 列（替代办理方式）：不再出具的证明“甲证明”缺少替代办理方式"],
        ),
        ([["名字", "内容"], ["甲", "乙"]], CANCELLED, ["前 10 行中没有找到“事项名称”列"]),
    ],
)
def test_bad_rows_are_named_by_row_and_column(rows, kind, expected):
    with pytest.raises(SpreadsheetError) as caught:
        read_rows(xlsx(rows), "清单.xlsx", kind)
    for text in expected:
        assert any(text in problem for problem in caught.value.problems), caught.value.problems


def test_control_characters_are_refused_with_their_place():
    data = "序号,事项名称\n1,甲\x07乙\n".encode()
    with pytest.raises(SpreadsheetError) as caught:
        read_rows(data, "清单.csv", ListKind.DUTIES_BY_LAW)
    assert "第 2 行 B 列（事项名称）：含有无效字符 U+0007" in str(caught.value)


def test_hostile_workbooks_are_unreadable_not_a_crash():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:  # a zip that claims to be a workbook, with broken XML inside
        z.writestr("[Content_Types].xml", "<Types><<<")
        z.writestr("xl/workbook.xml", "&#xD800;")
    with pytest.raises(SpreadsheetError) as caught:
        read_rows(out.getvalue(), "恶意.xlsx", ListKind.DUTIES_BY_LAW)
    assert "不是有效的 .xlsx 文件" in str(caught.value)


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * (80 * 1024 * 1024))
    assert len(out.getvalue()) < 1024 * 1024
    with pytest.raises(SpreadsheetError) as caught:
        read_rows(out.getvalue(), "炸弹.xlsx", ListKind.DUTIES_BY_LAW)
    assert "解压后有 80 MB" in str(caught.value)


def test_every_problem_is_reported_at_once():
    rows = [["序号", "事项名称", "替代办理方式"], [1, "", "x"], [2, "乙", ""], [2, "丙", "x"]]
    with pytest.raises(SpreadsheetError) as caught:
        read_rows(xlsx(rows), "清单.xlsx", CANCELLED)
    assert len(caught.value.problems) == 3


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"PK\x03\x04 not really a zip", "坏文件.xlsx", "不是有效的 .xlsx 文件"),
        (b"\x89PNG\r\n", "图片.png", "不是 .xlsx 或 .csv 文件"),
        (b"\xff\xfe\x00\x00\x81\x30", "乱码.csv", "编码不是 UTF-8 或 GBK"),
        (b"x" * (6 * 1024 * 1024), "大文件.csv", "超过上限"),
        ("事项名称\n".encode() + "甲\n".encode() * 3100, "很多行.csv", "超过上限 3000 行"),
    ],
)
def test_unreadable_or_oversized_files(data, name, message):
    with pytest.raises(SpreadsheetError) as caught:
        read_rows(data, name, ListKind.DUTIES_BY_LAW)
    assert message in str(caught.value) and name in str(caught.value)


# --- in the admin --------------------------------------------------------------------------------


@pytest.fixture
def editor(client):
    client.force_login(get_user_model().objects.create_superuser("listeditor", "l@example.invalid", "pw"))
    return client


def upload(client, page, data, name):
    url = reverse("jiceng_list_import", args=[page.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


def test_import_previews_then_saves_a_draft_and_never_publishes(editor):
    page = DutyListPage.objects.get(slug="sample-certificates-cancelled-2024")
    live_rows = list(page.items.values_list("name", flat=True))
    revisions = page.revisions.count()
    response = upload(editor, page, xlsx(ANNEX), "附件1.xlsx")
    html = response.content.decode()
    assert response.status_code == 200 and "识别出 3 项" in html and "亲属关系证明" in html
    assert page.revisions.count() == revisions  # a preview saves nothing
    payload = re.search(r'name="payload" value="([^"]+)"', html).group(1)
    response = editor.post(reverse("jiceng_list_import", args=[page.pk]), {"payload": payload, "confirm": "1"})
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.revisions.count() == revisions + 1 and page.has_unpublished_changes
    draft = page.get_latest_revision_as_object()
    assert [i.name for i in draft.items.all()] == ["居住证明", "亲属关系证明", "未婚证明"]
    assert list(page.items.values_list("name", flat=True)) == live_rows  # the live list is untouched


def test_a_file_with_errors_saves_nothing_and_says_where(editor):
    page = DutyListPage.objects.get(slug="sample-certificates-cancelled-2024")
    revisions = page.revisions.count()
    bad = xlsx([["序号", "事项名称", "替代办理方式"], [1, "甲", "x"], [1, "乙", "y"]])
    html = upload(editor, page, bad, "附件.xlsx").content.decode()
    assert "表格有 1 处问题，未保存任何内容" in html and "第 3 行 A 列（序号）：序号 1 与第 2 行重复" in html
    assert page.revisions.count() == revisions


def test_a_tampered_or_stale_preview_is_refused(editor):
    page = DutyListPage.objects.get(slug="sample-certificates-cancelled-2024")
    revisions = page.revisions.count()
    response = editor.post(reverse("jiceng_list_import", args=[page.pk]), {"payload": "forged", "confirm": "1"})
    assert response.status_code == 302 and page.revisions.count() == revisions


def test_export_round_trips_through_import(editor):
    page = DutyListPage.objects.get(slug="sample-certificates-cancelled-2024")
    response = editor.get(reverse("jiceng_list_export", args=[page.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "sample-certificates-cancelled-2024.xlsx" in response["Content-Disposition"]
    parsed = read_rows(response.content, "导出.xlsx", page.list_kind)
    assert [(r["number"], r["name"], r["alternative"]) for r in parsed.rows] == [
        (i.number, i.name, i.alternative) for i in page.items.all()
    ]


def test_export_keeps_formula_like_text_as_text():
    page = DutyListPage.objects.get(slug="sample-duties-by-law-2024")
    item = page.items.first()
    item.name = '=HYPERLINK("http://evil.invalid","点我")'
    item.save()
    sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx(page))).active
    assert sheet.cell(2, 3).value.startswith("'=") and sheet.cell(2, 3).data_type == "s"


def test_only_editors_of_the_page_may_import(client):
    page = DutyListPage.objects.get(slug="sample-certificates-cancelled-2024")
    client.force_login(get_user_model().objects.create_user("nobody", "n@example.invalid", "pw"))
    assert client.get(reverse("jiceng_list_import", args=[page.pk])).status_code in (302, 403)
    assert client.get(reverse("jiceng_list_export", args=[page.pk])).status_code in (302, 403)


def test_the_list_page_offers_import_and_export(editor):
    page = DutyListPage.objects.get(slug="sample-certificates-cancelled-2024")
    html = editor.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    assert "从表格导入事项" in html and reverse("jiceng_list_export", args=[page.pk]) in html
