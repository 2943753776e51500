"""The read API's content as static JSON files in the built site, for consumers without a server.

    /api/items.json                 every item (summary), newest first
    /api/{cases,lists,notices}/index.json
    /api/{cases,lists,notices}/<slug>.json   one item, every field (the same as the API's detail)
    /api/regions/index.json         every region with its count
    /api/regions/<slug>.json        one region and the items in it and below it (summaries)
    /api/collections/index.json     trainers' sets of cases; /api/collections/<slug>.json one set

Described by schemas/content.schema.json.
"""

import json
import operator
from pathlib import Path

from .content import (
    KIND_FOLDERS,
    all_items,
    collection_summary,
    collections_json,
    item_counts,
    item_date,
    region_out,
    summary,
)

API_DIR = "api"
_ITEM_MEMO = {}  # all_items' memo for the builds of this process: an unchanged item is the same object
_MEMO = {}  # (scope, path) -> (item object, text): unchanged items are not serialised again
_REGION_MEMO = {}  # (scope, slug) -> (region summary, the item objects listed, text)


def dumps(data):
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def write_static_json(snap, docs_dir):
    """Write the JSON files under docs_dir/api (MkDocs copies them into the site); returns files changed."""
    from cms.publishing.files import check_relative, write_if_changed
    from cms.publishing.problems import failure_reason

    root = Path(docs_dir) / API_DIR
    items, regions = all_items(snap, _ITEM_MEMO)
    files = {}
    unchanged = set()  # files whose text is what this process last wrote there
    held = {f"{folder}/{slug}.json" for folder, slug in snap.held}  # items whose files stay as they were
    for item in items:
        rel = f"{KIND_FOLDERS[item['kind']]}/{item['slug']}.json"
        cached = _MEMO.get((str(root), rel))
        if cached and cached[0] is item:
            files[rel] = cached[1]
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
        _MEMO[(str(root), rel)] = (item, files[rel])
    newest = sorted(items, key=lambda i: (item_date(i), i["slug"]), reverse=True)
    summaries = {id(i): summary(i) for i in newest}
    files["items.json"] = dumps({"count": len(newest), "items": [summaries[id(i)] for i in newest]})
    for kind, folder in KIND_FOLDERS.items():
        of_kind = [summaries[id(i)] for i in newest if i["kind"] == kind]
        files[f"{folder}/index.json"] = dumps({"count": len(of_kind), "items": of_kind})
    counts = item_counts(items, regions)
    files["regions/index.json"] = dumps([region_out(slug, regions, counts) for slug in regions.nodes])
    region_items = {}
    for item in newest:
        for node in item["region_path"]:
            region_items.setdefault(node["slug"], []).append(item)
    for slug in regions.nodes:
        region = region_out(slug, regions, counts)
        listed = region_items.get(slug, [])
        # A region file lists every item below it (the top regions: all of them). Items are the same objects
        # while their pages are unchanged, so most region files need no new JSON after an edit.
        hit = _REGION_MEMO.get((str(root), slug))
        if hit and hit[0] == region and len(hit[1]) == len(listed) and all(map(operator.is_, hit[1], listed)):
            files[f"regions/{slug}.json"] = hit[2]
            unchanged.add(f"regions/{slug}.json")
            continue
        text = dumps({**region, "items": [summaries[id(i)] for i in listed]})
        _REGION_MEMO[(str(root), slug)] = (region, listed, text)
        files[f"regions/{slug}.json"] = text
    collections = collections_json(snap.collections, items)
    files["collections/index.json"] = dumps([collection_summary(c) for c in collections])
    for collection in collections:
        files[f"collections/{collection['slug']}.json"] = dumps(collection)
    changed = 0
    for rel, text in files.items():
        if rel in unchanged and (root / rel).exists():
            continue
        changed += write_if_changed(root, rel, text)
    if root.exists():
        for path in root.rglob("*.json"):
            rel = path.relative_to(root).as_posix()
            if rel not in files and rel not in held:
                path.unlink()
                changed += 1
    return changed
