"""What every page of a build may look up: places, where each item is listed, links, QR codes."""

import heapq

from cms.core import periods, richtext
from cms.core.kinds import kinds

from .escape import inline
from .markdown import make_qr_svg, page_slug, theme_slug
from .regions import RegionTree
from .snapshot import digest


def first(items, limit, key):
    """sorted(items, key=key)[:limit] without sorting them all (keys are unique: they end with a slug)."""
    if limit is None or len(items) <= limit:
        return sorted(items, key=key)
    return heapq.nsmallest(limit, items, key=key)


class SiteContext:
    """Lookups shared by every page rendered from one snapshot.

    ``derived`` (kept by the build cache between builds) holds what is worked out per entry — its places, its
    themes, its sort key — by entry: reused while the entry's digest and the world (``self.world``: the site's
    address, regions, day and settings) are the same, so walking 100,000 entries costs dictionary lookups.
    """

    def __init__(self, snap, site_url, qr=None, derived=None):
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
        self._replaced = {}  # name -> {(folder, slug): the value an entry's earlier content had}
        self.in_region = {}  # region slug -> [(kind, entry)] of the items in it or below it
        for kind in kinds():
            if not kind.item:
                continue
            for entry in snap.entries.get(kind.folder, []):
                for slug in self.placed(kind, entry):
                    self.in_region.setdefault(slug, []).append((kind, entry))
        for kind in kinds():
            kind.prepare(self)
        self._region_pages = None
        self._by_id = None
        self._by_slug = {}
        self._stamps = {}

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
            if name != "world":
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

    def sort_key(self, kind, entry):
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
        return first(entries, limit, lambda e: self.sort_key(kind, e))

    def by_slug(self, folder):
        """{slug: entry} of a kind's entries (made once per build, when asked for)."""
        if folder not in self._by_slug:
            self._by_slug[folder] = {e["meta"]["slug"]: e for e in self.snap.entries.get(folder, [])}
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
