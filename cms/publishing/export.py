"""Export: the CMS's public content as a snapshot — the one gate every output passes through.

Only live pages without view restrictions, under live ancestors, leave the CMS, and always their published
content (the page rows), never draft revisions. Each kind serializes its own pages (``ContentKind.serialize``);
this module finds the public rows, reuses what the cache already holds, and makes sure one page that fails
cannot stop the others.
"""

import hashlib
import re
from dataclasses import dataclass

from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Site

from cms.core import periods
from cms.core.kinds import kinds
from cms.core.models import HomePage, KeptPersonalData, Region, SiteSettings
from cms.core.personal_data import KEPT_KEY, masked_entry

from .files import check_relative
from .memory import collected_in_steps
from .portable import compact
from .problems import failure_reason, item_label
from .rows import RowsSeen, changed_rows, hidden_paths, public_rows
from .serialize import document_key, image_key, split_files
from .snapshot import Sharing, Snapshot, digest, sanitized

LEVEL_LABELS = {value: str(label) for value, label in Region.Level.choices}


class ExportCache:
    """Entries of pages unchanged since the last export, reused by the next one (part of the build cache)."""

    def __init__(self):
        self.token = None
        self.entries = {}  # (model label, pk) -> (row key, entry, {image key: pk}, digest)
        # The last version of each page that exported well, kept when the entries are cleared: a page that
        # fails to export falls back to it (its previous page stays on the site).
        self.last_good = {}
        self.kinds = {}  # model label -> KindExport: the last export of the kind, while the token holds

    def fresh(self, token):
        if token != self.token:
            self.last_good.update(self.entries)
            self.entries.clear()
            self.kinds.clear()
            self.token = token


@dataclass
class KindExport:
    """What a kind's public rows gave at the last export: when the same pages are public under the same
    slugs, the next export looks only at the rows that changed (and those that failed) and takes the rest
    as they were, without a step per page."""

    rows: list  # (slug, pk, row key) of its public pages, by slug
    outcomes: list  # per row: (entry, digest, image keys) as exported (before ``finish``), or None: held
    failed: set  # rows that could not be exported (tried again by every export)
    entries: list  # the entries in row order (those held left out), before ``finish``
    digests: dict  # (folder, slug) -> digest of each entry
    urls: dict  # pk -> public URL path
    images: dict  # (image key, pk) -> how many of its entries use it
    seen: RowsSeen | None = None  # what the database said of the rows: the next export reads what changed


def carried_over(before, rows):
    """What a kind's last export gives this one: (its outcomes aligned with ``rows`` — a row unchanged since
    takes its outcome, the others None —, the positions of the rows to look at, and the outcomes of the last
    export that no longer stand: of rows that changed or went, and whether the same pages are public under the
    same slugs), or None without a last export. A row that failed last time is looked at again."""
    if before is None:
        return None
    old = before.rows
    if len(old) == len(rows):  # most often the same pages under the same slugs: compared in runs
        todo = []
        for start in range(0, len(rows), 512):
            end = start + 512
            if rows[start:end] != old[start:end]:
                todo += [n for n in range(start, min(end, len(rows))) if rows[n] != old[n]]
        if all(rows[n][:2] == old[n][:2] for n in todo):
            todo = sorted({*todo, *before.failed})
            return list(before.outcomes), todo, [before.outcomes[n] for n in todo], True
    # Pages came, went or were renamed: the rows are matched by (slug, pk).
    at = {row[:2]: n for n, row in enumerate(old)}
    outcomes, todo, dropped = [None] * len(rows), [], []
    for n, row in enumerate(rows):
        was = at.pop(row[:2], None)
        if was is not None and old[was] == row and was not in before.failed:
            outcomes[n] = before.outcomes[was]
        else:
            todo.append(n)
            if was is not None:
                dropped.append(before.outcomes[was])
    dropped += [before.outcomes[was] for was in at.values()]
    return outcomes, todo, dropped, False


def last_published_entry(kind, page, kept):
    """(key, entry, image keys, digest) of the page's last published revision, when it exports well and is
    not what just failed; else None."""
    revision = getattr(page, "live_revision", None)
    if revision is None:
        return None
    try:
        version = revision.as_object()
        images = {}
        entry = kind.serialize(version, images)
        if kept:
            entry["meta"][KEPT_KEY] = kept
        entry = sanitized(masked_entry(entry))
        check_relative(f"{kind.folder}/{entry['meta']['slug']}.md")
    except Exception:  # that version cannot be exported either: the item is held
        return None
    return None, entry, {k: image.pk for k, image in images.items()}, digest(entry)


# Pages loaded at once. What a chunk loads is let go after it, but the process keeps the size it reached:
# at 10,000 pages chunks of 500 left the export 90 MiB larger, of 100 50 MiB (the entries themselves are ~25).
EXPORT_CHUNK = 100


def load_pages(model, pks, select, prefetch):
    if not pks:
        return {}
    return {
        page.pk: page for page in model.objects.filter(pk__in=pks).select_related(*select).prefetch_related(*prefetch)
    }


def shared_token():
    """Changes whenever something entries refer to by name changes: regions, themes, images, and the slugs
    of the kinds other kinds name (a list names the list it replaces)."""
    from taggit.models import Tag

    named = {name for kind in kinds() for name in kind.references}
    digest_ = hashlib.sha256()
    queries = [
        KeptPersonalData.objects.order_by("pk").values_list("page_id", "digest", "reason"),
        Region.objects.order_by("pk").values_list("pk", "slug"),
        Tag.objects.order_by("pk").values_list("pk", "name"),
        get_image_model().objects.order_by("pk").values_list("pk", "file", "file_hash"),
    ]
    queries += [k.model.objects.order_by("pk").values_list("pk", "slug") for k in kinds() if k.name in named]
    for rows in queries:
        digest_.update(repr(list(rows)).encode())
    return digest_.hexdigest()


# --- the site's regions and old addresses -------------------------------------------------------------


def serialize_regions():
    """The region tree as nested nodes, each level sorted by slug."""
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


def redirect_path():
    """Old addresses Wagtail records for item pages: /<folder>/<slug>/ (slugs: letters, digits, _ and -)."""
    folders = "|".join(re.escape(k.folder) for k in kinds() if k.item)
    return re.compile(rf"^/({folders})/([-\w]+)/?$")


def serialize_redirects(public_urls):
    """Old addresses of public pages (Wagtail records one whenever a published page's slug changes).

    Only redirects to pages in this export leave the CMS: one to a draft would reveal its address.
    """
    pattern = redirect_path()
    out, public_paths = {}, None
    rows = Redirect.objects.filter(redirect_page__isnull=False).values_list("old_path", "redirect_page_id")
    for old_path, page_id in rows.order_by("old_path", "pk"):
        match = pattern.match(old_path)
        target = public_urls.get(page_id)
        old = f"/{match[1]}/{match[2]}/" if match else None
        if old and target and old != target:
            if public_paths is None:
                public_paths = set(public_urls.values())
            if old not in public_paths:
                out.setdefault(old, target)
    return [{"from": old, "to": target} for old, target in sorted(out.items())]


# --- the export ---------------------------------------------------------------------------------------


def export_settings():
    """The site's name, description and footer as editors set them (the defaults until they do)."""
    default = Site.objects.filter(is_default_site=True).first()
    found = SiteSettings.objects.filter(site=default).first() if default else None
    values = found.portable() if found else dict(SiteSettings.DEFAULTS)
    return sanitized(compact(values))


def export_site():
    """The site's settings, and the home page's and each section's title and introduction."""
    site = {"settings": export_settings()}
    home = HomePage.objects.live().first()
    if home:
        site["home"] = sanitized({"title": home.title, "intro": home.intro})
    for kind in kinds():
        index = kind.index_model.objects.live().first()
        if index:
            site[kind.folder] = sanitized(compact({"title": index.title, "intro": index.intro}))
    return site


def export_row(kind, row, page, cache, kept, snap, sharing):
    """(what one public row gives, whether it exported well). What it gives: (entry, digest, image keys) —
    from the cache when ``page`` is None (its row is unchanged), else serialized from the loaded page (its
    parts equal to other entries' held once: ``sharing``), else the last good version — or None when it
    cannot be exported and has nothing to fall back on (held). A failure is listed in ``snap.problems``."""
    label, attr = kind.model._meta.label, kind.folder
    slug, pk, key = row
    if page is None:
        _key, entry, keys, entry_digest = cache.entries[(label, pk)]
        return (entry, entry_digest, keys), True
    images = {}
    try:
        entry = kind.serialize(page, images)
        if pk in kept:
            entry["meta"][KEPT_KEY] = kept[pk]
        # Personal data leaves the CMS masked, unless a reviewer recorded a reason to keep it.
        entry = sanitized(masked_entry(entry))
        check_relative(f"{attr}/{entry['meta']['slug']}.md")  # its slug will name files
        entry = sharing.entry(entry)
    except Exception as exc:  # one page's content must not stop the others
        previous = None
        if cache is not None:
            previous = cache.entries.get((label, pk)) or cache.last_good.get((label, pk))
        reason = failure_reason(exc)
        if previous is None:  # a fresh process: the version Wagtail last published, if it exports
            previous = last_published_entry(kind, page, kept.get(pk))
        outcome = None
        if previous is not None:  # the version this process published last stays
            _key, entry, keys, entry_digest = previous
            outcome = (entry, entry_digest, keys)
            reason += "（网站保留其上一版本）"
        else:
            snap.held.add((attr, slug))
        snap.problems.append({"item": item_label(kind.label, page.title, attr, slug), "reason": reason})
        return outcome, False
    found_images, found_documents = split_files(images)
    snap.images.update(found_images)
    snap.documents.update(found_documents)
    entry_digest = digest(entry)
    keys = {k: image.pk for k, image in images.items()}
    if cache is not None:
        cache.entries[(label, pk)] = (key, entry, keys, entry_digest)
        cache.last_good.pop((label, pk), None)
    return (entry, entry_digest, keys), True


def export_kind(kind, cache, kept, snap, sharing, hidden=None):
    """Export one kind's public pages (a KindExport). With a cache, a page whose row is unchanged is not
    loaded again, and only the rows that changed, came or failed last time are looked at at all."""
    model, attr, label = kind.model, kind.folder, kind.model._meta.label
    fresh = cache is None or kind.always_fresh
    before = None if fresh else cache.kinds.get(label)
    if fresh:
        rows, seen = public_rows(model, hidden), None
    else:
        rows, seen = changed_rows(model, hidden, before)
    carried = carried_over(before, rows)
    if carried is None:
        urls = {pk: f"/{attr}/{slug}/" for slug, pk, _key in rows}
        result = KindExport(rows, [None] * len(rows), set(), [], {}, urls, {}, seen)
        todo = range(len(rows))
    else:
        outcomes, todo, dropped, same = carried
        urls = before.urls if same else {pk: f"/{attr}/{slug}/" for slug, pk, _key in rows}
        result = KindExport(rows, outcomes, set(), None, dict(before.digests), urls, dict(before.images), seen)
        for outcome in dropped:  # what those rows gave last time is taken out (its entry, its images)
            if outcome is not None:
                result.digests.pop((attr, outcome[0]["meta"]["slug"]), None)
                for image in outcome[2].items():
                    result.images[image] -= 1
                    if not result.images[image]:
                        del result.images[image]
    # By chunks: the page objects of a chunk are let go once serialized (all of them at once would hold
    # hundreds of MB at 10,000 pages), their reference cycles freed with them (memory.collected_in_steps).
    with collected_in_steps() as collect:
        for start in range(0, len(todo), EXPORT_CHUNK):
            chunk = [rows[n] for n in todo[start : start + EXPORT_CHUNK]]
            stale = [pk for _slug, pk, key in chunk if fresh or cache.entries.get((label, pk), (None,))[0] != key]
            loaded = load_pages(model, stale, kind.select, kind.prefetch)
            for n, row in zip(todo[start : start + EXPORT_CHUNK], chunk, strict=True):
                outcome, ok = export_row(kind, row, loaded.get(row[1]), cache, kept, snap, sharing)
                result.outcomes[n] = outcome
                if not ok:
                    result.failed.add(n)
                if outcome is not None:
                    result.digests[(attr, outcome[0]["meta"]["slug"])] = outcome[1]
                    for image in outcome[2].items():
                        result.images[image] = result.images.get(image, 0) + 1
            del loaded
            collect()
    result.entries = [outcome[0] for outcome in result.outcomes if outcome is not None]
    if result.failed:  # a last good version may have another slug than its row: the entries stay in slug order
        result.entries.sort(key=lambda entry: entry["meta"]["slug"])
    return result


def export_snapshot(cache=None):
    """The public content of the CMS, ready to write as files or render as a site.

    With a cache, pages whose row is unchanged since the previous export are not loaded again. A page that
    cannot be exported keeps its last good version (or, without one, is left out: ``snap.held``); either
    way it is listed in ``snap.problems``.
    """
    snap = Snapshot(
        regions=sanitized(serialize_regions()), site=export_site(), today=periods.today(), in_slug_order=True
    )
    if cache is not None:
        cache.fresh(shared_token())
    image_pks = {}  # key -> image or document pk, for the entries' files (their objects are fetched once below)
    public_urls = {}  # page pk -> its public URL path
    kept = {}  # page pk -> the personal data reviewers kept with a reason
    for row in KeptPersonalData.objects.order_by("page_id", "digest").values("page_id", "digest", "kind", "reason"):
        kept.setdefault(row.pop("page_id"), []).append(row)
    exported, hidden, sharing = {}, hidden_paths(), Sharing()
    for kind in kinds():
        done = exported[kind.model._meta.label] = export_kind(kind, cache, kept, snap, sharing, hidden)
        if cache is not None and not kind.always_fresh:
            cache.kinds[kind.model._meta.label] = done
        public_urls.update(done.urls)
        image_pks.update(done.images.keys())  # (key, pk) pairs
        snap.entries[kind.folder] = list(done.entries)  # ``finish`` may replace entries in its list
        snap.digests.update(done.digests)
    if cache is not None and cache.last_good:  # versions of pages no longer public are not needed to fall back on
        cache.last_good = {
            key: value
            for key, value in cache.last_good.items()
            if key[0] in exported and key[1] in exported[key[0]].urls
        }
    snap.redirects = serialize_redirects(public_urls)
    for kind in kinds():
        kind.finish(snap)
    cached_images, cached_documents = split_files(image_pks)
    missing = {pk for key, pk in cached_images.items() if key not in snap.images}
    for image in get_image_model().objects.filter(pk__in=missing):
        snap.images[image_key(image)] = image
    missing = {pk for key, pk in cached_documents.items() if key not in snap.documents}
    for document in get_document_model().objects.filter(pk__in=missing):
        snap.documents[document_key(document)] = document
    return snap


def replace_entry(snap, kind, n, entry):
    """Replace the n-th entry of a kind (``finish`` hooks trim references); its digest follows."""
    snap.entries[kind.folder][n] = entry
    snap.digests[(kind.folder, entry["meta"]["slug"])] = digest(entry)
