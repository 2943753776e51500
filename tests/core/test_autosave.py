"""Autosave never leaves a stray page: a page exists once its editor saves it (the create view does not
autosave), a second new page with the same title gets the next free address, and the errors an editor
meets — a clashing address on an existing page, an autosave that cannot be saved — are in Chinese, where the
editor is (at the top of the form, not only on the hidden 推广 tab)."""

import pytest

from django.urls import reverse

from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cms.cases.models import CaseStudyIndexPage, CaseStudyPage
from cms.core.models import Region

pytestmark = pytest.mark.django_db


def case_form(title, slug="", **extra):
    data = {
        "title": title,
        "slug": slug,
        "region": Region.objects.get(slug="hefei").pk,
        "summary": "居民在楼道里商量公共事务。",
        "source_publisher": "本报",
        "body": streamfield([("paragraph", rich_text("<p>每月碰头一次。</p>"))]),
        "practices": inline_formset([]),
        "key_figures": inline_formset([]),
        "policy_documents": inline_formset([]),
    }
    data.update(extra)
    return nested_form_data(data)


def add_url():
    return reverse("wagtailadmin_pages:add", args=["cases", "casestudypage", CaseStudyIndexPage.objects.get().pk])


def test_the_create_view_does_not_autosave_and_the_edit_view_does(admin_client):
    created = admin_client.get(add_url())
    assert created.status_code == 200 and created.context["autosave_enabled"] is False
    page = CaseStudyPage.objects.get(slug="hefei-red-property")
    edited = admin_client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert edited.context["autosave_enabled"] is True


def test_two_new_pages_with_the_same_title_get_two_addresses(admin_client):
    before = CaseStudyPage.objects.count()
    for _ in range(2):
        response = admin_client.post(add_url(), case_form("楼道里的议事会"))
        assert response.status_code == 302
    for _ in range(2):  # a Latin address typed twice
        assert admin_client.post(add_url(), case_form("Louti", slug="louti")).status_code == 302
    slugs = set(CaseStudyPage.objects.order_by("-pk").values_list("slug", flat=True)[:4])
    assert slugs == {"lou-dao-li-de-yi-shi-hui", "lou-dao-li-de-yi-shi-hui-2", "louti", "louti-2"}
    assert CaseStudyPage.objects.count() == before + 4


def test_an_address_clash_on_an_existing_page_is_refused_in_chinese_at_the_top(admin_client):
    page = CaseStudyPage.objects.get(slug="hefei-red-property")
    other = CaseStudyPage.objects.exclude(pk=page.pk).first()
    response = admin_client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]), case_form(page.title, slug=other.slug)
    )
    assert response.status_code == 200
    form = response.context["form"]
    expected = f"网址标识“{other.slug}”已被同一栏目下的另一页面使用，请在“推广”标签页改用别的网址标识。"
    assert expected in form.non_field_errors() and expected in response.content.decode()
    assert "already in use" not in response.content.decode()
    assert CaseStudyPage.objects.get(pk=page.pk).slug == "hefei-red-property"


def test_an_autosave_that_cannot_be_saved_answers_in_chinese(admin_client):
    page = CaseStudyPage.objects.get(slug="hefei-red-property")
    response = admin_client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        case_form(page.title, slug=page.slug, summary="x" * 5000),
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    message = response.json()["error_message"]
    assert message and all(not ("a" <= ch.lower() <= "z") for ch in message), message
