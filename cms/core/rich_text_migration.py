"""Plain-text paragraphs of a StreamField body become rich text (one ``<p>`` per line, characters escaped):
for the migrations of the kinds whose bodies hold paragraphs, pages and their revisions alike."""

import html
import json


def convert(raw):
    """Convert the paragraphs of stored stream data in place; whether anything changed."""
    changed = False
    for block in raw if isinstance(raw, list) else []:
        value = block.get("value") if isinstance(block, dict) else None
        if block.get("type") == "paragraph" and isinstance(value, str) and not value.lstrip().startswith("<"):
            lines = [line.strip() for line in value.splitlines() if line.strip()]
            block["value"] = "".join(f"<p>{html.escape(line, quote=False)}</p>" for line in lines)
            changed = True
    return changed


def paragraphs_to_rich_text(app_label, model_name, field="body"):
    def run(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        for pk, value in model.objects.values_list("pk", field).iterator():
            raw = list(getattr(value, "raw_data", value) or [])
            raw = [dict(block) for block in raw]
            if convert(raw):
                model.objects.filter(pk=pk).update(**{field: json.dumps(raw, ensure_ascii=False)})
        content_type = apps.get_model("contenttypes", "ContentType").objects.filter(
            app_label=app_label, model=model_name.lower()
        )
        revisions = apps.get_model("wagtailcore", "Revision").objects.filter(content_type__in=content_type)
        for revision in revisions.iterator():
            content = revision.content or {}
            stored = content.get(field)
            raw = json.loads(stored) if isinstance(stored, str) else stored
            if convert(raw):
                content[field] = json.dumps(raw, ensure_ascii=False) if isinstance(stored, str) else raw
                revisions.filter(pk=revision.pk).update(content=content)

    return run
