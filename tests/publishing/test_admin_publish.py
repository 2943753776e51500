"""An editor creates and publishes each content kind in the admin; the build shows it; unpublishing removes it."""

import pytest

from django.contrib.auth import get_user_model
from django.urls import reverse

from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cms.cases.models import CaseStudyIndexPage, CaseStudyPage
from cms.core.models import Region
from cms.lists.models import DutyListIndexPage, DutyListPage
from cms.publishing.build import build_site
from cms.signage.models import SignageNoticeIndexPage, SignageNoticePage

from ..conftest import read_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = get_user_model().objects.create_superuser("editor", "editor@example.invalid", "pw")
    client.force_login(user)
    return client


def add_url(model, parent):
    return reverse("wagtailadmin_pages:add", args=(model._meta.app_label, model._meta.model_name, parent.pk))


def post_page(client, model, parent, data):
    data = nested_form_data({**data, "comments": inline_formset([]), "action-publish": "action-publish"})
    response = client.post(add_url(model, parent), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    return model.objects.get(slug=data["slug"])


def case_form(slug, title):
    region = Region.objects.get(slug="hefei")
    return {
        "title": title,
        "slug": slug,
        "region": str(region.pk),
        "summary": "编辑在后台录入的案例摘要。",
        "themes": "物业, 议事",
        "practices": inline_formset([{"name": "楼道议事会", "description": "每月一次"}]),
        "key_figures": inline_formset(
            [{"label": "议事会", "value": "12", "unit": "场", "before": "", "approximate": ""}]
        ),
        "body": streamfield([("heading", "做法"), ("paragraph", rich_text("<p>后台录入的正文段落。</p>"))]),
        "source_publisher": "测试日报",
        "source_date": "2024-01-02",
        "source_edition": "第3版",
        "source_byline": "记者 某某",
        "source_url": "https://example.org/a",
        "policy_documents": inline_formset([]),
    }


DISCLOSURE_BLANK = dict.fromkeys(
    (
        "index_number",
        "publisher",
        "document_number",
        "date_written",
        "date_published",
        "valid_from",
        "valid_until",
        "public_attribute",
    ),
    "",
)


def list_form(slug, title, alternative):
    """Form data for a one-row list of cancelled certificates in 示例区."""
    row = dict.fromkeys(
        ("category", "content", "department", "resourcing", "purpose", "issuer", "procedure", "alternative_kind"), ""
    )
    row.update(number="1", name="独生子女证明", basis=streamfield([]), alternative=alternative)
    return {
        **DISCLOSURE_BLANK,
        "title": title,
        "slug": slug,
        "list_kind": "certificates_cancelled",
        "scope": "all",
        "region": str(Region.objects.get(slug="sample-district").pk),
        "version_label": "2025版",
        "supersedes": "",
        "issuing_bodies": "示例区民政局",
        "intro": "",
        "items": inline_formset([row]),
        "annexes": inline_formset([]),
    }


def test_editor_publishes_each_kind_and_the_build_shows_it(editor, site_dirs):
    case = post_page(editor, CaseStudyPage, CaseStudyIndexPage.objects.get(), case_form("admin-case", "后台新建的案例"))
    duty_list = post_page(
        editor,
        DutyListPage,
        DutyListIndexPage.objects.get(),
        list_form("admin-list", "后台新建的清单", "签署告知承诺书"),
    )
    community = Region.objects.get(slug="sample-community")
    notice = post_page(
        editor,
        SignageNoticePage,
        SignageNoticeIndexPage.objects.get(),
        {
            "title": "后台新建的两标三牌公示",
            "slug": "admin-notice",
            "community": str(community.pk),
            "notice_date": "2025-02-03",
            "round": "follow_up",
            "count_before": "7",
            "count_removed": "2",
            "count_after": "5",
            "responsible_body": "示例街道",
            "retained_signs": inline_formset([]),
            "photos": inline_formset([]),
            "annexes": inline_formset([]),
            "body": streamfield([("paragraph", rich_text("<p>回头看未发现反弹。</p>"))]),
            **DISCLOSURE_BLANK,
        },
    )
    for page in (case, duty_list, notice):
        assert page.live and not page.has_unpublished_changes
    # A notice created without signs starts from the configured standard set.
    assert [s.text for s in notice.retained_signs.all()][:2] == ["中国共产党党徽", "中国社区标识"]

    _src, site = site_dirs
    build_site()
    assert "后台新建的案例" in read_page(site, "cases/admin-case")
    assert "独生子女证明" in read_page(site, "lists/admin-list")
    assert "回头看" in read_page(site, "notices/admin-notice")
    assert "后台新建的案例" in read_page(site, "regions/hefei")

    response = editor.post(reverse("wagtailadmin_pages:unpublish", args=(case.pk,)), {"include_descendants": ""})
    assert response.status_code == 302
    build_site()
    assert not (site / "cases" / "admin-case").exists()
    assert "后台新建的案例" not in read_page(site, "regions/hefei")
    assert "后台新建的案例" not in read_page(site, "cases")


def test_admin_rejects_a_cancelled_certificate_without_an_alternative(editor):
    data = nested_form_data(
        {
            **list_form("bad-list", "缺替代方式的清单", ""),
            "comments": inline_formset([]),
            "action-publish": "action-publish",
        }
    )
    response = editor.post(add_url(DutyListPage, DutyListIndexPage.objects.get()), data)
    assert response.status_code == 200
    assert "缺少“替代办理方式”" in response.content.decode()
    assert not DutyListPage.objects.filter(slug="bad-list").exists()


def test_admin_is_in_simplified_chinese(editor):
    response = editor.get(reverse("wagtailadmin_home"))
    html = response.content.decode()
    assert 'lang="zh-hans"' in html
    assert "经验案例" in editor.get(add_url(CaseStudyPage, CaseStudyIndexPage.objects.get())).content.decode()


@pytest.mark.parametrize(
    "slug", ["hefei-red-property", "sample-certificates-cancelled-2024", "sample-community-signage-2024"]
)
def test_seeded_pages_open_in_the_editor(editor, slug):
    page = CaseStudyPage.objects.filter(slug=slug).first() or DutyListPage.objects.filter(slug=slug).first()
    page = page or SignageNoticePage.objects.get(slug=slug)
    response = editor.get(reverse("wagtailadmin_pages:edit", args=(page.pk,)))
    assert response.status_code == 200
    assert page.title in response.content.decode()


def test_a_form_without_a_row_group_s_management_data_is_refused_not_a_server_error(editor):
    """An old or hand-made client that leaves out a row group (here the annexes) gets the form back."""
    data = list_form("no-annexes", "缺少附件表单的清单", "签署告知承诺书")
    del data["annexes"]
    data = nested_form_data({**data, "comments": inline_formset([]), "action-publish": "action-publish"})
    response = editor.post(add_url(DutyListPage, DutyListIndexPage.objects.get()), data)
    assert response.status_code == 200
    assert not DutyListPage.objects.filter(slug="no-annexes").exists()
