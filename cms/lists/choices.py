"""Codes and labels of lists: importable without the models (filters carry codes, pages show labels)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ListKind(models.TextChoices):
    # The kinds are national categories; rendering depends on them (certificate columns), so they are
    # choices. Everything that varies by place (categories, departments, bases) is free data.
    DUTIES_BY_LAW = "duties_by_law", _("依法履职事项")
    DUTIES_ASSISTING = "duties_assisting", _("协助履职事项")
    CERTIFICATES_ISSUED = "certificates_issued", _("可出具证明事项")
    CERTIFICATES_CANCELLED = "certificates_cancelled", _("不再出具证明事项")
    TASKS_EXCLUDED = "tasks_excluded", _("不应承担事项（负面清单）")
    ADMISSION = "admission", _("准入事项")


class Scope(models.TextChoices):
    ALL = "all", _("城乡通用")
    URBAN = "urban", _("城市社区")
    RURAL = "rural", _("农村社区")


class Alternative(models.TextChoices):
    """Where residents go instead, for a certificate the community no longer issues."""

    NONE = "", _("（不适用）")
    OTHER_BODY = "other_body", _("由其他机构出具")
    DATA_SHARING = "data_sharing", _("数据共享核验")
    DEPARTMENT_CHECK = "department_check", _("部门间核查")
    PLEDGE = "pledge", _("告知承诺")
    NOT_NEEDED = "not_needed", _("不再需要")


def labels(choices):
    """{code: label} of a choices class, as plain strings."""
    return {value: str(label) for value, label in choices.choices}
