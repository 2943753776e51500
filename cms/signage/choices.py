"""Codes and labels of 两标三牌 notices: importable without the models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SignKind(models.TextChoices):
    EMBLEM = "emblem", _("标")
    PLAQUE = "plaque", _("牌")


class Round(models.TextChoices):
    FIRST = "first", _("集中清理")
    FOLLOW_UP = "follow_up", _("回头看")


class Phase(models.TextChoices):
    BEFORE = "before", _("清理前")
    AFTER = "after", _("清理后")
