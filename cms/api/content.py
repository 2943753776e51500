"""Public content as JSON: one shape for the read API and for the static JSON files in the built site.

Both start from ``export_snapshot`` — the same gate as the site: live, public, published content only.
"""

import datetime
from decimal import Decimal

from cms.publishing.render import KIND_LABELS, LIST_KIND_LABELS
from cms.publishing.sitebuild import page_url

KIND_FOLDERS = {"case": "cases", "list": "lists", "notice": "notices"}
FOLDER_KINDS = {folder: kind for kind, folder in KIND_FOLDERS.items()}


def to_json(value):
    """Dates as ISO strings, decimals as numbers; everything else as it is."""
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


class Regions:
    """The region tree flattened for lookups: slug → {slug, name, level, parent}."""

    def __init__(self, tree):
        self.nodes = {}
        self._paths = {}

        def walk(nodes, parent):
            for node in nodes or []:
                self.nodes[node["slug"]] = {
                    "slug": node["slug"],
                    "name": node["name"],
                    "level": node["level"],
                    "parent": parent,
                }
                walk(node.get("children"), node["slug"])

        walk(tree, None)

    def path(self, slug):
        """The chain of regions from the top down to slug (shared between callers: do not modify it)."""
        if slug not in self._paths:
            self._paths[slug] = self._path(slug)
        return self._paths[slug]

    def _path(self, slug):
        chain = []
        while slug in self.nodes and slug not in [n["slug"] for n in chain]:
            chain.append(self.nodes[slug])
            slug = self.nodes[slug]["parent"]
        return [{"slug": n["slug"], "name": n["name"], "level": n["level"]} for n in reversed(chain)]

    def descendants(self, slug):
        """The slug and every region below it."""
        found, frontier = {slug}, [slug]
        children = {}
        for node in self.nodes.values():
            children.setdefault(node["parent"], []).append(node["slug"])
        while frontier:
            current = frontier.pop()
            for child in children.get(current, []):
                if child not in found:
                    found.add(child)
                    frontier.append(child)
        return found


def item_json(kind, entry, regions):
    """One item: its portable fields plus what a consumer needs to place and link it."""
    meta = entry["meta"]
    region = item_region(entry)
    data = {
        "kind": kind,
        "kind_label": KIND_LABELS[kind],
        "url": page_url(f"{KIND_FOLDERS[kind]}/{meta['slug']}.md"),
        "region_path": regions.path(region),
        **meta,
    }
    if kind == "list":
        data["list_kind_label"] = LIST_KIND_LABELS.get(meta["list_kind"], meta["list_kind"])
        data["intro"] = entry.get("text", "")
    else:
        data["body"] = entry.get("blocks", [])
    return to_json(data)


SUMMARY_KEYS = (
    "kind",
    "kind_label",
    "slug",
    "title",
    "url",
    "region_path",
    "summary",
    "themes",
    "list_kind",
    "list_kind_label",
    "version_label",
    "date",
    "round",
)


def summary(item):
    data = {key: item[key] for key in SUMMARY_KEYS if key in item}
    data["date"] = item_date(item)
    return data


def collections_json(entries, items):
    """Trainers' sets: each with its public cases in the curator's order and the curator's notes."""
    cases = {i["slug"]: i for i in items if i["kind"] == "case"}
    return [collection_json(entry, cases) for entry in entries]


def collection_json(entry, cases):
    meta = entry["meta"]
    return {
        "kind": "collection",
        "slug": meta["slug"],
        "title": meta["title"],
        "url": page_url(f"collections/{meta['slug']}.md"),
        "audience": meta.get("audience", ""),
        "intro": entry.get("text", ""),
        "entries": [
            {"case": summary(cases[e["case"]]), "note": e.get("note", "")}
            for e in meta.get("entries", [])
            if e["case"] in cases
        ],
    }


def collection_summary(collection):
    keys = ("kind", "slug", "title", "url", "audience")
    return {**{key: collection[key] for key in keys}, "case_count": len(collection["entries"])}


def item_date(item):
    if item["kind"] == "case":
        return item.get("source", {}).get("date") or ""
    if item["kind"] == "notice":
        return item.get("date") or ""
    return item.get("disclosure", {}).get("date_published") or ""


def searchable_text(item):
    """All the text a resident might search for in an item, including list rows and body."""
    parts = [item.get("title", ""), item.get("summary", ""), item.get("intro", ""), *item.get("themes", [])]
    parts += [p.get("name", "") + p.get("description", "") for p in item.get("practices", [])]
    for row in item.get("items", []):
        parts += [row.get(k, "") for k in ("category", "name", "content", "alternative", "purpose", "procedure")]
    for block in item.get("body", []):
        value = block.get("value")
        parts.append(value if isinstance(value, str) else " ".join(str(v) for v in (value or {}).values()))
    parts += [r["name"] for r in item.get("region_path", [])]
    return "\n".join(parts)


def item_region(entry):
    return entry["meta"].get("region") or entry["meta"].get("community")


def all_items(snap, memo=None):
    """Every public item as JSON, and the region tree.

    ``memo`` (a dict the caller keeps between calls) maps id(entry) to (entry, region path, item). The export
    cache hands back the same entry objects for pages that did not change, so with a memo an item is converted
    again only when its page or its place in the region tree changed (the memo keeps each entry referenced,
    so its id cannot be reused by another object).
    """
    regions = Regions(snap.regions)
    items, fresh = [], {}
    for kind, entry in snap.items():
        path = regions.path(item_region(entry))
        hit = memo.get(id(entry)) if memo is not None else None
        item = hit[2] if hit and hit[0] is entry and hit[1] == path else item_json(kind, entry, regions)
        fresh[id(entry)] = (entry, path, item)
        items.append(item)
    if memo is not None:
        memo.clear()
        memo.update(fresh)
    return items, regions


def region_out(slug, regions, counts):
    """A region with its place in the tree and how many items it holds (itself and below it)."""
    return {**regions.nodes[slug], "path": regions.path(slug), "item_count": counts[slug]}


def item_counts(items, regions):
    """How many items each region holds, itself and below it, for every region in one pass."""
    counts = dict.fromkeys(regions.nodes, 0)
    for item in items:
        for node in item["region_path"]:
            if node["slug"] in counts:
                counts[node["slug"]] += 1
    return counts
