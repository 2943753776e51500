"""What every page of a build may look up: places, where each item is listed, links, QR codes."""

from cms.core import periods, richtext
from cms.core.kinds import kinds

from .escape import inline
from .markdown import make_qr_svg, page_slug
from .regions import RegionTree


class SiteContext:
    """Lookups shared by every page rendered from one snapshot."""

    def __init__(self, snap, site_url, qr=None):
        self.snap = snap
        self.site_url = site_url.rstrip("/") + "/"
        self.regions = RegionTree(snap.regions)
        self.today = snap.today or periods.today()
        self.qr = qr or make_qr_svg  # url -> inline SVG (the build cache keeps them)
        self.assets = {}  # our own assets by name -> their fingerprinted paths (set by the renderer)
        self.extra = {}  # what each kind precomputes for its pages (``ContentKind.prepare``), by kind name
        self.in_region = {}  # region slug -> [(kind, entry)] of the items in it or below it
        for kind in kinds():
            if not kind.item:
                continue
            for entry in snap.entries.get(kind.folder, []):
                places = kind.places(entry["meta"])
                for slug in sorted({s for place in places for s in self.regions.ancestry(place)}):
                    self.in_region.setdefault(slug, []).append((kind, entry))
        for kind in kinds():
            kind.prepare(self)
        self._region_pages = None
        self._by_id = None

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
