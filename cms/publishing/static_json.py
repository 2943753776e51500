"""The read API's content as static JSON files in the built site, for consumers without a server.

    /api/items.json                 how many items, the newest 50 (summaries) and the months with theirs
    /api/items/<YYYY-MM>.json       the items of one month (summaries), newest first ("undated": no date)
    /api/<folder>/index.json        one kind's: count, newest and months; or a kind's sets (collections)
    /api/<folder>/months/<YYYY-MM>.json   one kind's items of one month
    /api/<folder>/<slug>.json       one item or set, every field (the same as the API's detail)
    /api/regions/index.json         every region with its count
    /api/regions/<slug>.json        one region, the newest items in it and below it, and the months
    /api/regions/<slug>/<YYYY-MM>.json    the items in and below a region of one month

Listings come in month pages so that an edit rewrites one month's page of each listing holding the item
(and the heads), however large the site: the site's whole list would be tens of MB at 100,000 items.

Described by schemas/content.schema.json.
"""

import bisect
import json
import re
from pathlib import Path

from cms.core.kinds import kind as kind_named
from cms.core.kinds import kinds

from .content_json import ContentJson, item_date, to_json
from .files import check_relative, remove, write_if_changed
from .kind import ContentKind
from .problems import failure_reason
from .snapshot import Snapshot, digest

API_DIR = "api"


def compact(data):
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def dumps(data):
    return compact(data) + "\n"


def listing(head, fragments):
    """dumps({**head, "items": [...]}) from the items' JSON texts (made once per item, joined per file)."""
    text = compact(head)
    return text[:-1] + ("," if head else "") + '"items":[' + ",".join(fragments) + "]}\n"


LATEST = 50  # items a listing's head file shows; the rest are in its month pages
EMPTY = ""  # a month page with no item any more: removed
UNDATED = "undated"


MONTH = re.compile(r"\d{4}-\d{2}")


def month_of(found):
    """The month page an item is listed on (from its memo entry: key, (text, (date, slug), regions))."""
    return month_of_date(found[1][1][0])


def month_of_date(date):
    month = date[:7]
    return month if MONTH.fullmatch(month) else UNDATED


class Listings:
    """Every listing's items in order — all items, each kind's, each region's (itself and below) — kept
    between builds with the digests they were made from, and brought up to date by the items that changed.

    A listing is a list of ((date, slug), -kind order, ident) in ascending order: newest first is read from
    its end. An item's month is a prefix of its date, so a month's items are one run of the list, found by
    bisection (those without a date anywhere in it: few, and looked at one by one)."""

    def __init__(self, digests, lists):
        self.digests = digests  # (folder, slug) -> the digest each item had when the lists were made
        self.lists = lists  # listing name -> [((date, slug), -order, ident)], ascending

    @staticmethod
    def names(ident, found, kind_folder):
        """The listings an item is on: all items, its kind's, its places' (from its summary memo)."""
        return ("items", kind_folder[ident[0]], *(f"regions/{slug}" for slug in found[1][2]))

    @classmethod
    def made(cls, digests, texts, order, kind_folder):
        lists = {}
        for ident, found in texts.items():
            element = (found[1][1], -order.get(ident[0], 0), ident)
            for name in cls.names(ident, found, kind_folder):
                lists.setdefault(name, []).append(element)
        for items in lists.values():
            items.sort()
        return cls(digests, lists)

    def move(self, ident, before, after, order, kind_folder):
        """Take an item's old place (``before``: its old memo entry) out of its listings, put its new one in."""
        rank = -order.get(ident[0], 0)
        for found, add in ((before, False), (after, True)):
            if found is None:
                continue
            element = (found[1][1], rank, ident)
            for name in self.names(ident, found, kind_folder):
                items = self.lists.setdefault(name, [])
                at = bisect.bisect_left(items, element)
                if add:
                    items.insert(at, element)
                elif at < len(items) and items[at] == element:
                    del items[at]
                    if not items:
                        del self.lists[name]

    def count(self, name):
        return len(self.lists.get(name, ()))

    def months(self, name):
        """{month: its items in the listing} newest month first, those without a date last: a month's items
        as the (start, end) of its run, those without a date as a list of idents (newest first)."""
        items = self.lists.get(name, [])
        runs, undated, end = {}, [], len(items)
        while end > 0:
            month = month_of_date(items[end - 1][0][0])
            if month == UNDATED:
                undated.append(items[end - 1][2])
                end -= 1
                continue
            start = bisect.bisect_left(items, ((month,),), 0, end)
            runs[month] = (start, end)
            end = start
        if undated:
            runs[UNDATED] = undated
        return runs

    def idents(self, name, run):
        """The idents of one of ``months``' runs, newest first."""
        if isinstance(run, list):
            return run
        return [element[2] for element in reversed(self.lists[name][run[0] : run[1]])]

    def newest(self, name, limit):
        items = self.lists.get(name, [])
        return [element[2] for element in items[: -limit - 1 : -1]]


def paged_listing(name, head, listings, found, months):
    """A listing's head file and month pages: ``<name>.json`` (or ``<folder>/index.json``) holds the count,
    the newest items and the months with their counts and addresses; ``<pages>/<YYYY-MM>.json`` each month's
    items, newest first. ``months``: the month pages to write (None: all). Returns {rel: text}."""
    by_month = listings.months(name)
    if name == "items":
        head_rel, pages = "items.json", "items"
    elif name.startswith("regions/"):
        head_rel, pages = f"{name}.json", name
    else:
        head_rel, pages = f"{name}/index.json", f"{name}/months"
    counts = {m: len(run) if isinstance(run, list) else run[1] - run[0] for m, run in by_month.items()}
    month_refs = [{"month": m, "count": counts[m], "url": f"/{API_DIR}/{pages}/{m}.json"} for m in by_month]
    if "count" not in head and "item_count" not in head:
        head = {"count": listings.count(name)}
    newest = [found[i][1][0] for i in listings.newest(name, LATEST)]
    out = {head_rel: listing({**head, "months": month_refs}, newest)}
    for month in by_month.keys() if months is None else months:
        listed = listings.idents(name, by_month[month]) if month in by_month else []
        rel = f"{pages}/{month}.json"
        out[rel] = listing({"count": len(listed)}, [found[i][1][0] for i in listed]) if listed else EMPTY
    return out


class Summaries:
    """Item summaries by (kind name, slug), read from the memo of every item's JSON (``.get`` only)."""

    def __init__(self, memo):
        self.memo = memo
        self.folders = {kind.name: kind.folder for kind in kinds()}

    def get(self, ident, default=None):
        found = self.memo.get((self.folders.get(ident[0]), ident[1]))
        return default if found is None else found[3]


def write_static_json(snap, docs_dir, cache):
    """Write the JSON files under docs_dir/api (MkDocs copies them into the site); returns files changed.

    An edit looks only at the items whose digest changed: it rewrites their files and the listings that
    hold them (all items, its kind, the regions above it), whose order is kept between builds; every other
    file is left alone. Listings are joined from each item's summary text."""
    root = Path(docs_dir) / API_DIR
    memo = cache.memo("json", root)  # rel -> (key, None): what each file on disk was made from
    items_memo = cache.memo("json-items", root).found
    texts = cache.memo("json-summaries", root)  # (kind, slug) -> (key, (summary text, sort key, region slugs))
    everything = texts.stamp != digest(snap.regions) or not memo.found
    kept = None if everything else cache.stages.get(("json", str(root)))
    if kept is None:
        content, gone = ContentJson(snap, items_memo, keep_items=False), None
    else:  # only what changed: a snapshot of those items
        found, gone = snap.present(snap.changed_since(kept.digests))
        part = Snapshot(snap.regions, snap.site, digests=snap.digests, today=snap.today, in_slug_order=True)
        for kind, entry in found:
            if kind.item:
                part.entries.setdefault(kind.folder, []).append(entry)
        content = ContentJson(part, items_memo, keep_items=False, partial=True)
    files, unchanged, touched_kinds, touched_regions, touched_months = {}, set(), set(), set(), set()
    moved, changed = False, 0
    held = {f"{folder}/{slug}.json" for folder, slug in snap.held}  # items whose files stay as they were
    failed = set()  # (folder, slug) of items whose JSON could not be made: looked at again next time
    folders = {kind.name: kind.folder for kind in kinds()}
    earlier = {}  # ident -> its summary memo entry before this build (None: new)
    for ident in content.idents:
        rel = f"{folders[ident[0]]}/{ident[1]}.json"
        found = memo.found.get(rel)
        if found is not None and found[0] == content.keys[ident]:
            if everything:  # (an edit does not list the files it passes over)
                files[rel] = None
                unchanged.add(rel)
            continue
        kind, key = kind_named(ident[0]), content.keys[ident]
        try:
            item = content.item(ident)  # made now and written, not held (a full build would hold every item's)
            check_relative(rel)
            text = dumps(item)
            text.encode("utf-8")
        except Exception as exc:  # one item must not stop the others
            held.add(rel)
            failed.add((folders[ident[0]], ident[1]))
            title = str(content.entry(ident)["meta"].get("title", ""))[:60]
            snap.problems.append({"item": f"{kind.label}“{title}”", "reason": failure_reason(exc)})
            continue
        changed += write_if_changed(root, rel, text)
        files[rel] = None
        memo.found[rel] = (key, None)
        before = earlier[ident] = texts.found.get(ident)
        regions = tuple(node["slug"] for node in item["region_path"])
        texts.found[ident] = (key, (compact(content.summaries[ident]), (item_date(item), item["slug"]), regions))
        touched_kinds.add(item["kind"])
        touched_regions.update(regions + (before[1][2] if before else ()))
        moved = moved or before is None or before[1][2] != regions  # the regions' counts change
        touched_months.update(month_of(found) for found in (before, texts.found[ident]) if found)
    if gone is None:
        removed = sorted(texts.found.keys() - set(content.idents))
    else:
        names = {kind.folder: kind.name for kind in kinds() if kind.item}
        removed = sorted((names.get(folder), slug) for folder, slug in gone)
        removed = [ident for ident in removed if ident in texts.found]
    for ident in removed:
        touched_kinds.add(ident[0])
        touched_months.add(month_of(texts.found[ident]))
        earlier[ident] = texts.found.pop(ident)
        touched_regions.update(earlier[ident][1][2])
        items_memo.pop((folders[ident[0]], ident[1]), None)
    content.complete()  # summaries of items whose files stayed but whose JSON was not remembered
    for ident in [i for i in content.idents if i not in texts.found]:  # a file written by an earlier version
        moved = True
        item = content.item(ident)
        regions = tuple(node["slug"] for node in item["region_path"])
        texts.found[ident] = (None, (compact(content.summaries[ident]), (item_date(item), ident[1]), regions))
        earlier.setdefault(ident, None)
    texts.stamp = digest(snap.regions)
    # Newest first; items of the same date and slug in the order of their kinds.
    order = {kind.name: n for n, kind in enumerate(kinds())}
    if kept is None:
        kept = Listings.made({}, texts.found, order, folders)
    else:
        for ident, before in earlier.items():
            kept.move(ident, before, texts.found.get(ident), order, folders)
    # Listings (all items, a kind's, a region's) come in pages by month: an edit rewrites its month's page and
    # the listing's head (the newest and the months), never every item of the site.
    summaries = content.summaries if gone is None else Summaries(items_memo)
    listings = {"items": touched_months if everything or touched_kinds else set()}
    for kind in kinds():
        if kind.item and type(kind).index_json is ContentKind.index_json:  # {count, items}: joined from texts
            fresh = everything or not (root / kind.folder / "index.json").exists()
            listings[kind.folder] = None if fresh else touched_months if kind.name in touched_kinds else set()
        elif kind.item:
            newest = kept.newest(kind.folder, kept.count(kind.folder))
            files[f"{kind.folder}/index.json"] = dumps(kind.index_json([summaries.get(i) for i in newest]))
        else:
            sets = {e["meta"]["slug"]: to_json(kind.json(e, content.regions, summaries)) for e in snap.of(kind)}
            files[f"{kind.folder}/index.json"] = dumps(kind.index_json(list(sets.values())))
            for slug, found in sets.items():
                files[f"{kind.folder}/{slug}.json"] = dumps(found)

    def region(slug):  # (how many items it holds: its listing's length)
        return content.region(slug, count=kept.count(f"regions/{slug}"))

    if everything or moved or removed or not (root / "regions" / "index.json").exists():
        files["regions/index.json"] = dumps([region(slug) for slug in content.regions.nodes])
    wanted = content.regions.nodes if everything else touched_regions & content.regions.nodes.keys()
    for slug in wanted:
        listings[f"regions/{slug}"] = None if everything else touched_months
    if everything:
        listings["items"] = None
    for name, months in listings.items():
        if months is None or months:
            head = region(name.split("/", 1)[1]) if name.startswith("regions/") else {}
            files.update(paged_listing(name, head, kept, texts.found, months))
    for rel, text in files.items():
        if text is None or text is EMPTY or rel in unchanged:
            continue
        changed += write_if_changed(root, rel, text)
    if everything and root.exists():
        for path in root.rglob("*.json"):
            rel = path.relative_to(root).as_posix()
            if (rel not in files or files[rel] is EMPTY) and rel not in held:
                remove(path)
                changed += 1
    else:
        gone = [f"{kind_named(k).folder}/{slug}.json" for k, slug in removed]
        gone += [f"regions/{slug}.json" for slug in touched_regions if slug not in content.regions.nodes]
        gone += [rel for rel, text in files.items() if text is EMPTY]  # a month page no item is on any more
        gone += [  # the month pages of a region that went
            path.relative_to(root).as_posix()
            for slug in touched_regions - content.regions.nodes.keys()
            for path in (root / "regions" / slug).glob("*.json")
        ]
        for rel in gone:
            memo.found.pop(rel, None)
            if rel not in held and (root / rel).exists():
                remove(root / rel)
                changed += 1
    if everything:
        memo.keep_only(files)
    kept.digests = snap.digests if not failed else {k: v for k, v in snap.digests.items() if k not in failed}
    cache.stages[("json", str(root))] = kept
    return changed
