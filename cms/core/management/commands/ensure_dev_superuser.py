"""Create the development superuser that `make run` prints; refuses outside DEBUG."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "admin"
PASSWORD = "jiceng-dev"  # noqa: S105 - development only, refused unless DEBUG


class Command(BaseCommand):
    help = "创建开发用超级管理员（仅限开发环境）"

    def handle(self, **options):
        if not settings.DEBUG:
            raise CommandError("只能在开发环境（DEBUG=True）中创建开发用管理员。")
        User = get_user_model()
        user = User.objects.filter(username=USERNAME).first()
        if user is None:
            User.objects.create_superuser(USERNAME, "admin@example.invalid", PASSWORD)
        self.stdout.write(f"管理后台登录：用户名 {USERNAME}，密码 {PASSWORD}（仅开发环境）")
