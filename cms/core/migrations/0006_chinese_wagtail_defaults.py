"""Wagtail's own starting data in Chinese: the groups and the workflow its migrations create carry English names
(Editors, Moderators, “Moderators approval”), which editors read in the admin."""

from django.db import migrations

NAMES = {
    "group": {"Editors": "Wagtail 默认编辑组", "Moderators": "Wagtail 默认审核组"},
    "task": {"Moderators approval": "默认审核（Wagtail 自带）"},
}


def rename(apps, schema_editor, reverse=False):
    models = {
        "group": [apps.get_model("auth", "Group")],
        "task": [apps.get_model("wagtailcore", "Task"), apps.get_model("wagtailcore", "Workflow")],
    }
    for kind, names in NAMES.items():
        for old, new in names.items():
            if reverse:
                old, new = new, old
            for model in models[kind]:
                if not model.objects.filter(name=new).exists():
                    model.objects.filter(name=old).update(name=new)


def backwards(apps, schema_editor):
    rename(apps, schema_editor, reverse=True)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_kept_personal_data"),
        ("wagtailcore", "0048_add_default_workflows"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(rename, backwards)]
