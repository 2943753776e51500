"""The region tree of a snapshot, walked in one place: names, ancestry, descendants and paths by slug.

The snapshot holds the tree as nested nodes (``regions.yaml``); every stage that places an item (pages,
listings, JSON, search filters) asks this object.
"""


class RegionTree:
    """Lookups over the exported region tree (slug → node), built once per snapshot."""

    def __init__(self, tree):
        self.nodes = {}  # slug -> {"slug", "name", "level", "parent", "code"?}
        self.children = {}  # slug (None for the top) -> [child slugs] in file order
        self._paths = {}

        def walk(nodes, parent):
            for node in nodes or []:
                slug = node["slug"]
                self.nodes[slug] = {
                    "slug": slug,
                    "name": node["name"],
                    "level": node["level"],
                    "parent": parent,
                }
                self.children.setdefault(parent, []).append(slug)
                walk(node.get("children"), slug)

        walk(tree, None)

    def __contains__(self, slug):
        return slug in self.nodes

    def name(self, slug):
        return self.nodes[slug]["name"] if slug in self.nodes else slug

    def ancestry(self, slug):
        """The slugs from the top of the tree down to ``slug`` (empty when it is unknown)."""
        chain = []
        while slug is not None and slug in self.nodes and slug not in chain:
            chain.append(slug)
            slug = self.nodes[slug]["parent"]
        return list(reversed(chain))

    def path(self, slug):
        """[{slug, name, level}] from the top down to ``slug`` (shared between callers: do not modify it)."""
        if slug not in self._paths:
            self._paths[slug] = [
                {"slug": s, "name": self.nodes[s]["name"], "level": self.nodes[s]["level"]} for s in self.ancestry(slug)
            ]
        return self._paths[slug]

    def descendants(self, slug):
        """The slug and every region below it."""
        found, todo = {slug}, [slug]
        while todo:
            for child in self.children.get(todo.pop(), []):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return found
