"""Run Wagtail's scheduled publishing (go-live and expiry) every few seconds, for `make run` and deployments."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "定时发布调度：每隔一段时间执行 publish_scheduled，让定时上线和到期下线按时生效"

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=30.0, help="间隔秒数（默认 30）")
        parser.add_argument("--once", action="store_true", help="只执行一次")

    def handle(self, interval, once, **options):
        while True:
            call_command("publish_scheduled", verbosity=0)
            if once:
                return
            time.sleep(interval)
