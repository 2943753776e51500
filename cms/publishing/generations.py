"""Generations of the built site: each build writes a new folder, the ``site`` symlink switches in one rename.

Residents never see a half-built site: an incremental build starts from hard links to the live generation
and replaces (never edits) what changed; the live one keeps serving, untouched, until the switch.
"""

import contextlib
import os
import shutil
import subprocess
import time
from pathlib import Path

import orjson

from .compress import prune_empty
from .files import atomic_write

KEEP_GENERATIONS = 3
TRASH_PREFIX = ".trash-"
NEXT_PREFIX = ".next-"
SPARE_PREFIX = ".spare-"  # a second copy of a fully built generation, for the starting tree after the next
_preparing = {}  # builds folder -> (generation name, the background copy preparing its successor's tree)
# builds folder -> {generation name: (the generation it was built from, the folders its build renamed or
# removed in order, the paths it wrote or removed)}: this process's last two incremental builds
_journals = {}


class Generations:
    """The live ``site`` symlink and the generation folders it points to."""

    def __init__(self, site_dir):
        self.link = Path(site_dir)
        self.root = self.link.with_name(self.link.name + ".builds")

    def current(self):
        if self.link.is_symlink():
            target = self.link.resolve()
            if target.is_dir():
                return target
        return None

    def manifest(self, generation):
        path = self.root / f"{generation.name}.json"
        if generation is None or not path.exists():
            return {}
        return orjson.loads(path.read_bytes())

    def new(self, clone_from=None):
        self.root.mkdir(parents=True, exist_ok=True)
        numbers = [int(p.name[1:]) for p in self.root.glob("g*") if p.is_dir() and p.name[1:].isdigit()]
        target = self.root / f"g{max(numbers, default=0) + 1:06d}"
        if clone_from is None:
            target.mkdir()
            return target
        prepared = self.root / f"{NEXT_PREFIX}{clone_from.name}"
        copying = _preparing.pop(str(self.root), None)
        if copying is not None and copying[0] == clone_from.name:
            # It is under way: finishing it is quicker than starting another (the spare is made after it).
            while not prepared.exists() and copying[1].poll() is None:
                time.sleep(0.02)
        try:
            prepared.rename(target)  # prepared after the last build
        except FileNotFoundError:
            # Hard links to every file of the live generation (coreutils does this far faster than Python).
            subprocess.run(["cp", "-al", str(clone_from), str(target)], check=True)
        return target

    def prepare_next(self, generation, base=None, changes=None):
        """Make the next incremental build's starting tree, an exact copy of ``generation`` (hard links).

        When this process built ``generation`` from ``base`` and ``changes`` is the journal of everything
        that build wrote, removed and renamed in it, an older tree is brought up to date instead, by the
        journals of the builds since it (the site's size does not matter): the generation before ``base``
        when this process built ``base`` the same way (two builds old, as old as those kept for a slow
        download; ``base`` itself keeps serving whoever still reads it), or the spare copy of ``base`` made
        after a full build. Otherwise the whole generation is hard-linked in the background while nobody
        waits (after a full build, twice: the next starting tree, then a spare for the one after).

        Generations are never edited once live, so the copy stays exact for as long as this one is live;
        it is renamed into place only when complete.
        """
        final = self.root / f"{NEXT_PREFIX}{generation.name}"
        if changes is None or base is None:  # a full build: the chain of journals starts again
            _journals.pop(str(self.root), None)
            self.copy_in_background(generation, final, self.root / f"{SPARE_PREFIX}{generation.name}")
            return
        steps = _journals.setdefault(str(self.root), {})
        steps[generation.name] = (base.name, list(changes.folders), set(changes.written) | set(changes.removed))
        for name in [n for n in steps if n not in (generation.name, base.name)]:
            del steps[name]
        if base.name in steps:  # the generation before base, by both builds' journals
            recycled = self.recycle(self.root / steps[base.name][0], [self.root / base.name, generation], steps, final)
        else:  # base was a full build: its spare copy, by this build's journal
            recycled = self.recycle(self.root / f"{SPARE_PREFIX}{base.name}", [generation], steps, final)
        if recycled:
            _preparing.pop(str(self.root), None)  # nothing is being copied for it
        else:
            self.copy_in_background(generation, final)

    def copy_in_background(self, generation, *targets):
        """Hard-link copies of a generation, one after the other, each renamed into place when complete."""
        script, args = [], []
        for n, target in enumerate(targets):
            tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
            script.append(f'cp -al "$1" "${2 * n + 2}" && mv -T "${2 * n + 2}" "${2 * n + 3}"')
            args += [str(tmp), str(target)]
        copying = subprocess.Popen(
            ["sh", "-c", " && ".join(script), "sh", str(generation), *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        _preparing[str(self.root)] = (generation.name, copying)

    def recycle(self, folder, made, steps, final):
        """Turn ``folder`` (a generation or a spare copy) into a copy of the last of ``made`` by replaying the
        journals of the builds that made them, each from its own generation; returns whether it could (the
        folder is complete and not live)."""
        if not folder.is_dir() or folder == self.current():
            return False
        tmp = self.root / f"{NEXT_PREFIX}{made[-1].name}.{os.getpid()}.tmp"
        folder.rename(tmp)
        with contextlib.suppress(FileNotFoundError):
            (self.root / f"{folder.name}.json").unlink()
        for generation in made:
            _base, folders, rels = steps[generation.name]
            for step in folders:  # folders renamed or removed whole, in the order the build did it
                if step[0] == "rmtree":
                    shutil.rmtree(tmp / step[1], ignore_errors=True)
                elif (tmp / step[1]).is_dir():
                    shutil.rmtree(tmp / step[2], ignore_errors=True)
                    (tmp / step[1]).rename(tmp / step[2])
            for rel in sorted(rels):
                source, target = generation / rel, tmp / rel
                if source.is_file():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    link = target.with_name(f".{target.name[:60]}.{os.getpid()}.link")
                    with contextlib.suppress(FileNotFoundError):
                        link.unlink()
                    os.link(source, link)
                    os.replace(link, target)
                else:
                    with contextlib.suppress(FileNotFoundError):
                        target.unlink()
                    prune_empty(target.parent, tmp)
        tmp.rename(final)
        return True

    def switch_to(self, generation, manifest):
        # orjson: the manifest holds every page's state (tens of MB at 100,000 pages; json took 0.3 s of an edit)
        atomic_write(self.root / f"{generation.name}.json", orjson.dumps(manifest))
        if self.link.exists() and not self.link.is_symlink():
            # A site/ folder from an older layout: move it aside once.
            self.link.rename(self.root / f"legacy-{int(time.time())}")
        tmp = self.link.with_name(f".{self.link.name}.{os.getpid()}.link")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        os.symlink(os.path.relpath(generation, self.link.parent), tmp)
        os.replace(tmp, self.link)

    def discard(self, generation):
        shutil.rmtree(generation, ignore_errors=True)

    def collect(self, keep):
        """Remove all but the newest generations (older ones may still be serving a slow download).

        Deleting 10,000 folders takes seconds, and the new site is already live: the old generations are
        renamed out of the way at once and deleted by a background ``rm`` (what a killed worker leaves
        behind is picked up by the next build).
        """
        gens = sorted((p for p in self.root.glob("g*") if p.is_dir()), key=lambda p: p.name)
        for old in gens[:-KEEP_GENERATIONS]:
            if old != keep:
                trash = self.root / f"{TRASH_PREFIX}{old.name}.{os.getpid()}"
                old.rename(trash)
                with contextlib.suppress(FileNotFoundError):
                    (self.root / f"{old.name}.json").unlink()
        doomed = sorted(self.root.glob(f"{TRASH_PREFIX}*")) + sorted(self.root.glob("legacy-*"))
        # Starting trees prepared for generations that are no longer live (or half-made when a build began), and
        # spares of generations other than the live one (whose spare the next build may still take). Those of
        # the live one may still be being copied (``<name>.<pid>.tmp``): they are left alone.
        for prefix in (NEXT_PREFIX, SPARE_PREFIX):
            mine = f"{prefix}{keep.name}"
            doomed += sorted(
                p for p in self.root.glob(f"{prefix}*") if p.name != mine and not p.name.startswith(mine + ".")
            )
        if doomed:
            subprocess.Popen(
                ["rm", "-rf", "--", *map(str, doomed)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
