"""Building blocks of the generated Markdown: front matter, links, tables, body blocks, the print footer.

Every CMS value goes through ``escape`` (``inline``, ``block``, ``attr``) before it is written here; the
helpers that take cells or labels say whether they expect them escaped already.
"""

import hashlib
import html
from urllib.parse import quote

import segno
import yaml

from django.utils.text import slugify

from cms.core import periods, richtext

from .escape import block, clean, inline, inline_run
from .renditions import picture

MAX_THEME_SLUG_BYTES = 90


def page_slug(slug):
    """A slug as it stands in a relative link (percent-encoded)."""
    return quote(str(slug), safe="-_.~")


def theme_slug(name):
    """A theme's page name: its slugified name when short, else a digest of it (it names a file)."""
    slug = slugify(name, allow_unicode=True)
    if not slug or len(slug.encode("utf-8", "surrogatepass")) > MAX_THEME_SLUG_BYTES:
        return "t-" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return slug


def link(title, target):
    """A Markdown link to a page of the site, its title escaped."""
    return f"[{inline(title)}]({target})"


def front_matter(title, kind=None, description="", image=None, redirect_to=None, extra=None):
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
    meta.update(extra or {})
    return (
        "---\n"
        + yaml.dump(meta, Dumper=_FrontMatterDumper, allow_unicode=True, sort_keys=False, width=4096)
        + "---\n\n"
    )


class _NoAliases:
    """YAML with every value written out in full, never as an anchor and its aliases (&id001, *id001): the
    values entries hold may be shared (``snapshot.Sharing``)."""

    def ignore_aliases(self, data):
        return True


class WholeDumper(_NoAliases, yaml.SafeDumper):
    """PyYAML's own emitter: the text people read and edit (portable content files)."""


class _FrontMatterDumper(_NoAliases, getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """libyaml's emitter, ~5× faster (front matter took ~1.5 s of a cold build at 10,000 pages). Its text
    differs from PyYAML's only in escaping characters beyond the Basic Multilingual Plane ("\U00020bb7" for
    𠮷); MkDocs reads the same values back."""


def table(headers, rows):
    """A Markdown table; headers and cells must be escaped already."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(lines)


def html_table(headers, rows, row_ids=None, cls="jc-rows"):
    """A raw-HTML table whose cells carry their column name, so CSS can stack rows on a phone.

    Cells must already be escaped; they are HTML, not Markdown.
    """
    head = "".join(f'<th scope="col">{h}</th>' for h in headers)
    lines = [f'<table class="{cls}">', f"<thead><tr>{head}</tr></thead>", "<tbody>"]
    for n, cells in enumerate(rows):
        rid = f' id="{row_ids[n]}"' if row_ids else ""
        tds = "".join(f'<td data-label="{h}">{c}</td>' for h, c in zip(headers, cells, strict=True))
        lines.append(f"<tr{rid}>{tds}</tr>")
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines)


def fmt_number(value):
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def first_image(entry):
    """The site path of an entry's first picture (its share image), or None."""
    for b in entry.get("blocks", []):
        if b["type"] == "figure" and b["value"].get("image"):
            return b["value"]["image"]
    for photo in entry["meta"].get("photos", []):
        return photo["image"]
    return None


def rich_paragraph(text, resolve):
    """Inert site Markdown of a portable paragraph. ``resolve(kind, ref)`` gives the href of a page or
    document link (relative to the page) or None; outside addresses must be http(s) or mailto."""
    parts = []
    for kind, content in richtext.from_portable(text):
        if kind == "p":
            parts.append(_runs_md(content, resolve, first=True))
        else:
            marker = "- " if kind == "ul" else "1. "
            # An empty comment ends the list: Python-Markdown would run a following list into it.
            parts.append("\n".join(marker + _runs_md(item, resolve, first=True) for item in content) + "\n\n<!-- -->")
    return "\n\n".join(parts)


def _runs_md(runs, resolve, first=False):
    """Inert Markdown of a paragraph's runs (a module function: a closure calling itself is a reference cycle)."""
    out = []
    for n, run in enumerate(runs):
        if run[0] == "text":
            out.append(inline_run(run[1], start=first and n == 0))
        elif run[0] in ("b", "i"):
            mark = "**" if run[0] == "b" else "*"
            out.append(f"{mark}{_runs_md(run[1], resolve)}{mark}")
        else:
            kind, ref = run[1]
            href = resolve(kind, ref) if kind in ("page", "doc") else ref if richtext.safe_href(ref) else None
            inner = _runs_md(run[2], resolve)
            out.append(f"[{inner}]({richtext.href(href)})" if href else inner)
    return "".join(out)


def render_blocks(blocks, prefix="../", site=None):
    """Body blocks (heading, paragraph, quote, figure) as inert Markdown. A paragraph's links go to public
    pages of ``site`` and the documents it carries (relative to the page by ``prefix``), or outside."""

    def resolve(kind, ref):
        if kind == "doc":
            return prefix + ref
        found = site.page_by_id(ref) if site is not None else None
        return f"{prefix}{found[0]}/{page_slug(found[1])}.md" if found else None

    parts = []
    for b in blocks:
        kind, value = b["type"], b["value"]
        if kind == "heading":
            parts.append("### " + inline(value))
        elif kind == "paragraph":
            parts.append(rich_paragraph(value, resolve))
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
                alt = inline(value.get("alt") or "") or caption
                image = picture(value["image"], alt, "../" + prefix)
                parts.append(f"<figure>{image}<figcaption>{label}</figcaption></figure>")
            elif label:
                parts.append(f'<p class="jc-caption">图片说明：{label}</p>')
    return "\n\n".join(parts)


def blocks_text(blocks):
    """The readable text of body blocks, for search."""
    parts = []
    for b in blocks:
        value = b["value"]
        if b["type"] == "heading":
            parts.append(value)
        elif b["type"] == "paragraph":
            parts.append(richtext.plain(value))
        elif b["type"] == "quote":
            parts += [value.get("text", ""), value.get("attribution", "")]
        elif b["type"] == "figure":
            parts += [value.get("caption", ""), value.get("credit", "")]
    return [p for p in parts if p]


def disclosure_table(data, labels):
    """The 信息公开 block of a list or notice; ``labels`` is [(field, label)] in display order."""
    rows = [[label, inline(str(data[key]))] for key, label in labels if data.get(key)]
    if not rows:
        return ""
    return "## 信息公开\n\n" + table(["项目", "内容"], rows)


def file_size(size):
    """1,234,567 bytes as “1.2 MB”, 2,345 as “2.3 KB”."""
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(size, 1) / 1024:.1f} KB"


def annex_section(annexes):
    """“## 附件”: each official attachment linked with its type and size (the file name is the system's)."""
    if not annexes:
        return []
    lines = ["## 附件", ""]
    for annex in annexes:
        # annexes/<sha1>.<ext>: named by the export, never by an editor; MkDocs makes the link relative.
        href = "../" + quote(annex["file"])
        facts = "，".join(p for p in (annex.get("type", ""), file_size(annex.get("size", 0))) if p)
        lines.append(f"- [{inline(annex.get('title', '')) or '附件'}]({href})（{facts}）")
    return [*lines, ""]


def approval_pairs(data):
    """[(label, text)] of who published and who approved an item (organisations, never a person), from its
    ``disclosure``: for the page's facts and the feeds."""
    pairs = []
    if data.get("publisher"):
        pairs.append(("发布机构", data["publisher"]))
    if data.get("approved_by"):
        when = f"（{data['date_approved']}）" if data.get("date_approved") else ""
        pairs.append(("审核机构", f"{data['approved_by']}{when}"))
    return pairs


def approval_facts(data):
    """“**发布机构**：…” lines of a page's facts, escaped."""
    return [f"**{label}**：{inline(value)}" for label, value in approval_pairs(data)]


def disclosure_text(data, labels):
    return [f"{label} {data[key]}" for key, label in labels if data.get(key)]


def make_qr_svg(url):
    """An inline SVG QR code for a URL. A fixed mask skips segno's mask search (4 ms → 1.4 ms a page)."""
    code = segno.make_qr(url, error="m", mask=2, boost_error=False)
    return code.svg_inline(scale=1, border=2, omitsize=True, title="本页二维码", svgclass="jc-qr-code")


def print_footer(svg, url):
    """Shown on paper only: a QR code and the address of the page, so a printed copy leads back to it."""
    return (
        '<div class="jc-print-only jc-qr">' + svg + f"<p>扫码或输入网址查看最新版本：<br>{html.escape(url)}</p></div>"
    )


def period_facts(kind, site, entry):
    """The display period as a fact line and a notice of its state (words, not only colour), or []."""
    found = entry["meta"].get("display_period")
    if not kind.period or not found:
        return []
    state = periods.state(found, site.today)
    label = periods.STATES[state]
    return [f'<p class="jc-period jc-period--{state}"><strong>{label}</strong> · 公示期 {periods.span(found)}</p>', ""]
