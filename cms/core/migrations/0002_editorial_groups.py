"""Review before publishing: the groups 编辑 (write and submit) and 审核 (approve and publish), and a default
two-step workflow on the whole page tree (编辑 submits → 审核 approves, which publishes)."""

from django.db import migrations

EDITORS, REVIEWERS = "编辑", "审核"
WORKFLOW = "编辑提交、审核发布"
TASK = "审核发布"

# Page permissions on the root: editors write drafts and submit them; reviewers also publish and lock.
PAGE_PERMISSIONS = {
    EDITORS: ["add_page", "change_page"],
    REVIEWERS: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
}
# Images and documents in the root collection: both groups may upload and choose them.
COLLECTION_PERMISSIONS = [
    ("wagtailimages", "image", ["add_image", "choose_image"]),
    ("wagtaildocs", "document", ["add_document", "choose_document"]),
]
# Model permissions (regions are chosen, not edited, by editors).
MODEL_PERMISSIONS = [
    ("wagtailadmin", "admin", "access_admin"),
    ("core", "region", "view_region"),
]


def permission(apps, app_label, model, codename):
    """Permissions are created after migrations run; a data migration makes the ones it needs itself."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    perm, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": codename.replace("_", " ")}
    )
    return perm


def create(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    ContentType = apps.get_model("contenttypes", "ContentType")

    root = Page.objects.filter(depth=1).first()
    root_collection = Collection.objects.filter(depth=1).first()
    groups = {}
    for name, codenames in PAGE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        groups[name] = group
        for app_label, model, codename in MODEL_PERMISSIONS:
            group.permissions.add(permission(apps, app_label, model, codename))
        if root is not None:
            for codename in codenames:
                GroupPagePermission.objects.get_or_create(
                    group=group, page=root, permission=permission(apps, "wagtailcore", "page", codename)
                )
        if root_collection is not None:
            for app_label, model, names in COLLECTION_PERMISSIONS:
                for codename in names:
                    GroupCollectionPermission.objects.get_or_create(
                        group=group,
                        collection=root_collection,
                        permission=permission(apps, app_label, model, codename),
                    )

    task_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")
    task, _ = GroupApprovalTask.objects.get_or_create(name=TASK, defaults={"content_type": task_type, "active": True})
    task.groups.set([groups[REVIEWERS]])
    workflow, created = Workflow.objects.get_or_create(name=WORKFLOW, defaults={"active": True})
    if created:
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    if root is not None:
        # The root's workflow applies to every page below it; it replaces Wagtail's default one.
        WorkflowPage.objects.filter(page=root).delete()
        WorkflowPage.objects.create(page=root, workflow=workflow)


def remove(apps, schema_editor):
    apps.get_model("wagtailcore", "Workflow").objects.filter(name=WORKFLOW).delete()
    apps.get_model("wagtailcore", "Task").objects.filter(name=TASK).delete()
    apps.get_model("auth", "Group").objects.filter(name__in=[EDITORS, REVIEWERS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailadmin", "0006_formstate"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create, remove)]
