"""``load_content``: a portable content folder into Wagtail.

The whole folder is read and checked before anything is written; then it is applied in one transaction,
so bad input saves nothing. Every value passes the same gate as the admin (``cms.core.validation``, run
by each model's ``full_clean``), and every refusal names the file (and line or field) in Chinese.

An item is written only when what the file says differs from what the page holds: the file is applied to
the page in memory and both are serialized the way ``dump_content`` would write them, so YAML quoting,
date styles or line breaks inside a list of bodies never republish an unchanged page.
"""

import hashlib
import io
import uuid
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction

from wagtail.blocks.stream_block import StreamValue
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from cms.core import richtext
from cms.core.annexes import annex_problem, clean_name
from cms.core.kinds import by_folder, kinds
from cms.core.models import HomePage, KeptPersonalData, Region, SiteSettings
from cms.core.personal_data import KEPT_KEY, LABELS
from cms.core.validation import describe

from .export import redirect_path
from .portable import ContentError, as_date, read_folder, require
from .serialize import ANNEX_FOLDER
from .snapshot import sanitized

LEVELS = {str(label): value for value, label in Region.Level.choices}
MAX_IMAGE_BYTES = 10 * 1024 * 1024


# --- typed reads of parsed YAML (a value of the wrong shape is an error naming its field) -----------


def text(data, key, path, where=""):
    """A text field: strings as they are, numbers and dates as written; anything else is an error."""
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, bool | dict | list):
        raise ContentError(path, f"{where}字段“{key}”应为文字")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def mapping(data, key, path, where=""):
    value = data.get(key)
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise ContentError(path, f"{where}字段“{key}”应为“键: 值”形式")
    return value


def rows(data, key, path):
    """A list of child rows (each a mapping)."""
    value = data.get(key)
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
        raise ContentError(path, f"字段“{key}”应为列表，每项是“键: 值”形式")
    return value


def strings(data, key, path):
    value = data.get(key)
    if value in (None, ""):
        return []
    if not isinstance(value, list) or any(isinstance(v, dict | list | bool) or v is None for v in value):
        raise ContentError(path, f"字段“{key}”应为文字列表")
    return [str(v) for v in value]


def ordered(items):
    """Child rows in file order: sort_order is what keeps them in that order in every database."""
    for position, row in enumerate(items):
        row.sort_order = position
    return items


# --- applying a folder ---------------------------------------------------------------------------


class Loader:
    """Applies a parsed content folder to Wagtail; returns counts of what it created and changed."""

    def __init__(self, folder, stdout=None):
        self.folder = Path(folder)
        self.stdout = stdout
        self.stats = {"created": 0, "updated": 0, "unchanged": 0, "regions_created": 0, "regions_updated": 0}
        self.other_changes = 0  # home and section pages, redirects
        self.regions = {}
        self.images = {}
        self.documents = {}
        self.unresolved = False

    @property
    def changed(self):
        counts = self.stats
        return bool(
            counts["created"]
            or counts["updated"]
            or counts["regions_created"]
            or counts["regions_updated"]
            or self.other_changes
        )

    def say(self, message):
        if self.stdout:
            self.stdout.write(message)

    def run(self):
        snap = read_folder(self.folder, redirect_path())
        with transaction.atomic():
            self.load_regions(snap.regions)
            sections = self.load_site(snap.site)
            total = sum(len(entries) for entries in snap.entries.values())
            # In the kinds' order: a kind naming others comes after them.
            later = []
            for done, (kind, entry) in enumerate(snap.all(), start=1):
                self.unresolved = False
                self.load_page(kind, entry, sections[kind.folder])
                if self.unresolved:  # links to a page further on in the folder
                    later.append((kind, entry))
                self.say(f"[{done}/{total}] {entry['path'].relative_to(self.folder)}")
            counts = dict(self.stats)
            for kind, entry in later:
                self.load_page(kind, entry, sections[kind.folder])
            self.stats = counts
            for kind, entry in snap.all():
                kind.after_load(self, entry)
            self.load_redirects(snap.redirects)
        return self.stats

    def save(self, obj, path, save):
        """Run ``save()`` (which validates through the gate), turning refusals into a ContentError for path."""
        try:
            return save()
        except ValidationError as exc:
            raise ContentError(path, describe(exc, type(obj))) from exc

    def load_redirects(self, redirects):
        path = self.folder / "redirects.yaml"
        pattern = redirect_path()
        for n, item in enumerate(redirects, start=1):
            folder, slug = pattern.match(item["to"]).groups()
            page = by_folder(folder).model.objects.filter(slug=slug).first()
            if page is None:
                raise ContentError(path, f"第 {n} 项指向的页面“{item['to']}”不存在")
            old_path = Redirect.normalise_path(item["from"])
            existing = Redirect.objects.filter(old_path=old_path).first()
            if existing is None:
                Redirect.objects.create(old_path=old_path, redirect_page=page)
                self.other_changes += 1
            elif existing.redirect_page_id != page.pk:
                existing.redirect_page = page
                existing.save()
                self.other_changes += 1

    # regions
    def load_regions(self, tree, parent=None):
        path = self.folder / "regions.yaml"
        for node in tree or []:
            if not isinstance(node, dict):
                raise ContentError(path, f"地区条目格式不对：{str(node)[:40]}")
            require(node, path, ["name", "slug", "level"])
            name, slug = text(node, "name", path), text(node, "slug", path)
            level = LEVELS.get(text(node, "level", path))
            if level is None:
                raise ContentError(path, f"地区“{name}”的层级“{node['level']}”无效，应为 省/市/区县/街道乡镇/社区")
            region = Region.objects.filter(slug=slug).first() or Region(slug=slug)
            wanted = {"name": name, "level": level, "parent": parent, "code": text(node, "code", path)}
            if region.pk is None or any(getattr(region, k) != v for k, v in wanted.items()):
                self.stats["regions_created" if region.pk is None else "regions_updated"] += 1
                for key, value in wanted.items():
                    setattr(region, key, value)
                try:
                    region.full_clean()
                except ValidationError as exc:
                    raise ContentError(path, f"地区“{name[:30]}”：{describe(exc, Region)}") from exc
                region.save()
            self.regions[region.slug] = region
            children = node.get("children")
            if children is not None and not isinstance(children, list):
                raise ContentError(path, f"地区“{name[:30]}”的 children 应为列表")
            self.load_regions(children, region)

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
        path = self.folder / "site.yaml"
        root = Page.get_first_root_node()
        # Wagtail's install creates a placeholder "Welcome" page; our home page replaces it.
        Page.objects.filter(depth=2, content_type__app_label="wagtailcore").delete()
        home = HomePage.objects.first()
        home_data = mapping(site, "home", path)
        title = text(home_data, "title", path, "home 的") or (home.title if home else "首页")
        intro = text(home_data, "intro", path, "home 的")
        if home is None:
            home = HomePage(title=title, slug="home", intro=intro)
            self.save(home, path, lambda: root.add_child(instance=home))
            self.save(home, path, lambda: home.save_revision().publish())
            self.other_changes += 1
        elif home_data and (home.title, home.intro) != (title, intro):
            home.title, home.intro = title, intro
            self.save(home, path, lambda: home.save_revision().publish())
            self.other_changes += 1
        site_obj = Site.objects.filter(is_default_site=True).first()
        if site_obj is None:
            site_obj = Site.objects.create(hostname="localhost", root_page=home, is_default_site=True, site_name="基层")
        elif site_obj.root_page_id != home.pk:
            site_obj.root_page = home
            site_obj.save()
        self.load_settings(site_obj, mapping(site, "settings", path), path)
        sections = {}
        for kind in kinds():
            key = kind.folder
            data = mapping(site, key, path)
            index = kind.index_model.objects.first()
            title = text(data, "title", path, f"{key} 的") or (index.title if index else kind.label)
            intro = text(data, "intro", path, f"{key} 的")
            if index is None:
                index = kind.index_model(title=title, slug=key, intro=intro)
                self.save(index, path, lambda index=index: home.add_child(instance=index))
                self.save(index, path, lambda index=index: index.save_revision().publish())
                self.other_changes += 1
            elif data and (index.title, index.intro) != (title, intro):
                index.title, index.intro = title, intro
                self.save(index, path, lambda index=index: index.save_revision().publish())
                self.other_changes += 1
            sections[key] = index
        return sections

    def load_settings(self, site_obj, data, path):
        """The site's name, description and footer (site.yaml ``settings``), into its Wagtail site setting."""
        settings = SiteSettings.objects.filter(site=site_obj).first() or SiteSettings(site=site_obj)
        values = {key: text(data, key, path, "settings 的") for key in ("name", "description", "footer")}
        wanted = {
            "site_name": values["name"] or SiteSettings.DEFAULTS["name"],
            "site_description": values["description"] or SiteSettings.DEFAULTS["description"],
            "footer_text": values["footer"],
        }
        if settings.pk is None or any(getattr(settings, k) != v for k, v in wanted.items()):
            for key, value in wanted.items():
                setattr(settings, key, value)
            try:
                settings.full_clean()
            except ValidationError as exc:
                raise ContentError(path, f"网站设置：{describe(exc, SiteSettings)}") from exc
            settings.save()
            self.other_changes += 1

    # pages
    def load_page(self, kind, entry, index):
        meta, path = entry["meta"], entry["path"]
        key = uuid.UUID(str(meta["id"]))
        page = kind.model.objects.filter(translation_key=key).first()
        created = page is None
        before = None
        if created:
            page = kind.model(translation_key=key, locale=index.locale)
        elif page.live and not page.has_unpublished_changes:
            before = sanitized(kind.serialize(page, {}))
        page.title, page.slug = meta["title"], meta["slug"]
        kind.apply(self, page, entry, path)
        if before is not None and before == sanitized(kind.serialize(page, {})):
            if self.keep_personal_data(page, meta, path):
                self.stats["updated"] += 1
            else:
                self.stats["unchanged"] += 1
            return page
        if created:
            self.save(page, path, lambda: index.add_child(instance=page))
        else:
            self.save(page, path, page.save)
        self.keep_personal_data(page, meta, path)
        self.save(page, path, lambda: page.save_revision().publish())
        self.stats["created" if created else "updated"] += 1
        return page

    def keep_personal_data(self, page, meta, path):
        """The personal data a reviewer kept with a reason (a backup carries it): the page's records become
        exactly what the file lists. Returns whether anything changed."""
        wanted = {}
        for n, row in enumerate(rows(meta, KEPT_KEY, path), start=1):
            digest, kind, reason = (
                text(row, key, path, f"{KEPT_KEY} 第{n}条的") for key in ("digest", "kind", "reason")
            )
            if not digest or kind not in LABELS or not reason:
                raise ContentError(path, f"{KEPT_KEY} 第{n}条应包含 digest、kind（{'、'.join(LABELS)}）和 reason")
            wanted[digest] = (kind, reason)
        existing = {r.digest: r for r in KeptPersonalData.objects.filter(page_id=page.pk)}
        changed = False
        for digest, record in existing.items():
            if digest not in wanted:
                record.delete()
                changed = True
        for digest, (kind, reason) in wanted.items():
            record = existing.get(digest)
            if record is None or (record.kind, record.reason) != (kind, reason):
                record = record or KeptPersonalData(page_id=page.pk, digest=digest)
                record.kind, record.reason = kind, reason
                self.save(record, path, record.save)
                changed = True
        return changed

    def stream(self, page, field_name, blocks, path):
        raw = []
        for block in blocks:
            value = block["value"]
            if block["type"] == "figure":
                value = dict(value, image=self.image(value.get("image"), path))
            elif block["type"] == "paragraph":
                value = self.rich_text(value, path)
            raw.append({"type": block["type"], "value": value})
        stream_block = page._meta.get_field(field_name).stream_block
        setattr(page, field_name, StreamValue(stream_block, raw, is_lazy=True))

    def rich_text(self, text, path):
        """Wagtail's stored HTML of a portable paragraph: a page named by its id (``id:<uuid>``) or its file
        (``cases/<slug>.md``) and a document by its file (``annexes/<name>``) become Wagtail's links. A page
        not loaded yet is linked on the second pass (``self.unresolved``)."""

        def target(kind, ref):
            if kind == "doc":
                return ("doc", self.document(ref, path))
            if kind == "page":
                found = self.page_pk(ref)
                if found is None:
                    self.unresolved = True
                    return None
                return ("page", found)
            return (kind, ref)

        return richtext.to_html(richtext.map_links(richtext.from_portable(text), target))

    def page_pk(self, ref):
        if str(ref).endswith(".md"):
            folder, _, name = str(ref).partition("/")
            kind = by_folder(folder)
            return kind.model.objects.filter(slug=name[:-3]).values_list("pk", flat=True).first() if kind else None
        try:
            key = uuid.UUID(str(ref).removeprefix(richtext.PAGE_PREFIX))
        except ValueError:
            return None
        return Page.objects.filter(translation_key=key).values_list("pk", flat=True).first()

    def image(self, ref, path):
        """The pk of the image a content file names (``media/<file>``), adding it when new.

        Images are matched by content (SHA-1, as Wagtail stores it), so loading a folder twice, or a
        backup into a database that has the image already, adds nothing.
        """
        if not ref:
            return None
        if ref in self.images:
            return self.images[ref]
        name = ref[len("media/") :] if isinstance(ref, str) and ref.startswith("media/") else ""
        source = self.folder / "media" / name
        if not name or "/" in name or name in (".", "..") or not source.is_file():
            raise ContentError(path, f"找不到图片文件“{str(ref)[:80]}”（应放在 media/ 目录下）")
        data = source.read_bytes()
        if len(data) > MAX_IMAGE_BYTES:
            raise ContentError(path, f"图片“{name}”超过 {MAX_IMAGE_BYTES // 1024 // 1024} MB")
        Image = get_image_model()
        digest = hashlib.sha1(data).hexdigest()  # noqa: S324 - Wagtail's own file hash, not security
        image = Image.objects.filter(file_hash=digest).first()
        if image is None:
            try:
                from PIL import Image as PILImage

                with PILImage.open(io.BytesIO(data)) as probe:
                    probe.verify()
            except Exception as exc:
                raise ContentError(path, f"图片“{name}”无法识别（不是有效的图片文件）") from exc
            image = Image(title=name[:255])
            image.file = File(io.BytesIO(data), name=name)
            image._set_image_file_metadata()
            image.save()
        self.images[ref] = image.pk
        return image.pk

    def apply_annexes(self, page, meta, path):
        """A page's annexes (``annexes: [{file: annexes/<name>, title}]``), each file checked as an upload is."""
        model = page._meta.get_field("annexes").related_model
        found = []
        for data in rows(meta, "annexes", path):
            document = self.document(text(data, "file", path, "annexes 的"), path)
            found.append(model(document_id=document, title=text(data, "title", path, "annexes 的")[:200]))
        page.annexes = ordered(found)

    def document(self, ref, path):
        """The pk of the document a content file names (``annexes/<file>``), adding it when new (matched by
        content, as images are)."""
        if ref in self.documents:
            return self.documents[ref]
        name = ref[len(ANNEX_FOLDER) :] if ref.startswith(ANNEX_FOLDER) else ""
        source = self.folder / "annexes" / name
        if not name or "/" in name or name in (".", "..") or not source.is_file():
            raise ContentError(path, f"找不到附件文件“{ref[:80]}”（应放在 annexes/ 目录下）")
        data = source.read_bytes()
        problem = annex_problem(name, data)
        if problem:
            raise ContentError(path, problem)
        Document = get_document_model()
        digest = hashlib.sha1(data).hexdigest()  # noqa: S324 - Wagtail's own file hash, not security
        document = Document.objects.filter(file_hash=digest).first()
        if document is None:
            document = Document(title=name[:255])
            document.file = File(io.BytesIO(data), name=clean_name(name))
            document._set_document_file_metadata()
            document.save()
        self.documents[ref] = document.pk
        return document.pk

    def apply_period(self, page, meta, path):
        """The display period (公示期) of a page: ``display_period: {start, end}``."""
        found = mapping(meta, "display_period", path)
        page.display_start = as_date(found.get("start"), path, "display_period.start")
        page.display_end = as_date(found.get("end"), path, "display_period.end")

    def apply_disclosure(self, page, meta, path):
        data = mapping(meta, "disclosure", path)
        for name in page.DISCLOSURE_FIELDS:
            if name in page.DATE_FIELDS:
                setattr(page, name, as_date(data.get(name), path, f"disclosure.{name}"))
            else:
                setattr(page, name, text(data, name, path, "disclosure 的"))
