"""A small example hierarchy for trying the three roles in `make run`: the fictional 示例区, 示例街道 and
示例社区 of content/, each with an organisation, an editor and a reviewer; prints their logins. Refuses
outside DEBUG."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from cms.core.models import Region
from cms.organisations.models import Membership, Organisation

PASSWORD = "jiceng-dev"  # noqa: S105 - development only, refused unless DEBUG
# (place slug, organisation, how it reviews what comes from below, login prefix)
EXAMPLE = [
    ("sample-district", "示例区委组织部", Organisation.Review.FINAL, "qu"),
    ("sample-street", "示例街道办事处", Organisation.Review.RELAY, "jiedao"),
    ("sample-community", "示例社区居委会", Organisation.Review.RELAY, "shequ"),
]
ROLES = [(Membership.Role.EDITOR, "编辑", "bianji"), (Membership.Role.REVIEWER, "审核", "shenhe")]


class Command(BaseCommand):
    help = "创建示例机构（区、街道、社区）及其编辑和审核账号（仅限开发环境）"

    def handle(self, **options):
        if not settings.DEBUG:
            raise CommandError("只能在开发环境（DEBUG=True）中创建示例机构。")
        User = get_user_model()
        lines = []
        for slug, name, review, prefix in EXAMPLE:
            region = Region.objects.filter(slug=slug).first()
            if region is None:
                raise CommandError(f"没有找到地区“{slug}”：请先载入 content/。")
            org, _ = Organisation.objects.get_or_create(name=name, defaults={"region": region, "review": review})
            for role, group, suffix in ROLES:
                username = f"{prefix}-{suffix}"
                user = User.objects.filter(username=username).first()
                if user is None:
                    user = User.objects.create_user(username, password=PASSWORD)
                user.groups.add(Group.objects.get(name=group))
                Membership.objects.get_or_create(organisation=org, user=user, role=role)
                lines.append(f"  {name}（{region.name}）{dict(Membership.Role.choices)[role]}：{username}")
            if org.memberships.filter(role=Membership.Role.ADMIN).count() == 0:
                Membership.objects.get_or_create(
                    organisation=org, user=User.objects.get(username=f"{prefix}-shenhe"), role=Membership.Role.ADMIN
                )
        self.stdout.write(f"示例机构账号（密码均为 {PASSWORD}，仅开发环境）：")
        for line in lines:
            self.stdout.write(line)
