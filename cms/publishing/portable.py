"""The portable content format: Markdown files with YAML front matter, read and written byte-stably.

A content folder holds ``regions.yaml``, ``site.yaml``, ``redirects.yaml``, one folder of ``*.md`` per
kind of content (``cases/``, ``lists/`` …) and ``media/``. Everything here works on snapshots of plain
dicts: ``write_folder`` writes one (``dump_content``), ``read_folder`` reads and checks one without touching
the database (``load_content``, see ``loader``).
"""

import datetime
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import yaml

from cms.core import richtext
from cms.core.kinds import kinds
from cms.core.validation import unusable_character

from .files import UnsafePath, remove, write_if_changed
from .markdown import WholeDumper
from .snapshot import Snapshot


class ContentError(Exception):
    """Bad portable content; the message says what and where, in Chinese."""

    def __init__(self, path, message, line=None, column=None):
        self.path, self.line, self.column = str(path), line, column
        where = self.path
        if line is not None:
            where += f" 第{line}行"
            if column is not None:
                where += f"第{column}列"
        super().__init__(f"{where}：{message}")


# --- YAML ------------------------------------------------------------------------------------


class _Dumper(WholeDumper):
    pass


def _str_representer(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def dump_yaml(data):
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=4096)


MAX_DEPTH = 12  # nesting of a content file's YAML (regions.yaml is the deepest: 5 levels of places, 2 each)
MAX_NODES = 200_000  # values in one file, aliases counted each time they are used
MAX_FILE_BYTES = 8 * 1024 * 1024


def _check_shape(data, path):
    """Refuse YAML nested too deeply or expanding (through aliases) into too many values."""
    count, todo = 0, [(data, 1)]
    while todo:
        value, depth = todo.pop()
        count += 1
        if count > MAX_NODES:
            raise ContentError(path, f"YAML 内容过多（超过 {MAX_NODES} 个值，可能是别名展开），请检查文件")
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise ContentError(path, f"YAML 嵌套超过 {MAX_DEPTH} 层，请检查缩进")
            items = value.values() if isinstance(value, dict) else value
            todo.extend((item, depth + 1) for item in items)
            if isinstance(value, dict):
                for key in value:
                    if not isinstance(key, str):
                        raise ContentError(path, f"YAML 的键“{key!r}”不是文字，请检查格式")


def load_yaml(text, path, line_offset=0):
    try:
        data = yaml.safe_load(text)
    except RecursionError as exc:
        raise ContentError(path, f"YAML 嵌套超过 {MAX_DEPTH} 层，请检查缩进") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        if mark is None:
            raise ContentError(path, f"YAML 格式错误：{problem}") from exc
        raise ContentError(path, f"YAML 格式错误：{problem}", mark.line + 1 + line_offset, mark.column + 1) from exc
    _check_shape(data, path)
    return data


def read_text(path):
    """A content file's text: UTF-8 only, with a Chinese error naming the file otherwise."""
    path = Path(path)
    data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        raise ContentError(path, f"文件超过 {MAX_FILE_BYTES // 1024 // 1024} MB")
    try:
        return data.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ContentError(path, "文件不是 UTF-8 编码（可能是 GBK）：请用编辑器另存为 UTF-8 后重试", line) from exc


# --- front matter ----------------------------------------------------------------------------


@dataclass
class Document:
    meta: dict
    body: str


def read_document(path):
    text = read_text(path).replace("\r\n", "\n")
    if not text.startswith("---\n"):
        raise ContentError(path, "文件必须以 --- 开头的 YAML 头信息开始", 1, 1)
    end = text.find("\n---\n", 4)
    if end == -1:
        raise ContentError(path, "找不到结束头信息的 --- 行")
    meta = load_yaml(text[4 : end + 1], path, line_offset=1)
    if not isinstance(meta, dict):
        raise ContentError(path, "头信息必须是“键: 值”形式", 2, 1)
    return Document(meta=meta, body=text[end + 5 :].strip("\n"))


def write_document(root, rel, meta, body):
    text = "---\n" + dump_yaml(meta) + "---\n"
    if body:
        text += "\n" + body + "\n"
    write_if_changed(root, rel, text)


def copy_images(images, folder):
    """Copy image files ({"media/<name>": Image}) under folder; return how many changed."""
    changed = 0
    for key, image in sorted(images.items()):
        with image.file.open("rb") as src:
            changed += write_if_changed(folder, key, src.read())
    return changed


def sync_files(files, folder, top, keep=()):
    """Copy ``files`` ({"<top>/<name>": Document or Image}) under folder and remove what else ``top`` holds
    but ``keep`` (a file no public content uses any more leaves); return how many changed."""
    changed = copy_images(files, folder)
    for stale in (Path(folder) / top).glob("*"):
        if stale.is_file() and f"{top}/{stale.name}" not in files and f"{top}/{stale.name}" not in keep:
            remove(stale)
            changed += 1
    return changed


# --- body: StreamField blocks <-> a small, strict Markdown ----------------------------------

_FIGURE = re.compile(r'^!\[((?:[^\]\\]|\\.)*)\]\(([^)"\s]*)(?: "((?:[^"\\]|\\.)*)")?\)$')
_QUOTE_BY = "> —— "
_ALT = "替代文字："  # a figure's second line: what the picture shows, for those who cannot see it


def _unescape(text):
    return re.sub(r"\\(.)", r"\1", text)


def _escape(text, chars):
    return "".join("\\" + c if c in chars or c == "\\" else c for c in text)


def _unescape_first(line):
    return line[1:] if line.startswith("\\") else line


def canonical_blocks(blocks):
    """Body blocks exactly as the portable format stores them (whitespace folded where the format folds
    it), so what the site and the API show is what a backup restores."""
    return markdown_to_blocks(blocks_to_markdown(blocks), "")


def blocks_to_markdown(blocks):
    chunks = []
    for block in blocks:
        kind, value = block["type"], block["value"]
        if kind == "heading":
            chunks.append("## " + " ".join(value.split()))
        elif kind == "paragraph":
            # Portable Markdown already (cms/publishing/richtext.py), written as that module writes it.
            text = richtext.canonical(value)
            if text:
                chunks.append(text)
        elif kind == "quote":
            lines = [line.lstrip() for line in value["text"].strip().splitlines() if line.strip()]
            # A line that would read as the attribution (or starts with a backslash) keeps a backslash.
            lines = ["> " + ("\\" + line if line.startswith(("—— ", "\\")) else line) for line in lines]
            attribution = " ".join((value.get("attribution") or "").split())
            if attribution:
                lines.append(_QUOTE_BY + attribution)
            chunks.append("\n".join(lines))
        elif kind == "figure":
            caption = _escape(" ".join((value.get("caption") or "").split()), "]")
            chunk = f"![{caption}]({value.get('image') or ''}"
            credit = " ".join((value.get("credit") or "").split())
            if credit:
                chunk += ' "' + _escape(credit, '"') + '"'
            alt = " ".join((value.get("alt") or "").split())
            chunks.append(chunk + ")" + (f"\n{_ALT}{alt}" if alt else ""))
        else:  # pragma: no cover - guarded by the block definition
            raise ValueError(kind)
    return "\n\n".join(chunks)


def markdown_to_blocks(text, path):
    blocks = []
    for chunk in re.split(r"\n\s*\n", text.strip()) if text.strip() else []:
        chunk = chunk.strip("\n")
        if chunk.startswith("## "):
            blocks.append({"type": "heading", "value": chunk[3:].strip()})
        elif chunk.startswith(">"):
            lines = chunk.splitlines()
            attribution = ""
            if lines[-1].startswith(_QUOTE_BY):
                attribution = lines.pop()[len(_QUOTE_BY) :].strip()
            quote = "\n".join(_unescape_first(line[1:].lstrip()) for line in lines)
            blocks.append({"type": "quote", "value": {"text": quote, "attribution": attribution}})
        elif chunk.startswith("!["):
            chunk, _, alt = chunk.partition("\n" + _ALT)
            match = _FIGURE.match(chunk)
            if not match:
                raise ContentError(path, f'图片行格式不对：{chunk[:40]}，应为 ![说明](media/文件名 "供图")')
            blocks.append(
                {
                    "type": "figure",
                    "value": {
                        "caption": _unescape(match.group(1)),
                        "image": match.group(2),
                        "credit": _unescape(match.group(3) or ""),
                        "alt": " ".join(alt.split()),
                    },
                }
            )
        elif chunk.startswith("#"):
            raise ContentError(path, f"只支持二级小标题（## ），这一段不符合：{chunk[:40]}")
        else:
            blocks.append({"type": "paragraph", "value": richtext.canonical(chunk)})
    return blocks


# --- value helpers ---------------------------------------------------------------------------


def compact(mapping):
    """Drop empty values so files list only what an item has."""
    return {k: v for k, v in mapping.items() if v not in (None, "", [], {})}


def as_date(value, path, field):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ContentError(path, f"字段“{field}”的日期“{value}”无法识别，应写成 2024-05-01") from exc


# --- folders ----------------------------------------------------------------------------------------


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
    for kind in kinds():
        (folder / kind.folder).mkdir(exist_ok=True)
        keep = set()
        for entry in snap.of(kind):
            name = f"{entry['meta']['slug']}.md"
            body = entry["text"] if kind.body == "text" else blocks_to_markdown(entry["blocks"])
            try:
                write_document(folder, f"{kind.folder}/{name}", entry["meta"], body)
            except UnsafePath as exc:
                snap.problems.append({"item": f"{kind.folder}/{entry['meta']['slug'][:60]}", "reason": str(exc)})
                continue
            keep.add(name)
        for stale in (folder / kind.folder).glob("*.md"):
            if stale.name not in keep:
                stale.unlink()
    sync_files(snap.images, folder, "media")
    sync_files(snap.documents, folder, "annexes")


def read_folder(folder, redirect_path):
    """Parse and check a content folder without touching the database; entries carry their ``path``."""
    folder = Path(folder)
    snap = Snapshot()
    regions_file = folder / "regions.yaml"
    if regions_file.exists():
        snap.regions = load_yaml(read_text(regions_file), regions_file) or []
        if not isinstance(snap.regions, list):
            raise ContentError(regions_file, "应为地区列表（每项包含 name、slug、level）")
        check_text(snap.regions, regions_file)
    site_file = folder / "site.yaml"
    if site_file.exists():
        snap.site = load_yaml(read_text(site_file), site_file) or {}
        if not isinstance(snap.site, dict):
            raise ContentError(site_file, "应为“键: 值”形式")
        check_text(snap.site, site_file)
    for kind in kinds():
        entries = snap.entries.setdefault(kind.folder, [])
        for path in sorted((folder / kind.folder).glob("*.md")):
            doc = read_document(path)
            require(doc.meta, path, ["id", "slug", "title"])
            for key in ("slug", "title"):
                if not isinstance(doc.meta[key], str):
                    raise ContentError(path, f"字段“{key}”应为文字")
            try:
                uuid.UUID(str(doc.meta["id"]))
            except ValueError as exc:
                raise ContentError(path, f"id“{doc.meta['id']}”不是有效的 UUID") from exc
            if doc.meta["slug"] != path.stem:
                raise ContentError(path, f"slug“{doc.meta['slug']}”必须与文件名“{path.stem}”一致")
            check_text(doc.meta, path)
            check_text(doc.body, path)
            entry = {"meta": doc.meta, "path": path}
            if kind.body == "text":
                entry["text"] = doc.body
            else:
                entry["blocks"] = markdown_to_blocks(doc.body, path)
            entries.append(entry)
    redirects_file = folder / "redirects.yaml"
    if redirects_file.exists():
        snap.redirects = load_yaml(read_text(redirects_file), redirects_file) or []
        if not isinstance(snap.redirects, list):
            raise ContentError(redirects_file, "应为一个列表，每项包含 from 和 to")
        folders = "、".join(f"/{k.folder}/…/" for k in kinds() if k.item)
        for n, item in enumerate(snap.redirects, start=1):
            for key in ("from", "to"):
                value = item.get(key) if isinstance(item, dict) else None
                if not isinstance(value, str) or not redirect_path.match(value):
                    raise ContentError(redirects_file, f"第 {n} 项的“{key}”应为 {folders} 形式的网址路径")
    seen = {}
    for _kind, entry in snap.all():
        key = str(entry["meta"]["id"])
        if key in seen:
            raise ContentError(entry["path"], f"id 与 {seen[key]} 重复")
        seen[key] = entry["path"]
    return snap


def check_text(value, path, field=""):
    """Reject text no file or page can hold: lone UTF-16 surrogates and control characters."""
    if isinstance(value, dict):
        for key, item in value.items():
            check_text(item, path, f"{field}.{key}" if field else str(key))
    elif isinstance(value, list):
        for n, item in enumerate(value, start=1):
            check_text(item, path, f"{field}[{n}]")
    elif isinstance(value, str) and (ch := unusable_character(value)):
        where = f"字段“{field}”" if field else "正文"
        raise ContentError(path, f"{where}含有无效字符 U+{ord(ch):04X}，请删除后重试")


def require(meta, path, keys):
    for key in keys:
        if meta.get(key) in (None, ""):
            raise ContentError(path, f"缺少必填字段“{key}”")
