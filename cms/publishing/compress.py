"""Compressed copies of every text file of a generation: ``<file>.gz`` and ``<file>.br``, written at build time.

The app's own server (WhiteNoise) and any front server that serves precompressed files (nginx
``gzip_static``/``brotli_static``) send the best one the browser accepts; nothing is compressed per request.
A generation starts as hard links to the live one, so an unchanged file is the very same inode as in the
live generation and keeps its copies; only a file the build wrote (replaced by rename, recorded in the build's
journal, ``files.recording``) is compressed again, and the copies of a file it removed go with it.
"""

import gzip
import hashlib
import multiprocessing
import os
from pathlib import Path

import brotli

from .files import atomic_write, remove

TEXT_SUFFIXES = (".html", ".css", ".js", ".json", ".xml", ".txt", ".svg", ".bin", ".map", ".webmanifest")
COPY_SUFFIXES = (".gz", ".br")
MIN_BYTES = 256  # smaller files gain nothing worth a second request path
# Theme assets are compressed once and kept for a year: the slowest, smallest Brotli. Pages change often.
ASSET_QUALITY, PAGE_QUALITY = 11, 5


def targets(root):
    """(files to compress, compressed copies to remove) of a whole folder (a full build's new generation)."""
    stale, orphans = [], []
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        present = set(names)
        for name in names:
            path = os.path.join(folder, name)
            if name.endswith(COPY_SUFFIXES):
                if name[:-3] not in present:
                    orphans.append(path)
            elif name.endswith(TEXT_SUFFIXES):
                if os.stat(path).st_size >= MIN_BYTES:
                    stale.append(path)
                else:
                    orphans += [f"{path}{ext}" for ext in COPY_SUFFIXES if name + ext in present]
    return stale, orphans


def journal_targets(root, journal):
    """(files to compress, copies to remove) from what a build wrote and removed under root (its journal):
    a written text file is a new file (written by rename) and gets new copies; a removed one loses its own."""
    stale, orphans = [], []
    for rel in sorted(journal.written):
        path = os.path.join(root, rel)
        if rel.endswith(COPY_SUFFIXES) or not rel.endswith(TEXT_SUFFIXES) or not os.path.isfile(path):
            continue
        if os.stat(path).st_size >= MIN_BYTES:
            stale.append(path)
        else:
            orphans += [path + ext for ext in COPY_SUFFIXES if os.path.exists(path + ext)]
    for rel in sorted(journal.removed):
        path = os.path.join(root, rel)
        orphans += [path + ext for ext in COPY_SUFFIXES if os.path.exists(path + ext)]
    return stale, orphans


def prune_empty(folder, root):
    """Remove folder and its parents up to root while they are empty (a page taken down leaves none)."""
    root = os.path.abspath(root)
    folder = os.path.abspath(folder)
    while folder.startswith(root + os.sep):
        try:
            os.rmdir(folder)
        except OSError:  # not empty, or gone already
            return
        folder = os.path.dirname(folder)


# Theme and site assets are the same bytes build after build (a full build writes them anew): their
# copies are kept by content digest, in this process and on disk (COMPRESSED_ASSET_CACHE), so the slow
# Brotli runs once per asset version, not again after a restart of the worker or in another process.
ASSET_COPIES = {}


def asset_cache_dir():
    from django.conf import settings

    folder = getattr(settings, "COMPRESSED_ASSET_CACHE", None)
    return Path(folder) if folder else None


def cached_asset_copies(data):
    """(gzip, Brotli) of a theme asset: from memory, from the disk cache, or made (and kept in both)."""
    key = hashlib.sha256(data).hexdigest()
    copies = ASSET_COPIES.get(key)
    if copies is not None:
        return copies
    folder = asset_cache_dir()
    stored = [folder / f"{key}{ext}" for ext in (".gz", ".br")] if folder else []
    try:
        copies = tuple(path.read_bytes() for path in stored) if stored else None
    except OSError:  # not cached yet (or unreadable): make them
        copies = None
    if copies is None:
        copies = (gzip.compress(data, 9, mtime=0), brotli.compress(data, quality=ASSET_QUALITY))
        try:
            for path, blob in zip(stored, copies, strict=False):
                atomic_write(path, blob)
        except OSError:  # a read-only cache folder only costs time
            pass
    ASSET_COPIES[key] = copies
    if len(ASSET_COPIES) > 256:  # old versions of assets: let them go
        ASSET_COPIES.pop(next(iter(ASSET_COPIES)))
    return copies


def compressed(path, data):
    """(gzip, Brotli) bytes of a file's data."""
    if not path.endswith((".css", ".js")):
        return gzip.compress(data, 6, mtime=0), brotli.compress(data, quality=PAGE_QUALITY)
    return cached_asset_copies(data)


def compress_file(path):
    with open(path, "rb") as handle:
        data = handle.read()
    gz, br = compressed(path, data)
    atomic_write(path + ".gz", gz)
    atomic_write(path + ".br", br)


def _compress_many(paths):
    for path in paths:
        compress_file(path)
    return len(paths)


def compress_site(root, workers=1, journal=None):
    """Bring the compressed copies under root up to date; returns how many files were compressed.

    Without a journal every text file under root is compressed (a full build: all is new); with the build's
    ``journal`` of root, only the files it wrote get new copies, and the copies of those it removed go."""
    stale, orphans = targets(root) if journal is None else journal_targets(root, journal)
    for path in orphans:
        remove(path)
        prune_empty(os.path.dirname(path), root)
    if workers > 1 and len(stale) > 500:
        chunks = [stale[i::workers] for i in range(workers)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return sum(pool.map(_compress_many, chunks))
    return _compress_many(stale)
