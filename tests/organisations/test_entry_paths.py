"""The same scope through the other ways content enters: API tokens (create, edit, publish, move, delete)."""

import json

import pytest

from django.test import Client

from wagtail.models import APIToken

from cms.cases.models import CaseStudyIndexPage, CaseStudyPage
from cms.organisations.models import Membership

from .conftest import case_at, editor_at

pytestmark = pytest.mark.django_db


def token_client(user):
    _token, plaintext = APIToken.create_token(user=user, name="工具")
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_HOST="localhost")


def payload(slug, region):
    return {
        "meta": {"type": "cases.CaseStudyPage", "parent_id": CaseStudyIndexPage.objects.get().pk},
        "title": "工具创建的草稿",
        "slug": slug,
        "region_id": region.pk,
        "communities": [],
        "summary": "经 API 创建",
        "source_publisher": "工具",
    }


def test_a_token_stays_inside_its_user_s_place(places):
    editor = editor_at(places["community"])
    tool = token_client(editor)
    refused = tool.post("/api/v3/pages/", json.dumps(payload("outside", places["community2"])), "application/json")
    assert refused.status_code in (400, 403, 422), refused.content
    assert "超出您的负责范围" in refused.content.decode() and "示例社区" in refused.content.decode()
    assert not CaseStudyPage.objects.filter(slug="outside").exists()
    made = tool.post("/api/v3/pages/", json.dumps(payload("inside", places["community"])), "application/json")
    assert made.status_code == 201, made.content

    sibling = case_at(places["community2"], owner=editor)
    title = sibling.title
    edit = tool.patch(
        f"/api/v3/pages/{sibling.pk}/",
        json.dumps({"meta": {"type": "cases.CaseStudyPage"}, "title": "改了别人的"}),
        "application/json",
    )
    assert edit.status_code in (403, 404), edit.content
    assert tool.delete(f"/api/v3/pages/{sibling.pk}/").status_code in (403, 404)
    sibling.refresh_from_db()
    assert sibling.title == title and CaseStudyPage.objects.filter(pk=sibling.pk).exists()

    reviewer = editor_at(places["street2"], Membership.Role.REVIEWER, "审核")
    mine = CaseStudyPage.objects.get(slug="inside")
    published = token_client(reviewer).post(
        f"/api/v3/pages/{mine.pk}/actions/publish/", content_type="application/json"
    )
    assert published.status_code in (403, 404)
    mine.refresh_from_db()
    assert not mine.live


def test_an_imported_article_from_another_place_is_refused_and_nothing_is_saved(places):
    """multi_case.txt tells of 上党区 (and another place): a community editor of 示例社区 may import neither."""
    from pathlib import Path

    from cms.cases.article_drafts import create_drafts
    from cms.cases.article_import import parse_article

    text = (Path(__file__).parents[1] / "cases" / "articles" / "multi_case.txt").read_text(encoding="utf-8")
    editor = editor_at(places["community"])
    before = CaseStudyPage.objects.count()
    with pytest.raises(ValueError, match="超出您的负责范围") as refused:
        create_drafts(parse_article(text), user=editor)
    assert "示例社区" in str(refused.value) and "上党区" in str(refused.value)
    assert CaseStudyPage.objects.count() == before
    # Named for their own place by the editor, they import as drafts.
    cases = parse_article(text)
    for case in cases:
        case.region = places["community"]
    assert len(create_drafts(cases, user=editor)) == len(cases)


def test_the_article_importer_refuses_at_the_preview_naming_where_the_place_was_found(places):
    """In the admin, a community editor pasting an article about 上党区 is told before anything is offered:
    the headline, the place, where in the article it was found, and their own place; no button to create."""
    from pathlib import Path

    from django.urls import reverse

    text = (Path(__file__).parents[1] / "cases" / "articles" / "multi_case.txt").read_text(encoding="utf-8")
    client = Client()
    client.force_login(editor_at(places["community"]))
    html = client.post(reverse("jiceng_import_article"), {"text": text}).content.decode()
    assert "超出您的负责范围" in html and "上党区" in html and "标题中提到" in html and "示例社区" in html
    assert 'name="confirm"' not in html
