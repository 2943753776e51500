"""Publish means live: every change queues a build, bursts coalesce, builds are incremental and atomic."""

import datetime
import os
import time
from pathlib import Path

import pytest

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wagtail.models import Page

from cms.cases.models import CaseStudyIndexPage, CaseStudyPage
from cms.core.models import Region
from cms.publishing.models import SiteBuild
from cms.publishing.tasks import request_build, run_build

from ..conftest import article, make_case, read_page, search_records, sitemap_urls

pytestmark = pytest.mark.django_db

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default", "site"]}}
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "site"]}}


@pytest.fixture
def queued(settings):
    """Tasks are recorded, not run: the test decides when the build happens."""
    settings.TASKS = DUMMY_TASKS
    return settings


def queued_reasons():
    build = SiteBuild.objects.filter(status=SiteBuild.Status.QUEUED).get()
    return build.reason_list


# --- triggers -------------------------------------------------------------------------------


def test_publish_queues_a_build_with_its_reason(queued, django_capture_on_commit_callbacks):
    from django_tasks import task_backends

    with django_capture_on_commit_callbacks(execute=True):
        make_case("trigger-publish", "触发发布")
    assert queued_reasons() == ["发布：触发发布"]
    assert [r.task.name for r in task_backends["default"].results if r.task.name == "run_site_build"] == [
        "run_site_build"
    ]


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        (lambda page: page.unpublish(), "撤销发布：触发页"),
        (lambda page: page.delete(), "撤销发布：触发页"),  # Wagtail unpublishes a live page it deletes
        (lambda page: page.move(CaseStudyIndexPage.objects.get(), pos="last-child"), "移动：触发页"),
        (lambda page: page.copy(update_attrs={"slug": "trigger-copy"}, keep_live=True), "发布：触发页"),
    ],
    ids=["unpublish", "delete", "move", "copy"],
)
def test_every_change_to_a_live_page_queues_a_build(queued, action, reason):
    page = make_case("trigger-page", "触发页")
    SiteBuild.objects.all().delete()
    action(page)
    assert reason in queued_reasons()


def test_scheduled_go_live_and_expiry_queue_builds(queued):
    page = make_case("scheduled", "定时上线的案例", publish=False)
    page.save_revision(approved_go_live_at=timezone.now() - datetime.timedelta(minutes=1))
    SiteBuild.objects.all().delete()
    call_command("publish_scheduled", verbosity=0)
    assert "发布：定时上线的案例" in queued_reasons()
    page.refresh_from_db()
    assert page.live
    page.expire_at = timezone.now() - datetime.timedelta(minutes=1)
    page.save()
    SiteBuild.objects.all().delete()
    call_command("publish_scheduled", verbosity=0)
    assert "撤销发布：定时上线的案例" in queued_reasons()


def test_region_changes_queue_a_build(queued):
    region = Region.objects.get(slug="hefei")
    region.name = "合肥市（更名）"
    region.save()
    assert "地区变更：合肥市（更名）" in queued_reasons()


def test_making_a_live_page_private_or_public_again_queues_a_build(queued, site_dirs):
    from wagtail.models import PageViewRestriction

    page = make_case("privacy-trigger", "设为私密的案例")
    SiteBuild.objects.all().delete()
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    assert "访问权限变更：设为私密的案例" in queued_reasons()
    run_build(SiteBuild.objects.get().pk)
    assert not (site_dirs[1] / "cases" / "privacy-trigger" / "index.html").exists()
    restriction.delete()
    run_build(SiteBuild.objects.get(status=SiteBuild.Status.QUEUED).pk)
    assert (site_dirs[1] / "cases" / "privacy-trigger" / "index.html").exists()


def test_drafts_do_not_queue_builds(queued):
    page = make_case("draft-only", "只存草稿", publish=False)
    page.save_revision()
    assert not SiteBuild.objects.exists()


def test_a_burst_of_publishes_makes_one_build_and_loses_nothing(queued, site_dirs):
    for n in range(20):
        make_case(f"burst-{n}", f"连续发布{n}")
    assert SiteBuild.objects.count() == 1
    build = run_build(SiteBuild.objects.get().pk)
    assert build.status == SiteBuild.Status.DONE
    assert len(build.reason_list) == 20
    _src, site = site_dirs
    listing = article(read_page(site, "cases"))
    assert all(f"连续发布{n}" in listing for n in range(20))


def test_a_change_during_a_running_build_queues_the_next_one(queued):
    first = request_build("第一次")
    SiteBuild.objects.filter(pk=first.pk).update(status=SiteBuild.Status.RUNNING)
    second = request_build("构建期间的变更")
    assert second.pk != first.pk and second.status == SiteBuild.Status.QUEUED
    assert request_build("又一次").pk == second.pk


def test_a_build_is_claimed_once(queued, site_dirs):
    build = request_build("只应构建一次")
    assert run_build(build.pk).status == SiteBuild.Status.DONE
    assert run_build(build.pk) is None  # a second worker seeing the same task does nothing


# --- incremental and consistent ------------------------------------------------------------------


def test_an_edit_rewrites_only_what_changed_and_updates_every_page_that_shows_it(queued, site_dirs):
    src, site = site_dirs
    first = run_build(request_build("首次").pk)
    assert first.full
    before = {p: p.stat().st_mtime_ns for p in src.rglob("*.md")}
    unrelated = site / "cases" / "laiwu-one-artery-four-links" / "index.html"
    unrelated_inode = unrelated.stat().st_ino

    page = CaseStudyPage.objects.get(slug="hefei-red-property")
    page.title = "合肥市：红色物业的新标题"
    page.save_revision().publish()
    second = run_build(SiteBuild.objects.get(status=SiteBuild.Status.QUEUED).pk)
    assert not second.full and second.pages_rendered < 15

    after = {p: p.stat().st_mtime_ns for p in src.rglob("*.md")}
    changed = {p.relative_to(src).as_posix() for p in after if after[p] != before.get(p)}
    assert "cases/hefei-red-property.md" in changed
    assert "cases/laiwu-one-artery-four-links.md" not in changed
    assert unrelated.stat().st_ino == unrelated_inode  # not rewritten: the same file, hard-linked forward
    assert "合肥市：红色物业的新标题" in read_page(site, "cases/hefei-red-property")
    for listing in ("cases", "regions/hefei", "regions/anhui", "themes/物业", ""):
        assert "合肥市：红色物业的新标题" in article(read_page(site, listing)), listing
    record = next(r for r in search_records(site) if r["url"] == "/cases/hefei-red-property/")
    assert "新标题" in record["content"].replace("\u200b", "")


def test_a_new_page_appears_in_its_region_section_and_search(queued, site_dirs):
    _src, site = site_dirs
    run_build(request_build("首次").pk)
    make_case("brand-new", "新近发布的社区案例", region="laiwu")
    run_build(SiteBuild.objects.get(status=SiteBuild.Status.QUEUED).pk)
    assert "新近发布的社区案例" in article(read_page(site, "regions/laiwu"))
    assert "新近发布的社区案例" in article(read_page(site, "regions/shandong"))
    assert "新近发布的社区案例" in article(read_page(site, "cases"))
    assert "/cases/brand-new/" in {r["url"] for r in search_records(site)}


def test_a_deleted_page_and_its_search_entry_are_gone(queued, site_dirs):
    _src, site = site_dirs
    run_build(request_build("首次").pk)
    CaseStudyPage.objects.get(slug="xinpu-red-property").delete()
    run_build(SiteBuild.objects.get(status=SiteBuild.Status.QUEUED).pk)
    assert not (site / "cases" / "xinpu-red-property").exists()
    assert "/cases/xinpu-red-property/" not in {r["url"] for r in search_records(site)}
    assert "xinpu-red-property" not in article(read_page(site, "regions/guizhou"))


# --- atomic and visible ----------------------------------------------------------------------


def test_a_failing_build_keeps_the_last_good_site_and_records_the_error(queued, site_dirs, settings, tmp_path):
    _src, site = site_dirs
    run_build(request_build("首次").pk)
    good_generation = os.path.realpath(site)
    broken = tmp_path / "broken-mkdocs.yml"
    broken.write_text(
        Path(settings.MKDOCS_CONFIG).read_text(encoding="utf-8") + "\nnot_an_option: [\n", encoding="utf-8"
    )
    settings.MKDOCS_CONFIG = broken
    CaseStudyPage.objects.get(slug="hefei-red-property").unpublish()
    failed = run_build(SiteBuild.objects.get(status=SiteBuild.Status.QUEUED).pk)
    assert failed.status == SiteBuild.Status.FAILED
    assert "构建失败" in failed.error
    assert os.path.realpath(site) == good_generation
    assert "安徽省合肥市" in read_page(site, "cases/hefei-red-property")  # the last good site still serves


def test_the_server_serves_a_rebuilt_site_without_restart(queued, site_dirs):
    _src, site = site_dirs
    run_build(request_build("首次").pk)
    client = Client()
    first = b"".join(client.get("/cases/hefei-red-property/").streaming_content).decode()
    assert "安徽省合肥市" in first
    page = CaseStudyPage.objects.get(slug="hefei-red-property")
    page.title = "换了标题以后"
    page.save_revision().publish()
    run_build(SiteBuild.objects.get(status=SiteBuild.Status.QUEUED).pk)
    response = client.get("/cases/hefei-red-property/")
    body = b"".join(response.streaming_content).decode()
    assert "换了标题以后" in body
    assert int(response["Content-Length"]) == len(body.encode())
    assert client.get("/cases/brand-new-never/").status_code == 404


def test_the_site_is_served_file_by_file_without_scanning_it(queued, site_dirs):
    """The server looks a file up when it is asked for (a new generation costs nothing until then): pages,
    compressed copies by Accept-Encoding, a folder's address without its slash, nothing outside the site."""
    from cms.publishing.middleware import PublicSiteMiddleware

    _src, site = site_dirs
    run_build(request_build("首次").pk)
    client = Client()
    page = client.get("/cases/hefei-red-property/", HTTP_ACCEPT_ENCODING="br")
    assert page.status_code == 200 and page["Content-Encoding"] == "br"
    assert client.get("/cases/hefei-red-property").status_code in (301, 302)
    assert client.get("/cases/hefei-red-property/index.html.br").status_code == 404  # copies only by encoding
    for hostile in ("/cases/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/cases//hefei-red-property/"):
        assert client.get(hostile).status_code == 404, hostile
    middleware = PublicSiteMiddleware(lambda request: None)
    assert middleware.site_file("/cases/hefei-red-property/") is not None
    assert list(middleware.site_files) == ["/cases/hefei-red-property/"]  # only what was asked for


def test_a_draft_never_reaches_the_site_through_a_triggered_build(queued, site_dirs):
    _src, site = site_dirs
    make_case("draft-in-burst", "草稿不应上线", publish=False)
    live = CaseStudyPage.objects.get(slug="ziyun-three-orders")
    live.title = "未发布的修改"
    live.save_revision()
    make_case("published-in-burst", "同一批发布的案例")
    run_build(SiteBuild.objects.get(status=SiteBuild.Status.QUEUED).pk)
    html = "".join(p.read_text(encoding="utf-8") for p in Path(os.path.realpath(site)).rglob("*.html"))
    assert "同一批发布的案例" in html
    assert "草稿不应上线" not in html and "未发布的修改" not in html


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_queue_and_its_worker_run_the_build(settings, site_dirs):
    """Committed for real: the worker, like a real one, closes and reopens database connections."""
    settings.TASKS = DB_TASKS
    make_case("via-worker", "经由任务队列发布")
    assert SiteBuild.objects.get().status == SiteBuild.Status.QUEUED
    call_command("db_worker", "--batch", verbosity=0)
    assert SiteBuild.objects.get().status == SiteBuild.Status.DONE
    _src, site = site_dirs
    assert "经由任务队列发布" in read_page(site, "cases/via-worker")


def test_admin_shows_builds_and_lets_site_administrators_rebuild(queued, client):
    request_build("发布：某案例")
    SiteBuild.objects.create(status=SiteBuild.Status.FAILED, reasons="发布：坏案例", error="MkDocs 构建失败：某处出错")
    editor = get_user_model().objects.create_user("plain-editor", password="pw")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    listing = client.get(reverse("jiceng_site_builds")).content.decode()
    assert "发布：某案例" in listing and "排队中" in listing and "MkDocs 构建失败：某处出错" in listing
    assert "重新构建</button>" not in listing
    client.post(reverse("jiceng_site_builds_rebuild"))  # refused: the admin redirects with a message
    assert not SiteBuild.objects.filter(full=True).exists()
    admin = get_user_model().objects.create_superuser("site-admin", "a@example.invalid", "pw")
    client.force_login(admin)
    assert client.post(reverse("jiceng_site_builds_rebuild")).status_code == 302
    queued_build = SiteBuild.objects.get(status=SiteBuild.Status.QUEUED)
    assert queued_build.full and "手动重新构建（site-admin）" in queued_build.reason_list
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "公开网站" in dashboard


def test_page_tree_root_is_not_a_trigger(queued):
    Page.get_first_root_node().save()
    assert not SiteBuild.objects.exists()


def test_a_live_page_deleted_in_bulk_queues_a_build(queued):
    page = make_case("bulk-delete", "批量删除的案例")
    SiteBuild.objects.all().delete()
    Page.objects.filter(pk=page.pk).delete()
    assert "撤销发布：批量删除的案例" in queued_reasons()


def test_a_killed_build_is_recorded_and_queued_again(queued, site_dirs):
    """A real process holds the build lock and is killed with SIGKILL mid-build."""
    import multiprocessing
    import signal

    from cms.publishing.tasks import build_lock, recover_interrupted_builds

    _src, site = site_dirs
    run_build(request_build("首次").pk)
    good = os.path.realpath(site)
    victim = request_build("被杀掉的构建")
    SiteBuild.objects.filter(pk=victim.pk).update(status=SiteBuild.Status.RUNNING)
    started = multiprocessing.get_context("fork").Event()

    def hold_lock_forever():
        with build_lock():
            started.set()
            time.sleep(600)

    worker = multiprocessing.get_context("fork").Process(target=hold_lock_forever)
    worker.start()
    assert started.wait(10)
    assert recover_interrupted_builds() == []  # the lock is held: that build is alive
    os.kill(worker.pid, signal.SIGKILL)
    worker.join()
    recovered = recover_interrupted_builds()
    assert [b.pk for b in recovered] == [victim.pk]
    victim.refresh_from_db()
    assert victim.status == SiteBuild.Status.FAILED and "构建进程中断" in victim.error
    assert os.path.realpath(site) == good  # the last good site kept serving
    again = SiteBuild.objects.get(status=SiteBuild.Status.QUEUED)
    assert run_build(again.pk).status == SiteBuild.Status.DONE


def test_old_generations_leave_at_once_and_are_deleted_in_the_background(queued, site_dirs):
    from cms.publishing.generations import KEEP_GENERATIONS, NEXT_PREFIX, TRASH_PREFIX

    from ..support.net import wait_for

    for n in range(KEEP_GENERATIONS + 2):
        make_case(f"generation-{n}", f"第 {n} 代")
        run_build(SiteBuild.objects.get(status=SiteBuild.Status.QUEUED).pk)
    builds = site_dirs[1].with_name("site.builds")
    generations = sorted(p.name for p in builds.glob("g*") if p.is_dir())
    # The live generation and the one before stay (a slow download of it finishes); the one before that
    # became the next build's starting tree (brought up to date by the last two builds' journals).
    assert len(generations) == KEEP_GENERATIONS - 1
    assert site_dirs[1].resolve().name == generations[-1]
    assert sorted(p.stem for p in builds.glob("g*.json")) == generations
    assert wait_for(lambda: not list(builds.glob(f"{TRASH_PREFIX}*")), 30)
    assert "第 4 代" in read_page(site_dirs[1], "cases/generation-4")
    # The next build's starting tree is ready, and the next build takes it.
    prepared = builds / f"{NEXT_PREFIX}{generations[-1]}"
    assert wait_for(prepared.exists, 30)
    make_case("generation-next", "下一代")
    run_build(SiteBuild.objects.get(status=SiteBuild.Status.QUEUED).pk)
    assert not prepared.exists()
    assert "下一代" in read_page(site_dirs[1], "cases/generation-next")
    assert "第 4 代" in read_page(site_dirs[1], "cases/generation-4")


def test_the_worker_keeps_the_loaded_site_project_between_edits(queued, site_dirs):
    """Loading MkDocs takes seconds at 10,000 pages: an edit reuses the worker's loaded project, writing into
    the new generation; a new page (a new file in site_src) joins it, a page taken down leaves it."""
    from cms.publishing.cache import BuildCache

    _src, site = site_dirs
    cache = BuildCache()
    run_build(request_build("首次").pk, cache)
    loaded = cache.project
    page = CaseStudyPage.objects.get(slug="hefei-red-property")
    page.title = "合肥市：项目复用后的新标题"
    page.save_revision().publish()
    run_build(SiteBuild.objects.get(status=SiteBuild.Status.QUEUED).pk, cache)
    assert cache.project is loaded
    assert loaded.config["site_dir"] == os.path.realpath(site)
    assert "项目复用后的新标题" in read_page(site, "cases/hefei-red-property")
    assert "项目复用后的新标题" in article(read_page(site, "regions/hefei"))
    new = make_case("another-new", "复用之后新建的案例", region="laiwu")
    build = run_build(SiteBuild.objects.get(status=SiteBuild.Status.QUEUED).pk, cache)
    assert cache.project is loaded and build.pages_rendered < 20
    assert "复用之后新建的案例" in read_page(site, "cases/another-new")
    assert "复用之后新建的案例" in article(read_page(site, "regions/laiwu"))
    assert (Path(site) / "api" / "cases" / "another-new.json").exists()
    assert any(url.endswith("/cases/another-new/") for url in sitemap_urls(site))
    assert (Path(site) / "cases" / "another-new" / "index.html.br").exists()
    new.unpublish()
    run_build(SiteBuild.objects.get(status=SiteBuild.Status.QUEUED).pk, cache)
    assert cache.project is loaded
    assert not (Path(site) / "cases" / "another-new").exists()
    assert not (Path(site) / "api" / "cases" / "another-new.json").exists()
    assert not (Path(site) / "api" / "cases" / "another-new.json.gz").exists()
    assert not any(url.endswith("/cases/another-new/") for url in sitemap_urls(site))
