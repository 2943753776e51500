"""Build site/ from site_src/ with MkDocs' own machinery, in-process, fully or only for what changed.

Each build writes a new *generation* folder beside the live one and then switches the ``site``
symlink to it in one rename, so residents never see a half-built site. An incremental build starts
from hard links to the previous generation and replaces (never edits) the files that changed: the
previous generation keeps serving untouched until the switch.
"""

import bisect
import contextlib
import hashlib
import logging
import multiprocessing
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.commands import build as mk
from mkdocs.config import load_config
from mkdocs.structure.files import File, Files, get_files, set_exclusions
from mkdocs.structure.nav import get_navigation
from mkdocs.structure.pages import Page

from .compress import COPY_SUFFIXES, compress_site
from .files import atomic_write, recording, remove, replace
from .generations import Generations
from .memory import release


class SiteBuildError(Exception):
    """MkDocs refused the site (a warning in strict mode or an exception); nothing was switched in."""


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


class _WarningCollector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def collect_warnings():
    """MkDocs' strict mode, in-process: every warning it logs fails the build."""
    collector = _WarningCollector()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    try:
        yield collector
    finally:
        logger.removeHandler(collector)


def walk_order(src_uri):
    """Where os.walk, as MkDocs' get_files uses it, meets a file: a folder's files (index first) before its
    sub-folders, each level sorted."""
    *folders, name = src_uri.split("/")
    return (*((1, folder) for folder in folders), (0, os.path.splitext(name)[0] not in ("index", "README"), name))


class MkDocsProject:
    """A loaded MkDocs project: config, files, navigation and theme, ready to render any of its pages."""

    def __init__(self, config_file, docs_dir, site_dir):
        self.config = load_config(str(config_file), docs_dir=str(docs_dir), site_dir=str(site_dir))
        config = self.config.plugins.on_config(self.config)
        self.config = config
        config.plugins.on_pre_build(config=config)
        files = get_files(config)
        self.env = config.theme.get_env()
        files.add_files_from_theme(self.env, config)
        files = config.plugins.on_files(files, config=config)
        set_exclusions(files, config)
        self.files = files
        self.nav = get_navigation(files, config)
        self.nav = config.plugins.on_nav(self.nav, config=config, files=files)
        self.doc_files = files.documentation_pages()
        for file in self.doc_files:
            if file.page is None:
                Page(None, file, config)
        # Navigation pages appear on every page (tabs), so their titles must be read first: from their front
        # matter, without rendering them (render_pages renders those that changed).
        for page in self.nav.pages:
            page.read_source(config)
        self.env = config.plugins.on_env(self.env, config=config, files=files)

    def apply(self, written, removed):
        """Take in what the renderer wrote and removed in site_src since this project was loaded (relative
        paths): new pages and files join, removed ones leave. Returns the static files (not pages) to copy.

        Navigation lists sections only, so a page added or removed never changes it."""
        config, to_copy, added = self.config, [], []
        for rel in removed:
            file = self.files.get_file_from_path(rel)
            if file is not None:
                self.files.remove(file)
        for rel in sorted(written):
            file = self.files.get_file_from_path(rel)
            if file is None:
                file = File(rel, config.docs_dir, config.site_dir, config.use_directory_urls)
                set_exclusions(Files([file]), config)  # as get_files would have marked it
                if file.is_documentation_page():
                    Page(None, file, config)
                added.append(file)
            if not file.is_documentation_page():
                to_copy.append(file)
        if added:  # in the order get_files gives, theme files after: each new file put in its place (bisect)
            ours = [f for f in self.files if f.src_dir == config.docs_dir]
            for file in added:
                bisect.insort(ours, file, key=lambda f: walk_order(f.src_uri))
            self.files = Files(ours + [f for f in self.files if f.src_dir != config.docs_dir])
        if added or removed:
            self.doc_files = self.files.documentation_pages()
        return to_copy

    def move_to(self, site_dir):
        """Write into another site folder (the next generation) from now on."""
        site_dir = str(site_dir)
        self.config["site_dir"] = site_dir
        for file in self.files:
            if file.dest_dir != site_dir:
                file.dest_dir = site_dir
                file.__dict__.pop("abs_dest_path", None)  # a cached property of the old folder

    def render_pages(self, src_uris):
        """Render the given pages and write their HTML (atomically) under the site dir.

        A page that fails, or makes MkDocs warn, is not written: it keeps the HTML it had (the new
        generation starts as a copy of the live one). Returns [(src_uri, reason)] for those pages.
        """
        wanted = set(src_uris)
        failed = []
        for file in self.doc_files:
            if file.src_uri not in wanted:
                continue
            page = file.page
            with collect_warnings() as warnings:
                try:
                    if page.content is None:
                        mk._populate_page(page, self.config, self.files)
                    html = self.page_html(page)
                except Exception as exc:  # one page must not stop the others
                    failed.append((file.src_uri, f"网页生成失败（{type(exc).__name__}: {str(exc)[:200]}）"))
                    html = None
            page.content = None  # free memory: a page's HTML is not needed once written
            page.markdown = None
            if html is None:
                continue
            if warnings.messages:
                failed.append((file.src_uri, "网页生成时出现警告：" + "；".join(warnings.messages[:3])))
                continue
            atomic_write(file.abs_dest_path, html.encode("utf-8", errors="xmlcharrefreplace"))
        return failed

    def page_html(self, page):
        config = self.config
        config._current_page = page
        page.active = True
        try:
            context = mk.get_context(self.nav, self.doc_files, config, page)
            template = self.env.get_template(page.meta.get("template", "main.html"))
            context = config.plugins.on_page_context(context, page=page, config=config, nav=self.nav)
            output = template.render(context)
            return config.plugins.on_post_page(output, page=page, config=config)
        finally:
            page.active = False
            config._current_page = None

    def write_static_files(self, only=None):
        """Copy theme and our static assets where they differ (by size and time to the nanosecond: copies keep
        their source's), replacing, never editing (``only``: just these files, those site_src says changed)."""
        for file in self.files if only is None else only:
            if file.is_documentation_page() or not file.inclusion.is_included():
                continue
            dest = Path(file.abs_dest_path)
            if file.abs_src_path is None:  # generated in memory by a plugin
                if not dest.exists() or dest.read_bytes() != file.content_bytes:
                    atomic_write(dest, file.content_bytes)
                continue
            src = Path(file.abs_src_path)
            if only is None and dest.exists():
                s, d = src.stat(), dest.stat()
                if s.st_size == d.st_size and s.st_mtime_ns == d.st_mtime_ns:
                    continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
            shutil.copy2(src, tmp)
            replace(tmp, dest)

    def write_theme_templates(self):
        for name in self.config.theme.static_templates:
            if name == "sitemap.xml":  # ours is made from site_src's pages in parts (publishing/sitemap.py)
                continue
            template = self.env.get_template(name)
            # The pages as a list kept up to date by apply (given the Files, MkDocs would filter them all again).
            output = mk._build_template(name, template, self.doc_files, self.config, self.nav)
            if not output.strip():
                continue
            data = output.encode("utf-8")
            target = Path(self.config.site_dir) / name
            atomic_write(target, data)


def _render_worker(project, src_uris, queue):
    try:
        failed = project.render_pages(src_uris)
    except Exception as exc:  # reported to the parent, which fails the build
        queue.put(("error", f"{type(exc).__name__}: {exc}", []))
        return
    queue.put(("ok", "", failed))


def render_in_parallel(project, src_uris, workers):
    """Split page rendering over forked processes; the parent keeps the loaded project.

    Returns [(src_uri, reason)] of the pages that could not be rendered.
    """
    if workers <= 1 or len(src_uris) < 200:
        return project.render_pages(src_uris)
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    chunks = [src_uris[i::workers] for i in range(workers)]
    procs = [ctx.Process(target=_render_worker, args=(project, chunk, queue)) for chunk in chunks]
    for proc in procs:
        proc.start()
    results = [queue.get() for _ in procs]
    for proc in procs:
        proc.join()
    errors = [msg for status, msg, _f in results if status != "ok"]
    if errors or any(proc.exitcode for proc in procs):
        raise SiteBuildError("\n".join(errors) or "页面渲染进程异常退出")
    return sorted(failure for _s, _m, failed in results for failure in failed)


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
            report.failed = render_in_parallel(project, report.rendered, workers if report.full else 1)
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
            current_urls = {page_url(uri) for uri in pages}
            gone_urls = set(previous.get("gone", [])) | {page_url(uri) for uri in old_pages if uri not in pages}
            report.manifest = {
                "signature": signature,
                "pages": pages,
                "failed": sorted(uri for uri, _reason in report.failed),
                "search": previous.get("search", {}),
                "gone": sorted(gone_urls - current_urls),
            }
            if index_search is not None:
                started = time.perf_counter()
                report.manifest["search"] = index_search(generation, report, previous.get("search", {}))
                report.timings["search"] = time.perf_counter() - started
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
    wanted = {os.path.abspath(f.abs_dest_path) for f in project.files if not f.is_documentation_page()}
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


def render_preview(config_file, docs_dir, src_uri, markdown):
    """The HTML one page would have on the site, from Markdown that is not (yet) in site_src."""
    import tempfile

    from mkdocs.structure.files import File

    with tempfile.TemporaryDirectory() as scratch:
        project = MkDocsProject(config_file, docs_dir, scratch)
        existing = project.files.get_file_from_path(src_uri)
        if existing is not None:
            project.files.remove(existing)
        file = File.generated(project.config, src_uri, content=markdown)
        project.files.append(file)
        Page(None, file, project.config)
        mk._populate_page(file.page, project.config, project.files)
        return project.page_html(file.page)
