"""Serve the built public site at "/" and follow each newly switched-in generation without a restart.

The site's files go out compressed (the build wrote gzip and Brotli copies: the best one the browser
accepts is sent), fingerprinted files are cached for a year, pages and JSON revalidate with their ETag,
and any address the site does not have answers with its own Chinese 404 page (status 404) — saying so
plainly when a page that was there has been taken down.
"""

import json
import os
import re
import threading
from pathlib import Path

from whitenoise.middleware import WhiteNoiseMiddleware
from whitenoise.responders import IsDirectoryError, MissingFileError

from django.conf import settings as django_settings
from django.http import HttpResponse

# The public site loads nothing from elsewhere and runs no inline script (Material's bootstrap is a file,
# overrides/partials/javascripts/base.html): an injected <script> or event handler would not run.
SITE_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SITE_HEADERS = {
    "Content-Security-Policy": SITE_CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


# Addresses of the CMS itself; everything else belongs to the public site.
CMS_PREFIXES = ("/admin/", "/documents/", "/api/v3/", "/static/", "/uploads/")
# Names that change whenever their content does: Material's hashed assets (bundle.a5f9d56c.min.js), ours
# (assets/v/site.3fa2b1c9d0.css), images named by their SHA-1, search bundles named by their content.
FINGERPRINTED = re.compile(
    r"\.[0-9a-f]{8,}\.[a-z0-9.]+$|/[0-9a-f]{40}(?:-w\d+)?\.[a-z]+$|/search-index/[bd]-[0-9a-f]{12}/"
)
REVALIDATED = (".html", ".json", ".xml", ".txt", "/")
GONE_MARKER = "<!--jc-gone-->"
GONE_NOTICE = '<p class="jc-gone" role="status"><strong>这个页面已经撤下，不再公开。</strong>它曾在本站发布；请从下面的链接查找现行内容。</p>'


def cache_control(url):
    """The Cache-Control of a site URL, here and in the object store (``object_store``)."""
    if FINGERPRINTED.search(url):
        return f"max-age={WhiteNoiseMiddleware.FOREVER}, public, immutable"
    if url.endswith(REVALIDATED) or not url.startswith(("/assets/", "/media/")):
        # Pages, JSON and feeds change when editors publish: the browser asks again, with the ETag.
        return "no-cache"
    return "max-age=86400, public"


class PublicSiteMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise for admin static files plus the static site, whose files are looked up per generation.

    WhiteNoise caches each file's size and headers at start-up. A build switches ``site`` to a new
    generation folder, so on each request we compare where the link points (one readlink); the site's files
    are looked up as they are asked for (WhiteNoise's own lookup, a few stats) and remembered for that
    generation. Scanning the whole site on each switch took seconds at 10,000 pages and more than 30 s at
    100,000 — the first resident after every edit waited for it.
    """

    SITE_FILES_KEPT = 100_000  # found files remembered per generation (what is asked for again and again)

    def __init__(self, get_response=None, settings=django_settings):
        super().__init__(get_response, settings=settings)
        self.site_link = Path(settings.SITE_OUTPUT_DIR)
        self.site_generation = None
        self.site_files = {}
        self.site_gone = set()
        self.site_lock = threading.Lock()

    def __call__(self, request):
        if getattr(request, "is_dummy", False):
            # Wagtail's preview renders a draft through the middleware at the page's public URL:
            # the published file must not answer it.
            return self.get_response(request)
        path = request.path_info
        static_file = self.find_file(path) if self.autorefresh else self.files.get(path)
        if static_file is None and not path.startswith(CMS_PREFIXES):
            static_file = self.site_file(path)
            if static_file is not None:
                return self.site_headers(self.serve(static_file, request))
            # Django still gets its say (an editor's redirect, /admin without its slash); what it cannot
            # answer gets the site's own 404.
            response = self.get_response(request)
            if response.status_code == 404:
                return self.site_headers(self.not_found(path))
            return response
        if static_file is not None:
            return self.serve(static_file, request)
        return self.get_response(request)

    @staticmethod
    def site_headers(response):
        for header, value in SITE_HEADERS.items():
            response[header] = value
        return response

    def add_cache_headers(self, headers, path, url):
        headers["Cache-Control"] = cache_control(url)

    def not_found(self, path):
        """The site's own 404 page (Chinese), status 404; for a page that was taken down, it says so."""
        page = Path(self.site_generation or os.path.realpath(self.site_link)) / "404.html"
        try:
            body = page.read_text(encoding="utf-8")
        except OSError:
            body = NOT_FOUND
        if path.rstrip("/") + "/" in self.site_gone:
            body = body.replace(GONE_MARKER, GONE_NOTICE, 1)
        response = HttpResponse(body, status=404, content_type="text/html; charset=utf-8")
        response["Cache-Control"] = "no-cache"
        return response

    def site_file(self, path):
        target = os.path.realpath(self.site_link)
        if target != self.site_generation:
            with self.site_lock:
                if target != self.site_generation:
                    self.site_files = {}
                    self.site_gone = self.gone_pages(target)
                    self.site_generation = target
        found = self.site_files.get(path)
        if found is None:
            found = self.find_site_file(target, path)
            if found is not None and len(self.site_files) < self.SITE_FILES_KEPT:
                self.site_files[path] = found
        return found

    def find_site_file(self, root, url):
        """The site's file (or WhiteNoise's redirect to a folder's address) for a URL, or None."""
        root = root.rstrip(os.sep) + os.sep
        if not url.startswith("/") or not self.url_is_canonical(url):
            return None
        path = os.path.join(root, url[1:])
        if not self.path_is_child_of(path, root):
            return None
        try:
            return self.find_file_at_path(path, url)
        except (MissingFileError, IsDirectoryError):
            return None

    @staticmethod
    def gone_pages(generation):
        """URLs of pages that were on the site and have been taken down (kept in the generation's manifest)."""
        manifest = Path(generation).with_suffix(".json")
        try:
            return set(json.loads(manifest.read_text(encoding="utf-8")).get("gone", []))
        except (OSError, ValueError):
            return set()


NOT_FOUND = (
    '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>页面不存在</title>'
    '<p>没有找到这个页面。请返回<a href="/">首页</a>，或<a href="/search/">搜索</a>。</p></html>'
)
