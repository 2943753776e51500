"""Wagtail's image and document forms with the gate on their text (settings WAGTAIL*_FORM_BASE name them).

Kept apart from ``forms``: importing Wagtail's image forms needs the app registry ready, and ``forms`` is
imported while models load.
"""

from django.core.exceptions import ValidationError

from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.forms import BaseImageForm

from .annexes import MAX_ANNEX_BYTES, annex_problem, clean_name
from .forms import gate_form


class ImageForm(BaseImageForm):
    """Wagtail's image form with the gate on its text (title, alt text)."""

    def clean(self):
        cleaned = super().clean()
        gate_form(self, cleaned, self._meta.model)
        return cleaned


class DocumentForm(BaseDocumentForm):
    """Wagtail's document form with the gate on its title, and the annex checks on its file (type by
    content, size, a clean name)."""

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None or not hasattr(upload, "read") or getattr(upload, "_committed", False):
            return upload  # unchanged on edit
        upload.seek(0)
        problem = annex_problem(upload.name, upload.read(MAX_ANNEX_BYTES + 1))
        upload.seek(0)
        if problem:
            raise ValidationError(problem)
        upload.name = clean_name(upload.name)
        return upload

    def clean(self):
        cleaned = super().clean()
        gate_form(self, cleaned, self._meta.model)
        return cleaned
