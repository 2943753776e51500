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


class Sharing:
    """Holds the equal parts of entries once: texts, and lists and dicts with equal contents.

    Entries repeat a great deal — a district's communities publish the same three lists, and every item names
    the same regions, themes and field names — and a worker holds every entry between builds (about 12 KB of
    Python objects per page, over half of them copies of text and rows another entry holds too). What one
    ``Sharing`` was given is kept once: an equal part seen later is replaced by the first one. Entries are
    never changed in place below their own dict and its "meta" (the export sets keys there; ``finish`` hooks
    replace entries), so those two stay each entry's own and everything below them may be shared.
    """

    __slots__ = ("_held", "_ids")

    def __init__(self):
        self._held = {}  # a text -> itself; (type, its parts' identities) -> the list or dict held for it
        self._ids = set()  # id() of the lists and dicts held (alive while held: the ids cannot be reused)

    def entry(self, entry):
        """The entry with its parts shared (a new dict; the entry given is not changed)."""
        return {key: (self._own(value) if key == "meta" else self._share(value)) for key, value in entry.items()}

    def value(self, value):
        """Any portable value with its parts shared, itself included (a summary, a row): never to be changed."""
        return self._share(value)

    def _own(self, value):
        return self._with_shared_parts(value) if type(value) is dict else self._share(value)

    def _with_shared_parts(self, mapping):
        """A new dict of the mapping's keys and values, each shared."""
        held = self._held
        return {held.setdefault(k, k) if type(k) is str else k: self._share(v) for k, v in mapping.items()}

    def _share(self, value):
        kind, held = type(value), self._held
        if kind is str:
            return held.setdefault(value, value)
        if kind is dict:
            value = self._with_shared_parts(value)
            parts = value.items()
        elif kind is list:
            value = [self._share(v) for v in value]
            parts = enumerate(value)
        else:
            return value
        key = [kind]
        for name, part in parts:
            part_kind = type(part)
            if part_kind is str:
                key += (name, id(part))
            elif part_kind is dict or part_kind is list:
                if id(part) not in self._ids:  # a part that could not be shared: neither can this
                    return value
                key += (name, id(part))
            else:
                key += (name, part_kind, part)
        try:
            found = held.setdefault(tuple(key), value)
        except TypeError:  # a part that is not hashable
            return value
        if found is value:
            self._ids.add(id(value))
        return found
