"""The read API's content as static JSON files in the built site, for consumers without a server.

    /api/items.json                 every item (summary), newest first
    /api/{cases,lists,notices}/index.json
    /api/{cases,lists,notices}/<slug>.json   one item, every field (the same as the API's detail)
    /api/regions/index.json         every region with its count
    /api/regions/<slug>.json        one region and the items in it and below it (summaries)

Described by schemas/content.schema.json.
"""

import json
from pathlib import Path

from .content import KIND_FOLDERS, all_items, item_date
from .router import region_out, summary

API_DIR = "api"
_MEMO = {}  # (scope, path) -> (entry object, text): unchanged items are not serialised again


def dumps(data):
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def write_static_json(snap, docs_dir):
    """Write the JSON files under docs_dir/api (MkDocs copies them into the site); returns files changed."""
    from cms.publishing.portable import write_if_changed

    root = Path(docs_dir) / API_DIR
    items, regions = all_items(snap)
    files = {}
    entries = [entry for _kind, entry in snap.items()]
    for item, entry in zip(items, entries, strict=True):
        rel = f"{KIND_FOLDERS[item['kind']]}/{item['slug']}.json"
        key = (str(root), rel)
        cached = _MEMO.get(key)
        if cached and cached[0] is entry and cached[2] == item["region_path"]:
            files[rel] = None  # unchanged since this process wrote it
        else:
            files[rel] = dumps(item)
            _MEMO[key] = (entry, files[rel], item["region_path"])
    newest = sorted(items, key=lambda i: (item_date(i), i["slug"]), reverse=True)
    files["items.json"] = dumps({"count": len(newest), "items": [summary(i) for i in newest]})
    for kind, folder in KIND_FOLDERS.items():
        of_kind = [summary(i) for i in newest if i["kind"] == kind]
        files[f"{folder}/index.json"] = dumps({"count": len(of_kind), "items": of_kind})
    files["regions/index.json"] = dumps([region_out(slug, items, regions) for slug in regions.nodes])
    by_region = {}
    for item in newest:
        for node in item["region_path"]:
            by_region.setdefault(node["slug"], []).append(summary(item))
    for slug in regions.nodes:
        region = region_out(slug, items, regions)
        region["items"] = by_region.get(slug, [])
        files[f"regions/{slug}.json"] = dumps(region)
    changed = 0
    for rel, text in files.items():
        path = root / rel
        if text is None and path.exists():
            continue
        changed += write_if_changed(path, text if text is not None else _MEMO[(str(root), rel)][1])
    if root.exists():
        for path in root.rglob("*.json"):
            if path.relative_to(root).as_posix() not in files:
                path.unlink()
                changed += 1
    return changed
