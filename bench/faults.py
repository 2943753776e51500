"""Fault script: what happens to the public site and to a publish when things go wrong.

    make faults        (or: .venv/bin/python -m bench.faults)

Against a real PostgreSQL (database ``jiceng_faults``), a gunicorn app server and a real task worker:
1. a worker is killed (SIGKILL) in the middle of a build;
2. the database becomes unreachable for the worker right after a publish (a TCP proxy we cut);
3. a build fails (the worker runs with a theme configuration MkDocs refuses);
4. one bad item in a build (a value no file can be named by, written past the gate): the build completes
   for every other item, the bad one keeps its last good page and is named in the build log.
After each, the script checks that the last good site kept serving, that the change was not lost, and
that the next build succeeds; it prints what it saw and a summary line. It stops by itself.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.support.net import Proxy, free_port, listening, wait_for

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DB_NAME = "jiceng_faults"
PAGE = "/cases/hefei-red-property/"


def say(message):
    print(message, flush=True)


def fetch(base):
    with urllib.request.urlopen(base + PAGE, timeout=10) as response:
        return response.status, response.read().decode("utf-8")


def main():
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    work = Path(tempfile.mkdtemp(prefix="jiceng-faults-"))
    proxy = Proxy()
    proxy.start()
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="cms.settings.dev",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        JICENG_SITE_DIR=str(work / "site"),
        JICENG_SITE_SRC=str(work / "site_src"),
        MEDIA_ROOT=str(work / "media"),
        JICENG_BUILD_DEBOUNCE="0",
    )
    os.environ.update(env)
    worker_env = dict(env, DATABASE_URL=f"postgres://postgres@127.0.0.1:{proxy.port}/{DB_NAME}")
    manage = [sys.executable, str(ROOT / "manage.py")]
    procs = {}
    results = {}
    worker_log = open(work / "worker.log", "w")  # noqa: SIM115 - open for the whole run

    def start_worker(**extra):
        procs["worker"] = subprocess.Popen(
            manage + ["db_worker", "--interval", "0.2", "--no-reload"],  # one process: a kill kills the worker
            env=dict(worker_env, **extra),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=worker_log,
        )

    try:
        say("准备：PostgreSQL、迁移、载入 content/、构建网站、启动 gunicorn 和构建 worker…")
        for command in (["migrate", "--noinput", "-v", "0"], ["load_content", "--no-build"], ["build_site"]):
            subprocess.run(manage + command, env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        port = free_port()
        procs["app"] = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "cms.wsgi", "--workers", "2"]
            + ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
            env=env,
            cwd=ROOT,
        )
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: listening(port), 20)
        start_worker()

        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.db import connection

        from cms.cases.models import CaseStudyPage
        from cms.publishing.models import SiteBuild
        from cms.publishing.tasks import recover_interrupted_builds, request_build

        def publish(title):
            page = CaseStudyPage.objects.get(slug="hefei-red-property")
            page.title = title
            page.save_revision().publish()

        def latest():
            return SiteBuild.objects.order_by("-pk").first()

        # 1. A worker killed in the middle of a build.
        say("\n1. 构建进行中杀死 worker（SIGKILL）")
        publish("合肥（故障一：杀死 worker）")
        request_build("故障脚本：全量构建", full=True)
        running = wait_for(lambda: latest().status == SiteBuild.Status.RUNNING, 30, 0.01)
        procs["worker"].send_signal(signal.SIGKILL)
        procs["worker"].wait()
        status, html = fetch(base)
        served = status == 200 and "安徽省合肥市" in html
        say(
            f"   构建开始后杀死 worker：{'是' if running else '否（构建太快，已先完成）'}；网站仍在服务旧版本：{served}"
        )
        recovered = recover_interrupted_builds()
        start_worker()
        done = wait_for(lambda: latest().status == SiteBuild.Status.DONE, 60, 0.2)
        status, html = fetch(base)
        live = "故障一：杀死 worker" in html
        say(f"   中断的构建被记为失败并重新排队：{len(recovered)} 个；下一次构建成功：{done}；修改已上线：{live}")
        results["killed_worker"] = served and done and live

        # 2. The database becomes unreachable for the worker right after a publish.
        say("\n2. 发布后数据库对 worker 不可达（切断 TCP 代理）")
        proxy.cut()
        started = time.monotonic()
        publish("合肥（故障二：数据库断开）")  # the publish itself commits (the CMS still reaches the database)
        time.sleep(3)
        queued = latest().status == SiteBuild.Status.QUEUED
        status, html = fetch(base)
        served = status == 200
        worker_alive = procs["worker"].poll() is None
        say(
            f"   数据库断开 3 秒：构建仍在队列中：{queued}；网站仍在服务：{served}；worker 进程仍在运行：{worker_alive}"
        )
        proxy.start()  # the database is back
        pid = procs["worker"].pid
        done = wait_for(lambda: latest().status == SiteBuild.Status.DONE, 60, 0.2)
        same_worker = procs["worker"].poll() is None and procs["worker"].pid == pid
        say(f"   数据库恢复后 worker 自动重连（同一进程，未重启）：{same_worker}")
        worker_log.flush()
        for line in (work / "worker.log").read_text(encoding="utf-8").splitlines():
            if "数据库" in line:
                say(f"   worker：{line[:120]}")
        status, html = fetch(base)
        live = "故障二：数据库断开" in html
        say(
            f"   数据库恢复后：构建完成：{done}；修改已上线（没有丢失）：{live}；用时 {time.monotonic() - started:.1f}s"
        )
        results["db_outage"] = queued and served and worker_alive and same_worker and done and live

        # 2b. A publish attempted while the CMS itself cannot reach the database fails whole.
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        title_before = CaseStudyPage.objects.get(slug="hefei-red-property").title
        connection.close()
        saved_url = connection.settings_dict["PORT"]
        connection.settings_dict["PORT"] = str(free_port())  # nothing listens there: the database is "down"
        try:
            publish("不应保存的标题")
            failed = False
        except Exception as exc:  # noqa: BLE001 - any database error is the expected outcome
            failed = True
            say(f"   数据库不可用时发布：编辑看到错误（{type(exc).__name__}）")
        connection.close()
        connection.settings_dict["PORT"] = saved_url
        unchanged = CaseStudyPage.objects.get(slug="hefei-red-property").title == title_before
        say(f"   发布失败且没有保存半截内容：{failed and unchanged}")
        results["db_down_publish"] = failed and unchanged

        # 3. A build that fails.
        say("\n3. 构建失败（worker 使用 MkDocs 拒绝的主题配置）")
        broken = work / "broken-mkdocs.yml"
        broken.write_text("site_name: 坏配置\ntheme:\n  name: no-such-theme\n", encoding="utf-8")
        procs["worker"].terminate()
        procs["worker"].wait()
        start_worker(JICENG_MKDOCS_CONFIG=str(broken))
        publish("合肥（故障三：构建失败）")
        failed = wait_for(lambda: latest().status == SiteBuild.Status.FAILED, 60, 0.2)
        status, html = fetch(base)
        served = status == 200 and "故障二：数据库断开" in html
        say(f"   构建失败并记录原因：{failed}（{(latest().error or '')[:60]}…）；网站仍在服务上一版：{served}")
        procs["worker"].terminate()
        procs["worker"].wait()
        start_worker()
        request_build("故障脚本：修复后重新构建")
        done = wait_for(lambda: latest().status == SiteBuild.Status.DONE, 60, 0.2)
        status, html = fetch(base)
        live = "故障三：构建失败" in html
        say(f"   修复后下一次构建成功：{done}；失败时的修改随之上线（没有丢失）：{live}")
        results["failed_build"] = failed and served and done and live

        # 4. One bad item in a build.
        say("\n4. 构建中有一项坏内容（绕过校验写入数据库、无法作为文件名的网址标识）")
        from django.utils import timezone

        CaseStudyPage.objects.filter(slug="xinpu-red-property").update(
            slug="长" * 100, title="坏条目", last_published_at=timezone.now()
        )
        publish("合肥（故障四：一项坏内容）")
        done = wait_for(lambda: latest().status == SiteBuild.Status.DONE and latest().problems, 60, 0.2)
        status, html = fetch(base)
        live = "故障四：一项坏内容" in html
        with urllib.request.urlopen(base + "/cases/xinpu-red-property/", timeout=10) as response:
            kept = response.status == 200 and "坏条目" not in response.read().decode("utf-8")
        problems = latest().problems
        named = bool(problems) and "坏条目" in problems[0]["item"]
        say(f"   构建完成：{done}；其他修改已上线：{live}；坏条目保留上一版本：{kept}；构建记录写明：{named}")
        for problem in problems:
            say(f"   构建记录：{problem['item']}：{problem['reason']}")
        results["bad_item"] = bool(done) and live and kept and named
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001
            pass
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        shutil.rmtree(work, ignore_errors=True)
    say("\nfaults: " + " ".join(f"{k}={'ok' if v else 'FAILED'}" for k, v in results.items()))
    sys.exit(0 if results and all(results.values()) else 1)


if __name__ == "__main__":
    main()
