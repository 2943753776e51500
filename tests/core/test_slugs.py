"""Short, stable addresses: a new page's slug made from its Chinese title is pinyin, at most 60 characters,
unique among its siblings and editable; existing slugs never change."""

import pytest

from django.contrib.auth import get_user_model
from django.utils.text import slugify

from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from cms.cases.models import CaseStudyIndexPage, CaseStudyPage
from cms.core.models import Region
from cms.core.slugs import pinyin_slug

TITLE = "山西省长治市上党区：三张清单让社区回归服务本位，减负增效见实绩"


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("北京市朝阳区", "bei-jing-shi-chao-yang-qu"),
        ("示例社区可出具证明事项清单（2024版）", "shi-li-she-qu-ke-chu-ju-zheng-ming-shi-xiang-qing-dan-2024"),
        (TITLE, "shan-xi-sheng-chang-zhi-shi-shang-dang-qu-san-zhang-qing-dan"),  # 长治, not 省长 + 治
        ("“红色物业”进小区 Red Property!", "hong-se-wu-ye-jin-xiao-qu-red-property"),
        ("！！", "page"),
    ],
)
def test_a_chinese_title_becomes_short_pinyin(title, slug):
    assert pinyin_slug(title) == slug and len(slug) <= 60 and slug.isascii()


def add_form(title, slug):
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "region": str(Region.objects.get(slug="sample-community").pk),
            "summary": "摘要",
            "source_publisher": "测试日报",
            "practices": inline_formset([]),
            "key_figures": inline_formset([]),
            "policy_documents": inline_formset([]),
            "body": streamfield([]),
            "comments": inline_formset([]),
        }
    )


@pytest.mark.django_db
def test_the_admin_gives_new_pages_pinyin_slugs_unique_among_siblings(client):
    client.force_login(get_user_model().objects.create_superuser("slugs", "s@example.invalid", "pw"))
    index = CaseStudyIndexPage.objects.get()
    url = f"/admin/pages/add/cases/casestudypage/{index.pk}/"
    # What the browser fills in from the title (Wagtail keeps Chinese in slugs), then the same title again.
    for _ in range(2):
        assert client.post(url, add_form(TITLE, slugify(TITLE, allow_unicode=True))).status_code == 302
    made = list(CaseStudyPage.objects.filter(title=TITLE).order_by("pk").values_list("slug", flat=True))
    assert made == [
        "shan-xi-sheng-chang-zhi-shi-shang-dang-qu-san-zhang-qing-dan",
        "shan-xi-sheng-chang-zhi-shi-shang-dang-qu-san-zhang-qing-2",
    ]
    # An editor's own slug in Latin letters is kept.
    assert client.post(url, add_form("自己起的地址", "my-own-address")).status_code == 302
    assert CaseStudyPage.objects.filter(slug="my-own-address").exists()


@pytest.mark.django_db
def test_existing_slugs_do_not_change(client):
    client.force_login(get_user_model().objects.create_superuser("slugs", "s@example.invalid", "pw"))
    page = CaseStudyPage.objects.get(slug="hefei-red-property")
    page.slug = "合肥红色物业"
    page.save_revision().publish()
    data = add_form(page.title, page.slug)
    data["region"] = str(page.region_id)
    data["summary"] = page.summary
    assert client.post(f"/admin/pages/{page.pk}/edit/", data).status_code == 302
    assert CaseStudyPage.objects.get(pk=page.pk).get_latest_revision_as_object().slug == "合肥红色物业"
