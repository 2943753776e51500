"""Search: what a resident's search finds each page by, built from the snapshot — one text extractor.

Each kind says what text a page is found by (``ContentKind.search_text``); this module turns it into the
normalized text the API's ``q=`` matches (``entry_text``) and into the records the site's index is written
from (``search_records``; the index itself is ``search_index``). Nothing is read back from built HTML.

Chinese text is indexed as overlapping character pairs (居住证明 → 居住 住证 证明) plus single characters,
and Latin letters and digits as words; the browser (``site_src/assets/search.js``) splits a query the same
way, so short terms (物业, 网格) and named practices (群众点单) match exactly, with no dictionary to disagree.
"""

import functools
import pickle
import re
import unicodedata
import zlib
from collections import Counter

from cms.core.kinds import kinds

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


@functools.cache
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text):
    """Text in simplified characters (OpenCC, phrase by phrase): a page written in traditional characters is
    found by a query in simplified ones; the browser turns a traditional query simplified (``query_helper``)."""
    return _converter().convert(text) if text else text


@functools.cache
def pinyin_words(phrase):
    """Pinyin of a phrase's adjacent character pairs, full (居住 → juzhu) and by initials (jz): a resident who
    types juzhu zhengming or jzzm finds 居住证明."""
    from pypinyin import lazy_pinyin

    words = []
    for run in re.findall(f"[{CJK}]+", normalize(to_simplified(phrase))):
        full = [s for s in lazy_pinyin(run, errors="ignore") if s.isascii() and s.isalpha()]
        if len(full) != len(run):
            continue  # a character without a reading: leave the run out rather than misalign it
        initials = [s[0] for s in full]
        words += [full[i] + full[i + 1] for i in range(len(full) - 1)]
        words += [initials[i] + initials[i + 1] for i in range(len(full) - 1)]
    return tuple(words)


def doc_tokens(record):
    """How often each token stands in a record: its text, its text in simplified characters, and the pinyin
    of its title and named things (``n``). The index writer and the purge of a stale copy both use it."""
    text = normalize(record["x"])
    counts = Counter(tokens(text))
    simple = normalize(to_simplified(record["x"]))
    if simple != text:
        for token, n in Counter(tokens(simple)).items():
            counts.setdefault(token, n)
    for phrase in (record["t"], *record.get("n", [])):
        for word in pinyin_words(phrase):
            counts.setdefault(word, 1)
    return counts


def title_tokens(record):
    title = record["t"]
    return set(tokens(normalize(title))) | set(tokens(normalize(to_simplified(title)))) | set(pinyin_words(title))


@functools.cache
def query_helper():
    """What the browser needs to read a query as the index was written: traditional characters and their
    simplified ones (one character each, from OpenCC), and the pinyin syllables (from pypinyin)."""
    from pypinyin import Style, pinyin_dict
    from pypinyin.style import convert

    pairs = []
    for code in list(range(0x4E00, 0xA000)) + list(range(0xF900, 0xFB00)):
        char = chr(code)
        simple = to_simplified(char)
        # Characters residents type (Big5 on the traditional side, GB 2312 on the simplified): 2,400 pairs,
        # 8 KB with Brotli, instead of 4,200 pairs and twice the bytes for rarities nobody types.
        if len(simple) == 1 and simple != char and _encodes(char, "big5") and _encodes(simple, "gb2312"):
            pairs.append(char + simple)
    syllables = set()
    for readings in pinyin_dict.pinyin_dict.values():
        for reading in readings.split(","):
            plain = convert(reading, Style.NORMAL, strict=True)
            if plain.isascii() and plain.isalpha():
                syllables.add(plain)
    return {"t2s": "".join(pairs), "syllables": sorted(syllables)}


def _encodes(char, codec):
    try:
        char.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


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
        "s": kind.period_label(site, entry),
        "v": kind.search_flag(site, entry),
        "n": [_flat(name) for name in kind.search_names(entry)],
    }


class SearchChanges:
    """The pages whose search records changed or went since the index of the manifest ``since`` was written
    (``search_records`` adds them; ``search_index.index_search`` starts a new set for the manifest it returns).
    With it an edit compares only those pages with the base, not every page; ``urls`` None (the records were
    all made again) or a manifest that is not ``since`` (a build that did not go live) means every page."""

    def __init__(self):
        self.since = None  # the token of the manifest the set is counted from
        self.urls = None
        self.base_numbers = None  # the base's {url: number} the reverse below was made from
        self.base_urls = []  # the base's pages by number

    def touch(self, urls):
        if self.urls is not None:
            self.urls.update(urls)

    def everything(self):
        self.urls = None

    def by_number(self, base):
        """The base's page URLs by document number (made once per base)."""
        numbers = base["numbers"]
        if self.base_numbers is not numbers:
            urls = [""] * len(numbers)
            for url, n in numbers.items():
                urls[n] = url
            self.base_numbers, self.base_urls = numbers, urls
        return self.base_urls


def packed(record):
    """A record as the build cache keeps it between builds: compressed (a page's text is most of its record,
    and the index reads records only for the pages an edit touched, or all of them for a new base)."""
    return zlib.compress(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL), 1)


def unpacked(data):
    """The record ``packed`` kept (only ever data this process or its signed cache made: never outside bytes)."""
    return pickle.loads(zlib.decompress(data))  # noqa: S301


class Unpacked:
    """Packed records unpacked one at a time, each time they are walked: a new base of the index walks every
    page's record a few times without holding them all unpacked at once."""

    def __init__(self, packed):
        self._packed = packed

    def __len__(self):
        return len(self._packed)

    def __iter__(self):
        return map(unpacked, self._packed)


def search_records(site, snap, cache):
    """{url: (key, record packed, entry digest)} of every public page; a record is made again only when its entry or
    what its page shows of others changed (the memo's key). An edit looks only at the entries whose digest
    changed and those of kinds whose shared state changed (the digests the records were made from are kept
    by the build cache); the dict returned is the memo itself, good until the next build."""
    memo = cache.memo("search", "records")
    changes = cache.stages.setdefault(("search", "changes"), SearchChanges())  # what the index compares with its base
    state = site.shared_state()
    unchanged = site.unchanged_kinds(memo.stamp, state)
    kept = cache.stages.get(("search", "records")) if memo.stamp is not None else None
    if kept is None:
        looked, gone = list(snap.all()), None
        changes.everything()
    else:
        whole = [kind for kind in kinds() if kind.name not in unchanged]
        looked, gone = snap.present(snap.changed_since(kept), whole)
        gone = [f"/{folder}/{slug}/" for folder, slug in gone]
        changes.touch(gone)
    for kind, entry in looked:
        url = f"/{kind.folder}/{entry['meta']['slug']}/"
        changes.touch((url,))
        found = memo.found.get(url)  # (key, record, entry digest)
        entry_digest = snap.digest(kind, entry)
        if kind.name in unchanged and found is not None and found[2] == entry_digest:
            continue  # nothing it shows changed: passed over with a lookup
        key = repr((entry_digest, kind.context(site, entry), kind.period_label(site, entry)))
        made = found[1] if found is not None and found[0] == key else packed(record(site, kind, entry))
        memo.found[url] = (key, made, entry_digest)
    if gone is None:
        if len(memo.found) != len(looked):
            memo.keep_only({f"/{kind.folder}/{entry['meta']['slug']}/" for kind, entry in looked})
    else:
        for url in gone:
            memo.found.pop(url, None)
    memo.stamp = state
    cache.stages[("search", "records")] = snap.digests
    return memo.found
