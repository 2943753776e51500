"""Wagtail's image and document forms with the gate on their text (settings WAGTAIL*_FORM_BASE name them).

Kept apart from ``forms``: importing Wagtail's image forms needs the app registry ready, and ``forms`` is
imported while models load.
"""

from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.forms import BaseImageForm

from .forms import gate_form


class ImageForm(BaseImageForm):
    """Wagtail's image form with the gate on its text (title, alt text)."""

    def clean(self):
        cleaned = super().clean()
        gate_form(self, cleaned, self._meta.model)
        return cleaned


class DocumentForm(BaseDocumentForm):
    """Wagtail's document form with the gate on its title."""

    def clean(self):
        cleaned = super().clean()
        gate_form(self, cleaned, self._meta.model)
        return cleaned
