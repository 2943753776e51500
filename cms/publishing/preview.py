"""Preview a page as it will look on the public site: our renderer, our theme, the live site's assets."""

from pathlib import Path

from django.conf import settings
from django.http import HttpResponse

from .render import FOLDERS, Site, render_case, render_collection, render_list, render_notice
from .sitebuild import page_url, render_preview
from .snapshot import (
    Snapshot,
    serialize_case,
    serialize_collection,
    serialize_list,
    serialize_notice,
    serialize_regions,
)

SERIALIZE = {
    "case": serialize_case,
    "list": serialize_list,
    "notice": serialize_notice,
    "collection": serialize_collection,
}
RENDER = {"case": render_case, "list": render_list, "notice": render_notice, "collection": render_collection}

BANNER = (
    '<div role="status" style="background:#fff3cd;color:#5c4400;padding:.6rem 1rem;font-size:.8rem;'
    'text-align:center">预览：这是发布后的样子，当前内容尚未上线。</div>'
)


def kind_of(page):
    from cms.cases.models import CaseCollectionPage, CaseStudyPage
    from cms.lists.models import DutyListPage
    from cms.signage.models import SignageNoticePage

    models = (
        (CaseStudyPage, "case"),
        (DutyListPage, "list"),
        (SignageNoticePage, "notice"),
        (CaseCollectionPage, "collection"),
    )
    for model, kind in models:
        if isinstance(page, model):
            return kind
    return None


def preview_html(page):
    kind = kind_of(page)
    entry = SERIALIZE[kind](page, {})
    snap = Snapshot(regions=serialize_regions())
    getattr(snap, FOLDERS[kind]).append(entry)
    if kind == "list" and page.supersedes_id:
        old = page.supersedes
        snap.lists.append({"meta": {"slug": old.slug, "title": old.title, "list_kind": old.list_kind}, "text": ""})
    if kind == "collection":
        # The preview shows the cases an editor picked (published ones, as the site will).
        cases = [e.case for e in page.entries.all() if e.case.live]
        snap.cases = [serialize_case(case, {}) for case in cases]
    markdown = RENDER[kind](Site(snap, settings.PUBLIC_SITE_URL), entry)
    src_uri = f"{FOLDERS[kind]}/{page.slug}.md"
    docs_dir = Path(settings.SITE_SOURCE_DIR)
    if not (docs_dir / ".nav.yml").exists():
        docs_dir = Path(settings.HANDWRITTEN_PAGES_DIR)
    html = render_preview(settings.MKDOCS_CONFIG, docs_dir, src_uri, markdown)
    # Relative links and assets resolve against the page's public URL, so the preview uses the live site's
    # styles and links, wherever the admin shows it.
    html = html.replace("<head>", f'<head>\n<base href="{page_url(src_uri)}">', 1)
    return html.replace('<div class="md-container"', BANNER + '<div class="md-container"', 1)


def preview_response(page):
    return HttpResponse(preview_html(page))
