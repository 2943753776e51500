"""Serve the built public site at "/" and follow each newly switched-in generation without a restart."""

import os
import threading
from pathlib import Path

from whitenoise.middleware import WhiteNoiseMiddleware

from django.conf import settings as django_settings

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


class PublicSiteMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise for admin static files plus the static site, whose file table is rebuilt on a switch.

    WhiteNoise caches each file's size and headers at start-up. A build switches ``site`` to a new
    generation folder, so on each request we compare where the link points (one readlink) and
    re-scan the site once when it has moved.
    """

    def __init__(self, get_response=None, settings=django_settings):
        super().__init__(get_response, settings=settings)
        self.site_link = Path(settings.SITE_OUTPUT_DIR)
        self.site_generation = None
        self.site_files = {}
        self.site_lock = threading.Lock()

    def __call__(self, request):
        if getattr(request, "is_dummy", False):
            # Wagtail's preview renders a draft through the middleware at the page's public URL:
            # the published file must not answer it.
            return self.get_response(request)
        path = request.path_info
        static_file = self.find_file(path) if self.autorefresh else self.files.get(path)
        if static_file is None and not path.startswith(("/admin/", "/documents/", "/api/v3/")):
            static_file = self.site_file(path)
            if static_file is not None:
                response = self.serve(static_file, request)
                for header, value in SITE_HEADERS.items():
                    response[header] = value
                return response
        if static_file is not None:
            return self.serve(static_file, request)
        return self.get_response(request)

    def site_file(self, path):
        target = os.path.realpath(self.site_link)
        if target != self.site_generation:
            with self.site_lock:
                if target != self.site_generation:
                    self.site_files = self.scan_site(target)
                    self.site_generation = target
        return self.site_files.get(path)

    def scan_site(self, root):
        static_files, self.files = self.files, {}
        try:
            if os.path.isdir(root):
                self.update_files_dictionary(root.rstrip(os.sep) + os.sep, "/")
            return self.files
        finally:
            self.files = static_files
