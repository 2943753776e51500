"""The read API's content as static JSON files in the built site, for consumers without a server.

    /api/items.json                 every item (summary), newest first
    /api/<folder>/index.json        the items of one kind (summaries), or a kind's sets (collections)
    /api/<folder>/<slug>.json       one item or set, every field (the same as the API's detail)
    /api/regions/index.json         every region with its count
    /api/regions/<slug>.json        one region and the items in it and below it (summaries)

Described by schemas/content.schema.json.
"""

import json
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


def write_static_json(snap, docs_dir, cache):
    """Write the JSON files under docs_dir/api (MkDocs copies them into the site); returns files changed.

    An edit rewrites its item's file and the listings that hold it (all items, its kind, the regions above
    it); every other file is passed over with a lookup. Listings are joined from each item's summary text."""
    root = Path(docs_dir) / API_DIR
    memo = cache.memo("json", root)  # rel -> (key, None): what each file on disk was made from
    content = ContentJson(snap, cache.memo("json-items", root).found)
    texts = cache.memo("json-summaries", root)  # (kind, slug) -> (key, (summary text, sort key, region slugs))
    everything = texts.stamp != digest(snap.regions) or not memo.found
    files, unchanged, touched_kinds, touched_regions = {}, set(), set(), set()
    held = {f"{folder}/{slug}.json" for folder, slug in snap.held}  # items whose files stay as they were
    seen = set()
    for item in content.items:
        kind = kind_named(item["kind"])
        ident = (item["kind"], item["slug"])
        rel = f"{kind.folder}/{item['slug']}.json"
        seen.add(ident)
        key = content.keys[ident]
        found = memo.found.get(rel)
        if found is not None and found[0] == key:
            files[rel] = None
            unchanged.add(rel)
            continue
        try:
            check_relative(rel)
            files[rel] = dumps(item)
            files[rel].encode("utf-8")
        except Exception as exc:  # one item must not stop the others
            files.pop(rel, None)
            held.add(rel)
            snap.problems.append({"item": f"{item['kind_label']}“{item['title'][:60]}”", "reason": failure_reason(exc)})
            continue
        memo.found[rel] = (key, None)
        before = texts.found.get(ident)
        regions = tuple(node["slug"] for node in item["region_path"])
        texts.found[ident] = (key, (compact(content.summaries[ident]), (item_date(item), item["slug"]), regions))
        touched_kinds.add(item["kind"])
        touched_regions.update(regions + (before[1][2] if before else ()))
    removed = [ident for ident in texts.found if ident not in seen]
    for ident in removed:
        touched_kinds.add(ident[0])
        touched_regions.update(texts.found.pop(ident)[1][2])
    for ident in seen - texts.found.keys():  # a file written by an earlier version: its text is made now
        item = content.find(kind_named(ident[0]).folder, ident[1])
        regions = tuple(node["slug"] for node in item["region_path"])
        texts.found[ident] = (None, (compact(content.summaries[ident]), (item_date(item), ident[1]), regions))
    texts.stamp = digest(snap.regions)
    # Newest first; items of the same date and slug in the order of their kinds.
    order = {kind.name: n for n, kind in enumerate(kinds())}
    newest = sorted(texts.found, key=lambda i: (*texts.found[i][1][1], -order.get(i[0], 0)), reverse=True)
    if everything or touched_kinds:
        files["items.json"] = listing({"count": len(newest)}, [texts.found[i][1][0] for i in newest])
    for kind in kinds():
        rel = f"{kind.folder}/index.json"
        if kind.item and type(kind).index_json is ContentKind.index_json:  # {count, items}: joined from texts
            if everything or kind.name in touched_kinds or not (root / rel).exists():
                of_kind = [texts.found[i][1][0] for i in newest if i[0] == kind.name]
                files[rel] = listing({"count": len(of_kind)}, of_kind)
        elif kind.item:
            summaries = [content.summaries[i] for i in newest if i[0] == kind.name]
            files[rel] = dumps(kind.index_json(summaries))
        else:
            sets = content.sets[kind.folder]
            files[rel] = dumps(kind.index_json(list(sets.values())))
            for slug, found in sets.items():
                files[f"{kind.folder}/{slug}.json"] = dumps(found)
    if everything or touched_regions or removed:
        files["regions/index.json"] = dumps([content.region(slug) for slug in content.regions.nodes])
    wanted = content.regions.nodes if everything else touched_regions & content.regions.nodes.keys()
    region_items = {slug: [] for slug in wanted}
    for ident in newest:
        for slug in texts.found[ident][1][2]:
            if slug in region_items:
                region_items[slug].append(texts.found[ident][1][0])
    for slug, listed in region_items.items():
        # A region file lists every item below it (the top regions: all of them); it is made again when one of
        # them changed, from the items' summary texts.
        files[f"regions/{slug}.json"] = listing(content.region(slug), listed)
    changed = 0
    for rel, text in files.items():
        if text is None or rel in unchanged:
            continue
        changed += write_if_changed(root, rel, text)
    if everything and root.exists():
        for path in root.rglob("*.json"):
            rel = path.relative_to(root).as_posix()
            if rel not in files and rel not in held:
                remove(path)
                changed += 1
    else:
        gone = [f"{kind_named(k).folder}/{slug}.json" for k, slug in removed]
        gone += [f"regions/{slug}.json" for slug in touched_regions if slug not in content.regions.nodes]
        for rel in gone:
            memo.found.pop(rel, None)
            if rel not in held and (root / rel).exists():
                remove(root / rel)
                changed += 1
    if everything:
        memo.keep_only(files)
    return changed
