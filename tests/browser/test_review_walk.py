"""Review up the hierarchy as the three bodies meet it, in a real Chromium against the project's own server:
a community editor sends a case for review, the street's reviewer approves it, the district's reviewer
approves it, and a resident finds the approving organisation — not a person — on the public page."""

import pytest

from cms.organisations.models import Membership, Organisation
from cms.publishing.build import build_site

from ..organisations.conftest import case_at, editor_at, places  # noqa: F401 (places is a fixture)
from ..support.appserver import serve_app
from .test_admin_personal_data import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
REVIEWER = Membership.Role.REVIEWER


@pytest.fixture
def as_user(browser):
    """A fresh desktop browser context per account (each logs in on its own)."""
    contexts = []

    def open_page():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def approve(page, url, case):
    page.goto(f"{url}/admin/")
    assert case.title in page.inner_text("main")  # the dashboard lists what awaits this reviewer
    page.goto(f"{url}/admin/pages/{case.pk}/edit/")
    page.evaluate(
        "document.querySelector('button[data-workflow-action-name=approve]:not([data-workflow-action-modal-url])')"
        ".click()"
    )
    page.wait_for_load_state("networkidle")


def test_a_community_case_goes_up_through_two_reviewers_to_the_public_page(as_user, places, site_dirs):  # noqa: F811
    Organisation.objects.create(name="示例区机构", region=places["district"], review=Organisation.Review.FINAL)
    for key in ("street", "street2", "community"):
        Organisation.objects.create(name=f"{places[key].name}机构", region=places[key])
    editor = editor_at(places["community"])
    street_reviewer = editor_at(places["street"], REVIEWER, "审核")
    district_reviewer = editor_at(places["district"], REVIEWER, "审核")
    sibling_reviewer = editor_at(places["street2"], REVIEWER, "审核")
    for user in (editor, street_reviewer, district_reviewer, sibling_reviewer):
        user.set_password("pw-审核")
        user.save()
    case = case_at(places["community"], owner=editor)

    with serve_app() as (url, _recorder):
        page = as_user()
        log_in(page, url, editor.username, "pw-审核")
        page.goto(f"{url}/admin/pages/{case.pk}/edit/")
        page.evaluate("document.querySelector('button[name=action-submit]').click()")
        page.wait_for_load_state("networkidle")
        case.refresh_from_db()
        assert case.current_workflow_task.specific.step == 1

        # A sibling street's reviewer is not asked, and cannot act on it.
        page = as_user()
        log_in(page, url, sibling_reviewer.username, "pw-审核")
        page.goto(f"{url}/admin/")
        assert case.title not in page.inner_text("main")

        page = as_user()
        log_in(page, url, street_reviewer.username, "pw-审核")
        approve(page, url, case)
        case.refresh_from_db()
        assert not case.live and case.current_workflow_task.specific.step == 2

        page = as_user()
        log_in(page, url, district_reviewer.username, "pw-审核")
        approve(page, url, case)
        case.refresh_from_db()
        assert case.live and case.approved_by == "示例区机构"

        build_site()
        resident = as_user()
        resident.goto(f"{url}/cases/{case.slug}/")
        text = resident.inner_text("article")
        assert "审核机构：示例区机构" in text and "发布机构：示例社区机构" in text
        for person in (editor, street_reviewer, district_reviewer):
            assert person.username not in resident.content()
