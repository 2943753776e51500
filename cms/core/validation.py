"""One gate for every way content comes in: admin forms, the v3 API, importers, ``load_content``, snippets.

The same rules, wherever a value arrives from:
- no control characters (but tab and line breaks), unpaired UTF-16 surrogates or non-characters;
- every text within its length, text fields and StreamField blocks included (a model's ``TextField``
  carries a ``max_length`` that Django enforces only in forms);
- slugs and theme names short enough (in bytes) to name a file;
- the required parts of child rows (a practice's name, a list row's name, a basis's text).

Models call ``model_errors`` from ``clean()`` (Wagtail's ``save()`` and ``save_revision()`` call
``full_clean()``); admin and API forms call ``value_errors`` on what they are about to save. Messages are
Chinese and name the field.
"""

import re

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models

from wagtail.fields import StreamField

from .richtext import from_html, tree_text

# Control characters but tab and line breaks, C1 controls, lone surrogates and the two non-characters.
UNUSABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# A slug names a file (<slug>.md, <slug>/index.html, <slug>.json): its bytes, not its characters, count.
MAX_SLUG_BYTES = 150
MAX_THEME_CHARS = 30
MAX_ROWS = 3000  # rows of one child relation (a list's items)
# Wagtail's own bookkeeping columns: never typed by an editor.
INTERNAL_FIELDS = {"path", "url_path", "draft_title", "locked_by", "translation_key"}


def unusable_character(value):
    """The first character no page or file may hold (see UNUSABLE), or None."""
    match = UNUSABLE.search(value)
    return match.group() if match else None


def text_errors(value, max_length=None):
    """Problems with one piece of text, in Chinese."""
    if not isinstance(value, str):
        return []
    errors = []
    ch = unusable_character(value)
    if ch is not None:
        errors.append(f"含有无效字符 U+{ord(ch):04X}（控制字符或无效编码），请删除后重试。")
    if max_length is not None and len(value) > max_length:
        errors.append(f"不能超过 {max_length} 个字（现有 {len(value)} 个）。")
    return errors


def slug_errors(value):
    if not isinstance(value, str):
        return []
    size = len(value.encode("utf-8", "surrogatepass"))
    if size > MAX_SLUG_BYTES:
        return [
            f"网址标识太长：最多 {MAX_SLUG_BYTES} 字节（约 {MAX_SLUG_BYTES // 3} 个汉字），现有 {size} 字节，请缩短。"
        ]
    return []


def shorten_slug(slug, limit=MAX_SLUG_BYTES - 20):
    """A slug cut (at a character boundary) to leave room for Wagtail's "-2" suffixes within the limit."""
    data = slug.encode("utf-8", "surrogatepass")
    if len(data) <= limit:
        return slug
    return data[:limit].decode("utf-8", "ignore").rstrip("-_") or slug[:10]


def theme_errors(names):
    errors = []
    for name in names:
        name = str(name)
        for problem in text_errors(name, MAX_THEME_CHARS):
            errors.append(f"主题“{name[:20]}”{problem}")
        if "\n" in name:
            errors.append(f"主题“{name[:20]}”不能换行。")
    return errors


# --- StreamField -------------------------------------------------------------------------------


def _label(block):
    return str(getattr(block, "label", "") or block.name or "")


def stream_errors(block, value, where):
    """Problems in a StreamField value (its stored form: lists and dicts), each with where it is."""
    from wagtail import blocks

    errors = []
    if isinstance(block, blocks.StreamBlock | blocks.ListBlock):
        children = value if isinstance(value, list | tuple) else []
        limit = block.meta.max_num if isinstance(block, blocks.StreamBlock) else getattr(block.meta, "max_num", None)
        if limit is not None and len(children) > limit:
            errors.append(f"{where}：最多 {limit} 块（现有 {len(children)} 块）。")
        for n, child in enumerate(children, start=1):
            if isinstance(block, blocks.StreamBlock):
                if not isinstance(child, dict) or child.get("type") not in block.child_blocks:
                    errors.append(f"{where}第 {n} 块：未知的内容块。")
                    continue
                child_block = block.child_blocks[child["type"]]
                errors += stream_errors(child_block, child.get("value"), f"{where}第 {n} 块（{_label(child_block)}）")
            else:
                item = child.get("value") if isinstance(child, dict) and "type" in child else child
                errors += stream_errors(block.child_block, item, f"{where}第 {n} 项")
    elif isinstance(block, blocks.StructBlock):
        data = value if isinstance(value, dict) else {}
        for name, child_block in block.child_blocks.items():
            errors += stream_errors(child_block, data.get(name), f"{where}的“{_label(child_block)}”")
    elif isinstance(block, blocks.RichTextBlock):
        # Stored HTML: its characters are checked, its length is that of the text a reader sees.
        source = getattr(value, "source", value)
        text = tree_text(from_html(source))
        if not text.strip() and block.required:
            errors.append(f"{where}：必须填写。")
        errors += [f"{where}：{problem}" for problem in text_errors(source)]
        if block.max_length is not None and len(text) > block.max_length:
            errors.append(f"{where}：不能超过 {block.max_length} 个字（现有 {len(text)} 个）。")
    elif isinstance(block, blocks.FieldBlock) and not isinstance(block, blocks.ChooserBlock):
        field = block.field
        if value in (None, "") and block.required:
            errors.append(f"{where}：必须填写。")
        for problem in text_errors(value, getattr(field, "max_length", None)):
            errors.append(f"{where}：{problem}")
    return errors


def stream_data(value):
    """The stored form of a StreamField value (lists and dicts), from a StreamValue or stored data."""
    if value is None:
        return []
    if hasattr(value, "get_prep_value"):
        return value.get_prep_value()
    return value


# --- model fields ------------------------------------------------------------------------------


def checked_fields(model):
    """Editable text-like fields of a model (including StreamFields), by name."""
    out = {}
    for field in model._meta.concrete_fields:
        if field.name in INTERNAL_FIELDS or not field.editable:
            continue
        if isinstance(field, models.CharField | models.TextField | StreamField):
            out[field.name] = field
    return out


def value_errors(field, value):
    """Problems of one value for one model field (text, slug, StreamField), in Chinese, without the label."""
    if isinstance(field, StreamField):
        return stream_errors(field.stream_block, stream_data(value), "")
    if isinstance(field, models.SlugField):
        return text_errors(value) + slug_errors(value)
    if isinstance(field, models.TextField):
        return text_errors(value, field.max_length)
    if isinstance(field, models.CharField):
        # Django checks a CharField's length itself (forms and full_clean): only characters here.
        return text_errors(value)
    return []


def field_label(model, name):
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # a form-only field
        return name


def instance_errors(obj, exclude=()):
    """{field name: [messages]} for the text fields of one object as it stands in memory."""
    errors = {}
    for name, field in checked_fields(type(obj)).items():
        if name in exclude:
            continue
        problems = value_errors(field, getattr(obj, name, None))
        if problems:
            errors[name] = [p.lstrip("：") for p in problems]
    return errors


def row_errors(row, parent_key, where):
    """Messages for one child row: Django's own field checks (required, length, choices, numbers) and ours."""
    messages = []
    try:
        row.full_clean(exclude=[parent_key], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, problems in exc.message_dict.items():
            label = "" if name == NON_FIELD_ERRORS else f"“{field_label(type(row), name)}”"
            messages += [f"{where}{label}：{p}" for p in problems]
    for name, problems in instance_errors(row).items():
        messages += [
            f"{where}“{field_label(type(row), name)}”{'' if p.startswith('第') else '：'}{p}" for p in problems
        ]
    return messages


def content_relations(model):
    """The child relations that are content (Wagtail's own, such as admin comments, are not published)."""
    from modelcluster.models import get_all_child_relations

    return [r for r in get_all_child_relations(model) if r.related_model.__module__.startswith("cms.")]


def children_errors(obj):
    """Messages for every row of every child relation (practices, key figures, list items, …)."""
    messages = []
    for relation in content_relations(type(obj)):
        accessor = relation.get_accessor_name()
        rows = list(getattr(obj, accessor).all())
        label = str(relation.related_model._meta.verbose_name)
        if len(rows) > MAX_ROWS:
            messages.append(f"“{label}”最多 {MAX_ROWS} 行（现有 {len(rows)} 行）。")
            continue
        for n, row in enumerate(rows, start=1):
            messages += row_errors(row, relation.field.name, f"“{label}”第 {n} 行")
    return messages


def model_errors(obj, with_children=True):
    """Every problem of a model instance, as {field name or NON_FIELD_ERRORS: [messages]}."""
    errors = instance_errors(obj)
    themes = getattr(type(obj), "GATED_TAGS", ())
    for name in themes:
        problems = theme_errors(t.name for t in getattr(obj, name).all())
        if problems:
            errors.setdefault(name, []).extend(problems)
    if with_children:
        problems = children_errors(obj)
        if problems:
            errors.setdefault(NON_FIELD_ERRORS, []).extend(problems)
    return errors


def raise_for(errors):
    if errors:
        raise ValidationError(errors)


def describe(exc, model=None):
    """A ValidationError as one line of Chinese naming each field (for the loader, importers and logs)."""
    if not hasattr(exc, "message_dict"):
        return "；".join(str(m) for m in exc.messages)
    parts = []
    for name, messages in exc.message_dict.items():
        text = "；".join(str(m) for m in messages)
        if name == NON_FIELD_ERRORS:
            parts.append(text)
        else:
            label = field_label(model, name) if model is not None else name
            parts.append(f"字段“{label}”（{name}）：{text}")
    return "；".join(parts)


class GatedModelMixin:
    """``clean()`` runs the gate on every text field (and child rows) of the model.

    An admin or API form runs the same gate on what it is about to save (``forms.SitePageForm``) and marks
    its instance, so the model does not repeat it (in memory, the rows are still the old ones until then).
    """

    def clean(self):
        super().clean()
        if not getattr(self, "_gate_checked_by_form", False):
            raise_for(model_errors(self))
