"""Build site/ from site_src/ with MkDocs' own machinery, in-process, fully or only for what changed.

Each build writes a new *generation* folder beside the live one and then switches the ``site``
symlink to it in one rename, so residents never see a half-built site. An incremental build starts
from hard links to the previous generation and replaces (never edits) the files that changed: the
previous generation keeps serving untouched until the switch.
"""

import contextlib
import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from .compress import COPY_SUFFIXES, compress_site
from .files import recording, remove
from .generations import Generations
from .memory import release
from .project import MkDocsProject, SiteBuildError, collect_warnings, render_in_parallel


@dataclass
class BuildReport:
    full: bool = False
    rendered: list = field(default_factory=list)  # src_uris rebuilt
    removed: list = field(default_factory=list)  # src_uris whose pages were deleted
    generation: str = ""
    timings: dict = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)
    failed: list = field(default_factory=list)  # [(src_uri, reason)]: pages left as they were in the last site


def tree_signature(paths):
    """A digest of the files that shape every page (config, theme overrides, hooks)."""
    digest = hashlib.sha256()
    for root in paths:
        root = Path(root)
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root.parent)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def source_state(docs_dir, others=None):
    """(size, mtime) of every Markdown page in site_src, by src_uri.

    The renderer rewrites a file only when its bytes change, so a changed stat means changed content.
    When `others` is a set, the paths of every other file (JSON, images, assets) are added to it.
    """
    docs_dir = Path(docs_dir)
    state = {}
    for root, dirs, names in os.walk(docs_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            if name.endswith(".md"):
                path = os.path.join(root, name)
                stat = os.stat(path)
                state[os.path.relpath(path, docs_dir).replace(os.sep, "/")] = f"{stat.st_size}:{stat.st_mtime_ns}"
            elif others is not None and not name.startswith("."):
                others.add(os.path.join(root, name))
    return dict(sorted(state.items()))


def load_project(config_file, docs_dir, generation, state, cache):
    """The loaded project for this state of site_src: the one the cache holds (moved to ``generation``) when it
    was loaded for the same state, else a new one (loading takes 2–3 s at 10,000 pages)."""
    key = (str(config_file), str(docs_dir), state)
    if cache.project is not None and cache.project_key == key:
        cache.project.move_to(generation)
        return cache.project
    cache.project = None
    project = MkDocsProject(config_file, docs_dir, generation)
    cache.project, cache.project_key = project, key
    return project


def known_changes(cache, config_file, docs_dir, signature, current, source_changes):
    """Whether site_src's changes since the live generation are exactly ``source_changes`` (the renderer's
    journal): this process built the live generation with the project it still holds, for the same theme."""
    return (
        source_changes is not None
        and cache.project is not None
        and current is not None
        and cache.project_built == (str(config_file), str(docs_dir), signature, current.name)
    )


def visible(rel):
    """Whether site_src's file is part of the site (MkDocs leaves out dot files and folders)."""
    return not any(part.startswith(".") for part in rel.split("/"))


def changed_pages(docs_dir, old_pages, source_changes, retry):
    """The state of site_src's pages from the last build's and the journal of what was written since (and
    the pages that failed last time, which are tried again)."""
    pages = dict(old_pages)
    for rel in source_changes.removed:
        pages.pop(rel, None)
    for rel in {r for r in source_changes.written if r.endswith(".md")} | set(retry):
        path = Path(docs_dir) / rel
        if visible(rel) and path.is_file():
            stat = path.stat()
            pages[rel] = f"{stat.st_size}:{stat.st_mtime_ns}"
    return pages


def build_generation(
    config_file,
    docs_dir,
    site_dir,
    signature_paths,
    cache,
    force_full=False,
    workers=2,
    index_search=None,
    source_changes=None,
):
    """Build a new generation of the site and switch it in; returns a BuildReport.

    ``index_search(generation_dir, report)`` updates the search index inside the new generation before
    the switch; it is given the report so it can re-index only what changed. ``source_changes`` is the
    journal of what the renderer wrote and removed in site_src for this build: when this process built the
    live generation, the build looks only at those files, not at every file of the site.
    """
    report = BuildReport()
    gens = Generations(site_dir)
    current = gens.current()
    # The live generation's manifest (every page's state, the search index's): kept by the worker that switched
    # it in (reading it is 10–20 MB of JSON at 100,000 pages), else read from beside it.
    kept = cache.manifest
    previous = {} if current is None else kept[1] if kept and kept[0] == current.name else gens.manifest(current)
    started = time.perf_counter()
    # Theme, hooks, config and the navigation (its tab titles are in it) shape every page.
    signature = tree_signature(signature_paths)
    report.full = force_full or not previous or previous.get("signature") != signature
    old_pages = previous.get("pages", {})
    known = not report.full and known_changes(cache, config_file, docs_dir, signature, current, source_changes)
    if known:
        pages = changed_pages(docs_dir, old_pages, source_changes, previous.get("failed", []))
    else:
        others = set()
        pages = source_state(docs_dir, others)
    if not report.full:
        report.rendered = sorted(uri for uri, digest in pages.items() if old_pages.get(uri) != digest)
        report.removed = sorted(uri for uri in old_pages if uri not in pages)
    report.timings["scan"] = time.perf_counter() - started

    started = time.perf_counter()
    generation = gens.new(clone_from=None if report.full else current)
    report.timings["clone"] = time.perf_counter() - started
    cache.project_built = None  # set again once this build is live
    whole = contextlib.ExitStack()  # the journal of all this build changes in the generation, compression too
    changes = whole.enter_context(recording(generation))
    try:
        with recording(generation) as written:
            started = time.perf_counter()
            with collect_warnings() as warnings:
                if known:
                    project = cache.project
                    visible_written = {rel for rel in source_changes.written if visible(rel)}
                    gone = {rel for rel in source_changes.removed if visible(rel)}
                    to_copy = project.apply(visible_written, gone)
                    project.move_to(generation)
                    project.write_static_files(only=to_copy)
                    for rel in gone:
                        if not rel.endswith(".md"):
                            remove(generation / rel)
                else:
                    if report.full:
                        cache.project = None  # a full build loads everything afresh (its page processes fork from it)
                    state = (signature, tuple(pages), frozenset(others))
                    project = load_project(config_file, docs_dir, generation, state, cache)
                    release()  # before the page processes fork from this one
                    project.write_static_files()
                    prune_static_files(project, generation)
                if report.full:
                    report.rendered = sorted(f.src_uri for f in project.doc_files)
                report.timings["load"] = time.perf_counter() - started
            if warnings.messages:
                raise SiteBuildError("\n".join(warnings.messages[:20]))
            started = time.perf_counter()
            search = {}

            def index_now():  # (reads the records, not the pages: a full build does it while they render)
                begun = time.perf_counter()
                search["manifest"] = index_search(generation, report, previous.get("search", {}))
                report.timings["search"] = time.perf_counter() - begun

            overlap = index_search is not None and report.full
            report.failed = render_in_parallel(
                project, report.rendered, workers if report.full else 1, meanwhile=index_now if overlap else None
            )
            if report.full:
                release()
            if report.full and current is not None:
                keep_previous_pages(current, generation, [uri for uri, _reason in report.failed])
            for uri in report.removed:
                remove_page_output(generation, uri)
            with collect_warnings() as warnings:
                project.write_theme_templates()
            if warnings.messages:
                raise SiteBuildError("\n".join(warnings.messages[:20]))
            report.timings["pages"] = time.perf_counter() - started
            # A page that failed keeps its previous HTML and its previous digest, and is tried again next time.
            for uri, _reason in report.failed:
                if uri in old_pages:
                    pages[uri] = old_pages[uri]
                else:
                    pages.pop(uri, None)
            # Pages taken down (the 404 says so plainly); one that is back is no longer gone.
            gone_urls = set(previous.get("gone", [])) | {page_url(uri) for uri in old_pages.keys() - pages.keys()}
            report.manifest = {
                "signature": signature,
                "pages": pages,
                "failed": sorted(uri for uri, _reason in report.failed),
                "search": previous.get("search", {}),
                "gone": sorted(url for url in gone_urls if not served(url, pages)),
            }
            if index_search is not None and not overlap:
                index_now()
            if search:
                report.manifest["search"] = search["manifest"]
                if report.full:
                    release()
        started = time.perf_counter()
        if report.full:
            compress_site(generation, workers=workers)
        else:  # what this build wrote and removed (the journal), nothing else
            compress_site(generation, journal=written)
        report.timings["compress"] = time.perf_counter() - started
    except Exception:
        cache.project = None  # it may be half-way through a page
        gens.discard(generation)
        raise
    finally:
        whole.close()
    started = time.perf_counter()
    gens.switch_to(generation, report.manifest)
    cache.manifest = (generation.name, report.manifest)
    cache.project_built = (str(config_file), str(docs_dir), signature, generation.name)
    report.timings["switch"] = time.perf_counter() - started
    started = time.perf_counter()
    gens.prepare_next(generation, *((current, changes) if not report.full else ()))
    gens.collect(keep=generation)
    report.timings["cleanup"] = time.perf_counter() - started
    report.generation = generation.name
    return report


# Folders of the site whose files all come from site_src; anything there that site_src no longer has
# (an unpublished item's JSON, a replaced image) is removed from the new generation.
PRUNED_FOLDERS = ("api", "media", "annexes")


def prune_static_files(project, generation):
    wanted = {os.path.abspath(project.dest(f)) for f in project.files if not f.is_documentation_page()}
    for folder in PRUNED_FOLDERS:
        for root, _dirs, names in os.walk(Path(generation) / folder):
            for name in names:
                path = os.path.abspath(os.path.join(root, name))
                if name.endswith(COPY_SUFFIXES) and path[:-3] in wanted:
                    continue  # a compressed copy of a wanted file (compress_site removes those of others)
                if path not in wanted:
                    remove(path)


def page_url(src_uri):
    """The public URL path of a Markdown page under use_directory_urls."""
    stem = src_uri[: -len(".md")]
    if stem == "index":
        return "/"
    if stem.endswith("/index"):
        return "/" + stem[: -len("index")]
    return f"/{stem}/"


def served(url, pages):
    """Whether one of ``pages`` (site_src's Markdown files) is served at ``url`` (``page_url``'s inverse)."""
    stem = url.strip("/")
    return any(uri in pages for uri in ((f"{stem}.md", f"{stem}/index.md") if stem else ("index.md",)))


def keep_previous_pages(previous, generation, src_uris):
    """Copy the live site's HTML of pages that failed into a fresh generation (a full build starts empty)."""
    for uri in src_uris:
        rel = page_url(uri).strip("/")
        source = Path(previous) / rel / "index.html"
        target = Path(generation) / rel / "index.html"
        if source.is_file() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(source, target)


def remove_page_output(generation, src_uri):
    url = page_url(src_uri)
    target = Path(generation) / url.strip("/") / "index.html"
    remove(target)  # its compressed copies and then its folder go in compress_site (the journal names it)
    with contextlib.suppress(OSError):
        target.parent.rmdir()
