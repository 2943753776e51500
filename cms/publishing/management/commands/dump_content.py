"""Write the CMS's live, public content as a portable content folder."""

from django.core.management.base import BaseCommand

from cms.publishing.snapshot import export_snapshot, write_folder


class Command(BaseCommand):
    help = "把已发布的公开内容导出为可移植的内容文件（Markdown + YAML）"

    def add_arguments(self, parser):
        parser.add_argument("folder")

    def handle(self, folder, **options):
        snap = export_snapshot()
        write_folder(snap, folder)
        count = len(snap.cases) + len(snap.lists) + len(snap.notices)
        self.stdout.write(f"已导出 {count} 个内容页面到 {folder}。")
