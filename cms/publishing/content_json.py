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

    ``memo`` (a dict kept by the caller between snapshots) maps (folder, slug) to (digest, region path,
    JSON, summary): an item is converted again only when its content or its place in the region tree changed.
    """

    def __init__(self, snap, memo=None):
        self.snap = snap
        self.regions = RegionTree(snap.regions)
        self.items = []
        self.keys = {}  # (kind name, slug) -> what its JSON depends on, as one string (memo keys downstream)
        self.summaries = {}  # (kind name, slug) -> its summary (in lists, the region files, the API's listings)
        fresh = {}
        for kind, entry in snap.items():
            key = (kind.folder, entry["meta"]["slug"])
            path = self.regions.path(kind.place(entry["meta"]))
            entry_digest = snap.digest(kind, entry)
            hit = memo.get(key) if memo is not None else None
            if hit and hit[0] == entry_digest and hit[1] == path:
                fresh[key] = hit
            else:
                item = to_json(kind.json(entry, self.regions))
                fresh[key] = (entry_digest, path, item, summary(item))
            self.items.append(fresh[key][2])
            self.summaries[(kind.name, entry["meta"]["slug"])] = fresh[key][3]
            self.keys[(kind.name, entry["meta"]["slug"])] = entry_digest + "|" + "/".join(n["name"] for n in path)
        if memo is not None:
            memo.clear()
            memo.update(fresh)
        self._counts = None
        self._sets = None

    def newest(self):
        return sorted(self.items, key=lambda i: (item_date(i), i["slug"]), reverse=True)

    @property
    def sets(self):
        """JSON of what is not an item (trainers' collections), by kind: {folder: {slug: json}}."""
        if self._sets is None:
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
            counts = dict.fromkeys(self.regions.nodes, 0)
            for item in self.items:
                for node in item["region_path"]:
                    if node["slug"] in counts:
                        counts[node["slug"]] += 1
            self._counts = counts
        return self._counts

    def region(self, slug):
        """A region with its place in the tree and how many items it holds (itself and below it)."""
        node = self.regions.nodes[slug]
        out = {key: node[key] for key in ("slug", "name", "level", "parent")}
        return {**out, "path": self.regions.path(slug), "item_count": self.counts()[slug]}

    def find(self, folder, slug):
        """One item's or set's JSON by its folder and slug, or None."""
        for item in self.items:
            if item["slug"] == slug and kind_named(item["kind"]).folder == folder:
                return item
        return self.sets.get(folder, {}).get(slug)
