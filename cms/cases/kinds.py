"""The case study (经验案例) and the collection (案例合集) as kinds of content: every stage's part, declared here."""

from decimal import Decimal, InvalidOperation

from cms.publishing.escape import attr, block, inline, safe_url
from cms.publishing.export import replace_entry
from cms.publishing.kind import ContentKind
from cms.publishing.loader import mapping, ordered, rows, strings, text
from cms.publishing.markdown import (
    approval_facts,
    blocks_text,
    first_image,
    fmt_number,
    front_matter,
    page_slug,
    print_footer,
    render_blocks,
    theme_slug,
)
from cms.publishing.portable import ContentError, as_date, compact, require
from cms.publishing.serialize import body_blocks, disclosure, number_out

from .models import (
    CaseCollectionEntry,
    CaseCollectionIndexPage,
    CaseCollectionPage,
    CaseKeyFigure,
    CasePolicyDocument,
    CasePractice,
    CaseStudyIndexPage,
    CaseStudyPage,
)


def source_line(source):
    """Publisher · date · edition · byline, escaped."""
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


class CaseKind(ContentKind):
    """经验案例: how a place did Party-building-led community governance, with its figures and source."""

    qr_code = True
    name = "case"
    folder = "cases"
    label = "经验案例"
    model = CaseStudyPage
    index_model = CaseStudyIndexPage
    order = 10
    region_order = 30
    select = ("region",)
    prefetch = ("communities", "themes", "practices", "key_figures", "policy_documents")
    schema = "case"
    admin_date_field = "source_date"
    admin_date_label = "来源日期"

    # export
    def serialize(self, page, images):
        meta = {
            "id": str(page.translation_key),
            "slug": page.slug,
            "title": page.title,
            "region": page.region.slug,
            "communities": sorted(r.slug for r in page.communities.all()),
            "themes": sorted(t.name for t in page.themes.all()),
            "summary": page.summary,
            "practices": [compact({"name": p.name, "description": p.description}) for p in page.practices.all()],
            "key_figures": [
                compact(
                    {
                        "label": f.label,
                        "value": number_out(f.value),
                        "unit": f.unit,
                        "before": number_out(f.before),
                        "approximate": f.approximate or None,
                    }
                )
                for f in page.key_figures.all()
            ],
            "source": compact(
                {
                    "publisher": page.source_publisher,
                    "date": page.source_date,
                    "edition": page.source_edition,
                    "byline": page.source_byline,
                    "url": page.source_url,
                }
            ),
            "policy_documents": [compact({"number": d.number, "title": d.title}) for d in page.policy_documents.all()],
            "disclosure": disclosure(page),
        }
        return {"meta": compact(meta), "blocks": body_blocks(page.body, images)}

    # loader
    def apply(self, loader, page, entry, path):
        meta = entry["meta"]
        require(meta, path, ["region", "summary"])
        source = mapping(meta, "source", path)
        require(source, path, ["publisher"])
        page.region = loader.region(text(meta, "region", path), path, "region")
        page.summary = text(meta, "summary", path)
        page.source_publisher = text(source, "publisher", path, "source 的")
        page.source_date = as_date(source.get("date"), path, "source.date")
        page.source_edition = text(source, "edition", path, "source 的")
        page.source_byline = text(source, "byline", path, "source 的")
        page.source_url = text(source, "url", path, "source 的")
        page.communities = [loader.region(s, path, "communities") for s in strings(meta, "communities", path)]
        page.themes.set(strings(meta, "themes", path))
        page.practices = ordered(
            [
                CasePractice(name=text(p, "name", path), description=text(p, "description", path))
                for p in rows(meta, "practices", path)
            ]
        )
        page.key_figures = ordered([self.key_figure(f, path) for f in rows(meta, "key_figures", path)])
        page.policy_documents = ordered(
            [
                CasePolicyDocument(number=text(d, "number", path), title=text(d, "title", path))
                for d in rows(meta, "policy_documents", path)
            ]
        )
        loader.apply_disclosure(page, meta, path)
        loader.stream(page, "body", entry["blocks"], path)

    def key_figure(self, data, path):
        label = text(data, "label", path)

        def number(key):
            value = data.get(key)
            if value is None:
                return None
            try:
                if isinstance(value, bool):
                    raise InvalidOperation
                found = Decimal(str(value))
            except InvalidOperation as exc:
                raise ContentError(path, f"关键数字“{label}”的“{key}”不是数字：{value!r}") from exc
            if not found.is_finite():
                raise ContentError(path, f"关键数字“{label}”的“{key}”不是有限的数字")
            return found

        value = number("value")
        if value is None:
            raise ContentError(path, f"关键数字“{label}”缺少数值 value")
        return CaseKeyFigure(
            label=label,
            value=value,
            unit=text(data, "unit", path),
            before=number("before"),
            approximate=bool(data.get("approximate")),
        )

    # places, dates, themes
    def places(self, meta):
        places = {meta.get("region")}
        places.update(meta.get("communities", []))  # a community named in a case lists it too
        return places - {None}

    def date(self, meta):
        return meta.get("source", {}).get("date")

    def themes(self, meta):
        return meta.get("themes", [])

    # Markdown
    def render(self, site, entry):
        meta = entry["meta"]
        url = site.page_url(self, meta["slug"])
        out = [
            front_matter(meta["title"], "case", meta.get("summary", ""), first_image(entry)),
            "# " + inline(meta["title"]),
            "",
        ]
        out.append(f"**地区**：{site.region_trail(meta['region'])}  ")
        if meta.get("communities"):
            out.append(
                "**提到的社区**："
                + "、".join(
                    f"[{inline(site.region_name(s))}](../regions/{page_slug(s)}.md)" for s in meta["communities"]
                )
                + "  "
            )
        facts = [f"**来源**：{source_line(meta.get('source', {}))}", *approval_facts(meta.get("disclosure", {}))]
        out.append("  \n".join(facts))
        out += ["", '!!! abstract "摘要"', "", "    " + inline(meta.get("summary", "")), ""]
        if meta.get("practices"):
            out += ["## 特色做法", ""]
            for p in meta["practices"]:
                line = f"- **“{inline(p.get('name', ''))}”**"
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
        body = render_blocks(entry["blocks"], site=site)
        if body:
            out += ["## 做法详情", "", body, ""]
        if meta.get("policy_documents"):
            out += ["## 相关政策文件", ""]
            out += [
                f"- {inline(d.get('number', ''))} {inline(d.get('title', ''))}".rstrip()
                for d in meta["policy_documents"]
            ]
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
        # Title and source stand above; the citation repeats them for copying, not for search.
        cite_block = '<div class="jc-cite"><p>' + "<br>\n".join(cite) + "</p></div>"
        out += ["## 引用本页", "", cite_block, ""]
        out += [print_footer(site.qr(url), url), ""]
        return "\n".join(out)

    def context(self, site, entry):
        meta = entry["meta"]
        names = [site.region_name(s) for s in site.regions.ancestry(meta.get("region"))]
        names += [site.region_name(s) for s in meta.get("communities", [])]
        return (site.site_url, tuple(names))

    def line(self, site, entry, prefix="../"):
        meta = entry["meta"]
        extra = [inline(site.region_name(meta["region"]))]
        if meta.get("source", {}).get("date"):
            extra.append(str(meta["source"]["date"]))
        return f"- {self.link(entry, prefix)} — " + " · ".join(extra)

    def home_section(self, site, entries):
        newest = site.newest(self, entries, self.home_limit)
        if not newest:
            return []
        return (
            [f"## 最新{self.label}", ""]
            + [self.line(site, e, "") for e in newest]
            + ["", f"[全部{self.label}]({self.folder}/index.md)", ""]
        )

    def feed_entries(self, site, entries):
        return [
            {
                "date": self.feed_date(e),
                "category": self.label,
                "title": e["meta"]["title"],
                "url": site.page_url(self, e["meta"]["slug"]),
                "summary": e["meta"].get("summary", ""),
                "disclosure": e["meta"].get("disclosure", {}),
            }
            for e in entries
        ]

    # search
    def search_names(self, entry):
        meta = entry["meta"]
        return [p.get("name", "") for p in meta.get("practices", [])] + list(meta.get("themes", []))

    def search_text(self, site, entry):
        meta = entry["meta"]
        parts = [meta.get("title", "")]
        parts += [site.region_name(s) for s in site.regions.ancestry(meta.get("region"))]
        parts += [site.region_name(s) for s in meta.get("communities", [])]
        source = meta.get("source", {})
        parts += [source.get(k, "") for k in ("publisher", "edition", "byline")]
        parts.append(meta.get("summary", ""))
        for p in meta.get("practices", []):
            parts += [p.get("name", ""), p.get("description", "")]
        for f in meta.get("key_figures", []):
            parts.append(f"{fmt_number(f['value'])}{f.get('unit', '')} {f.get('label', '')}")
        parts += blocks_text(entry.get("blocks", []))
        for d in meta.get("policy_documents", []):
            parts += [d.get("number", ""), d.get("title", "")]
        parts += meta.get("themes", [])
        parts += [meta.get("disclosure", {}).get(k, "") for k in ("publisher", "approved_by")]
        return [p for p in parts if p], [], []


class CollectionKind(ContentKind):
    """案例合集: a trainer's ordered set of cases, with a teaching note on each."""

    qr_code = True
    name = "collection"
    folder = "collections"
    label = "案例合集"
    model = CaseCollectionPage
    index_model = CaseCollectionIndexPage
    order = 40
    body = "text"
    region_key = None  # not placed: a set of cases from anywhere
    always_fresh = True  # it shows its cases' titles and summaries, which change without its own row
    prefetch = ("entries__case",)
    schema = "collection"
    home_limit = 5

    def serialize(self, page, images):
        meta = {
            "id": str(page.translation_key),
            "slug": page.slug,
            "title": page.title,
            "audience": page.audience,
            "entries": [compact({"case": e.case.slug, "note": e.note}) for e in page.entries.all()],
        }
        return {"meta": compact(meta), "text": page.intro.strip()}

    def finish(self, snap):
        # A collection may name a case that is no longer public: that entry stays in the CMS, not outside.
        for n, entry in enumerate(snap.of(self)):
            kept = [e for e in entry["meta"].get("entries", []) if snap.holds("cases", e["case"])]
            if len(kept) != len(entry["meta"].get("entries", [])):
                replace_entry(snap, self, n, {**entry, "meta": compact({**entry["meta"], "entries": kept})})

    def apply(self, loader, page, entry, path):
        meta = entry["meta"]
        page.intro = entry["text"].strip()
        page.audience = text(meta, "audience", path)
        chosen = []
        for n, data in enumerate(rows(meta, "entries", path), start=1):
            slug = text(data, "case", path)
            case = CaseStudyPage.objects.filter(slug=slug).first() if slug else None
            if case is None:
                raise ContentError(path, f"entries 第{n}条引用的案例“{slug[:60]}”不存在")
            chosen.append(CaseCollectionEntry(case=case, note=text(data, "note", path)))
        if not chosen:
            raise ContentError(path, "合集至少要包含一个案例（entries）")
        page.entries = ordered(chosen)

    def shared_stamp(self, site):
        return None  # it shows its cases: worked out anew each build (collections are few)

    def picked(self, site, entry):
        cases = site.by_slug("cases")
        return [(e, cases[e["case"]]) for e in entry["meta"].get("entries", []) if e["case"] in cases]

    def render(self, site, entry):
        """A trainer's set of cases: each with its place, source, summary and practices, and the curator's note."""
        from cms.core.kinds import kind

        case_kind = kind("case")
        meta = entry["meta"]
        url = site.page_url(self, meta["slug"])
        picked = self.picked(site, entry)
        out = [front_matter(meta["title"], "collection", entry.get("text", "")), "# " + inline(meta["title"]), ""]
        facts = [f"**案例数**：{len(picked)} 篇"]
        if meta.get("audience"):
            facts.append(f"**适用对象**：{inline(meta['audience'])}")
        out += ["  \n".join(facts), ""]
        if entry.get("text"):
            out += [block(entry["text"]), ""]
        for n, (chosen, case) in enumerate(picked, start=1):
            cmeta = case["meta"]
            out += [f"## {n}. {case_kind.link(case)}", ""]
            out.append(f"**地区**：{site.region_trail(cmeta['region'])}  ")
            out.append(f"**来源**：{source_line(cmeta.get('source', {}))}")
            out.append("")
            if cmeta.get("summary"):
                out += [inline(cmeta["summary"]), ""]
            if cmeta.get("practices"):
                out += ["**特色做法**：" + "；".join(f"“{inline(p.get('name', ''))}”" for p in cmeta["practices"]), ""]
            if chosen.get("note"):
                out += ['!!! tip "教学提示"', "", "    " + block(chosen["note"]).replace("\n", "\n    "), ""]
        out += [
            "## 引用本合集",
            "",
            f'<div class="jc-cite"><p>{inline(meta["title"])}. 本页：{inline(url)}</p></div>',
            "",
        ]
        out += [print_footer(site.qr(url), url), ""]
        return "\n".join(out)

    def context(self, site, entry):
        # It shows its cases (places, sources, summaries, practices): their digests stand for all of that.
        from cms.core.kinds import kind

        case_kind = kind("case")
        shown = tuple(
            (site.snap.digest(case_kind, case), site.region_trail(case["meta"]["region"]))
            for _chosen, case in self.picked(site, entry)
        )
        return (site.site_url, shown)

    def line(self, site, entry, prefix="../"):
        count = len(entry["meta"].get("entries", []))
        return f"- {self.link(entry, prefix)} — {count} 篇案例"

    def sort_key(self, entry):
        return entry["meta"]["slug"]

    def home_section(self, site, entries):
        if not entries:
            return []
        return [f"## {self.label}（培训用）", ""] + [self.line(site, e, "") for e in entries[: self.home_limit]] + [""]

    def search_text(self, site, entry):
        meta = entry["meta"]
        parts = [meta.get("title", ""), meta.get("audience", ""), entry.get("text", "")]
        for chosen, case in self.picked(site, entry):
            cmeta = case["meta"]
            parts += [cmeta.get("title", "")] + [
                site.region_name(s) for s in site.regions.ancestry(cmeta.get("region"))
            ]
            source = cmeta.get("source", {})
            parts += [source.get(key, "") for key in ("publisher", "edition", "byline")]
            parts += [str(source.get("date", "")), cmeta.get("summary", "")]
            parts += [p.get("name", "") for p in cmeta.get("practices", [])]
            parts.append(chosen.get("note", ""))
        return [p for p in parts if p], [], []

    def json(self, entry, regions, summaries=None):
        """A set with its public cases (as summaries) in the curator's order, and the curator's notes."""
        meta = entry["meta"]
        cases = {e["case"]: (summaries or {}).get(("case", e["case"])) for e in meta.get("entries", [])}
        return {
            "kind": self.name,
            "slug": meta["slug"],
            "title": meta["title"],
            "url": f"/{self.folder}/{meta['slug']}/",
            "audience": meta.get("audience", ""),
            "intro": entry.get("text", ""),
            "entries": [
                {"case": cases[e["case"]], "note": e.get("note", "")}
                for e in meta.get("entries", [])
                if cases[e["case"]] is not None
            ],
        }

    def index_json(self, jsons):
        keys = ("kind", "slug", "title", "url", "audience")
        return [{**{key: found[key] for key in keys}, "case_count": len(found["entries"])} for found in jsons]

    def preview_entries(self, page, entry):
        # The preview shows the cases an editor picked (published ones, as the site will).
        from cms.core.kinds import kind

        return {"cases": [kind("case").serialize(e.case, {}) for e in page.entries.all() if e.case.live]}
