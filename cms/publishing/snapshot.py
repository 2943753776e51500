"""The snapshot: everything public, as portable dicts in a stable order — what every stage starts from.

``export.export_snapshot`` makes it from the CMS, ``portable.read_folder`` from a content folder.
"""

import bisect
import hashlib
import json
from dataclasses import dataclass, field

from cms.core.kinds import kinds
from cms.core.validation import UNUSABLE


@dataclass
class Snapshot:
    """Public content as portable dicts: entries by kind folder ("cases": [...]), regions, site, media."""

    regions: list = field(default_factory=list)
    site: dict = field(default_factory=dict)
    entries: dict = field(default_factory=dict)  # kind folder -> [entries], each kind sorted by slug
    images: dict = field(default_factory=dict)  # "media/<sha1>.<ext>" -> Image
    documents: dict = field(default_factory=dict)  # documents public content uses (none link any yet)
    redirects: list = field(default_factory=list)  # [{"from": "/cases/old/", "to": "/cases/new/"}]
    # Public pages that could not be exported this time: their outputs stay as they were ({(folder, slug)}),
    # and why ([{"item", "reason"}], in Chinese, for the build log).
    held: set = field(default_factory=set)
    problems: list = field(default_factory=list)
    digests: dict = field(default_factory=dict)  # (folder, slug) -> digest of the entry's content
    today: object = None  # the day the snapshot was taken (in China): display periods are read against it
    in_slug_order: bool = False  # each kind's entries are in slug order (the export's): found by bisection
    _changed: dict = field(default_factory=dict, repr=False, compare=False)  # changed_since's answers

    def of(self, kind):
        return self.entries.get(kind.folder, [])

    def items(self):
        """(kind, entry) of every item (content with a place), kind by kind."""
        for kind in kinds():
            if kind.item:
                for entry in self.entries.get(kind.folder, []):
                    yield kind, entry

    def all(self):
        """(kind, entry) of everything, items and collections alike."""
        for kind in kinds():
            for entry in self.entries.get(kind.folder, []):
                yield kind, entry

    def digest(self, kind, entry):
        """The digest of an entry's content (computed once per changed page by the export)."""
        key = (kind.folder, entry["meta"]["slug"])
        found = self.digests.get(key)
        if found is None:
            found = self.digests[key] = digest(entry)
        return found

    def find(self, folder, slug):
        """An entry by its folder and slug, or None: by bisection when the entries are in slug order."""
        entries = self.entries.get(folder, [])
        if not self.in_slug_order:
            return next((e for e in entries if e["meta"]["slug"] == slug), None)
        at = bisect.bisect_left(entries, slug, key=lambda e: e["meta"]["slug"])
        if at < len(entries) and entries[at]["meta"]["slug"] == slug:
            return entries[at]
        return None

    def holds(self, folder, slug):
        """Whether an entry of the folder has this slug (by bisection when the entries are in slug order)."""
        return self.find(folder, slug) is not None

    def present(self, keys, kinds_whole=()):
        """What a stage that looks only at some entries looks at: ([(kind, entry)] of the (folder, slug)
        ``keys`` this snapshot holds, and of every entry of the ``kinds_whole``, in the snapshot's order;
        [(folder, slug)] of the keys it no longer holds)."""
        keys = set(keys) | {(kind.folder, e["meta"]["slug"]) for kind in kinds_whole for e in self.of(kind)}
        by_folder = {kind.folder: kind for kind in kinds()}
        order = {folder: n for n, folder in enumerate(by_folder)}
        found, gone = [], []
        for folder, slug in sorted(keys, key=lambda key: (order.get(key[0], -1), key[1])):
            entry = self.find(folder, slug)
            if entry is not None:
                found.append((by_folder[folder], entry))
            else:
                gone.append((folder, slug))
        return found, gone

    def changed_since(self, digests):
        """(folder, slug) of the entries whose digest is not the one in ``digests`` (a stage's record of what
        it last made), and of those that went since: what a stage kept up to date between builds looks at.

        Stages keep the snapshot's own ``digests`` as their record (it is not changed once the export made
        it), so for the stages of one build the answer is worked out once (not to be changed by the caller)."""
        if id(digests) in self._changed and self._changed[id(digests)][0] is digests:
            return self._changed[id(digests)][1]
        if len(self.digests) != sum(len(entries) for entries in self.entries.values()):
            for kind, entry in self.all():  # (a snapshot read from a folder makes them as they are asked for)
                self.digest(kind, entry)
        now = self.digests
        changed = {key for key, value in now.items() if digests.get(key) != value}
        if len(digests) != len(now) - sum(1 for key in changed if key not in digests):
            changed |= digests.keys() - now.keys()
        self._changed[id(digests)] = (digests, changed)
        return changed

    @property
    def count(self):
        return sum(1 for _ in self.items())


def digest(value):
    """A digest of portable data (dicts, lists, text, numbers, dates)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def sanitized(value):
    """A copy of exported data without characters no file or page may hold (see ``validation.UNUSABLE``).

    The gate keeps them out; whatever got in before it (or around it) still cannot stop a build or a restore.
    Data that holds none (nearly all) is returned as it is, found by one look at its JSON text: the control
    characters are escaped there (\\r, \\b, \\f, \\u00..), the others appear as themselves.
    """
    if not isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False, default=str)
        if not any(mark in text for mark in ESCAPED_UNUSABLE) and not UNUSABLE.search(text):
            return value
    return _sanitized(value)


ESCAPED_UNUSABLE = ("\\r", "\\b", "\\f", "\\u00")


def _sanitized(value):
    if isinstance(value, str):
        if "\r" in value:  # the portable format reads every line break as \n
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return UNUSABLE.sub("", value) if UNUSABLE.search(value) else value
    if isinstance(value, dict):
        return {k: _sanitized(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_sanitized(v) for v in value]
    return value
