"""Public content as JSON: one shape for the read API and for the static JSON files in the built site.

Both start from the snapshot — the same gate as the site: live, public, published content only. Each kind
gives its item's JSON (``ContentKind.json``); this module adds what places, summaries, counts and indexes
need.
"""

import datetime
from decimal import Decimal

from cms.core.kinds import kind as kind_named
from cms.core.kinds import kinds

from .regions import RegionTree
from .snapshot import Sharing

SUMMARY_KEYS = (
    "kind",
    "kind_label",
    "slug",
    "title",
    "url",
    "region_path",
    "summary",
    "themes",
    "list_kind",
    "list_kind_label",
    "version_label",
    "date",
    "round",
)


def to_json(value):
    """Dates as ISO strings, decimals as numbers; everything else as it is."""
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def item_date(item):
    """An item's date as the JSON gives it (ISO text), or ""."""
    return kind_named(item["kind"]).date(item) or ""


def summary(item):
    data = {key: item[key] for key in SUMMARY_KEYS if key in item}
    data["date"] = item_date(item)
    return data


class ContentJson:
    """Every public item and set as JSON for one snapshot, with region lookups and counts.

    ``memo`` (a dict kept by the caller between snapshots) maps (folder, slug) to (digest, region path (as
    text), JSON, summary): an item is converted again only when its content or its place in the region tree changed.
    With ``keep_items=False`` (the static JSON, written to files) the memo keeps only the summaries, and an
    item's whole JSON is made when asked for (``item``) and not held: the API keeps them, the build does not
    need to (they would be the largest part of the worker's memory). With ``partial`` the snapshot holds only
    some items (those that changed): the memo keeps what it holds of the others.
    """

    def __init__(self, snap, memo=None, keep_items=True, partial=False):
        self.snap = snap
        self.regions = RegionTree(snap.regions)
        self.keep_items = keep_items
        self.idents = []  # (kind name, slug) of every item, in the snapshot's order
        self.keys = {}  # (kind name, slug) -> what its JSON depends on, as one string (memo keys downstream)
        self.summaries = {}  # (kind name, slug) -> its summary (in lists, the region files, the API's listings)
        self._json = {}  # (kind name, slug) -> its JSON, when kept
        self._pending = {}  # (kind name, slug) -> (kind, entry, memo key, digest, path text): not converted
        self._entries = {}  # (kind name, slug) -> (kind, entry)
        self._memo = {} if memo is None else memo
        self._sharing = Sharing()
        fresh, places, digests, memo = {}, {}, snap.digests, self._memo
        # One pass over every item, kept to lookups: what depends on an item's place (its path in the tree,
        # and that path as text for the keys and the memo) is worked out once per place.
        for kind in kinds():
            if not kind.item:
                continue
            folder, name = kind.folder, kind.name
            for entry in snap.entries.get(folder, ()):
                meta = entry["meta"]
                slug, place = meta["slug"], kind.place(meta)
                key, ident = (folder, slug), (name, slug)
                if place not in places:
                    path = self.regions.path(place)
                    places[place] = ("/".join(n["name"] for n in path), repr(path))
                names, shape = places[place]
                entry_digest = digests.get(key) or snap.digest(kind, entry)
                hit = memo.get(key)
                self.idents.append(ident)
                self._entries[ident] = (kind, entry)
                self.keys[ident] = entry_digest + "|" + names
                if hit and hit[0] == entry_digest and hit[1] == shape and (hit[2] is not None or not keep_items):
                    fresh[key] = hit
                    self.summaries[ident] = hit[3]
                    if keep_items:
                        self._json[ident] = hit[2]
                else:
                    self._pending[ident] = (kind, entry, key, entry_digest, shape)
        if not partial:
            self._memo.clear()
        self._memo.update(fresh)
        if keep_items:
            self.complete()
        self._counts = None
        self._sets = None

    def item(self, ident):
        """An item's whole JSON (without keep_items made when asked for, and not held)."""
        found = self._json.get(ident)
        if found is not None:
            return found
        if ident in self._pending:
            kind, entry, key, entry_digest, path = self._pending.pop(ident)
        else:
            (kind, entry), key, entry_digest, path = self._entries[ident], None, None, None
        item = to_json(kind.json(entry, self.regions))
        if entry_digest is not None:
            # Kept between builds for every item: the parts items share (their region path, themes) held once.
            self.summaries[ident] = self._sharing.value(summary(item))
            self._memo[key] = (entry_digest, path, item if self.keep_items else None, self.summaries[ident])
        if self.keep_items:
            self._json[ident] = item
        return item

    def entry(self, ident):
        return self._entries[ident][1]

    def complete(self):
        """Convert the items not converted yet (their summaries are needed by counts, sets and listings)."""
        for ident in list(self._pending):
            self.item(ident)

    @property
    def items(self):
        return [self.item(ident) for ident in self.idents]

    def newest(self):
        return sorted(self.items, key=lambda i: (item_date(i), i["slug"]), reverse=True)

    @property
    def sets(self):
        """JSON of what is not an item (trainers' collections), by kind: {folder: {slug: json}}."""
        if self._sets is None:
            self.complete()
            self._sets = {
                kind.folder: {
                    e["meta"]["slug"]: to_json(kind.json(e, self.regions, self.summaries)) for e in self.snap.of(kind)
                }
                for kind in kinds()
                if not kind.item
            }
        return self._sets

    def counts(self):
        """How many items each region holds, itself and below it, for every region in one pass."""
        if self._counts is None:
            self.complete()
            counts = dict.fromkeys(self.regions.nodes, 0)
            for item in self.summaries.values():
                for node in item["region_path"]:
                    if node["slug"] in counts:
                        counts[node["slug"]] += 1
            self._counts = counts
        return self._counts

    def region(self, slug, count=None):
        """A region with its place in the tree and how many items it holds (itself and below it: ``count``,
        when the caller knows it)."""
        node = self.regions.nodes[slug]
        out = {key: node[key] for key in ("slug", "name", "level", "parent")}
        return {**out, "path": self.regions.path(slug), "item_count": self.counts()[slug] if count is None else count}

    def find(self, folder, slug):
        """One item's or set's JSON by its folder and slug, or None."""
        for ident in self.idents:
            if ident[1] == slug and kind_named(ident[0]).folder == folder:
                return self.item(ident)
        return self.sets.get(folder, {}).get(slug)
