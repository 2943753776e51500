"""The build cache: what the worker keeps between builds, one object passed into every stage.

Every memo is keyed by content — the digest of an entry (computed once, when its page is exported) and
what its page shows of anything else — never by object identity, so the same input gives the same bytes
whether the cache is warm or cold, and nobody can spoil it by editing an exported entry in place.
"""

import gc
import hashlib
from pathlib import Path

from .export import ExportCache
from .files import atomic_write
from .markdown import make_qr_svg


class QrCodes:
    """QR codes of page addresses, kept in memory and on disk (``.cache/qr/`` in site_src).

    At 1.4 ms a code, a full build of 10,000 pages in a new process would spend 14 s making codes it made
    before; reading one back takes a few microseconds. A code depends only on its URL.
    """

    def __init__(self):
        self.memory = {}
        self.folder = None

    def __call__(self, url):
        svg = self.memory.get(url)
        if svg is None:
            path = self.folder / (hashlib.sha256(url.encode()).hexdigest()[:24] + ".svg") if self.folder else None
            if path is not None and path.exists():
                svg = path.read_text(encoding="utf-8")
            else:
                svg = make_qr_svg(url)
                if path is not None:
                    atomic_write(path, svg.encode("utf-8"))
            self.memory[url] = svg
        return svg


class Memo:
    """Text by name, reused while its key (content digests and context) is the same."""

    def __init__(self):
        self.found = {}  # name -> (key, text)

    def get(self, name, key, make):
        """(text, hit): the remembered text when the key is unchanged, else a fresh one from make()."""
        cached = self.found.get(name)
        if cached is not None and cached[0] == key:
            return cached[1], True
        text = make()
        self.found[name] = (key, text)
        return text, False

    def keep_only(self, names):
        """Forget what is no longer produced (unpublished pages), so the memo does not grow for ever."""
        self.found = {name: value for name, value in self.found.items() if name in names}


class BuildCache:
    """Owned by the build worker for its life; a fresh one is a cold build. Scoped by output folder."""

    FULL_COLLECTION_EVERY = 20  # builds

    def __init__(self):
        self.export = ExportCache()
        self.qr = QrCodes()
        self.memos = {}  # (stage, output folder) -> Memo
        self.project = None  # the loaded MkDocs project, and the state of site_src it was loaded for
        self.project_key = None
        self.builds = 0

    def memo(self, stage, folder):
        return self.memos.setdefault((stage, str(Path(folder))), Memo())

    def settle(self):
        """Collect garbage once the new site is live, then freeze what survives.

        The worker keeps large caches between builds (the export, the memos: millions of objects at 10,000
        pages). Python's full collections walk all of them, about a second each, several times during a
        build; frozen, they are left alone and later collections walk only what the next build allocated.
        The caches hold plain dicts, lists and strings, which reference counting frees when replaced; in case
        a cycle among frozen objects became garbage, every twentieth build unfreezes and walks everything.
        """
        self.builds += 1
        if self.builds % self.FULL_COLLECTION_EVERY == 0:
            gc.unfreeze()
        gc.collect()
        gc.freeze()
