"""The build cache: what the worker keeps between builds, one object passed into every stage.

Every memo is keyed by content — the digest of an entry (computed once, when its page is exported) and
what its page shows of anything else — never by object identity, so the same input gives the same bytes
whether the cache is warm or cold, and nobody can spoil it by editing an exported entry in place.
"""

import functools
import gc
import hashlib
import logging
import multiprocessing
import os
import pickle
import time
from pathlib import Path

from django.db import connection
from django.utils.crypto import constant_time_compare, salted_hmac

from .export import ExportCache
from .files import atomic_write
from .markdown import make_qr_svg
from .memory import release
from .snapshot import Sharing

log = logging.getLogger(__name__)
CODE_ROOT = Path(__file__).resolve().parents[1]  # cms/: the code that turns pages into Markdown, JSON, records
SAVED_NAME = "build-cache.pickle"


class QrCodes:
    """QR codes of page addresses, kept on disk (``.cache/qr/`` in site_src), or in memory without a folder.

    At 1.4 ms a code, a full build of 10,000 pages in a new process would spend 14 s making codes it made
    before; reading one back takes a few microseconds. A code depends only on its URL. The worker does not
    hold them: each is read back when its page is made again (10,000 codes would be ~30 MB).
    """

    def __init__(self):
        self.memory = {}
        self.folder = None

    def path(self, url):
        return self.folder / (hashlib.sha256(url.encode()).hexdigest()[:24] + ".svg")

    def __call__(self, url):
        if self.folder is None:
            if url not in self.memory:
                self.memory[url] = make_qr_svg(url)
            return self.memory[url]
        path = self.path(url)
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            svg = make_qr_svg(url)
            atomic_write(path, svg.encode("utf-8"))
            return svg

    def prepare(self, urls, workers):
        """Make the codes of these addresses not yet on disk, on ``workers`` forked processes when there are
        many (a full build in a new process: 10,000 codes)."""
        if self.folder is None or workers <= 1:
            return
        missing = [url for url in urls if not self.path(url).exists()]
        if len(missing) < 500:  # made one by one as their pages are
            return
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            # Written as they come (all of them at once would be ~150 MB at 100,000 pages).
            for url, svg in zip(missing, pool.imap(make_qr_svg, missing, chunksize=100), strict=True):
                atomic_write(self.path(url), svg.encode("utf-8"))


class Memo:
    """Text by name, reused while its key (content digests and context) is the same."""

    def __init__(self):
        self.found = {}  # name -> (key, text)
        self.stamp = None  # what the texts were made against (SiteContext.shared_state, and the stage's own)

    def get(self, name, key, make, on_disk=None):
        """(text, hit): the remembered text when the key is unchanged, else a fresh one from make().

        With ``on_disk`` (the file the text is written to) only the key is kept, not the text: while the key
        holds and the file is there, (None, True) — the text is on disk; the worker does not hold a copy."""
        cached = self.found.get(name)
        if cached is not None and cached[0] == key:
            if cached[1] is not None:
                return cached[1], True
            if on_disk is not None and on_disk.exists():
                return None, True
        text = make()
        self.found[name] = (key, None if on_disk is not None else text)
        return text, False

    def keep_only(self, names):
        """Forget what is no longer produced (unpublished pages), so the memo does not grow for ever."""
        self.found = {name: value for name, value in self.found.items() if name in names}


@functools.cache
def code_version():
    """A digest of the code that makes the cached values (every module of cms/ and the pinned packages):
    a deploy that changes any of it starts from an empty cache, so no value made by old code is reused.
    Read once: it is the code this process runs, whatever is on disk later."""
    digest = hashlib.sha256()
    for path in sorted(CODE_ROOT.rglob("*.py")):
        if "__pycache__" not in path.parts:
            digest.update(path.relative_to(CODE_ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    requirements = CODE_ROOT.parent / "requirements.txt"
    if requirements.exists():
        digest.update(requirements.read_bytes())
    return digest.hexdigest()


def database_identity():
    """Which database the cached export came from (its rows are keyed by primary keys and revisions)."""
    return (connection.vendor, str(connection.settings_dict.get("NAME")), str(connection.settings_dict.get("HOST")))


SIGNATURE_BYTES = 64  # the hex HMAC-SHA256 at the end of the file


def signer():
    """An HMAC of the kept cache keyed by the secret key, the code and the database it was made by and for."""
    return salted_hmac(f"jiceng.build-cache:{code_version()}:{database_identity()}", b"", algorithm="sha256")


class _SigningWriter:
    """A file that signs what is written to it (pickle streams into it: no copy of the whole in memory)."""

    def __init__(self, handle):
        self.handle, self.mac = handle, signer()

    def write(self, data):
        self.mac.update(data)
        return self.handle.write(data)


class BuildCache:
    """Owned by the build worker for its life; a fresh one is a cold build. Scoped by output folder.

    A persistent cache (the worker's, ``manage.py build_site``'s) is also kept on disk beside site_src's
    other caches: the first build after a restart or a deploy starts from it, so it costs what changed since
    the last build, not a full rebuild. What is kept is keyed by content (entry digests, row versions), and
    the file is only used by the same code (``code_version``) against the same database.
    """

    FULL_COLLECTION_EVERY = 20  # builds

    def __init__(self, persistent=False):
        self.export = ExportCache()
        self.qr = QrCodes()
        self.memos = {}  # (stage, output folder) -> Memo
        self.derived = {}  # output folder -> what SiteContext works out per entry (see SiteContext.remembered)
        self.project = None  # the loaded MkDocs project, and the state of site_src it was loaded for
        self.project_key = None
        # (config, site_src, theme signature, generation) the project last built and switched in: while that
        # generation is live, the next build can take site_src's changes from the renderer's journal.
        self.project_built = None
        self.manifest = None  # (generation, its manifest) of the generation this worker switched in last
        # What the stages that look only at the entries that changed keep between builds, by (stage, folder):
        # the digests they last made their outputs from, the static JSON's listings in order
        # (static_json.Listings), the renderer's pages (render.RenderState). In memory only: the first build
        # after a restart looks at every entry once.
        self.stages = {}
        self.builds = 0
        self.persistent = persistent
        self.restored = False
        self._saving = None  # the pid of the child process writing the cache to disk
        self._saved_at = None  # time.monotonic() of the last save

    # --- kept on disk ------------------------------------------------------------------------------------

    SAVE_CHUNK = 1000  # items per pickled part: pickle's memo holds one part's objects, not the whole cache's

    def parts(self):
        """The cache as a stream of small parts (written one by one, each with a fresh pickle memo: a save
        does not hold an index of every object of the cache, which would add ~10% to the worker's size)."""
        yield ("export", self.export.token, self.export.last_good)
        stores = [(("export",), self.export.entries)]
        for key, memo in self.memos.items():
            yield ("memo", key, memo.stamp)
            stores.append((("memo", key), memo.found))
        for folder, derived in self.derived.items():
            for name, store in derived.items():
                yield ("derived", folder, name, {} if isinstance(store, dict) else store)
                if isinstance(store, dict):
                    stores.append((("derived", folder, name), store))
        for where, store in stores:
            items = list(store.items())
            for start in range(0, len(items), self.SAVE_CHUNK):
                yield ("items", where, items[start : start + self.SAVE_CHUNK])
        yield ("end",)

    def take(self, part, sharing=None):
        """Take up one part written by ``parts`` (the export's entries with their parts shared by ``sharing``:
        pickled in parts, entries share only with those of their part)."""
        if part[0] == "export":
            self.export.token, self.export.last_good = part[1], part[2]
        elif part[0] == "memo":
            self.memos.setdefault(part[1], Memo()).stamp = part[2]
        elif part[0] == "derived":
            self.derived.setdefault(part[1], {})[part[2]] = part[3]
        elif part[0] == "items":
            where = part[1]
            if where[0] == "export":
                store = self.export.entries
                if sharing is not None:
                    part = (*part[:2], [(k, (row, sharing.entry(entry), *rest)) for k, (row, entry, *rest) in part[2]])
            elif where[0] == "memo":
                store = self.memos[where[1]].found
            else:
                store = self.derived[where[1]][where[2]]
            store.update(part[2])

    def restore(self, folder):
        """Take up what a previous process kept in ``folder``; returns whether it could (same code, same
        database, a readable file). Only done once, before the first build."""
        self.restored = True
        path = Path(folder) / SAVED_NAME
        try:
            handle = open(path, "rb")  # noqa: SIM115 — closed below
        except FileNotFoundError:
            return False
        with handle:
            # Only a file this code wrote for this database, with this installation's secret key, is unpickled.
            size = os.fstat(handle.fileno()).st_size - SIGNATURE_BYTES
            mac, left = signer(), size
            while left > 0:
                chunk = handle.read(min(left, 1 << 20))
                if not chunk:
                    break
                mac.update(chunk)
                left -= len(chunk)
            if size < 0 or not constant_time_compare(handle.read(), mac.hexdigest().encode()):
                log.warning("build cache %s is not ours (other code, database or key, or torn); starting cold", path)
                return False
            handle.seek(0)
            taken = BuildCache()
            try:
                # Signed, checked above, with the secret key.
                sharing = Sharing()
                while (part := pickle.load(handle)) != ("end",):  # noqa: S301
                    taken.take(part, sharing)
            except Exception:  # a file that cannot be read costs a slower build, never a failed one
                log.warning("build cache %s unreadable; starting cold", path, exc_info=True)
                return False
        self.export, self.memos, self.derived = taken.export, taken.memos, taken.derived
        return True

    def save_due(self, interval):
        """Whether to save now: never saved yet, or ``interval`` seconds since the last save."""
        return self._saved_at is None or time.monotonic() - self._saved_at >= interval

    def save(self, folder, background=True):
        """Write the cache to ``folder`` (atomically). In the background it is written by a forked child,
        which sees the cache as it is now while the worker goes on; a save still under way is not doubled
        (the next build's save writes the newer state)."""
        if self._saving is not None:
            pid, _status = os.waitpid(self._saving, os.WNOHANG)
            if pid == 0:
                return False
            self._saving = None
        folder = Path(folder)
        self._saved_at = time.monotonic()
        if background and hasattr(os, "fork"):
            pid = os.fork()
            if pid:
                self._saving = pid
                return True
            try:  # the child: write and leave at once, touching nothing the parent holds (database, files)
                self._write(folder)
            finally:
                os._exit(0)
        self._write(folder)
        return True

    def wait_for_save(self):
        if self._saving is not None:
            os.waitpid(self._saving, 0)
            self._saving = None

    def _write(self, folder):
        path = folder / SAVED_NAME
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as handle:
                writer = _SigningWriter(handle)
                for part in self.parts():  # one pickle each: its memo goes with it
                    pickle.dump(part, writer, protocol=pickle.HIGHEST_PROTOCOL)
                handle.write(writer.mac.hexdigest().encode())
            os.replace(tmp, path)
        except Exception:
            log.warning("build cache not saved to %s", folder, exc_info=True)
            tmp.unlink(missing_ok=True)

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
        # Every build: without it the worker kept ~30 MB more at 10,000 pages (the peak target is 600 MiB); it
        # walks the heap, a part of the "gc" step's 0.1–0.3 s at 100,000 pages, after the site is live.
        release()  # (and before a save forks from this process)
