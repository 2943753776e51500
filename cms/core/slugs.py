"""Short, stable addresses: a new page's slug made from its Chinese title is pinyin (pypinyin), at most about
60 characters, cut between syllables, unique among its siblings; an editor may still type their own. Existing
slugs never change."""

import re

from pypinyin import lazy_pinyin

MAX_LENGTH = 60

# Place names pypinyin's phrase list reads with the wrong sound of a polyphone (长 zhǎng, 朝 zhāo, 单 dān):
# loaded into pypinyin once (the search index reads them too). A slug also reads each place name on its own.
PLACE_PHRASES = {
    "长治": [["cháng"], ["zhì"]],
    "长宁": [["cháng"], ["níng"]],
    "长子": [["zhǎng"], ["zǐ"]],
    "长丰": [["cháng"], ["fēng"]],
    "长兴": [["cháng"], ["xīng"]],
    "长垣": [["cháng"], ["yuán"]],
    "长汀": [["cháng"], ["tīng"]],
    "长清": [["cháng"], ["qīng"]],
    "朝阳": [["cháo"], ["yáng"]],
    "单县": [["shàn"], ["xiàn"]],
}


PLACES = re.compile("(" + "|".join(sorted(PLACE_PHRASES, key=len, reverse=True)) + ")")


def load_place_phrases():
    from pypinyin import load_phrases_dict

    load_phrases_dict(PLACE_PHRASES)


def pinyin_slug(title, max_length=MAX_LENGTH):
    """“示例社区可出具证明事项清单（2024版）” → “shi-li-she-qu-ke-chu-ju-zheng-ming-shi-xiang-qing-dan-2024-ban”."""
    words = []
    # A place name is read on its own, so that the phrase before it cannot take its first character (省长治).
    for piece in PLACES.split(title or ""):
        for chunk in lazy_pinyin(piece):  # runs of other characters come back as they are
            words += [w for w in re.split(r"[^a-z0-9]+", chunk.lower()) if w]
    return cut("-".join(words), max_length) or "page"


def cut(slug, limit):
    """``slug`` at most ``limit`` characters long, cut between syllables where it can be."""
    if len(slug) <= limit:
        return slug
    head = slug[: limit + 1]
    return head.rsplit("-", 1)[0] if "-" in head else slug[:limit]


def unique_slug(base, taken):
    """``base``, or ``base-2``, ``base-3`` … — the first that ``taken(slug)`` says is free, within the limit."""
    candidate, n = base, 1
    while taken(candidate):
        n += 1
        suffix = f"-{n}"
        candidate = cut(base, MAX_LENGTH - len(suffix)) + suffix
    return candidate


def free_among_siblings(parent, page=None):
    """The ``taken`` test for a page under ``parent`` (Wagtail's own rule of unique slugs among siblings)."""
    from wagtail.models import Page

    return lambda slug: not Page._slug_is_available(slug, parent, page)


def needs_pinyin(slug):
    """A slug made from a Chinese title by the browser (or none at all): not an address residents can type."""
    return not slug or not slug.isascii()
