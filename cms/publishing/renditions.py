"""What a phone downloads of a picture: Wagtail renditions at a few widths, WebP with a JPEG fallback.

The site keeps each original (``media/<sha1>.<ext>``, what static JSON and the API name) and beside it
``media/<sha1>-w360.webp`` … ``-w1080.jpg``. The names follow from the original's content, so a rendition
that exists is current and is made once; Wagtail's ``get_rendition`` makes them (it never enlarges a small
picture). A figure becomes a ``<picture>`` whose ``srcset`` lets a 360-pixel phone take the 360-pixel WebP.
"""

from urllib.parse import quote

from .files import write_if_changed

WIDTHS = (360, 720, 1080)
FORMATS = (("webp", "format-webp|webpquality-70"), ("jpg", "format-jpeg|jpegquality-75"))
# The text column: the whole screen less its margins on a phone, at most about 720 pixels on a wide one.
SIZES = "(max-width: 760px) calc(100vw - 2rem), 720px"


def stem(key):
    """media/<sha1>.png -> media/<sha1>"""
    folder, _, name = key.rpartition("/")
    return f"{folder}/{name.split('.', 1)[0]}"


def names(key):
    """{rendition key: Wagtail filter spec} of an image key."""
    base = stem(key)
    return {f"{base}-w{width}.{ext}": f"width-{width}|{spec}" for width in WIDTHS for ext, spec in FORMATS}


def write(images, folder):
    """Write the renditions of ``images`` ({key: Image}) missing under ``folder``; (changed, {keys})."""
    changed, keep = 0, set()
    for key, image in sorted(images.items()):
        for rel, spec in names(key).items():
            keep.add(rel)
            if (folder / rel).exists():
                continue
            rendition = image.get_rendition(spec)
            with rendition.file.open("rb") as fh:
                changed += write_if_changed(folder, rel, fh.read())
    return changed, keep


def picture(key, alt, href_prefix):
    """A figure's picture: WebP at three widths, JPEG for browsers without WebP, loaded when scrolled to.
    ``key`` is the export's (hex digest and a known suffix), ``alt`` already escaped."""
    base = href_prefix + quote(stem(key))
    webp = ", ".join(f"{base}-w{w}.webp {w}w" for w in WIDTHS)
    jpeg = ", ".join(f"{base}-w{w}.jpg {w}w" for w in WIDTHS)
    return (
        f'<picture><source type="image/webp" srcset="{webp}" sizes="{SIZES}">'
        f'<img src="{base}-w720.jpg" srcset="{jpeg}" sizes="{SIZES}" alt="{alt}" loading="lazy" decoding="async">'
        "</picture>"
    )
