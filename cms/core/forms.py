"""The admin (and API) forms of what we publish: every value passes the gate in ``validation`` first."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.forms import NumberInput

from wagtail.admin.forms import WagtailAdminPageForm

from .slugs import free_among_siblings, needs_pinyin, pinyin_slug, unique_slug
from .validation import MAX_ROWS, checked_fields, theme_errors, unusable_character, value_errors

__all__ = ["PlainNumberInput", "SitePageForm", "decode_text", "gate_form", "unusable_character"]


def decode_text(data):
    """Text of an uploaded file in the encodings Chinese offices use (UTF-8, or GBK/GB18030); None if neither."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def gate_form(form, data, model):
    """Add the gate's errors for each checked field in ``data`` to ``form``."""
    fields = checked_fields(model)
    for name, value in list((data or {}).items()):
        field = fields.get(name)
        if field is None:
            continue
        for problem in value_errors(field, value):
            error = ValidationError(problem.lstrip("："))
            form.add_error(name if name in form.fields else None, error)


class SitePageForm(WagtailAdminPageForm):
    """Checks every field, StreamField blocks and rows of inline panels included, against the gate."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False  # made from the title when left empty

    def clean_slug(self):
        # A slug the browser made from a Chinese title (or none) becomes short pinyin, unique among the page's
        # siblings; a new page whose title another page has already gets the next free one (-2, -3 …). A slug
        # an editor typed in Latin letters, and every existing slug, stays as it is; one that clashes on an
        # existing page is refused in Chinese, at the top of the form as well as on its hidden tab.
        slug = self.cleaned_data.get("slug", "")
        parent = self.parent_page if self.instance.pk is None else self.instance.get_parent()
        taken = free_among_siblings(parent, self.instance)
        if needs_pinyin(slug) and (not slug or slug != self.instance.slug):
            slug = unique_slug(pinyin_slug(self.data.get("title", "") or slug), taken)
        elif self.instance.pk is None and taken(slug):
            slug = unique_slug(slug, taken)
        elif taken(slug):
            problem = f"网址标识“{slug}”已被同一栏目下的另一页面使用，请在“推广”标签页改用别的网址标识。"
            self.add_error(None, problem)
            raise ValidationError(problem)
        return slug

    def clean(self):
        cleaned = super().clean()
        model = self._meta.model
        gate_form(self, cleaned, model)
        for name in getattr(model, "GATED_TAGS", ()):
            if name in cleaned and name in self.fields:
                for problem in theme_errors(cleaned[name] or []):
                    self.add_error(name, problem)
        for formset in self.formsets.values():
            formset.is_valid()  # validate the rows first: the gate looks at their cleaned values
            forms = [f for f in formset.forms if hasattr(f, "cleaned_data") and not f.cleaned_data.get("DELETE")]
            if len(forms) > MAX_ROWS:
                self.add_error(None, f"最多 {MAX_ROWS} 行（现有 {len(forms)} 行）。")
            for form in forms:
                gate_form(form, form.cleaned_data, formset.model)
        # Content goes only where the account's organisations are responsible (a new page, or a page moved to
        # another place by changing its region).
        field = getattr(model, "place_field", None)
        region = cleaned.get(field) if field else None
        if region is not None and field in self.fields and getattr(self, "for_user", None) is not None:
            from .access import place_refusal

            if self.instance.pk is None or self.instance.place_id != region.pk:
                problem = place_refusal(self.for_user, region)
                if problem:
                    self.add_error(field, problem)
        # Who approved belongs to the version review approved: an edited version has not been approved yet
        # (review records it again when the last reviewer approves).
        for name in getattr(model, "RECORDED", ()):
            setattr(self.instance, name, None if name in model.DATE_FIELDS else "")
        # Checked here; the model's own clean() need not check again (in memory its rows are still the old
        # ones until the form is saved).
        self.instance._gate_checked_by_form = True
        return cleaned

    PUBLISHING_ACTIONS = ("action-publish", "action-submit", "action-workflow-action")

    def _post_clean(self):
        super()._post_clean()
        # Publishing (or sending for review, or approving) needs the personal data masked or kept with a
        # reason: say so on the form, field by field, rather than fail later.
        if self.errors or not any(action in self.data for action in self.PUBLISHING_ACTIONS):
            return
        if not all(formset.is_valid() for formset in self.formsets.values()):
            return  # the rows' own errors come first (and an incomplete form cannot be saved to look at)
        if not hasattr(self.instance, "personal_data"):
            return
        from .personal_data import describe_findings

        page = self.save(commit=False)
        for name, message in page.publishing_problems() if hasattr(page, "publishing_problems") else []:
            self.add_error(name if name in self.fields else None, message)
        if self.errors:
            return
        found = page.personal_data()
        if found:
            lines = describe_findings(type(page), found)
            self.add_error(
                None,
                "发现未遮盖的个人信息，遮盖后才能发布或提交审核："
                + "；".join(lines)
                + "。确需公开的，由审核人在“个人信息”中记录保留理由。",
            )


class PlainNumberInput(NumberInput):
    """A decimal as people write it: 567, 12.5 — not 567.00 (a DecimalField keeps its places)."""

    def format_value(self, value):
        if isinstance(value, Decimal):
            value = format(value.normalize(), "f")
        return super().format_value(value)
