"""A reference reader of the site's search index, in Python: the contract ``site_src/assets/search.js`` keeps.

It reads what ``cms.publishing.search_index`` writes — shards of postings (document gaps, one weight byte:
BM25 in the low seven bits, the title flag in the high bit), records, filters — and scores a query as the
browser does. The golden tests write its answers next to the golden index; the Node test checks that the
browser's engine gives the same.
"""

import json
import math
import re
import unicodedata
import zlib
from pathlib import Path

from cms.publishing.search_index import LAYOUT, read_shard

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
RUNS = re.compile(f"[{CJK}]+|[0-9a-z\u00c0-\u024f]+")
IS_CJK = re.compile(f"^[{CJK}]")


def query_tokens(query):
    """The tokens a query must all match, split as the browser splits it."""
    out = []
    for run in RUNS.findall(unicodedata.normalize("NFKC", query).lower()):
        if IS_CJK.match(run) and len(run) > 1:
            out += [run[i : i + 2] for i in range(len(run) - 1)]
        else:
            out.append(run)
    return list(dict.fromkeys(out))


def postings(data, first):
    """{doc: weight byte} of one token's postings in a bundle whose documents start at ``first``."""
    found, pos, doc = {}, 0, first - 1
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
        found[doc] = data[pos]
        pos += 1
    return found


class Index:
    def __init__(self, root):
        self.root = Path(root)
        self.manifest = json.loads((self.root / "index.json").read_text(encoding="utf-8"))
        assert self.manifest["version"] == LAYOUT
        self.stale = set(self.manifest["stale"])
        self.total = sum(b["docs"] for b in self.manifest["bundles"]) - len(self.stale)

    def token(self, token):
        docs = {}
        for bundle in self.manifest["bundles"]:
            path = self.root / bundle["path"] / "s" / f"{zlib.crc32(token.encode()) % bundle['shards']}.bin"
            if path.exists():
                data = read_shard(path.read_bytes()).get(token)
                if data is not None:
                    docs.update(postings(data, bundle["first"]))
        return docs

    def record(self, doc):
        bundle = max((b for b in self.manifest["bundles"] if doc >= b["first"]), key=lambda b: b["first"])
        return json.loads((self.root / bundle["path"] / "d" / f"{doc - bundle['first']}.json").read_text("utf-8"))

    def search(self, query):
        """[(url, score)] best first, as the browser ranks them (scores rounded to 6 places)."""
        tokens = query_tokens(query)
        if not tokens:
            return []
        lists = sorted((self.token(t) for t in tokens), key=len)
        idf = [math.log(1 + (self.total - len(p) + 0.5) / (len(p) + 0.5)) for p in lists]
        hits = []
        for doc in lists[0]:
            if doc in self.stale or any(doc not in p for p in lists):
                continue
            score = sum(idf[i] * ((p[doc] & 0x7F) / 127) * (3 if p[doc] & 0x80 else 1) for i, p in enumerate(lists))
            hits.append((doc, score))
        hits.sort(key=lambda h: (-h[1], h[0]))
        return [(self.record(doc)["u"], round(score, 6)) for doc, score in hits]
