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

import json
import re
from pathlib import Path

from cms.core.kinds import kind as kind_named
from cms.core.kinds import kinds

from .content_json import ContentJson, item_date
from .files import check_relative, remove, write_if_changed
from .kind import ContentKind
from .problems import failure_reason
from .snapshot import digest

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
    month = found[1][1][0][:7]
    return month if MONTH.fullmatch(month) else UNDATED


def paged_listing(name, head, idents, found, months):
    """A listing's head file and month pages: ``<name>.json`` (or ``<folder>/index.json``) holds the count,
    the newest items and the months with their counts and addresses; ``<pages>/<YYYY-MM>.json`` each month's
    items, newest first. ``months``: the month pages to write (None: all). Returns {rel: text}."""
    by_month = {}
    for ident in idents:
        by_month.setdefault(month_of(found[ident]), []).append(ident)
    if name == "items":
        head_rel, pages = "items.json", "items"
    elif name.startswith("regions/"):
        head_rel, pages = f"{name}.json", name
    else:
        head_rel, pages = f"{name}/index.json", f"{name}/months"
    ordered = sorted(by_month, key=lambda m: (m != UNDATED, m), reverse=True)
    month_refs = [{"month": m, "count": len(by_month[m]), "url": f"/{API_DIR}/{pages}/{m}.json"} for m in ordered]
    if "count" not in head and "item_count" not in head:
        head = {"count": len(idents)}
    out = {head_rel: listing({**head, "months": month_refs}, [found[i][1][0] for i in idents[:LATEST]])}
    for month in by_month.keys() if months is None else months:
        listed = by_month.get(month, [])
        rel = f"{pages}/{month}.json"
        out[rel] = listing({"count": len(listed)}, [found[i][1][0] for i in listed]) if listed else EMPTY
    return out


def write_static_json(snap, docs_dir, cache):
    """Write the JSON files under docs_dir/api (MkDocs copies them into the site); returns files changed.

    An edit rewrites its item's file and the listings that hold it (all items, its kind, the regions above
    it); every other file is passed over with a lookup. Listings are joined from each item's summary text."""
    root = Path(docs_dir) / API_DIR
    memo = cache.memo("json", root)  # rel -> (key, None): what each file on disk was made from
    content = ContentJson(snap, cache.memo("json-items", root).found, keep_items=False)
    texts = cache.memo("json-summaries", root)  # (kind, slug) -> (key, (summary text, sort key, region slugs))
    everything = texts.stamp != digest(snap.regions) or not memo.found
    files, unchanged, touched_kinds, touched_regions, touched_months = {}, set(), set(), set(), set()
    moved = False
    held = {f"{folder}/{slug}.json" for folder, slug in snap.held}  # items whose files stay as they were
    seen, folders = set(content.idents), {kind.name: kind.folder for kind in kinds()}
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
            item = content.item(ident)  # made now, not held: written below, then let go
            check_relative(rel)
            files[rel] = dumps(item)
            files[rel].encode("utf-8")
        except Exception as exc:  # one item must not stop the others
            files.pop(rel, None)
            held.add(rel)
            title = str(content.entry(ident)["meta"].get("title", ""))[:60]
            snap.problems.append({"item": f"{kind.label}“{title}”", "reason": failure_reason(exc)})
            continue
        memo.found[rel] = (key, None)
        before = texts.found.get(ident)
        regions = tuple(node["slug"] for node in item["region_path"])
        texts.found[ident] = (key, (compact(content.summaries[ident]), (item_date(item), item["slug"]), regions))
        touched_kinds.add(item["kind"])
        touched_regions.update(regions + (before[1][2] if before else ()))
        moved = moved or before is None or before[1][2] != regions  # the regions' counts change
        touched_months.update(month_of(found) for found in (before, texts.found[ident]) if found)
    removed = sorted(texts.found.keys() - seen)
    for ident in removed:
        touched_kinds.add(ident[0])
        touched_months.add(month_of(texts.found[ident]))
        touched_regions.update(texts.found.pop(ident)[1][2])
    content.complete()  # summaries of items whose files stayed but whose JSON was not remembered
    for ident in seen - texts.found.keys():  # a file written by an earlier version: its text is made now
        moved = True
        item = content.find(kind_named(ident[0]).folder, ident[1])
        regions = tuple(node["slug"] for node in item["region_path"])
        texts.found[ident] = (None, (compact(content.summaries[ident]), (item_date(item), ident[1]), regions))
    texts.stamp = digest(snap.regions)
    # Newest first; items of the same date and slug in the order of their kinds.
    order = {kind.name: n for n, kind in enumerate(kinds())}
    newest = sorted(texts.found, key=lambda i: (*texts.found[i][1][1], -order.get(i[0], 0)), reverse=True)
    # Listings (all items, a kind's, a region's) come in pages by month: an edit rewrites its month's page and
    # the listing's head (the newest and the months), never every item of the site.
    listings = {"items": touched_months if everything or touched_kinds else set()}
    for kind in kinds():
        if kind.item and type(kind).index_json is ContentKind.index_json:  # {count, items}: joined from texts
            fresh = everything or not (root / kind.folder / "index.json").exists()
            listings[kind.folder] = None if fresh else touched_months if kind.name in touched_kinds else set()
        elif kind.item:
            summaries = [content.summaries[i] for i in newest if i[0] == kind.name]
            files[f"{kind.folder}/index.json"] = dumps(kind.index_json(summaries))
        else:
            sets = content.sets[kind.folder]
            files[f"{kind.folder}/index.json"] = dumps(kind.index_json(list(sets.values())))
            for slug, found in sets.items():
                files[f"{kind.folder}/{slug}.json"] = dumps(found)
    if everything or moved or removed or not (root / "regions" / "index.json").exists():
        files["regions/index.json"] = dumps([content.region(slug) for slug in content.regions.nodes])
    wanted = content.regions.nodes if everything else touched_regions & content.regions.nodes.keys()
    for slug in wanted:
        listings[f"regions/{slug}"] = None if everything else touched_months
    if everything:
        listings["items"] = None
    members = {name: [] for name, months in listings.items() if months is None or months}
    kind_folder = {kind.name: kind.folder for kind in kinds()}
    for ident in newest:
        summary = texts.found[ident][1]
        for name in ("items", kind_folder[ident[0]], *(f"regions/{slug}" for slug in summary[2])):
            if name in members:
                members[name].append(ident)
    for name, idents in members.items():
        head = content.region(name.split("/", 1)[1]) if name.startswith("regions/") else {}
        files.update(paged_listing(name, head, idents, texts.found, listings[name]))
    changed = 0
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
    return changed
