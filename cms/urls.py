"""The CMS serves the admin and documents; whitenoise serves the built public site at "/"."""

from django.conf import settings
from django.urls import include, path, re_path

from wagtail.admin import urls as wagtailadmin_urls
from wagtail.api.v3.urls import api
from wagtail.documents import urls as wagtaildocs_urls

from cms.api import errors
from cms.api.access import restrict_v3_reads, serve_media
from cms.api.router import router as content_router
from cms.core.admin_views import CreateWithoutAutosave

api.add_router("/content/", content_router)
errors.register(api)  # answers in Chinese
restrict_v3_reads()  # before api.urls: anonymous reads show only what public content uses

urlpatterns = [
    path("api/v3/", api.urls),
    # Ahead of Wagtail's own: creating a page without autosave (cms/core/admin_views.py).
    path(
        "admin/pages/add/<slug:content_type_app_name>/<slug:content_type_model_name>/<int:parent_page_id>/",
        CreateWithoutAutosave.as_view(),
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Uploads (originals, renditions) are for editors; the public site serves its own copies of public images.
    re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$", serve_media),
]
