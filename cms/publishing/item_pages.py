"""Item pages' Markdown: each entry's page made by its kind, passed over when its content and world are as
last time (the memo), and in a full build made in two processes side by side.
"""

import functools
from dataclasses import dataclass, field

from .files import UnsafePath, check_relative, record_paths, recording, write_if_changed
from .forked import ForkedError, side_by_side
from .problems import failure_reason, item_label


def write_page(out_dir, rel, text, held, problems):
    """Write one generated file (when its bytes changed); one that cannot be written is held, with why."""
    try:
        return write_if_changed(out_dir, rel, text if text.endswith("\n") else text + "\n")
    except (UnsafePath, OSError) as exc:
        held.add(rel)
        problems.append({"item": rel, "reason": failure_reason(exc)})
        return 0


@dataclass
class ItemPages:
    """What making the pages of some entries did (``render_items``), to be taken into the build's state."""

    files: list = field(default_factory=list)  # site_src paths of the pages made or passed over
    unchanged: set = field(default_factory=set)  # those the memo says are as this cache wrote them last
    seen: set = field(default_factory=set)  # every entry's page path
    linked: set = field(default_factory=set)  # (folder, slug) of entries whose pages link to others
    unlinked: set = field(default_factory=set)  # … and of those whose pages no longer do
    failed: set = field(default_factory=set)  # (folder, slug) of entries that could not be rendered
    held: set = field(default_factory=set)  # page paths left as they were (not rendered, not written)
    problems: list = field(default_factory=list)
    changed: int = 0  # files written
    memo: dict = field(default_factory=dict)  # (from a forked process) what its pages left in the memo
    written: set = field(default_factory=set)  # (from a forked process) what it wrote and removed in site_src
    removed: set = field(default_factory=set)


def render_items(site, out_dir, pages_memo, looked, changes, shared_same, held):
    """Make the pages of the entries ``looked`` at ([(kind, entry)]); an entry whose content and world are as
    last time is passed over with a dictionary lookup. ``held``: page paths to leave as they are."""
    snap, done = site.snap, ItemPages()
    for kind, entry in looked:
        slug = entry["meta"]["slug"]
        rel = f"{kind.folder}/{slug}.md"
        done.seen.add(rel)
        found = pages_memo.found.get(rel)
        same = found is not None and found[0][0] == snap.digest(kind, entry)
        if not same and not changes.everything:
            changes.touch(site, kind, (kind.folder, slug), entry)
        if same and shared_same[kind.folder] and not found[0][3]:  # no links to other pages either
            done.files.append(rel)
            done.unchanged.add(rel)
            done.unlinked.add((kind.folder, slug))
            continue
        try:
            check_relative(rel)
            key = (
                snap.digest(kind, entry),
                kind.context(site, entry),
                kind.period_label(site, entry),
                site.links_key(entry),
            )
            text, hit = pages_memo.get(rel, key, lambda kind=kind, entry=entry: kind.render(site, entry), out_dir / rel)
        except Exception as exc:  # one item's content must not stop the others
            done.held.add(rel)
            done.failed.add((kind.folder, slug))
            meta = entry["meta"]
            label = item_label(kind.label, meta.get("title", ""), kind.folder, meta.get("slug", ""))
            done.problems.append({"item": label, "reason": failure_reason(exc)})
            continue
        (done.linked if key[3] else done.unlinked).add((kind.folder, slug))
        done.files.append(rel)
        if hit:
            done.unchanged.add(rel)
        if rel not in held and not (hit and (out_dir / rel).exists()):
            done.changed += write_page(out_dir, rel, text, done.held, done.problems)
    return done


# Entries above which a full build makes their pages in two processes (forking costs ~10 ms).
PARALLEL_ITEMS = 1000


def _items_elsewhere(site, out_dir, pages_memo, part, changes, shared_same, held):
    """``render_items`` in a forked process, with what it left in the memo and its journal of site_src."""
    with recording(out_dir) as journal:
        done = render_items(site, out_dir, pages_memo, part, changes, shared_same, held)
    done.memo = {rel: pages_memo.found[rel] for rel in done.files if rel in pages_memo.found}
    done.written, done.removed = journal.written, journal.removed
    return done


def items_side_by_side(site, out_dir, pages_memo, looked, changes, shared_same, held):
    """``render_items`` of every other entry here and of the rest in a forked process (the snapshot and the
    site's lookups are plain data it shares; it touches no database), merged as one run would leave them:
    what the other process left in the memo and wrote in site_src is taken in here."""
    state = (site, out_dir, pages_memo)
    there = functools.partial(_items_elsewhere, *state, looked[1::2], changes, shared_same, held)
    here = functools.partial(render_items, *state, looked[0::2], changes, shared_same, held)
    try:
        (theirs,), done = side_by_side([there], here)
    except ForkedError as exc:
        raise RuntimeError(f"页面 Markdown 生成进程出错：{'；'.join(exc.messages) or '进程异常退出'}") from exc
    pages_memo.found.update(theirs.memo)
    record_paths(out_dir, theirs.written, theirs.removed)
    for name in ("unchanged", "seen", "linked", "unlinked", "failed", "held"):
        getattr(done, name).update(getattr(theirs, name))
    done.files += theirs.files
    done.problems += theirs.problems
    done.changed += theirs.changed
    return done


def item_pages(site, out_dir, pages_memo, looked, changes, shared_same, held, workers):
    """The pages of the entries ``looked`` at ([(kind, entry)]): with every page made anew (a full build) and
    many of them, half here and half in a forked process, side by side."""
    if changes.everything and workers > 1 and len(looked) >= PARALLEL_ITEMS:
        return items_side_by_side(site, out_dir, pages_memo, looked, changes, shared_same, held)
    return render_items(site, out_dir, pages_memo, looked, changes, shared_same, held)
