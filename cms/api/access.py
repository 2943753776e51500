"""What anonymous visitors may reach of Wagtail's own routes: only what public content uses.

Wagtail serves images, documents and redirects to anyone (its v3 API lists every image and document
outside private collections, ``/documents/<id>/<file>`` serves any document, and the redirect table and
middleware follow redirects to any page). This headless CMS publishes through one gate, the export
(``export_snapshot``): here each of those routes is narrowed to it for anonymous visitors, in every
profile. Editors (API tokens, admin sessions) keep what Wagtail gives them.
"""

from django.http import Http404, HttpResponseNotFound
from django.views.static import serve

from wagtail.api.v3.auth import BearerTokenAuth
from wagtail.contrib.redirects.middleware import RedirectMiddleware
from wagtail.models import Page


def public_media():
    """(image pks, document pks) that public content uses, from the API's memoised export."""
    from .router import current_snapshot

    snap = current_snapshot()
    return {image.pk for image in snap.images.values()}, {doc.pk for doc in snap.documents.values()}


def is_editor(user):
    return bool(user and user.is_authenticated and user.is_active and user.has_perm("wagtailadmin.access_admin"))


def restrict_v3_reads():
    """Narrow the anonymous reads of Wagtail's v3 images, documents and redirects routes.

    Must run before the API's URLs are first built (ninja copies each route's settings then): cms/urls.py
    calls it right before mounting the API.
    """
    from wagtail.contrib.redirects.api.v3 import router as redirects_router
    from wagtail.documents.api.v3 import router as documents
    from wagtail.images.api.v3 import router as images

    if getattr(images, "_jiceng_restricted", False):
        return

    def narrowed(original, used):
        def queryset(request):
            found = original(request)
            if request.user.is_authenticated:
                return found
            return found.filter(pk__in=used())

        return queryset

    images.get_images_queryset = narrowed(images.get_images_queryset, lambda: public_media()[0])
    documents.get_documents_queryset = narrowed(documents.get_documents_queryset, lambda: public_media()[1])
    # The redirect table is an editors' tool (token required); the public redirects, only those to public
    # pages, are at /api/v3/content/redirects/ and in the static site.
    for path_view in redirects_router.path_operations.values():
        for operation in path_view.operations:
            if "GET" in operation.methods:
                operation.auth_param = operation.auth_callbacks = [BearerTokenAuth()]
    images._jiceng_restricted = True


def before_serve_document(document, request):
    """Wagtail hook: a document's file goes to an anonymous visitor only when public content uses it."""
    if is_editor(request.user) or document.pk in public_media()[1]:
        return None
    return HttpResponseNotFound(NOT_FOUND, content_type="text/html; charset=utf-8")


NOT_FOUND = (
    '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>未找到</title><p>没有找到这个文件。</p></html>'
)


def serve_media(request, path):
    """The CMS's uploads (originals and renditions) for editors only; the public site has its own copies."""
    from django.conf import settings

    if not is_editor(request.user):
        raise Http404("没有找到这个文件。")
    return serve(request, path, document_root=settings.MEDIA_ROOT)


def is_public_page(page):
    """Live, without view restrictions, under live ancestors: what the export publishes."""
    if page is None or not page.live:
        return False
    if not Page.objects.filter(pk=page.pk).public().exists():
        return False
    return not page.get_ancestors().filter(live=False, depth__gt=1).exists()


class PublicRedirectMiddleware(RedirectMiddleware):
    """Wagtail's redirects, but never to a page that is not public (that would reveal its address)."""

    def process_response(self, request, response):
        redirected = super().process_response(request, response)
        if redirected is response:
            return response
        from wagtail.contrib.redirects.middleware import get_redirect
        from wagtail.contrib.redirects.models import Redirect

        path = Redirect.normalise_path(request.get_full_path(), decode_unicode=False)
        redirect = get_redirect(request, path) or get_redirect(request, path.split("?", 1)[0])
        if redirect is not None and redirect.redirect_page_id and not is_public_page(redirect.redirect_page):
            return response
        return redirected


class MaskedPublicApiMiddleware:
    """Wagtail's own v3 API read anonymously (live public pages, public images and documents) never shows
    personal data unmasked: the same masking as the export, with the reasons reviewers recorded.

    Publishing refuses unmasked personal data, so this only matters for data stored before the gate (or
    written past it): the site, the static JSON, the search index, /api/v3/content/ and the feeds are masked
    by the export; these routes read the database directly. Editors (a valid token or an admin session) see
    what is stored.
    """

    ROUTES = ("/api/v3/pages/", "/api/v3/images/", "/api/v3/documents/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD") or not request.path.startswith(self.ROUTES):
            return response
        user = getattr(request, "user", None)  # the API's auth has set it: a token's user, or anonymous
        if user is not None and user.is_authenticated:
            return response
        if response.streaming or not response.get("Content-Type", "").startswith("application/json"):
            return response
        import json

        from cms.core.models import KeptPersonalData
        from cms.core.personal_data import mask_value

        keep = frozenset(KeptPersonalData.objects.values_list("digest", flat=True))
        data = mask_value(json.loads(response.content), keep)
        response.content = json.dumps(data, ensure_ascii=False).encode("utf-8")
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response
