"""Search: what a resident's search finds each page by, built from the snapshot — one text extractor.

Each kind says what text a page is found by (``ContentKind.search_text``); this module turns it into the
normalized text the API's ``q=`` matches (``entry_text``) and into the records the site's index is written
from (``search_records``; the index itself is ``search_index``). Nothing is read back from built HTML.

Chinese text is indexed as overlapping character pairs (居住证明 → 居住 住证 证明) plus single characters,
and Latin letters and digits as words; the browser (``site_src/assets/search.js``) splits a query the same
way, so short terms (物业, 网格) and named practices (群众点单) match exactly, with no dictionary to disagree.
"""

import re
import unicodedata

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"  # with the rare characters of names
PAIRS = re.compile(f"(?=([{CJK}]{{2}}))")
SINGLES = re.compile(f"[{CJK}]")
WORDS = re.compile("[0-9a-z\u00c0-\u024f]+")
SPACE = re.compile(r"\s+")


def normalize(text):
    return unicodedata.normalize("NFKC", text).lower()


def tokens(text):
    """Every token of already normalized text, with repeats: pairs and single Chinese characters, words."""
    found = PAIRS.findall(text)
    found += SINGLES.findall(text)
    found += WORDS.findall(text)
    return found


def _flat(text):
    return SPACE.sub(" ", str(text)).strip()


def utf16_len(text):
    return len(text) if text.isascii() or max(text) < "\U00010000" else len(text.encode("utf-16-le")) // 2


def entry_text(site, kind, entry):
    """All the text search finds an item by, normalized: the site's index and the API's ``q=`` both use it."""
    parts, rows, tail = kind.search_text(site, entry)
    return normalize(" ".join([*parts, *(text for _id, text in rows), *tail]))


def record(site, kind, entry):
    """What the index knows of one page: URL, title, kind (code and label), places (names, and slugs for the
    filter), its text, and where each list row starts in the text (UTF-16 offsets, as the browser counts)."""
    meta = entry["meta"]
    parts, rows, tail = kind.search_text(site, entry)
    chunks, spans, length = [], [], 0
    for text in (_flat(p) for p in parts):
        if text:
            chunks.append(text)
            length += utf16_len(text) + 1
    for row_id, text in rows:
        text = _flat(text)
        spans.append([row_id, length, length + utf16_len(text)])
        chunks.append(text)
        length += utf16_len(text) + 1
    chunks += [t for t in (_flat(p) for p in tail) if t]
    chain = site.regions.ancestry(kind.place(meta)) if kind.item else []
    return {
        "u": f"/{kind.folder}/{meta['slug']}/",
        "t": _flat(meta["title"]),
        "k": kind.name,
        "l": kind.label,
        "p": [site.region_name(s) for s in chain],
        "r": chain,
        "x": " ".join(chunks),
        "w": spans,
    }


def search_records(site, snap, cache):
    """{url: (key, record)} of every public page, in URL order; a record is made again only when its
    entry or what its page shows of others changed (the memo's key)."""
    memo = cache.memo("search", "records")
    out = {}
    for kind, entry in snap.all():
        url = f"/{kind.folder}/{entry['meta']['slug']}/"
        key = (snap.digest(kind, entry), kind.context(site, entry))
        found, _hit = memo.get(url, key, lambda kind=kind, entry=entry: record(site, kind, entry))
        out[url] = (repr(key), found)
    memo.keep_only(out)
    return dict(sorted(out.items()))
