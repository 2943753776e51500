"""What every page of a build may look up: places, where each item is listed, links, QR codes."""

import bisect
import heapq

from cms.core import periods, richtext
from cms.core.kinds import kinds

from .escape import inline
from .feeds import rank as feed_rank
from .markdown import make_qr_svg, page_slug, theme_slug
from .regions import RegionTree
from .snapshot import digest


def first(items, limit, key):
    """sorted(items, key=key)[:limit] without sorting them all (keys are unique: they end with a slug)."""
    if limit is None or len(items) <= limit:
        return sorted(items, key=key)
    return heapq.nsmallest(limit, items, key=key)


MANY = 1000  # entries above which a lookup of each is made from a dict of the kind's entries
REORDER_ABOVE = 1000  # changed items above which the kept orders are sorted again rather than updated
THEME_WALK_ABOVE = 2000  # items holding a theme above which its newest are found by walking the kinds' orders


def take_out(items, element):
    """Remove ``element`` from the sorted list ``items`` (found by bisection), if it is there."""
    at = bisect.bisect_left(items, element)
    if at < len(items) and items[at] == element:
        del items[at]


INDEX = "index"  # in ``derived``: the lookups by region and by theme, and the digests they were made from


class RegionEntries:
    """{region slug: [(kind, entry)]} of the items in each region or below it, in the snapshot's order —
    kept between builds as slugs by region and kind, and a region's entries looked up only when asked for."""

    def __init__(self, site, held):
        self.site = site
        self.held = held  # region slug -> {kind folder: {slug}}
        self._lists = {}

    def get(self, slug, default=None):
        if slug not in self.held:
            return default
        if slug not in self._lists:
            keys = [(folder, item) for folder, items in self.held[slug].items() for item in items]
            self._lists[slug] = self.site.ordered(keys)
        return self._lists[slug]

    def __contains__(self, slug):
        return slug in self.held

    def count(self, slug):
        """How many items a region holds (itself or below)."""
        return sum(len(items) for items in self.held.get(slug, {}).values())

    def slugs(self, slug):
        """{kind folder: {slug}} of the items a region holds, without looking them up (the kept sets
        themselves: a province's are not copied for each edit; not to be changed)."""
        return self.held.get(slug, {})

    @staticmethod
    def add(held, region, key):
        held.setdefault(region, {}).setdefault(key[0], set()).add(key[1])

    @staticmethod
    def discard(held, region, key):
        by_kind = held.get(region)
        if by_kind is not None and key[0] in by_kind:
            by_kind[key[0]].discard(key[1])
            if not by_kind[key[0]]:
                del by_kind[key[0]]
            if not by_kind:
                del held[region]

    def __iter__(self):
        return iter(self.held)

    def __len__(self):
        return len(self.held)


class BySlug:
    """A kind's entries by slug, found by bisection in a snapshot whose entries are in slug order (a dict of
    every entry, made by each build, cost a step per entry at 100,000 pages)."""

    def __init__(self, snap, folder):
        self.snap, self.folder = snap, folder

    def get(self, slug, default=None):
        found = self.snap.find(self.folder, slug)
        return default if found is None else found

    def __getitem__(self, slug):
        found = self.snap.find(self.folder, slug)
        if found is None:
            raise KeyError(slug)
        return found

    def __contains__(self, slug):
        return self.snap.find(self.folder, slug) is not None


class SiteContext:
    """Lookups shared by every page rendered from one snapshot.

    ``derived`` (kept by the build cache between builds) holds what is worked out per entry — its places, its
    themes, its sort key — by entry: reused while the entry's digest and the world (``self.world``: the site's
    address, regions, day and settings) are the same, so walking 100,000 entries costs dictionary lookups.
    """

    def __init__(self, snap, site_url, qr=None, derived=None, kept=None):
        self.snap = snap
        self.site_url = site_url.rstrip("/") + "/"
        self.regions = RegionTree(snap.regions)
        self.today = snap.today or periods.today()
        self.qr = qr or make_qr_svg  # url -> inline SVG (the build cache keeps them)
        self.assets = {}  # our own assets by name -> their fingerprinted paths (set by the renderer)
        self.extra = {}  # what each kind precomputes for its pages (``ContentKind.prepare``), by kind name
        self.world = digest([self.site_url, snap.regions, str(self.today), snap.site])
        self.derived = {} if derived is None else derived  # name -> {(folder, slug): (digest, world, value)}
        if self.derived.get("world") != self.world:
            self.derived.clear()
            self.derived["world"] = self.world
        self._kinds = {kind.folder: kind for kind in kinds()}
        self._order = {kind.folder: n for n, kind in enumerate(kinds())}
        self._by_slug = {}
        self._replaced = {}  # name -> {(folder, slug): the value an entry's earlier content had}
        self._index = self.derived.setdefault(INDEX, {})
        # What ``kept`` keeps between builds (in memory only): it holds entries, and is made from the lookups.
        self._kept = {} if kept is None else kept
        if "digests" not in self._index:
            self._kept.clear()
        self.in_region = RegionEntries(self, self._index.setdefault("regions", {}))
        self._themes = self._index.setdefault("themes", {})  # theme slug -> {(folder, slug): theme name}
        self._theme_names = self._index.setdefault("theme_names", {})  # theme slug -> {name: how many spell it so}
        self._sorts = self._index.setdefault("sorts", {})  # folder -> {slug: the item's sort key}
        self._feed_ranks = self._index.setdefault("feeds", {})  # (folder, slug) -> its feed item's rank
        self._update_index()
        for kind in kinds():
            kind.prepare(self)
        self._region_pages = None
        self._by_id = None
        self._stamps = {}

    def _update_index(self):
        """Bring the kept lookups by region and by theme up to this snapshot: the entries whose digest
        changed, appeared or went since the build that kept them (``Snapshot.changed_since``), not every
        entry."""
        snap, items = self.snap, {kind.folder for kind in kinds() if kind.item}
        touched = snap.changed_since(self._index.get("digests", {}))
        self.touched_folders = {folder for folder, _slug in touched}  # kinds with an entry changed, come or gone
        now = snap.digests  # (one for every entry now)
        entries = {}
        for key in sorted(touched):
            if key[0] in items:
                found = self.by_slug(key[0]).get(key[1])
                entries[key] = None if found is None else (self._kinds[key[0]], found)
        regions, sorts, ranks = self._index["regions"], self._sorts, self._feed_ranks
        # Each kind's items in order and the feed items by rank, kept as sorted lists: an edit moves its item
        # by bisection; many changes (a first build) sort them again at the end.
        orders = self._index.get("orders")
        rebuild = orders is None or len(entries) > REORDER_ABOVE
        for key, found in entries.items():
            for slug in self.before("places", key) or ():
                RegionEntries.discard(regions, slug, key)
            for _name, slug in self.before("themes", key) or ():
                held = self._themes.get(slug, {})
                if key in held:
                    name, names = held.pop(key), self._theme_names[slug]
                    names[name] -= 1
                    if not names[name]:
                        del names[name]
                    if not held:
                        del self._themes[slug], self._theme_names[slug]
            old_sort, old_rank = sorts.setdefault(key[0], {}).pop(key[1], None), ranks.pop(key, None)
            if not rebuild:
                if old_sort is not None:
                    take_out(orders[0].setdefault(key[0], []), (old_sort, key[1]))
                if old_rank is not None:
                    take_out(orders[1], (old_rank, key))
            if found is not None:
                sorts[key[0]][key[1]] = found[0].sort_key(found[1])
                if found[0].has_feed:
                    ranks[key] = feed_rank(found[0].feed_date(found[1]), self.page_url(found[0], key[1]))
                if not rebuild:
                    bisect.insort(orders[0].setdefault(key[0], []), (sorts[key[0]][key[1]], key[1]))
                    if key in ranks:
                        bisect.insort(orders[1], (ranks[key], key))
                for slug in self.placed(*found):
                    RegionEntries.add(regions, slug, key)
                for name, slug in self.themes_of(*found):
                    if key not in self._themes.setdefault(slug, {}):
                        self._themes[slug][key] = name
                        names = self._theme_names.setdefault(slug, {})
                        names[name] = names.get(name, 0) + 1
        if rebuild:
            by_kind = {folder: sorted((key, slug) for slug, key in keys.items()) for folder, keys in sorts.items()}
            self._index["orders"] = (by_kind, sorted((rank, key) for key, rank in ranks.items()))
        self._index["digests"] = now

    def kept(self, name, folder, make):
        """make(), or what it gave an earlier build while no entry of the kind ``folder`` changed, came or went
        since and the world is the same (a kind's lookups across all its entries: which list replaced which)."""
        if name not in self._kept or folder in self.touched_folders:
            self._kept[name] = make()
        return self._kept[name]

    def entry_at(self, key):
        """(kind, entry) of the item at (folder, slug)."""
        return self._kinds[key[0]], self.by_slug(key[0])[key[1]]

    def ordered(self, keys):
        """(kind, entry) of these (folder, slug) keys in the snapshot's order: kind by kind, then by slug."""
        order, kinds_, found = self._order, self._kinds, {}
        if len(keys) > MANY:  # (a province's items: one dict per kind beats a bisection per item)
            found = {folder: self.all_by_slug(folder) for folder in {key[0] for key in keys}}
        return [
            (kinds_[key[0]], found[key[0]][key[1]]) if found else self.entry_at(key)
            for key in sorted(keys, key=lambda key: (order[key[0]], key[1]))
        ]

    def all_by_slug(self, folder):
        """{slug: entry} of every entry of a kind (made once per build, when asked for)."""
        name = ("all", folder)
        if name not in self._by_slug:
            self._by_slug[name] = {e["meta"]["slug"]: e for e in self.snap.entries.get(folder, [])}
        return self._by_slug[name]

    def themes(self):
        """{theme slug: how many items hold it}."""
        return {slug: len(held) for slug, held in self._themes.items()}

    def theme_name(self, slug):
        """A theme's name as the first item holding it (in the snapshot's order) spells it."""
        names = self._theme_names[slug]
        if len(names) == 1:
            return next(iter(names))
        held, order = self._themes[slug], self._order
        return held[min(held, key=lambda key: (order[key[0]], key[1]))]

    def theme_entries(self, slug):
        """[(kind, entry)] of the items holding a theme, in the snapshot's order."""
        return self.ordered(self._themes[slug])

    def theme_newest(self, slug, limit):
        """The first ``limit`` items holding a theme in their order (newest first; the same date and slug in
        the kinds' order), picked by their kept sort keys: for a theme many items hold, by walking each kind's
        kept order from its start (a few hundred steps) instead of looking at every item holding it."""
        sorts, order, held = self._sorts, self._order, self._themes[slug]
        if len(held) <= THEME_WALK_ABOVE:
            keys = heapq.nsmallest(limit, held, key=lambda key: (sorts[key[0]][key[1]], order[key[0]]))
            return [self.entry_at(key) for key in keys]
        found = sorted(
            ((sort_key, order[folder]), (folder, item))
            for folder in self._index["orders"][0]
            for sort_key, item in self.first_in_order(folder, lambda item, folder=folder: (folder, item) in held, limit)
        )
        return [self.entry_at(key) for _sort, key in found[:limit]]

    def in_order(self, kind):
        """Slugs of a kind's items in their order (newest first), as kept between builds."""
        return [slug for _key, slug in self._index["orders"][0].get(kind.folder, [])]

    def newest_in_feeds(self, limit):
        """(kind, entry) of the ``limit`` items whose feed items are the newest (by their kept ranks)."""
        return [self.entry_at(key) for _rank, key in reversed(self._index["orders"][1][-limit:])]

    def remembered(self, name, kind, entry, make, stamp=""):
        """make() for this entry, or what it gave last time for the same content in the same world (and the same
        ``stamp``, when the value shows more: a kind's shared stamp; None is never the same)."""
        store = self.derived.setdefault(name, {})
        key = (kind.folder, entry["meta"]["slug"])
        entry_digest = self.snap.digest(kind, entry)
        found = store.get(key)
        if found is not None and found[0] == entry_digest and found[1] == (self.world, stamp) and stamp is not None:
            return found[2]
        value = make()
        if found is not None:
            self._replaced.setdefault(name, {}).setdefault(key, found[2])
        store[key] = (entry_digest, (self.world, stamp), value)
        return value

    def before(self, name, key):
        """What ``remembered`` held for (folder, slug) before this build (its earlier content's), or None."""
        replaced = self._replaced.get(name, {})
        if key in replaced:
            return replaced[key]
        found = self.derived.get(name, {}).get(key)
        return None if found is None else found[2]

    def forget(self, keys):
        """Entries that went: what was worked out for them is not needed any more."""
        for name, store in self.derived.items():
            if name not in ("world", INDEX):
                for key in keys:
                    store.pop(key, None)

    def placed(self, kind, entry):
        """The regions an item is listed in (its places and everything above them), in slug order."""

        def make():
            places = kind.places(entry["meta"])
            return tuple(sorted({s for place in places for s in self.regions.ancestry(place)}))

        return self.remembered("places", kind, entry, make)

    def themes_of(self, kind, entry):
        """(name, slug) of the item's themes."""
        return self.remembered(
            "themes", kind, entry, lambda: tuple((name, theme_slug(name)) for name in kind.themes(entry["meta"]))
        )

    @property
    def item_sort_keys(self):
        """{folder: {slug: sort key}} of every item (kept between builds; read only)."""
        return self._sorts

    def sort_key(self, kind, entry):
        if kind.item:  # kept for every item with the lookups by region
            return self._sorts[kind.folder][entry["meta"]["slug"]]
        return self.remembered("sort", kind, entry, lambda: kind.sort_key(entry))

    def feed_entry(self, kind, entry):
        """The entry's feed item (what it says of other entries is part of the kind's shared stamp)."""
        return self.remembered("feed", kind, entry, lambda: kind.feed_entries(self, [entry]), self.shared_stamp(kind))

    def shared_stamp(self, kind):
        """What the kind's pages show of other entries, as a stamp (None: it cannot say; worked out anew)."""
        if kind.name not in self._stamps:
            self._stamps[kind.name] = kind.shared_stamp(self)
        return self._stamps[kind.name]

    def shared_state(self):
        """(world, {kind name: shared stamp}): everything an entry's outputs show beyond the entry itself."""
        return (self.world, {kind.name: self.shared_stamp(kind) for kind in kinds()})

    @staticmethod
    def unchanged_kinds(before, now):
        """Names of the kinds whose entries' outputs show nothing new since ``before`` (a ``shared_state`` a
        stage kept, or None): their unchanged entries can be passed over."""
        if before is None or before[0] != now[0]:
            return set()
        return {name for name, stamp in now[1].items() if stamp is not None and before[1].get(name) == stamp}

    def newest(self, kind, entries, limit):
        """The first ``limit`` of entries in the kind's order (newest first)."""
        if not kind.item:
            return first(entries, limit, lambda e: self.sort_key(kind, e))
        sorts = self._sorts.get(kind.folder, {})
        if entries is self.entries(kind) and limit is not None:  # all of them: the first of the kept order
            by_slug = self.by_slug(kind.folder)
            return [by_slug[slug] for _key, slug in self._index["orders"][0].get(kind.folder, [])[:limit]]
        return first(entries, limit, lambda e: sorts[e["meta"]["slug"]])

    def first_in_order(self, folder, wanted, limit):
        """(sort key, slug) of the first ``limit`` of a kind's items for which wanted(slug) holds, walking the
        kept order (newest first) from its start: a few steps when most items are wanted."""
        out = []
        for key, slug in self._index["orders"][0].get(folder, []):
            if wanted(slug):
                out.append((key, slug))
                if len(out) == limit:
                    break
        return out

    def newest_among(self, kind, slugs, limit):
        """The first ``limit`` of a kind's items whose slugs are in ``slugs``, newest first (a province's items:
        by walking the kept order; a few are put in order themselves)."""
        by_slug = self.by_slug(kind.folder)
        if len(slugs) <= limit * 4:
            sorts = self._sorts.get(kind.folder, {})
            return [by_slug[slug] for slug in sorted(slugs, key=lambda slug: sorts[slug])[:limit]]
        return [by_slug[slug] for _key, slug in self.first_in_order(kind.folder, slugs.__contains__, limit)]

    def newest_where(self, kind, wanted, limit):
        """The first ``limit`` of a kind's items (newest first) for which wanted(entry) holds, walking the kept
        order from its start (not every item, when most are wanted)."""
        by_slug = self.by_slug(kind.folder)
        return [by_slug[slug] for _key, slug in self.first_in_order(kind.folder, lambda s: wanted(by_slug[s]), limit)]

    def by_slug(self, folder):
        """A kind's entries by slug (a mapping: ``in``, ``[]``, ``get``): found by bisection in the export's
        snapshot, else from a dict made once per build, when asked for."""
        if not self.snap.in_slug_order:
            return self.all_by_slug(folder)
        if folder not in self._by_slug:
            self._by_slug[folder] = BySlug(self.snap, folder)
        return self._by_slug[folder]

    def page_by_id(self, uuid):
        """(kind folder, slug) of the public item with this permanent id, or None (a rich text link)."""
        uuid = str(uuid).removeprefix(richtext.PAGE_PREFIX)
        if self._by_id is None:
            self._by_id = {}
            for kind in kinds():
                for entry in self.snap.entries.get(kind.folder, []):
                    if entry["meta"].get("id"):
                        self._by_id[str(entry["meta"]["id"])] = (kind.folder, entry["meta"]["slug"])
        return self._by_id.get(str(uuid))

    def links_key(self, entry):
        """Where an entry's links to other pages lead now (part of its page's render key): a linked page
        renamed or taken down re-renders the pages linking to it."""
        found = []
        for block in entry.get("blocks", ()):
            if block["type"] == "paragraph" and "](id:" in block["value"]:
                found += [(ref, self.page_by_id(ref)) for kind, ref in richtext.links(block["value"]) if kind == "page"]
        return tuple(found)

    def entries(self, kind):
        return self.snap.entries.get(kind.folder, [])

    def region_name(self, slug):
        return self.regions.name(slug)

    def region_trail(self, slug, prefix="../"):
        return " › ".join(
            f"[{inline(self.region_name(s))}]({prefix}regions/{page_slug(s)}.md)" for s in self.regions.ancestry(slug)
        )

    def page_url(self, kind, slug):
        """The absolute public URL of an item page."""
        return f"{self.site_url}{kind.folder}/{page_slug(slug)}/"

    def has_page(self, slug):
        """Whether a region gets a page: it holds items (itself or below), or a kind needs it (a community
        that lists issued above it apply to), or it lies above such a one."""
        if self._region_pages is None:
            pages = set(self.in_region)
            for kind in kinds():
                for place in kind.region_pages(self):
                    pages.update(self.regions.ancestry(place))
            self._region_pages = pages
        return slug in self._region_pages
