"""Render a snapshot of public content as MkDocs Markdown in ``site_src/``.

Pure function of its input: same snapshot, same bytes. Every CMS value goes through ``escape``.
"""

import hashlib
import html
import shutil
from collections import OrderedDict
from pathlib import Path
from urllib.parse import quote

import segno
import yaml

from django.utils.text import slugify

from .escape import attr, block, clean, inline, safe_url
from .feeds import FEED_FILES, newest, render_feeds
from .files import UnsafePath, atomic_write, check_relative, write_if_changed
from .portable import copy_images, dump_yaml
from .problems import failure_reason, item_label

GENERATED = ("index.md", "cases", "lists", "notices", "collections", "regions", "themes", "media", "api", ".nav.yml")
GENERATED += FEED_FILES
KIND_LABELS = {"case": "经验案例", "list": "清单", "notice": "两标三牌公示", "collection": "案例合集"}
FOLDERS = {"case": "cases", "list": "lists", "notice": "notices", "collection": "collections"}
LIST_KIND_LABELS = {
    "duties_by_law": "依法履职事项",
    "duties_assisting": "协助履职事项",
    "certificates_issued": "可出具证明事项",
    "certificates_cancelled": "不再出具证明事项",
    "tasks_excluded": "不应承担事项（负面清单）",
    "admission": "准入事项",
}
SCOPE_LABELS = {"all": "城乡通用", "urban": "城市社区", "rural": "农村社区"}
ROUND_LABELS = {"first": "集中清理", "follow_up": "回头看"}
SIGN_KIND_LABELS = {"emblem": "标", "plaque": "牌"}
PHASE_LABELS = {"before": "清理前", "after": "清理后"}
ALTERNATIVE_LABELS = {
    "other_body": "由其他机构出具",
    "data_sharing": "数据共享核验",
    "department_check": "部门间核查",
    "pledge": "告知承诺",
    "not_needed": "不再需要",
}
DISCLOSURE_LABELS = [
    ("index_number", "索引号"),
    ("publisher", "发布机构"),
    ("document_number", "文号"),
    ("date_written", "成文日期"),
    ("date_published", "发布日期"),
    ("valid_from", "施行日期"),
    ("valid_until", "废止日期"),
    ("public_attribute", "公开属性"),
]
# Columns of a list table: (label, how to get the cell from an item); empty columns are dropped.
LIST_COLUMNS = {
    "certificates_cancelled": [("证明名称", "name"), ("现在怎么办", "alternative"), ("依据", "basis")],
    "certificates_issued": [
        ("证明名称", "name"),
        ("用途", "purpose"),
        ("出具单位", "issuer"),
        ("办理流程", "procedure"),
        ("依据", "basis"),
    ],
    "duties_assisting": [
        ("事项名称", "name"),
        ("协助内容", "content"),
        ("责任部门", "department"),
        ("依据", "basis"),
        ("保障方式", "resourcing"),
    ],
}
DEFAULT_COLUMNS = [("事项名称", "name"), ("事项内容", "content"), ("责任部门", "department"), ("依据", "basis")]


def page_slug(slug):
    return quote(str(slug), safe="-_.~")


MAX_THEME_SLUG_BYTES = 90


def theme_slug(name):
    """A theme's page name: its slugified name when short, else a digest of it (it names a file)."""
    slug = slugify(name, allow_unicode=True)
    if not slug or len(slug.encode("utf-8", "surrogatepass")) > MAX_THEME_SLUG_BYTES:
        return "t-" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return slug


def front_matter(title, kind=None, description="", image=None, redirect_to=None):
    """YAML front matter; every value is HTML-escaped, as the theme writes them into <head> unescaped."""
    meta = {"title": html.escape(" ".join(clean(title).split()))}
    if description:
        meta["description"] = html.escape(" ".join(clean(description).split())[:160])
    if kind:
        meta["kind"] = kind
    if image:
        meta["image"] = html.escape(image)  # site-relative path of the share image (Open Graph)
    if redirect_to:
        meta["redirect_to"] = html.escape(redirect_to)  # a relative URL we built from slugs
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=4096) + "---\n\n"


def make_qr_svg(url):
    """An inline SVG QR code for a URL. A fixed mask skips segno's mask search (4 ms → 1.4 ms a page)."""
    code = segno.make_qr(url, error="m", mask=2, boost_error=False)
    return code.svg_inline(scale=1, border=2, omitsize=True, title="本页二维码", svgclass="jc-qr-code")


class QrCodes:
    """QR codes of page addresses, kept in memory and on disk (``.cache/qr/`` in site_src).

    At 1.4 ms a code, a full build of 10,000 pages in a new process would spend 14 s making codes it made
    before; reading one back takes a few microseconds. A code depends only on its URL.
    """

    def __init__(self):
        self.memory = {}
        self.folder = None

    def svg(self, url):
        svg = self.memory.get(url)
        if svg is None:
            path = self.folder / (hashlib.sha256(url.encode()).hexdigest()[:24] + ".svg") if self.folder else None
            if path is not None and path.exists():
                svg = path.read_text(encoding="utf-8")
            else:
                svg = make_qr_svg(url)
                if path is not None:
                    atomic_write(path, svg.encode("utf-8"))
            self.memory[url] = svg
        return svg


QR_CODES = QrCodes()


def qr_svg(url):
    return QR_CODES.svg(url)


def print_footer(url):
    """Shown on paper only: a QR code and the address of the page, so a printed copy leads back to it."""
    return (
        '<div class="jc-print-only jc-qr" data-search-ignore>'
        + qr_svg(url)
        + f"<p>扫码或输入网址查看最新版本：<br>{html.escape(url)}</p></div>"
    )


def first_image(entry):
    for b in entry.get("blocks", []):
        if b["type"] == "figure" and b["value"].get("image"):
            return b["value"]["image"]
    for photo in entry["meta"].get("photos", []):
        return photo["image"]
    return None


def table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(lines)


def html_table(headers, rows, row_ids=None, cls="jc-rows"):
    """A raw-HTML table whose cells carry their column name, so CSS can stack rows on a phone.

    Cells must already be escaped; they are HTML, not Markdown.
    """
    head = "".join(f'<th scope="col">{h}</th>' for h in headers)
    # The column names repeat over every group of rows: a resident searches the rows, not the headings.
    lines = [f'<table class="{cls}">', f"<thead data-search-ignore><tr>{head}</tr></thead>", "<tbody>"]
    for n, cells in enumerate(rows):
        rid = f' id="{row_ids[n]}"' if row_ids else ""
        tds = "".join(f'<td data-label="{h}">{c}</td>' for h, c in zip(headers, cells, strict=True))
        lines.append(f"<tr{rid}>{tds}</tr>")
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines)


def fmt_number(value):
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


class Site:
    """Lookups shared by every page: regions by slug, who links where."""

    def __init__(self, snap, site_url):
        self.snap = snap
        self.site_url = site_url.rstrip("/") + "/"
        self.regions = {}
        self.parents = {}

        def walk(nodes, parent):
            for node in nodes or []:
                self.regions[node["slug"]] = node
                self.parents[node["slug"]] = parent
                walk(node.get("children"), node["slug"])

        walk(snap.regions, None)
        self.lists_by_slug = {e["meta"]["slug"]: e for e in snap.lists}
        self.lists_by_region = None  # current lists by region slug, built on first use
        self.superseded_by = {}
        for entry in snap.lists:
            old = entry["meta"].get("supersedes")
            if old in self.lists_by_slug:
                self.superseded_by.setdefault(old, []).append(entry)
        self.in_region = {}
        self.region_pages = None  # slugs of regions with a page, built on first use
        for kind, entry in snap.items():
            places = {entry["meta"].get("region") or entry["meta"].get("community")}
            places.update(entry["meta"].get("communities", []))  # a community named in a case lists it too
            for slug in sorted({s for place in places for s in self.ancestry(place)}):
                self.in_region.setdefault(slug, []).append((kind, entry))

    def ancestry(self, slug):
        chain = []
        while slug is not None and slug in self.regions and slug not in chain:
            chain.append(slug)
            slug = self.parents[slug]
        return list(reversed(chain))

    def region_name(self, slug):
        return self.regions[slug]["name"] if slug in self.regions else slug

    def region_trail(self, slug, prefix="../"):
        return " › ".join(
            f"[{inline(self.region_name(s))}]({prefix}regions/{page_slug(s)}.md)" for s in self.ancestry(slug)
        )

    def filters(self, kind, region_slug, themes=()):
        """Search filters as empty elements, so the values are not part of the indexed text."""
        values = [("类别", KIND_LABELS[kind])] + [("地区", self.region_name(s)) for s in self.ancestry(region_slug)]
        values += [("主题", theme) for theme in themes]
        return "".join(f'<span hidden data-search-filter="{key}:{attr(value)}"></span>' for key, value in values)

    def page_url(self, kind, slug):
        """The absolute public URL of an item page."""
        return f"{self.site_url}{FOLDERS[kind]}/{page_slug(slug)}/"

    def link(self, kind, entry, prefix="../"):
        folder = FOLDERS[kind]
        return f"[{inline(entry['meta']['title'])}]({prefix}{folder}/{page_slug(entry['meta']['slug'])}.md)"

    def applicable_lists(self, slug):
        """The lists a community works by: for each kind of list, the current one of the nearest place (the
        community itself, else its street, else its district …), newest first. Empty for other levels."""
        if self.regions.get(slug, {}).get("level") != "社区":
            return []
        if self.lists_by_region is None:
            self.lists_by_region, self.applicable = {}, {}
            for entry in sorted(self.snap.lists, key=list_sort_key):
                if self.is_current(entry):
                    self.lists_by_region.setdefault(entry["meta"]["region"], []).append(entry)
        if slug not in self.applicable:
            chosen = {}
            for place in reversed(self.ancestry(slug)):
                for entry in self.lists_by_region.get(place, []):
                    chosen.setdefault(entry["meta"]["list_kind"], entry)
            order = list(LIST_KIND_LABELS)
            self.applicable[slug] = sorted(chosen.values(), key=lambda e: order.index(e["meta"]["list_kind"]))
        return self.applicable[slug]

    def is_current(self, entry):
        return entry["meta"]["slug"] not in self.superseded_by

    def has_page(self, slug):
        """Whether a region gets a page: it holds content (itself or below), or it is a community that lists
        issued above it apply to (a resident looks for their own community), or it lies above such a one."""
        if self.region_pages is None:
            pages = set(self.in_region)
            for place in self.regions:
                if place not in pages and self.applicable_lists(place):
                    pages.update(self.ancestry(place))
            self.region_pages = pages
        return slug in self.region_pages


def render_blocks(blocks, prefix="../"):
    parts = []
    for b in blocks:
        kind, value = b["type"], b["value"]
        if kind == "heading":
            parts.append("### " + inline(value))
        elif kind == "paragraph":
            parts.append(block(value))
        elif kind == "quote":
            text = "> " + block(value["text"]).replace("\n", "\n> ")
            if value.get("attribution"):
                text += "\n>\n> —— " + inline(value["attribution"])
            parts.append(text)
        elif kind == "figure":
            caption = inline(value.get("caption", ""))
            credit = inline(value.get("credit", ""))
            label = caption + (f"（{credit}）" if credit else "")
            if value.get("image"):
                # Raw HTML is resolved against the page URL (cases/slug/), one level below its Markdown file.
                src = "../" + prefix + quote(value["image"])
                parts.append(
                    f'<figure><img src="{src}" alt="{caption}" loading="lazy"><figcaption>{label}</figcaption></figure>'
                )
            elif label:
                parts.append(f'<p class="jc-caption">图片说明：{label}</p>')
    return "\n\n".join(parts)


def disclosure_table(data):
    rows = [[label, inline(str(data[key]))] for key, label in DISCLOSURE_LABELS if data.get(key)]
    if not rows:
        return ""
    return "## 信息公开\n\n" + table(["项目", "内容"], rows)


def source_line(source):
    parts = []
    if source.get("publisher"):
        parts.append(inline(source["publisher"]))
    if source.get("date"):
        parts.append(str(source["date"]))
    if source.get("edition"):
        parts.append(inline(source["edition"]))
    if source.get("byline"):
        parts.append(inline(source["byline"]))
    return " · ".join(parts)


def render_case(site, entry):
    meta = entry["meta"]
    url = site.page_url("case", meta["slug"])
    out = [
        front_matter(meta["title"], "case", meta.get("summary", ""), first_image(entry)),
        "# " + inline(meta["title"]),
        "",
    ]
    out.append(site.filters("case", meta["region"], meta.get("themes", [])))
    out.append("")
    out.append(f"**地区**：{site.region_trail(meta['region'])}  ")
    if meta.get("communities"):
        out.append(
            "**提到的社区**："
            + "、".join(f"[{inline(site.region_name(s))}](../regions/{page_slug(s)}.md)" for s in meta["communities"])
            + "  "
        )
    out.append(f"**来源**：{source_line(meta.get('source', {}))}")
    out += ["", '!!! abstract "摘要"', "", "    " + inline(meta.get("summary", "")), ""]
    if meta.get("practices"):
        out += ["## 特色做法", ""]
        for p in meta["practices"]:
            line = f"- **“{inline(p['name'])}”**"
            if p.get("description"):
                line += "：" + inline(p["description"])
            out.append(line)
        out.append("")
    if meta.get("key_figures"):
        out += ["## 关键数字", ""]
        for f in meta["key_figures"]:
            value = ("约" if f.get("approximate") else "") + fmt_number(f["value"])
            line = f"- **{value}**{inline(f.get('unit', ''))}　{inline(f.get('label', ''))}"
            if f.get("before") is not None:
                line += f"（由 {fmt_number(f['before'])} 变为 {fmt_number(f['value'])}）"
            out.append(line)
        out.append("")
    body = render_blocks(entry["blocks"])
    if body:
        out += ["## 做法详情", "", body, ""]
    if meta.get("policy_documents"):
        out += ["## 相关政策文件", ""]
        out += [f"- {inline(d.get('number', ''))} {inline(d['title'])}".rstrip() for d in meta["policy_documents"]]
        out.append("")
    if meta.get("themes"):
        out += [
            "## 主题",
            "",
            " · ".join(f"[{inline(t)}](../themes/{page_slug(theme_slug(t))}.md)" for t in meta["themes"]),
            "",
        ]
    source = meta.get("source", {})
    cite = [f"{inline(meta['title'])}. {source_line(source)}."]
    original = safe_url(source.get("url", ""))
    if original:
        cite.append(f'原文：<a href="{attr(original)}" rel="nofollow noopener">{inline(original)}</a>')
    cite.append(f"本页：{inline(url)}")
    # Title and source are indexed where they stand above; repeating them would only weigh on the index.
    cite_block = '<div class="jc-cite" data-search-ignore><p>' + "<br>\n".join(cite) + "</p></div>"
    out += ["## 引用本页", "", cite_block, ""]
    out += [print_footer(url), ""]
    return "\n".join(out)


def item_cell(item, key):
    if key == "basis":
        return "；".join(
            inline(b.get("text", "")) + (f"（{inline(b['version'])}）" if b.get("version") else "")
            for b in item.get("basis", [])
        )
    if key == "alternative":
        label = ALTERNATIVE_LABELS.get(item.get("alternative_kind", ""), "")
        text = inline(item.get("alternative", ""))
        return f"<strong>{label}</strong>：{text}" if label and text else (text or label)
    return inline(item.get(key, ""))


def render_list(site, entry):
    meta = entry["meta"]
    kind = meta["list_kind"]
    url = site.page_url("list", meta["slug"])
    out = [front_matter(meta["title"], "list", entry.get("text", "")), "# " + inline(meta["title"]), ""]
    out.append(site.filters("list", meta["region"]))
    out.append("")
    facts = [f"**类别**：{LIST_KIND_LABELS.get(kind, kind)}", f"**地区**：{site.region_trail(meta['region'])}"]
    if meta.get("version_label"):
        facts.append(f"**版本**：{inline(meta['version_label'])}")
    facts.append(f"**适用范围**：{SCOPE_LABELS.get(meta.get('scope', 'all'), '')}")
    if meta.get("issuing_bodies"):
        facts.append("**印发单位**：" + "、".join(inline(b) for b in meta["issuing_bodies"]))
    out += ["  \n".join(facts), ""]
    for newer in site.superseded_by.get(meta["slug"], []):
        out += ['!!! warning "本清单已被新版替代"', "", f"    现行版本：{site.link('list', newer)}", ""]
    old = site.lists_by_slug.get(meta.get("supersedes"))
    if old:
        out += [f"本清单替代旧版：{site.link('list', old)}", ""]
    if entry.get("text"):
        out += [block(entry["text"]), ""]
    columns = LIST_COLUMNS.get(kind, DEFAULT_COLUMNS)
    items = meta.get("items", [])
    columns = [c for c in columns if any(item_cell(i, c[1]) for i in items)]
    groups = OrderedDict()
    for item in items:
        groups.setdefault(item.get("category") or "", []).append(item)
    out += [f"## 事项（共 {len(items)} 项）", ""]
    for category, group in groups.items():
        if category:
            out += [f"### {inline(category)}", ""]
        rows = [[str(i["number"])] + [item_cell(i, key) for _l, key in columns] for i in group]
        ids = [f"item-{i['number']}" for i in group]
        out += [html_table(["序号"] + [label for label, _k in columns], rows, ids), ""]
    disclosure = disclosure_table(meta.get("disclosure", {}))
    if disclosure:
        out += [disclosure, ""]
    out += [print_footer(url), ""]
    return "\n".join(out)


def render_notice(site, entry):
    meta = entry["meta"]
    url = site.page_url("notice", meta["slug"])
    out = [front_matter(meta["title"], "notice", image=first_image(entry)), "# " + inline(meta["title"]), ""]
    out.append(site.filters("notice", meta["community"]))
    out.append("")
    facts = [
        f"**社区**：{site.region_trail(meta['community'])}",
        f"**公示日期**：{meta['date']}",
        f"**轮次**：{ROUND_LABELS.get(meta.get('round', 'first'), '')}",
    ]
    if meta.get("responsible_body"):
        facts.append(f"**责任单位**：{inline(meta['responsible_body'])}")
    out += ["  \n".join(facts), ""]
    counts = meta.get("counts", {})
    if counts:
        cells = [fmt_number(counts[k]) if counts.get(k) is not None else "—" for k in ("before", "removed", "after")]
        out += ["## 清理情况", "", table(["清理前挂牌", "清理", "现挂牌"], [cells]), ""]
    if meta.get("retained_signs"):
        rows = [
            [SIGN_KIND_LABELS.get(s["kind"], ""), inline(s["text"]), inline(s.get("position", ""))]
            for s in meta["retained_signs"]
        ]
        out += ["## 保留的标牌", "", table(["类别", "标牌内容", "悬挂位置"], rows), ""]
    if meta.get("photos"):
        out += ["## 照片", ""]
        blocks = [
            {
                "type": "figure",
                "value": {
                    "image": p["image"],
                    "caption": f"{PHASE_LABELS.get(p.get('phase'), '')} {p.get('caption', '')}".strip(),
                    "credit": "",
                },
            }
            for p in meta["photos"]
        ]
        out += [render_blocks(blocks), ""]
    body = render_blocks(entry["blocks"])
    if body:
        out += ["## 公示内容", "", body, ""]
    disclosure = disclosure_table(meta.get("disclosure", {}))
    if disclosure:
        out += [disclosure, ""]
    out += [print_footer(url), ""]
    return "\n".join(out)


def render_collection(site, entry):
    """A trainer's set of cases: each with its place, source, summary and practices, and the curator's note."""
    meta = entry["meta"]
    url = site.page_url("collection", meta["slug"])
    cases = {e["meta"]["slug"]: e for e in site.snap.cases}
    picked = [(e, cases[e["case"]]) for e in meta.get("entries", []) if e["case"] in cases]
    out = [front_matter(meta["title"], "collection", entry.get("text", "")), "# " + inline(meta["title"]), ""]
    out += [site.filters("collection", None), ""]
    facts = [f"**案例数**：{len(picked)} 篇"]
    if meta.get("audience"):
        facts.append(f"**适用对象**：{inline(meta['audience'])}")
    out += ["  \n".join(facts), ""]
    if entry.get("text"):
        out += [block(entry["text"]), ""]
    for n, (chosen, case) in enumerate(picked, start=1):
        cmeta = case["meta"]
        out += [f"## {n}. {site.link('case', case)}", ""]
        out.append(f"**地区**：{site.region_trail(cmeta['region'])}  ")
        out.append(f"**来源**：{source_line(cmeta.get('source', {}))}")
        out.append("")
        if cmeta.get("summary"):
            out += [inline(cmeta["summary"]), ""]
        if cmeta.get("practices"):
            out += ["**特色做法**：" + "；".join(f"“{inline(p['name'])}”" for p in cmeta["practices"]), ""]
        if chosen.get("note"):
            out += ['!!! tip "教学提示"', "", "    " + block(chosen["note"]).replace("\n", "\n    "), ""]
    out += ["## 引用本合集", "", f'<div class="jc-cite"><p>{inline(meta["title"])}. 本页：{inline(url)}</p></div>', ""]
    out += [print_footer(url), ""]
    return "\n".join(out)


def collection_line(site, entry, prefix="../"):
    count = len(entry["meta"].get("entries", []))
    return f"- {site.link('collection', entry, prefix)} — {count} 篇案例"


SECTION_LATEST = 50
REGION_FULL_LIST = 100
REGION_LATEST = 20
THEME_LIMIT = 100


def latest_lines(entries, line, limit=SECTION_LATEST):
    """Lines for the first `limit` entries, with a note on the rest (they are on region pages and in search)."""
    lines = [line(e) for e in (entries if limit is None else entries[:limit])]
    if limit is not None and len(entries) > limit:
        lines += ["", f"共 {len(entries)} 项，这里列出最新的 {limit} 项；其余请按地区浏览或使用搜索。"]
    return lines


def list_sort_key(entry):
    disclosure = entry["meta"].get("disclosure", {})
    date = disclosure.get("date_published")
    return (-(date.toordinal() if date else 0), entry["meta"]["slug"])


def notice_sort_key(entry):
    return (-entry["meta"]["date"].toordinal(), entry["meta"]["slug"])


class ItemMemo:
    """Markdown of item pages by (entry, what the page shows of other items); reused while both are unchanged."""

    def __init__(self):
        self.memo = {}

    def context(self, site, kind, entry):
        meta = entry["meta"]
        own = meta.get("region") or meta.get("community")
        names = [site.region_name(s) for s in site.ancestry(own)]
        names += [site.region_name(s) for s in meta.get("communities", [])]
        related = []
        if kind == "list":
            related = [(e["meta"]["slug"], e["meta"]["title"]) for e in site.superseded_by.get(meta["slug"], [])]
            old = site.lists_by_slug.get(meta.get("supersedes"))
            if old:
                related.append((old["meta"]["slug"], old["meta"]["title"]))
        return (site.site_url, tuple(names), tuple(related))

    def render(self, site, kind, entry, scope=""):
        """(markdown, hit): hit means this memo produced the same text for this page in `scope` before.

        The export cache hands back the very same entry object for an unchanged page, so identity is
        checked first; equal content in a new object (a fresh export) is recognised by value.
        """
        slug = (scope, kind, entry["meta"]["slug"])
        context = self.context(site, kind, entry)
        cached = self.memo.get(slug)
        if cached and cached[2] == context and (cached[0] is entry or cached[0] == entry):
            if cached[0] is not entry:
                # Equal content in a new object (after the export cache was refreshed): remember the new
                # object, so the next build recognises it by identity instead of comparing every page again.
                self.memo[slug] = (entry, cached[1], context)
            return cached[1], True
        renderer = {"case": render_case, "list": render_list, "notice": render_notice}[kind]
        text = renderer(site, entry)
        self.memo[slug] = (entry, text, context)
        return text, False


ITEM_MEMO = ItemMemo()
REGION_MEMO = {}  # (out_dir, path) -> (key, markdown, the entries it shows: kept alive so ids stay theirs)


def case_sort_key(entry):
    date = entry["meta"].get("source", {}).get("date")
    return (-(date.toordinal() if date else 0), entry["meta"]["slug"])


def case_line(site, entry, prefix="../"):
    meta = entry["meta"]
    extra = [inline(site.region_name(meta["region"]))]
    if meta.get("source", {}).get("date"):
        extra.append(str(meta["source"]["date"]))
    return f"- {site.link('case', entry, prefix)} — " + " · ".join(extra)


def list_line(site, entry, prefix="../"):
    meta = entry["meta"]
    status = "" if site.is_current(entry) else "（已被替代）"
    return f"- {site.link('list', entry, prefix)}{status} — {LIST_KIND_LABELS.get(meta['list_kind'], '')} · {len(meta.get('items', []))} 项"


def notice_line(site, entry, prefix="../"):
    meta = entry["meta"]
    return f"- {site.link('notice', entry, prefix)} — {meta['date']} · {ROUND_LABELS.get(meta.get('round'), '')}"


def render_section_index(site, key, title, lines):
    intro = site.snap.site.get(key, {}).get("intro", "")
    out = [front_matter(title), "# " + inline(title), ""]
    if intro:
        out += [block(intro), ""]
    out += lines or ["暂无内容。"]
    return "\n".join(out) + "\n"


def community_glance(site, current_lists):
    """What a community does, at a glance: its current lists with their counts, and for certificates it no
    longer issues, where residents go instead."""
    if not current_lists:
        return []
    out = ["## 本社区一览", "", "本社区适用的现行清单（每类一份：本社区的，或上级印发、适用于本社区的）：", ""]
    for entry in current_lists:
        meta = entry["meta"]
        label = LIST_KIND_LABELS.get(meta["list_kind"], "")
        where = inline(site.region_name(meta["region"]))
        out.append(f"- **{label}**：{len(meta.get('items', []))} 项 — {site.link('list', entry)}（{where}）")
    out.append("")
    for entry in current_lists:
        meta = entry["meta"]
        if meta["list_kind"] != "certificates_cancelled" or not meta.get("items"):
            continue
        out += ["### 不再出具的证明，现在去哪里办", ""]
        base = f"../lists/{page_slug(meta['slug'])}/"
        rows = [
            [f'<a href="../{base}#item-{i["number"]}">{inline(i.get("name", ""))}</a>', item_cell(i, "alternative")]
            for i in meta["items"]
        ]
        out += [html_table(["证明", "现在怎么办"], rows), ""]
    return out


def render_region(site, slug):
    node = site.regions[slug]
    out = [front_matter(node["name"]), "# " + inline(node["name"]), ""]
    trail = site.region_trail(slug)
    out += [f"**位置**：{trail}", ""]
    children = [c for c in node.get("children", []) if site.has_page(c["slug"])]
    if children:
        out += ["## 下级地区", ""]
        out += [f"- [{inline(c['name'])}]({page_slug(c['slug'])}.md)" for c in children]
        out.append("")
    entries = site.in_region.get(slug, [])
    lists = sorted((e for k, e in entries if k == "list"), key=lambda e: (not site.is_current(e), e["meta"]["slug"]))
    cases = sorted((e for k, e in entries if k == "case"), key=case_sort_key)
    notices = sorted(
        (e for k, e in entries if k == "notice"),
        key=lambda e: (str(e["meta"]["date"]), e["meta"]["slug"]),
        reverse=True,
    )
    if node.get("level") == "社区":
        # Lists a district or street issues apply to each of its communities: the nearest ones first.
        out += community_glance(site, site.applicable_lists(slug))
    # A province can hold thousands of items: above the limit a region page shows the newest and sends
    # readers down the hierarchy, so one edit never rewrites a huge page.
    limit = None if len(entries) <= REGION_FULL_LIST else REGION_LATEST
    if lists:
        out += ["## 清单", ""] + latest_lines(lists, lambda e: list_line(site, e), limit) + [""]
    if notices:
        out += ["## 两标三牌公示", ""] + latest_lines(notices, lambda e: notice_line(site, e), limit) + [""]
    if cases:
        out += ["## 经验案例", ""] + latest_lines(cases, lambda e: case_line(site, e), limit) + [""]
    return "\n".join(out)


def render_home(site):
    home = site.snap.site.get("home", {})
    title = home.get("title", "首页")
    out = [front_matter(title), "# " + inline(title), ""]
    if home.get("intro"):
        out += [block(home["intro"]), ""]
    out += [
        '<form class="jc-search" action="search/" role="search">',
        '<label for="jc-q">搜索案例、清单和证明事项</label>',
        '<input id="jc-q" name="q" type="search" placeholder="例如：居住证明、红色物业">',
        '<button type="submit">搜索</button>',
        "</form>",
        "",
    ]
    cases = sorted(site.snap.cases, key=case_sort_key)[:10]
    if cases:
        out += (
            ["## 最新经验案例", ""]
            + [case_line(site, e, "") for e in cases]
            + ["", "[全部经验案例](cases/index.md)", ""]
        )
    current = [e for e in site.snap.lists if site.is_current(e)]
    if current:
        out += ["## 现行清单", ""] + [list_line(site, e, "") for e in current] + [""]
    if site.snap.notices:
        out += ["## 两标三牌公示", ""] + [notice_line(site, e, "") for e in site.snap.notices[:10]] + [""]
    if site.snap.collections:
        out += ["## 案例合集（培训用）", ""] + [collection_line(site, e, "") for e in site.snap.collections[:5]] + [""]
    out += ["## 浏览", "", "- [按地区浏览](regions/index.md)", "- [按主题浏览](themes/index.md)", ""]
    out += [
        "## 订阅更新",
        "",
        "新发布的经验案例和更新的清单：",
        '<a href="feed.xml" type="application/rss+xml">RSS</a> · '
        '<a href="atom.xml" type="application/atom+xml">Atom</a> · '
        '<a href="feed.json" type="application/feed+json">JSON Feed</a>',
        "",
    ]
    return "\n".join(out)


def render_site(snap, out_dir, site_url, handwritten_dir=None):
    """Write the generated Markdown into out_dir; return the number of files written or changed."""
    out_dir = Path(out_dir)
    QR_CODES.folder = out_dir / ".cache" / "qr"
    site = Site(snap, site_url)
    files = {"index.md": render_home(site)}
    unchanged = set()  # files the memo says are byte-identical to what this process wrote last time
    # Outputs of items that could not be exported or rendered this time: left exactly as they were.
    held = {f"{folder}/{slug}.md" for folder, slug in snap.held}
    for kind, entry in snap.items():
        rel = f"{FOLDERS[kind]}/{entry['meta']['slug']}.md"
        try:
            check_relative(rel)
            text, hit = ITEM_MEMO.render(site, kind, entry, scope=str(out_dir))
        except Exception as exc:  # one item's content must not stop the others
            held.add(rel)
            snap.problems.append({"item": item_title(kind, entry), "reason": failure_reason(exc)})
            continue
        files[rel] = text
        if hit:
            unchanged.add(rel)
    files["cases/index.md"] = render_section_index(
        site,
        "cases",
        snap.site.get("cases", {}).get("title", "经验案例"),
        latest_lines(sorted(snap.cases, key=case_sort_key), lambda e: case_line(site, e)),
    )
    for entry in snap.collections:
        rel = f"collections/{entry['meta']['slug']}.md"
        try:
            check_relative(rel)
            files[rel] = render_collection(site, entry)
        except Exception as exc:
            held.add(rel)
            snap.problems.append({"item": item_title("collection", entry), "reason": failure_reason(exc)})
    files["collections/index.md"] = render_section_index(
        site,
        "collections",
        snap.site.get("collections", {}).get("title", "案例合集"),
        [collection_line(site, e) for e in snap.collections],
    )
    files["lists/index.md"] = render_section_index(
        site,
        "lists",
        snap.site.get("lists", {}).get("title", "清单"),
        latest_lines(sorted(snap.lists, key=list_sort_key), lambda e: list_line(site, e)),
    )
    files["notices/index.md"] = render_section_index(
        site,
        "notices",
        snap.site.get("notices", {}).get("title", "两标三牌公示"),
        latest_lines(sorted(snap.notices, key=notice_sort_key), lambda e: notice_line(site, e)),
    )
    region_slugs = [s for s in site.regions if site.has_page(s)]
    for slug in region_slugs:
        rel = f"regions/{slug}.md"
        # A region page shows its own subtree only: unchanged entries (same objects) and names, same page.
        key = (
            tuple(id(e) for _k, e in site.in_region.get(slug, [])),
            tuple(site.region_name(s) for s in site.ancestry(slug)),
            tuple((c["slug"], c["name"], site.has_page(c["slug"])) for c in site.regions[slug].get("children", [])),
            tuple(site.is_current(e) for k, e in site.in_region.get(slug, []) if k == "list"),
            tuple(id(e) for e in site.applicable_lists(slug)),
        )
        memo_key = (str(out_dir), rel)
        cached = REGION_MEMO.get(memo_key)
        if cached and cached[0] == key:
            files[rel] = cached[1]
            unchanged.add(rel)
        else:
            files[rel] = render_region(site, slug)
            shown = [e for _k, e in site.in_region.get(slug, [])] + site.applicable_lists(slug)
            REGION_MEMO[memo_key] = (key, files[rel], shown)

    def tree(nodes, depth=0):
        lines = []
        for node in nodes or []:
            if site.has_page(node["slug"]):
                lines.append("    " * depth + f"- [{inline(node['name'])}]({page_slug(node['slug'])}.md)")
                lines += tree(node.get("children"), depth + 1)
        return lines

    files["regions/index.md"] = render_section_index(site, "regions", "按地区浏览", tree(snap.regions))
    themes = {}
    for entry in snap.cases:
        for name in entry["meta"].get("themes", []):
            themes.setdefault(theme_slug(name), (name, []))[1].append(entry)
    for slug, (name, entries) in sorted(themes.items()):
        out = [front_matter(f"主题：{name}"), "# 主题：" + inline(name), ""]
        out += latest_lines(sorted(entries, key=case_sort_key), lambda e: case_line(site, e), limit=THEME_LIMIT)
        files[f"themes/{slug}.md"] = "\n".join(out) + "\n"
    files["themes/index.md"] = render_section_index(
        site,
        "themes",
        "按主题浏览",
        [
            f"- [{inline(name)}]({page_slug(slug)}.md)（{len(entries)}）"
            for slug, (name, entries) in sorted(themes.items())
        ],
    )
    home = snap.site.get("home", {})
    files.update(
        render_feeds(feed_entries(site), site.site_url, home.get("title") or "基层", "新发布的经验案例和更新的清单")
    )
    # Old addresses of pages whose slug changed: a small page that forwards to the new one (a meta refresh
    # works on any static host; links in old prints and shares keep working). A live page always wins.
    titles = {f"{FOLDERS[kind]}/{entry['meta']['slug']}.md": entry["meta"]["title"] for kind, entry in snap.items()}
    for redirect in snap.redirects:
        old_section, old_slug = redirect["from"].strip("/").split("/")
        new_section, new_slug = redirect["to"].strip("/").split("/")
        rel = f"{old_section}/{old_slug}.md"
        target = f"{new_section}/{new_slug}.md"
        if rel in files or target not in titles:
            continue
        title = titles[target]
        forward = f"../../{page_slug(new_section)}/{page_slug(new_slug)}/"
        out = [
            front_matter(f"页面已移动：{title}", redirect_to=forward),
            "# 页面已移动",
            "",
            f"本页的地址已经更改，请访问：[{inline(title)}](../{target})",
            "",
        ]
        files[rel] = "\n".join(out)
    # Navigation lists the sections only: item pages are reached from their section, region and theme
    # pages. A nav with every item would put all N links into each of the N pages (quadratic HTML).
    nav = [
        {"首页": "index.md"},
        {"经验案例": "cases/index.md"},
        {"清单": "lists/index.md"},
        {"两标三牌": "notices/index.md"},
        {"案例合集": "collections/index.md"},
        {"按地区": "regions/index.md"},
        {"按主题": "themes/index.md"},
        {"搜索": "search.md"},
    ]
    files[".nav.yml"] = dump_yaml(nav)

    changed = 0
    for rel, text in files.items():
        if rel in held or (rel in unchanged and (out_dir / rel).exists()):
            continue
        try:
            changed += write_if_changed(out_dir, rel, text if text.endswith("\n") else text + "\n")
        except (UnsafePath, OSError) as exc:
            held.add(rel)
            snap.problems.append({"item": rel, "reason": failure_reason(exc)})
    for top in ("cases", "lists", "notices", "collections", "regions", "themes"):
        for stale in (out_dir / top).glob("*.md"):
            rel = f"{top}/{stale.name}"
            if rel not in files and rel not in held:
                stale.unlink()
                changed += 1
    changed += copy_images(snap.images, out_dir)
    if handwritten_dir and Path(handwritten_dir).resolve() != out_dir.resolve():
        for src in Path(handwritten_dir).iterdir():
            if src.name in GENERATED:
                continue
            dest = out_dir / src.name
            if src.is_dir():
                shutil.copytree(src, dest, dirs_exist_ok=True)
            else:
                changed += write_if_changed(out_dir, src.name, src.read_bytes())
    return changed


def feed_entries(site):
    """The newest cases and lists, for the feeds."""
    entries = []
    for entry in site.snap.cases:
        meta = entry["meta"]
        entries.append(
            {
                "date": meta.get("source", {}).get("date"),
                "category": KIND_LABELS["case"],
                "title": meta["title"],
                "url": site.page_url("case", meta["slug"]),
                "summary": meta.get("summary", ""),
            }
        )
    for entry in site.snap.lists:
        meta = entry["meta"]
        disclosure = meta.get("disclosure", {})
        status = "" if site.is_current(entry) else "（已被替代）"
        entries.append(
            {
                "date": disclosure.get("date_published") or disclosure.get("valid_from"),
                "category": KIND_LABELS["list"],
                "title": meta["title"],
                "url": site.page_url("list", meta["slug"]),
                "summary": f"{meta.get('version_label', '')} 共 {len(meta.get('items', []))} 项{status}".strip(),
            }
        )
    return newest(entries)


def item_title(kind, entry):
    meta = entry["meta"]
    return item_label(KIND_LABELS[kind], meta.get("title", ""), FOLDERS[kind], meta.get("slug", ""))
