"""Make editor text inert in generated Markdown: no HTML, no Markdown structure, no template syntax.

Every value that comes from the CMS passes through one of these before it is written into
``site_src/``. Markdown punctuation becomes a numeric character reference, which Python-Markdown
passes through as text and browsers show as the character itself.
"""

import re
from urllib.parse import urlsplit

# Characters with meaning to Python-Markdown or the extensions we enable (tables, attr_list,
# footnotes, abbr, pymdownx tilde/caret/mark, md_in_html), plus HTML and template delimiters.
_SPECIAL = set("\\`*_[]{}<>&|~^=!#:+$%\"'")
# Bidi overrides and isolates reorder text visually; zero-width characters hide text. Neither has a
# place in a public notice, so they are dropped.
_INVISIBLE = "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
# Control characters (Unicode category Cc, but tab and newline), lone surrogates (Cs) and private-use
# characters (Co): one character class, so cleaning is a single regex pass rather than a Python loop.
_UNWANTED = re.compile(
    "[" + _INVISIBLE + "\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff"
    "\U000f0000-\U000ffffd\U00100000-\U0010fffd]"
)
_ENCODE = str.maketrans({ch: f"&#{ord(ch)};" for ch in _SPECIAL})


def clean(text):
    """Editor text without control, invisible or bidi-override characters."""
    return _UNWANTED.sub("", str(text or ""))


def inline(text):
    """One line of inert Markdown text: whitespace folded, every special character encoded."""
    escaped = " ".join(clean(text).split()).translate(_ENCODE)
    # A leading "-", "+" or "1." would start a list; numbers elsewhere are plain text.
    escaped = re.sub(r"^(\d+)\.", r"\1&#46;", escaped)
    if escaped[:1] in ("-", "+"):
        escaped = f"&#{ord(escaped[0])};" + escaped[1:]
    return escaped


def inline_run(text, start=False):
    """A piece of a line of inert Markdown (between bold or link marks): whitespace folded but kept at its
    ends; at the ``start`` of a line, also kept from starting a list."""
    escaped = re.sub(r"\s+", " ", clean(text)).translate(_ENCODE)
    if start:
        escaped = escaped.lstrip()
        escaped = re.sub(r"^(\d+)\.", r"\1&#46;", escaped)
        if escaped[:1] in ("-", "+"):
            escaped = f"&#{ord(escaped[0])};" + escaped[1:]
    return escaped


def block(text):
    """A paragraph of inert Markdown: lines kept as line breaks, each line escaped."""
    lines = [inline(line) for line in clean(text).splitlines() if line.strip()]
    return "<br>\n".join(lines)


def attr(text):
    """A value for an HTML attribute in raw HTML we write into Markdown."""
    return clean(text).translate(_ENCODE)


def safe_url(url):
    """An http(s) URL fit for an href, or "" when the value is anything else."""
    url = clean(url).strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return url
