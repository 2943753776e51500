"""Run Wagtail's scheduled publishing (go-live and expiry) every few seconds, for `make run` and deployments."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from cms.publishing.resilience import run_through_outages


class Command(BaseCommand):
    help = "定时发布调度：定期执行 publish_scheduled（定时上线/到期下线），并恢复被中断的网站构建；数据库中断时自动重连"

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=30.0, help="间隔秒数（默认 30）")
        parser.add_argument("--once", action="store_true", help="只执行一次")

    def handle(self, interval, once, **options):
        from cms.publishing import object_store
        from cms.publishing.tasks import recover_interrupted_builds, request_period_builds, retry_store_sync

        def tick():
            call_command("publish_scheduled", verbosity=0, stdout=self.stdout, stderr=self.stderr)
            if request_period_builds():
                self.stdout.write("公示期开始或结束：已排队构建网站。")
            for build in recover_interrupted_builds():
                self.stdout.write(f"构建 #{build.pk} 被中断，已重新排队。")
            try:
                if retry_store_sync() is not None:
                    self.stdout.write("对象存储：上次未完成的同步已补上。")
            except object_store.StoreError as exc:
                self.stderr.write(str(exc))

        def failed(exc, wait):
            self.stderr.write(f"数据库不可用（{type(exc).__name__}），{wait:.0f} 秒后重试…")

        if once:  # from cron or by hand: a database error should surface, not wait
            tick()
            return
        while True:
            run_through_outages(tick, on_error=failed)
            time.sleep(interval)
