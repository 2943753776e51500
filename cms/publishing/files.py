"""Every file the pipeline writes goes through here: inside its output folder, replaced atomically.

Names come from the system (slugs the CMS validated, ids, content digests), never from titles or
uploaded names; ``inside`` still checks each relative path before anything is written, so a value that
slipped past validation can fail one item but never write outside the folder or overwrite ``mkdocs.yml``.
"""

import contextlib
import os
import shutil
from pathlib import Path, PurePosixPath

# One path component, in bytes (Linux allows 255; temporary names and .gz/.br copies add a few).
MAX_NAME_BYTES = 200


class UnsafePath(ValueError):
    """A relative path that would leave its folder or that no file system can hold."""


def check_relative(rel):
    """The parts of a relative POSIX path, or UnsafePath (in Chinese) if it is not a plain path below a folder."""
    rel = str(rel)
    if not rel or "\x00" in rel or "\\" in rel or rel.startswith("/"):
        raise UnsafePath(f"文件路径“{rel[:80]}”无效")
    parts = PurePosixPath(rel).parts
    for part in parts:
        if part in ("", ".", ".."):
            raise UnsafePath(f"文件路径“{rel[:80]}”不能包含 . 或 ..")
        if len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
            raise UnsafePath(f"文件名“{part[:40]}…”超过 {MAX_NAME_BYTES} 字节")
        try:
            part.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise UnsafePath(f"文件名“{part[:40]!r}”含有无效字符") from exc
    return parts


def inside(root, rel):
    """``root / rel`` after checking that rel stays inside root."""
    check_relative(rel)
    return Path(root).joinpath(rel)


class Journal:
    """What was written and removed under a folder while it recorded (relative POSIX paths), so the later
    steps of a build look at those files instead of walking the whole folder."""

    def __init__(self, root):
        self.root = os.path.abspath(root) + os.sep
        self.written, self.removed = set(), set()
        # Folders renamed or removed whole, in order: ("move", old, new) and ("rmtree", rel). The files they
        # held before are not listed one by one (only those written inside them are).
        self.folders = []

    def rel(self, path):
        """``path`` relative to the journal's folder, or None when it lies outside."""
        path = os.path.abspath(path)
        return path[len(self.root) :].replace(os.sep, "/") if path.startswith(self.root) else None

    def note(self, path, removed):
        rel = self.rel(path)
        if rel is not None:
            (self.removed if removed else self.written).add(rel)
            (self.written if removed else self.removed).discard(rel)


_journals = []


@contextlib.contextmanager
def recording(root):
    """Record every write and removal below ``root`` made through this module (atomic_write, remove)."""
    journal = Journal(root)
    _journals.append(journal)
    try:
        yield journal
    finally:
        _journals.remove(journal)


def record_tree(folder):
    """Record every file of a folder made by other means (written elsewhere, then renamed into place)."""
    if _journals:
        for root, _dirs, names in os.walk(folder):
            for name in names:
                for journal in _journals:
                    journal.note(os.path.join(root, name), removed=False)


def record_paths(root, written, removed):
    """Record what another process wrote and removed below ``root`` (relative POSIX paths)."""
    for rels, gone in ((written, False), (removed, True)):
        for rel in rels:
            for journal in _journals:
                journal.note(os.path.join(root, rel), removed=gone)


def record_move(old, new):
    """A folder was renamed: what was recorded inside it now lives under its new name."""
    for journal in _journals:
        old_rel, new_rel = journal.rel(old), journal.rel(new)
        if old_rel is None or new_rel is None:
            continue
        journal.folders.append(("move", old_rel, new_rel))
        old_rel, new_rel = old_rel + "/", new_rel + "/"
        for found in (journal.written, journal.removed):
            moved = {rel for rel in found if rel.startswith(old_rel)}
            found -= moved
            found |= {new_rel + rel[len(old_rel) :] for rel in moved}


def remove_tree(folder):
    """Delete a folder and all it holds (recorded as one removal: what was written in it is forgotten)."""
    shutil.rmtree(folder, ignore_errors=True)
    for journal in _journals:
        rel = journal.rel(folder)
        if rel is None:
            continue
        for found in (journal.written, journal.removed):
            found -= {r for r in found if r.startswith(rel + "/")}
        journal.folders.append(("rmtree", rel))


def atomic_write(path, data):
    """Replace a file by rename, so hard-linked copies in older generations are never modified."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name[:60]}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    replace(tmp, path)


def replace(tmp, path):
    """Move a finished temporary file into place (recorded as a write)."""
    os.replace(tmp, path)
    for journal in _journals:
        journal.note(path, removed=False)


def remove(path):
    """Delete a file (recorded like a write); a file already gone is not an error."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    for journal in _journals:
        journal.note(path, removed=True)


def write_if_changed(root, rel, data):
    """Write ``root/rel`` (checked) only when its bytes differ, so unchanged files keep their mtime.

    ``data`` is bytes or text (written as UTF-8). Returns whether the file changed.
    """
    path = inside(root, rel)
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    atomic_write(path, data)
    return True
