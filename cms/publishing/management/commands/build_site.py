"""Build the public static site from the CMS's live, public pages."""

import time

from django.core.management.base import BaseCommand, CommandError

from cms.publishing.build import BuildError, build_site
from cms.publishing.cache import BuildCache


class Command(BaseCommand):
    help = "从已发布的公开页面生成 site_src/ 并构建静态网站 site/"

    def handle(self, **options):
        started = time.perf_counter()
        try:
            # Starts from the cache the worker or the last build_site kept in site_src, and keeps its own
            # (written by a child process, which may finish after this command has returned).
            result = build_site(progress=self.stdout.write, cache=BuildCache(persistent=True))
        except BuildError as exc:
            raise CommandError(f"构建失败，线上网站保持不变。{exc}") from exc
        steps = "，".join(f"{k} {v:.1f}s" for k, v in result.timings.items())
        self.stdout.write(
            f"网站已构建：{result.pages} 个内容页面，{result.changed_sources} 个源文件有变化；"
            f"用时 {time.perf_counter() - started:.1f}s（{steps}）。"
        )
