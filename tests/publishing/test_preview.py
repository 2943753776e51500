"""Preview shows a draft as the public site will: our theme, our Markdown, escaped, marked as a preview."""

import pytest

from django.contrib.auth import get_user_model
from django.urls import reverse

from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cms.cases.models import CaseStudyPage
from cms.lists.models import DutyListPage
from cms.publishing.build import build_site

pytestmark = pytest.mark.django_db


def test_a_draft_change_previews_in_the_site_theme(site_dirs):
    build_site()
    page = CaseStudyPage.objects.get(slug="hefei-red-property")
    page.title = "预览中的<script>alert(1)</script>新标题"
    page.summary = "只在预览里出现的摘要"
    response = page.make_preview_request()
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh"' in html and "md-header" in html  # Material, our theme
    assert '<base href="/cases/hefei-red-property/">' in html
    assert "预览：这是发布后的样子" in html
    assert "只在预览里出现的摘要" in html
    assert "<script>alert(1)</script>" not in html and "&#60;script&#62;alert(1)" in html
    assert "“红色物业”" in html  # the structured parts render as on the site


def test_a_list_preview_shows_rows_and_the_list_it_replaces(site_dirs):
    build_site()
    page = DutyListPage.objects.get(slug="sample-certificates-cancelled-2024")
    html = page.make_preview_request().content.decode()
    assert '<tr id="item-2">' in html and "居住证明" in html
    assert "本清单替代旧版" in html


def test_the_admin_preview_view_uses_the_site_renderer(client, site_dirs):
    build_site()
    client.force_login(get_user_model().objects.create_superuser("previewer", "p@example.invalid", "pw"))
    page = CaseStudyPage.objects.get(slug="xinpu-red-property")
    data = nested_form_data(
        {
            "title": "编辑器里改过的标题",
            "slug": page.slug,
            "region": str(page.region_id),
            "summary": page.summary,
            "themes": "物业",
            "practices": inline_formset([]),
            "key_figures": inline_formset([]),
            "body": streamfield([("paragraph", rich_text("<p>预览正文</p>"))]),
            "source_publisher": page.source_publisher,
            "source_date": "",
            "source_edition": "",
            "source_byline": "",
            "source_url": "",
            "policy_documents": inline_formset([]),
            "comments": inline_formset([]),
        }
    )
    url = reverse("wagtailadmin_pages:preview_on_edit", args=(page.pk,))
    assert client.post(url, data).json()["is_valid"]
    html = client.get(url).content.decode()
    assert "编辑器里改过的标题" in html and "md-header" in html
    page.refresh_from_db()
    assert page.title != "编辑器里改过的标题"  # previewing saved nothing
