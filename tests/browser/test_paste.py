"""Text pasted from WPS or Word into a body paragraph, in Chromium: the list, the link and bold survive,
fonts, colours and sizes do not; the saved draft's paragraph holds only what the allowlist allows."""

import pytest

from django.contrib.auth import get_user_model

from cms.cases.models import CaseStudyPage

from ..support.appserver import serve_app
from .test_admin_personal_data import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

WORD_HTML = (
    '<html><body><!--StartFragment--><p class="MsoNormal"><span style="font-family:宋体;color:red;font-size:14pt">'
    '居民<b>议事</b>规则</span></p><ul><li><span style="color:blue">每月一次</span></li><li>公开结果</li></ul>'
    '<p><a href="https://example.gov.cn/rules"><span style="color:#0563C1">详细规则</span></a></p>'
    "<!--EndFragment--></body></html>"
)


def test_pasting_from_word_keeps_lists_and_links_and_drops_styling(browser, site_dirs):
    get_user_model().objects.create_superuser("粘贴", "p@example.invalid", "pw-粘贴")
    case = CaseStudyPage.objects.get(slug="hefei-red-property")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        with serve_app() as (url, _recorder):
            log_in(page, url, "粘贴", "pw-粘贴")
            page.goto(url + f"/admin/pages/{case.pk}/edit/")
            editor = page.locator(".DraftEditor-root [contenteditable='true']").first
            editor.click()
            page.keyboard.press("Control+End")
            page.keyboard.press("Enter")
            editor.evaluate(
                """(el, html) => {
                    const data = new DataTransfer();
                    data.setData('text/html', html);
                    data.setData('text/plain', '居民议事规则');
                    el.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
                }""",
                WORD_HTML,
            )
            page.wait_for_timeout(300)
            page.click("footer button[type='submit']:not([name])")  # 保存草稿
            page.wait_for_load_state("networkidle")
    finally:
        context.close()
    draft = CaseStudyPage.objects.get(pk=case.pk).get_latest_revision_as_object()
    stored = [b.value.source for b in draft.body if b.block_type == "paragraph"][0]
    assert "<b>议事</b>" in stored
    assert "<li>每月一次</li>" in stored and "<li>公开结果</li>" in stored and "<ul>" in stored
    assert '<a href="https://example.gov.cn/rules">详细规则</a>' in stored
    assert "style" not in stored and "font" not in stored and "span" not in stored and "Mso" not in stored
