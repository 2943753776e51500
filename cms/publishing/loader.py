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
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction

from wagtail.blocks.stream_block import StreamValue
from wagtail.contrib.redirects.models import Redirect
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from cms.cases.models import (
    CaseCollectionEntry,
    CaseKeyFigure,
    CasePolicyDocument,
    CasePractice,
    CaseStudyPage,
)
from cms.core.models import DisclosureFields, HomePage, Region
from cms.core.validation import describe, unusable_character
from cms.lists.models import DutyListPage, ListItem, ListKind, item_errors
from cms.signage.models import NoticePhoto, RetainedSign, SignageNoticePage

from .portable import KIND_DIRS, ContentError, as_date, load_yaml, markdown_to_blocks, read_document, read_text
from .snapshot import (
    LEVELS,
    REDIRECT_PATH,
    SECTIONS,
    SERIALIZERS,
    Snapshot,
    sanitized,
)

MODELS = {attr: model for attr, model, *_rest in SERIALIZERS}
SERIALIZE = {attr: serialize for attr, _model, serialize, *_rest in SERIALIZERS}
MAX_IMAGE_BYTES = 10 * 1024 * 1024


# --- reading and checking a folder --------------------------------------------------------------


def read_folder(folder):
    """Parse and check a content folder without touching the database."""
    folder = Path(folder)
    snap = Snapshot()
    regions_file = folder / "regions.yaml"
    if regions_file.exists():
        snap.regions = load_yaml(read_text(regions_file), regions_file) or []
        if not isinstance(snap.regions, list):
            raise ContentError(regions_file, "应为地区列表（每项包含 name、slug、level）")
        _check_text(snap.regions, regions_file)
    site_file = folder / "site.yaml"
    if site_file.exists():
        snap.site = load_yaml(read_text(site_file), site_file) or {}
        if not isinstance(snap.site, dict):
            raise ContentError(site_file, "应为“键: 值”形式")
        _check_text(snap.site, site_file)
    for kind, dirname in KIND_DIRS.items():
        for path in sorted((folder / dirname).glob("*.md")):
            doc = read_document(path)
            _require(doc.meta, path, ["id", "slug", "title"])
            for key in ("slug", "title"):
                if not isinstance(doc.meta[key], str):
                    raise ContentError(path, f"字段“{key}”应为文字")
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
        snap.redirects = load_yaml(read_text(redirects_file), redirects_file) or []
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
        snap = read_folder(self.folder)
        with transaction.atomic():
            self.load_regions(snap.regions)
            sections = self.load_site(snap.site)
            total = len(snap.cases) + len(snap.lists) + len(snap.notices) + len(snap.collections)
            done = 0
            # Collections come after the cases they name.
            for attr in ("cases", "lists", "notices", "collections"):
                for entry in getattr(snap, attr):
                    self.load_page(attr, entry, sections[attr])
                    done += 1
                    self.say(f"[{done}/{total}] {entry['path'].relative_to(self.folder)}")
            for entry in snap.lists:
                self.link_supersedes(entry)
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
            _require(node, path, ["name", "slug", "level"])
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
            Site.objects.create(hostname="localhost", root_page=home, is_default_site=True, site_name="基层")
        elif site_obj.root_page_id != home.pk:
            site_obj.root_page = home
            site_obj.save()
        sections = {}
        for key, (model, slug) in SECTIONS.items():
            data = mapping(site, key, path)
            index = model.objects.first()
            title = text(data, "title", path, f"{key} 的") or (index.title if index else key)
            intro = text(data, "intro", path, f"{key} 的")
            if index is None:
                index = model(title=title, slug=slug, intro=intro)
                self.save(index, path, lambda index=index: home.add_child(instance=index))
                self.save(index, path, lambda index=index: index.save_revision().publish())
                self.other_changes += 1
            elif data and (index.title, index.intro) != (title, intro):
                index.title, index.intro = title, intro
                self.save(index, path, lambda index=index: index.save_revision().publish())
                self.other_changes += 1
            sections[key] = index
        return sections

    # pages
    def load_page(self, attr, entry, index):
        meta, path = entry["meta"], entry["path"]
        model, serialize = MODELS[attr], SERIALIZE[attr]
        key = uuid.UUID(str(meta["id"]))
        page = model.objects.filter(translation_key=key).first()
        created = page is None
        before = None
        if created:
            page = model(translation_key=key, locale=index.locale)
        elif page.live and not page.has_unpublished_changes:
            before = sanitized(serialize(page, {}))
        page.title, page.slug = meta["title"], meta["slug"]
        getattr(self, f"apply_{attr}")(page, meta, entry, path)
        if before is not None and before == sanitized(serialize(page, {})):
            self.stats["unchanged"] += 1
            return page
        if created:
            self.save(page, path, lambda: index.add_child(instance=page))
        else:
            self.save(page, path, page.save)
        self.save(page, path, lambda: page.save_revision().publish())
        self.stats["created" if created else "updated"] += 1
        return page

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

    def apply_cases(self, page, meta, entry, path):
        _require(meta, path, ["region", "summary"])
        source = mapping(meta, "source", path)
        _require(source, path, ["publisher"])
        page.region = self.region(text(meta, "region", path), path, "region")
        page.summary = text(meta, "summary", path)
        page.source_publisher = text(source, "publisher", path, "source 的")
        page.source_date = as_date(source.get("date"), path, "source.date")
        page.source_edition = text(source, "edition", path, "source 的")
        page.source_byline = text(source, "byline", path, "source 的")
        page.source_url = text(source, "url", path, "source 的")
        page.communities = [self.region(s, path, "communities") for s in strings(meta, "communities", path)]
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
        self.stream(page, "body", entry["blocks"], path)

    def key_figure(self, data, path):
        def number(key):
            value = data.get(key)
            if value is None:
                return None
            try:
                if isinstance(value, bool):
                    raise InvalidOperation
                number = Decimal(str(value))
            except InvalidOperation as exc:
                raise ContentError(path, f"关键数字“{text(data, 'label', path)}”的“{key}”不是数字：{value!r}") from exc
            if not number.is_finite():
                raise ContentError(path, f"关键数字“{text(data, 'label', path)}”的“{key}”不是有限的数字")
            return number

        value = number("value")
        if value is None:
            raise ContentError(path, f"关键数字“{text(data, 'label', path)}”缺少数值 value")
        return CaseKeyFigure(
            label=text(data, "label", path),
            value=value,
            unit=text(data, "unit", path),
            before=number("before"),
            approximate=bool(data.get("approximate")),
        )

    def apply_disclosure(self, page, meta, path):
        data = mapping(meta, "disclosure", path)
        for name in DisclosureFields.DISCLOSURE_FIELDS:
            if name in DisclosureFields.DATE_FIELDS:
                setattr(page, name, as_date(data.get(name), path, f"disclosure.{name}"))
            else:
                setattr(page, name, text(data, name, path, "disclosure 的"))

    def apply_lists(self, page, meta, entry, path):
        _require(meta, path, ["region", "list_kind"])
        list_kind = text(meta, "list_kind", path)
        if list_kind not in ListKind.values:
            raise ContentError(path, f"未知的清单类别“{list_kind[:40]}”，可用：{'、'.join(ListKind.values)}")
        page.region = self.region(text(meta, "region", path), path, "region")
        page.list_kind = list_kind
        page.scope = text(meta, "scope", path) or "all"
        page.version_label = text(meta, "version_label", path)
        # One body per line: a body written with a line break inside is two bodies (as the page stores them).
        bodies = [line.strip() for body in strings(meta, "issuing_bodies", path) for line in body.splitlines()]
        page.issuing_bodies = "\n".join(b for b in bodies if b)
        page.intro = entry["text"].strip()
        self.apply_disclosure(page, meta, path)
        items = []
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
            wanted = DutyListPage.objects.filter(slug=text(meta, "supersedes", path)).first()
            if wanted is None:
                raise ContentError(path, f"supersedes 引用的清单“{str(meta['supersedes'])[:60]}”不存在")
        if page.supersedes_id != (wanted.pk if wanted else None):
            page.supersedes = wanted
            self.save(page, path, lambda: page.save_revision().publish())
            self.stats["updated"] += 1

    def apply_collections(self, page, meta, entry, path):
        page.intro = entry["text"].strip()
        page.audience = text(meta, "audience", path)
        entries = []
        for n, data in enumerate(rows(meta, "entries", path), start=1):
            slug = text(data, "case", path)
            case = CaseStudyPage.objects.filter(slug=slug).first() if slug else None
            if case is None:
                raise ContentError(path, f"entries 第{n}条引用的案例“{slug[:60]}”不存在")
            entries.append(CaseCollectionEntry(case=case, note=text(data, "note", path)))
        if not entries:
            raise ContentError(path, "合集至少要包含一个案例（entries）")
        page.entries = ordered(entries)

    def apply_notices(self, page, meta, entry, path):
        _require(meta, path, ["community", "date"])
        page.community = self.region(text(meta, "community", path), path, "community")
        page.notice_date = as_date(meta["date"], path, "date")
        page.round = text(meta, "round", path) or "first"
        counts = mapping(meta, "counts", path)
        for key in ("before", "removed", "after"):
            value = counts.get(key)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 10**9):
                raise ContentError(path, f"counts.{key} 应为非负整数")
        page.count_before, page.count_removed, page.count_after = (
            counts.get(k) for k in ("before", "removed", "after")
        )
        page.responsible_body = text(meta, "responsible_body", path)
        self.apply_disclosure(page, meta, path)
        page.retained_signs = ordered(
            [
                RetainedSign(kind=text(s, "kind", path), text=text(s, "text", path), position=text(s, "position", path))
                for s in rows(meta, "retained_signs", path)
            ]
        )
        page.photos = ordered(
            [
                NoticePhoto(
                    image_id=self.image(p.get("image"), path),
                    phase=text(p, "phase", path) or "after",
                    caption=text(p, "caption", path),
                )
                for p in rows(meta, "photos", path)
            ]
        )
        self.stream(page, "body", entry["blocks"], path)
