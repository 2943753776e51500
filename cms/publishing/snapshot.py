"""Wagtail <-> portable dicts: what is published leaves; what a content folder says comes in.

``export_snapshot`` reads only live, public pages' published content (the page rows, never
draft revisions), and is what both ``dump_content`` and ``build_site`` start from.
``load_folder`` validates a whole folder first and then writes it in one transaction, so bad input
saves nothing.
"""

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from wagtail.contrib.redirects.models import Redirect
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction

from cms.cases.models import (
    CaseCollectionIndexPage,
    CaseCollectionPage,
    CaseStudyIndexPage,
    CaseStudyPage,
)
from cms.core.models import DisclosureFields, HomePage, Region
from cms.core.validation import UNUSABLE
from cms.lists.models import DutyListIndexPage, DutyListPage
from cms.signage.models import SignageNoticeIndexPage, SignageNoticePage

from .files import UnsafePath, check_relative, write_if_changed
from .portable import (
    KIND_DIRS,
    blocks_to_markdown,
    canonical_blocks,
    compact,
    copy_images,
    dump_yaml,
    number_out,
    write_document,
)
from .problems import failure_reason, item_label

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
    images: dict = field(default_factory=dict)  # "media/<sha1>.<ext>" -> Image
    documents: dict = field(default_factory=dict)  # documents public content uses (none link any yet)
    redirects: list = field(default_factory=list)  # [{"from": "/cases/old/", "to": "/cases/new/"}]
    collections: list = field(default_factory=list)  # curated sets of cases (not items: no region, no API kind)
    # Public pages that could not be exported this time: their outputs stay as they were ({(folder, slug)}),
    # and why ([{"item", "reason"}], in Chinese, for the build log).
    held: set = field(default_factory=set)
    problems: list = field(default_factory=list)

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
        # The last version of each page that exported well, kept when the entries are cleared: a page that
        # fails to export falls back to it (its previous page stays on the site).
        self.last_good = {}

    def fresh(self, token):
        if token != self.token:
            self.last_good.update(self.entries)
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
        get_image_model().objects.order_by("pk").values_list("pk", "file", "file_hash"),
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


IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif", ".heic"}


def image_key(image):
    """Where an image goes in a content folder and the site: named by its content (SHA-1), never its title.

    The same file always gets the same name, so a restored backup writes byte-identical folders and sites.
    """
    suffix = Path(image.file.name).suffix.lower()
    return f"media/{image.get_file_hash()}{suffix if suffix in IMAGE_SUFFIXES else ''}"


def _image_path(image, images):
    if image is None:
        return ""
    key = image_key(image)
    images[key] = image
    return key


def _body_blocks(stream, images):
    Image = get_image_model()
    blocks = []
    for raw in stream.raw_data:
        value = raw["value"]
        if raw["type"] in ("heading", "paragraph"):
            value = value if isinstance(value, str) else ""
        elif not isinstance(value, dict):
            continue
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
    return canonical_blocks(blocks)


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


def sanitized(value):
    """A copy of exported data without characters no file or page may hold (see ``validation.UNUSABLE``).

    The gate keeps them out; whatever got in before it (or around it) still cannot stop a build or a restore.
    """
    if isinstance(value, str):
        if "\r" in value:  # the portable format reads every line break as \n
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return UNUSABLE.sub("", value) if UNUSABLE.search(value) else value
    if isinstance(value, dict):
        return {k: sanitized(v) for k, v in value.items()}
    if isinstance(value, list):
        return [sanitized(v) for v in value]
    return value


def export_snapshot(cache=None):
    """The public content of the CMS, ready to write as files or render as a site.

    With a cache, pages whose row is unchanged since the previous export are not loaded again. A page that
    cannot be exported is left out and listed in ``snap.problems``; its outputs are held as they were.
    """
    snap = Snapshot(regions=sanitized(serialize_regions()))
    home = HomePage.objects.live().first()
    if home:
        snap.site["home"] = sanitized({"title": home.title, "intro": home.intro})
    for key, (model, _slug) in SECTIONS.items():
        index = model.objects.live().first()
        if index:
            snap.site[key] = sanitized(compact({"title": index.title, "intro": index.intro}))
    if cache is not None:
        cache.fresh(_shared_token())
    image_pks = {}  # key -> image pk, for cached entries (their Image objects are fetched once below)
    public = set()  # (model label, pk) of every public page
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
        for pk, slug, key in rows:
            if pk in loaded:
                images = {}
                try:
                    entry = sanitized(serialize(loaded[pk], images))
                    check_relative(f"{attr}/{entry['meta']['slug']}.md")  # its slug will name files
                except Exception as exc:  # one page's content must not stop the others
                    previous = None
                    if cache is not None:
                        previous = cache.entries.get((label, pk)) or cache.last_good.get((label, pk))
                    reason = failure_reason(exc)
                    if previous is not None:  # the version this process published last stays
                        _key, entry, keys = previous
                        image_pks.update(keys)
                        entries.append(entry)
                        reason += "（网站保留其上一版本）"
                    else:
                        snap.held.add((attr, slug))
                    title = loaded[pk].title
                    label_text = item_label(model._meta.verbose_name, title, attr, slug)
                    snap.problems.append({"item": label_text, "reason": reason})
                    continue
                snap.images.update(images)
                if cache is not None:
                    cache.entries[(label, pk)] = (key, entry, {k: image.pk for k, image in images.items()})
                    cache.last_good.pop((label, pk), None)
            else:
                _key, entry, keys = cache.entries[(label, pk)]
                image_pks.update(keys)
            entries.append(entry)
        setattr(snap, attr, entries)
        public.update((label, pk) for pk, _slug, _key in rows)
    if cache is not None:  # versions of pages no longer public are not needed to fall back on
        cache.last_good = {key: value for key, value in cache.last_good.items() if key in public}
    snap.redirects = serialize_redirects(public_urls)
    # A list may name as its predecessor a list that is not public: the link stays in the CMS, not outside.
    public_lists = {entry["meta"]["slug"] for entry in snap.lists}
    for n, entry in enumerate(snap.lists):
        old = entry["meta"].get("supersedes")
        if old and old not in public_lists:
            snap.lists[n] = {**entry, "meta": {k: v for k, v in entry["meta"].items() if k != "supersedes"}}
    # A collection may name a case that is no longer public: that entry stays in the CMS, not on the site.
    public_cases = {entry["meta"]["slug"] for entry in snap.cases}
    for n, entry in enumerate(snap.collections):
        kept = [e for e in entry["meta"].get("entries", []) if e["case"] in public_cases]
        if len(kept) != len(entry["meta"].get("entries", [])):
            snap.collections[n] = {**entry, "meta": compact({**entry["meta"], "entries": kept})}
    missing = {pk for key, pk in image_pks.items() if key not in snap.images}
    for image in get_image_model().objects.filter(pk__in=missing):
        snap.images[image_key(image)] = image
    return snap


def write_folder(snap, folder):
    """Write a snapshot as a content folder; files no longer in the CMS are removed.

    Every name is the system's (slugs the CMS validated, content digests of images) and checked to stay
    inside the folder; an item whose name is unusable is reported in ``snap.problems`` and left out.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_if_changed(folder, "regions.yaml", dump_yaml(snap.regions))
    write_if_changed(folder, "site.yaml", dump_yaml(snap.site))
    if snap.redirects:
        write_if_changed(folder, "redirects.yaml", dump_yaml(snap.redirects))
    elif (folder / "redirects.yaml").exists():
        (folder / "redirects.yaml").unlink()
    for dirname in KIND_DIRS.values():
        (folder / dirname).mkdir(exist_ok=True)
        keep = set()
        for entry in getattr(snap, dirname):
            name = f"{entry['meta']['slug']}.md"
            body = entry["text"] if "text" in entry else blocks_to_markdown(entry["blocks"])
            try:
                write_document(folder, f"{dirname}/{name}", entry["meta"], body)
            except UnsafePath as exc:
                snap.problems.append({"item": f"{dirname}/{entry['meta']['slug'][:60]}", "reason": str(exc)})
                continue
            keep.add(name)
        for stale in (folder / dirname).glob("*.md"):
            if stale.name not in keep:
                stale.unlink()
    copy_images(snap.images, folder)
