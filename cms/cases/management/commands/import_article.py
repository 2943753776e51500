"""python manage.py import_article FILE… — newspaper articles (plain text) to draft case studies."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cms.cases.article_drafts import create_drafts, duplicates
from cms.cases.article_import import describe, parse_article, suggest_region
from cms.cases.models import CaseStudyPage
from cms.core.forms import decode_text
from cms.core.models import Region


class Command(BaseCommand):
    help = "把报纸文章（纯文本）导入为经验案例草稿：一篇文章可以有多个案例；不会自动发布。"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="文章文件（UTF-8 或 GBK 编码的 .txt）")
        parser.add_argument("--region", help="认不出地区时使用的地区（网址标识，例如 shangdang）")
        parser.add_argument(
            "--create-places", action="store_true", help="地区树中还没有文章提到的省、市、区县时，新建这些地区"
        )
        parser.add_argument(
            "--simplify", action="store_true", help="繁体文章的草稿转为简体（原文留在页面历史的第一版）"
        )
        parser.add_argument("--dry-run", action="store_true", help="只显示识别结果，不创建草稿")

    def handle(self, *args, files, region=None, dry_run=False, create_places=False, simplify=False, **options):
        fallback = None
        if region:
            fallback = Region.objects.filter(slug=region).first()
            if fallback is None:
                raise CommandError(f"地区“{region}”不存在")
        regions = list(Region.objects.all())
        parsed = []
        for name in files:
            path = Path(name)
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"{name}：无法读取（{exc.strerror}）") from exc
            text = decode_text(data)
            if text is None:
                raise CommandError(f"{name}：编码不是 UTF-8 或 GBK")
            try:
                cases = parse_article(text)
            except ValueError as exc:
                raise CommandError(f"{name}：{exc}") from exc
            self.stdout.write(f"{name}：找到 {len(cases)} 个案例")
            for n, case in enumerate(cases, start=1):
                case.region, case.region_reason = suggest_region(case, regions)
                self.stdout.write(f"  [{n}] " + "\n      ".join(describe(case)))
            parsed += cases
        for warning in duplicates(parsed):
            self.stderr.write(self.style.WARNING(f"注意：{warning}"))
        if dry_run:
            self.stdout.write("（试运行：没有创建草稿）")
            return
        try:
            pages = create_drafts(parsed, region=fallback, make_places=create_places, simplify=simplify)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"已创建 {len(pages)} 篇案例草稿（未发布），请在管理后台核对后提交审核。"))
        unplaced = [p.title for p in pages if p.summary.startswith(CaseStudyPage.UNPLACED)]
        if unplaced:
            self.stdout.write(
                self.style.WARNING(f"这些草稿没有认出地区，已标上“{CaseStudyPage.UNPLACED}”：" + "；".join(unplaced))
            )
