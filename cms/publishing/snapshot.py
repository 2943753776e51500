"""Wagtail <-> portable dicts: what is published leaves; what a content folder says comes in.

``export_snapshot`` reads only live, public pages' published content (the page rows, never
draft revisions), and is what both ``dump_content`` and ``build_site`` start from.
``load_folder`` validates a whole folder first and then writes it in one transaction, so bad input
saves nothing.
"""

import hashlib
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction

from wagtail.blocks.stream_block import StreamValue
from wagtail.contrib.redirects.models import Redirect
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction, Site

from cms.cases.models import (
    CaseCollectionEntry,
    CaseCollectionIndexPage,
    CaseCollectionPage,
    CaseKeyFigure,
    CasePolicyDocument,
    CasePractice,
    CaseStudyIndexPage,
    CaseStudyPage,
)
from cms.core.forms import unusable_character
from cms.core.models import DisclosureFields, HomePage, Region
from cms.lists.models import DutyListIndexPage, DutyListPage, ListItem, ListKind, item_errors
from cms.signage.models import NoticePhoto, RetainedSign, SignageNoticeIndexPage, SignageNoticePage

from .portable import (
    KIND_DIRS,
    ContentError,
    as_date,
    blocks_to_markdown,
    compact,
    copy_images,
    dump_yaml,
    load_yaml,
    markdown_to_blocks,
    number_out,
    read_document,
    write_document,
    write_if_changed,
)

LEVELS = {str(label): value for value, label in Region.Level.choices}
LEVEL_LABELS = {value: str(label) for value, label in Region.Level.choices}
SECTIONS = {
    "cases": (CaseStudyIndexPage, "cases"),
    "lists": (DutyListIndexPage, "lists"),
    "notices": (SignageNoticeIndexPage, "notices"),
    "collections": (CaseCollectionIndexPage, "collections"),
}


@dataclass
class Snapshot:
    """Everything public, as portable dicts in a stable order."""

    regions: list = field(default_factory=list)
    site: dict = field(default_factory=dict)
    cases: list = field(default_factory=list)
    lists: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    images: dict = field(default_factory=dict)  # "media/name" -> Image
    redirects: list = field(default_factory=list)  # [{"from": "/cases/old/", "to": "/cases/new/"}]
    collections: list = field(default_factory=list)  # curated sets of cases (not items: no region, no API kind)

    def items(self):
        for kind, entries in (("case", self.cases), ("list", self.lists), ("notice", self.notices)):
            for entry in entries:
                yield kind, entry


# --- out: Wagtail -> dicts ---------------------------------------------------------------------


# Fields of a page row that change whenever its published content may have changed.
CACHE_KEY_FIELDS = ("live_revision_id", "last_published_at", "latest_revision_id", "title", "slug", "url_path")


def public_rows(model):
    """(pk, slug, cache key) of live pages without view restrictions whose ancestors are all live."""
    rows = list(model.objects.live().public().values_list("pk", "path", *CACHE_KEY_FIELDS))
    if not rows:
        return []
    hidden = list(Page.objects.filter(live=False).values_list("path", flat=True))
    hidden += list(PageViewRestriction.objects.values_list("page__path", flat=True))
    visible = [row for row in rows if not any(row[1].startswith(h) for h in hidden)]
    slug_at = 2 + CACHE_KEY_FIELDS.index("slug")
    return sorted(((row[0], row[slug_at], tuple(row[2:])) for row in visible), key=lambda r: r[1])


def public_pages(model, select=(), prefetch=()):
    """Live pages of a type, without view restrictions and with every ancestor live."""
    pks = [pk for pk, _slug, _key in public_rows(model)]
    return sorted(_load(model, pks, select, prefetch).values(), key=lambda p: p.slug)


def _load(model, pks, select, prefetch):
    pages = {}
    for start in range(0, len(pks), 500):
        chunk = (
            model.objects.filter(pk__in=pks[start : start + 500]).select_related(*select).prefetch_related(*prefetch)
        )
        pages.update((page.pk, page) for page in chunk)
    return pages


class ExportCache:
    """Entries of pages unchanged since the last export, reused by the next build in this process."""

    def __init__(self):
        self.token = None
        self.entries = {}  # (model label, pk) -> (key, entry, image keys)

    def fresh(self, token):
        if token != self.token:
            self.entries.clear()
            self.token = token


def _shared_token():
    """Changes whenever something an entry refers to by name changes (regions, themes, lists, images)."""
    from taggit.models import Tag

    digest = hashlib.sha256()
    for rows in (
        Region.objects.order_by("pk").values_list("pk", "slug"),
        Tag.objects.order_by("pk").values_list("pk", "name"),
        DutyListPage.objects.order_by("pk").values_list("pk", "slug"),
        get_image_model().objects.order_by("pk").values_list("pk", "title"),
    ):
        digest.update(repr(list(rows)).encode())
    return digest.hexdigest()


def serialize_regions():
    regions = list(Region.objects.all())
    children = {}
    for region in regions:
        children.setdefault(region.parent_id, []).append(region)

    def node(region):
        data = {"name": region.name, "slug": region.slug, "level": LEVEL_LABELS[region.level]}
        if region.code:
            data["code"] = region.code
        kids = sorted(children.get(region.pk, []), key=lambda r: r.slug)
        if kids:
            data["children"] = [node(k) for k in kids]
        return data

    return [node(r) for r in sorted(children.get(None, []), key=lambda r: r.slug)]


def _image_path(image, images):
    if image is None:
        return ""
    key = f"media/{image.title}"
    images[key] = image
    return key


def _body_blocks(stream, images):
    Image = get_image_model()
    blocks = []
    for raw in stream.raw_data:
        value = raw["value"]
        if raw["type"] == "figure":
            image = Image.objects.filter(pk=value.get("image")).first() if value.get("image") else None
            value = {
                "caption": value.get("caption") or "",
                "image": _image_path(image, images),
                "credit": value.get("credit") or "",
            }
        elif raw["type"] == "quote":
            value = {"text": value.get("text", ""), "attribution": value.get("attribution") or ""}
        blocks.append({"type": raw["type"], "value": value})
    return blocks


def _disclosure(page):
    return compact({name: getattr(page, name) for name in DisclosureFields.DISCLOSURE_FIELDS})


def serialize_case(page, images):
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
    }
    return {"meta": compact(meta), "blocks": _body_blocks(page.body, images)}


def serialize_list(page, images):
    items = []
    for item in page.items.all():
        items.append(
            compact(
                {
                    "number": item.number,
                    "category": item.category,
                    "name": item.name,
                    "content": item.content,
                    "basis": [compact(dict(b.value)) for b in item.basis],
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
        "disclosure": _disclosure(page),
        "items": items,
    }
    return {"meta": compact(meta), "text": page.intro.strip()}


def serialize_notice(page, images):
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
            compact({"image": _image_path(p.image, images), "phase": p.phase, "caption": p.caption})
            for p in page.photos.all()
        ],
        "disclosure": _disclosure(page),
    }
    return {"meta": compact(meta), "blocks": _body_blocks(page.body, images)}


def serialize_collection(page, images):
    meta = {
        "id": str(page.translation_key),
        "slug": page.slug,
        "title": page.title,
        "audience": page.audience,
        "entries": [compact({"case": e.case.slug, "note": e.note}) for e in page.entries.all()],
    }
    return {"meta": compact(meta), "text": page.intro.strip()}


SERIALIZERS = (
    (
        "cases",
        CaseStudyPage,
        serialize_case,
        ["region"],
        ["communities", "themes", "practices", "key_figures", "policy_documents"],
    ),
    ("lists", DutyListPage, serialize_list, ["region", "supersedes"], ["items"]),
    ("notices", SignageNoticePage, serialize_notice, ["community"], ["retained_signs", "photos__image"]),
    ("collections", CaseCollectionPage, serialize_collection, [], ["entries__case"]),
)


REDIRECT_PATH = re.compile(r"^/(cases|lists|notices)/([-\w]+)/?$")  # Wagtail slugs: letters, digits, _ and -


def serialize_redirects(public_urls):
    """Old addresses of public pages (Wagtail records one whenever a published page's slug changes).

    Only redirects to pages in this export leave the CMS: one to a draft would reveal its address.
    """
    out = {}
    rows = Redirect.objects.filter(redirect_page__isnull=False).values_list("old_path", "redirect_page_id")
    for old_path, page_id in rows.order_by("old_path", "pk"):
        match = REDIRECT_PATH.match(old_path)
        target = public_urls.get(page_id)
        old = f"/{match[1]}/{match[2]}/" if match else None
        if old and target and old != target and old not in public_urls.values():
            out.setdefault(old, target)
    return [{"from": old, "to": target} for old, target in sorted(out.items())]


def export_snapshot(cache=None):
    """The public content of the CMS, ready to write as files or render as a site.

    With a cache, pages whose row is unchanged since the previous export are not loaded again.
    """
    snap = Snapshot(regions=serialize_regions())
    home = HomePage.objects.live().first()
    if home:
        snap.site["home"] = {"title": home.title, "intro": home.intro}
    for key, (model, _slug) in SECTIONS.items():
        index = model.objects.live().first()
        if index:
            snap.site[key] = compact({"title": index.title, "intro": index.intro})
    if cache is not None:
        cache.fresh(_shared_token())
    image_keys = set()
    public_urls = {}  # page pk -> its public URL path
    for attr, model, serialize, select, prefetch in SERIALIZERS:
        rows = public_rows(model)
        public_urls.update((pk, f"/{attr}/{slug}/") for pk, slug, _key in rows)
        label = model._meta.label
        # Collections name their cases by slug, which may change without the collection's row changing:
        # they are few, so they are always read afresh.
        fresh = cache is None or model is CaseCollectionPage
        stale = [pk for pk, _slug, key in rows if fresh or cache.entries.get((label, pk), (None,))[0] != key]
        loaded = _load(model, stale, select, prefetch)
        entries = []
        for pk, _slug, key in rows:
            if pk in loaded:
                images = {}
                entry = serialize(loaded[pk], images)
                snap.images.update(images)
                if cache is not None:
                    cache.entries[(label, pk)] = (key, entry, sorted(images))
            else:
                _key, entry, keys = cache.entries[(label, pk)]
                image_keys.update(keys)
            entries.append(entry)
        setattr(snap, attr, entries)
    snap.redirects = serialize_redirects(public_urls)
    # A collection may name a case that is no longer public: that entry stays in the CMS, not on the site.
    public_cases = {entry["meta"]["slug"] for entry in snap.cases}
    for n, entry in enumerate(snap.collections):
        kept = [e for e in entry["meta"].get("entries", []) if e["case"] in public_cases]
        if len(kept) != len(entry["meta"].get("entries", [])):
            snap.collections[n] = {**entry, "meta": compact({**entry["meta"], "entries": kept})}
    missing = {k[len("media/") :] for k in image_keys if k not in snap.images}
    for image in get_image_model().objects.filter(title__in=missing):
        snap.images[f"media/{image.title}"] = image
    return snap


def write_folder(snap, folder):
    """Write a snapshot as a content folder; files no longer in the CMS are removed."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_if_changed(folder / "regions.yaml", dump_yaml(snap.regions))
    write_if_changed(folder / "site.yaml", dump_yaml(snap.site))
    if snap.redirects:
        write_if_changed(folder / "redirects.yaml", dump_yaml(snap.redirects))
    elif (folder / "redirects.yaml").exists():
        (folder / "redirects.yaml").unlink()
    for dirname in KIND_DIRS.values():
        target = folder / dirname
        target.mkdir(exist_ok=True)
        entries = getattr(snap, dirname)
        keep = set()
        for entry in entries:
            name = f"{entry['meta']['slug']}.md"
            keep.add(name)
            body = entry["text"] if "text" in entry else blocks_to_markdown(entry["blocks"])
            write_document(target / name, entry["meta"], body)
        for stale in target.glob("*.md"):
            if stale.name not in keep:
                stale.unlink()
    copy_images(snap.images, folder)


# --- in: files -> dicts -> Wagtail ----------------------------------------------------------


def read_folder(folder):
    """Parse and check a content folder without touching the database."""
    folder = Path(folder)
    snap = Snapshot()
    regions_file = folder / "regions.yaml"
    if regions_file.exists():
        snap.regions = load_yaml(regions_file.read_text(encoding="utf-8"), regions_file) or []
    site_file = folder / "site.yaml"
    if site_file.exists():
        snap.site = load_yaml(site_file.read_text(encoding="utf-8"), site_file) or {}
    for kind, dirname in KIND_DIRS.items():
        for path in sorted((folder / dirname).glob("*.md")):
            doc = read_document(path)
            _require(doc.meta, path, ["id", "slug", "title"])
            try:
                uuid.UUID(str(doc.meta["id"]))
            except ValueError as exc:
                raise ContentError(path, f"id“{doc.meta['id']}”不是有效的 UUID") from exc
            if doc.meta["slug"] != path.stem:
                raise ContentError(path, f"slug“{doc.meta['slug']}”必须与文件名“{path.stem}”一致")
            _check_text(doc.meta, path)
            _check_text(doc.body, path)
            entry = {"meta": doc.meta, "path": path}
            if kind in ("list", "collection"):
                entry["text"] = doc.body
            else:
                entry["blocks"] = markdown_to_blocks(doc.body, path)
            getattr(snap, dirname).append(entry)
    redirects_file = folder / "redirects.yaml"
    if redirects_file.exists():
        snap.redirects = load_yaml(redirects_file.read_text(encoding="utf-8"), redirects_file) or []
        if not isinstance(snap.redirects, list):
            raise ContentError(redirects_file, "应为一个列表，每项包含 from 和 to")
        for n, item in enumerate(snap.redirects, start=1):
            for key in ("from", "to"):
                value = item.get(key) if isinstance(item, dict) else None
                if not isinstance(value, str) or not REDIRECT_PATH.match(value):
                    raise ContentError(
                        redirects_file, f"第 {n} 项的“{key}”应为 /cases/…/、/lists/…/ 或 /notices/…/ 形式的网址路径"
                    )
    seen = {}
    for entry in [e for _kind, e in snap.items()] + snap.collections:
        key = str(entry["meta"]["id"])
        if key in seen:
            raise ContentError(entry["path"], f"id 与 {seen[key]} 重复")
        seen[key] = entry["path"]
    return snap


def _check_text(value, path, field=""):
    """Reject text no file or page can hold: lone UTF-16 surrogates and control characters."""
    if isinstance(value, dict):
        for key, item in value.items():
            _check_text(item, path, f"{field}.{key}" if field else str(key))
    elif isinstance(value, list):
        for n, item in enumerate(value, start=1):
            _check_text(item, path, f"{field}[{n}]")
    elif isinstance(value, str) and (ch := unusable_character(value)):
        where = f"字段“{field}”" if field else "正文"
        raise ContentError(path, f"{where}含有无效字符 U+{ord(ch):04X}，请删除后重试")


def _require(meta, path, keys):
    for key in keys:
        if meta.get(key) in (None, ""):
            raise ContentError(path, f"缺少必填字段“{key}”")


def _normalize(value):
    if isinstance(value, dict):
        return {k: _normalize(v) for k, v in value.items() if v not in (None, "", [], {}, False)}
    if isinstance(value, list):
        return [_normalize(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _same(existing, entry):
    """True when a page already holds exactly what the file says (so loading again changes nothing)."""
    wanted = dict(entry["meta"])
    for key in ("communities", "themes"):  # stored as sets; files may list them in any order
        if isinstance(wanted.get(key), list):
            wanted[key] = sorted(wanted[key])
    if _normalize(existing["meta"]) != _normalize(wanted):
        return False
    if "text" in entry:
        return existing["text"] == entry["text"].strip()
    return blocks_to_markdown(existing["blocks"]) == blocks_to_markdown(entry["blocks"])


class Loader:
    """Applies a parsed content folder to Wagtail; returns counts of what it created and changed."""

    def __init__(self, folder, stdout=None):
        self.folder = Path(folder)
        self.stdout = stdout
        self.stats = {"created": 0, "updated": 0, "unchanged": 0}
        self.regions = {}
        self.images = {}

    def say(self, message):
        if self.stdout:
            self.stdout.write(message)

    def run(self):
        snap = read_folder(self.folder)
        with transaction.atomic():
            self.load_regions(snap.regions)
            sections = self.load_site(snap.site)
            total = len(snap.cases) + len(snap.lists) + len(snap.notices) + len(snap.collections)
            done = 0
            for kind, entries, index in (
                ("case", snap.cases, sections["cases"]),
                ("list", snap.lists, sections["lists"]),
                ("notice", snap.notices, sections["notices"]),
                ("collection", snap.collections, sections["collections"]),  # after the cases they name
            ):
                for entry in entries:
                    self.load_page(kind, entry, index)
                    done += 1
                    self.say(f"[{done}/{total}] {entry['path'].relative_to(self.folder)}")
            for entry in snap.lists:
                self.link_supersedes(entry)
            self.load_redirects(snap.redirects)
        return self.stats

    def load_redirects(self, redirects):
        path = self.folder / "redirects.yaml"
        models = {"cases": CaseStudyPage, "lists": DutyListPage, "notices": SignageNoticePage}
        for n, item in enumerate(redirects, start=1):
            section, slug = REDIRECT_PATH.match(item["to"]).groups()
            page = models[section].objects.filter(slug=slug).first()
            if page is None:
                raise ContentError(path, f"第 {n} 项指向的页面“{item['to']}”不存在")
            old_path = Redirect.normalise_path(item["from"])
            existing = Redirect.objects.filter(old_path=old_path).first()
            if existing is None:
                Redirect.objects.create(old_path=old_path, redirect_page=page)
            elif existing.redirect_page_id != page.pk:
                existing.redirect_page = page
                existing.save()

    # regions
    def load_regions(self, tree, parent=None, path="regions.yaml"):
        path = self.folder / "regions.yaml"
        for node in tree or []:
            if not isinstance(node, dict):
                raise ContentError(path, f"地区条目格式不对：{node!r}")
            _require(node, path, ["name", "slug", "level"])
            level = LEVELS.get(node["level"])
            if level is None:
                raise ContentError(
                    path, f"地区“{node['name']}”的层级“{node['level']}”无效，应为 省/市/区县/街道乡镇/社区"
                )
            region = Region.objects.filter(slug=node["slug"]).first() or Region(slug=node["slug"])
            wanted = {"name": node["name"], "level": level, "parent": parent, "code": str(node.get("code", ""))}
            if region.pk is None or any(getattr(region, k) != v for k, v in wanted.items()):
                for key, value in wanted.items():
                    setattr(region, key, value)
                self._clean(region, path)
                region.save()
            self.regions[region.slug] = region
            self.load_regions(node.get("children"), region)

    def region(self, slug, path, field):
        if slug in self.regions:
            return self.regions[slug]
        region = Region.objects.filter(slug=slug).first()
        if region is None:
            raise ContentError(path, f"字段“{field}”引用的地区“{slug}”不存在，请先在 regions.yaml 中添加")
        self.regions[slug] = region
        return region

    # home and section pages
    def load_site(self, site):
        root = Page.get_first_root_node()
        # Wagtail's install creates a placeholder "Welcome" page; our home page replaces it.
        Page.objects.filter(depth=2, content_type__app_label="wagtailcore").delete()
        home = HomePage.objects.first()
        home_data = site.get("home", {})
        if home is None:
            home = HomePage(title=home_data.get("title", "首页"), slug="home", intro=home_data.get("intro", ""))
            root.add_child(instance=home)
            home.save_revision().publish()
        elif home_data and (home.title, home.intro) != (home_data.get("title", home.title), home_data.get("intro", "")):
            home.title, home.intro = home_data.get("title", home.title), home_data.get("intro", "")
            home.save_revision().publish()
        site_obj = Site.objects.filter(is_default_site=True).first()
        if site_obj is None:
            Site.objects.create(hostname="localhost", root_page=home, is_default_site=True, site_name="基层")
        elif site_obj.root_page_id != home.pk:
            site_obj.root_page = home
            site_obj.save()
        sections = {}
        for key, (model, slug) in SECTIONS.items():
            data = site.get(key, {})
            index = model.objects.first()
            if index is None:
                index = model(title=data.get("title", key), slug=slug, intro=data.get("intro", ""))
                home.add_child(instance=index)
                index.save_revision().publish()
            elif data and (index.title, index.intro) != (data.get("title", index.title), data.get("intro", "")):
                index.title, index.intro = data.get("title", index.title), data.get("intro", "")
                index.save_revision().publish()
            sections[key] = index
        return sections

    # pages
    def load_page(self, kind, entry, index):
        meta, path = entry["meta"], entry["path"]
        model = {
            "case": CaseStudyPage,
            "list": DutyListPage,
            "notice": SignageNoticePage,
            "collection": CaseCollectionPage,
        }[kind]
        key = uuid.UUID(str(meta["id"]))
        page = model.objects.filter(translation_key=key).first()
        if page is not None and page.live and not page.has_unpublished_changes:
            serialize = {
                "case": serialize_case,
                "list": serialize_list,
                "notice": serialize_notice,
                "collection": serialize_collection,
            }[kind]
            if _same(serialize(page, {}), entry):
                self.stats["unchanged"] += 1
                return page
        created = page is None
        if created:
            page = model(translation_key=key, locale=index.locale)
        page.title, page.slug = meta["title"], meta["slug"]
        getattr(self, f"apply_{kind}")(page, meta, entry, path)
        try:
            if created:
                index.add_child(instance=page)
            else:
                page.save()
        except ValidationError as exc:
            raise ContentError(path, _validation_text(exc)) from exc
        page.save_revision().publish()
        self.stats["created" if created else "updated"] += 1
        return page

    def _clean(self, obj, path):
        try:
            obj.full_clean()
        except ValidationError as exc:
            raise ContentError(path, _validation_text(exc)) from exc

    def stream(self, page, field_name, blocks, path):
        raw = []
        for block in blocks:
            value = block["value"]
            if block["type"] == "figure":
                value = dict(value, image=self.image(value.get("image"), path))
            raw.append({"type": block["type"], "value": value})
        stream_block = page._meta.get_field(field_name).stream_block
        setattr(page, field_name, StreamValue(stream_block, raw, is_lazy=True))

    def image(self, ref, path):
        if not ref:
            return None
        if ref in self.images:
            return self.images[ref]
        Image = get_image_model()
        name = Path(ref).name
        image = Image.objects.filter(title=name).first()
        if image is None:
            source = self.folder / "media" / name
            if not ref.startswith("media/") or not source.is_file():
                raise ContentError(path, f"找不到图片文件“{ref}”（应放在 media/ 目录下）")
            with source.open("rb") as fh:
                image = Image(title=name)
                image.file = File(fh, name=name)
                image.save()
        self.images[ref] = image.pk
        return image.pk

    def apply_case(self, page, meta, entry, path):
        _require(meta, path, ["region", "summary"])
        source = meta.get("source") or {}
        _require(source, path, ["publisher"])
        page.region = self.region(meta["region"], path, "region")
        page.summary = meta["summary"]
        page.source_publisher = source["publisher"]
        page.source_date = as_date(source.get("date"), path, "source.date")
        page.source_edition = source.get("edition", "")
        page.source_byline = source.get("byline", "")
        page.source_url = source.get("url", "")
        page.communities = [self.region(s, path, "communities") for s in meta.get("communities", [])]
        page.themes.set(meta.get("themes", []))
        page.practices = ordered(
            [CasePractice(name=p["name"], description=p.get("description", "")) for p in meta.get("practices", [])]
        )
        page.key_figures = ordered([self.key_figure(f, path) for f in meta.get("key_figures", [])])
        page.policy_documents = ordered(
            [CasePolicyDocument(number=d.get("number", ""), title=d["title"]) for d in meta.get("policy_documents", [])]
        )
        self.stream(page, "body", entry["blocks"], path)

    def key_figure(self, data, path):
        try:
            value = Decimal(str(data["value"]))
            before = Decimal(str(data["before"])) if data.get("before") is not None else None
        except (KeyError, InvalidOperation) as exc:
            raise ContentError(path, f"关键数字“{data.get('label', '')}”的数值无效：{data.get('value')!r}") from exc
        return CaseKeyFigure(
            label=data.get("label", ""),
            value=value,
            unit=data.get("unit", ""),
            before=before,
            approximate=bool(data.get("approximate")),
        )

    def apply_disclosure(self, page, meta, path):
        data = meta.get("disclosure") or {}
        for name in DisclosureFields.DISCLOSURE_FIELDS:
            if name in DisclosureFields.DATE_FIELDS:
                setattr(page, name, as_date(data.get(name), path, f"disclosure.{name}"))
            else:
                setattr(page, name, data.get(name) or "")

    def apply_list(self, page, meta, entry, path):
        _require(meta, path, ["region", "list_kind"])
        if meta["list_kind"] not in ListKind.values:
            raise ContentError(path, f"未知的清单类别“{meta['list_kind']}”，可用：{'、'.join(ListKind.values)}")
        page.region = self.region(meta["region"], path, "region")
        page.list_kind = meta["list_kind"]
        page.scope = meta.get("scope", "all")
        page.version_label = meta.get("version_label", "")
        page.issuing_bodies = "\n".join(meta.get("issuing_bodies", []))
        page.intro = entry["text"].strip()
        self.apply_disclosure(page, meta, path)
        items = []
        for row, data in enumerate(meta.get("items", []), start=1):
            if not isinstance(data, dict) or not data.get("name"):
                raise ContentError(path, f"items 第{row}条缺少“name”（事项名称）")
            if not isinstance(data.get("number"), int):
                raise ContentError(path, f"items 第{row}条（{data['name']}）的序号“number”必须是整数")
            item = ListItem(**{k: data.get(k, "") for k in ListItem.TEXT_FIELDS})
            item.number = data["number"]
            item.basis = [
                ("basis", {"text": b.get("text", ""), "version": b.get("version", "")}) for b in data.get("basis", [])
            ]
            items.append(item)
        errors = item_errors(page.list_kind, items)
        if errors:
            raise ContentError(path, "；".join(str(e) for e in errors))
        page.items = ordered(items)

    def link_supersedes(self, entry):
        meta, path = entry["meta"], entry["path"]
        page = DutyListPage.objects.get(translation_key=uuid.UUID(str(meta["id"])))
        wanted = None
        if meta.get("supersedes"):
            wanted = DutyListPage.objects.filter(slug=meta["supersedes"]).first()
            if wanted is None:
                raise ContentError(path, f"supersedes 引用的清单“{meta['supersedes']}”不存在")
        if page.supersedes_id != (wanted.pk if wanted else None):
            page.supersedes = wanted
            page.save_revision().publish()

    def apply_collection(self, page, meta, entry, path):
        page.intro = entry["text"].strip()
        page.audience = meta.get("audience", "")
        rows = []
        for n, data in enumerate(meta.get("entries", []), start=1):
            slug = data.get("case") if isinstance(data, dict) else None
            case = CaseStudyPage.objects.filter(slug=slug).first() if slug else None
            if case is None:
                raise ContentError(path, f"entries 第{n}条引用的案例“{slug}”不存在")
            rows.append(CaseCollectionEntry(case=case, note=data.get("note", "")))
        if not rows:
            raise ContentError(path, "合集至少要包含一个案例（entries）")
        page.entries = ordered(rows)

    def apply_notice(self, page, meta, entry, path):
        _require(meta, path, ["community", "date"])
        page.community = self.region(meta["community"], path, "community")
        page.notice_date = as_date(meta["date"], path, "date")
        page.round = meta.get("round", "first")
        counts = meta.get("counts") or {}
        page.count_before, page.count_removed, page.count_after = (
            counts.get(k) for k in ("before", "removed", "after")
        )
        page.responsible_body = meta.get("responsible_body", "")
        self.apply_disclosure(page, meta, path)
        page.retained_signs = ordered(
            [
                RetainedSign(kind=s["kind"], text=s["text"], position=s.get("position", ""))
                for s in meta.get("retained_signs", [])
            ]
        )
        page.photos = ordered(
            [
                NoticePhoto(
                    image_id=self.image(p.get("image"), path),
                    phase=p.get("phase", "after"),
                    caption=p.get("caption", ""),
                )
                for p in meta.get("photos", [])
            ]
        )
        self.stream(page, "body", entry["blocks"], path)


def ordered(rows):
    """Child rows in file order: sort_order is what keeps them in that order in every database."""
    for position, row in enumerate(rows):
        row.sort_order = position
    return rows


def _validation_text(exc):
    if hasattr(exc, "message_dict"):
        parts = []
        for name, messages in exc.message_dict.items():
            label = name if name != "__all__" else ""
            parts.append((f"字段“{label}”：" if label else "") + "；".join(str(m) for m in messages))
        return "；".join(parts)
    return "；".join(str(m) for m in exc.messages)
