"""The promises at every exit: nothing non-public leaves by any route, no value stops publishing, gone means
gone (search index included), files stay inside their folders, and what the system accepts restores."""

import gzip
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image as PILImage

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.management import call_command
from django.test import Client

from wagtail.blocks.stream_block import StreamValue
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction

from cms.cases.models import CaseStudyPage
from cms.core.models import Region
from cms.lists.models import DutyListIndexPage, DutyListPage
from cms.publishing.build import build_site
from cms.publishing.models import SiteBuild
from cms.publishing.search_index import read_shard
from cms.publishing.tasks import request_build, run_build

from ..conftest import REPO, make_case, read_page, search_records

pytestmark = pytest.mark.django_db


def site_bytes(site):
    """Every file of the live site, decompressed where it is a .gz copy: {relative path: bytes}."""
    site = Path(site).resolve()
    out = {}
    for path in site.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            out[path.relative_to(site).as_posix()] = data
    return out


def holding(site, text):
    needle = text.encode()
    return sorted(name for name, data in site_bytes(site).items() if needle in data)


# --- gone means gone ---------------------------------------------------------------------------------

MARKER = "甪直镇鼋头渚"  # characters no other page holds


def case_with_marker():
    page = CaseStudyPage.objects.get(slug="laiwu-one-artery-four-links")
    page.summary = f"原来的摘要提到{MARKER}。"
    page.save_revision().publish()
    return page


@pytest.mark.parametrize("how", ["corrected", "unpublished", "made private", "its section unpublished"])
def test_old_text_and_words_leave_every_file_of_the_next_site(site_dirs, how):
    _src, site = site_dirs
    page = case_with_marker()
    build_site(force_full=True)
    assert holding(site, MARKER), "the marker is on the site and in the search index to begin with"
    if how == "corrected":
        page.summary = "改正后的摘要。"
        page.save_revision().publish()
    elif how == "unpublished":
        page.unpublish()
    elif how == "its section unpublished":  # the page itself stays live, under a page that is not
        page.get_parent().specific.unpublish()
        assert CaseStudyPage.objects.get(pk=page.pk).live
    else:
        PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    result = build_site()
    assert not result.full  # an incremental build, not a rebuild of the whole index
    assert holding(site, MARKER) == []
    pairs = {MARKER[i : i + 2] for i in range(len(MARKER) - 1)}
    index = Path(site) / "search-index"
    for shard in index.rglob("s/*.bin"):
        assert not pairs & set(read_shard(shard.read_bytes())), shard
    records = {r["url"] for r in search_records(site)}
    assert ("/cases/laiwu-one-artery-four-links/" in records) == (how == "corrected")


@pytest.mark.parametrize("then", ["corrected again", "unpublished"])
def test_words_a_later_edit_removes_leave_too(site_dirs, then):
    """A page edited twice after the base was written: the second edit purges what the first one added."""
    _src, site = site_dirs
    page = CaseStudyPage.objects.get(slug="laiwu-one-artery-four-links")
    build_site(force_full=True)
    page.summary = f"第一次修改加入了{MARKER}。"
    page.save_revision().publish()
    build_site()
    assert holding(site, MARKER)
    if then == "corrected again":
        page.summary = "第二次修改去掉了它。"
        page.save_revision().publish()
    else:
        page.unpublish()
    result = build_site()
    assert not result.full
    assert holding(site, MARKER) == []
    pairs = {MARKER[i : i + 2] for i in range(len(MARKER) - 1)}
    for shard in (Path(site) / "search-index").rglob("s/*.bin"):
        assert not pairs & set(read_shard(shard.read_bytes())), shard
    found = {r["url"] for r in search_records(site)}
    assert ("/cases/laiwu-one-artery-four-links/" in found) == (then == "corrected again")


def test_an_edit_rewrites_only_the_shards_of_words_that_went(site_dirs):
    _src, site = site_dirs
    build_site(force_full=True)
    index = Path(site).resolve() / "search-index"
    before = {p.relative_to(index).as_posix().split("/", 1)[1]: p.read_bytes() for p in index.glob("b-*/s/*.bin")}
    page = CaseStudyPage.objects.get(slug="laiwu-one-artery-four-links")
    page.title = page.title + "（补充）"  # only adds words
    page.save_revision().publish()
    build_site()
    index = Path(site).resolve() / "search-index"
    after = {p.relative_to(index).as_posix().split("/", 1)[1]: p.read_bytes() for p in index.glob("b-*/s/*.bin")}
    assert after == before  # no word went: the base's postings are untouched


def test_a_purged_page_is_still_found_by_its_new_text_and_the_rest_stays(site_dirs):
    _src, site = site_dirs
    page = case_with_marker()
    build_site(force_full=True)
    before = {r["url"] for r in search_records(site)}
    page.summary = "莱芜的新摘要写着独一无二的蓼莪字样。"
    page.save_revision().publish()
    build_site()
    page.summary = f"原来的摘要提到{MARKER}。"  # back to the text the base bundle had
    page.save_revision().publish()
    build_site()
    records = {r["url"]: r for r in search_records(site)}
    assert set(records) == before
    assert MARKER in records["/cases/laiwu-one-artery-four-links/"]["content"]


# --- one bad item never stops the others ---------------------------------------------------------------


@pytest.mark.parametrize("restarted", [False, True], ids=["same worker", "restarted worker"])
def test_one_bad_item_is_held_and_named_while_the_others_publish(site_dirs, restarted, monkeypatch):
    """The bad item keeps its last good version: the one this worker published, or after a restart (its
    memory empty) the revision Wagtail last published."""
    from django.utils import timezone

    from cms.publishing import tasks
    from cms.publishing.cache import BuildCache

    _src, site = site_dirs
    run_build(request_build("测试").pk)  # the worker publishes every item once
    if restarted:
        monkeypatch.setattr(tasks, "WORKER_CACHE", BuildCache())
    # Values the gate now refuses, as older data or a direct database write may hold them.
    bad = CaseStudyPage.objects.filter(slug="xinpu-red-property")
    bad.update(slug="长" * 100, title="坏的条目", last_published_at=timezone.now())
    raw = [{"type": "paragraph", "value": "坏\ud800段落", "id": "x"}]
    CaseStudyPage.objects.filter(slug="hefei-red-property").update(
        body=json.dumps(raw), last_published_at=timezone.now()
    )
    from taggit.models import Tag

    list_rows = DutyListPage.objects.get(slug="sample-certificates-issued-2024").items
    empty_basis = json.dumps([{"type": "basis", "value": {"text": "", "version": ""}, "id": "b"}])
    list_rows.filter(number=1).update(basis=empty_basis)
    DutyListPage.objects.filter(slug="sample-certificates-issued-2024").update(last_published_at=timezone.now())
    good = CaseStudyPage.objects.get(slug="guanling-four-forces")
    good.title = "关岭：改过的标题"
    good.save_revision().publish()
    Tag.objects.filter(name="物业").update(name="物业" * 45)  # a theme of 90 characters names its page by digest
    build = run_build(request_build("测试").pk)
    assert build.status == SiteBuild.Status.DONE, build.error
    assert "关岭：改过的标题" in read_page(site, "cases/guanling-four-forces")
    assert "坏段落" in read_page(site, "cases/hefei-red-property")  # published, inert
    assert "坏的条目" not in read_page(site, "cases/xinpu-red-property")  # its last good version stays
    assert "物业物业物业" in read_page(site, "themes")
    listed = json.loads((Path(site) / "api" / "lists" / "sample-certificates-issued-2024.json").read_text())
    assert listed["items"][0].get("basis", []) == []  # an empty basis is left out, not written as {}
    [problem] = build.problems
    assert "坏的条目" in problem["item"] and "字节" in problem["reason"] and "上一版本" in problem["reason"]


def test_faults_script_has_a_bad_item_scenario():
    text = (REPO / "bench" / "faults.py").read_text(encoding="utf-8")
    assert "bad_item" in text


# --- nothing from an editor becomes a path ----------------------------------------------------------------


def test_an_image_titled_like_a_path_is_written_under_its_digest_only(site_dirs, tmp_path):
    data = io.BytesIO()
    PILImage.new("RGB", (6, 4), "blue").save(data, "PNG")
    image = get_image_model().objects.create(
        title="../../../../escape.png", file=ImageFile(io.BytesIO(data.getvalue()), name="upload.png")
    )
    page = CaseStudyPage.objects.get(slug="hefei-red-property")
    page.body = StreamValue(
        page.body.stream_block,
        [{"type": "figure", "value": {"image": image.pk, "caption": "图", "credit": "", "alt": "一块蓝色"}}],
        is_lazy=True,
    )
    page.save_revision().publish()
    src, site = site_dirs
    build_site()
    backup = tmp_path / "deep" / "er" / "backup"
    call_command("dump_content", str(backup), verbosity=0)
    root = tmp_path.parent
    assert not list(root.rglob("escape.png"))
    assert [p.name for p in (backup / "media").iterdir()] == [f"{image.get_file_hash()}.png"]
    assert (Path(site) / "media" / f"{image.get_file_hash()}.png").exists()


# --- anonymous routes ----------------------------------------------------------------------------------

SECRET = "绝密草稿标记"


@pytest.fixture
def hidden():
    """A draft page, an image and a document only that draft uses, a redirect to the draft, a draft list
    that a live list supersedes."""
    draft = make_case("secret-draft", f"{SECRET}案例", publish=False)
    data = io.BytesIO()
    PILImage.new("RGB", (4, 3), "red").save(data, "PNG")
    image = get_image_model().objects.create(title=f"{SECRET}图片", file=ImageFile(data, name="secret.png"))
    document = get_document_model().objects.create(
        title=f"{SECRET}文件", file=ContentFile(b"%PDF-1.4 secret", "secret.pdf")
    )
    draft.body = [("figure", {"image": image, "caption": SECRET, "credit": "", "alt": "图"})]
    draft.save_revision()
    Redirect.objects.create(old_path="/cases/old-secret", redirect_page=draft)
    old = DutyListPage(
        title=f"{SECRET}清单",
        slug="secret-old-list",
        region=Region.objects.get(slug="hefei"),
        list_kind="duties_by_law",
        live=False,
    )
    DutyListIndexPage.objects.get().add_child(instance=old)
    live = DutyListPage.objects.get(slug="sample-duties-by-law-2024")
    live.supersedes = old
    live.save_revision().publish()
    return {"draft": draft, "image": image, "document": document, "list": old}


def anonymous_answers(hidden):
    client = Client(HTTP_HOST="localhost")
    urls = [
        "/api/v3/pages/?limit=100",
        "/api/v3/pages/?type=cases.CaseStudyPage&fields=*",
        "/api/v3/pages/?type=lists.DutyListPage&fields=*",
        f"/api/v3/pages/{hidden['draft'].pk}/",
        "/api/v3/images/",
        f"/api/v3/images/{hidden['image'].pk}/",
        "/api/v3/documents/",
        f"/api/v3/documents/{hidden['document'].pk}/",
        "/api/v3/redirects/",
        "/api/v3/redirects/find/?html_path=/cases/old-secret/",
        "/api/v3/sites/",
        "/api/v3/content/items/?limit=100",
        f"/api/v3/content/items/?q={SECRET}",
        "/api/v3/content/lists/sample-duties-by-law-2024/",
        "/api/v3/content/images/",
        "/api/v3/content/redirects/",
        hidden["document"].url,
        hidden["image"].file.url,
        "/cases/old-secret/",
    ]
    return {url: client.get(url) for url in urls}


def test_anonymous_routes_show_only_what_public_content_uses(hidden):
    for url, response in anonymous_answers(hidden).items():
        body = response.content.decode("utf-8", "replace")
        assert response.status_code < 500, url
        assert SECRET not in body and "secret-draft" not in body and "secret-old-list" not in body, url
        assert not (300 <= response.status_code < 400 and "secret" in response.get("Location", "")), url
    assert Client(HTTP_HOST="localhost").get("/api/v3/images/").json()["items"] == []


def test_what_public_content_uses_is_served_and_editors_keep_their_access(hidden, client):
    draft = hidden["draft"]
    draft.get_latest_revision().publish()
    anonymous = Client(HTTP_HOST="localhost")
    assert [i["id"] for i in anonymous.get("/api/v3/images/").json()["items"]] == [hidden["image"].pk]
    editor = get_user_model().objects.create_superuser("route-editor", "r@example.invalid", "pw")
    client.force_login(editor)
    assert client.get(hidden["document"].url, HTTP_HOST="localhost").status_code == 200
    assert client.get(hidden["image"].file.url, HTTP_HOST="localhost").status_code == 200


def test_a_supersedes_link_to_a_draft_stays_in_the_cms(hidden, site_dirs, tmp_path):
    _src, site = site_dirs
    build_site()
    assert "secret-old-list" not in json.dumps(
        Client(HTTP_HOST="localhost").get("/api/v3/content/lists/sample-duties-by-law-2024/").json()
    )
    assert holding(site, "secret-old-list") == [] and holding(site, SECRET) == []
    call_command("dump_content", str(tmp_path / "dump"), verbosity=0)
    dumped = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "dump").rglob("*.md"))
    assert "secret-old-list" not in dumped and SECRET not in dumped


def test_the_site_runs_no_inline_script(site_dirs, client):
    _src, site = site_dirs
    build_site()
    response = client.get("/cases/hefei-red-property/", HTTP_HOST="localhost")
    policy = response["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "unsafe-inline" not in script_src
    import re

    for path in Path(site).rglob("*.html"):
        inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", path.read_text(encoding="utf-8"))
        assert inline == [], path


# --- make run's database and queues ---------------------------------------------------------------------


def test_sqlite_runs_in_wal_mode_and_waits_for_the_write_lock(tmp_path):
    script = """
import threading, time, django
django.setup()
from django.db import connection, connections, transaction
with connection.cursor() as c:
    c.execute("PRAGMA journal_mode")
    print(c.fetchone()[0])
    c.execute("CREATE TABLE t (n integer)")
def hold():
    with transaction.atomic():
        with connection.cursor() as c:
            c.execute("INSERT INTO t VALUES (1)")
        time.sleep(1.5)
    connection.close()
def write():
    time.sleep(0.3)
    with transaction.atomic():
        with connection.cursor() as c:
            c.execute("INSERT INTO t VALUES (2)")
    connection.close()
threads = [threading.Thread(target=hold), threading.Thread(target=write)]
[t.start() for t in threads]
[t.join() for t in threads]
with connection.cursor() as c:
    c.execute("SELECT COUNT(*) FROM t")
    print(c.fetchone()[0])
"""
    env = {
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["wal", "2"]


def test_site_builds_have_a_queue_of_their_own():
    from cms.publishing.tasks import SITE_QUEUE, run_site_build

    assert run_site_build.queue_name == SITE_QUEUE == "site"


# --- load_content -------------------------------------------------------------------------------------


def test_reloading_an_unchanged_folder_changes_nothing_whatever_the_quoting(tmp_path):
    from ..conftest import CONTENT

    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    path = folder / "lists" / "sample-certificates-issued-2024.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("date_published: 2024-03-05", "date_published: '2024-03-05'")
    text = text.replace("- 示例区民政局\n", '- "示例区民政局\\n中共示例区委社会工作部"\n', 1)
    text = text.replace("- 中共示例区委社会工作部\n", "", 1)
    path.write_text(text, encoding="utf-8")
    call_command("load_content", str(folder), "--no-build", verbosity=0)
    from cms.publishing.loader import Loader

    stats = Loader(folder).run()
    assert (stats["created"], stats["updated"]) == (0, 0)


def test_a_region_renamed_through_load_content_reaches_the_site(tmp_path, site_dirs):
    from ..conftest import CONTENT

    _src, site = site_dirs
    build_site()
    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    regions = folder / "regions.yaml"
    regions.write_text(
        regions.read_text(encoding="utf-8").replace("name: 合肥市", "name: 合肥市（改名）"), encoding="utf-8"
    )
    out = io.StringIO()
    call_command("load_content", str(folder), stdout=out)
    assert "地区新建 0，更新 1" in out.getvalue()
    build = run_build(SiteBuild.objects.get(status=SiteBuild.Status.QUEUED).pk)  # the worker's part
    assert build.status == SiteBuild.Status.DONE and "地区" in build.reasons
    assert "合肥市（改名）" in read_page(site, "regions/hefei")


def test_restore_of_the_root_only_database(tmp_path):
    """The dump loads into a database that holds nothing but Wagtail's root page."""
    call_command("dump_content", str(tmp_path / "dump"), verbosity=0)
    Page.objects.filter(depth__gt=1).delete()
    assert Page.objects.count() == 1
    call_command("load_content", str(tmp_path / "dump"), "--no-build", verbosity=0)
    assert CaseStudyPage.objects.filter(live=True).count() == 8


def test_an_image_no_public_page_uses_any_more_leaves_the_site(site_dirs):
    data = io.BytesIO()
    PILImage.new("RGB", (6, 4), "green").save(data, "PNG")
    image = get_image_model().objects.create(title="用过的图", file=ImageFile(data, name="used.png"))
    page = CaseStudyPage.objects.get(slug="hefei-red-property")
    figure = {"type": "figure", "value": {"image": image.pk, "caption": "图", "credit": "", "alt": "一块蓝色"}}
    page.body = StreamValue(page.body.stream_block, [figure], is_lazy=True)
    page.save_revision().publish()
    build_site()
    name = f"media/{image.get_file_hash()}.png"
    assert (Path(site_dirs[1]) / name).exists()
    page.body = StreamValue(page.body.stream_block, [], is_lazy=True)
    page.save_revision().publish()
    build_site()
    assert not (Path(site_dirs[1]) / name).exists() and not (Path(site_dirs[0]) / name).exists()
