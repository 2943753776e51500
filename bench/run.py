"""Benchmark the publish pipeline at N pages against plain MkDocs + Material search, in one run.

    make bench PAGES=10000        (or: .venv/bin/python -m bench.run --pages 10000)

The seeded database is cached in bench/.cache/ (keyed by page count and migrations), so only the first
run at a size pays for creating the pages.
"""

import argparse
import datetime
import gzip
import hashlib
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
WORK = ROOT / "bench" / ".work"


def migrations_key():
    """Changes with the migrations and with how the pages are made (a cached database is then made again)."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("cms/*/migrations/*.py")) + [
        ROOT / "bench" / "seed.py",
        ROOT / "bench" / "synthetic.py",
    ]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def say(message):
    print(message, flush=True)


def prepare_database(pages):
    """A database with content/ and `pages` synthetic pages, from the cache when possible."""
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = CACHE / f"pages-{pages}-{migrations_key()}.sqlite3"
    work_db = WORK / "bench.sqlite3"
    os.environ["SQLITE_PATH"] = str(cached)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    if not cached.exists():
        say(f"准备数据：批量创建 {pages} 个页面（只在第一次运行时需要）…")
        call_command("migrate", verbosity=0)
        call_command("load_content", str(ROOT / "content"), "--no-build", verbosity=0)
        from bench.seed import seed

        seconds = seed(pages, progress=sys.stdout)
        say(f"  完成，用时 {seconds:.0f}s")
    connections.close_all()
    shutil.copyfile(cached, work_db)
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = str(work_db)
    connections["default"].settings_dict["NAME"] = str(work_db)


def median_gzip_kb(site, folders, sample=300):
    sizes = []
    for folder in folders:
        for path in sorted((site / folder).glob("*/index.html"))[:sample]:
            sizes.append(len(gzip.compress(path.read_bytes(), 6)))
    return statistics.median(sizes) / 1024 if sizes else 0.0


def baseline_build(source_dir):
    """Plain `mkdocs build` of the same site_src, with Material's built-in search (jieba for Chinese)."""
    config = WORK / "baseline-mkdocs.yml"
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    text = text.replace("plugins: []", "plugins:\n  - search:\n      lang: zh")
    text = text.replace("custom_dir: overrides", f"custom_dir: {ROOT / 'overrides'}")
    text = text.replace("  - hooks/site.py", f"  - {ROOT / 'hooks' / 'site.py'}")
    config.write_text(text, encoding="utf-8")
    out = WORK / "baseline-site"
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, JICENG_SITE_SRC=str(source_dir), NO_MKDOCS_2_WARNING="1")
    started = time.perf_counter()
    peak = run_measured(
        [str(Path(sys.executable).parent / "mkdocs"), "build", "-q", "-f", str(config), "-d", str(out)], env
    )
    seconds = time.perf_counter() - started
    index = out / "search" / "search_index.json"
    index_kb_gz = len(gzip.compress(index.read_bytes(), 6)) / 1024 if index.exists() else 0.0
    return seconds, index_kb_gz, peak


# Runs a command and writes its process tree's largest resident set (KiB) to a file. A child forked from
# this (large) process would report this process's size as its own peak; one forked from this small
# launcher reports its own.
LAUNCHER = (
    "import resource, subprocess, sys; done = subprocess.run(sys.argv[2:]); "
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
    "sys.exit(done.returncode)"
)


def run_measured(command, env, quiet=False):
    """Run a command to its end and return its own peak memory in MiB (the largest resident set of its
    processes), so the plain-MkDocs baseline and the browser do not count as the project's memory."""
    report = WORK / "peak.txt"
    subprocess.run(
        [sys.executable, "-c", LAUNCHER, str(report), *command],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )
    return int(report.read_text()) / 1024


def cold_build(database):
    """Seconds a fresh process takes to build the whole site into empty folders: no worker cache, no
    previous generation, no compressed-asset cache (what a new app server or a deploy without one meets)."""
    cold = WORK / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    cold.mkdir()
    env = dict(
        os.environ,
        SQLITE_PATH=str(database),
        JICENG_SITE_SRC=str(cold / "site_src"),
        JICENG_SITE_DIR=str(cold / "site"),
        JICENG_ASSET_CACHE=str(cold / "asset-cache"),
    )
    started = time.perf_counter()
    peak = run_measured([sys.executable, str(ROOT / "manage.py"), "build_site"], env, quiet=True)
    seconds = time.perf_counter() - started
    shutil.rmtree(cold, ignore_errors=True)
    return seconds, peak


def restart_build(database):
    """Seconds the first build of a new process takes on the same folders, from the cache the worker kept
    on disk (a restarted worker or a deploy that leaves the code alone); nothing changed in between."""
    env = dict(os.environ, SQLITE_PATH=str(database))
    started = time.perf_counter()
    peak = run_measured([sys.executable, str(ROOT / "manage.py"), "build_site"], env, quiet=True)
    return time.perf_counter() - started, peak


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=10000)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()

    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    os.environ["JICENG_SITE_SRC"] = str(WORK / "site_src")
    os.environ["JICENG_SITE_DIR"] = str(WORK / "site")
    os.environ["JICENG_BUILD_DEBOUNCE"] = "0"
    sys.path.insert(0, str(ROOT))
    prepare_database(args.pages)

    from django.conf import settings
    from django.test import override_settings

    from cms.cases.models import CaseStudyIndexPage, CaseStudyPage
    from cms.publishing.build import build_site
    from cms.publishing.models import SiteBuild
    from cms.publishing.tasks import WORKER_CACHE, run_build

    tasks = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default", "site"]}}
    results = {}
    with override_settings(TASKS=tasks):
        say("1/4 全量构建（导出 + Markdown + MkDocs 页面 + 搜索索引）…")
        started = time.perf_counter()
        full = build_site(force_full=True, cache=WORKER_CACHE)  # the worker's cache: the edits below are warm
        results["full_s"] = time.perf_counter() - started
        results["export_s"] = full.timings.get("export", 0)
        results["render_s"] = full.timings.get("render", 0)
        pages = full.pages
        results["mkdocs_pages_s"] = full.timings.get("site_pages", 0) + full.timings.get("site_load", 0)
        results["search_s"] = full.timings.get("site_search", 0) + full.timings.get("search_records", 0)

        say("   冷启动全量构建：新进程、空的网站目录和缓存（manage.py build_site）…")
        results["cold_full_s"], cold_peak = cold_build(settings.DATABASES["default"]["NAME"])
        say(f"    {results['cold_full_s']:.1f}s")

        say("2/4 修改一个已发布页面 → 上线…")
        page = CaseStudyPage.objects.live().order_by("pk")[5]
        started = time.perf_counter()
        page.title = page.title + "（已修改）"
        page.save_revision().publish()
        edit = run_build(SiteBuild.objects.filter(status="queued").latest("pk").pk)
        results["edit_live_s"] = time.perf_counter() - started
        # The new site serves from the switch on; deleting old files and collecting garbage come after it.
        after_switch = sum(edit.timings.get(k, 0) for k in ("site_cleanup", "site_gc"))
        results["edit_served_s"] = results["edit_live_s"] - after_switch
        say("    " + "，".join(f"{k} {v:.2f}s" for k, v in edit.timings.items()))
        site = Path(settings.SITE_OUTPUT_DIR)
        assert "（已修改）" in (site / "cases" / page.slug / "index.html").read_text(encoding="utf-8")

        say("3/4 新建并发布一个页面 → 上线（含栏目、地区页和搜索）…")
        new = CaseStudyPage(
            title="基准测试新发布的案例",
            slug="bench-new-page",
            region=page.region,
            summary="基准测试",
            source_publisher="基准测试",
            source_date=datetime.date.today(),
        )
        started = time.perf_counter()
        CaseStudyIndexPage.objects.get().add_child(instance=new)
        new.save_revision().publish()
        added = run_build(SiteBuild.objects.filter(status="queued").latest("pk").pk)
        results["new_live_s"] = time.perf_counter() - started
        say("    " + "，".join(f"{k} {v:.2f}s" for k, v in added.timings.items()))
        assert "bench-new-page" in (site / "cases" / "index.html").read_text(encoding="utf-8")
        assert "bench-new-page" in (site / "regions" / page.region.slug / "index.html").read_text(encoding="utf-8")
        assert edit.status == added.status == "done", (edit.error, added.error)
        WORKER_CACHE.wait_for_save()
        say("   重启后的第一次构建：新进程读取工作进程保存的缓存（manage.py build_site）…")
        results["restart_s"], restart_peak = restart_build(settings.DATABASES["default"]["NAME"])
        say(f"    {results['restart_s']:.1f}s")

    results["html_kb_gz"] = median_gzip_kb(site, ["cases", "lists", "notices"])
    say("搜索：在 Chromium 中打开搜索页，记录第一条结果出现之前下载的全部文件…")
    from bench.search_probe import measure, report

    probe = measure(site)
    report(probe, lambda line: say("    " + line))
    results["search_first_kb_gz"] = probe["first_kb_gz"]
    results["search_first_kb_gz_median"] = probe["cold_kb_gz_median"]
    results["search_query_ms"] = probe["query_ms_median"]
    results["search_query_ms_max"] = probe["query_ms_max"]
    say("手机：项目自己的服务器发出的字节（Chromium，360 px，空缓存）…")
    from bench.phone_probe import measure as phone_measure
    from bench.phone_probe import report as phone_report

    phone = phone_measure()
    phone_report(phone, lambda line: say("    " + line))
    results["first_visit_kb"] = phone["first_visit_kb_max"]
    results["repeat_requests"] = phone["repeat_requests"]
    results["search_first_kb"] = phone["search_first_kb"]
    # The project's peak: the worker (this process: full build, edit, new page) and the fresh processes of
    # the cold and restarted builds, each measured on its own; not the baseline, not Chromium.
    worker_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results["peak_mib"] = max(worker_peak, cold_peak, restart_peak)
    say(f"峰值内存：工作进程 {worker_peak:.0f} MiB，冷启动构建 {cold_peak:.0f} MiB，重启后构建 {restart_peak:.0f} MiB")

    if args.skip_baseline:
        results["baseline_s"], results["baseline_index_kb_gz"] = float("nan"), float("nan")
        results["baseline_peak_mib"] = float("nan")
    else:
        say("4/4 基线：普通 mkdocs build（同一份 site_src，Material 内置搜索）…")
        results["baseline_s"], results["baseline_index_kb_gz"], results["baseline_peak_mib"] = baseline_build(
            Path(settings.SITE_SOURCE_DIR)
        )

    speedup = results["baseline_s"] / results["full_s"]
    cold_speedup = results["baseline_s"] / results["cold_full_s"]
    say("")
    say(f"{'指标':<28}{'本项目':>12}{'基线':>12}{'目标':>14}")
    say(f"{'页面数':<28}{pages:>12}")
    say(f"{'全量构建 (s)':<28}{results['full_s']:>12.1f}{results['baseline_s']:>12.1f}{'':>14}")
    say(f"{'冷启动全量构建 (s)':<28}{results['cold_full_s']:>12.1f}{results['baseline_s']:>12.1f}{'≥3×':>14}")
    say(f"{'  其中 导出 (s)':<28}{results['export_s']:>12.1f}")
    say(f"{'  其中 Markdown 生成 (s)':<28}{results['render_s']:>12.1f}")
    say(f"{'  其中 MkDocs 页面 (s)':<28}{results['mkdocs_pages_s']:>12.1f}")
    say(f"{'  其中 搜索索引 (s)':<28}{results['search_s']:>12.1f}")
    say(f"{'修改一页 → 上线 (s)':<28}{results['edit_live_s']:>12.2f}{'':>12}{'≤1 (10万页 ≤2)':>14}")
    say(f"{'  其中 切换后即可访问 (s)':<28}{results['edit_served_s']:>12.1f}")
    say(f"{'新建一页 → 上线 (s)':<28}{results['new_live_s']:>12.2f}{'':>12}{'≤2':>14}")
    say(f"{'重启后第一次构建 (s)':<28}{results['restart_s']:>12.1f}")
    say(
        f"{'峰值内存 (MiB)':<28}{results['peak_mib']:>12.0f}{results['baseline_peak_mib']:>12.0f}{'≤600 (10万页 ≤2048)':>14}"
    )
    say(f"{'页面 HTML 中位数 (KB gz)':<28}{results['html_kb_gz']:>12.1f}{'':>12}{'≤30':>14}")
    say(
        f"{'首个搜索结果前下载 (KB gz)':<28}{results['search_first_kb_gz']:>12.0f}"
        f"{results['baseline_index_kb_gz']:>12.0f}{'≤300':>14}"
    )
    say(f"{'首次访问任一页面 (KB 传输)':<28}{results['first_visit_kb']:>12.0f}{'':>12}{'≤100':>14}")
    say(f"{'再次查看的请求数':<28}{results['repeat_requests']:>12}{'':>12}{'1 (HTML)':>14}")
    say(f"{'搜索页到首个结果 (KB 传输)':<28}{results['search_first_kb']:>12.0f}{'':>12}{'≤100':>14}")
    say(f"{'  六个典型查询的中位数 (KB gz)':<28}{results['search_first_kb_gz_median']:>12.0f}")
    say(
        f"{'之后每次搜索 (ms, 中位/最大)':<28}{results['search_query_ms']:>6.0f}/{results['search_query_ms_max']:<5.0f}{'':>12}{'≤100':>14}"
    )
    say(
        f"bench: pages={pages} full_s={results['full_s']:.1f} baseline_s={results['baseline_s']:.1f} "
        f"speedup={speedup:.2f} cold_full_s={results['cold_full_s']:.1f} cold_speedup={cold_speedup:.2f} "
        f"edit_live_s={results['edit_live_s']:.2f} new_live_s={results['new_live_s']:.2f} "
        f"edit_served_s={results['edit_served_s']:.2f} restart_s={results['restart_s']:.1f} peak_mib={results['peak_mib']:.0f} baseline_peak_mib={results['baseline_peak_mib']:.0f} html_kb_gz={results['html_kb_gz']:.1f} "
        f"search_first_kb_gz={results['search_first_kb_gz']:.0f} "
        f"search_first_kb_gz_median={results['search_first_kb_gz_median']:.0f} search_query_ms={results['search_query_ms']:.0f} "
        f"search_query_ms_max={results['search_query_ms_max']:.0f} first_visit_kb={results['first_visit_kb']:.0f} "
        f"repeat_requests={results['repeat_requests']} search_first_kb={results['search_first_kb']:.0f}"
    )


if __name__ == "__main__":
    main()
