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

from .content_json import ContentJson
from .files import check_relative, remove, write_if_changed
from .problems import failure_reason

API_DIR = "api"


def dumps(data):
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def write_static_json(snap, docs_dir, cache):
    """Write the JSON files under docs_dir/api (MkDocs copies them into the site); returns files changed."""
    root = Path(docs_dir) / API_DIR
    memo = cache.memo("json", root)
    content = ContentJson(snap, cache.memo("json-items", root).found)
    files, unchanged = {}, set()
    held = {f"{folder}/{slug}.json" for folder, slug in snap.held}  # items whose files stay as they were
    for item in content.items:
        kind = kind_named(item["kind"])
        rel = f"{kind.folder}/{item['slug']}.json"
        try:
            check_relative(rel)
            key = content.keys[(item["kind"], item["slug"])]
            files[rel], hit = memo.get(rel, key, lambda item=item: dumps(item))
            files[rel].encode("utf-8")
        except Exception as exc:  # one item must not stop the others
            files.pop(rel, None)
            held.add(rel)
            snap.problems.append({"item": f"{item['kind_label']}“{item['title'][:60]}”", "reason": failure_reason(exc)})
            continue
        if hit:
            unchanged.add(rel)
    newest = content.newest()
    summaries = [content.summaries[(i["kind"], i["slug"])] for i in newest]
    files["items.json"] = dumps({"count": len(summaries), "items": summaries})
    for kind in kinds():
        if kind.item:
            of_kind = [s for s in summaries if s["kind"] == kind.name]
            files[f"{kind.folder}/index.json"] = dumps(kind.index_json(of_kind))
        else:
            sets = content.sets[kind.folder]
            files[f"{kind.folder}/index.json"] = dumps(kind.index_json(list(sets.values())))
            for slug, found in sets.items():
                files[f"{kind.folder}/{slug}.json"] = dumps(found)
    files["regions/index.json"] = dumps([content.region(slug) for slug in content.regions.nodes])
    region_items = {}
    for item in newest:
        for node in item["region_path"]:
            region_items.setdefault(node["slug"], []).append((item["kind"], item["slug"]))
    for slug in content.regions.nodes:
        # A region file lists every item below it (the top regions: all of them). Its text is reused while
        # the region and what its items' JSON depends on are unchanged: an edit rewrites the files it is in.
        region, listed = content.region(slug), region_items.get(slug, [])
        rel = f"regions/{slug}.json"

        def make(region=region, listed=listed):
            return dumps({**region, "items": [content.summaries[key] for key in listed]})

        files[rel], hit = memo.get(rel, (region, tuple(content.keys[key] for key in listed)), make)
        if hit:
            unchanged.add(rel)
    memo.keep_only(files)
    changed = 0
    for rel, text in files.items():
        if rel in unchanged and (root / rel).exists():
            continue
        changed += write_if_changed(root, rel, text)
    if root.exists():
        for path in root.rglob("*.json"):
            rel = path.relative_to(root).as_posix()
            if rel not in files and rel not in held:
                remove(path)
                changed += 1
    return changed
