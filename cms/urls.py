"""The CMS serves the admin and documents; whitenoise serves the built public site at "/"."""

from django.conf import settings
from django.urls import include, path

from wagtail.admin import urls as wagtailadmin_urls
from wagtail.api.v3.urls import api
from wagtail.documents import urls as wagtaildocs_urls

from cms.api.router import router as content_router

api.add_router("/content/", content_router)

urlpatterns = [
    path("api/v3/", api.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
