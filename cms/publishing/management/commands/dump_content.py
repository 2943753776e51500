"""Write the CMS's live, public content as a portable content folder (a backup that restores)."""

from django.core.management.base import BaseCommand

from cms.publishing.export import export_snapshot
from cms.publishing.portable import write_folder


class Command(BaseCommand):
    help = "把已发布的公开内容导出为可移植的内容文件（Markdown + YAML）"

    def add_arguments(self, parser):
        parser.add_argument("folder")

    def handle(self, folder, **options):
        snap = export_snapshot()
        write_folder(snap, folder)
        self.stdout.write(f"已导出 {snap.count} 个内容页面到 {folder}。")
        for problem in snap.problems:
            self.stderr.write(f"未能导出：{problem['item']}：{problem['reason']}")
