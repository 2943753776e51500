"""The personal-data gate as an editor and a reviewer meet it in the admin, in a real Chromium against the
project's own server: each finding named with its field and its masked form, publishing refused, a reason
recorded by the reviewer, then published as it is; and the page passes axe."""

import pytest

from django.contrib.auth import get_user_model

from cms.signage.models import SignageNoticePage

from ..support.appserver import serve_app
from .test_pages import AXE

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
MOBILE = "13812345678"


def log_in(page, url, username, password):
    page.goto(url + "/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")


def publish(page):
    # Wagtail's footer keeps 发布 in the actions dropdown; a keyboard user reaches it the same way.
    page.evaluate("document.querySelector('button[name=action-publish]').click()")
    page.wait_for_load_state("networkidle")


@pytest.fixture
def admin_page(browser):
    # axe is injected as a script, which the admin's CSP (rightly) forbids: bypass it for the audit.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", bypass_csp=True)
    yield context.new_page()
    context.close()


def test_the_editor_sees_each_finding_and_the_reviewer_keeps_one_with_a_reason(admin_page, site_dirs):
    page = admin_page
    get_user_model().objects.create_superuser("shenhe", "s@example.invalid", "pw-审核")
    notice = SignageNoticePage.objects.get(slug="sample-community-signage-2024")
    notice.responsible_body = f"联系人：张三，电话 {MOBILE}"
    notice.save_revision()  # a draft may hold it
    with serve_app() as (url, _recorder):
        log_in(page, url, "shenhe", "pw-审核")
        page.goto(f"{url}/admin/pages/{notice.pk}/edit/")
        warning = page.inner_text(".messages")
        assert "未遮盖的个人信息" in warning and "手机号" in warning and "138****5678" in warning
        assert "责任单位" in warning  # the field, as the editor reads it
        publish(page)
        assert "发现未遮盖的个人信息" in page.content()
        notice.refresh_from_db()
        assert MOBILE not in (notice.responsible_body or "")  # not published
        # The reviewer records a reason to keep it, from the page's own list of findings.
        page.goto(f"{url}/admin/personal-data/{notice.pk}/")
        assert "138****5678" in page.inner_text("table")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})")
        assert [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")] == []
        page.fill("input[name=reason]", "社区公开的服务电话")
        page.click("text=记录理由")
        assert "已记录保留理由" in page.inner_text(".messages")
        assert "社区公开的服务电话" in page.content()
        page.goto(f"{url}/admin/pages/{notice.pk}/edit/")
        publish(page)
    notice.refresh_from_db()
    assert notice.live and MOBILE in notice.responsible_body
