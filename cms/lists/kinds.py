"""The community list (清单) as a kind of content: versioned documents whose items are rows."""

from collections import OrderedDict

from cms.core.models import DisclosureFields
from cms.publishing.escape import block, inline
from cms.publishing.export import replace_entry
from cms.publishing.kind import ContentKind
from cms.publishing.loader import ordered, rows, strings, text
from cms.publishing.markdown import (
    annex_section,
    disclosure_table,
    disclosure_text,
    front_matter,
    html_table,
    page_slug,
    period_facts,
    print_footer,
)
from cms.publishing.portable import ContentError, compact, require
from cms.publishing.serialize import annex_entries, disclosure
from cms.publishing.snapshot import digest

from .choices import Alternative, ListKind, Scope, labels
from .models import DutyListIndexPage, DutyListPage, ListItem, item_errors

LIST_KIND_LABELS = labels(ListKind)
SCOPE_LABELS = labels(Scope)
ALTERNATIVE_LABELS = {code: label for code, label in labels(Alternative).items() if code}
# Columns of a list table: (label, how to get the cell from an item); empty columns are dropped.
LIST_COLUMNS = {
    ListKind.CERTIFICATES_CANCELLED: [("证明名称", "name"), ("现在怎么办", "alternative"), ("依据", "basis")],
    ListKind.CERTIFICATES_ISSUED: [
        ("证明名称", "name"),
        ("用途", "purpose"),
        ("出具单位", "issuer"),
        ("办理流程", "procedure"),
        ("依据", "basis"),
    ],
    ListKind.DUTIES_ASSISTING: [
        ("事项名称", "name"),
        ("协助内容", "content"),
        ("责任部门", "department"),
        ("依据", "basis"),
        ("保障方式", "resourcing"),
    ],
}
DEFAULT_COLUMNS = [("事项名称", "name"), ("事项内容", "content"), ("责任部门", "department"), ("依据", "basis")]


def item_cell(item, key):
    """One cell of a list row, escaped."""
    if key == "basis":
        return "；".join(
            inline(b.get("text", "")) + (f"（{inline(b['version'])}）" if b.get("version") else "")
            for b in item.get("basis", [])
        )
    if key == "alternative":
        label = ALTERNATIVE_LABELS.get(item.get("alternative_kind", ""), "")
        found = inline(item.get("alternative", ""))
        return f"<strong>{label}</strong>：{found}" if label and found else (found or label)
    return inline(item.get(key, ""))


class Lookups:
    """What pages need to know of all lists: which replaced which, and the current lists by region."""

    def __init__(self, entries, in_order):
        """``in_order``: the slugs of the lists, newest first."""
        self.by_slug = {e["meta"]["slug"]: e for e in entries}
        self.superseded_by = {}
        for entry in entries:
            old = entry["meta"].get("supersedes")
            if old in self.by_slug:
                self.superseded_by.setdefault(old, []).append(entry)
        self.current_by_region = {}
        for entry in (self.by_slug.get(slug) for slug in in_order):
            if entry is not None and self.is_current(entry):
                self.current_by_region.setdefault(entry["meta"]["region"], []).append(entry)
        self.applicable = {}

    def is_current(self, entry):
        return entry["meta"]["slug"] not in self.superseded_by


class DutyListKind(ContentKind):
    """清单: one version of one list for one jurisdiction, its items as rows."""

    qr_code = True
    name = "list"
    folder = "lists"
    label = "清单"
    model = DutyListPage
    index_model = DutyListIndexPage
    order = 20
    shows_below = True  # a district's list applies to every community below it (本社区一览)
    region_order = 10
    body = "text"
    references = ("list",)  # a list names the list it replaces by slug
    select = ("region", "supersedes")
    prefetch = ("items", "annexes__document")
    period = True
    schema = "list"
    admin_icon = "list-ul"
    admin_date_field = "date_published"
    admin_date_label = "发布日期"

    def admin_filters(self):
        import django_filters

        return {
            "list_kind": django_filters.ChoiceFilter(label="清单类别", choices=ListKind.choices, empty_label="全部")
        }

    # export
    def serialize(self, page, images):
        items = []
        for item in page.items.all():
            items.append(
                compact(
                    {
                        "number": item.number,
                        "category": item.category,
                        "name": item.name,
                        "content": item.content,
                        "basis": [compact(dict(b.value)) for b in item.basis if (b.value.get("text") or "").strip()],
                        "department": item.department,
                        "resourcing": item.resourcing,
                        "purpose": item.purpose,
                        "issuer": item.issuer,
                        "procedure": item.procedure,
                        "alternative_kind": item.alternative_kind,
                        "alternative": item.alternative,
                    }
                )
            )
        meta = {
            "id": str(page.translation_key),
            "slug": page.slug,
            "title": page.title,
            "list_kind": page.list_kind,
            "region": page.region.slug,
            "scope": page.scope,
            "version_label": page.version_label,
            "issuing_bodies": page.issuing_body_list,
            "supersedes": page.supersedes.slug if page.supersedes_id else None,
            "disclosure": disclosure(page),
            "display_period": page.display_period(),
            "items": items,
            "annexes": annex_entries(page, images),
        }
        return {"meta": compact(meta), "text": page.intro.strip()}

    def finish(self, snap):
        # A list may name as its predecessor a list that is not public: the link stays in the CMS.
        for n, entry in enumerate(snap.of(self)):
            old = entry["meta"].get("supersedes")
            if old and not snap.holds(self.folder, old):
                meta = {k: v for k, v in entry["meta"].items() if k != "supersedes"}
                replace_entry(snap, self, n, {**entry, "meta": meta})

    # loader
    def apply(self, loader, page, entry, path):
        meta = entry["meta"]
        require(meta, path, ["region", "list_kind"])
        list_kind = text(meta, "list_kind", path)
        if list_kind not in ListKind.values:
            raise ContentError(path, f"未知的清单类别“{list_kind[:40]}”，可用：{'、'.join(ListKind.values)}")
        page.region = loader.region(text(meta, "region", path), path, "region")
        page.list_kind = list_kind
        page.scope = text(meta, "scope", path) or Scope.ALL
        page.version_label = text(meta, "version_label", path)
        # One body per line: a body written with a line break inside is two bodies (as the page stores them).
        bodies = [line.strip() for body in strings(meta, "issuing_bodies", path) for line in body.splitlines()]
        page.issuing_bodies = "\n".join(b for b in bodies if b)
        page.intro = entry["text"].strip()
        loader.apply_disclosure(page, meta, path)
        loader.apply_period(page, meta, path)
        loader.apply_annexes(page, meta, path)
        found = []
        for row, data in enumerate(rows(meta, "items", path), start=1):
            if not data.get("name"):
                raise ContentError(path, f"items 第{row}条缺少“name”（事项名称）")
            number = data.get("number")
            if not isinstance(number, int) or isinstance(number, bool) or not 0 < number < 1_000_000:
                raise ContentError(
                    path, f"items 第{row}条（{text(data, 'name', path)[:30]}）的序号“number”必须是正整数"
                )
            item = ListItem(**{k: text(data, k, path, f"items 第{row}条的") for k in ListItem.TEXT_FIELDS})
            item.number = number
            item.basis = [
                ("basis", {"text": text(b, "text", path), "version": text(b, "version", path)})
                for b in rows(data, "basis", path)
            ]
            found.append(item)
        errors = item_errors(page.list_kind, found)
        if errors:
            raise ContentError(path, "；".join(str(e) for e in errors))
        page.items = ordered(found)

    def after_load(self, loader, entry):
        import uuid

        meta, path = entry["meta"], entry["path"]
        page = DutyListPage.objects.get(translation_key=uuid.UUID(str(meta["id"])))
        wanted = None
        if meta.get("supersedes"):
            wanted = DutyListPage.objects.filter(slug=text(meta, "supersedes", path)).first()
            if wanted is None:
                raise ContentError(path, f"supersedes 引用的清单“{str(meta['supersedes'])[:60]}”不存在")
        if page.supersedes_id != (wanted.pk if wanted else None):
            page.supersedes = wanted
            loader.save(page, path, lambda: page.save_revision().publish())
            loader.stats["updated"] += 1

    # dates
    def date(self, meta):
        return meta.get("disclosure", {}).get("date_published")

    # Markdown
    def prepare(self, site):
        # Made again only when a list changed, came or went (else the last build's: 0.2 s at 20,000 lists).
        site.extra[self.name] = site.kept(
            "lists", self.folder, lambda: Lookups(site.entries(self), site.in_order(self))
        )

    def lookups(self, site):
        return site.extra[self.name]

    def shared_stamp(self, site):
        # Its pages and lines show which lists replaced which (and their titles).
        found = self.lookups(site)
        related = set(found.superseded_by) | {
            e["meta"]["slug"] for entries in found.superseded_by.values() for e in entries
        }
        return digest(
            sorted(
                (slug, found.by_slug[slug]["meta"].get("supersedes"), found.by_slug[slug]["meta"]["title"])
                for slug in related
            )
        )

    def is_current(self, site, entry):
        return self.lookups(site).is_current(entry)

    def applicable(self, site, slug):
        """The lists a community works by: for each kind of list, the current one of the nearest place (the
        community itself, else its street, else its district …), newest first. Empty for other levels."""
        if site.regions.nodes.get(slug, {}).get("level") != "社区":
            return []
        found = self.lookups(site)
        if slug not in found.applicable:
            chosen = {}
            for place in reversed(site.regions.ancestry(slug)):
                for entry in found.current_by_region.get(place, []):
                    chosen.setdefault(entry["meta"]["list_kind"], entry)
            order = list(ListKind.values)
            found.applicable[slug] = sorted(chosen.values(), key=lambda e: order.index(e["meta"]["list_kind"]))
        return found.applicable[slug]

    def render(self, site, entry):
        meta = entry["meta"]
        kind = meta["list_kind"]
        found = self.lookups(site)
        url = site.page_url(self, meta["slug"])
        out = [front_matter(meta["title"], "list", entry.get("text", "")), "# " + inline(meta["title"]), ""]
        facts = [f"**类别**：{LIST_KIND_LABELS.get(kind, kind)}", f"**地区**：{site.region_trail(meta['region'])}"]
        if meta.get("version_label"):
            facts.append(f"**版本**：{inline(meta['version_label'])}")
        facts.append(f"**适用范围**：{SCOPE_LABELS.get(meta.get('scope', 'all'), '')}")
        if meta.get("issuing_bodies"):
            facts.append("**印发单位**：" + "、".join(inline(b) for b in meta["issuing_bodies"]))
        out += ["  \n".join(facts), ""]
        out += period_facts(self, site, entry)
        for newer in found.superseded_by.get(meta["slug"], []):
            out += ['!!! warning "本清单已被新版替代"', "", f"    现行版本：{self.link(newer)}", ""]
        old = found.by_slug.get(meta.get("supersedes"))
        if old:
            out += [f"本清单替代旧版：{self.link(old)}", ""]
        if entry.get("text"):
            out += [block(entry["text"]), ""]
        items = meta.get("items", [])
        columns = [c for c in LIST_COLUMNS.get(kind, DEFAULT_COLUMNS) if any(item_cell(i, c[1]) for i in items)]
        groups = OrderedDict()
        for item in items:
            groups.setdefault(item.get("category") or "", []).append(item)
        out += [f"## 事项（共 {len(items)} 项）", ""]
        for category, group in groups.items():
            if category:
                out += [f"### {inline(category)}", ""]
            cells = [[str(i["number"])] + [item_cell(i, key) for _l, key in columns] for i in group]
            ids = [f"item-{i['number']}" for i in group]
            out += [html_table(["序号"] + [label for label, _k in columns], cells, ids), ""]
        out += annex_section(meta.get("annexes", []))
        table = disclosure_table(meta.get("disclosure", {}), DisclosureFields.display_labels())
        if table:
            out += [table, ""]
        out += [print_footer(site.qr(url), url), ""]
        return "\n".join(out)

    def context(self, site, entry):
        meta = entry["meta"]
        found = self.lookups(site)
        names = [site.region_name(s) for s in site.regions.ancestry(meta["region"])]
        related = [(e["meta"]["slug"], e["meta"]["title"]) for e in found.superseded_by.get(meta["slug"], [])]
        old = found.by_slug.get(meta.get("supersedes"))
        if old:
            related.append((old["meta"]["slug"], old["meta"]["title"]))
        return (site.site_url, tuple(names), tuple(related))

    def line(self, site, entry, prefix="../"):
        meta = entry["meta"]
        status = "" if self.is_current(site, entry) else "（已被替代）"
        state = self.period_label(site, entry)
        kind_label = LIST_KIND_LABELS.get(meta["list_kind"], "")
        line = f"- {self.link(entry, prefix)}{status} — {kind_label} · {len(meta.get('items', []))} 项"
        return line + (f" · {state}" if state else "")

    def region_entries(self, site, entries):
        return sorted(entries, key=lambda e: (not self.is_current(site, e), e["meta"]["slug"]))

    def region_pages(self, site):
        return {slug for slug in site.regions.nodes if self.applicable(site, slug)}

    def region_section(self, site, slug):
        """本社区一览: the current lists that apply to a community, with counts, and for certificates it no
        longer issues, where residents go instead."""
        current = self.applicable(site, slug)
        if not current:
            return []
        out = ["## 本社区一览", "", "本社区适用的现行清单（每类一份：本社区的，或上级印发、适用于本社区的）：", ""]
        for entry in current:
            meta = entry["meta"]
            label = LIST_KIND_LABELS.get(meta["list_kind"], "")
            where = inline(site.region_name(meta["region"]))
            out.append(f"- **{label}**：{len(meta.get('items', []))} 项 — {self.link(entry)}（{where}）")
        out.append("")
        for entry in current:
            meta = entry["meta"]
            if meta["list_kind"] != ListKind.CERTIFICATES_CANCELLED or not meta.get("items"):
                continue
            out += ["### 不再出具的证明，现在去哪里办", ""]
            base = f"../lists/{page_slug(meta['slug'])}/"
            cells = [
                [f'<a href="../{base}#item-{i["number"]}">{inline(i.get("name", ""))}</a>', item_cell(i, "alternative")]
                for i in meta["items"]
            ]
            out += [html_table(["证明", "现在怎么办"], cells), ""]
        return out

    def region_context(self, site, slug):
        """What a region page shows of lists beyond their content: which are current, which apply."""
        current = tuple(self.is_current(site, e) for k, e in site.in_region.get(slug, []) if k is self)
        return current, tuple(site.snap.digest(self, e) for e in self.applicable(site, slug))

    def home_section(self, site, entries):
        count = len(entries) - len(self.lookups(site).superseded_by)  # the current ones (the others were replaced)
        if not count:
            return []
        # The newest few: a province has thousands of lists (all of them are in the section and on places).
        newest = site.newest_where(self, lambda e: self.is_current(site, e), self.home_limit)
        lines = [self.line(site, e, "") for e in newest]
        if count > self.home_limit:
            lines += ["", f"[全部{count}份现行清单]({self.folder}/index.md)"]
        return ["## 现行清单", ""] + lines + [""]

    def feed_date(self, entry):
        found = entry["meta"].get("disclosure", {})
        return found.get("date_published") or found.get("valid_from")

    def feed_entries(self, site, entries):
        out = []
        for entry in entries:
            meta = entry["meta"]
            found = meta.get("disclosure", {})
            status = "" if self.is_current(site, entry) else "（已被替代）"
            out.append(
                {
                    "date": self.feed_date(entry),
                    "category": self.label,
                    "title": meta["title"],
                    "url": site.page_url(self, meta["slug"]),
                    "summary": f"{meta.get('version_label', '')} 共 {len(meta.get('items', []))} 项{status}".strip(),
                    "disclosure": found,
                }
            )
        return out

    # search
    def search_names(self, entry):
        return [item.get("name", "") for item in entry["meta"].get("items", [])]

    def search_flag(self, site, entry):
        return "" if self.is_current(site, entry) else "已被替代"

    def search_text(self, site, entry):
        meta = entry["meta"]
        parts = [meta.get("title", ""), LIST_KIND_LABELS.get(meta.get("list_kind"), "")]
        parts += [site.region_name(s) for s in site.regions.ancestry(meta.get("region"))]
        parts += [meta.get("version_label", ""), SCOPE_LABELS.get(meta.get("scope", "all"), "")]
        parts += meta.get("issuing_bodies", [])
        if not self.is_current(site, entry):
            parts.append("本清单已被新版替代")
        parts.append(self.period_label(site, entry))
        parts.append(entry.get("text", ""))
        found = []
        for item in meta.get("items", []):
            cells = [str(item.get("number", "")), item.get("category", "")]
            cells += [item.get(k, "") for k in ("name", "content", "department", "resourcing", "purpose")]
            cells += [item.get(k, "") for k in ("issuer", "procedure")]
            cells.append(ALTERNATIVE_LABELS.get(item.get("alternative_kind", ""), ""))
            cells.append(item.get("alternative", ""))
            cells += [
                b.get("text", "") + (f"（{b['version']}）" if b.get("version") else "") for b in item.get("basis", [])
            ]
            found.append((f"item-{item.get('number')}", " ".join(c for c in cells if c)))
        tail = disclosure_text(meta.get("disclosure", {}), DisclosureFields.display_labels())
        return [p for p in parts if p], found, tail

    # JSON
    def json_extra(self, entry):
        code = entry["meta"]["list_kind"]
        return {"list_kind_label": LIST_KIND_LABELS.get(code, code)}

    # preview
    def preview_entries(self, page, entry):
        if not page.supersedes_id:
            return {}
        old = page.supersedes
        return {"lists": [{"meta": {"slug": old.slug, "title": old.title, "list_kind": old.list_kind}, "text": ""}]}
