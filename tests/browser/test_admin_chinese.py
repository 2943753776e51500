"""A fully Chinese admin that works where outside hosts are slow or blocked: the pages an editor or reviewer
uses, opened in a real Chromium against the project's own server after their scripts ran, show no English
outside a short list of names (brands, file types, codes) — Wagtail's own screens included — and ask no host
but our own (no avatar service, no release check)."""

import re
from urllib.parse import urlsplit

import pytest

from django.contrib.auth import get_user_model

from cms.cases.models import CaseStudyIndexPage, CaseStudyPage
from cms.core.models import Region
from cms.lists.models import DutyListPage

from ..support.appserver import serve_app
from .test_admin_personal_data import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
# Names, not sentences: brands, formats and codes an editor reads as they are.
ALLOWED = {"Wagtail", "API", "PDF", "XLSX", "DOCX", "CSV", "TXT", "Excel", "Word", "JSON", "URL", "ID", "SEO", "Root"}
ALLOWED |= {"JPEG", "JPG", "PNG", "WEBP", "GIF", "GBK", "UTF", "txt", "xlsx", "docx", "pdf", "csv"}
WORD = re.compile(r"[A-Za-z][A-Za-z'’]{2,}")


def english_in(page, names=frozenset()):
    # Option lists of time zones and languages are names (Asia/Shanghai, English), not the admin's words.
    text = page.evaluate(
        "(() => { const lists = [...document.querySelectorAll('select')];"
        " lists.forEach((s) => { s.dataset.display = s.style.display; s.style.display = 'none'; });"
        " let text = document.body.innerText;"
        # What screen readers and tooltips say counts too: labels, titles and placeholders of what is shown.
        " document.querySelectorAll('[aria-label],[title],[placeholder]').forEach((e) => {"
        "   if (e.offsetParent === null && e.tagName !== 'BODY') return;"
        "   for (const a of ['aria-label', 'title', 'placeholder']) if (e.getAttribute(a)) text += '\\n' + e.getAttribute(a); });"
        " lists.forEach((s) => { s.style.display = s.dataset.display; }); return text; })()"
    )
    return sorted({w for w in WORD.findall(text) if w not in ALLOWED and w not in names})


def test_the_admin_pages_editors_use_are_in_chinese_and_call_no_other_host(browser, site_dirs):
    get_user_model().objects.create_superuser("中文编辑", "z@example.invalid", "pw-中文")
    case = CaseStudyPage.objects.get(slug="hefei-red-property")
    draft = case.get_latest_revision_as_object()
    draft.summary += "（修改）"
    draft.save_revision()
    duty = DutyListPage.objects.get(slug="sample-certificates-issued-2024")
    index = CaseStudyIndexPage.objects.get()
    # Addresses are names too: the region list shows each place's (shangdang, anshun-etdz).
    slugs = {part for slug in Region.objects.values_list("slug", flat=True) for part in slug.split("-")}
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname))
    found = {}
    try:
        with serve_app() as (url, _recorder):
            log_in(page, url, "中文编辑", "pw-中文")
            for path in (
                "/admin/",
                f"/admin/pages/{index.pk}/",
                f"/admin/pages/{case.pk}/edit/",
                f"/admin/pages/{duty.pk}/edit/",
                f"/admin/pages/{case.pk}/history/",
                f"/admin/pages/{case.pk}/revisions/compare/live...latest/",
                f"/admin/pages/add/cases/casestudypage/{index.pk}/",
                "/admin/pages/search/?q=物业",
                "/admin/images/",
                "/admin/documents/",
                "/admin/images/multiple/add/",
                "/admin/documents/multiple/add/",
                "/admin/reports/locked/",
                "/admin/reports/aging-pages/",
                "/admin/reports/site-history/",
                "/admin/workflows/list/",
                "/admin/workflows/tasks/index/",
                "/admin/settings/core/sitesettings/",
                "/admin/snippets/core/region/",
                "/admin/redirects/",
                "/admin/cases/import-article/",
                f"/admin/lists/{duty.pk}/import/",
                f"/admin/personal-data/{case.pk}/",
                "/admin/site-builds/",
                "/admin/organisations/",
                "/admin/memberships/",
                "/admin/snippets/signage/signstandard/",
                "/admin/account/",
            ):
                page.goto(url + path)
                page.wait_for_load_state("networkidle")
                words = english_in(page, slugs)
                if words:
                    found[path] = words
            # What opens on an edit form: the menu of publishing and review actions, the menu of blocks to
            # insert into the body, and the messages of a form that cannot be saved.
            page.goto(url + f"/admin/pages/{case.pk}/edit/")
            page.click("footer [data-w-dropdown-target='toggle']")
            page.locator("button.c-sf-add-button").first.click()
            page.wait_for_timeout(300)
            found["actions and blocks menus"] = english_in(page, slugs)
            page.fill("#id_title", "")
            page.fill("#id_summary", "")
            page.click("footer button[type='submit']:not([name])")
            page.wait_for_load_state("networkidle")
            found["validation"] = english_in(page, slugs)
            assert "请更正" in page.inner_text("body") or "错误" in page.inner_text("body")
            found = {where: words for where, words in found.items() if words}
    finally:
        context.close()
    assert found == {}, repr(found)[:3000]
    assert hosts == {"127.0.0.1"}
