"""The memo as a kind of content: everything the pipeline needs, in this app only."""

from cms.publishing.escape import block, inline
from cms.publishing.kind import ContentKind
from cms.publishing.loader import text
from cms.publishing.markdown import front_matter
from cms.publishing.portable import compact, require

from .models import MemoIndexPage, MemoPage


class MemoKind(ContentKind):
    name = "memo"
    folder = "memos"
    label = "备忘"
    model = MemoPage
    index_model = MemoIndexPage
    order = 50
    body = "text"
    select = ("region",)
    schema = {
        "type": "object",
        "required": ["kind", "slug", "title", "url", "region", "intro"],
        "properties": {"kind": {"const": "memo"}, "intro": {"type": "string"}},
    }

    def serialize(self, page, images):
        meta = {"id": str(page.translation_key), "slug": page.slug, "title": page.title, "region": page.region.slug}
        return {"meta": compact(meta), "text": page.note.strip()}

    def apply(self, loader, page, entry, path):
        require(entry["meta"], path, ["region"])
        page.region = loader.region(text(entry["meta"], "region", path), path, "region")
        page.note = entry["text"].strip()

    def render(self, site, entry):
        meta = entry["meta"]
        out = [front_matter(meta["title"], "memo"), "# " + inline(meta["title"]), ""]
        out += [f"**地区**：{site.region_trail(meta['region'])}", "", block(entry["text"]), ""]
        return "\n".join(out)

    def search_text(self, site, entry):
        parts, _rows, _tail = super().search_text(site, entry)
        return parts + [entry["text"]], [], []
