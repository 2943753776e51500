"""The 两标三牌 notice as a kind of content: which signs a community keeps outside, what came down."""

from cms.core.models import DisclosureFields
from cms.publishing.escape import inline
from cms.publishing.kind import ContentKind
from cms.publishing.loader import mapping, ordered, rows, text
from cms.publishing.markdown import (
    annex_section,
    blocks_text,
    disclosure_table,
    disclosure_text,
    first_image,
    fmt_number,
    front_matter,
    period_facts,
    print_footer,
    render_blocks,
    table,
)
from cms.publishing.portable import ContentError, as_date, compact, require
from cms.publishing.serialize import annex_entries, body_blocks, disclosure, image_path

from .choices import Phase, Round, SignKind
from .models import NoticePhoto, RetainedSign, SignageNoticeIndexPage, SignageNoticePage

ROUND_LABELS = {code: str(label) for code, label in Round.choices}
SIGN_KIND_LABELS = {code: str(label) for code, label in SignKind.choices}
PHASE_LABELS = {code: str(label) for code, label in Phase.choices}


class NoticeKind(ContentKind):
    """两标三牌公示: a community's public notice of its sign clean-up."""

    name = "notice"
    folder = "notices"
    label = "两标三牌公示"
    model = SignageNoticePage
    index_model = SignageNoticeIndexPage
    order = 30
    region_order = 20
    region_key = "community"
    select = ("community",)
    prefetch = ("retained_signs", "photos__image", "annexes__document")
    period = True
    schema = "notice"
    admin_icon = "tag"
    admin_date_field = "notice_date"
    admin_date_label = "公示日期"

    # export
    def serialize(self, page, images):
        meta = {
            "id": str(page.translation_key),
            "slug": page.slug,
            "title": page.title,
            "community": page.community.slug,
            "date": page.notice_date,
            "round": page.round,
            "counts": compact({"before": page.count_before, "removed": page.count_removed, "after": page.count_after}),
            "responsible_body": page.responsible_body,
            "retained_signs": [
                compact({"kind": s.kind, "text": s.text, "position": s.position}) for s in page.retained_signs.all()
            ],
            "photos": [
                compact({"image": image_path(p.image, images), "phase": p.phase, "caption": p.caption})
                for p in page.photos.all()
            ],
            "disclosure": disclosure(page),
            "display_period": page.display_period(),
            "annexes": annex_entries(page, images),
        }
        return {"meta": compact(meta), "blocks": body_blocks(page.body, images)}

    # loader
    def apply(self, loader, page, entry, path):
        meta = entry["meta"]
        require(meta, path, ["community", "date"])
        page.community = loader.region(text(meta, "community", path), path, "community")
        page.notice_date = as_date(meta["date"], path, "date")
        page.round = text(meta, "round", path) or Round.FIRST
        counts = mapping(meta, "counts", path)
        for key in ("before", "removed", "after"):
            value = counts.get(key)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 10**9):
                raise ContentError(path, f"counts.{key} 应为非负整数")
        page.count_before, page.count_removed, page.count_after = (
            counts.get(k) for k in ("before", "removed", "after")
        )
        page.responsible_body = text(meta, "responsible_body", path)
        loader.apply_disclosure(page, meta, path)
        loader.apply_annexes(page, meta, path)
        loader.apply_period(page, meta, path)
        page.retained_signs = ordered(
            [
                RetainedSign(kind=text(s, "kind", path), text=text(s, "text", path), position=text(s, "position", path))
                for s in rows(meta, "retained_signs", path)
            ]
        )
        page.photos = ordered(
            [
                NoticePhoto(
                    image_id=loader.image(p.get("image"), path),
                    phase=text(p, "phase", path) or Phase.AFTER,
                    caption=text(p, "caption", path),
                )
                for p in rows(meta, "photos", path)
            ]
        )
        loader.stream(page, "body", entry["blocks"], path)

    def date(self, meta):
        return meta.get("date")

    # Markdown
    def render(self, site, entry):
        meta = entry["meta"]
        url = site.page_url(self, meta["slug"])
        out = [front_matter(meta["title"], "notice", image=first_image(entry)), "# " + inline(meta["title"]), ""]
        facts = [
            f"**社区**：{site.region_trail(meta['community'])}",
            f"**公示日期**：{meta['date']}",
            f"**轮次**：{ROUND_LABELS.get(meta.get('round', 'first'), '')}",
        ]
        if meta.get("responsible_body"):
            facts.append(f"**责任单位**：{inline(meta['responsible_body'])}")
        out += ["  \n".join(facts), ""]
        out += period_facts(self, site, entry)
        counts = meta.get("counts", {})
        if counts:
            cells = [
                fmt_number(counts[k]) if counts.get(k) is not None else "—" for k in ("before", "removed", "after")
            ]
            out += ["## 清理情况", "", table(["清理前挂牌", "清理", "现挂牌"], [cells]), ""]
        if meta.get("retained_signs"):
            cells = [
                [SIGN_KIND_LABELS.get(s.get("kind"), ""), inline(s.get("text", "")), inline(s.get("position", ""))]
                for s in meta["retained_signs"]
            ]
            out += ["## 保留的标牌", "", table(["类别", "标牌内容", "悬挂位置"], cells), ""]
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
        body = render_blocks(entry["blocks"], site=site)
        if body:
            out += ["## 公示内容", "", body, ""]
        out += annex_section(meta.get("annexes", []))
        found = disclosure_table(meta.get("disclosure", {}), DisclosureFields.display_labels())
        if found:
            out += [found, ""]
        out += [print_footer(site.qr(url), url), ""]
        return "\n".join(out)

    def line(self, site, entry, prefix="../"):
        meta = entry["meta"]
        state = self.period_label(site, entry)
        line = f"- {self.link(entry, prefix)} — {meta['date']} · {ROUND_LABELS.get(meta.get('round'), '')}"
        return line + (f" · {state}" if state else "")

    def region_entries(self, site, entries):
        return sorted(entries, key=lambda e: (str(e["meta"]["date"]), e["meta"]["slug"]), reverse=True)

    def home_section(self, site, entries):
        if not entries:
            return []
        return ["## 两标三牌公示", ""] + [self.line(site, e, "") for e in entries[: self.home_limit]] + [""]

    def feed_entries(self, site, entries):
        return [
            {
                "date": self.feed_date(e),
                "category": self.label,
                "title": e["meta"]["title"],
                "url": site.page_url(self, e["meta"]["slug"]),
                "summary": " · ".join(
                    p for p in (ROUND_LABELS.get(e["meta"].get("round"), ""), self.period_label(site, e)) if p
                ),
                "disclosure": e["meta"].get("disclosure", {}),
            }
            for e in entries
        ]

    # search
    def search_text(self, site, entry):
        meta = entry["meta"]
        parts = [meta.get("title", "")]
        parts += [site.region_name(s) for s in site.regions.ancestry(meta.get("community"))]
        parts += [
            str(meta.get("date", "")),
            ROUND_LABELS.get(meta.get("round", "first"), ""),
            meta.get("responsible_body", ""),
            self.period_label(site, entry),
        ]
        counts = meta.get("counts", {})
        labels = (("before", "清理前挂牌"), ("removed", "清理"), ("after", "现挂牌"))
        parts += [f"{label} {counts[key]}" for key, label in labels if counts.get(key) is not None]
        for sign in meta.get("retained_signs", []):
            parts += [SIGN_KIND_LABELS.get(sign.get("kind"), ""), sign.get("text", ""), sign.get("position", "")]
        parts += [
            f"{PHASE_LABELS.get(p.get('phase'), '')} {p.get('caption', '')}".strip() for p in meta.get("photos", [])
        ]
        parts += blocks_text(entry.get("blocks", []))
        parts += disclosure_text(meta.get("disclosure", {}), DisclosureFields.display_labels())
        return [p for p in parts if p], [], []
