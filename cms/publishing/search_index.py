"""The site's search index, written from search records (``search.search_records``): our own, sized for a
resident's first search on a slow phone.

Pagefind (1.6, measured at 10,000 pages) could not fit a first search into 300 KB: its fixed part alone
is about 190 KB (WebAssembly, the list of every page, the delta) and a common word such as 证明 comes in
one chunk with every position of it (102 KB). It also needed 2.6 GiB to index. This index needs neither:

- Each token's postings (document numbers and one weight byte: how much the token counts for in that
  page, BM25, and whether it is in the title) live in one of many small shard files, chosen by a hash of
  the token. A query downloads one shard per token, and then one small record per result shown.
- What a filter needs (each page's kind and places, as codes and slugs) is a separate file, downloaded
  only when a filter is used.

In the site (``search-index/``)::

    index.json               the current bundles and the base's stale documents (tiny; fetched first)
    <bundle>/s/<n>.bin       postings of the tokens that hash to n
    <bundle>/d/<doc>.json    one page: URL, title, kind, places, text, and where each list row starts
    <bundle>/filters.json    kind code and places (slugs, with names) of every page in the bundle

Like every text file of the site, each gets gzip and Brotli copies at the end of the build (``compress``). A full build writes the *base* bundle; an edit writes a small *delta* bundle of the pages
changed since, whose documents continue the base's numbering, and lists the base's copies of them as
stale. Gone means gone: a stale copy is also *purged* from the base in the same build — its record file
deleted, its postings taken out of every shard that held one of its tokens, its filter entry blanked — so
no file of the new site holds the old text or words of a page that was unpublished, made private or
corrected. Bundle folders are named by their content (a purged base gets a new name), so a browser may
cache them for good.
"""

import hashlib
import json
import secrets
import zlib
from pathlib import Path

from .files import atomic_write, record_move, record_tree, remove, remove_tree, write_if_changed
from .search import SearchChanges, Unpacked, doc_tokens, query_helper, title_tokens, unpacked

INDEX_DIR = "search-index"
MANIFEST = "index.json"
DELTA_LIMIT = 400  # pages; past this the base is rewritten
LAYOUT = 6  # bump when the bundle layout changes: the next build rewrites the index
SHARD_BYTES = 6000  # aim per shard file, before compression
MAX_SHARDS = 4096
K1, B = 1.2, 0.75
TITLE = 0x80
PUBLIC_FIELDS = ("u", "t", "k", "l", "p", "x", "w", "s", "v", "n")  # what a record file holds (not the filters)
QUERY_HELPER = "query.json"  # t2s characters and pinyin syllables for the browser (search.query_helper)


def varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


VARINTS = [varint(n) for n in range(1 << 14)]


def shard_of(token, shards):
    return zlib.crc32(token.encode()) % shards


def write_bundle(records, target, first):
    """Write one bundle (documents numbered from `first`) into target.

    Returns its entry for index.json and a digest of everything written (the bundle's name comes from it).
    """
    target = Path(target)
    remove_tree(target)
    digest = hashlib.sha256(str(first).encode())

    def _write(path, data):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        digest.update(path.name.encode() + b"\0" + data)

    lengths = [len(r["x"]) for r in records]
    avg = (sum(lengths) / len(lengths)) if lengths else 1.0
    postings, last = {}, {}
    for doc, (record, length) in enumerate(zip(records, lengths, strict=True)):
        norm = K1 * (1 - B + B * length / max(avg, 1.0))
        weights = [0] + [max(1, round(127 * tf / (tf + norm))) for tf in range(1, 64)]
        in_title = title_tokens(record)
        # A replaced list (已被替代) still answers, a quarter as strongly: below the list that replaced it.
        scale = 4 if record.get("v") else 1
        for token, tf in doc_tokens(record).items():
            weight = max(1, weights[tf if tf < 64 else 63] // scale) | (TITLE if token in in_title else 0)
            buffer = postings.get(token)
            if buffer is None:
                buffer = postings[token] = bytearray()
                gap = doc + 1
            else:
                gap = doc - last[token]
            buffer += VARINTS[gap] if gap < 16384 else varint(gap)
            buffer.append(weight)
            last[token] = doc
    total = sum(len(t.encode()) + len(p) + 4 for t, p in postings.items())
    shards = 1
    while shards < MAX_SHARDS and total / shards > SHARD_BYTES:
        shards *= 2
    grouped = [[] for _ in range(shards)]
    for token in sorted(postings):
        grouped[shard_of(token, shards)].append(token)
    for n, group in enumerate(grouped):
        if not group:
            continue
        out = bytearray(varint(len(group)))
        for token in group:
            raw, data = token.encode(), postings[token]
            out += varint(len(raw)) + raw + varint(len(data)) + data
        _write(target / "s" / f"{n}.bin", bytes(out))
    # Numbered in order of first use: kind codes and places ([slug, name]), and each page's chain of places.
    kinds, regions, chains, doc_kind, doc_chain = {}, {}, {}, [], []
    for doc, record in enumerate(records):
        doc_kind.append(kinds.setdefault(record["k"], len(kinds)))
        places = zip(record["r"], record["p"], strict=True)
        chain = tuple(regions.setdefault((slug, name), len(regions)) for slug, name in places)
        doc_chain.append(chains.setdefault(chain, len(chains)))
        _write(target / "d" / f"{doc}.json", _json({key: record[key] for key in PUBLIC_FIELDS}))
    _write(
        target / "filters.json",
        _json(
            {
                "kinds": list(kinds),
                "kind": doc_kind,
                "regions": [list(place) for place in regions],
                "chains": [list(chain) for chain in chains],
                "chain": doc_chain,
            }
        ),
    )
    return {"first": first, "docs": len(records), "shards": shards}, digest.hexdigest()


def _json(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _add_bundle(root, prefix, records, first):
    """Write a bundle into root under a name taken from its content; returns its entry for index.json."""
    staging = root / f".{prefix}.new"
    entry, digest = write_bundle(records, staging, first)
    name = f"{prefix}-{digest[:12]}"
    final = root / name
    remove_tree(final)
    staging.rename(final)
    record_tree(final)
    return {"path": f"{name}/", **entry}


def read_shard(data):
    """{token: postings bytes} of a shard file (the layout ``write_bundle`` writes and search.js reads)."""
    out, pos = {}, 0

    def number():
        nonlocal pos
        value, shift = 0, 0
        while True:
            byte = data[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value

    for _ in range(number()):
        size = number()
        token = data[pos : pos + size].decode()
        pos += size
        size = number()
        out[token] = data[pos : pos + size]
        pos += size
    return out


def shard_bytes(postings):
    out = bytearray(varint(len(postings)))
    for token in sorted(postings):
        raw, data = token.encode(), postings[token]
        out += varint(len(raw)) + raw + varint(len(data)) + data
    return bytes(out)


def without_docs(data, docs):
    """Postings (document gaps and weight bytes, numbered from 0) without the given documents."""
    out, pos, doc, last = bytearray(), 0, -1, -1
    while pos < len(data):
        gap, shift = 0, 0
        while True:
            byte = data[pos]
            pos += 1
            gap |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                break
        doc += gap
        weight = data[pos]
        pos += 1
        if doc in docs:
            continue
        out += varint(doc - last)
        out.append(weight)
        last = doc
    return bytes(out)


def purge(bundle_dir, entry, removals):
    """Take stale copies out of a bundle in place: ``removals`` is {document number within the bundle: the
    tokens to take out of its postings}. Their records go, and their filter entries are blanked.

    Only the postings of those tokens are decoded, and only the shards holding one are rewritten (replaced,
    never edited: the folder is a hard-linked copy of the live one). Returns how many shards were rewritten.
    """
    bundle_dir = Path(bundle_dir)
    by_shard = {}  # shard -> {token: docs}
    for doc, words in removals.items():
        remove(bundle_dir / "d" / f"{doc}.json")
        for token in words:
            by_shard.setdefault(shard_of(token, entry["shards"]), {}).setdefault(token, set()).add(doc)
    rewritten = 0
    for n, wanted in sorted(by_shard.items()):
        path = bundle_dir / "s" / f"{n}.bin"
        if not path.exists():
            continue
        postings = read_shard(path.read_bytes())
        changed = False
        for token, docs in wanted.items():
            data = postings.get(token)
            if data is None:
                continue
            kept = without_docs(data, docs)
            if kept != data:
                changed = True
                if kept:
                    postings[token] = kept
                else:
                    del postings[token]
        if not changed:
            continue
        rewritten += 1
        if postings:
            atomic_write(path, shard_bytes(postings))
        else:
            remove(path)
    filters_path = bundle_dir / "filters.json"
    if filters_path.exists() and removals:
        data = json.loads(filters_path.read_bytes())
        blank_kind = data["kinds"].index("") if "" in data["kinds"] else len(data["kinds"])
        if blank_kind == len(data["kinds"]):
            data["kinds"].append("")
        blank_chain = data["chains"].index([]) if [] in data["chains"] else len(data["chains"])
        if blank_chain == len(data["chains"]):
            data["chains"].append([])
        changed = False
        for doc in removals:
            if doc < len(data["kind"]) and (data["kind"][doc], data["chain"][doc]) != (blank_kind, blank_chain):
                data["kind"][doc], data["chain"][doc] = blank_kind, blank_chain
                changed = True
        if changed:
            atomic_write(filters_path, _json(data))
    return rewritten


def record_words(record):
    """Every token a record put in the postings (its text, simplified text, pinyin, title)."""
    return set(doc_tokens(record)) | title_tokens(record)


def read_record(bundle_dir, doc):
    path = Path(bundle_dir) / "d" / f"{doc}.json"
    try:
        return json.loads(path.read_bytes())
    except FileNotFoundError:
        return None


def changed_since_base(base, current, previous, candidates, by_number):
    """(changed, stale): the pages whose record differs from the base's, or whose base copy was purged (by
    URL, sorted), and the base's document numbers that are stale (changed, gone or purged).

    ``candidates``: the pages touched since the previous manifest, or None: every page is compared. Pages
    not among them are as the previous build left them: then in its delta (``previous["delta"]``) or as the
    base has them; a page that went since the base has its number purged."""
    pages, numbers = base["pages"], base["numbers"]
    purged = set(base.get("purged", []))
    if candidates is None:
        changed = {url for url, found in current.items() if pages.get(url) != found[0]}
        changed |= {url for url, n in numbers.items() if n in purged and url in current}
        gone = {url for url in numbers if url not in current}
    else:
        looked = {*candidates, *previous.get("delta", {}), *(by_number[n] for n in purged)}
        changed = {url for url in looked if url in current and (pages.get(url) != current[url][0])}
        # A page purged from the base stays in the delta, even if it is back to what the base had.
        changed |= {by_number[n] for n in purged if by_number[n] in current}
        gone = {url for url in looked if url in numbers and url not in current}
    stale = {numbers[url] for url in changed if url in numbers} | {numbers[url] for url in gone} | purged
    return sorted(changed), sorted(stale)


def index_search(generation, records, previous, full=False, changes=None):
    """Update the search index inside the new generation; returns the search manifest for the next build.

    ``records`` is {url: (key, record packed, …)} of every public page (``search.search_records``); ``previous`` the
    manifest the last build returned; ``changes`` (a ``SearchChanges``, optional) the pages touched since it. Only
    records whose key changed are indexed again (a delta bundle).
    """
    root = Path(generation) / INDEX_DIR
    current = records  # url -> (key, record, …): the key is current[url][0]
    changes = changes if changes is not None else SearchChanges()
    base = previous.get("base") if previous.get("layout") == LAYOUT else None
    if base is not None and not (root / base["bundle"]["path"]).is_dir():
        base = None
    changed, stale = [], []
    if base is not None:
        candidates = changes.urls if changes.since is not None and previous.get("token") == changes.since else None
        changed, stale = changed_since_base(base, current, previous, candidates, changes.by_number(base))
    if full or base is None or len(changed) > DELTA_LIMIT:
        urls = sorted(current)
        chosen = Unpacked([records[url][1] for url in urls])
        remove_tree(root)
        root.mkdir(parents=True)
        bundle = _add_bundle(root, "b", chosen, 0)
        numbers = {url: n for n, url in enumerate(urls)}
        base = {"bundle": bundle, "pages": {url: current[url][0] for url in urls}, "numbers": numbers}
        changes.base_numbers, changes.base_urls = numbers, urls
        bundles, stale = [bundle], []
    else:
        purged = set(base.get("purged", []))
        # Gone means gone: what a changed or removed page no longer says leaves this generation now. A stale
        # copy in the base keeps only the tokens its page still has (they tell nothing the page does not say
        # today; the browser never shows a stale copy), so an edit rewrites only the shards of words that went.
        # Once purged, what it holds is at most what the last delta's version had: a later edit purges against
        # that version.
        old = base["bundle"]
        removals = {}
        last_delta = previous.get("delta", {}) if previous.get("layout") == LAYOUT else {}
        delta_dir = root / previous["bundles"][1]["path"] if len(previous.get("bundles", [])) > 1 else None
        by_number = changes.by_number(base)
        for n in stale:
            url = by_number[n]
            if n not in purged:
                before = read_record(root / old["path"], n)
            elif url in last_delta and last_delta[url][1] != current.get(url, (None,))[0] and delta_dir is not None:
                before = read_record(delta_dir, last_delta[url][0])
            else:
                continue
            if before is not None:
                now = record_words(unpacked(records[url][1])) if url in current else set()
                removals[n] = record_words(before) - now
            else:
                removals[n] = set()
        removals = {n: words for n, words in removals.items() if words or n not in purged}
        if removals:
            purge(root / old["path"], old, removals)
            purged = set(stale)
            # A new name whenever the content changes (browsers keep a bundle's files for a year).
            digest = hashlib.sha256((old["path"] + ":" + ",".join(map(str, sorted(purged)))).encode())
            for n in sorted(removals):
                digest.update(f"\n{n}:".encode() + "\0".join(sorted(removals[n])).encode())
            digest = digest.hexdigest()
            name = f"b-{digest[:12]}"
            if name != old["path"].strip("/"):
                remove_tree(root / name)
                (root / old["path"]).rename(root / name)
                record_move(root / old["path"], root / name)
            base = {**base, "bundle": {**old, "path": f"{name}/"}, "purged": sorted(purged)}
        bundle = base["bundle"]
        bundles = [bundle]
        delta = [unpacked(records[url][1]) for url in changed]
        if delta:
            bundles.append(_add_bundle(root, "d", delta, bundle["first"] + bundle["docs"]))
    keep = {b["path"].strip("/") for b in bundles}
    for old in root.iterdir():
        if old.is_dir() and old.name not in keep:
            remove_tree(old)
    write_if_changed(root, QUERY_HELPER, _json(query_helper()))
    manifest = _json({"version": LAYOUT, "bundles": bundles, "stale": stale})
    atomic_write(root / MANIFEST, manifest)
    # The delta's pages, their numbers in it and their keys: what the next purge compares against.
    in_delta = {url: [n, current[url][0]] for n, url in enumerate(changed)} if len(bundles) > 1 else {}
    # Pages touched from now on are counted against this manifest (a token of its own).
    changes.since, changes.urls = secrets.token_hex(8), set()
    return {"layout": LAYOUT, "bundles": bundles, "base": base, "delta": in_delta, "token": changes.since}
