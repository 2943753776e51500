"""Preview a page as it will look on the public site: its kind's renderer, our theme, the live site's assets."""

from pathlib import Path

from django.conf import settings
from django.http import HttpResponse

from .context import SiteContext
from .export import serialize_regions
from .project import render_preview
from .sitebuild import page_url
from .snapshot import Snapshot

BANNER = (
    '<div role="status" style="background:#fff3cd;color:#5c4400;padding:.6rem 1rem;font-size:.8rem;'
    'text-align:center">预览：这是发布后的样子，当前内容尚未上线。</div>'
)


def preview_html(kind, page):
    entry = kind.serialize(page, {})
    snap = Snapshot(regions=serialize_regions())
    snap.entries[kind.folder] = [entry]
    for folder, entries in kind.preview_entries(page, entry).items():
        snap.entries.setdefault(folder, []).extend(entries)
    markdown = kind.render(SiteContext(snap, settings.PUBLIC_SITE_URL), entry)
    src_uri = f"{kind.folder}/{page.slug}.md"
    docs_dir = Path(settings.SITE_SOURCE_DIR)
    if not (docs_dir / ".site.yml").exists():
        docs_dir = Path(settings.HANDWRITTEN_PAGES_DIR)
    html = render_preview(settings.MKDOCS_CONFIG, docs_dir, src_uri, markdown)
    # Relative links and assets resolve against the page's public URL, so the preview uses the live site's
    # styles and links, wherever the admin shows it.
    html = html.replace("<head>", f'<head>\n<base href="{page_url(src_uri)}">', 1)
    return html.replace('<div class="md-container"', BANNER + '<div class="md-container"', 1)


def preview_response(kind, page):
    return HttpResponse(preview_html(kind, page))
