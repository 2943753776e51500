"""Workflows of one, two and three review steps up the hierarchy (assigned by place, not by page subtree)."""

from django.db import migrations

STEPS = 3


def create(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    PlaceReviewTask = apps.get_model("organisations", "PlaceReviewTask")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    task_type, _ = ContentType.objects.get_or_create(app_label="organisations", model="placereviewtask")
    tasks = []
    for step in range(1, STEPS + 1):
        task, _ = PlaceReviewTask.objects.get_or_create(
            name=f"第 {step} 级审核", defaults={"content_type": task_type, "active": True, "step": step}
        )
        tasks.append(task)
    for steps in range(1, STEPS + 1):
        workflow, created = Workflow.objects.get_or_create(name=f"逐级审核（{steps} 级）", defaults={"active": True})
        if created:
            for order, task in enumerate(tasks[:steps]):
                WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=order)


def remove(apps, schema_editor):
    apps.get_model("wagtailcore", "Workflow").objects.filter(name__startswith="逐级审核（").delete()
    apps.get_model("organisations", "PlaceReviewTask").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0002_place_review"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create, remove)]
