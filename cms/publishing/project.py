"""The MkDocs project, loaded once and kept: config, files, navigation and theme, ready to render any page.

MkDocs' own machinery, in-process: the worker keeps a loaded project between incremental builds (loading
takes seconds at 10,000 pages), takes in the pages the renderer added or removed, renders the pages that
changed (on forked processes in a full build) and the previews of pages not yet in site_src.
"""

import bisect
import contextlib
import functools
import logging
import os
import shutil
from pathlib import Path

from mkdocs.commands import build as mk
from mkdocs.config import load_config
from mkdocs.structure.files import File, Files, get_files, set_exclusions
from mkdocs.structure.nav import get_navigation
from mkdocs.structure.pages import Page

from .files import atomic_write, replace
from .forked import ForkedError, side_by_side


class SiteBuildError(Exception):
    """MkDocs refused the site (a warning in strict mode or an exception); nothing was switched in."""


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
        """Write into another site folder (the next generation) from now on. The files' own ``dest_dir`` is
        left as it was (setting it on every file took 0.3 s at 100,000 pages): what this project writes goes
        where ``dest`` says."""
        self.config["site_dir"] = str(site_dir)

    def dest(self, file):
        """Where a file goes in the site folder this project writes into (MkDocs' ``abs_dest_path`` there)."""
        return os.path.normpath(os.path.join(self.config["site_dir"], file.dest_uri))

    def render_pages(self, src_uris):
        """Render the given pages and write their HTML (atomically) under the site dir.

        A page that fails, or makes MkDocs warn, is not written: it keeps the HTML it had (the new
        generation starts as a copy of the live one). Returns [(src_uri, reason)] for those pages.
        """
        wanted = set(src_uris)
        failed = []
        in_nav = {id(page) for page in self.nav.pages}  # their titles show on every page
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
            forget_render(page, keep_meta=id(page) in in_nav)  # (it is made again when rendered again)
            if html is None:
                continue
            if warnings.messages:
                failed.append((file.src_uri, "网页生成时出现警告：" + "；".join(warnings.messages[:3])))
                continue
            atomic_write(self.dest(file), html.encode("utf-8", errors="xmlcharrefreplace"))
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
            dest = Path(self.dest(file))
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


def forget_render(page, keep_meta):
    """Let go of what rendering a page left on it once its HTML is written: its HTML and Markdown, its table
    of contents, anchors and links, and (but for pages in the navigation, whose titles every page shows) its
    front matter and title. Each render process kept ~8 KB per page it rendered (2.4 KB without them); the
    next render of the page reads and makes them again (``page.content`` is None)."""
    page.content = page.markdown = None
    page.toc = []
    page.present_anchor_ids = page.links_to_anchors = None
    if not keep_meta:  # (a page in the navigation keeps the title it showed: every page after it shows it too)
        page.meta, page._title_from_render = {}, None


def render_in_parallel(project, src_uris, workers, meanwhile=None):
    """Split page rendering over forked processes; the parent keeps the loaded project.

    ``meanwhile``: other work of the build that does not read the pages (a full build's search index), done
    by the parent while the others render (it would otherwise wait idle); after the pages when nothing forks.
    Returns [(src_uri, reason)] of the pages that could not be rendered.
    """
    if workers <= 1 or len(src_uris) < 200:
        failed = project.render_pages(src_uris)
        if meanwhile is not None:
            meanwhile()
        return failed
    chunks = [src_uris[i::workers] for i in range(workers)]
    try:
        results, _ = side_by_side([functools.partial(project.render_pages, chunk) for chunk in chunks], meanwhile)
    except ForkedError as exc:
        raise SiteBuildError("\n".join(exc.messages) or "页面渲染进程异常退出") from exc
    return sorted(failure for failed in results for failure in failed)


def render_preview(config_file, docs_dir, src_uri, markdown):
    """The HTML one page would have on the site, from Markdown that is not (yet) in site_src."""
    import tempfile

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
