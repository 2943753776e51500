"""Render: a snapshot as the MkDocs Markdown of the site — item pages (by their kinds), listings, navigation.

A function of (snapshot, cache): the same snapshot gives the same bytes, warm cache or cold. Every CMS value
goes through ``escape``. Listings are bounded (the newest 20–100 with a pointer to region pages and search),
so an edit never rewrites a page of thousands of links.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from cms.core.kinds import kinds

from .context import SiteContext
from .escape import block, inline
from .feeds import FEED_FILES, FEED_SIZE, newest, render_feeds
from .files import remove, write_if_changed
from .item_pages import item_pages, write_page
from .markdown import front_matter, page_slug
from .portable import dump_yaml, sync_files
from .renditions import write as write_renditions
from .sitemap import FOLDER as SITEMAPS
from .sitemap import sitemap_files

SECTION_LATEST = 50
REGION_FULL_LIST = 100
REGION_LATEST = 20
THEME_LIMIT = 100
CACHE_FOLDER = ".cache"  # site_src's caches: QR codes, the build cache kept between processes
SITE_CONFIG = ".site.yml"  # navigation, name, description, footer: read by hooks/site.py (never imports the CMS)
LISTINGS = (
    "index.md",
    "search.md",
    "regions",
    "themes",
    "media",
    "annexes",
    "api",
    "sitemap.xml",
    "sitemaps",
    CACHE_FOLDER,
    SITE_CONFIG,
    *FEED_FILES,
)


def generated_names():
    """Names in site_src that the renderer owns (everything else there is hand-written)."""
    return {*LISTINGS, *(kind.folder for kind in kinds())}


def latest_lines(entries, line, limit=SECTION_LATEST, total=None):
    """Lines for the first `limit` entries, with a note on the rest (they are on region pages and in search).
    ``total``: how many there are, when ``entries`` holds only the first ones."""
    total = len(entries) if total is None else total
    lines = [line(e) for e in (entries if limit is None else entries[:limit])]
    if limit is not None and total > limit:
        lines += ["", f"共 {total} 项，这里列出最新的 {limit} 项；其余请按地区浏览或使用搜索。"]
    return lines


def section_title(site, kind):
    return site.snap.site.get(kind.folder, {}).get("title", kind.label)


def render_section_index(site, key, title, lines):
    intro = site.snap.site.get(key, {}).get("intro", "")
    out = [front_matter(title), "# " + inline(title), ""]
    if intro:
        out += [block(intro), ""]
    out += lines or ["暂无内容。"]
    return "\n".join(out) + "\n"


def render_region(site, slug):
    node = site.regions.nodes[slug]
    out = [front_matter(node["name"]), "# " + inline(node["name"]), ""]
    out += [f"**位置**：{site.region_trail(slug)}", ""]
    children = [c for c in site.regions.children.get(slug, []) if site.has_page(c)]
    if children:
        out += ["## 下级地区", ""]
        out += [f"- [{inline(site.region_name(c))}]({page_slug(c)}.md)" for c in children]
        out.append("")
    for kind in kinds():
        out += kind.region_section(site, slug)
    # A province can hold thousands of items: above the limit a region page shows the newest and sends
    # readers down the hierarchy, so one edit never rewrites a huge page — nor puts all its items in order.
    many = site.in_region.count(slug) > REGION_FULL_LIST
    if many:
        slugs = site.in_region.slugs(slug)
    else:
        entries = site.in_region.get(slug, [])
    for kind in sorted((k for k in kinds() if k.item), key=lambda k: k.region_order):
        if many:
            held = slugs.get(kind.folder, set())
            own, total = kind.region_top(site, held, REGION_LATEST), len(held)
        else:
            own, total = kind.region_entries(site, [e for k, e in entries if k is kind]), None
        if own:
            lines = latest_lines(own, lambda e, kind=kind: kind.line(site, e), REGION_LATEST if many else None, total)
            out += [f"## {kind.region_heading}", ""] + lines + [""]
    return "\n".join(out)


def region_key(site, slug):
    """What a region page shows: its items (by digest), its place, its sub-regions, what kinds add."""
    return (
        tuple((kind.name, site.snap.digest(kind, e)) for kind, e in site.in_region.get(slug, [])),
        tuple(site.region_name(s) for s in site.regions.ancestry(slug)),
        tuple((c, site.region_name(c), site.has_page(c)) for c in site.regions.children.get(slug, [])),
        tuple(kind.region_context(site, slug) for kind in kinds()),
        tuple(kind.period_label(site, e) for kind, e in site.in_region.get(slug, [])),
    )


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
    for kind in kinds():
        out += kind.home_section(site, site.entries(kind))
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


def fingerprint_assets(out_dir):
    """Copies of our own assets named by their content (assets/v/site.<digest>.css), which browsers may keep
    for a year; returns {asset name: its fingerprinted path}. Copies no asset has any more are removed."""
    source, target = Path(out_dir) / "assets", Path(out_dir) / "assets" / "v"
    found = {}
    for path in sorted(source.glob("*")) if source.is_dir() else []:
        if not path.is_file():
            continue
        data = path.read_bytes()
        name = f"{path.stem}.{hashlib.sha256(data).hexdigest()[:10]}{path.suffix}"
        write_if_changed(target, name, data)
        found[path.name] = f"assets/v/{name}"
    for old in target.glob("*") if target.is_dir() else []:
        if f"assets/v/{old.name}" not in found.values():
            remove(old)
    return found


def render_search_page(site):
    """The search page: the query, a filter by kind (codes, labelled), by place (filled on first use) and a
    switch to list rows only; the script (assets/search.js) does the rest without Material's bundle."""
    kinds_options = "\n".join(f'<option value="{kind.name}">{inline(kind.label)}</option>' for kind in kinds())
    return "\n".join(
        [
            front_matter("搜索", extra={"lightweight": True}),
            "# 搜索",
            "",
            '<form id="jc-search-form" class="jc-search jc-search--full" action="./" method="get" role="search">',
            '<label for="jc-q">搜索案例、清单和证明事项</label>',
            '<input id="jc-q" name="q" type="search" placeholder="例如：居住证明、红色物业、网格" autocomplete="off">',
            '<span class="jc-field"><label class="jc-filter" for="jc-kind">类别</label>',
            '<select id="jc-kind" name="kind">',
            '<option value="">全部类别</option>',
            kinds_options,
            "</select></span>",
            '<span class="jc-field"><label class="jc-filter" for="jc-region">地区</label>',
            '<select id="jc-region" name="region">',
            '<option value="">全部地区</option>',
            "</select></span>",
            '<span class="jc-field jc-rows-only"><input id="jc-rows" name="rows" type="checkbox" value="1">'
            '<label class="jc-filter" for="jc-rows">只看清单中的事项</label></span>',
            '<button type="submit">搜索</button>',
            "</form>",
            "",
            '<p id="jc-status" class="jc-status" role="status" aria-live="polite"></p>',
            '<ol id="jc-results" class="jc-results"></ol>',
            '<p><button id="jc-more" class="jc-more" type="button" hidden>显示更多结果</button></p>',
            "",
            "<noscript><p>搜索需要浏览器启用 JavaScript；也可以从"
            '<a href="../regions/">按地区浏览</a>找到您的社区，或从<a href="../lists/">清单</a>查看各社区的事项。</p></noscript>',
            f'<script src="../{site.assets.get("search.js", "assets/search.js")}" defer></script>',
            "",
        ]
    )


def render_theme(site, name, top, total):
    """A theme's page: the newest items holding it (``top``, of ``total``)."""
    out = [front_matter(f"主题：{name}"), "# 主题：" + inline(name), ""]
    out += latest_lines(top, lambda pair: pair[0].line(site, pair[1]), limit=THEME_LIMIT, total=total)
    return "\n".join(out) + "\n"


def render_themes(site, only=None):
    """A page per theme (those in ``only``, when given: the others are as they were) and the list of themes."""
    themes_count = site.themes()
    themes, files = sorted(themes_count.items()), {}
    for slug, _count in themes:
        if only is None or slug in only:
            top = site.theme_newest(slug, THEME_LIMIT)
            files[f"themes/{slug}.md"] = render_theme(site, site.theme_name(slug), top, themes_count[slug])
        else:
            files[f"themes/{slug}.md"] = None
    files["themes/index.md"] = render_section_index(
        site,
        "themes",
        "按主题浏览",
        [f"- [{inline(site.theme_name(slug))}]({page_slug(slug)}.md)（{count}）" for slug, count in themes],
    )
    return files


def render_redirects(site, pages):
    """Old addresses of pages whose slug changed: a small page that forwards to the new one (a meta refresh
    works on any static host; links in old prints and shares keep working). A live page (in ``pages``) always
    wins."""
    out = {}
    for redirect in site.snap.redirects:
        old_section, old_slug = redirect["from"].strip("/").split("/")
        new_section, new_slug = redirect["to"].strip("/").split("/")
        rel = f"{old_section}/{old_slug}.md"
        target = f"{new_section}/{new_slug}.md"
        found = site.by_slug(new_section).get(new_slug)
        if rel in pages or found is None:
            continue
        title = found["meta"]["title"]
        forward = f"../../{page_slug(new_section)}/{page_slug(new_slug)}/"
        page = [
            front_matter(f"页面已移动：{title}", redirect_to=forward),
            "# 页面已移动",
            "",
            f"本页的地址已经更改，请访问：[{inline(title)}](../{target})",
            "",
        ]
        out[rel] = "\n".join(page)
    return out


def navigation(site):
    """The tabs: home, each kind's section (its title as the editor set it), places, themes, search.

    The navigation lists sections only: item pages are reached from their section, region and theme
    pages. A nav with every item would put all N links into each of the N pages (quadratic HTML).
    """
    nav = [{"首页": "index.md"}]
    nav += [{section_title(site, kind): f"{kind.folder}/index.md"} for kind in kinds()]
    nav += [{"按地区": "regions/index.md"}, {"按主题": "themes/index.md"}, {"搜索": "search.md"}]
    return nav


def site_config(site):
    """What MkDocs takes from the CMS (hooks/site.py): the site's name, description and footer, and the tabs."""
    settings = site.snap.site.get("settings", {})
    config = {
        "site_name": settings.get("name", ""),
        "site_description": settings.get("description", ""),
        "copyright": settings.get("footer", ""),
        "nav": navigation(site),
        "extra_css": [site.assets["site.css"]] if "site.css" in site.assets else [],
        "extra": {"assets": site.assets} if site.assets else {},
    }
    return {key: value for key, value in config.items() if value}


def feed_entries(site):
    """The feeds' items, newest first: those of the items ranked newest (the ranks are kept between builds),
    and of whatever else has a feed."""
    items = [item for kind, entry in site.newest_in_feeds(FEED_SIZE) for item in site.feed_entry(kind, entry)]
    items += [
        item for kind in kinds() if not kind.item for e in site.entries(kind) for item in site.feed_entry(kind, e)
    ]
    return newest(items)


def site_context(snap, site_url, cache, out_dir):
    """The lookups every page of this build shares (QR codes kept in the cache and in out_dir/.cache/qr)."""
    cache.qr.folder = Path(out_dir) / CACHE_FOLDER / "qr"
    derived = cache.derived.setdefault(str(Path(out_dir)), {})
    kept = cache.stages.setdefault(("context", str(Path(out_dir))), {})
    return SiteContext(snap, site_url, qr=cache.qr, derived=derived, kept=kept)


@dataclass
class RenderState:
    """What render_site left for the next build (kept in memory by the build cache): the digests of the entries
    it made pages for, the pages of every entry, and the entries whose pages link to other pages."""

    digests: dict  # (folder, slug) -> digest (those that failed left out: looked at again)
    rels: set  # site_src paths of every entry's page
    linked: set  # (folder, slug) of the entries whose pages link to others (looked at by every build)


class Changes:
    """What changed since the build this cache rendered last, as render_site works it out: the entries whose
    content changed, appeared or went, and what they touch. ``everything`` when the world itself changed (or
    nothing was rendered before): then every page is worked out again (its memo still spares the rendering)."""

    def __init__(self, everything):
        self.everything = everything
        self.kinds = set()  # kind folders with an entry changed, added or removed
        self.regions = set()  # region pages that show one of them
        self.themes = set()  # theme slugs one of them holds (or held)
        self.removed = []  # rels of item pages whose entries went
        self.all_listings = everything  # every region and theme page to be worked out again

    def touch(self, site, kind, key, entry):
        """An entry changed (``entry`` its new version, or None when it went): what it was and is shown on."""
        self.kinds.add(kind.folder)
        for placed, themes in ((site.before("places", key), site.before("themes", key)),) + (
            ((site.placed(kind, entry), site.themes_of(kind, entry)),) if entry is not None else ()
        ):
            self.regions.update(placed or ())
            self.themes.update(slug for _name, slug in themes or ())
            if kind.shows_below:  # its pages show on every region below its place (a community's lists)
                for slug in placed or ():
                    self.regions |= site.regions.descendants(slug)


def render_site(site, out_dir, cache, handwritten_dir=None, workers=1):
    """Write the generated Markdown of a site context's snapshot into out_dir; return the files changed.

    An edit costs what it changed: an entry whose content and world are as last time is passed over with a
    dictionary lookup, and only the listings that show a changed entry (its section, the regions above it,
    its themes, the home page and feeds) are worked out again."""
    out_dir = Path(out_dir)
    snap = site.snap
    changed = 0
    if handwritten_dir and Path(handwritten_dir).resolve() != out_dir.resolve():
        generated = generated_names()
        for src in Path(handwritten_dir).iterdir():
            if src.name in generated:
                continue
            for path in sorted(src.rglob("*")) if src.is_dir() else [src]:
                rel = path.relative_to(handwritten_dir)
                if path.is_file() and "v" not in rel.parts[1:-1]:  # not our fingerprinted copies (assets/v/)
                    changed += write_if_changed(out_dir, rel.as_posix(), path.read_bytes())
    site.assets = fingerprint_assets(out_dir)
    pages_memo, regions_memo = cache.memo("pages", out_dir), cache.memo("regions", out_dir)
    # What every page may show beyond its own entry: the world, the assets, and what each kind's pages read of
    # other entries (a list names the lists it replaced and that replaced it).
    stamp = (site.shared_state(), tuple(sorted(site.assets.items())))
    before = pages_memo.stamp
    changes = Changes(everything=before is None or (before[0][0], before[1]) != (stamp[0][0], stamp[1]))
    unchanged_kinds = set() if changes.everything else site.unchanged_kinds(before[0], stamp[0])
    shared_same = {kind.folder: kind.name in unchanged_kinds for kind in kinds()}
    if changes.everything:  # every page may be made anew: their QR codes first, side by side
        cache.qr.prepare([site.page_url(k, e["meta"]["slug"]) for k, e in snap.all() if k.qr_code], workers)
    files = {"index.md": render_home(site), "search.md": render_search_page(site)}
    unchanged = set()  # files the memo says are byte-identical to what this cache wrote last time
    # Outputs of items that could not be exported or rendered this time: left exactly as they were.
    held = {f"{folder}/{slug}.md" for folder, slug in snap.held}
    by_folder = {kind.folder: kind for kind in kinds()}
    # What the last build left (RenderState): with it an edit looks only at the entries whose digest changed,
    # those that link to other pages, and every entry of a kind whose shared state changed.
    kept = None if changes.everything else cache.stages.get(("render", str(out_dir)))
    if kept is None:
        looked, gone = snap.all(), []
        kept = RenderState({}, set(), set())
    else:
        whole = [kind for kind in kinds() if not shared_same[kind.folder]]
        looked, gone = snap.present(snap.changed_since(kept.digests) | kept.linked, whole)
        gone = [f"{folder}/{slug}.md" for folder, slug in gone]
    seen, linked, failed = kept.rels, kept.linked, set()  # (kept up to date as entries come and go)
    done = item_pages(site, out_dir, pages_memo, list(looked), changes, shared_same, held, workers)
    files.update(dict.fromkeys(done.files))  # (None: written now, not held — a full build would hold them all)
    unchanged |= done.unchanged
    seen |= done.seen
    linked |= done.linked
    linked -= done.unlinked
    failed |= done.failed
    held |= done.held
    snap.problems += done.problems
    changed += done.changed
    if not changes.everything:
        for rel in gone if kept.digests else [rel for rel in pages_memo.found if rel not in seen]:
            seen.discard(rel)
            folder, _, name = rel.partition("/")
            linked.discard((folder, name[: -len(".md")]))
            if rel not in pages_memo.found:
                continue
            if folder in by_folder:
                changes.touch(site, by_folder[folder], (folder, name[: -len(".md")]), None)
            changes.removed.append(rel)
    if any(kind.item and not shared_same[kind.folder] for kind in kinds()):
        changes.all_listings = True  # what a kind's lines say of other entries changed (a list replaced)
    for kind in kinds():
        rel = f"{kind.folder}/index.md"
        if shared_same[kind.folder] and kind.folder not in changes.kinds and (out_dir / rel).exists():
            files[rel] = None
            unchanged.add(rel)
            continue
        entries = site.entries(kind)
        limit = SECTION_LATEST if kind.item else None
        top = site.newest(kind, entries, limit)
        lines = latest_lines(top, lambda e, kind=kind: kind.line(site, e), limit, total=len(entries))
        files[rel] = render_section_index(site, kind.folder, section_title(site, kind), lines)
    region_pages = [s for s in site.regions.nodes if site.has_page(s)]
    for slug in region_pages:
        rel = f"regions/{slug}.md"
        if not changes.all_listings and slug not in changes.regions and rel in regions_memo.found:
            files[rel] = None
            unchanged.add(rel)
            continue
        if site.in_region.count(slug) > REGION_FULL_LIST:  # made from its newest few, not keyed by every item
            files[rel] = render_region(site, slug)
            regions_memo.found[rel] = (None, None)  # (made whenever it shows a changed item)
            continue
        files[rel], hit = regions_memo.get(
            rel, region_key(site, slug), lambda slug=slug: render_region(site, slug), out_dir / rel
        )
        if hit:
            unchanged.add(rel)

    def tree(parent=None, depth=0):
        lines = []
        for slug in site.regions.children.get(parent, []):
            if site.has_page(slug):
                lines.append("    " * depth + f"- [{inline(site.region_name(slug))}]({page_slug(slug)}.md)")
                lines += tree(slug, depth + 1)
        return lines

    files["regions/index.md"] = render_section_index(site, "regions", "按地区浏览", tree())
    files.update(render_themes(site, only=None if changes.all_listings else changes.themes))
    settings = snap.site.get("settings", {})
    name, description = settings.get("name") or "基层", settings.get("description", "")
    files.update(render_feeds(feed_entries(site), site.site_url, name, description))
    # Every page: those made or passed over now, and every other entry's (as the last build left it).
    pages = (seen - {f"{folder}/{slug}.md" for folder, slug in failed}) | {rel for rel in files if rel.endswith(".md")}
    files.update(render_redirects(site, pages))
    pages |= {rel for rel in held if rel.endswith(".md") and rel not in files and (out_dir / rel).exists()}
    files.update(sitemap_files(site.site_url, pages, cache.memo("sitemap", out_dir)))
    files[SITE_CONFIG] = dump_yaml(site_config(site))
    if changes.everything:
        pages_memo.keep_only(files)
        regions_memo.keep_only(files)
    else:
        for rel in changes.removed:
            pages_memo.found.pop(rel, None)
        site.forget([tuple(rel[: -len(".md")].split("/", 1)) for rel in changes.removed])
        regions_memo.keep_only({f"regions/{slug}.md" for slug in region_pages})
    pages_memo.stamp = stamp
    # (the snapshot's own: the next build's stages work out what changed since it once; those that failed are
    # left out, to be looked at again)
    kept.digests = snap.digests if not failed else {k: v for k, v in snap.digests.items() if k not in failed}
    cache.stages[("render", str(out_dir))] = kept

    for rel, text in files.items():
        if rel in held or text is None or (rel in unchanged and (out_dir / rel).exists()):
            continue
        changed += write_page(out_dir, rel, text, held, snap.problems)
    if changes.everything:  # anything of ours site_src holds that this build did not make goes
        for top in [kind.folder for kind in kinds()] + ["regions", "themes"]:
            for stale in (out_dir / top).glob("*.md"):
                rel = f"{top}/{stale.name}"
                if rel not in files and rel not in held:
                    remove(stale)
                    changed += 1
    else:  # the pages of entries that went, regions and themes that no longer have one
        gone = [rel for rel in changes.removed if rel not in held]
        regions = site.regions.nodes if changes.all_listings else changes.regions
        gone += [f"regions/{slug}.md" for slug in regions if f"regions/{slug}.md" not in files]
        themes = {p.stem for p in (out_dir / "themes").glob("*.md")} if changes.all_listings else changes.themes
        gone += [f"themes/{slug}.md" for slug in themes if f"themes/{slug}.md" not in files]
        for rel in gone:
            if (out_dir / rel).exists():
                remove(out_dir / rel)
                changed += 1
    for stale in (out_dir / SITEMAPS).glob("*.xml"):  # a few files: those of a smaller site go
        if f"{SITEMAPS}/{stale.name}" not in files:
            remove(stale)
            changed += 1
    # Images and annexes no public content uses any more leave site_src, and so the site.
    made, renditions = write_renditions(snap.images, out_dir)
    changed += made + sync_files(snap.images, out_dir, "media", keep=renditions)
    changed += sync_files(snap.documents, out_dir, "annexes")
    return changed
