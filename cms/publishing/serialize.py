"""Serializing helpers the kinds use: a page's images, annexes, rich text and disclosure fields as the
portable format keeps them (``ContentKind.serialize`` calls these; ``export`` collects the files they record).
"""

from pathlib import Path

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page

from cms.core import richtext
from cms.core.annexes import ALLOWED as ANNEX_TYPES

from .portable import canonical_blocks, compact

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif", ".heic"}


def image_key(image):
    """Where an image goes in a content folder and the site: named by its content (SHA-1), never its title.

    The same file always gets the same name, so a restored backup writes byte-identical folders and sites.
    """
    suffix = Path(image.file.name).suffix.lower()
    return f"media/{image.get_file_hash()}{suffix if suffix in IMAGE_SUFFIXES else ''}"


ANNEX_FOLDER = "annexes/"


def document_key(document):
    """Where an annex goes in a content folder and the site: named by its content (SHA-1), as images are."""
    suffix = Path(document.file.name).suffix.lower()
    return f"{ANNEX_FOLDER}{document.get_file_hash()}{suffix if suffix in ANNEX_TYPES else ''}"


def annex_entries(page, files):
    """A page's annexes as the portable format keeps them: file, title, type, size (the files are recorded
    in ``files``, which the export copies)."""
    out = []
    for annex in page.annexes.all():
        document = annex.document
        key = document_key(document)
        files[key] = document
        kind = Path(key).suffix[1:].upper()  # the type shown beside the link: PDF, XLSX …
        title = annex.title or document.title
        out.append(compact({"file": key, "title": title, "type": kind, "size": document.get_file_size()}))
    return out


def split_files(files):
    """({image key: …}, {annex key: …}) of the files an export recorded (``serialize`` collects both in its
    ``images`` argument, keyed media/… and annexes/…)."""
    documents = {k: v for k, v in files.items() if k.startswith(ANNEX_FOLDER)}
    return {k: v for k, v in files.items() if k not in documents}, documents


def image_path(image, images):
    """An image's key (recorded in ``images``, which the export copies), or "" for none."""
    if image is None:
        return ""
    key = image_key(image)
    images[key] = image
    return key


def body_blocks(stream, images):
    """A StreamField body as portable blocks, exactly as the portable format stores them."""
    Image = get_image_model()
    blocks = []
    for raw in stream.raw_data:
        value = raw["value"]
        if raw["type"] == "paragraph":
            value = paragraph_markdown(getattr(value, "source", value), images)
        elif raw["type"] == "heading":
            value = value if isinstance(value, str) else ""
        elif not isinstance(value, dict):
            continue
        if raw["type"] == "figure":
            image = Image.objects.filter(pk=value.get("image")).first() if value.get("image") else None
            value = {
                "caption": value.get("caption") or "",
                "image": image_path(image, images),
                "credit": value.get("credit") or "",
                "alt": value.get("alt") or "",
            }
        elif raw["type"] == "quote":
            value = {"text": value.get("text", ""), "attribution": value.get("attribution") or ""}
        blocks.append({"type": raw["type"], "value": value})
    return canonical_blocks(blocks)


def paragraph_markdown(source, files):
    """A rich text paragraph (Wagtail's stored HTML) as portable Markdown: a page is linked by its permanent
    id (the site resolves it, so the link follows slug changes and leads nowhere once the page is not
    public), a document by its file (recorded in ``files``, which the export copies)."""

    def page_ref(pk):
        key = Page.objects.filter(pk=pk).values_list("translation_key", flat=True).first()
        return f"{richtext.PAGE_PREFIX}{key}" if key else None

    def doc_ref(pk):
        document = get_document_model().objects.filter(pk=pk).first()
        if document is None:
            return None
        key = document_key(document)
        files[key] = document
        return key

    return richtext.to_portable(richtext.from_html(source if isinstance(source, str) else ""), page_ref, doc_ref)


def disclosure(page):
    """The page's 信息公开 (or, for a case, 发布与审核) fields, as the portable format keeps them."""
    return compact({name: getattr(page, name) for name in page.DISCLOSURE_FIELDS})


def number_out(value):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
