"""Several processes against one PostgreSQL: two app servers and two build workers (real processes).

Runs when the suite runs on PostgreSQL (`make test` does, after SQLite): SQLite is the single-process default.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django_tasks_db.models import DBTaskResult

from django.db import connection

from cms.cases.models import CaseStudyPage
from cms.publishing.build import build_site
from cms.publishing.models import SiteBuild

from ..support.net import Proxy, free_port, listening, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="several processes need PostgreSQL"),
]

ROOT = Path(__file__).resolve().parents[2]


def database_port():
    return int(connection.settings_dict["PORT"] or 5432)


def process_env(site_dirs, tmp_path, settings, port=None):
    """Environment for real processes on the test database and the test's site folders."""
    build_site()
    # Publishing here only queues the build in the database, as in production; the workers run it.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "site"]}}
    db = connection.settings_dict
    return dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="cms.settings.dev",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{port or database_port()}/{db['NAME']}",
        JICENG_SITE_DIR=str(site_dirs[1]),
        JICENG_SITE_SRC=str(site_dirs[0]),
        MEDIA_ROOT=str(tmp_path / "media"),
        JICENG_BUILD_DEBOUNCE="0.5",
    )


@pytest.fixture
def cluster(site_dirs, tmp_path, settings):
    """Two gunicorn app servers and two db_workers, all on the test database and the test's site folders."""
    env = process_env(site_dirs, tmp_path, settings)
    procs = {"workers": [], "apps": []}
    ports = [free_port(), free_port()]

    def start_workers():
        procs["workers"] = [
            subprocess.Popen(
                [sys.executable, str(ROOT / "manage.py"), "db_worker", "--interval", "0.2"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(2)
        ]

    def stop_workers():
        for proc in procs["workers"]:
            proc.send_signal(signal.SIGTERM)
        for proc in procs["workers"]:
            proc.wait(timeout=30)

    for port in ports:
        procs["apps"].append(
            subprocess.Popen(
                [str(Path(sys.executable).parent / "gunicorn"), "cms.wsgi", "--workers", "1"]
                + ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
                env=env,
                cwd=ROOT,
            )
        )
    start_workers()
    for port in ports:
        assert wait_for(lambda port=port: listening(port), 30)
    yield {"ports": ports, "start_workers": start_workers, "stop_workers": stop_workers}
    for proc in procs["apps"] + procs["workers"]:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)


def title_served(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/cases/hefei-red-property/", timeout=10) as response:
        html = response.read().decode("utf-8")
    return html.split("<h1", 1)[1].split(">", 1)[1].split("<", 1)[0]


def publish(title):
    page = CaseStudyPage.objects.get(slug="hefei-red-property")
    page.title = title
    page.save_revision().publish()


def all_done():
    return not SiteBuild.objects.exclude(status=SiteBuild.Status.DONE).exists()


def test_two_workers_build_each_change_once_and_both_app_servers_serve_it(cluster):
    SiteBuild.objects.all().delete()
    for n in range(5):
        publish(f"合肥（第 {n + 1} 次修改）")
        time.sleep(0.3)
    assert wait_for(lambda: SiteBuild.objects.exists() and all_done(), 90)
    builds = list(SiteBuild.objects.order_by("started_at"))
    # Every build ran exactly once, and never two at the same time (the build lock and the claim).
    assert all(b.status == "done" and b.started_at and b.finished_at for b in builds)
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() >= len(builds)  # run by the worker processes
    for earlier, later in zip(builds, builds[1:], strict=False):
        assert earlier.finished_at <= later.started_at
    assert sum(len(b.reason_list) for b in builds) >= 5  # every publish is in some build's reasons
    for port in cluster["ports"]:
        assert title_served(port) == "合肥（第 5 次修改）"


def test_queued_work_survives_a_restart_of_every_worker(cluster):
    cluster["stop_workers"]()
    SiteBuild.objects.all().delete()
    publish("合肥（所有 worker 停止时发布）")
    time.sleep(1.5)
    assert SiteBuild.objects.get().status == "queued"  # nobody to build it, but it is recorded
    assert title_served(cluster["ports"][0]) != "合肥（所有 worker 停止时发布）"
    cluster["start_workers"]()
    assert wait_for(lambda: all_done(), 90)
    assert wait_for(lambda: title_served(cluster["ports"][1]) == "合肥（所有 worker 停止时发布）", 10)


def test_a_worker_waits_out_a_database_outage_and_then_builds(site_dirs, tmp_path, settings):
    """The worker reaches the database through a proxy we cut: it must survive and build once it is back."""
    proxy = Proxy(target_port=database_port())
    proxy.start()
    env = process_env(site_dirs, tmp_path, settings, port=proxy.port)
    log = tmp_path / "worker.log"
    with open(log, "w") as stderr:
        worker = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "db_worker", "--interval", "0.2"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        SiteBuild.objects.all().delete()
        assert wait_for(lambda: proxy.conns, 60)  # the worker is up and polling through the proxy
        proxy.cut()
        publish("合肥（数据库中断期间发布）")  # the CMS itself still reaches the database
        assert wait_for(lambda: "数据库不可用" in log.read_text(encoding="utf-8"), 30)
        time.sleep(1.5)  # a retry or two while the database is still away
        assert worker.poll() is None, "the worker died of the outage"
        assert SiteBuild.objects.get().status == "queued"
        proxy.start()
        assert wait_for(lambda: all_done(), 60), log.read_text(encoding="utf-8")[-2000:]
        assert worker.poll() is None
        page = (site_dirs[1] / "cases" / "hefei-red-property" / "index.html").read_text(encoding="utf-8")
        assert "合肥（数据库中断期间发布）" in page
        messages = log.read_text(encoding="utf-8")
        assert "数据库不可用" in messages and "数据库已恢复" in messages
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        proxy.cut()
