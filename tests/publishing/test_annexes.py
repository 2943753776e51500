"""Annexes (附件): a list's or notice's official attachments as Wagtail documents — linked on the page with
type and size, in static JSON and the API, downloadable only while public content uses them; uploads checked
by content, size and name; a backup carries them byte for byte."""

import io
import json
import zipfile
from pathlib import Path

import pytest

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from wagtail.documents import get_document_model

from cms.lists.models import DutyListPage, ListAnnex
from cms.publishing.build import build_site

from ..conftest import empty_content

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n" + b"0" * 3000


def xlsx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def document(title, data, name):
    Document = get_document_model()
    doc = Document(title=title)
    doc.file.save(name, ContentFile(data), save=False)
    doc._set_document_file_metadata()
    doc.save()
    return doc


def with_annexes(*docs):
    page = DutyListPage.objects.get(slug="sample-certificates-issued-2024")
    page.annexes = [ListAnnex(document=doc, title=f"附件{n}：{doc.title}") for n, doc in enumerate(docs, 1)]
    page.save_revision().publish()
    return page


def test_annexes_are_linked_with_type_and_size_in_the_page_json_and_api(site_dirs):
    pdf = document("证明事项清单（盖章版）", PDF, "清单 盖章版.pdf")
    sheet = document("事项明细表", xlsx_bytes(), "明细.xlsx")
    unused = document("内部草稿", PDF + b"draft", "draft.pdf")
    page = with_annexes(pdf, sheet)
    build_site()
    site = Path(site_dirs[1])
    html = (site / "lists" / page.slug / "index.html").read_text(encoding="utf-8")
    key = f"annexes/{pdf.get_file_hash()}.pdf"
    assert "附件" in html and f'href="../../{key}"' in html
    assert "附件1：证明事项清单（盖章版）" in html and "（PDF，3.0 KB）" in html and "（XLSX，" in html
    assert (site / key).read_bytes() == PDF
    static = json.loads((site / "api" / "lists" / f"{page.slug}.json").read_text(encoding="utf-8"))
    assert static["annexes"][0] == {
        "file": key,
        "url": f"/{key}",
        "title": "附件1：证明事项清单（盖章版）",
        "type": "PDF",
        "size": len(PDF),
    }
    client = Client()
    api = client.get(f"/api/v3/content/lists/{page.slug}/").json()
    assert api["annexes"] == static["annexes"]
    # Only what public content uses can be downloaded, by Wagtail's own document URL too.
    assert client.get(pdf.url).status_code == 200
    assert client.get(unused.url).status_code == 404
    assert not (site / "annexes" / f"{unused.get_file_hash()}.pdf").exists()
    # Taken off the page, it leaves the site and its URL.
    page.annexes = [ListAnnex(document=sheet, title="明细")]
    page.save_revision().publish()
    build_site()
    site = Path(site_dirs[1])
    assert not (site / key).exists() and client.get(pdf.url).status_code == 404


def test_a_backup_carries_annexes_byte_for_byte(site_dirs, tmp_path):
    with_annexes(document("盖章版", PDF, "a.pdf"), document("明细表", xlsx_bytes(), "b.xlsx"))
    first, second = tmp_path / "dump1", tmp_path / "dump2"
    call_command("dump_content", str(first), verbosity=0)
    assert sorted(p.suffix for p in (first / "annexes").iterdir()) == [".pdf", ".xlsx"]
    empty_content()
    call_command("load_content", str(first), "--no-build", verbosity=0)
    call_command("dump_content", str(second), verbosity=0)

    def tree(root):
        return {str(p.relative_to(root)): p.read_bytes() for p in Path(root).rglob("*") if p.is_file()}

    assert tree(second) == tree(first)


def test_a_content_folder_s_annex_is_checked_like_an_upload(site_dirs, tmp_path):
    from cms.publishing.portable import ContentError

    call_command("dump_content", str(tmp_path / "c"), verbosity=0)
    folder = tmp_path / "c"
    (folder / "annexes").mkdir(exist_ok=True)
    (folder / "annexes" / ("f" * 40 + ".pdf")).write_bytes(b"<html>not a pdf</html>")
    doc = folder / "lists" / "sample-certificates-issued-2024.md"
    text = doc.read_text(encoding="utf-8")
    doc.write_text(
        text.replace("---\n", "---\nannexes:\n- file: annexes/" + "f" * 40 + ".pdf\n  title: 假的\n", 1).replace(
            "---\nannexes", "---\nannexes", 1
        ),
        encoding="utf-8",
    )
    with pytest.raises((ContentError, Exception), match="不是有效的 PDF"):
        call_command("load_content", str(folder), "--no-build", verbosity=0)


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("假的.pdf", b"<script>alert(1)</script>", "不是有效的 PDF"),
        ("表格.xlsx", PDF, "不是有效的Excel 表格"),
        ("程序.exe", b"MZ", "类型不受支持"),
        ("空的.pdf", b"", "空文件"),
    ],
)
def test_an_upload_is_checked_by_content_and_named_cleanly(client, name, data, problem):
    client.force_login(get_user_model().objects.create_superuser("docs", "d@example.invalid", "pw"))
    response = client.post(
        "/admin/documents/add/", {"title": "上传的附件", "file": SimpleUploadedFile(name, data), "collection": 1}
    )
    assert problem in response.content.decode()
    assert not get_document_model().objects.filter(title="上传的附件").exists()


def test_a_good_upload_is_kept_with_a_clean_name(client):
    client.force_login(get_user_model().objects.create_superuser("docs", "d@example.invalid", "pw"))
    upload = SimpleUploadedFile("../../报告 2024<最终>.pdf", PDF)
    response = client.post("/admin/documents/add/", {"title": "报告", "file": upload, "collection": 1})
    assert response.status_code == 302, response.content.decode()[:3000]
    stored = get_document_model().objects.get(title="报告")
    assert stored.filename.startswith("报告-2024-最终") and stored.filename.endswith(".pdf")
    assert "/" not in stored.filename and "<" not in stored.filename
