"""The admin works where outside hosts are slow or blocked (mainland China): no admin page an editor uses asks
any host but our own — no avatar service, no release check — in a real Chromium against the project's own
server."""

from urllib.parse import urlsplit

import pytest

from django.contrib.auth import get_user_model

from cms.cases.models import CaseStudyIndexPage, CaseStudyPage

from ..support.appserver import serve_app
from .test_admin_personal_data import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_no_admin_page_calls_another_host(browser, site_dirs):
    get_user_model().objects.create_superuser("offline", "o@example.invalid", "pw-离线")
    case = CaseStudyPage.objects.get(slug="hefei-red-property")
    index = CaseStudyIndexPage.objects.get()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname))
    try:
        with serve_app() as (url, _recorder):
            log_in(page, url, "offline", "pw-离线")
            for path in (
                "/admin/",
                f"/admin/pages/{index.pk}/",
                f"/admin/pages/{case.pk}/edit/",
                f"/admin/pages/{case.pk}/history/",
                "/admin/pages/search/?q=物业",
                "/admin/images/",
                "/admin/documents/",
                "/admin/users/",
                "/admin/reports/locked/",
                "/admin/workflows/list/",
                "/admin/account/",
            ):
                response = page.goto(url + path)
                assert response.status == 200, path
                page.wait_for_load_state("networkidle")
    finally:
        context.close()
    assert hosts == {"127.0.0.1"}
