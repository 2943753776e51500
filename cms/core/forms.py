"""The admin (and API) form of every page we publish: rejects text no file or page can hold."""

from django.core.exceptions import ValidationError

from wagtail.admin.forms import WagtailAdminPageForm


def decode_text(data):
    """Text of an uploaded file in the encodings Chinese offices use (UTF-8, or GBK/GB18030); None if neither."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def unusable_character(value):
    """The first lone surrogate or control character in a string, or None."""
    for ch in value:
        if "\ud800" <= ch <= "\udfff" or (ord(ch) < 32 and ch not in "\n\t\r"):
            return ch
    return None


class SitePageForm(WagtailAdminPageForm):
    """Checks every text field, including rows of inline panels, for unusable characters."""

    def clean(self):
        cleaned = super().clean()
        self._reject_unusable(self, cleaned)
        for formset in self.formsets.values():
            for form in formset.forms:
                if hasattr(form, "cleaned_data"):
                    self._reject_unusable(form, form.cleaned_data)
        return cleaned

    @staticmethod
    def _reject_unusable(form, data):
        for name, value in list((data or {}).items()):
            if isinstance(value, str) and (ch := unusable_character(value)):
                error = ValidationError(f"含有无效字符 U+{ord(ch):04X}，请删除后重试。")
                if name in form.fields:
                    form.add_error(name, error)
                else:
                    form.add_error(None, error)
