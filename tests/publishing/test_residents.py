"""Residents on slow phones: compressed copies and cache headers as the app's own server sends them, the
Chinese 404 (and pages taken down), the personal-data gate on every way in and every exit, display periods
that switch by themselves."""

import datetime
import gzip
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import brotli
import pytest

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from wagtail.models import APIToken

from cms.core.models import KeptPersonalData
from cms.core.personal_data import find, mask
from cms.lists.models import DutyListPage
from cms.publishing.build import build_site
from cms.publishing.models import SiteBuild
from cms.publishing.tasks import request_period_builds, run_build
from cms.signage.models import SignageNoticePage

from ..conftest import CONTENT, read_page, search_records

pytestmark = pytest.mark.django_db
ID = "11010519491231002X"  # a valid mainland ID number (check character X)
MOBILE = "13812345678"


def fetch(client, path, **headers):
    return client.get(path, HTTP_HOST="localhost", **headers)


def body(response):
    data = b"".join(response.streaming_content) if response.streaming else response.content
    encoding = response.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(data)
    if encoding == "gzip":
        return gzip.decompress(data)
    return data


# --- compressed and cached ---------------------------------------------------------------------------


def test_every_text_file_has_gzip_and_brotli_copies(site_dirs):
    _src, site = site_dirs
    build_site()
    site = Path(site).resolve()
    missing = [
        p.relative_to(site).as_posix()
        for p in site.rglob("*")
        if p.suffix in (".html", ".css", ".js", ".json", ".xml")
        and p.stat().st_size >= 256
        and not (Path(f"{p}.gz").exists() and Path(f"{p}.br").exists())
    ]
    assert missing == []
    page = site / "cases" / "hefei-red-property" / "index.html"
    assert brotli.decompress(Path(f"{page}.br").read_bytes()) == page.read_bytes()
    assert gzip.decompress(Path(f"{page}.gz").read_bytes()) == page.read_bytes()


def test_an_edit_recompresses_what_changed_and_leaves_the_rest(site_dirs):
    _src, site = site_dirs
    build_site()
    site = Path(site)
    untouched = site / "cases" / "xinpu-red-property" / "index.html.br"
    inode = untouched.resolve().stat().st_ino
    # Static JSON too (its folder is pruned of files site_src no longer has, but not of their copies).
    untouched_json = site / "api" / "cases" / "xinpu-red-property.json.br"
    json_inode = untouched_json.resolve().stat().st_ino
    page = DutyListPage.objects.get(slug="sample-certificates-cancelled-2024")
    page.title = "示例区不再出具证明事项清单（2024版，改）"
    page.save_revision().publish()
    build_site()
    changed = site / "lists" / "sample-certificates-cancelled-2024" / "index.html"
    assert "2024版，改" in brotli.decompress(Path(f"{changed}.br").read_bytes()).decode()
    assert (site / "cases" / "xinpu-red-property" / "index.html.br").resolve().stat().st_ino == inode
    assert untouched_json.resolve().stat().st_ino == json_inode


def test_an_edit_that_purges_the_search_base_recompresses_only_the_shards_it_rewrote(site_dirs):
    """Taking stale copies out of the search base renames its folder (a new name for browsers' caches): the
    shards it did not rewrite keep their compressed copies (the same files), only rewritten ones are new."""
    _src, site = site_dirs
    build_site()
    site = Path(site)

    def copies_by_shard():
        (base,) = [p for p in (site / "search-index").iterdir() if p.name.startswith("b-")]
        return base.name, {p.name: p.stat().st_ino for p in (base / "s").glob("*.bin.br")}

    name, before = copies_by_shard()
    page = DutyListPage.objects.get(slug="sample-certificates-cancelled-2024")
    page.title = "示例区证明事项清单（修订）"  # words of the old title leave the base
    page.save_revision().publish()
    build_site()
    new_name, after = copies_by_shard()
    assert new_name != name  # purged: a new name
    same = [shard for shard, inode in after.items() if before.get(shard) == inode]
    assert same and len(same) < len(after), (len(same), len(after))  # kept and rewritten shards both
    for shard in after:
        data = (site / "search-index" / new_name / "s" / shard[:-3]).read_bytes()
        assert brotli.decompress((site / "search-index" / new_name / "s" / shard).read_bytes()) == data


def test_theme_assets_are_compressed_once_and_kept_across_restarts(tmp_path, settings):
    """The slow Brotli of a theme asset is kept on disk by content digest: a restarted worker (its memory
    empty) takes the copies from the cache instead of compressing again."""
    from cms.publishing import compress

    settings.COMPRESSED_ASSET_CACHE = tmp_path / "cache"
    css = tmp_path / "site" / "assets" / "main.css"
    css.parent.mkdir(parents=True)
    css.write_bytes(b".md-typeset { line-height: 1.6 }\n" * 40)
    compress.ASSET_COPIES.clear()
    compress.compress_file(str(css))
    assert brotli.decompress((tmp_path / "site/assets/main.css.br").read_bytes()) == css.read_bytes()
    kept = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert [name[-3:] for name in kept] == [".br", ".gz"] and len(kept[0]) == 64 + 3
    (tmp_path / "cache" / kept[0]).write_bytes(b"from the cache")  # what a restart must read
    compress.ASSET_COPIES.clear()
    compress.compress_file(str(css))
    assert (tmp_path / "site/assets/main.css.br").read_bytes() == b"from the cache"


def test_the_server_sends_the_best_copy_and_the_right_cache_headers(site_dirs, client):
    _src, site = site_dirs
    build_site()
    for accept, encoding in (("br, gzip", "br"), ("gzip", "gzip"), ("identity", None)):
        response = fetch(client, "/cases/hefei-red-property/", HTTP_ACCEPT_ENCODING=accept)
        assert response.status_code == 200 and response.get("Content-Encoding") == encoding
        assert "安徽省合肥市" in body(response).decode()
        assert response["Cache-Control"] == "no-cache" and response["ETag"]
        assert response["Vary"] == "Accept-Encoding"
    again = fetch(client, "/cases/hefei-red-property/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    html = read_page(site, "cases/hefei-red-property")
    assets = re.findall(r'(?:href|src)="((?:\.\./)+assets/[^"]+)"', html)
    # Every asset a page loads (the favicon too) is named by its content, and kept for a year.
    assert len(assets) >= 5 and any("/v/favicon." in a for a in assets), assets
    for asset in assets:
        response = fetch(client, "/" + asset.lstrip("./"), HTTP_ACCEPT_ENCODING="br")
        assert response.status_code == 200, asset
        assert "immutable" in response["Cache-Control"] and "max-age=315360000" in response["Cache-Control"]
    data = fetch(client, "/api/items.json")
    assert data["Cache-Control"] == "no-cache"


# --- a Chinese 404 -------------------------------------------------------------------------------------


def test_a_missing_address_gets_the_site_s_chinese_404(site_dirs, client):
    build_site()
    response = fetch(client, "/no/such/page/", HTTP_ACCEPT_ENCODING="identity")
    assert response.status_code == 404
    text = body(response).decode()
    assert "页面不存在" in text and 'action="/search/"' in text and 'href="/regions/"' in text
    assert "Not Found" not in text and "撤下，不再公开" not in text
    assert response["Content-Security-Policy"]


def test_a_page_taken_down_says_so_plainly(site_dirs, client):
    build_site()
    DutyListPage.objects.get(slug="sample-certificates-cancelled-2022").unpublish()
    build_site()
    response = fetch(client, "/lists/sample-certificates-cancelled-2022/")
    assert response.status_code == 404
    assert "这个页面已经撤下" in body(response).decode()
    DutyListPage.objects.get(slug="sample-duties-by-law-2024").save_revision().publish()
    build_site()  # a later build about something else: it is still taken down
    assert "这个页面已经撤下" in body(fetch(client, "/lists/sample-certificates-cancelled-2022/")).decode()
    DutyListPage.objects.get(slug="sample-certificates-cancelled-2022").save_revision().publish()
    build_site()  # back: served again, no longer listed as taken down
    assert fetch(client, "/lists/sample-certificates-cancelled-2022/").status_code == 200
    manifest = json.loads(Path(site_dirs[1]).resolve().with_suffix(".json").read_text(encoding="utf-8"))
    assert "/lists/sample-certificates-cancelled-2022/" not in manifest["gone"]


# --- personal data ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "masked"),
    [
        (f"联系人身份证 {ID}。", "id_number", "110105********002X"),
        (f"电话 {MOBILE}", "mobile", "138****5678"),
        ("电话 138-1234-5678", "mobile", "138****5678"),
        ("办公电话 0351-2345678", "landline", "0351-***5678"),
        ("(010)12345678", "landline", "010-****5678"),
        ("卡号 6222 0212 3456 7890 128", "bank_card", "6222***********0128"),
    ],
)
def test_personal_data_is_found_and_masked(text, kind, masked):
    [finding] = find(text)
    assert finding.kind == kind and finding.masked == masked
    assert masked in mask(text) and finding.value not in mask(text)


@pytest.mark.parametrize(
    "text",
    [
        "110105194912310021",  # a wrong check character
        "文号 示民发〔2024〕1号，索引号 000014349/2021-00143",
        "2024-05-20 至 2024-05-27，共 13800 人",
        "110101********1234、138****5678",  # masked already
        "6222021234567890123",  # fails the Luhn check
    ],
)
def test_what_is_not_personal_data_is_left_alone(text):
    assert find(text) == []


def noticed(slug="sample-community-signage-2024", text=f"联系人：张三，电话 {MOBILE}"):
    page = SignageNoticePage.objects.get(slug=slug)
    page.responsible_body = text
    return page


def test_publishing_is_refused_until_masked_or_kept_with_a_reason():
    page = noticed()
    with pytest.raises(ValidationError) as exc:
        page.save_revision().publish()
    assert "手机号" in str(exc.value) and "138****5678" in str(exc.value) and "责任单位" in str(exc.value)
    page.responsible_body = "联系人：张三，电话 138****5678"
    page.save_revision().publish()  # masked: published


def test_a_reviewer_s_reason_lets_it_be_published_as_it_is(site_dirs):
    page = noticed()
    [(_path, finding)] = page.personal_data()
    KeptPersonalData.objects.create(page=page, digest=finding.digest, kind=finding.kind, reason="社区公开的服务电话")
    page.save_revision().publish()
    build_site()
    assert MOBILE in read_page(site_dirs[1], "notices/sample-community-signage-2024")


def test_nothing_unmasked_reaches_any_exit(site_dirs, client, tmp_path):
    """Older data, or a value written past the gate: the export masks it for the site, JSON, search, API, feeds."""
    from django.utils import timezone

    DutyListPage.objects.filter(slug="sample-certificates-cancelled-2024").update(
        intro=f"经办人 {MOBILE}，身份证 {ID}", last_published_at=timezone.now()
    )
    _src, site = site_dirs
    build_site()
    site = Path(site)
    exits = [p for p in site.rglob("*") if p.is_file() and p.suffix in (".html", ".json", ".xml", ".bin", ".br", ".gz")]
    for path in exits:
        data = path.read_bytes()
        if path.suffix == ".br":
            data = brotli.decompress(data)
        elif path.suffix == ".gz":
            data = gzip.decompress(data)
        assert MOBILE.encode() not in data and ID.encode() not in data, path
    assert "138****5678" in read_page(site, "lists/sample-certificates-cancelled-2024")
    record = next(r for r in search_records(site) if r["url"] == "/lists/sample-certificates-cancelled-2024/")
    assert "138****5678" in record["content"]
    api = fetch(client, "/api/v3/content/lists/sample-certificates-cancelled-2024/").content.decode()
    assert MOBILE not in api and "138****5678" in api
    # Wagtail's own page API reads the database: anonymous readers get it masked too, editors as stored.
    pk = DutyListPage.objects.get(slug="sample-certificates-cancelled-2024").pk
    for path in (f"/api/v3/pages/{pk}/", "/api/v3/pages/?type=lists.DutyListPage&fields=*"):
        raw = fetch(client, path)
        assert raw.status_code == 200, (path, raw.content[:300])
        assert MOBILE not in raw.content.decode() and ID not in raw.content.decode(), path
    assert "138****5678" in fetch(client, f"/api/v3/pages/{pk}/").content.decode()
    admin = get_user_model().objects.create_superuser("pii-reader", "r@example.invalid", "pw")
    _token, plaintext = APIToken.create_token(user=admin, name="读取")
    stored = fetch(client, f"/api/v3/pages/{pk}/", HTTP_AUTHORIZATION=f"Bearer {plaintext}").content.decode()
    assert MOBILE in stored
    forged = fetch(client, f"/api/v3/pages/{pk}/", HTTP_AUTHORIZATION="Bearer not-a-token").content.decode()
    assert MOBILE not in forged
    call_command("dump_content", str(tmp_path / "dump"), verbosity=0)
    assert MOBILE not in (tmp_path / "dump" / "lists" / "sample-certificates-cancelled-2024.md").read_text("utf-8")


def test_the_api_refuses_to_publish_personal_data_in_chinese():
    admin = get_user_model().objects.create_superuser("pii-tool", "p@example.invalid", "pw")
    _token, plaintext = APIToken.create_token(user=admin, name="测试")
    tool = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_HOST="localhost")
    page = SignageNoticePage.objects.get(slug="sample-community-signage-2024")
    payload = {"meta": {"type": "signage.SignageNoticePage"}, "responsible_body": f"电话 {MOBILE}"}
    response = tool.patch(f"/api/v3/pages/{page.pk}/", json.dumps(payload), content_type="application/json")
    assert response.status_code == 200  # a draft may hold it
    published = tool.post(f"/api/v3/pages/{page.pk}/actions/publish/", "{}", content_type="application/json")
    assert published.status_code == 422
    assert "手机号" in published.content.decode()
    assert SignageNoticePage.objects.get(pk=page.pk).responsible_body != f"电话 {MOBILE}"


def test_load_content_refuses_personal_data_naming_the_file(tmp_path):
    import shutil

    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    path = folder / "notices" / "sample-community-signage-2024.md"
    path.write_text(
        path.read_text("utf-8").replace("responsible_body: 示例街道办事处", f"responsible_body: 电话 {MOBILE}"), "utf-8"
    )
    with pytest.raises(CommandError) as exc:
        call_command("load_content", str(folder), "--no-build", verbosity=0)
    assert "sample-community-signage-2024.md" in str(exc.value) and "手机号" in str(exc.value)


# --- display periods -------------------------------------------------------------------------------------


def test_a_display_period_shows_and_switches_by_itself(site_dirs, settings):
    settings.JICENG_TODAY = datetime.date(2030, 5, 22)
    page = SignageNoticePage.objects.get(slug="sample-community-signage-2024")
    page.display_start, page.display_end = datetime.date(2030, 5, 20), datetime.date(2030, 5, 27)
    page.save_revision().publish()
    run_build(SiteBuild.objects.get(status=SiteBuild.Status.QUEUED).pk)
    site = site_dirs[1]
    assert "公示中" in read_page(site, "notices/sample-community-signage-2024")
    assert "公示中" in read_page(site, "notices") and "公示中" in read_page(site, "regions/sample-community")
    assert request_period_builds() is None  # nothing changes on the same day
    settings.JICENG_TODAY = datetime.date(2030, 5, 28)  # the day after the end
    build = request_period_builds()
    assert build is not None and "公示期" in build.reasons
    run_build(build.pk)
    html = read_page(site, "notices/sample-community-signage-2024")
    assert "公示已结束" in html and "公示中" not in html
    record = next(r for r in search_records(site) if r["url"] == "/notices/sample-community-signage-2024/")
    assert "公示已结束" in record["content"]


def test_a_feed_never_carries_personal_data(site_dirs):
    from django.utils import timezone

    DutyListPage.objects.filter(slug="sample-certificates-cancelled-2024").update(
        version_label=f"2024版 {MOBILE}", last_published_at=timezone.now()
    )
    build_site()
    rss = ET.fromstring((Path(site_dirs[1]) / "feed.xml").read_bytes())
    text = ET.tostring(rss, encoding="unicode")
    assert MOBILE not in text and "138****5678" in text
