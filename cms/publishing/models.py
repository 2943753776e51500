"""Build records: what editors see of the site being brought up to date after they publish."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SiteBuild(models.Model):
    """One run that brings the public site up to date; several changes in a burst share one run."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("构建中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    reasons = models.TextField(_("触发原因"), blank=True, help_text=_("每行一条：哪项变更触发了这次构建"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    full = models.BooleanField(_("全量构建"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("最后变更"), auto_now=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    pages_rendered = models.PositiveIntegerField(_("重建页面数"), default=0)
    generation = models.CharField(_("网站版本"), max_length=20, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    problems = models.JSONField(
        _("未能更新的内容"),
        default=list,
        blank=True,
        help_text=_("构建成功，但这些内容因自身问题未能更新（网站上保留其上一版本）：[{item, reason}]"),
    )
    timings = models.JSONField(_("各步骤用时（秒）"), default=dict, blank=True)
    day = models.DateField(_("内容日期"), null=True, blank=True, help_text=_("构建时的日期：公示期按它显示状态"))

    class Meta:
        verbose_name = _("网站构建")
        verbose_name_plural = _("网站构建")
        ordering = ["-pk"]
        permissions = [("rebuild_site", _("可以手动重新构建网站"))]

    def __str__(self):
        return f"#{self.pk} {self.get_status_display()}"

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

    @property
    def reason_list(self):
        return [line for line in self.reasons.splitlines() if line.strip()]
