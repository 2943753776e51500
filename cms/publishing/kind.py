"""What every stage of the pipeline asks of a kind of content; each content app subclasses ``ContentKind``.

A kind declares, once and in its own app (``<app>/kinds.py``): its name and folder, its page and section
models, how a page becomes a portable entry (``serialize``) and back (``apply``), its Markdown page, its
lines in listings, its search text, its JSON and its schema. The stages (export, portable files, loader,
render, search, JSON, preview) loop over ``cms.core.kinds.kinds()`` and call these.

Entries are the portable dicts of the content format: ``{"meta": {...}, "blocks": [...]}`` for kinds with
a StreamField body, ``{"meta": {...}, "text": "..."}`` for kinds whose body is plain text.
"""

import datetime

from cms.core import periods
from cms.core.personal_data import KEPT_KEY

from .markdown import link, page_slug


class ContentKind:
    """One kind of content. Subclasses set the attributes and implement serialize, apply and render."""

    name = ""  # the code in files, JSON, filters and the API: "case"
    folder = ""  # content/<folder>/, /<folder>/<slug>/, api/<folder>/: "cases"
    label = ""  # what readers call it: "经验案例"
    model = None  # its page model
    index_model = None  # the section page its pages live under
    order = 100  # sections, loading and listings follow it (a kind naming others loads after them)
    body = "blocks"  # "blocks": a StreamField "body"; "text": a plain "intro"
    region_key = "region"  # the meta key naming its place; None when it has none (then it is not an item)
    references = ()  # names of kinds whose slugs its entries name (a slug change there re-exports it)
    always_fresh = False  # re-exported every build (its entries show others' data that may change)
    select = ()  # select_related / prefetch_related for the export
    prefetch = ()
    schema = None  # its item's definition name in schemas/content.schema.json
    admin_icon = "doc-full"  # its listing in the admin menu (items only)
    admin_date_field = None  # a date field the listing filters by, and its label
    admin_date_label = ""
    home_limit = 10  # how many of the newest it shows on the home page (0: none)
    period = False  # has a display period (公示期, meta "display_period"): pages show whether it runs
    shows_below = False  # its items show on the page of every region below their place (a community's lists)
    qr_code = False  # its pages print a QR code of their address (made for all at once in a full build)

    @property
    def item(self):
        """Items have a place: they are on region pages, in the items API and filterable by place."""
        return self.region_key is not None

    @property
    def admin_region_field(self):
        """The page field its place is in: the model's ``place_field`` (who may edit it follows it too)."""
        return getattr(self.model, "place_field", None)

    @property
    def region_heading(self):
        return self.label

    region_order = 100  # where its section stands on a region page

    def admin_filters(self):
        """Extra filters of its admin listing ({name: django_filters filter})."""
        return {}

    # --- export: a published page -> a portable entry ------------------------------------------------

    def serialize(self, page, images):
        raise NotImplementedError

    def finish(self, snap):
        """After the whole export: drop what entries say of pages that are not public."""

    # --- loader: a portable entry -> the page --------------------------------------------------------

    def apply(self, loader, page, entry, path):
        raise NotImplementedError

    def after_load(self, loader, entry):
        """After every page of the folder exists (links between pages)."""

    # --- places and dates ----------------------------------------------------------------------------

    def place(self, meta):
        return meta.get(self.region_key) if self.region_key else None

    def places(self, meta):
        """Every region the item belongs to (its own place; a case also names communities)."""
        place = self.place(meta)
        return {place} if place else set()

    def date(self, meta):
        """The date readers order it by (newest first), or None."""
        return None

    def themes(self, meta):
        return []

    def period_label(self, site, entry):
        """公示中 / 公示已结束 / 即将公示 on the build's day, or "" (part of every memo key of its pages)."""
        return periods.label(entry["meta"].get("display_period"), site.today) if self.period else ""

    # --- Markdown ------------------------------------------------------------------------------------

    def prepare(self, site):
        """Precompute what pages need across the kind's entries (stored in ``site.extra[self.name]``)."""

    def render(self, site, entry):
        raise NotImplementedError

    def shared_stamp(self, site):
        """A stamp of what its pages and lines show of its other entries (a list: which replaced which), so a
        build can tell that an unchanged entry's page is unchanged; None when it cannot tell (worked out anew)."""
        return ""

    def context(self, site, entry):
        """What the item's page shows of anything else (its memo is reused while this and the entry hold)."""
        meta = entry["meta"]
        names = [site.region_name(s) for s in site.regions.ancestry(self.place(meta))]
        return (site.site_url, tuple(names))

    def link(self, entry, prefix="../"):
        return link(entry["meta"]["title"], f"{prefix}{self.folder}/{page_slug(entry['meta']['slug'])}.md")

    def line(self, site, entry, prefix="../"):
        """Its line in listings (section, region and theme pages, home)."""
        date = self.date(entry["meta"])
        return f"- {self.link(entry, prefix)}" + (f" — {date}" if date else "")

    def sort_key(self, entry):
        """Newest first, then by slug."""
        date = self.date(entry["meta"])
        return (-(date.toordinal() if isinstance(date, datetime.date) else 0), entry["meta"]["slug"])

    def region_entries(self, site, entries):
        """Its items on a region page, in the order shown (newest first)."""
        return site.newest(self, entries, None)

    def region_top(self, site, slugs, limit):
        """The first ``limit`` of its items whose slugs are in ``slugs``, in the order ``region_entries`` gives
        (for a region with many items: a province's are not all put in order). Newest first (the default
        order): by walking the kept order; a kind with its own order sorts those items."""
        if type(self).region_entries is ContentKind.region_entries:
            return site.newest_among(self, slugs, limit)
        return self.region_entries(site, [e for _kind, e in site.ordered([(self.folder, s) for s in slugs])])[:limit]

    def region_context(self, site, slug):
        """What a region page shows because of this kind beyond its items' content (for its memo)."""
        return ()

    def region_section(self, site, slug):
        """Lines a region page shows before the items (the community's lists at a glance)."""
        return []

    def region_pages(self, site):
        """Regions that need a page because of this kind, beyond those holding its items."""
        return set()

    def home_section(self, site, entries):
        """Lines on the home page (the newest few), or []."""
        return []

    def feed_entries(self, site, entries):
        """Feed items ({date, category, title, url, summary}) of this kind, or []: one per entry, dated
        ``feed_date``, when the kind has a feed."""
        return []

    def feed_date(self, entry):
        """The date of the entry's feed item (the feeds list the newest): its date by default."""
        return self.date(entry["meta"])

    @property
    def has_feed(self):
        return type(self).feed_entries is not ContentKind.feed_entries

    # --- search: one text extractor, for the site's index and the API's q= -------------------------------

    def search_text(self, site, entry):
        """(parts, rows, tail): the text a resident searches for, in reading order — what comes before the
        rows, the rows as (row id, text) a hit can point at, what comes after. ``site`` is the build's
        SiteContext (regions, other entries)."""
        meta = entry["meta"]
        parts = [meta.get("title", "")]
        parts += [site.region_name(s) for s in sorted(self.places(meta))]
        return parts, [], []

    def search_names(self, entry):
        """Names of things in the item a resident may type (in pinyin too): practices, rows, themes."""
        return []

    def search_flag(self, site, entry):
        """A word the result carries and ranks by (a replaced list: 已被替代), or ""."""
        return ""

    # --- JSON (static files and the API) ----------------------------------------------------------------

    def json(self, entry, regions, summaries=None):
        """The item as the API and the static JSON give it: its portable fields plus where it is.

        ``summaries`` (a mapping: ``.get``) gives the summary of any item by (kind name, slug), for kinds that
        show others."""
        meta = entry["meta"]
        data = {
            "kind": self.name,
            "kind_label": self.label,
            "url": f"/{self.folder}/{meta['slug']}/",
            "region_path": regions.path(self.place(meta)) if self.item else [],
            **{key: value for key, value in meta.items() if key != KEPT_KEY},
            **self.json_extra(entry),
        }
        if data.get("annexes"):  # where a resident downloads each (the file's own name is the system's)
            data["annexes"] = [{**annex, "url": "/" + annex["file"]} for annex in data["annexes"]]
        if self.body == "text":
            data["intro"] = entry.get("text", "")
        else:
            data["body"] = entry.get("blocks", [])
        return data

    def index_json(self, jsons):
        """Its ``api/<folder>/index.json``: the summaries, newest first."""
        return {"count": len(jsons), "items": jsons}

    def json_extra(self, entry):
        """Fields the JSON adds to the portable ones (labels of codes)."""
        return {}

    # --- preview -------------------------------------------------------------------------------------------

    def preview_entries(self, page, entry):
        """Entries of other kinds the preview of ``page`` needs ({folder: [entries]})."""
        return {}

    def preview(self, page):
        from .preview import preview_response

        return preview_response(self, page)
