"""Load a portable content folder (default: content/) into Wagtail, publishing what changed."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cms.publishing.loader import Loader
from cms.publishing.portable import ContentError
from cms.publishing.tasks import builds_paused, request_build


class Command(BaseCommand):
    help = "把 content/ 目录中的内容载入 CMS 并发布（可重复运行，未变的内容不会改动）"

    def add_arguments(self, parser):
        parser.add_argument("folder", nargs="?", default=None)
        parser.add_argument("--no-build", action="store_true", help="载入后不排队构建网站")

    def handle(self, folder=None, **options):
        folder = folder or settings.CONTENT_DIR
        loader = Loader(folder, stdout=self.stdout if options["verbosity"] > 1 else None)
        try:
            with builds_paused():
                stats = loader.run()
        except ContentError as exc:
            raise CommandError(f"载入失败，未保存任何内容。{exc}") from exc
        except OSError as exc:
            raise CommandError(f"载入失败，未保存任何内容。无法读取“{exc.filename or folder}”：{exc.strerror}") from exc
        summary = f"新建 {stats['created']}，更新 {stats['updated']}，未变 {stats['unchanged']}"
        if stats["regions_created"] or stats["regions_updated"]:
            summary += f"；地区新建 {stats['regions_created']}，更新 {stats['regions_updated']}"
        if loader.changed and not options["no_build"]:
            request_build(f"载入内容：{summary}")
        self.stdout.write(f"载入完成：{summary}。")
