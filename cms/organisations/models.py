"""Organisations: the bodies that publish (a district's organisation department, a street office, a
community committee), each at one place of the region hierarchy, with its editors, reviewers and
administrators. What an account may touch follows from the places of its organisations (``scope``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cms.core.models import Region


class Organisation(models.Model):
    name = models.CharField(_("机构名称"), max_length=100, unique=True, help_text=_("例如 长治市上党区委组织部"))
    region = models.ForeignKey(
        Region,
        verbose_name=_("负责地区"),
        on_delete=models.PROTECT,
        related_name="organisations",
        help_text=_("本机构负责的地区：本机构的人员只能编辑这一地区及其下级地区的内容"),
    )
    final_approval = models.BooleanField(
        _("由本机构终审"),
        default=False,
        help_text=_("勾选后，本地区及下级地区的提交由本机构审核通过即发布，不再上报（例如由区里统一审核）"),
    )

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["region__level", "name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        EDITOR = "editor", _("编辑")
        REVIEWER = "reviewer", _("审核人")
        ADMIN = "admin", _("机构管理员")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.EDITOR)

    class Meta:
        verbose_name = _("机构成员")
        verbose_name_plural = _("机构成员")
        constraints = [models.UniqueConstraint(fields=["organisation", "user", "role"], name="one_role_once")]

    def __str__(self):
        return f"{self.organisation}：{self.user}（{self.get_role_display()}）"
