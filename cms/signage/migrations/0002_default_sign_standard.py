"""Seed the national default 两标三牌 set; jurisdictions add their own in the admin."""

from django.db import migrations

DEFAULT_SET = [
    ("emblem", "中国共产党党徽", "办公场所正门上方"),
    ("emblem", "中国社区标识", "办公场所正门上方"),
    ("plaque", "中共××社区委员会", "正门左侧"),
    ("plaque", "××社区居民委员会", "正门右侧"),
    ("plaque", "××社区党群服务中心", "正门右侧"),
]


def seed(apps, schema_editor):
    SignStandard = apps.get_model("signage", "SignStandard")
    if SignStandard.objects.filter(region__isnull=True).exists():
        return
    for order, (kind, text, position) in enumerate(DEFAULT_SET):
        SignStandard.objects.create(region=None, kind=kind, text=text, position=position, sort_order=order)


def unseed(apps, schema_editor):
    apps.get_model("signage", "SignStandard").objects.filter(region__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("signage", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
