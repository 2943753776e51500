"""A bounded load test on loopback against the production profile: static pages, the API, the admin login.

    make load          (or: .venv/bin/python -m bench.load)

Sets up a PostgreSQL database (``jiceng_load`` on 127.0.0.1:5432), loads content/, builds the site,
starts gunicorn with the production settings and runs wrk (Debian's package; `make load` installs it)
for a fixed time per target and concurrency, then prints throughput, p50/p99 latency and errors.
Everything stops by itself; the database is dropped at the end.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.support.net import free_port, listening, wait_for

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DB_NAME = "jiceng_load"
TARGETS = [
    ("静态页面（案例）", "/cases/hefei-red-property/"),
    ("静态页面（清单）", "/lists/sample-certificates-cancelled-2024/"),
    ("API（案例列表）", "/api/v3/content/items/?kind=case&limit=20"),
    ("管理后台登录页", "/admin/login/"),
]


def say(message):
    print(message, flush=True)


def recreate_database():
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def drop_database():
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def production_env(work):
    return dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        DJANGO_SECRET_KEY="load-test-only-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        WAGTAILADMIN_BASE_URL="http://127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",  # loopback without TLS; everything else as in production
        JICENG_SITE_DIR=str(work / "site"),
        JICENG_SITE_SRC=str(work / "site_src"),
        MEDIA_ROOT=str(work / "media"),
        STATIC_ROOT=str(work / "static"),
    )


def run_wrk(url, connections, seconds):
    threads = min(connections, 2)
    proc = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency", "--timeout", "10s", url],
        capture_output=True,
        text=True,
        check=True,
    )
    out = proc.stdout

    def latency(pct):
        match = re.search(rf"^\s*{pct}%\s+([\d.]+)(us|ms|s)", out, re.M)
        if not match:
            return float("nan")
        factor = {"us": 0.001, "ms": 1.0, "s": 1000.0}[match[2]]
        return float(match[1]) * factor

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    total = int(re.search(r"(\d+) requests in", out)[1])
    non2xx = int(m[1]) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    socket_errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return {"rps": rps, "p50": latency(50), "p99": latency(99), "requests": total, "errors": non2xx + socket_errors}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=8, help="每个目标、每种并发的持续秒数")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn 进程数")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("需要 wrk：运行 make load（会用 apt 安装），或 apt-get install wrk")

    work = Path(tempfile.mkdtemp(prefix="jiceng-load-"))
    env = production_env(work)
    manage = [sys.executable, str(ROOT / "manage.py")]
    server = None
    try:
        say("准备：PostgreSQL 数据库、迁移、载入 content/、构建网站、收集静态文件…")
        recreate_database()
        for command in (["migrate", "--noinput", "-v", "0"], ["load_content", "--no-build"], ["build_site"]):
            subprocess.run(manage + command, env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        subprocess.run(manage + ["collectstatic", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
        port = free_port()
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "cms.wsgi", "--workers", str(args.workers)]
            + ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--backlog", "2048"],
            env=env,
            cwd=ROOT,
        )
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: listening(port), 20)
        # Warm every app process up on every target first (each reads the site's file table and imports its
        # views on its first request), so the figures are of a running server, not of its first seconds.
        for _label, path in TARGETS:
            subprocess.run(["wrk", "-t", "2", "-c", "50", "-d", "2s", base + path], capture_output=True)
        say(f"gunicorn：{args.workers} 个进程（生产配置，PostgreSQL）；wrk 每项 {args.seconds} 秒\n")
        say(f"{'目标':<20}{'并发':>6}{'请求/秒':>10}{'p50 (ms)':>10}{'p99 (ms)':>10}{'请求数':>9}{'错误':>6}")
        lines = []
        for label, path in TARGETS:
            for connections in (50, 200):
                r = run_wrk(base + path, connections, args.seconds)
                say(
                    f"{label:<20}{connections:>6}{r['rps']:>10.0f}{r['p50']:>10.1f}{r['p99']:>10.1f}"
                    f"{r['requests']:>9}{r['errors']:>6}"
                )
                lines.append(
                    f"{path}@{connections}:rps={r['rps']:.0f},p50={r['p50']:.1f},p99={r['p99']:.1f},err={r['errors']}"
                )
        say("\nload: " + " ".join(lines))
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        drop_database()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
